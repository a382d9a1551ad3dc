"""Which partner agencies a finding names: police, health, probation, local authority,
schools, youth offending (the six of the design, always reported in that order).

Why it works as it does:

* It is the theme matcher (:class:`parsers.themes.TermMatcher`) with a different vocabulary:
  case-insensitive terms on folded text, case-sensitive acronyms ("NHS", "GP", "YOS", "MPS",
  "BCU", "NPS", "CRC") on cleaned text, each kind one compiled alternation, longest first.

* Unlike themes, matching here is **non-overlapping**, so that a longer phrase owns the words
  inside it. That lets a few phrases say which agency a generic word belongs to, or that it
  names none ("blockers"):
  - "officer(s)" alone is police (JTAI letters say "officers" for police officers), but
    "probation officer" is probation, "local authority designated officer" and "independent
    reviewing officer" the local authority, "youth offending officer" youth offending,
    "education welfare officer" schools, and "chief operating/executive officer" nobody;
  - "school" is schools, but "school nurse(s)/nursing" is health and "virtual school" the
    local authority;
  - "health" is health when it means the agencies ("health partners", "health staff"), but
    "mental health", "emotional health", "physical health", "health and well-being" and
    "health and safety" are conditions, not agencies; "mental health services/practitioners/
    teams" and "child and adolescent mental health" are health again;
  - the inspectorates are not the agencies: "HMI Probation", "HM Inspectorate of Probation",
    "HMI Constabulary", "Inspector(ate) of Constabulary", "Department for Education".

* **No seventh "social care" agency.** Children's social care is the local authority's
  service, and the design lists six agencies, so "social care", "social worker(s)", "social
  work", "children's services" and "council" all report "local authority".
"""

from __future__ import annotations

from functools import lru_cache

from .themes import TermMatcher

__all__ = ["AGENCIES", "agencies_in"]

AGENCIES: tuple[str, ...] = (
    "police",
    "health",
    "probation",
    "local authority",
    "schools",
    "youth offending",
)

# (label or None for a blocker, case-insensitive terms, case-sensitive acronyms)
_VOCABULARY: tuple[tuple[str | None, tuple[str, ...], tuple[str, ...]], ...] = (
    (
        "police",
        (
            "police", "policing", "police officer", "officer", "detective", "constabulary",
            "police force", "metropolitan police", "child abuse investigation team",
            "public protection unit", "police and crime commissioner",
        ),
        ("MPS", "BCU", "CAIT", "PPU", "PCC"),
    ),
    (
        "health",
        (
            "health", "nhs", "clinical commissioning group", "camhs",
            "child and adolescent mental health", "mental health service",
            "mental health practitioner", "mental health team", "mental health worker",
            "mental health provision", "general practitioner", "hospital", "midwife",
            "midwives", "midwifery", "health visitor", "health visiting", "school nurse",
            "school nursing", "sexual health", "paediatric", "paediatrician", "nurse",
            "nursing", "designated doctor", "named doctor", "emergency department",
            "accident and emergency", "primary care", "maternity", "antenatal",
        ),
        ("NHS", "CCG", "CAMHS", "GP", "ICB", "SARC", "A&E"),
    ),
    (
        "probation",
        (
            "probation", "probation officer", "probation service officer",
            "national probation service",
            "community rehabilitation company", "offender manager",
        ),
        ("NPS", "CRC"),
    ),
    (
        "local authority",
        (
            "local authority", "council", "children's social care", "social care",
            "social worker", "social work", "children's services",
            "director of children's services", "local authority designated officer",
            "designated officer", "independent reviewing officer", "reviewing officer",
            "virtual school", "lado",
        ),
        ("IRO", "DCS"),
    ),
    (
        "schools",
        (
            "school", "schools", "teacher", "headteacher", "head teacher", "education",
            "designated safeguarding lead", "college", "pupil", "education welfare officer",
            "attendance officer", "education setting", "senco",
        ),
        ("DSL",),
    ),
    (
        "youth offending",
        (
            "youth offending", "youth offending service", "youth offending team",
            "youth offending officer", "youth justice", "youth justice service",
        ),
        ("YOS", "YOT", "YJS"),
    ),
    (
        None,
        (
            "mental health", "emotional health", "physical health", "health and well-being",
            "health and safety", "hmi probation", "hm inspectorate of probation",
            "inspectorate of probation", "hmi constabulary", "inspectorate of constabulary",
            "inspector of constabulary", "chief operating officer", "operating officer",
            "chief executive officer", "executive officer", "department for education",
        ),
        (),
    ),
)


@lru_cache(maxsize=1)
def _matcher() -> TermMatcher:
    entries: list[tuple[str, tuple[str, ...], bool]] = []
    for label, terms, acronyms in _VOCABULARY:
        labels = (label,) if label else ()
        entries.extend((term, labels, False) for term in terms)
        entries.extend((term, labels, True) for term in acronyms)
    return TermMatcher(entries, overlapping=False)


def agencies_in(text: str) -> list[str]:
    """The agencies ``text`` names, in the fixed order of :data:`AGENCIES`."""
    found = _matcher().labels_in(text)
    return [agency for agency in AGENCIES if agency in found]
