"""Parse benchmark over shared/corpus/ofsted-real.

Measures, in one run (these machines are noisy, so only ratios are compared):
  * the baseline: plain ``pdfminer.high_level.extract_text`` of every file, one process;
  * the full structured parse with the default backend (pdfminer), batch on all cores;
  * the same with the pypdfium2 backend;
and prints pages/s, documents/s, each time as a ratio of the baseline, and peak memory.

Targets (2-core machine): structured pdfminer parse <= 0.6x baseline; pypdfium2 <= 0.05x.

    python bench/parse.py [--corpus DIR] [--workers N] [--json]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tasks.batch import parse_many  # noqa: E402

DEFAULT_CORPUS = Path(os.environ.get("JTAI_WATCH_SHARED", ROOT.parent / "shared")) / "corpus" / "ofsted-real"


def baseline(files: list[Path]) -> tuple[float, int]:
    from pdfminer.high_level import extract_text

    started = time.perf_counter()
    ok = 0
    for f in files:
        try:
            extract_text(str(f))
            ok += 1
        except Exception:
            pass
    return time.perf_counter() - started, ok


def structured(files: list[Path], backend: str, workers: int) -> tuple[float, int, int, int, float]:
    started = time.perf_counter()
    pages = ok = findings = 0
    peak = 0.0
    for result in parse_many([(f.name, str(f)) for f in files], backend=backend, workers=workers):
        peak = max(peak, result.peak_rss_mb)
        if result.document:
            ok += 1
            pages += result.document.pages
            findings += len(result.document.findings)
    return time.perf_counter() - started, ok, pages, findings, peak


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    files = sorted(args.corpus.glob("*.pdf"))
    if not files:
        sys.exit(f"no PDFs in {args.corpus}")

    base_s, base_ok = baseline(files)
    rows = {}
    for backend in ("pdfminer", "pypdfium2"):
        secs, ok, pages, findings, peak = structured(files, backend, args.workers)
        rows[backend] = {
            "seconds": round(secs, 2),
            "documents": ok,
            "pages": pages,
            "findings": findings,
            "pages_per_s": round(pages / secs, 1),
            "documents_per_s": round(ok / secs, 2),
            "ratio_to_baseline": round(secs / base_s, 3),
            "peak_worker_rss_mb": round(peak, 1),
        }
    peak_self = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    peak_children = max(r["peak_worker_rss_mb"] for r in rows.values())
    total_pages = rows["pdfminer"]["pages"]
    report = {
        "files": len(files),
        "workers": args.workers,
        "baseline_extract_text": {
            "seconds": round(base_s, 2),
            "documents": base_ok,
            "pages_per_s": round(total_pages / base_s, 1),
        },
        "backends": rows,
        "peak_rss_mb": {"main": round(peak_self, 1), "largest_worker": round(peak_children, 1)},
        "targets": {"pdfminer_ratio_max": 0.6, "pypdfium2_ratio_max": 0.05},
        "met": {
            "pdfminer": rows["pdfminer"]["ratio_to_baseline"] <= 0.6,
            "pypdfium2": rows["pypdfium2"]["ratio_to_baseline"] <= 0.05,
        },
    }
    if args.json:
        print(json.dumps(report, indent=2))
        return
    print(f"corpus: {len(files)} files, {total_pages} pages; {args.workers} workers")
    print(f"baseline extract_text (1 process): {base_s:.2f} s, {total_pages / base_s:.1f} pages/s")
    for name, r in rows.items():
        print(
            f"{name:>10} structured parse: {r['seconds']:.2f} s, {r['pages_per_s']} pages/s, "
            f"{r['documents_per_s']} docs/s, ratio {r['ratio_to_baseline']:.3f}x baseline "
            f"({'meets' if report['met'][name] else 'MISSES'} target {report['targets'][name + '_ratio_max']}x)"
        )
    print(
        f"peak RSS: main {peak_self:.0f} MB (includes the single-process baseline); workers: "
        + ", ".join(f"{n} {r['peak_worker_rss_mb']:.0f} MB" for n, r in rows.items())
    )


if __name__ == "__main__":
    main()
