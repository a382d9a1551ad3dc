"""The theme taxonomy on real sentences from the seed letters, and its config-facing API."""

from __future__ import annotations

from pathlib import Path

import pytest

from parsers.themes import DEFAULT_THEMES, Taxonomy, Theme, themes_in

SEEDS = Path("/work/shared/corpus/seeds")
ISLINGTON = "000_21a66ca15c83ae3b.txt"
CORNWALL = "001_554819764a478eab.txt"
SHROPSHIRE = "004_f73b1c48d69ccc7d.txt"

THEME_NAMES = [
    "child sexual abuse", "child sexual exploitation", "criminal exploitation",
    "harmful sexual behaviour", "domestic abuse", "neglect", "missing children",
    "gangs and serious youth violence", "prevent and radicalisation",
    "fgm and harmful practices", "mental health", "front door", "strategy discussions",
    "thresholds", "early help", "private fostering", "lado and allegations",
    "children in care and care leavers", "youth offending", "mappa and sex offenders",
    "case reviews", "training and workforce", "supervision and management oversight",
    "voice of the child", "information sharing", "capacity and recruitment",
    "health services", "police investigations", "intermediaries",
]  # fmt: skip


def bullet(seed: str, start: str) -> str:
    """The seed line (a bullet, up to its page break) that starts with ``start``."""
    path = SEEDS / seed
    if not path.exists():
        pytest.skip("seed corpus not present")
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.lstrip("- ").startswith(start):
            return line
    raise AssertionError(f"no line starting {start!r} in {seed}")


@pytest.fixture(scope="module")
def tx() -> Taxonomy:
    return Taxonomy.default()


def test_names(tx: Taxonomy) -> None:
    assert tx.names == THEME_NAMES
    assert Taxonomy.default() is tx
    assert all(isinstance(t, Theme) for t in DEFAULT_THEMES)


@pytest.mark.parametrize(
    ("seed", "start", "expected"),
    [
        (
            ISLINGTON,
            "Some children subject to and at risk of child sexual abuse experience delays",
            {"intermediaries", "child sexual abuse", "police investigations"},
        ),
        (
            ISLINGTON,
            "Key health and education professionals who know the children well are not always "
            "invited to participate in initial strategy discussions",
            {"strategy discussions"},
        ),
        (
            ISLINGTON,
            "Police vacancies in safeguarding, coupled with a shortfall of qualified detectives",
            {"capacity and recruitment", "police investigations", "child sexual abuse",
             "training and workforce"},
        ),
        (
            ISLINGTON,
            "When partners disagree with threshold decisions for some children",
            {"thresholds"},
        ),
        (
            ISLINGTON,
            "Multi-agency public protection arrangements (MAPPA) are appropriately chaired",
            {"mappa and sex offenders", "children in care and care leavers"},
        ),
        (
            ISLINGTON,
            "The Metropolitan Police Service (MPS) has a dedicated inspection team",
            {"mappa and sex offenders", "information sharing", "police investigations"},
        ),
        (ISLINGTON, "CAMHS support to children in schools is strong", {"mental health"}),
        (ISLINGTON, "Midwives providing antenatal care", {"health services"}),
        (
            ISLINGTON,
            "It is impressive that the Youth Offending Service (YOS) management board",
            {"youth offending", "harmful sexual behaviour", "gangs and serious youth violence"},
        ),
        (
            ISLINGTON,
            "Senior police leaders have a commitment to protecting vulnerable children",
            {"missing children"},
        ),
        (
            ISLINGTON,
            "Communication and information-sharing between partners at the front door is strong",
            {"information sharing", "front door"},
        ),
        (
            CORNWALL,
            "For one child who displayed sexually harmful behaviour",
            {"harmful sexual behaviour"},
        ),
        (
            CORNWALL,
            "In relation to information-sharing across the partnership",
            {"information sharing"},
        ),
        (
            CORNWALL,
            "Within the MARU, effective management oversight",
            {"front door", "supervision and management oversight"},
        ),
        (
            CORNWALL,
            "Risks posed by registered sex offenders to their children",
            {"mappa and sex offenders", "strategy discussions"},
        ),
        (
            CORNWALL,
            "The police make many initial referrals using a vulnerability information screening tool",
            {"voice of the child"},
        ),
        (
            SHROPSHIRE,
            "Multi-agency arrangements for children who are at risk of or experiencing sexual "
            "exploitation and who go missing",
            {"child sexual exploitation", "missing children"},
        ),
        (
            SHROPSHIRE,
            "The partnership has recognised the need to widen agencies' responses",
            {"criminal exploitation", "gangs and serious youth violence"},
        ),
    ],
)
def test_seed_bullets(tx: Taxonomy, seed: str, start: str, expected: set[str]) -> None:
    found = tx.match(bullet(seed, start))
    assert expected <= set(found), found


