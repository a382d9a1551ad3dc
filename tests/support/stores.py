"""Store URLs for tests: a fresh SQLite file, and — when ``JTAI_WATCH_TEST_POSTGRES_URL`` is
set — a fresh schema on the real PostgreSQL server, dropped afterwards."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

POSTGRES_URL = os.environ.get("JTAI_WATCH_TEST_POSTGRES_URL")

BACKENDS = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])


@contextmanager
def store_url(backend: str, tmp: Path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{tmp / 'state' / 'jtai-watch.db'}"
        return
    from sqlalchemy import create_engine, text

    assert POSTGRES_URL
    schema = f"jtai_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    sep = "&" if "?" in POSTGRES_URL else "?"
    try:
        yield f"{POSTGRES_URL}{sep}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()


def add_version(store, source_id: int, url: str, parsed, body: bytes) -> int:  # noqa: ANN001 - Store, ParsedDocument
    """List ``url`` under the source and store ``parsed`` as its version (raw bytes ``body``),
    as the ingest would after a successful parse; returns the version id."""
    from parsers.diff import diff_findings
    from parsers.version import PARSER_VERSION

    ref = store.upsert_listed(source_id, url)
    return store.store_version(
        ref.id, sha256=store.blobs.put(body), size=len(body), content_type=None, etag=None, last_modified=None,
        parsed=parsed, parse_error=None, parse_error_code=None, parser_version=PARSER_VERSION, diff=diff_findings,
    ).version_id
