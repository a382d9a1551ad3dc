"""Ofsted inspections of a local authority's children's services → grades and findings.

One parser for every report format the Ofsted site serves for a local authority, each
recognised by its first page:

* **2013 looked after children services** ("Inspection of looked after children services",
  Kent): council name under the title, "Inspection dates: 15 - 19 July 2013",
  "Published: 23 August 2013"; graded on the old four-point scale (outstanding, good,
  *adequate*, inadequate) with a "Record of main findings" table at the end; "Areas for
  improvement" bullets grouped by when ("Immediately:", "Within three months:").
* **2013–2018 single inspection framework (SIF)** ("Inspection of services for children in
  need of help and protection, children looked after and care leavers", usually "and Review
  of the effectiveness of the Local Safeguarding Children Board"): council name as title,
  "Inspection date: 3 June 2014 - 25 June 2014", "Report published: …", the overall
  judgement as a sentence ("The overall judgement is …", "Children's services in X are
  good", "… require improvement to be good"), a numbered judgement table ("1. Children who
  need help and protection", "2.1 Adoption performance" …), the LSCB judgement as a
  sentence (on page 1 or heading the LSCB section), and numbered recommendations under
  "What does the local authority need to improve?" ("Priority and immediate action",
  "Areas for improvement") or "Recommendations", again for the LSCB.
* **standalone LSCB review** ("Review of the effectiveness of the Local Safeguarding
  Children Board", Surrey 2015): the board's name as title, one judgement.
* **ILACS 2018–2020** ("Inspection of local authority children's services" / "Inspection
  of children's social care services" under the council name) and **ILACS 2021–** ("Inspection
  of X local authority children's services"): "Inspection dates: …", a two-column
  "Judgement | Grade" table, and "What needs to improve?" bullets. ILACS reports do not
  state their publication date (``published`` stays None; the fetcher has the listing date).

Grade tables are read line by line with the wording of the grades taken out: what is left
is the judgement's label, what was taken out is its grade. That copes with cells that wrap
("The experiences and progress of" / "children who need help and protection", the grade
on either line) and with grades cut in two ("Requires improvement" / "to be good", or
"Requires" printed *above* its row's label): grade fragments are merged while the grade is
unfinished, and rows and grades are paired in order.

Stable keys (``Grade.judgement``): ``overall_effectiveness``, ``impact_of_leaders``,
``help_and_protection``, ``children_in_care``, ``care_leavers``,
``children_in_care_and_care_leavers``, ``children_looked_after_and_permanence``,
``adoption``, ``leadership_management_governance``, ``lscb``, and for the 2013 format
``capacity_to_improve``, ``outcomes_for_children_looked_after``, ``quality_of_provision``,
``leadership_and_management``. Grade values (``Grade.grade``): ``outstanding``, ``good``,
``requires_improvement``, ``inadequate``, and ``adequate`` (2013 scale only). The overall
judgement comes first (for the LSCB-only review, ``lscb`` is the only judgement), then the
table's order, then ``lscb``.

Findings: one ``judgement`` finding per grade ("Overall effectiveness: Good", with a stable
label per key so that a grade changing between two inspections diffs as a change), then
one finding per recommendation — ``priority_action`` for "Priority and immediate action",
``area_for_improvement`` for everything the report says needs to improve — ordinals
1-based within each section kind. ``Finding.heading`` carries the sub-heading an item sits
under ("Safeguarding children", "Immediately"), prefixed "LSCB" for the board's items.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from .dates import parse_date, parse_range
from .layout import Block, Layout
from .normalise import join_lines
from .records import (
    AREA_FOR_IMPROVEMENT,
    JUDGEMENT,
    PRIORITY_ACTION,
    Area,
    DateRange,
    Finding,
    Grade,
    ParsedDocument,
    SectionInfo,
)

__all__ = [
    "GRADE_LABELS",
    "JUDGEMENT_LABELS",
    "looks_like_inspection_report",
    "parse_inspection_report",
]

OUTSTANDING = "outstanding"
GOOD = "good"
REQUIRES_IMPROVEMENT = "requires_improvement"
INADEQUATE = "inadequate"
ADEQUATE = "adequate"

GRADE_LABELS = {
    OUTSTANDING: "Outstanding",
    GOOD: "Good",
    REQUIRES_IMPROVEMENT: "Requires improvement",
    INADEQUATE: "Inadequate",
    ADEQUATE: "Adequate",
}

# Stable key -> the label used in judgement findings (the ILACS/SIF wording).
JUDGEMENT_LABELS = {
    "overall_effectiveness": "Overall effectiveness",
    "impact_of_leaders": "The impact of leaders on social work practice with children and families",
    "help_and_protection": "The experiences and progress of children who need help and protection",
    "children_in_care_and_care_leavers": "The experiences and progress of children in care and care leavers",
    "children_in_care": "The experiences and progress of children in care",
    "care_leavers": "The experiences and progress of care leavers",
    "children_looked_after_and_permanence": "Children looked after and achieving permanence",
    "adoption": "Adoption performance",
    "leadership_management_governance": "Leadership, management and governance",
    "lscb": "The effectiveness of the Local Safeguarding Children Board",
    "capacity_to_improve": "Capacity to improve",
    "outcomes_for_children_looked_after": "Outcomes for looked after children and young people",
    "quality_of_provision": "Quality of provision",
    "leadership_and_management": "Leadership and management",
}

# --------------------------------------------------------------------------- patterns

_TITLE_RES = [
    re.compile(r"^Inspection of (?:[A-Z][\w,'&. -]*? )?(?:local authority )?children's (?:social care )?services\b", re.I),
    re.compile(r"^Inspection of services for children in need of help and protection\b", re.I),
    re.compile(r"^Review of the effectiveness of the Local Safeguarding Children'?s? Board\b", re.I),
    re.compile(r"^Inspection of (?:safeguarding and )?looked after children(?:'s)? services\b", re.I),
    re.compile(r"^Inspection of safeguarding (?:and looked after children )?services\b", re.I),
]
_DATE_LINE_RE = re.compile(r"^Inspection dates?\b\s*:?\s*(?P<rest>.*)$", re.I)
_PUBLISHED_RE = re.compile(r"\b(?:Report )?published:\s*(?P<date>[0-3]?\d\s+[A-Za-z]+\.?,?\s+(?:19|20)\d\d)", re.I)
_ILACS_AREA_RE = re.compile(r"^Inspection of (?P<area>.+?) (?:local authority )?children's (?:social care )?services\b", re.I)

# Private-use glyphs (Wingdings/Symbol bullets: U+F06E, U+F02D, U+F0BE, U+F0B7 …) that the
# normaliser does not know as bullets; a line starting with one starts a list item.
_PUA_BULLET_RE = re.compile(r"^\s*[\uf000-\uf0ff]\s*")
_FOOTNOTE_TAIL_RE = re.compile(r"(?<=[A-Za-z?.)])\d{1,2}$")
_FOOTNOTE_MID_RE = re.compile(r"(?<=[a-z][.,;:)])\d{1,2}(?=\s)")
_NUMBERED_RE = re.compile(r"^(?P<num>\d{1,3})\.\s+(?P<rest>\S.*)$", re.S)

# Grade wording inside table lines, longest first.
_GRADE_FRAG_RE = re.compile(
    r"\b(?:requires? improvement to be good|requires? improvement to be|requires? improvement to|"
    r"requires? improvement|requires?|improvement to be good|improvement to be|improvement to|"
    r"improvement|to be good|to be|be good|outstanding|good|inadequate|adequate)\b",
    re.I,
)
_ROW_START_RE = re.compile(
    r"^(?:\d(?:\.\d)?\.?\s+)?(?:The impact of leaders|The experiences and progress|Experiences and progress|"
    r"Children who need|Children looked after|Adoption performance|Leadership|Overall effectiveness|"
    r"Capacity to improve|Outcomes for|Quality of provision)"
)
_FINAL_ROW_RE = re.compile(
    r"^(?:Overall effectiveness\b|3\.?\s+Leadership, management and governance|Leadership and management\b)"
)

_OVERALL_RES = [
    re.compile(
        r"^The overall judgement is (?:that )?(?:children's services (?:are|is) )?(?:that )?"
        r"(?P<grade>requires? improvement(?: to be good)?|good|outstanding|inadequate)\b",
        re.I,
    ),
    re.compile(
        r"^(?:Children's|Children's social care) services(?: in (?P<area>[A-Z][\w'&.-]*(?: (?:of|and|upon|on|the|[A-Z][\w'&.-]*))*))? "
        r"(?:are |is )?(?P<grade>requires? improvement(?: to be good)?|good|outstanding|inadequate)\b",
    ),
]
_LSCB_RE = re.compile(
    r"^(?:The effectiveness of )?the (?:Local Safeguarding Children Board(?: \(LSCB\))?|LSCB)"
    r"(?: is| are)? (?P<grade>requires? improvement(?: to be good)?|good|outstanding|inadequate)\b\.?",
    re.I,
)
_HEADING_GRADE_RE = re.compile(
    r"^(?P<label>(?:The experiences and progress of|The impact of leaders on) [^:]+?):\s*"
    r"(?P<grade>requires? improvement(?: to be good)?|good|outstanding|inadequate)\.?$",
    re.I,
)
_OLD_GRADE_RE = re.compile(r"^Grade ([1-4])\s*\((Outstanding|Good|Adequate|Inadequate)\)", re.I)

# Sections of recommendations.
_ILACS_NEEDS_RE = re.compile(r"^What needs to improve(?: in this local authority)?\??\d{0,2}$", re.I)
_SIF_NEEDS_RE = re.compile(
    r"^What does the (?P<who>local authority|LSCB|Local Safeguarding Children Board|board) need to improve\??\d{0,2}$",
    re.I,
)
_PRIORITY_RE = re.compile(r"^(?:Areas for )?priority (?:and|&) immediate action:?$|^Areas for priority action:?$", re.I)
_AFI_RE = re.compile(r"^Areas? for improvement:?$", re.I)
_RECS_RE = re.compile(r"^Recommendations:?$", re.I)
_NONE_RE = re.compile(r"^(?:\d{1,3}\.\s+)?There (?:are|were) no areas? (?:of|for) priority(?: (?:and|or) immediate)?(?: action)?\.?$", re.I)
_INTRO_RE = re.compile(r"following action\.?$|should take the following|:$", re.I)
_INTRO_ITEM_RE = re.compile(r"following actions?\.?:?$|should take the following", re.I)
_END_RES = re.compile(
    r"^(?:Key strengths|Inspection judgements?|Information about|Summary|The local authority'?s strengths|"
    r"Progress since|Inspection findings|Executive summary|The experiences and progress|The impact of leaders|"
    r"Section \d|Record of main findings|Contents|The inspection team|What the inspection judgements?|"
    r"Areas for priority action and areas for improvement are)",
    re.I,
)
_OFSTED_ADDRESS_RE = re.compile(r"Piccadilly Gate|\bM1 2WD\b|enquiries@ofsted\.gov\.uk", re.I)
_LSCB_PART_RE = re.compile(
    r"^(?:Section 2:? The effectiveness of the Local Safeguarding|The Local Safeguarding Children Board(?: \(LSCB\))?$|"
    r"Review of the effectiveness of the Local Safeguarding Children Board|The effectiveness of the LSCB\b)",
    re.I,
)


# --------------------------------------------------------------------------- blocks


def _items(blocks: list[Block]) -> list[Block]:
    """The layout's blocks with list items the normaliser missed split out: a line that
    starts with a private-use bullet glyph starts a new bullet block."""
    out: list[Block] = []
    for b in blocks:
        if not any(_PUA_BULLET_RE.match(l) for l in b.lines):
            out.append(b)
            continue
        groups: list[tuple[bool, list[str]]] = []
        for i, line in enumerate(b.lines):
            m = _PUA_BULLET_RE.match(line)
            if m:
                groups.append((True, [line[m.end():]]))
            elif not groups:
                groups.append((b.bullet and i == 0, [line]))
            else:
                groups[-1][1].append(line)
        for bullet, lines in groups:
            text = join_lines(lines).strip()
            if text:
                out.append(Block(text=text, page=b.page, bullet=bullet, lines=lines, size=b.size, top=b.top))
    return out


def _clean_text(text: str) -> str:
    text = text.replace("\ufffe", "-").replace("\uf0b7", "").strip()
    text = _PUA_BULLET_RE.sub("", text)
    text = _FOOTNOTE_MID_RE.sub("", text)
    text = _FOOTNOTE_TAIL_RE.sub("", text)
    return re.sub(r"\s+", " ", text).strip()


def _strip_marker(text: str) -> str:
    """Drop a footnote number glued to the end of a title line ("board1", "Leavers1")."""
    return re.sub(r"(?<=[a-z])\d{1,2}\b", "", text)


def _body_size(blocks: list[Block]) -> float:
    counts: dict[float, int] = {}
    for b in blocks:
        counts[round(b.size, 1)] = counts.get(round(b.size, 1), 0) + len(b.text)
    return max(counts, key=lambda k: counts[k]) if counts else 12.0


# --------------------------------------------------------------------------- front page


def _front(blocks: list[Block]) -> tuple[int | None, list[Block]]:
    """Index of the "Inspection date(s)" block and the blocks before it on the first pages."""
    for i, b in enumerate(blocks[:20]):
        if _DATE_LINE_RE.match(b.text) and re.search(r"\d", b.text):
            return i, blocks[:i]
    return None, blocks[:6]


def looks_like_inspection_report(layout: Layout) -> bool:
    """True for an Ofsted inspection of a local authority's children's services (any
    format since 2013, and the standalone LSCB review); False for JTAI letters and board
    reports: the title must open the document and an "Inspection date(s)" line follow."""
    blocks = layout.blocks
    if not blocks:
        return False
    date_idx, front = _front(blocks)
    if date_idx is None or date_idx > 10:
        return False
    if any("joint targeted area inspection" in b.text.lower() for b in blocks[: date_idx + 1]):
        return False
    return any(rx.match(_strip_marker(b.text)) for b in front for rx in _TITLE_RES)


def _title_and_council(front: list[Block]) -> tuple[str | None, str | None, str | None]:
    """(title, council line, report heading) from the blocks above the inspection dates."""
    council: str | None = None
    heading_parts: list[str] = []
    for b in front:
        text = _strip_marker(b.text).strip()
        low = text.lower()
        if low.startswith(("inspection of", "review of")) or low in ("and", "and review of") or heading_parts and low.startswith("and "):
            heading_parts.append(text[:1].lower() + text[1:] if low == "and" else text)
        elif council is None and not heading_parts or council is None and len(text.split()) <= 8:
            council = text
    heading = " ".join(heading_parts).strip() or None
    if heading:
        heading = re.sub(r"\s+", " ", heading)
    named = _ILACS_AREA_RE.match(heading or "")
    if named and named.group("area").lower() in ("local authority", "the local authority"):
        named = None
    if heading and council and not named:
        title = f"{council}: {heading}"
    else:
        title = heading or council
    return title, council, heading


def _area(council: str | None, heading: str | None, front_text: str, gazetteer) -> Area | None:  # noqa: ANN001
    candidates: list[str] = []
    if heading:
        m = _ILACS_AREA_RE.match(heading)
        if m and m.group("area").lower() not in ("local authority", "the local authority"):
            candidates.append(m.group("area"))
    if council:
        candidates.append(council)
    for name in candidates:
        area = gazetteer.lookup(name)
        if area is not None:
            return area
    for name in candidates:
        found = gazetteer.find_in(name)
        if found:
            return found[0][0]
    found = gazetteer.find_in(front_text)
    return found[0][0] if found else None


def _inspection_range(text: str) -> DateRange | None:
    """"2 to 6 December 2024", "5 to 9 December 2022 and 14 to 15 February 2023" (the whole
    span), "18 Feb 2014 - 12 March 2014", "15 - 19 July 2013"."""
    parts: list[str] = []
    cur = ""
    for piece in re.split(r"\s+and\s+", text):
        cur = f"{cur} and {piece}" if cur else piece
        if re.search(r"\b(?:19|20)\d\d\b", cur):
            parts.append(cur)
            cur = ""
    spans: list[DateRange] = []
    for part in parts:
        r = parse_range(part)
        if r is None:
            d = parse_date(part)
            r = DateRange(d, d) if d else None
        if r is not None:
            spans.append(r)
    if not spans:
        return None
    return DateRange(min(s.start for s in spans), max(s.end for s in spans))


# --------------------------------------------------------------------------- grades


def grade_value(text: str) -> str | None:
    """"Requires improvement to be good" -> "requires_improvement"; None if no grade."""
    low = text.lower()
    if "inadequate" in low:
        return INADEQUATE
    if "outstanding" in low:
        return OUTSTANDING
    if "requir" in low or "improvement" in low:
        return REQUIRES_IMPROVEMENT
    if re.search(r"\badequate\b", low):
        return ADEQUATE
    if re.search(r"\bgood\b", low):
        return GOOD
    return None


def judgement_key(label: str) -> str | None:
    """The stable key of a judgement's label, as any format words it."""
    low = re.sub(r"[^a-z ]+", " ", label.lower())
    low = re.sub(r"\s+", " ", low).strip()
    if "overall effectiveness" in low or low.startswith("overall judgement"):
        return "overall_effectiveness"
    if "impact of leaders" in low:
        return "impact_of_leaders"
    if "help and protection" in low:
        return "help_and_protection"
    if "looked after and achieving permanence" in low:
        return "children_looked_after_and_permanence"
    if low.endswith("children in care and care leavers"):
        return "children_in_care_and_care_leavers"
    if low.endswith("children in care"):
        return "children_in_care"
    if low.endswith("care leavers"):
        return "care_leavers"
    if low.endswith("adoption performance"):
        return "adoption"
    if low.endswith("leadership management and governance"):
        return "leadership_management_governance"
    if low == "capacity to improve":
        return "capacity_to_improve"
    if low == "outcomes for looked after children and young people":
        return "outcomes_for_children_looked_after"
    if low == "quality of provision":
        return "quality_of_provision"
    if low == "leadership and management":
        return "leadership_and_management"
    if "safeguarding children board" in low or low.endswith("lscb"):
        return "lscb"
    return None


