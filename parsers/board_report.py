"""Local safeguarding children board (LSCB) and partnership (SCP) annual reports → findings.

Annual reports have no fixed template, so this parser leans on what they share: a title
naming the board (often only by acronym, "ISCB Annual Report"), the period covered ("April
2015 - March 2016" or "2015/16"), a table of contents to skip, the board's priorities (a
numbered or bulleted list under "Our priorities"), "what the board wants to do next", key
messages for each audience, and headed sections of narrative.

Findings: one ``board_priority`` per priority, one ``next_steps`` per next-step item, one
``key_message`` per message (its audience as ``heading``), and one ``section`` per headed
section with the section's text; figures stated in a section ("429 recorded missing
episodes", "20 MASE referrals") stay with that section in ``Finding.figures``.
"""

from __future__ import annotations

import re

from .dates import parse_financial_year, parse_month_range
from .layout import Block, Layout
from .records import BOARD_PRIORITY, KEY_MESSAGE, NEXT_STEPS, SECTION, Finding, ParsedDocument, SectionInfo

_BOARD_NAME_RE = re.compile(
    r"\b((?:[A-Z][A-Za-z'’.&-]*\s+){1,5}?)(?:Local\s+)?Safeguarding\s+Children(?:'s|’s)?\s+(Board|Partnership)\b"
)
_ACRONYM_RE = re.compile(r"\b([A-Z]{0,4}(?:LSCB|SCB|SCP|SCPB|SP))\b")
_ANNUAL_RE = re.compile(r"\bannual report\b", re.I)
_TOC_LINE_RE = re.compile(r"(?:\.{2,}|\s)\s*\d{1,3}$")
_NUMBERED_RE = re.compile(r"^(\d{1,2})[.)]\s+")
_PRIORITIES_RE = re.compile(r"^(?:our|the board'?s?|board|strategic|key)?\s*priorities\b", re.I)
_NEXT_RE = re.compile(
    r"^what (?:the|our) (?:board|partnership) (?:wants|intends|plans) to do next\b|^next steps$|^priorities for (?:next year|\d{4})",
    re.I,
)
_KEY_MESSAGES_RE = re.compile(r"^(?:key )?messages?\b", re.I)
_TOC_HEAD_RE = re.compile(r"^(?:table of )?contents$", re.I)
_FIGURE_RE = re.compile(r"(?<![\w/])(?:£\s?)?\d[\d,]*(?:\.\d+)?%?(?![\w/])")
_YEAR_RE = re.compile(r"^(?:19|20)\d\d$")
_STOP_WORDS = {"and", "of", "the", "for", "in", "to", "a", "on", "with", "from", "by", "&", "or", "at"}


def looks_like_board_report(layout: Layout) -> bool:
    head = " ".join(b.text for b in layout.blocks[:25])
    names_board = bool(_BOARD_NAME_RE.search(head) or _ACRONYM_RE.search(head) or "LSCB" in head)
    return names_board and bool(_ANNUAL_RE.search(head) or re.search(r"\b(?:19|20)\d\d\s*[/-]\s*\d\d\b", head))


def _is_toc(block: Block) -> bool:
    lines = block.lines
    if len(lines) < 3:
        return False
    hits = sum(1 for l in lines if _TOC_LINE_RE.search(l))
    return hits >= 0.6 * len(lines)


def is_heading(block: Block) -> bool:
    """A short single-line block that reads as a title, not a sentence."""
    text = block.text.strip()
    if block.bullet or len(block.lines) != 1 or not text or len(text) > 90:
        return False
    words = text.split()
    if len(words) > 12 or text[0].islower() or not text[0].isalnum() and text[0] not in "*\"'":
        return False
    if text[-1] in ",;:?!" or re.search(r"[.?!]\s", text) or _TOC_LINE_RE.search(text) and len(words) > 1:
        return False
    if _NUMBERED_RE.match(text) or re.fullmatch(r"[\d\s£.,%-]+", text):
        return False
    if text.endswith("."):
        content = [w for w in words if w.lower() not in _STOP_WORDS]
        caps = sum(1 for w in content if w[:1].isupper())
        return bool(content) and caps >= 0.6 * len(content)
    return True


def _figures(items: list[str]) -> list[str]:
    out = []
    for item in items:
        for sentence in re.split(r"(?<=[.;])\s+", item):
            nums = [m.group(0) for m in _FIGURE_RE.finditer(sentence)]
            if any(not _YEAR_RE.match(n) for n in nums):
                out.append(sentence.strip().rstrip(",;"))
    return out


