"""From positioned text to clean paragraphs ("blocks") in reading order.

The document parsers reason about paragraphs, bullets and headings, never about PDF
geometry. This module is the only place that knows about it:

1. segments on one baseline become one line (both backends, and columns of a table row);
2. page furniture goes: lines that recur at the top or bottom of many pages (running
   headers, "Care Quality Commission" logo text, footers), page numbers;
3. footnotes are split off (a superscript marker, or a small-print numbered note at the
   foot of the page) and kept apart;
4. lines become blocks: a new block at a bullet or where the line pitch opens up;
5. blocks cut by a page break (or a stray paragraph gap) are rejoined when the first ends
   mid-sentence and the next starts in lower case; end-of-line hyphenation is undone.

Plain text (the corpus seeds, or a text file given to ``parse``) enters at step 1 as
synthetic pages — blank-line runs of three or more are page breaks — so text and PDF share
every later step.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from .normalise import SUPERSCRIPT_DIGITS, clean, join_lines, strip_bullet, strip_footnote_markers
from .pdf.extract import RawPage, Segment


@dataclass(slots=True)
class Line:
    text: str
    page: int
    x0: float
    top: float
    bottom: float
    size: float


@dataclass(slots=True)
class Block:
    """One paragraph or bullet item; ``text`` is cleaned and joined, the bullet stripped."""

    text: str
    page: int
    bullet: bool = False
    lines: list[str] = field(default_factory=list)
    size: float = 0.0
    top: float = 0.0
    last_page: int = 0

    def __post_init__(self) -> None:
        self.last_page = self.last_page or self.page


@dataclass(slots=True)
class Layout:
    blocks: list[Block]
    footnotes: list[Block]
    pages: int
    furniture: list[str]

    @property
    def text(self) -> str:
        return "\n\n".join(("- " if b.bullet else "") + b.text for b in self.blocks)


# Logo text and running furniture seen alone on a line in JTAI letters and Ofsted reports.
KNOWN_FURNITURE = frozenset(
    {
        "care quality commission",
        "ofsted",
        "hmi probation",
        "hm inspectorate of probation",
        "hmicfrs",
        "hmi constabulary",
        "her majesty's inspectorate of constabulary and fire & rescue services",
        "his majesty's inspectorate of constabulary and fire & rescue services",
        "intentionally empty",
        "intentionally blank",
        "this page is intentionally left blank",
    }
)

_PAGE_NUMBER_RE = re.compile(r"^(?:page\s+)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?$|^-\s*\d{1,4}\s*-$", re.I)
_DIGITS_RE = re.compile(r"\d+")
_SUPERSCRIPT_START_RE = re.compile(f"^[{SUPERSCRIPT_DIGITS}]+\\s*\\S")
_SMALL_NOTE_RE = re.compile(r"^\d{1,2}\s+[A-Z\[]")
_NUMBERED_RE = re.compile(r"^\d{1,2}[.)]\s+[A-Z]")
_RULE_RE = re.compile(r"^[_\-–—=\s]{5,}$")
_TERMINAL_RE = re.compile(r"[.!?:;\"')\]]$")


# --------------------------------------------------------------------------- lines


def _assemble_lines(page: RawPage) -> list[Line]:
    """Group segments sharing a baseline into lines, left to right, top to bottom."""
    segs = sorted(page.segments, key=lambda s: (s.bottom, s.x0))
    lines: list[list[Segment]] = []
    for seg in segs:
        if lines:
            cur = lines[-1]
            ref = cur[0]
            tol = 0.35 * max(min(ref.size, seg.size), 1.0)
            if abs(seg.bottom - ref.bottom) <= tol:
                cur.append(seg)
                continue
        lines.append([seg])
    out: list[Line] = []
    for group in lines:
        group.sort(key=lambda s: s.x0)
        text = clean(" ".join(s.text for s in group))
        if not text:
            continue
        out.append(
            Line(
                text=text,
                page=page.number,
                x0=group[0].x0,
                top=min(s.top for s in group),
                bottom=max(s.bottom for s in group),
                size=max(s.size for s in group),
            )
        )
    return out


def _shape(text: str) -> str:
    return _DIGITS_RE.sub("#", text.lower()).strip()


def _strip_furniture(
    pages: list[list[Line]], heights: list[float], edge: int = 3
) -> tuple[list[list[Line]], list[str]]:
    """Drop running headers/footers, logo text and page numbers.

    A line is furniture only where furniture lives — among the first or last ``edge`` lines
    of its page *and* in the top or bottom 12% of the page — and only if it is a page
    number, known logo text, or its shape (digits ignored) recurs on most pages.
    """
    n = len(pages)

    def in_margin(line: Line, height: float) -> bool:
        return line.top < 0.12 * height or line.bottom > 0.88 * height

    shapes: Counter[str] = Counter()
    for lines, height in zip(pages, heights):
        shapes.update({_shape(l.text) for l in lines[:edge] + lines[-edge:] if in_margin(l, height)})
    threshold = max(3, (n + 1) // 2) if n >= 3 else n + 1
    repeated = {s for s, c in shapes.items() if c >= threshold and len(s) < 120}
    removed: list[str] = []
    out: list[list[Line]] = []
    for lines, height in zip(pages, heights):
        keep: list[Line] = []
        last = len(lines)
        for i, line in enumerate(lines):
            at_edge = (i < edge or i >= last - edge) and in_margin(line, height)
            low = line.text.lower().strip()
            if at_edge and (
                _shape(line.text) in repeated or low in KNOWN_FURNITURE or _PAGE_NUMBER_RE.match(low)
            ):
                removed.append(line.text)
                continue
            keep.append(line)
        out.append(keep)
    return out, sorted(set(removed))


# --------------------------------------------------------------------------- blocks


def _body_size(pages: list[list[Line]]) -> float:
    sizes: Counter[float] = Counter()
    for lines in pages:
        for line in lines:
            sizes[line.size] += len(line.text)
    return sizes.most_common(1)[0][0] if sizes else 10.0


def _split_footnotes(lines: list[Line], page_height: float, body: float) -> tuple[list[Line], list[Line]]:
    """Separate footnotes from body text.

    A footnote starts at a line opening with a superscript marker ("¹ This joint inspection
    was…") and runs on while the lines stay tight; a paragraph gap returns to body text
    (text extractions put notes mid-page). Small print at the foot of the page that opens
    with a number ("1 Ofsted produces this report…"), or follows a rule, runs to the end of
    the page.
    """
    body_lines: list[Line] = []
    notes: list[Line] = []
    in_note = False
    for i, line in enumerate(lines):
        if _SUPERSCRIPT_START_RE.match(line.text):
            notes.append(line)
            in_note = True
            continue
        if in_note:
            prev = notes[-1]
            if line.bottom - prev.bottom <= 1.55 * max(prev.size, line.size, 1.0):
                notes.append(line)
                continue
            in_note = False
        in_foot = page_height > 0 and line.top > page_height * 0.7
        if in_foot and line.size and line.size < body - 0.5 and (
            _SMALL_NOTE_RE.match(line.text) or _RULE_RE.match(line.text)
        ):
            notes.extend(l for l in lines[i:] if not _RULE_RE.match(l.text))
            break
        body_lines.append(line)
    return body_lines, notes


def _blocks(lines: list[Line], strip_markers: bool = True) -> list[Block]:
    blocks: list[Block] = []
    cur: list[Line] = []
    cur_bullet = False

    def flush() -> None:
        if not cur:
            return
        texts = [l.text for l in cur]
        blocks.append(
            Block(
                text=strip_footnote_markers(join_lines(texts)) if strip_markers else join_lines(texts),
                page=cur[0].page,
                bullet=cur_bullet,
                lines=texts,
                size=cur[0].size,
                top=cur[0].top,
            )
        )

    prev: Line | None = None
    for line in lines:
        bullet, rest = strip_bullet(line.text)
        if bullet:
            line = Line(rest, line.page, line.x0, line.top, line.bottom, line.size)
        new = prev is None or bullet or bool(_NUMBERED_RE.match(line.text))
        if prev is not None and not new:
            pitch = line.bottom - prev.bottom
            size = max(prev.size, line.size, 1.0)
            if pitch > 1.55 * size or pitch < 0 or abs(line.size - prev.size) > 1.5:
                new = True
        if new:
            flush()
            cur = [line]
            cur_bullet = bullet
        else:
            cur.append(line)
        prev = line
    flush()
    return [b for b in blocks if b.text]


def _rejoin(blocks: list[Block]) -> list[Block]:
    """Join a paragraph cut by a page break (or a stray gap) back onto its start."""
    out: list[Block] = []
    for b in blocks:
        if out and not b.bullet:
            prev = out[-1]
            first = b.text[:1]
            ends_open = not _TERMINAL_RE.search(strip_footnote_markers(prev.text))
            # Across a page break an open sentence continues even into a capitalised word
            # ("...from the Camden and Islington" / "MASH teams in order to..."); a heading is
            # one short line, so it never pulls the next page's first paragraph onto itself.
            cut_by_page = (
                b.page != prev.last_page
                and (len(prev.lines) > 1 or len(prev.text) > 60)
                and (len(b.lines) > 1 or bool(_TERMINAL_RE.search(strip_footnote_markers(b.text))))
                and abs(b.size - prev.size) < 0.5
            )
            if ends_open and (first.islower() or (cut_by_page and first.isalnum())):
                prev.text = join_lines([prev.text, b.text])
                prev.lines.extend(b.lines)
                prev.last_page = b.last_page
                continue
        out.append(b)
    return out


def layout_pages(pages: list[RawPage]) -> Layout:
    """Run the whole layout pipeline over a document's pages."""
    line_pages = [_assemble_lines(p) for p in pages]
    line_pages, furniture = _strip_furniture(line_pages, [p.height for p in pages])
    body = _body_size(line_pages)
    blocks: list[Block] = []
    notes: list[Block] = []
    for raw, lines in zip(pages, line_pages):
        body_lines, note_lines = _split_footnotes(lines, raw.height, body)
        blocks.extend(_blocks(body_lines))
        notes.extend(_blocks(note_lines, strip_markers=False))
    return Layout(blocks=_rejoin(blocks), footnotes=notes, pages=len(pages), furniture=furniture)


# --------------------------------------------------------------------------- text input

_PAGE_BREAK_RE = re.compile(r"\n[ \t\u00a0]*\n[ \t\u00a0]*\n[ \t\u00a0]*\n")
TEXT_SIZE = 10.0
_PITCH = 12.0


def pages_from_text(text: str) -> list[RawPage]:
    """Synthetic pages for plain text: runs of 3+ blank lines break pages, a blank line
    opens a paragraph gap, every other line is one line of text."""
    text = text.replace("\r\n", "\n").replace("\f", "\n\n\n\n")
    chunks = _PAGE_BREAK_RE.split("\n" + text + "\n")
    pages: list[RawPage] = []
    for chunk in chunks:
        if not chunk.strip():
            continue
        page = RawPage(number=len(pages) + 1, width=595.0, height=842.0)
        y = 0.0
        for raw_line in chunk.split("\n"):
            if not raw_line.strip():
                y += _PITCH
                continue
            y += _PITCH
            page.segments.append(
                Segment(text=raw_line, x0=0.0, top=y - TEXT_SIZE, x1=500.0, bottom=y, size=TEXT_SIZE)
            )
        # The page ends where its text ends, so its first and last lines sit in the margins.
        page.height = y + _PITCH
        pages.append(page)
    return pages


def layout_text(text: str) -> Layout:
    return layout_pages(pages_from_text(text))