def _continues(grade: str, frag: str) -> bool:
    """Whether a grade fragment finishes the grade before it ("Requires" + "improvement",
    "Requires improvement" + "to be good", "… to be" + "good")."""
    g, f = grade.lower().strip(), frag.lower().strip()
    if f.startswith(("improvement", "to be", "be good")) or f == "to":
        return g.startswith("requir") and not g.endswith("good")
    if f == "good":
        return g.startswith("requir") and g.endswith((" to be", " to"))
    return False


@dataclass
class _Row:
    label: list[str] = field(default_factory=list)
    page: int = 0

    @property
    def text(self) -> str:
        return re.sub(r"\s+", " ", " ".join(self.label)).strip(" ,")


def _parse_table(lines: list[tuple[str, int]], final: re.Pattern[str] | None = None) -> list[tuple[str, str, int]]:
    """(key, grade, page) per row of a judgement table, given its lines from the first row
    on; reading stops after the last row ("Overall effectiveness" / "3. Leadership…")."""
    rows: list[_Row] = []
    grades: list[str] = []
    seen_final = False
    for text, page in lines:
        frags = [m.group(0) for m in _GRADE_FRAG_RE.finditer(text)]
        rest = re.sub(r"\s+", " ", _GRADE_FRAG_RE.sub(" ", text)).strip(" ,")
        if rest:
            if seen_final and _complete(rows[-1].text):
                break
            if _ROW_START_RE.match(rest) and (not rows or _complete(rows[-1].text)):
                rows.append(_Row([rest], page))
                seen_final = bool((final or _FINAL_ROW_RE).match(rest))
            elif rows and (not _complete(rows[-1].text) or rest[:1].islower()):
                rows[-1].label.append(rest)
            else:
                break
        for frag in frags:
            if grades and _continues(grades[-1], frag):
                grades[-1] = f"{grades[-1]} {frag}"
            else:
                grades.append(frag)
    out: list[tuple[str, str, int]] = []
    if len(rows) != len(grades):
        return out
    for row, grade in zip(rows, grades):
        key = judgement_key(row.text)
        value = grade_value(grade)
        if key and value:
            out.append((key, value, row.page))
    return out


