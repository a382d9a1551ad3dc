"""Typed records that cross layers: what the parsers produce and the store keeps.

Plain dataclasses (no pydantic) so the parsers stay dependency-light and fast to pickle
across a process pool. ``to_json`` methods give exactly the ``parse --json`` contract of the
design; extra keys are additions, never renames.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from .normalise import fingerprint as _fingerprint

# Section kinds of the design's contract.
STRENGTH = "strength"
PRIORITY_ACTION = "priority_action"
AREA_FOR_IMPROVEMENT = "area_for_improvement"
PRACTICE_STUDY_STRENGTH = "practice_study_strength"
PRACTICE_STUDY_IMPROVEMENT = "practice_study_improvement"
NEXT_STEPS = "next_steps"
BOARD_PRIORITY = "board_priority"
KEY_MESSAGE = "key_message"
SECTION = "section"
JUDGEMENT = "judgement"

SECTION_KINDS = (
    STRENGTH,
    PRIORITY_ACTION,
    AREA_FOR_IMPROVEMENT,
    PRACTICE_STUDY_STRENGTH,
    PRACTICE_STUDY_IMPROVEMENT,
    NEXT_STEPS,
    BOARD_PRIORITY,
    KEY_MESSAGE,
    SECTION,
    JUDGEMENT,
)

KINDS = ("jtai_letter", "board_report", "inspection_report", "unknown")


@dataclass(frozen=True, slots=True)
class Area:
    """One English local authority from the gazetteer."""

    name: str
    ons_code: str
    ofsted_urn: str
    region: str = ""

    def to_json(self) -> dict[str, str]:
        return {"name": self.name, "ons_code": self.ons_code, "ofsted_urn": self.ofsted_urn}


@dataclass(frozen=True, slots=True)
class DateRange:
    start: date
    end: date

    def to_json(self) -> dict[str, str]:
        return {"start": self.start.isoformat(), "end": self.end.isoformat()}


@dataclass(frozen=True, slots=True)
class Addressee:
    name: str
    role: str
    organisation: str

    def to_json(self) -> dict[str, str]:
        return {"name": self.name, "role": self.role, "organisation": self.organisation}


@dataclass(frozen=True, slots=True)
class Deadline:
    what: str
    due: date

    def to_json(self) -> dict[str, str]:
        return {"what": self.what, "due": self.due.isoformat()}


@dataclass(frozen=True, slots=True)
class Grade:
    """One judgement of a graded inspection ("Overall effectiveness" -> "Good")."""

    judgement: str
    grade: str

    def to_json(self) -> dict[str, str]:
        return {"judgement": self.judgement, "grade": self.grade}


@dataclass(frozen=True, slots=True)
class SectionInfo:
    heading: str
    kind: str

    def to_json(self) -> dict[str, str]:
        return {"heading": self.heading, "kind": self.kind}


@dataclass(slots=True)
class Finding:
    """One unit of judgement: a bullet, a practice study, a board priority, a section."""

    section: str
    ordinal: int
    page: int
    text: str
    themes: list[str] = field(default_factory=list)
    agencies: list[str] = field(default_factory=list)
    heading: str | None = None
    figures: list[str] = field(default_factory=list)

    @property
    def fingerprint(self) -> str:
        return _fingerprint(self.text)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "section": self.section,
            "ordinal": self.ordinal,
            "page": self.page,
            "text": self.text,
            "themes": list(self.themes),
            "agencies": list(self.agencies),
        }
        if self.heading:
            out["heading"] = self.heading
        if self.figures:
            out["figures"] = list(self.figures)
        return out


@dataclass(slots=True)
class ParsedDocument:
    """The structure of one document version; ``to_json`` is the ``parse --json`` contract."""

    kind: str
    title: str | None = None
    area: Area | None = None
    areas_mentioned: list[Area] = field(default_factory=list)
    published: date | None = None
    inspection: DateRange | None = None
    deep_dive: str | None = None
    period: DateRange | None = None
    pages: int = 0
    sections: list[SectionInfo] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    deadlines: list[Deadline] = field(default_factory=list)
    addressees: list[Addressee] = field(default_factory=list)
    inspectorates: list[str] = field(default_factory=list)
    signatories: list[str] = field(default_factory=list)
    grades: list[Grade] = field(default_factory=list)
    board_name: str | None = None
    footnotes: list[str] = field(default_factory=list)
    backend: str = ""

    @property
    def themes(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for f in self.findings:
            for t in f.themes:
                counts[t] = counts.get(t, 0) + 1
        return counts

    def findings_in(self, section: str) -> list[Finding]:
        return [f for f in self.findings if f.section == section]

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "title": self.title,
            "area": self.area.to_json() if self.area else None,
            "areas_mentioned": [a.to_json() for a in self.areas_mentioned],
            "published": self.published.isoformat() if self.published else None,
            "inspection": self.inspection.to_json() if self.inspection else None,
            "deep_dive": self.deep_dive,
            "period": self.period.to_json() if self.period else None,
            "pages": self.pages,
            "sections": [s.to_json() for s in self.sections],
            "findings": [f.to_json() for f in self.findings],
            "deadlines": [d.to_json() for d in self.deadlines],
            "themes": self.themes,
            # Additions to the contract.
            "addressees": [a.to_json() for a in self.addressees],
            "inspectorates": list(self.inspectorates),
            "signatories": list(self.signatories),
            "grades": [g.to_json() for g in self.grades],
            "board_name": self.board_name,
            "footnotes": list(self.footnotes),
            "backend": self.backend,
        }