def test_seed_negatives(tx: Taxonomy) -> None:
    # "missing key information" is not about missing children.
    found = tx.match(bullet(CORNWALL, "Decisions regarding referrals are appropriate"))
    assert "missing children" not in found
    # Neither are missed opportunities.
    found = tx.match(bullet(ISLINGTON, "It is recognised by the senior leadership team of Central North BCU"))
    assert "missing children" not in found
    assert "prevent and radicalisation" not in tx.match(
        bullet(CORNWALL, "When children experience or are at risk of sexual abuse in the family")
    )  # "this has not prevented individual agencies"


@pytest.mark.parametrize(
    ("text", "theme", "present"),
    [
        ("Work to prevent harm is good.", "prevent and radicalisation", False),
        ("to prevent harm", "prevent and radicalisation", False),
        ("Prevent harm early by acting on concerns.", "prevent and radicalisation", False),
        ("- Prevent escalation through early help", "prevent and radicalisation", False),
        ("Staff understand the Prevent duty.", "prevent and radicalisation", True),
        ("Prevent duty training is well attended.", "prevent and radicalisation", True),
        ("Referrals to Prevent are timely.", "prevent and radicalisation", True),
        ("PREVENT referrals", "prevent and radicalisation", True),
        ("risks of radicalisation and extremism", "prevent and radicalisation", True),
        ("the MASH is effective", "front door", True),
        ("mash and potatoes", "front door", False),
        ("LAC reviews", "children in care and care leavers", True),
        ("a lac of", "children in care and care leavers", False),
        ("DV notifications", "domestic abuse", True),
        ("CSE risk assessments", "child sexual exploitation", True),
        ("cse risk", "child sexual exploitation", False),
        ("Camhs waiting lists", "mental health", True),
        ("emotional wellbeing", "mental health", True),
        ("emotional well-being", "mental health", True),
        ("information sharing", "information sharing", True),
        ("information-\nsharing", "information sharing", True),
        ("strategy\nmeetings", "strategy discussions", True),
        ("section 47 enquiries", "strategy discussions", True),
        ("vacancies and caseloads", "capacity and recruitment", True),
        ("a vacancy", "capacity and recruitment", True),
        ("care leavers", "children in care and care leavers", True),
        ("a care leaver", "children in care and care leavers", True),
        ("looked-after children", "children in care and care leavers", True),
        ("looked after child", "children in care and care leavers", True),
        ("SCRs and CSPRs", "case reviews", True),
        ("an intermediary", "intermediaries", True),
        ("children who go missing", "missing children", True),
        ("when he went missing", "missing children", True),
        ("missing from home and care", "missing children", True),
        ("return home interviews", "missing children", True),
        ("missed opportunities", "missing children", False),
        ("some records are missing", "missing children", False),
        ("harmful sexualised behaviours", "harmful sexual behaviour", True),
        ("harmful sexual behavior", "harmful sexual behaviour", True),
        ("ABE interviews", "police investigations", True),
        ("achieving best evidence", "police investigations", True),
        ("county lines", "criminal exploitation", True),
        ("knife crime", "gangs and serious youth violence", True),
        ("female genital mutilation", "fgm and harmful practices", True),
        ("honour-based abuse", "fgm and harmful practices", True),
        ("privately fostered children", "private fostering", True),
        ("allegations against staff", "lado and allegations", True),
        ("the child's voice", "voice of the child", True),
        ("the childs voice", "voice of the child", True),
        ("their lived experiences", "voice of the child", True),
        ("early help", "early help", True),
        ("the early help hub", "early help", True),
        ("the early help hub", "front door", True),
        ("VAWG strategy", "domestic abuse", True),
        ("MARAC", "domestic abuse", True),
        ("registered sex offenders", "mappa and sex offenders", True),
        ("RSOs", "mappa and sex offenders", True),
        ("YOT workers", "youth offending", True),
        ("youth justice", "youth offending", True),
    ],
)
def test_terms(tx: Taxonomy, text: str, theme: str, present: bool) -> None:
    assert (theme in tx.match(text)) is present, tx.match(text)


