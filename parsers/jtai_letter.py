"""Joint targeted area inspection letters → findings.

A JTAI letter has a fixed shape: publication date; addressees, one per line ("Name, Role,
Organisation"); "Dear local partnership"; the title "Joint targeted area inspection of the
multi-agency response to <deep dive> in <area>"; "Between <dates>, Ofsted, the Care Quality
Commission … undertook a joint inspection"; narrative; then headed sections — Key strengths,
Areas for priority action, Areas for improvement, practice studies — and Next steps with the
date the written statement of action is due; "Yours sincerely" and the signatories.

One finding per bullet. A paragraph without a bullet inside a list section continues the
bullet before it (the letters put "The service offer includes…" after a page break, or a
note under a bullet), so it is kept with that bullet rather than lost or made a finding of
its own. Each practice study is one finding: its paragraphs belong together.
"""

from __future__ import annotations

import re

from .dates import parse_date, parse_range
from .layout import Block, Layout
from .records import (
    AREA_FOR_IMPROVEMENT,
    NEXT_STEPS,
    PRACTICE_STUDY_IMPROVEMENT,
    PRACTICE_STUDY_STRENGTH,
    PRIORITY_ACTION,
    STRENGTH,
    Addressee,
    Deadline,
    Finding,
    ParsedDocument,
    SectionInfo,
)

# Heading → section kind; matched on the whole block, case-insensitively.
_HEADINGS: list[tuple[re.Pattern[str], str | None]] = [
    (re.compile(r"^key strengths?\.?$", re.I), STRENGTH),
    (re.compile(r"^(?:main |key )?strengths?\.?$", re.I), STRENGTH),
    (re.compile(r"^areas? for priority action\.?$", re.I), PRIORITY_ACTION),
    (re.compile(r"^(?:case study|practice study)\s*[:\-]\s*highly effective practice\.?$", re.I), PRACTICE_STUDY_STRENGTH),
    (re.compile(r"^(?:case study|practice study)\s*[:\-]\s*areas?\s*(?:\(s\))?\s*for (?:improvement|development)\.?$", re.I), PRACTICE_STUDY_IMPROVEMENT),
    (re.compile(r"^areas? for (?:improvement|development)\.?$", re.I), AREA_FOR_IMPROVEMENT),
    (re.compile(r"^next steps\.?$", re.I), NEXT_STEPS),
    (re.compile(r"^yours sincerely,?$", re.I), None),
]

_LIST_SECTIONS = {STRENGTH, PRIORITY_ACTION, AREA_FOR_IMPROVEMENT}
_NONE_RE = re.compile(r"^there (?:are|were) no areas? for priority action\.?$", re.I)
_PSEUDONYMS_RE = re.compile(r"^all (?:children's )?names (?:used )?(?:are|have been) (?:pseudonyms|changed)\.?$", re.I)
_TITLE_RE = re.compile(r"^joint targeted area inspection of\b", re.I)
_DEEP_DIVE_RE = re.compile(r"\bresponse to (?P<dive>.+?) in (?P<area>[A-Z][^.]*?)\.?$")
_DEADLINE_RE = re.compile(r"written statement of (?:proposed )?action\b.*?\bby (?P<date>[0-3]?\d\s+\w+\s+\d{4})", re.I)
_INSPECTORATES = [
    ("Ofsted", re.compile(r"\bOfsted\b")),
    ("CQC", re.compile(r"\bCare Quality Commission\b|\bCQC\b")),
    ("HMICFRS", re.compile(r"\bHMICFRS\b|\bHMIC\b|HM(?:I)? ?Constabulary|Inspectorate of Constabulary")),
    ("HMI Probation", re.compile(r"\bHMI Probation\b|Inspectorate of Probation")),
]
_SIGNATORY_RE = re.compile(
    r"(?P<name>[A-Z][a-z'\-]+ [A-Z][a-z'\-]+)\s+"
    r"(?P<role>National Director,? Social Care|(?:Deputy |Assistant )?Chief Inspector(?: of [A-Z][\w ]+)?|"
    r"(?:Her|His) Majesty's (?:Chief )?Inspector of (?:Constabulary|Probation)|Chief Executive)"
)
_ADDRESSEE_SPLIT_RE = re.compile(r",\s*")


