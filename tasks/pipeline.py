"""The ingestion steps for one document, as plain functions the Prefect tasks wrap.

fetch (conditional GET, body to the blob store) → parse (in a process pool: CPU-bound) →
store (version, findings, diff and HTTP validators in one transaction). Each step is
idempotent: a retried fetch re-downloads into the same content-addressed blob, a retried
parse recomputes the same record, and the store's unique constraints keep a retried or
concurrent store from duplicating anything.

Keeping the steps free of Prefect keeps them testable on their own and lets the flow decide
task boundaries, retries and caching.
"""

from __future__ import annotations

import atexit
import threading
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from flows.config import Config
from parsers.diff import diff_findings
from parsers.errors import ParseError
from parsers.gazetteer import Gazetteer
from parsers.pdf import Limits
from parsers.records import ParsedDocument
from parsers.version import PARSER_VERSION
from state.blobs import BlobStore
from state.db import open_store
from state.repo import DocumentRef, Store

from .batch import warm_context
from .fetch import Fetcher, FetchPolicy, FetchRequest, FetchResult
from .sources import DiscoverContext, Failure


@dataclass(slots=True)
class DocOutcome:
    """What happened to one listed document in a run."""

    url: str
    status: str  # new_document | new_version | unchanged | not_modified | failed
    fetched: bool = False
    parsed: bool = False
    failure: Failure | None = None
    document_id: int | None = None
    version_id: int | None = None
    bytes_downloaded: int = 0
    after_baseline: bool = False
    diff_summary: dict[str, int] = field(default_factory=dict)
    area: str | None = None
    kind: str | None = None


@dataclass
class IngestContext:
    """Everything a run shares: config, store, blobs, one HTTP client, the parse pool."""

    config: Config
    store: Store
    blobs: BlobStore
    fetcher: Fetcher
    gazetteer: Gazetteer
    limits: Limits
    backend: str

    @classmethod
    def open(cls, config: Config) -> IngestContext:
        engine = open_store(config.state_url)
        blobs = BlobStore(config.blobs_dir)
        policy = FetchPolicy(
            user_agent=config.http.user_agent,
            timeout_s=config.http.timeout_s,
            per_host_concurrency=config.http.per_host_concurrency,
            max_bytes=int(config.http.max_document_mb * 1048576),
            retries=config.http.retries,
            backoff_base_s=config.http.backoff_base_s,
        )
        return cls(
            config=config,
            store=Store(engine, blobs),
            blobs=blobs,
            fetcher=Fetcher(policy),
            gazetteer=Gazetteer.default(),
            limits=Limits(
                max_bytes=int(config.http.max_document_mb * 1048576),
                max_pages=config.parse.max_pages,
                timeout_s=config.parse.timeout_s,
            ),
            backend=config.parse.backend,
        )

    def discover_context(self) -> DiscoverContext:
        ctx = DiscoverContext(
            fetcher=self.fetcher,
            store=self.store,
            gazetteer=self.gazetteer,
            workers=max(1, self.config.http.per_host_concurrency * 2),
        )
        ctx.base_dir = self.config.base_dir  # type: ignore[attr-defined]
        return ctx

    def close(self) -> None:
        self.fetcher.close()
        self.store.engine.dispose()


# --------------------------------------------------------------------------- fetch


def fetch_document(ctx: IngestContext, ref: DocumentRef) -> FetchResult:
    """Conditional GET; a new body goes to the blob store before anything refers to it."""
    res = ctx.fetcher.fetch(FetchRequest(ref.url, etag=ref.etag, last_modified=ref.last_modified, expect="pdf"))
    if res.outcome == "ok" and res.body is not None and res.sha256:
        ctx.blobs.put(res.body, res.sha256)
    return res


# --------------------------------------------------------------------------- parse

_pool: ProcessPoolExecutor | None = None
_pool_lock = threading.Lock()


def parse_pool(workers: int | None = None) -> ProcessPoolExecutor:
    """One process pool per process, started lazily from a warm fork server."""
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ProcessPoolExecutor(max_workers=workers, mp_context=warm_context())
        return _pool


def shutdown_pool() -> None:
    global _pool
    with _pool_lock:
        if _pool is not None:
            _pool.shutdown(wait=True, cancel_futures=True)
            _pool = None


# The pool lives as long as the process (``serve`` reuses it run after run); stop its
# workers and fork server cleanly when the process ends.
atexit.register(shutdown_pool)


def _parse_blob(path: str, backend: str, limits: Limits) -> tuple[ParsedDocument | None, str | None, str | None]:
    from parsers.api import parse_bytes

    try:
        with open(path, "rb") as fh:
            data = fh.read()
        return parse_bytes(data, limits=limits, backend=backend), None, None
    except ParseError as exc:
        return None, str(exc), exc.code
    except Exception as exc:  # a parser bug is this document's failure, not the run's
        return None, f"parser failed: {type(exc).__name__}: {exc}", "parser_bug"


def parse_sha(ctx: IngestContext, sha256: str, *, in_pool: bool = True) -> tuple[ParsedDocument | None, str | None, str | None]:
    """Parse a stored body: (document, error, error code)."""
    path = str(ctx.blobs.path(sha256))
    if not in_pool:
        return _parse_blob(path, ctx.backend, ctx.limits)
    fut = parse_pool(ctx.config.parse.workers).submit(_parse_blob, path, ctx.backend, ctx.limits)
    # A hard ceiling on top of the parser's own page-by-page budget.
    return fut.result(timeout=ctx.limits.timeout_s * 2 + 60)


# --------------------------------------------------------------------------- store


def store_parsed(
    ctx: IngestContext,
    ref: DocumentRef,
    *,
    sha256: str,
    size: int,
    content_type: str | None,
    etag: str | None,
    last_modified: str | None,
    parsed: ParsedDocument | None,
    error: str | None,
    code: str | None,
    replace_parse: bool = False,
) -> Any:
    return ctx.store.store_version(
        ref.id,
        sha256=sha256,
        size=size,
        content_type=content_type,
        etag=etag,
        last_modified=last_modified,
        parsed=parsed,
        parse_error=error,
        parse_error_code=code,
        parser_version=PARSER_VERSION,
        diff=diff_findings,
        replace_parse=replace_parse,
    )


def needs_parse(ctx: IngestContext, ref: DocumentRef, sha256: str) -> bool:
    """A body is parsed unless this document already holds it, parsed by this parser."""
    known = ctx.store.version_for(ref.id, sha256)
    if known is None:
        return True
    _vid, code, parser_version = known
    return code is not None and parser_version != PARSER_VERSION