def _complete(label: str) -> bool:
    """Whether a wrapped label already reads as a whole judgement name."""
    low = re.sub(r"[^a-z ]+", " ", label.lower()).strip()
    low = re.sub(r"\s+", " ", low)
    return bool(
        re.search(
            r"(?:help and protection|care leavers|children in care|achieving permanence|adoption performance|"
            r"and governance|children and families|overall effectiveness|capacity to improve|young people|"
            r"quality of provision|leadership and management)$",
            low,
        )
    )


def _lines(blocks: list[Block]) -> list[tuple[str, int]]:
    return [(l, b.page) for b in blocks for l in b.lines]


def _table_grades(blocks: list[Block], start: int) -> list[tuple[str, str, int]]:
    """The judgement table on the first page (ILACS, SIF), or the 2013 "Record of main
    findings" table at the end."""
    first = [b for b in blocks[start:] if b.page <= 2][:40]
    lines = _lines(first)
    begin = next((i for i, (t, _) in enumerate(lines) if _row_start(t)), None)
    if begin is not None:
        # A grade printed above its row's label ("Requires" / "1. Children who need …").
        if begin > 0 and _grade_only(lines[begin - 1][0]) and lines[begin - 1][0].lower().startswith("requir"):
            begin -= 1
        rows = _parse_table(lines[begin:])
        if rows:
            return rows
    for i, b in enumerate(blocks):
        if re.match(r"^Record of main findings$", b.text, re.I):
            lines = _lines(blocks[i + 1 : i + 12])
            begin = next((j for j, (t, _) in enumerate(lines) if _row_start(t)), None)
            if begin is not None:
                rows = _parse_table(lines[begin:], re.compile(r"^Leadership and management\b"))
                if rows:
                    return rows
    return []