def heading_kind(text: str) -> tuple[bool, str | None]:
    """(is_heading, section kind or None for the sign-off)."""
    t = text.strip()
    if len(t) > 80:
        return False, None
    for pattern, kind in _HEADINGS:
        if pattern.match(t):
            return True, kind
    return False, None


def looks_like_jtai_letter(layout: Layout) -> bool:
    """A letter titled "Joint targeted area inspection of …" near its start. Mentioning a
    past JTAI (as inspection reports do: "a joint targeted area inspection in 2022") is not
    enough; the salutation or the written statement of action must be there too."""
    head = layout.blocks[:40]
    if any(_TITLE_RE.match(b.text) for b in head):
        return True
    text = " ".join(b.text.lower() for b in head)
    return "joint targeted area inspection" in text and (
        "dear local partnership" in text or "written statement of action" in text
    )


_NAME_WORD = r"[A-Z][a-z']+(?:-[A-Z][a-z']+)?"
_PERSON_RE = re.compile(
    rf"^(?:(?:Dr|Mr|Mrs|Ms|Miss|Professor|Prof|Sir|Dame|Cllr|Councillor)\.? )?{_NAME_WORD}(?: {_NAME_WORD}){{1,2}}(?: [A-Z]{{2,4}})*$"
)
_INLINE_PERSON_RE = re.compile(rf"\b{_NAME_WORD} {_NAME_WORD}(?: [A-Z]{{2,4}})*,")
_ROLE_WORDS = {"of", "for", "and", "the", "at", "to", "in", "on"}
# Capitalised pairs that name organisations or places, not people ("Probation Service,").
_NOT_PERSON_WORDS = {
    "service", "services", "council", "trust", "group", "groups", "unit", "division", "team",
    "partnership", "board", "police", "commissioner", "constabulary", "authority", "hospital",
    "hospitals", "company", "foundation", "affairs", "care", "north", "south", "east", "west",
    "central", "county", "borough", "city", "nhs", "ccg", "support", "director", "chair",
    "officer", "manager", "head", "inspector", "lead", "member", "executive", "mayor",
}


def _is_person(name: str) -> bool:
    words = name.replace(",", "").split()
    return bool(_PERSON_RE.match(name)) and not any(w.lower() in _NOT_PERSON_WORDS for w in words)


def _split_run_on(entry: str) -> list[str]:
    """Split a line that holds several addressees before each "Firstname Lastname," that
    does not follow a role word ("Director of Children's Services," is not a person)."""
    cuts = [0]
    for m in _INLINE_PERSON_RE.finditer(entry):
        before = entry[: m.start()].split()
        if m.start() == 0 or not before or before[-1].lower() in _ROLE_WORDS or "'" in m.group(0):
            continue
        if not _is_person(m.group(0).rstrip(",")):
            continue
        cuts.append(m.start())
    cuts.append(len(entry))
    return [entry[a:b].strip() for a, b in zip(cuts, cuts[1:]) if entry[a:b].strip()]


def _addressee_lines(blocks: list[Block]) -> list[str]:
    """One string per addressee: a line starts a new addressee when it opens with a name
    followed by a comma; otherwise it is the wrapped rest of the previous one."""
    out: list[str] = []
    for block in blocks:
        for line in block.lines:
            head = line.split(",", 1)[0].strip()
            if out and not (_is_person(head) and "," in line):
                out[-1] = f"{out[-1]} {line}"
            else:
                out.append(line)
    # Several addressees run together on one line (Shropshire's letter): split before names.
    return [part for entry in out for part in _split_run_on(entry)]


def _addressees(blocks: list[Block]) -> list[Addressee]:
    out: list[Addressee] = []
    for line in _addressee_lines(blocks):
        parts = [p.strip() for p in _ADDRESSEE_SPLIT_RE.split(line) if p.strip()]
        if len(parts) < 2:
            continue
        out.append(Addressee(name=parts[0], role=parts[1], organisation=", ".join(parts[2:])))
    return out


def _signatories(blocks: list[Block]) -> list[str]:
    out: list[str] = []
    for block in blocks:
        for m in _SIGNATORY_RE.finditer(block.text):
            entry = f"{m.group('name')}, {m.group('role')}"
            if entry not in out:
                out.append(entry)
    return out


