"""Alert benchmark. Part one, matching: does matching cost grow with the number of watches?

Parses the shared corpus once (the real Ofsted PDFs in shared/corpus/ofsted-real with the
pypdfium2 backend, skipping anything that is not a PDF, plus the seed texts), then times
:meth:`parsers.watches.WatchSet.match` over every document with 10, 1,000 and 10,000 watches
— a mix of area, theme+section, phrase and kind watches, using real area names, taxonomy
themes and phrases drawn from the corpus's own finding words and bigrams — in two series:

* ``mixed``: all the watches are of the mix, so each document matches ever more of them and
  the output (matches, finding hits) grows with the watches;
* ``same output``: the first 10 watches of the mix, plus watches of the same mix tied to
  areas with no document in the corpus: the output stays that of the 10, while the phrase
  automaton and the index grow to 10,000 watches' worth.

Prints compile and match times (best of several runs; these machines are noisy, so only
ratios within one run mean much), the matches and finding hits, and each series' ratio
10,000 / 10 watches against the target of 2x.

    python bench/alerts.py [--only matching|delivery] [--json]

Part two, delivery: 1,000 immediate alerts (rendered from the corpus) queued in a SQLite
outbox and delivered through apprise to a ``json://`` webhook receiver on loopback that
answers in 20 ms: alerts/s one at a time against the default policy (sending threads, at
most ``per_host_concurrency`` at once to one host), and the most requests the receiver saw
at once, which must not exceed the bound. Every alert must arrive exactly once.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from parsers.api import parse_bytes, parse_text  # noqa: E402
from parsers.gazetteer import Gazetteer  # noqa: E402
from parsers.normalise import fold  # noqa: E402
from parsers.records import ParsedDocument  # noqa: E402
from parsers.themes import Taxonomy  # noqa: E402
from parsers.watches import WatchSet, compile_watches  # noqa: E402

SHARED = Path(os.environ.get("JTAI_WATCH_SHARED", ROOT.parent / "shared"))
OFSTED = SHARED / "corpus" / "ofsted-real"
SEEDS = SHARED / "corpus" / "seeds"

WATCH_COUNTS = (10, 1_000, 10_000)
TARGET_RATIO = 2.0
SECTIONS = ("strength", "area_for_improvement", "priority_action", "practice_study_improvement",
            "key_message", "section", "judgement")
KINDS = ("jtai_letter", "inspection_report", "board_report")


# --------------------------------------------------------------------------- corpus


def load_corpus() -> list[ParsedDocument]:
    """Every real Ofsted PDF (pypdfium2) and every seed text, parsed once."""
    docs: list[ParsedDocument] = []
    for path in sorted(OFSTED.iterdir()):
        if path.suffix.lower() != ".pdf":
            continue
        data = path.read_bytes()
        if not data.lstrip()[:5].startswith(b"%PDF"):
            continue  # an HTML "report" page saved under a .pdf name
        docs.append(parse_bytes(data, backend="pypdfium2"))
    for path in sorted(SEEDS.glob("*.txt")):
        docs.append(parse_text(path.read_text(encoding="utf-8")))
    return docs


# --------------------------------------------------------------------------- watches

_STOP = frozenset(
    "that this with from have which were their there been when they what also will into than "
    "some more most such other these those where while about should would could being does".split()
)


def phrase_pool(docs: list[ParsedDocument], max_share: float = 0.05) -> list[str]:
    """Distinct words (4+ letters, not stop words) and bigrams of them from every finding,
    leaving out those in more than ``max_share`` of the findings: a watch on "children" or
    "social" in a children's-safeguarding feed would alert on everything, and nobody keeps
    one."""
    df: dict[str, int] = {}
    n = 0
    for d in docs:
        for f in d.findings:
            n += 1
            words = fold(f.text).split()
            seen: set[str] = set()
            for a, b in zip(words, words[1:] + [""]):
                if len(a) >= 4 and a.isalpha() and a not in _STOP:
                    seen.add(a)
                    if len(b) >= 4 and b.isalpha() and b not in _STOP:
                        seen.add(f"{a} {b}")
            for term in seen:
                df[term] = df.get(term, 0) + 1
    return sorted(t for t, k in df.items() if k <= max_share * n)


def _watch(rng: random.Random, kind_of_watch: str, areas: list[str], phrases: list[str]) -> dict[str, Any]:
    themes = Taxonomy.default().names
    if kind_of_watch == "area":
        w: dict[str, Any] = {"areas": rng.sample(areas, rng.randint(1, 2))}
        if rng.random() < 0.3:
            w["kinds"] = [rng.choice(KINDS)]
    elif kind_of_watch == "theme":
        w = {"themes": rng.sample(themes, rng.randint(1, 2)), "sections": rng.sample(SECTIONS, rng.randint(1, 2))}
    elif kind_of_watch == "phrase":
        w = {"phrases": rng.sample(phrases, rng.randint(1, 3))}
        if rng.random() < 0.3:
            w["kinds"] = [rng.choice(KINDS)]
    else:
        w = {"kinds": [rng.choice(KINDS)]}
    return w


def _kind_of_watch(rng: random.Random) -> str:
    r = rng.random()
    return "area" if r < 0.25 else "theme" if r < 0.60 else "phrase" if r < 0.90 else "kind"


def _subscribers(watches: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"name": f"sub-{i // 5:05d}", "watches": watches[i : i + 5]} for i in range(0, len(watches), 5)]


def make_subscribers(n: int, phrases: list[str], seed: int = 7) -> list[dict[str, Any]]:
    """``n`` watches in subscribers of five: 25% area (1-2 areas, 30% also with a kind),
    35% theme+section (1-2 of each), 30% phrase (1-3 phrases, 30% also with a kind), 10% kind."""
    rng = random.Random(seed)
    areas = [a.name for a in Gazetteer.default().areas]
    return _subscribers([_watch(rng, _kind_of_watch(rng), areas, phrases) for _ in range(n)])


def make_quiet_subscribers(
    n: int, phrases: list[str], docs: list[ParsedDocument], base: int, seed: int = 7
) -> list[dict[str, Any]]:
    """The first ``base`` watches of :func:`make_subscribers`, then ``n - base`` watches of
    the same mix, each also tied to an area that has no document in the corpus: the output
    stays that of the ``base`` watches, while the phrase automaton and the index grow."""
    rng = random.Random(seed)
    all_areas = [a.name for a in Gazetteer.default().areas]
    present = {d.area.ons_code for d in docs if d.area is not None}
    absent = [a.name for a in Gazetteer.default().areas if a.ons_code not in present]
    watches = [_watch(rng, _kind_of_watch(rng), all_areas, phrases) for _ in range(base)]
    for _ in range(n - base):
        w = _watch(rng, _kind_of_watch(rng), absent, phrases)
        w["areas"] = w.get("areas") or [rng.choice(absent)]
        watches.append(w)
    return _subscribers(watches)


def best_of(fn: Callable[[], Any], runs: int) -> float:
    best = float("inf")
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


# --------------------------------------------------------------------------- benches


def _time_sets(
    docs: list[ParsedDocument], sets: dict[int, list[dict[str, Any]]], runs: int, quiet: bool
) -> dict[str, Any]:
    rows = []
    for n, subs in sets.items():
        t0 = time.perf_counter()
        ws = compile_watches(subs)
        compile_s = time.perf_counter() - t0

        def run(ws: WatchSet = ws) -> None:
            # As the ingest does: match a document, hand its matches on, drop them.
            for d in docs:
                ws.match(d)

        results = [ws.match(d) for d in docs]  # untimed: counts, and warm caches
        matches = sum(len(r) for r in results)
        hits = sum(len(m.findings) for r in results for m in r)
        del results
        match_s = best_of(run, runs)
        rows.append({"watches": n, "phrases": len(ws.phrases), "compile_s": compile_s, "match_s": match_s,
                     "matches": matches, "finding_hits": hits})
        if not quiet:
            print(f"  {n:>6} watches ({len(ws.phrases):>5} phrases): compile {compile_s * 1000:7.1f} ms"
                  f"   match {match_s * 1000:7.1f} ms   ({matches} matches, {hits} finding hits)")
    first, last = rows[0], rows[-1]
    ratio = last["match_s"] / first["match_s"]
    ok = ratio <= TARGET_RATIO
    grown = (last["matches"] + last["finding_hits"]) - (first["matches"] + first["finding_hits"])
    # What the growth costs per extra result (a match or a finding hit the outbox will get).
    per_result_us = (last["match_s"] - first["match_s"]) / grown * 1e6 if grown > 0 else None
    if not quiet:
        print(f"  ratio {last['watches']:,} / {first['watches']:,} watches: {ratio:.2f}x "
              f"(target <= {TARGET_RATIO:g}x: {'ok' if ok else 'OVER TARGET'})")
        if per_result_us is not None:
            print(f"  output grew by {grown:,} results: {per_result_us:.2f} us of matching per extra result")
    return {"runs": rows, "ratio": ratio, "target": TARGET_RATIO, "ok": ok, "us_per_extra_result": per_result_us}


def bench_matching(docs: list[ParsedDocument], *, runs: int = 7, quiet: bool = False) -> dict[str, Any]:
    """Two series over the same corpus.

    * ``mixed``: 10, 1,000 and 10,000 watches of the mix above. Every document matches ever
      more watches, so the output (matches and finding hits, each an object the alert
      outbox will store) grows with the watches as well as the matching work.
    * ``same_output``: the same 10 watches plus 990 or 9,990 that concern areas with no
      document here. The output is that of the 10; what grows is the phrase automaton and
      the index. This is the design's claim: cost does not grow with the number of watches
      beyond the automaton.
    """
    phrases = phrase_pool(docs)
    n_findings = sum(len(d.findings) for d in docs)
    out: dict[str, Any] = {"documents": len(docs), "findings": n_findings, "phrase_pool": len(phrases)}
    if not quiet:
        print(f"corpus: {len(docs)} documents, {n_findings} findings; phrase pool {len(phrases)}")
        print("mixed watches (area, theme+section, phrase, kind):")
    out["mixed"] = _time_sets(docs, {n: make_subscribers(n, phrases) for n in WATCH_COUNTS}, runs, quiet)
    if not quiet:
        print(f"same output ({WATCH_COUNTS[0]} watches that match, the rest for areas with no document here):")
    quiet_sets = {n: make_quiet_subscribers(n, phrases, docs, WATCH_COUNTS[0]) for n in WATCH_COUNTS}
    out["same_output"] = _time_sets(docs, quiet_sets, runs, quiet)
    out["ok"] = out["mixed"]["ok"] and out["same_output"]["ok"]
    return out


# --------------------------------------------------------------------------- delivery


def _delivery_run(docs: list[ParsedDocument], n: int, policy: Any, latency: float, workdir: Path) -> dict[str, Any]:
    """Queue ``n`` immediate alerts (real rendered alerts from the corpus, 20 subscribers on
    one webhook host) in a fresh SQLite store and deliver them all; alerts/s end to end —
    claim, render, send through apprise, mark."""
    from state.blobs import BlobStore
    from state.db import open_store
    from state.outbox import Outbox, QueuedAlert
    from state.repo import Store
    from tasks.notify import deliver
    from tasks.render import Alert, AlertDocument, AlertMatch, make_hit
    from tests.support.receivers import Hook
    from tests.support.stores import add_version

    engine = open_store(f"sqlite:///{workdir / 'bench.db'}")
    store = Store(engine, BlobStore(workdir / "blobs"))
    src = store.ensure_source("bench", "file", "file:///bench")
    docs = [d for d in docs if d.findings and d.area is not None][:20]
    payloads, versions = [], []
    for i, d in enumerate(docs):
        versions.append(add_version(store, src, f"https://files.example/{i}.pdf", d, f"doc {i}".encode()))
        hits = [make_hit(f, [f.text.split()[0]]) for f in d.findings[:3]]
        payloads.append(Alert(
            subscriber="", document=AlertDocument.from_parsed(d, f"https://files.example/{i}.pdf"),
            matches=[AlertMatch("areas: " + d.area.name, hits)], change="new_document",
        ))
    subscribers = [f"sub-{k:02d}" for k in range(20)]
    rows = []
    for j in range(n):
        k = j % len(payloads)
        alert = payloads[k]
        alert.subscriber = subscribers[j % len(subscribers)]
        rows.append(QueuedAlert(alert.subscriber, versions[k], f"{j}:w", alert.to_json()))
    outbox = Outbox(engine)
    outbox.sync_subscribers(subscribers)
    outbox.queue(rows)
    receiver = Hook()
    receiver.delay = latency  # a real chat service answers in tens of milliseconds
    notify = {name: [f"json://127.0.0.1:{receiver.port}/hook/{name}"] for name in subscribers}
    try:
        t = time.perf_counter()
        summary = deliver(outbox, notify, policy=policy)
        seconds = time.perf_counter() - t
    finally:
        receiver.close()
        engine.dispose()
    return {"alerts": n, "sent": summary.sent, "failed": summary.failed + summary.retrying, "posts": len(receiver.posts),
            "seconds": seconds, "alerts_per_s": summary.sent / seconds, "max_concurrent_at_receiver": receiver.max_active}


def bench_delivery(docs: list[ParsedDocument], *, n: int = 1_000, latency: float = 0.02, quiet: bool = False) -> dict[str, Any]:
    """Deliver ``n`` alerts to one local webhook host that answers in ``latency`` seconds:
    one at a time (``workers=1``) against the default policy (8 sending threads, at most
    ``per_host`` = 4 at once to one host), and the same with ``per_host`` = 1 to show the
    bound holds. Every alert must arrive exactly once."""
    import tempfile

    from tasks.notify import DeliveryPolicy

    cases = {
        "sequential (workers=1)": DeliveryPolicy(workers=1, per_host=1),
        "default (workers=8, per_host=4)": DeliveryPolicy(),
        "bounded (workers=8, per_host=1)": DeliveryPolicy(per_host=1),
    }
    out: dict[str, Any] = {"alerts": n, "receiver_latency_s": latency, "runs": {}}
    for label, policy in cases.items():
        with tempfile.TemporaryDirectory() as tmp:
            r = _delivery_run(docs, n, policy, latency, Path(tmp))
        r["per_host"] = policy.per_host
        r["ok"] = r["sent"] == r["posts"] == n and r["max_concurrent_at_receiver"] <= policy.per_host
        out["runs"][label] = r
        if not quiet:
            print(f"  {label:<34} {r['sent']:>5} sent in {r['seconds']:6.2f} s = {r['alerts_per_s']:7.1f} alerts/s"
                  f"   receiver saw at most {r['max_concurrent_at_receiver']} at once"
                  f"{'' if r['ok'] else '   NOT OK'}")
    seq, dflt = out["runs"]["sequential (workers=1)"], out["runs"]["default (workers=8, per_host=4)"]
    out["speedup_default_vs_sequential"] = dflt["alerts_per_s"] / seq["alerts_per_s"]
    out["ok"] = all(r["ok"] for r in out["runs"].values())
    if not quiet:
        print(f"  default / sequential: {out['speedup_default_vs_sequential']:.2f}x alerts/s "
              f"(bounded by per_host = 4); every alert received exactly once: {'yes' if out['ok'] else 'NO'}")
    return out


# Each bench registers here: name -> fn(docs, quiet=...) -> dict.
BENCHES: dict[str, Callable[..., dict[str, Any]]] = {"matching": bench_matching, "delivery": bench_delivery}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", choices=sorted(BENCHES), action="append",
                    help="run only this bench (repeatable); default: all")
    ap.add_argument("--json", action="store_true", help="print one JSON object instead")
    args = ap.parse_args(argv)
    t0 = time.perf_counter()
    docs = load_corpus()
    if not args.json:
        print(f"parsed corpus in {time.perf_counter() - t0:.1f} s")
    report: dict[str, Any] = {}
    for name in args.only or list(BENCHES):
        if not args.json:
            print(f"== {name}")
        report[name] = BENCHES[name](docs, quiet=args.json)
    if args.json:
        print(json.dumps(report, indent=2))
    return 0  # a benchmark reports; the verdicts are in the output


if __name__ == "__main__":
    sys.exit(main())