def _row_start(text: str) -> bool:
    rest = re.sub(r"\s+", " ", _GRADE_FRAG_RE.sub(" ", text)).strip(" ,")
    return bool(rest) and bool(_ROW_START_RE.match(rest)) and not re.match(r"^Overall effectiveness of\b", rest)


def _grade_only(text: str) -> bool:
    return bool(_GRADE_FRAG_RE.search(text)) and not _GRADE_FRAG_RE.sub("", text).strip(" ,.")


def heading_grades(blocks: list[Block]) -> dict[str, str]:
    """Grades stated by the ILACS judgement headings ("The experiences and progress of
    children in care: good"), key -> grade."""
    out: dict[str, str] = {}
    for b in blocks:
        if b.bullet or len(b.text.split()) > 30:
            continue
        m = _HEADING_GRADE_RE.match(b.text)
        if m:
            key = judgement_key(m.group("label"))
            value = grade_value(m.group("grade"))
            if key and value and key not in out:
                out[key] = value
    return out


def _grades(blocks: list[Block], date_idx: int) -> list[tuple[str, str, int]]:
    found: dict[str, tuple[str, int]] = {}
    order: list[str] = []

    def add(key: str, value: str, page: int) -> None:
        if key not in found:
            found[key] = (value, page)
            order.append(key)

    for key, value, page in _table_grades(blocks, date_idx):
        add(key, value, page)
    # The overall judgement stated as a sentence (SIF), near the top of page 1.
    if "overall_effectiveness" not in found:
        for b in blocks[date_idx : date_idx + 8]:
            m = next((m for rx in _OVERALL_RES if (m := rx.match(b.text))), None)
            if m:
                add("overall_effectiveness", grade_value(m.group("grade")) or "", b.page)
                break
    # 2013: "Overall effectiveness of services for looked after children" / "Grade 3 (Adequate)".
    if "overall_effectiveness" not in found:
        for prev, b in zip(blocks, blocks[1:]):
            m = _OLD_GRADE_RE.match(b.text)
            if m and re.match(r"^Overall effectiveness\b", prev.text, re.I):
                add("overall_effectiveness", m.group(2).lower(), b.page)
                break
    # ILACS judgement headings fill what the table did not give.
    for b in blocks:
        m = _HEADING_GRADE_RE.match(b.text) if not b.bullet and len(b.text.split()) <= 30 else None
        if m:
            key = judgement_key(m.group("label"))
            value = grade_value(m.group("grade"))
            if key and value:
                add(key, value, b.page)
    for b in blocks:
        if b.bullet or len(b.text.split()) > 40:
            continue
        m = _LSCB_RE.match(b.text)
        if m:
            add("lscb", grade_value(m.group("grade")) or "", b.page)
            break
    ordered = [k for k in order if k == "overall_effectiveness"] + [k for k in order if k != "overall_effectiveness"]
    return [(k, found[k][0], found[k][1]) for k in ordered if found[k][0]]