def test_match_order_and_uniqueness(tx: Taxonomy) -> None:
    text = "Neglect, neglect and CSE; neglected children; child sexual exploitation and neglect."
    assert tx.match(text) == ["child sexual exploitation", "neglect"]
    assert themes_in(text) == tx.match(text)
    assert tx.match("") == []


def test_overlapping_terms_all_count(tx: Taxonomy) -> None:
    found = tx.match("looked after children who go missing")
    assert {"children in care and care leavers", "missing children"} <= set(found)


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("harmful sexual behaviour", "harmful sexual behaviour"),
        ("Harmful Sexual Behaviour", "harmful sexual behaviour"),
        ("HSB", "harmful sexual behaviour"),
        ("hsb", "harmful sexual behaviour"),
        ("harmful sexual behaviours", "harmful sexual behaviour"),
        ("MASH", "front door"),
        ("mash", "front door"),
        ("CAMHS", "mental health"),
        ("strategy meetings", "strategy discussions"),
        ("intermediary", "intermediaries"),
        ("Intermediaries", "intermediaries"),
        ("Looked After Children", "children in care and care leavers"),
        ("Prevent", "prevent and radicalisation"),
        ("county lines", "criminal exploitation"),
        ("child exploitation", "child sexual exploitation"),
        ("nonsense", None),
        ("", None),
    ],
)
def test_resolve(tx: Taxonomy, query: str, expected: str | None) -> None:
    assert tx.resolve(query) == expected


def test_suggest(tx: Taxonomy) -> None:
    assert tx.suggest("harmfull sexual behavior")[0] == "harmful sexual behaviour"
    assert tx.suggest("intermediares")[0] == "intermediaries"
    assert "domestic abuse" in tx.suggest("domestic abuze")
    assert tx.suggest("qqqqqq") == []
    assert all(s in tx.names for s in tx.suggest("neglekt"))


def test_with_extra_new_and_extended(tx: Taxonomy) -> None:
    extra = tx.with_extra(
        [
            {"name": "substance misuse", "synonyms": ["drug use", "alcohol misuse"], "acronyms": ["YZUP"]},
            Theme("neglect", synonyms=("poor home conditions",)),
        ]
    )
    assert extra.names == [*THEME_NAMES, "substance misuse"]
    assert tx.names == THEME_NAMES  # the original is unchanged
    assert extra.match("parental alcohol misuse and poor home conditions") == [
        "neglect",
        "substance misuse",
    ]
    assert extra.match("the YZUP service") == ["substance misuse"]
    assert "substance misuse" not in tx.match("parental alcohol misuse")
    assert extra.resolve("drug use") == "substance misuse"
    # A term shared with a built-in theme counts for both.
    both = tx.with_extra([Theme("exploitation", ("county lines", "sexual exploitation"), ("CSE",))])
    assert both.match("county lines") == ["criminal exploitation", "exploitation"]
    assert both.match("CSE") == ["child sexual exploitation", "exploitation"]


def test_duplicate_and_empty_names_rejected() -> None:
    with pytest.raises(ValueError):
        Taxonomy([Theme("a"), Theme("A")])
    with pytest.raises(ValueError):
        Theme("  ")


def test_patterns_are_built_once(tx: Taxonomy) -> None:
    assert tx.matcher is tx.matcher
