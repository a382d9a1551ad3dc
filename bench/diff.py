"""Diff benchmark: two real letters, and 1,000 vs 1,000 synthetic findings.

Prints times and the ratio of the 1,000-finding case to the 50-finding case measured in the
same run (a quadratic Python path would show as a ratio in the thousands).

    python bench/diff.py
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from parsers.api import parse_text  # noqa: E402
from parsers.diff import diff_findings  # noqa: E402
from parsers.records import Finding  # noqa: E402
from tests.support.corpus import seed_path  # noqa: E402


def best_of(fn, runs: int) -> float:  # noqa: ANN001
    best = float("inf")
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def synthetic(pool: list[str], n: int, sections: list[str], rng: random.Random) -> list[Finding]:
    out = []
    for k in range(n):
        words = rng.choice(pool).split()
        for _ in range(3):
            words[rng.randrange(len(words))] = rng.choice(["alpha", "beta", "gamma", "delta"])
        out.append(Finding(section=rng.choice(sections), ordinal=k, page=1, text=" ".join(words)))
    return out


def main() -> None:
    docs = {p: parse_text(seed_path(p).read_text(encoding="utf-8")) for p in ("000", "001", "004")}
    old, new = docs["000"].findings, docs["004"].findings
    small = best_of(lambda: diff_findings(old, new), 20)
    pool = [f.text for d in docs.values() for f in d.findings]
    rng = random.Random(1)
    a, b = synthetic(pool, 1000, ["strength"], rng), synthetic(pool, 1000, ["strength"], rng)
    large = best_of(lambda: diff_findings(a, b), 3)
    print(f"Islington vs Shropshire ({len(old)} x {len(new)} findings): {small * 1000:.1f} ms")
    print(f"1,000 x 1,000 unrelated findings, one section: {large * 1000:.0f} ms")
    print(f"ratio large/small: {large / small:.0f}x for {1000 * 1000 / (len(old) * len(new)):.0f}x the pairs")


if __name__ == "__main__":
    main()