# --------------------------------------------------------------------------- findings


@dataclass
class _Section:
    kind: str
    heading: str
    lscb: bool
    mode: str  # "bullets" (ILACS) or "items" (SIF numbered / bulleted)


def _section_start(text: str, lscb_part: bool) -> _Section | None:
    if _ILACS_NEEDS_RE.match(text):
        return _Section(AREA_FOR_IMPROVEMENT, text.rstrip("0123456789 "), lscb_part, "bullets")
    m = _SIF_NEEDS_RE.match(text)
    if m:
        lscb = lscb_part or m.group("who").lower() != "local authority"
        return _Section(AREA_FOR_IMPROVEMENT, text.rstrip("0123456789 "), lscb, "items")
    if _PRIORITY_RE.match(text):
        return _Section(PRIORITY_ACTION, text.rstrip(":"), lscb_part, "items")
    if _AFI_RE.match(text) or _RECS_RE.match(text):
        return _Section(AREA_FOR_IMPROVEMENT, text.rstrip(":"), lscb_part, "items")
    return None


def _is_item(b: Block) -> bool:
    return b.bullet or bool(_NUMBERED_RE.match(b.text))


def _short_heading(b: Block) -> bool:
    text = b.text.strip()
    return (
        not _is_item(b)
        and len(text.split()) <= 12
        and not re.search(r"[.;,]$", text)
        and text[:1].isupper()
    )