def parse_jtai_letter(layout: Layout, gazetteer) -> ParsedDocument:  # noqa: ANN001 - Gazetteer
    doc = ParsedDocument(kind="jtai_letter", pages=layout.pages)
    blocks = layout.blocks

    title_idx = next((i for i, b in enumerate(blocks[:60]) if _TITLE_RE.match(b.text)), None)
    front = blocks[: title_idx if title_idx is not None else 10]
    # Publication date: the first block that is a date on its own.
    for b in front:
        d = parse_date(b.text)
        if d and len(b.text) <= 30:
            doc.published = d
            break
    dear = next((i for i, b in enumerate(front) if b.text.lower().startswith("dear")), len(front))
    date_idx = next((i for i, b in enumerate(front) if parse_date(b.text) and len(b.text) <= 30), -1)
    doc.addressees = _addressees(front[date_idx + 1 : dear])

    if title_idx is not None:
        title = blocks[title_idx].text
        doc.title = title
        m = _DEEP_DIVE_RE.search(title)
        if m:
            doc.deep_dive = m.group("dive").strip()
            doc.area = gazetteer.lookup(m.group("area").strip())
    if doc.area is None:
        for b in blocks[:15]:
            hits = gazetteer.find_in(b.text)
            if hits:
                doc.area = hits[0][0]
                break

    # "Between 3 December 2018 and 7 December 2018, Ofsted, the Care Quality Commission …"
    intro_start = title_idx + 1 if title_idx is not None else 0
    for b in blocks[intro_start : intro_start + 6]:
        rng = parse_range(b.text)
        if rng and (b.text.lower().startswith("between") or "inspect" in b.text.lower()):
            doc.inspection = rng
            doc.inspectorates = [name for name, rx in _INSPECTORATES if rx.search(b.text)]
            break

    # Sections and findings.
    kind: str | None = "__preamble__"
    counters: dict[str, int] = {}
    current: Finding | None = None
    study: list[Block] = []
    sign_off_at: int | None = None

    def close_study() -> None:
        nonlocal study
        if study and kind in (PRACTICE_STUDY_STRENGTH, PRACTICE_STUDY_IMPROVEMENT):
            counters[kind] = counters.get(kind, 0) + 1
            doc.findings.append(
                Finding(
                    section=kind,
                    ordinal=counters[kind],
                    page=study[0].page,
                    text="\n\n".join(b.text for b in study),
                )
            )
        study = []

    next_steps: list[Block] = []
    for i, block in enumerate(blocks):
        is_heading, new_kind = heading_kind(block.text) if not block.bullet else (False, None)
        if is_heading:
            close_study()
            current = None
            if new_kind is None:
                sign_off_at = i
                break
            kind = new_kind
            doc.sections.append(SectionInfo(heading=block.text.rstrip("."), kind=new_kind))
            continue
        if kind in _LIST_SECTIONS:
            if block.bullet:
                if kind == PRIORITY_ACTION and _NONE_RE.match(block.text):
                    current = None
                    continue
                counters[kind] = counters.get(kind, 0) + 1
                current = Finding(section=kind, ordinal=counters[kind], page=block.page, text=block.text)
                doc.findings.append(current)
            elif current is not None:
                current.text = current.text + "\n\n" + block.text
            elif kind == PRIORITY_ACTION and _NONE_RE.match(block.text):
                continue
            else:
                # A list section written as paragraphs: each paragraph is a finding.
                counters[kind] = counters.get(kind, 0) + 1
                doc.findings.append(Finding(section=kind, ordinal=counters[kind], page=block.page, text=block.text))
        elif kind in (PRACTICE_STUDY_STRENGTH, PRACTICE_STUDY_IMPROVEMENT):
            if not _PSEUDONYMS_RE.match(block.text):
                study.append(block)
        elif kind == NEXT_STEPS:
            next_steps.append(block)
    close_study()

    if next_steps:
        text = "\n\n".join(b.text for b in next_steps)
        doc.findings.append(Finding(section=NEXT_STEPS, ordinal=1, page=next_steps[0].page, text=text))
        m = _DEADLINE_RE.search(text.replace("\n", " "))
        if m:
            due = parse_date(m.group("date"))
            if due:
                doc.deadlines.append(Deadline(what="written statement of action", due=due))

    if sign_off_at is not None:
        doc.signatories = _signatories(blocks[sign_off_at + 1 :])
    return doc
