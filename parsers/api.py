"""The one entry point: bytes or text in, a :class:`ParsedDocument` out.

Pipeline: sniff and extract (``parsers.pdf``) → layout (``parsers.layout``) → classify →
the kind's parser → enrichment shared by all kinds (themes and agencies per finding, areas
mentioned). No I/O beyond the bytes given, no Prefect: the ingest calls this in a process
pool and the ``parse`` command calls it directly.
"""

from __future__ import annotations

from functools import lru_cache

from .board_report import looks_like_board_report, parse_board_report
from .dates import all_dates, parse_range
from .gazetteer import Gazetteer
from .inspection_report import looks_like_inspection_report, parse_inspection_report
from .jtai_letter import looks_like_jtai_letter, parse_jtai_letter
from .layout import Layout, layout_pages, layout_text
from .agencies import agencies_in
from .pdf import Limits, extract_pdf
from .records import ParsedDocument
from .themes import Taxonomy


@lru_cache(maxsize=1)
def _default_gazetteer() -> Gazetteer:
    return Gazetteer.default()


# Kinds whose parser lists the areas mentioned itself (Ofsted reports end with Ofsted's own
# address in Manchester, which is not a mention).
_OWN_MENTIONS = frozenset({"inspection_report"})


def classify(layout: Layout) -> str:
    """The document kind, from its opening text (order matters: a JTAI letter names the
    board, a board report may quote an inspection)."""
    if looks_like_jtai_letter(layout):
        return "jtai_letter"
    if looks_like_inspection_report(layout):
        return "inspection_report"
    if looks_like_board_report(layout):
        return "board_report"
    return "unknown"


def _parse_unknown(layout: Layout, gazetteer: Gazetteer) -> ParsedDocument:
    doc = ParsedDocument(kind="unknown", pages=layout.pages)
    if layout.blocks:
        doc.title = layout.blocks[0].text[:200]
    counts: dict[str, int] = {}
    areas = {}
    for b in layout.blocks:
        for area, _ in gazetteer.find_in(b.text):
            counts[area.ons_code] = counts.get(area.ons_code, 0) + 1
            areas[area.ons_code] = area
    if counts:
        doc.area = areas[max(counts, key=lambda k: counts[k])]
    head = " ".join(b.text for b in layout.blocks[:30])
    dates = all_dates(head)
    doc.published = dates[0] if dates else None
    doc.inspection = parse_range(head)
    return doc


def parse_layout(
    layout: Layout,
    *,
    gazetteer: Gazetteer | None = None,
    taxonomy: Taxonomy | None = None,
    kind: str | None = None,
) -> ParsedDocument:
    gazetteer = gazetteer or _default_gazetteer()
    taxonomy = taxonomy or Taxonomy.default()
    kind = kind or classify(layout)
    if kind == "jtai_letter":
        doc = parse_jtai_letter(layout, gazetteer)
    elif kind == "inspection_report":
        doc = parse_inspection_report(layout, gazetteer)
    elif kind == "board_report":
        doc = parse_board_report(layout, gazetteer)
    else:
        doc = _parse_unknown(layout, gazetteer)
    doc.pages = layout.pages
    doc.footnotes = [b.text for b in layout.footnotes]
    for f in doc.findings:
        if not f.themes:
            f.themes = taxonomy.match(f.text)
        if not f.agencies:
            f.agencies = agencies_in(f.text)
    primary = doc.area.ons_code if doc.area else None
    if kind not in _OWN_MENTIONS:
        # One pass of the area pattern over the whole text, not one per paragraph.
        doc.areas_mentioned = [area for area, _ in gazetteer.find_in(layout.text) if area.ons_code != primary]
    return doc


def parse_bytes(
    data: bytes,
    *,
    limits: Limits = Limits(),
    backend: str = "pdfminer",
    gazetteer: Gazetteer | None = None,
    taxonomy: Taxonomy | None = None,
) -> ParsedDocument:
    """Parse a PDF body. Raises a :class:`parsers.errors.ParseError` subclass on bad input."""
    pages = extract_pdf(data, limits, backend)
    doc = parse_layout(layout_pages(pages), gazetteer=gazetteer, taxonomy=taxonomy)
    doc.backend = backend
    return doc


def parse_text(
    text: str,
    *,
    gazetteer: Gazetteer | None = None,
    taxonomy: Taxonomy | None = None,
) -> ParsedDocument:
    """Parse plain text (three or more blank lines mark a page break)."""
    doc = parse_layout(layout_text(text), gazetteer=gazetteer, taxonomy=taxonomy)
    doc.backend = "text"
    return doc
