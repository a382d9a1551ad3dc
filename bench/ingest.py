"""Ingestion benchmark against the local copy of the Ofsted site.

1. First run over the corpus (49 real reports, 3 JTAI letters, a board report) with the
   default parser, then an unchanged second run: documents/s, the second/first time ratio
   (target <= 0.1) and the bytes downloaded on the second run (target: listing pages only —
   and they are 304s; a document that failed on the first run is tried again, by design).
2. How a no-change run's time grows with the number of listed documents (50 -> 500 on the
   same 5 listing pages: target flat) and with listing pages (5 -> 50 pages: linear).

Times are measured in this one run and compared as ratios.

    python bench/ingest.py [--backend pdfminer|pypdfium2]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="jtai-bench-prefect-"))
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "ERROR")
os.environ.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "CRITICAL")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")


def tiny_pdf(n: int) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.multi_cell(0, 8, f"Document {n}\n\nA short unknown document about Leeds, number {n}.")
    return bytes(pdf.output())


def run(config: Path) -> tuple[dict, float]:
    from flows.ingest import ingest

    started = time.perf_counter()
    summary = ingest(config_path=str(config))
    return summary, time.perf_counter() - started


def corpus_runs(backend: str) -> None:
    from tests.support.ingest_env import write_config
    from tests.support.ofsted_site import OfstedSite

    with tempfile.TemporaryDirectory() as tmp, OfstedSite.from_corpus() as site:
        config = write_config(Path(tmp), site, "sqlite:///state/db.sqlite", backend=backend, revalidate_after_hours=168)
        first, t1 = run(config)
        site.reset_log()
        second, t2 = run(config)
        docs = first["new_documents"]
        print(f"first run ({backend}): {first['discovered']} listed, {docs} stored in {t1:.1f} s = {docs / t1:.2f} documents/s")
        print(f"second run (nothing changed): {t2:.2f} s; second/first = {t2 / t1:.3f} (target <= 0.1)")
        print(
            f"second run downloads: listing pages {site.bytes_sent('listing')} bytes "
            f"({sum(1 for h in site.requests if h.kind == 'listing')} requests, all 304: "
            f"{all(h.status == 304 for h in site.requests if h.kind == 'listing')}); "
            f"documents {site.bytes_sent('document')} bytes "
            f"(the {len(second['failed'])} document(s) that failed before, tried again)"
        )


def scaling() -> None:
    from tests.support.ingest_env import write_config
    from tests.support.ofsted_site import OfstedSite, SiteDoc
    from parsers.gazetteer import Gazetteer

    urns = [a.ofsted_urn for a in Gazetteer.default().areas][:50]
    bodies = [tiny_pdf(i) for i in range(500)]
    results = {}
    for pages, docs in ((5, 50), (5, 500), (50, 500)):
        site_docs = [
            SiteDoc(urns[i % pages], "Children's services inspection", date(2024, 1, 1 + i % 28), bodies[i])
            for i in range(docs)
        ]
        with tempfile.TemporaryDirectory() as tmp, OfstedSite(site_docs, rows=100) as site:
            config = write_config(Path(tmp), site, "sqlite:///state/db.sqlite", backend="pypdfium2", revalidate_after_hours=168)
            config.write_text(config.read_text().split("  - {name: board")[0], encoding="utf-8")  # the Ofsted source only
            run(config)
            summary, wall = run(config)
            # The flow's own time; the wall time adds the Prefect API's bookkeeping of the
            # previous run's task runs, which is Prefect's, not ours, and shrinks between
            # scheduled runs a day apart.
            t = summary["seconds"]
            results[(pages, docs)] = t
            print(f"no-change run, {pages:>2} provider pages, {docs:>3} documents: {t:.2f} s in the flow ({wall:.2f} s wall)")
    flat = results[(5, 500)] / results[(5, 50)]
    pages = results[(50, 500)] / results[(5, 500)]
    print(f"10x documents on the same pages: {flat:.2f}x the time (target: flat, ~1x)")
    print(f"10x listing pages, same documents: {pages:.2f}x the time (linear in listing pages at most)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--backend", default="pdfminer", choices=["pdfminer", "pypdfium2"])
    args = ap.parse_args()
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=60):
        corpus_runs(args.backend)
        scaling()


if __name__ == "__main__":
    main()
