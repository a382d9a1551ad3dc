"""Parse many documents on every core.

pdfminer.six is pure Python and CPU-bound, so threads would serialise on the GIL; a
process pool uses both cores of the reference machine. Workers warm the gazetteer and the
theme pattern once (pool initializer), receive paths or bytes, and return the parsed record
or the typed error — never raise — so one bad document cannot sink a batch. Largest
documents go first so the pool does not end waiting on one straggler.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import Any

try:
    import resource
except ImportError:  # pragma: no cover - not on Windows
    resource = None  # type: ignore[assignment]

from parsers.errors import ParseError
from parsers.pdf import Limits
from parsers.records import ParsedDocument


@dataclass(slots=True)
class BatchResult:
    key: str
    document: ParsedDocument | None = None
    error: str | None = None
    error_code: str | None = None
    peak_rss_mb: float = 0.0  # the worker's peak resident memory after this document


def _warm() -> None:
    import tasks.parser_preload  # noqa: F401  (a no-op when the fork server preloaded it)


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 if resource else 0.0


def warm_context() -> Any:
    """The multiprocessing context for parse pools: a fork server that imported the parsers
    once (``tasks.parser_preload``), so workers start cheaply and no parent threads
    (Prefect's) are copied. None (the platform default) where there is no fork server."""
    if os.name != "posix":
        return None
    ctx = get_context("forkserver")
    ctx.set_forkserver_preload(["tasks.parser_preload"])
    return ctx


def parse_one(key: str, source: str | bytes, backend: str, limits: Limits) -> BatchResult:
    from parsers.api import parse_bytes

    try:
        data = Path(source).read_bytes() if isinstance(source, str) else source
        result = BatchResult(key, document=parse_bytes(data, limits=limits, backend=backend))
    except ParseError as exc:
        result = BatchResult(key, error=str(exc), error_code=exc.code)
    except Exception as exc:  # a parser bug must not take the batch down
        result = BatchResult(key, error=f"parser failed: {type(exc).__name__}: {exc}", error_code="parser_bug")
    result.peak_rss_mb = _peak_rss_mb()
    return result


def _size(source: str | bytes) -> int:
    if isinstance(source, bytes):
        return len(source)
    try:
        return os.path.getsize(source)
    except OSError:
        return 0


def parse_many(
    items: Iterable[tuple[str, str | bytes]],
    *,
    backend: str = "pdfminer",
    limits: Limits = Limits(),
    workers: int | None = None,
) -> Iterator[BatchResult]:
    """Yield a :class:`BatchResult` per (key, path-or-bytes) item, in completion order."""
    todo = sorted(items, key=lambda kv: _size(kv[1]), reverse=True)
    workers = workers or os.cpu_count() or 1
    if workers <= 1 or len(todo) <= 1:
        _warm()
        for key, source in todo:
            yield parse_one(key, source, backend, limits)
        return
    with ProcessPoolExecutor(max_workers=min(workers, len(todo)), mp_context=warm_context(), initializer=_warm) as pool:
        futures = [pool.submit(parse_one, key, source, backend, limits) for key, source in todo]
        for fut in as_completed(futures):
            yield fut.result()
