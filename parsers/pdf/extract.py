"""Checks on the bytes and the backend dispatch.

Everything that can be decided from the bytes alone is decided here, before a backend spends
seconds on them: an HTML page served at a PDF link, a body over the size cap, a download cut
short (no ``%%EOF``). Backends then enforce the page count and the time budget page by page,
so no document can hold a worker for longer than its budget plus one page.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from ..errors import BackendUnavailable, CorruptPdf, NotAPdf, ParseTimeout, TooLarge, TooManyPages


@dataclass(frozen=True, slots=True)
class Limits:
    """Per-document budgets; the config's ``http.max_document_mb`` feeds ``max_bytes``."""

    max_bytes: int = 50 * 1024 * 1024
    max_pages: int = 400
    timeout_s: float = 120.0


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of text on one baseline, with its box in points from the page's top-left."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float
    size: float


@dataclass(slots=True)
class RawPage:
    number: int
    width: float
    height: float
    segments: list[Segment] = field(default_factory=list)


_HTML_RE = re.compile(rb"<\s*(!doctype\s+html|html|head|body)\b", re.I)
_TITLE_RE = re.compile(rb"<title[^>]*>(.*?)</title>", re.I | re.S)


def sniff(data: bytes, limits: Limits = Limits()) -> None:
    """Raise the matching :class:`ParseError` if ``data`` cannot be a readable PDF."""
    if len(data) > limits.max_bytes:
        raise TooLarge(
            f"document is {len(data) / 1048576:.1f} MB, over the {limits.max_bytes / 1048576:.0f} MB limit"
        )
    head = data[:1024]
    if b"%PDF-" not in head:
        if _HTML_RE.search(data[:4096]):
            m = _TITLE_RE.search(data[:65536])
            title = re.sub(rb"\s+", b" ", m.group(1)).strip().decode("utf-8", "replace") if m else ""
            hint = f' (title "{title}")' if title else ""
            raise NotAPdf(f"not a PDF: the server sent an HTML page{hint}")
        if not data:
            raise NotAPdf("not a PDF: the document is empty")
        raise NotAPdf(f"not a PDF: starts with {data[:16]!r}")
    if b"%%EOF" not in data[-2048:]:
        raise CorruptPdf(f"truncated PDF: no %%EOF marker at the end of {len(data)} bytes")


class Budget:
    """Page and time budget shared by the backends."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self.started = time.monotonic()

    def check_pages(self, count: int) -> None:
        if count > self.limits.max_pages:
            raise TooManyPages(f"document has {count} pages, over the {self.limits.max_pages}-page limit")

    def tick(self, page_number: int) -> None:
        elapsed = time.monotonic() - self.started
        if elapsed > self.limits.timeout_s:
            raise ParseTimeout(
                f"text extraction took over {self.limits.timeout_s:.0f} s (stopped at page {page_number})"
            )


def _pdfminer(data: bytes, budget: Budget) -> list[RawPage]:
    from .pdfminer_backend import extract

    return extract(data, budget)


def _pdfium(data: bytes, budget: Budget) -> list[RawPage]:
    try:
        from .pdfium_backend import extract
    except ImportError as exc:  # pragma: no cover - depends on the optional extra
        raise BackendUnavailable(
            "the pypdfium2 backend is not installed: pip install 'jtai-watch[fast]'"
        ) from exc
    return extract(data, budget)


BACKENDS: dict[str, Callable[[bytes, Budget], list[RawPage]]] = {
    "pdfminer": _pdfminer,
    "pypdfium2": _pdfium,
}


def extract_pdf(data: bytes, limits: Limits = Limits(), backend: str = "pdfminer") -> list[RawPage]:
    """Positioned text of every page, or a :class:`ParseError` naming what is wrong."""
    sniff(data, limits)
    try:
        run = BACKENDS[backend]
    except KeyError:
        raise BackendUnavailable(f"unknown PDF backend {backend!r}; choose one of {sorted(BACKENDS)}") from None
    return run(data, Budget(limits))
