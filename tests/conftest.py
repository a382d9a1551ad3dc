"""Shared fixtures: the corpus, PDFs generated from the seeds, parsed documents (cached)."""

from __future__ import annotations

import pytest

from tests.support.corpus import OFSTED, SEEDS


def pytest_report_header(config):  # noqa: ANN001, ANN201
    return f"corpus: {SEEDS.parent}"


@pytest.fixture(scope="session")
def seed_text():
    from tests.support.corpus import seed_path

    def load(prefix: str) -> str:
        return seed_path(prefix).read_text(encoding="utf-8")

    return load


@pytest.fixture(scope="session")
def seed_pdf():
    from tests.support.seed_pdfs import seed_pdf as make

    return make


@pytest.fixture(scope="session")
def ofsted_dir():
    if not OFSTED.exists():
        pytest.fail(f"the shared corpus is missing at {OFSTED}; set JTAI_WATCH_SHARED")
    return OFSTED


@pytest.fixture(scope="session")
def corpus_parsed(ofsted_dir):
    """Every file of shared/corpus/ofsted-real parsed once per backend, on all cores.

    Returns ``{backend: {file name: BatchResult}}``; pdfminer over the whole corpus is the
    slowest step of the suite (~25 s on two cores), so it is done once and shared.
    """
    from tasks.batch import parse_many

    files = sorted(ofsted_dir.glob("*.pdf"))
    cache: dict[str, dict] = {}

    def get(backend: str) -> dict:
        if backend not in cache:
            cache[backend] = {r.key: r for r in parse_many([(f.name, str(f)) for f in files], backend=backend)}
        return cache[backend]

    return get
