"""A config, a store and the local Ofsted site wired together for ingestion tests."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from flows.config import load_config
from state.blobs import BlobStore
from state.db import open_store
from state.models import Document, Finding, Version
from state.repo import Store

from .ofsted_site import OfstedSite


def write_config(
    folder: Path, site: OfstedSite, store_url: str, *, extra: str = "", backend: str = "pypdfium2", revalidate_after_hours: float = 0
) -> Path:
    path = folder / "jtai-watch.yaml"
    path.write_text(
        f"""
state: {{url: "{store_url}", blobs: state/blobs}}
http: {{timeout_s: 2, backoff_base_s: 0.01, retries: 2, per_host_concurrency: 4, revalidate_after_hours: {revalidate_after_hours}}}
parse: {{backend: {backend}}}
sources:
  - {{name: ofsted, kind: ofsted_search, url: "{site.search_url}"}}
  - {{name: board, kind: html_index, url: "{site.board_index_url}", area: Islington, link_pattern: 'annual.*report.*\\.pdf$'}}
  - {{name: feed, kind: feed, url: "{site.feed_url}"}}
{extra}""",
        encoding="utf-8",
    )
    return path


@dataclass
class IngestEnv:
    site: OfstedSite
    config_path: Path

    def run(self, **kw: Any) -> dict[str, Any]:
        from flows.ingest import ingest

        return ingest(config_path=str(self.config_path), **kw)

    def store(self) -> Store:
        cfg = load_config(self.config_path)
        return Store(open_store(cfg.state_url), BlobStore(cfg.blobs_dir))

    def count(self, model) -> int:  # noqa: ANN001
        store = self.store()
        with Session(store.engine) as s:
            n = s.scalar(select(func.count()).select_from(model)) or 0
        store.engine.dispose()
        return n

    def document(self, url: str) -> Document | None:
        store = self.store()
        doc = store.find_document(url)
        store.engine.dispose()
        return doc

    def check_consistent(self) -> None:
        """Invariants a crash must never break."""
        store = self.store()
        with Session(store.engine) as s:
            for doc in s.scalars(select(Document)):
                if doc.current_version_id is not None:
                    v = s.get(Version, doc.current_version_id)
                    assert v is not None and v.document_id == doc.id, doc.url
                    assert store.blobs.exists(v.sha256), doc.url
            for v in s.scalars(select(Version)):
                n = s.scalar(select(func.count()).where(Finding.version_id == v.id)) or 0
                expected = len((v.parsed or {}).get("findings", [])) if v.parse_error_code is None else 0
                assert n == expected, (v.id, n, expected)
            dups = s.execute(
                select(Version.document_id, Version.sha256, func.count()).group_by(Version.document_id, Version.sha256).having(func.count() > 1)
            ).all()
            assert not dups
        store.engine.dispose()