def _findings(blocks: list[Block], body: float) -> tuple[list[tuple[str, str | None, str, int]], list[SectionInfo]]:
    """(kind, heading, text, page) per recommendation, and the headings used."""
    items: list[tuple[str, str | None, str, int]] = []
    sections: list[SectionInfo] = []
    lscb_part = False
    # The table of contents names the same headings ("What does the LSCB need to improve?
    # 43", or "…improve?4" where pdfium drops the space): none starts a section there.
    contents = {b.page for b in blocks if any(l.strip().lower() in ("contents", "table of contents") for l in b.lines)}
    i = 0
    n = len(blocks)
    while i < n:
        b = blocks[i]
        text = _clean_text(b.text)
        if b.page in contents:
            i += 1
            continue
        if not b.bullet and _LSCB_PART_RE.match(text) and b.page > 1 and not re.search(r"\s\d{1,3}$", text):
            lscb_part = True
        sec = None if b.bullet or _is_item(b) else _section_start(text, lscb_part)
        if sec is None:
            i += 1
            continue
        sections.append(SectionInfo(heading=sec.heading, kind=sec.kind))
        i += 1
        sub: str | None = None
        nested = nested_numbered = False
        first_item = len(items)
        while i < n:
            b = blocks[i]
            text = _clean_text(b.text)
            if not text:
                i += 1
                continue
            if not _is_item(b):
                nxt = _section_start(text, lscb_part)
                if nxt is not None and not _ILACS_NEEDS_RE.match(text) and not _SIF_NEEDS_RE.match(text):
                    if sec.mode == "bullets":
                        break
                    sec = _Section(nxt.kind, nxt.heading, sec.lscb, sec.mode)
                    sections.append(SectionInfo(heading=sec.heading, kind=sec.kind))
                    sub = None
                    i += 1
                    continue
                if _NONE_RE.match(text):
                    i += 1
                    continue
                if text[:1].islower() and len(items) > first_item:
                    kind, head, prev, page = items[-1]
                    items[-1] = (kind, head, join_lines([prev, text]), page)
                    i += 1
                    continue
                if sec.mode == "bullets":
                    break
                if b.size > body + 1.0 or _END_RES.match(text):
                    break
                if _short_heading(b) and i + 1 < n and _is_item(blocks[i + 1]):
                    sub = text.rstrip(":").strip()
                    i += 1
                    continue
                if _INTRO_RE.search(text) and i + 1 < n:
                    i += 1
                    continue
                break
            if _NONE_RE.match(text):
                i += 1
                continue
            if sec.mode == "bullets" and not b.bullet:
                break
            m = _NUMBERED_RE.match(text)
            item = m.group("rest") if m and not b.bullet else text
            if (
                m
                and not b.bullet
                and len(item.split()) <= 15
                and not re.search(r"[.;:,]$", item)
                and i + 1 < n
                and blocks[i + 1].bullet
            ):
                sub = item.strip()  # "1. Quality and effectiveness of practice" over its bullets
                i += 1
                continue
            if _INTRO_ITEM_RE.search(item) and not b.bullet:
                i += 1  # "22. In order to improve …, the local authority should take the following action."
                continue
            if b.bullet and nested and items and (item[:1].islower() or nested_numbered):
                # A sub-list under "… the response to children:" belongs to its item.
                kind, head, prev, page = items[-1]
                items[-1] = (kind, head, f"{prev} {_clean_text(item)}", page)
                i += 1
                continue
            nested = item.rstrip().endswith(":")
            nested_numbered = nested and not b.bullet
            head = sub
            if sec.lscb:
                head = f"LSCB: {sub}" if sub else "LSCB"
            items.append((sec.kind, head, _clean_text(item), b.page))
            i += 1
    return items, sections


