"""Shared fixtures: the corpus, PDFs generated from the seeds, parsed documents (cached)."""

from __future__ import annotations

import os
import tempfile

import pytest

# Prefect keeps its database and cached task results under PREFECT_HOME: a temporary one per
# test session, set before Prefect is first imported.
os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="jtai-watch-prefect-"))
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
os.environ.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "CRITICAL")

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


@pytest.fixture(scope="session")
def prefect_api():
    """One Prefect test API for the whole session (it takes seconds to start)."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=60):
        yield