def _board_name_and_area(layout: Layout, gazetteer):  # noqa: ANN001, ANN202
    text = " ".join(b.text for b in layout.blocks[:400])
    counts: dict[tuple[str, str], int] = {}
    for m in _BOARD_NAME_RE.finditer(text):
        words = m.group(1).split()
        # Drop lead-in words ("The", "Chair of") until the rest names an area.
        for i in range(len(words)):
            candidate = " ".join(words[i:])
            area = gazetteer.lookup(candidate)
            if area:
                name = f"{candidate} Safeguarding Children {m.group(2)}"
                counts[(name, area.ons_code)] = counts.get((name, area.ons_code), 0) + 1
                break
    title = layout.blocks[0].text if layout.blocks else ""
    acr = _ACRONYM_RE.search(" ".join(b.text for b in layout.blocks[:3]))
    best = None
    if counts:
        def score(key: tuple[str, str]) -> tuple[int, int]:
            name = key[0]
            initials = "".join(w[0] for w in name.split() if w[0].isupper())
            matches_acronym = bool(acr) and initials == acr.group(1)
            return (1 if matches_acronym else 0, counts[key])

        best = max(counts, key=score)
    if best:
        area = next(a for a in gazetteer.areas if a.ons_code == best[1])
        return best[0], area
    # No full name: the title may name the area itself ("Cornwall LSCB annual report").
    for area, _ in gazetteer.find_in(title):
        return None, area
    return None, None


def parse_board_report(layout: Layout, gazetteer) -> ParsedDocument:  # noqa: ANN001 - Gazetteer
    doc = ParsedDocument(kind="board_report", pages=layout.pages)
    blocks = layout.blocks
    if blocks:
        doc.title = blocks[0].text
    doc.board_name, doc.area = _board_name_and_area(layout, gazetteer)
    head = " ".join(b.text for b in blocks[:8])
    doc.period = parse_month_range(head) or parse_financial_year(head)

    counters: dict[str, int] = {}

    def add(section: str, block: Block, text: str, heading: str | None = None) -> None:
        counters[section] = counters.get(section, 0) + 1
        doc.findings.append(
            Finding(section=section, ordinal=counters[section], page=block.page, text=text, heading=heading)
        )

    mode = SECTION
    heading: Block | None = None
    body: list[Block] = []
    audience: str | None = None
    in_toc = False

    def close_section() -> None:
        if heading is not None and body and mode == SECTION:
            items = [("- " if b.bullet else "") + b.text for b in body]
            counters[SECTION] = counters.get(SECTION, 0) + 1
            doc.findings.append(
                Finding(
                    section=SECTION,
                    ordinal=counters[SECTION],
                    page=heading.page,
                    text="\n\n".join(items),
                    heading=heading.text.rstrip("."),
                    figures=_figures([b.text for b in body]),
                )
            )

    for block in blocks[1:]:
        text = block.text
        if _TOC_HEAD_RE.match(text):
            in_toc = True
            continue
        if _is_toc(block):
            continue
        if in_toc:
            if _TOC_LINE_RE.search(text) and len(block.lines) <= 2:
                continue
            in_toc = False
        if is_heading(block):
            close_section()
            heading, body = block, []
            title = text.rstrip(".")
            if _PRIORITIES_RE.match(title):
                mode = BOARD_PRIORITY
            elif _NEXT_RE.match(title):
                mode = NEXT_STEPS
            elif _KEY_MESSAGES_RE.match(title) or (mode == KEY_MESSAGE and "message" in title.lower()):
                mode = KEY_MESSAGE
                audience = title if title.lower() not in ("key messages", "key message") else None
            else:
                mode = SECTION
            doc.sections.append(SectionInfo(heading=title, kind=mode))
            continue
        if mode == BOARD_PRIORITY:
            if block.bullet or _NUMBERED_RE.match(text):
                add(BOARD_PRIORITY, block, _NUMBERED_RE.sub("", text).strip())
            else:
                body.append(block)
        elif mode == NEXT_STEPS:
            if block.bullet or _NUMBERED_RE.match(text):
                add(NEXT_STEPS, block, _NUMBERED_RE.sub("", text).strip().replace("**", ""))
        elif mode == KEY_MESSAGE:
            if block.bullet:
                add(KEY_MESSAGE, block, text.replace("**", ""), heading=audience)
        else:
            if heading is not None:
                body.append(block)
    close_section()
    return doc