# --------------------------------------------------------------------------- parse


def parse_inspection_report(layout: Layout, gazetteer) -> ParsedDocument:  # noqa: ANN001 - Gazetteer
    doc = ParsedDocument(kind="inspection_report", pages=layout.pages)
    blocks = _items(layout.blocks)
    if not blocks:
        return doc
    date_idx, front = _front(blocks)
    title, council, heading = _title_and_council(front)
    doc.title = title
    front_text = " ".join(b.text for b in blocks[: (date_idx or 0) + 12])
    doc.area = _area(council, heading, front_text, gazetteer)
    if council and re.search(r"Safeguarding Children'?s? Board", council):
        doc.board_name = council

    if date_idx is not None:
        m = _DATE_LINE_RE.match(blocks[date_idx].text)
        if m:
            doc.inspection = _inspection_range(m.group("rest"))
    for b in blocks[: (date_idx or 0) + 6]:
        m = _PUBLISHED_RE.search(b.text)
        if m:
            doc.published = parse_date(m.group("date"))
            break

    grades = _grades(blocks, date_idx or 0)
    doc.grades = [Grade(judgement=k, grade=v) for k, v, _ in grades]

    findings: list[Finding] = []
    if grades:
        doc.sections.append(SectionInfo(heading="Judgements", kind=JUDGEMENT))
    for ordinal, (key, value, page) in enumerate(grades, 1):
        findings.append(
            Finding(
                section=JUDGEMENT,
                ordinal=ordinal,
                page=page,
                text=f"{JUDGEMENT_LABELS.get(key, key)}: {GRADE_LABELS.get(value, value)}",
                heading=key,
            )
        )
    items, sections = _findings(blocks, _body_size(blocks))
    doc.sections.extend(sections)
    counters: dict[str, int] = {}
    for kind, head, text, page in items:
        if not text:
            continue
        counters[kind] = counters.get(kind, 0) + 1
        findings.append(Finding(section=kind, ordinal=counters[kind], page=page, text=text, heading=head))
    doc.findings = findings

    primary = doc.area.ofsted_urn if doc.area else None
    seen: set[str] = set()
    mentioned: list[Area] = []
    for b in layout.blocks:
        if _OFSTED_ADDRESS_RE.search(b.text):
            continue  # "Piccadilly Gate, Store Street, Manchester" on the back page
        for area, _ in gazetteer.find_in(b.text):
            if area.ofsted_urn != primary and area.ofsted_urn not in seen:
                seen.add(area.ofsted_urn)
                mentioned.append(area)
    doc.areas_mentioned = mentioned
    return doc

