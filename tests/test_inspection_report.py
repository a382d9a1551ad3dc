"""Ofsted children's services inspection reports: every real PDF in the shared corpus.

One session fixture extracts every PDF once with pypdfium2 (seconds); the structural
checks run over every manifest row, exact values are asserted for a sample spanning every
format, and the sample is parsed again with pdfminer.six to show both backends give the
same result.
"""

from __future__ import annotations

import importlib.util
import re
from datetime import date, datetime

import pytest

from parsers.errors import NotAPdf
from parsers.gazetteer import Gazetteer
from parsers.inspection_report import (
    GRADE_LABELS,
    JUDGEMENT_LABELS,
    _items,
    _parse_table,
    heading_grades,
    looks_like_inspection_report,
    parse_inspection_report,
)
from parsers.layout import Layout, layout_pages, layout_text
from parsers.pdf import extract_pdf
from parsers.records import AREA_FOR_IMPROVEMENT, JUDGEMENT, PRIORITY_ACTION, DateRange, Grade
from tests.support.corpus import OFSTED, SEEDS, manifest

FAST = "pypdfium2" if importlib.util.find_spec("pypdfium2") else "pdfminer"

ROWS = manifest() if (OFSTED / "manifest.csv").exists() else []
PDF_ROWS = [r for r in ROWS if r.path.read_bytes()[:1024].find(b"%PDF-") >= 0]
HTML_ROWS = [r for r in ROWS if r not in PDF_ROWS]
GRADES = set(GRADE_LABELS)

RI, GOOD, OUT, INAD, ADEQ = "requires_improvement", "good", "outstanding", "inadequate", "adequate"


def _published(row) -> date:  # noqa: ANN001
    return datetime.strptime(row.publication_date.strip(), "%d %B %Y").date()


def _row(stem: str):  # noqa: ANN201
    return next(r for r in PDF_ROWS if r.file.startswith(stem))


@pytest.fixture(scope="session")
def gazetteer() -> Gazetteer:
    return Gazetteer.default()


@pytest.fixture(scope="session")
def layouts() -> dict[str, Layout]:
    if not ROWS:
        pytest.fail(f"the shared corpus is missing at {OFSTED}; set JTAI_WATCH_SHARED")
    return {r.file: layout_pages(extract_pdf(r.path.read_bytes(), backend=FAST)) for r in PDF_ROWS}


@pytest.fixture(scope="session")
def parsed(layouts, gazetteer):  # noqa: ANN001, ANN201
    return {f: parse_inspection_report(layout, gazetteer) for f, layout in layouts.items()}


# --------------------------------------------------------------------------- every document


def test_the_corpus_is_what_the_tests_expect():
    assert len(ROWS) == 49
    assert len(PDF_ROWS) == 48
    assert [r.file for r in HTML_ROWS] == ["80429-birmingham-19-october-2012.pdf"]


@pytest.mark.parametrize("row", HTML_ROWS, ids=lambda r: r.file[:-4])
def test_html_page_served_as_pdf_is_refused(row):  # noqa: ANN001
    with pytest.raises(NotAPdf) as err:
        extract_pdf(row.path.read_bytes(), backend=FAST)
    assert "HTML" in str(err.value)


@pytest.mark.parametrize("row", PDF_ROWS, ids=lambda r: r.file[:-4])
def test_every_report(row, layouts, parsed, gazetteer):  # noqa: ANN001
    layout, doc = layouts[row.file], parsed[row.file]
    assert looks_like_inspection_report(layout)
    assert doc.kind == "inspection_report"
    assert doc.title and re.search(r"Inspection of|Review of the effectiveness", doc.title)

    # The primary area is the manifest's authority.
    assert doc.area is not None
    assert doc.area == gazetteer.by_urn(row.ofsted_urn)
    assert doc.area not in doc.areas_mentioned

    # Inspection dates: a real span, before the report was listed.
    published = _published(row)
    assert isinstance(doc.inspection, DateRange)
    assert doc.inspection.start <= doc.inspection.end
    assert (doc.inspection.end - doc.inspection.start).days <= 90
    assert doc.inspection.end <= published
    assert (published - doc.inspection.end).days <= 200
    # Stated publication dates agree with the listing; ILACS reports state none.
    if doc.published is not None:
        assert doc.published == published
    if row.file.startswith(("80449-bradford", "80553-slough-14")):
        assert doc.published is None  # neither 2014 report prints "Report published:"
    elif published.year < 2018 or row.file.startswith("80458-darlington"):
        assert doc.published == published  # SIF and 2013 reports state it
    else:
        assert doc.published is None  # ILACS reports do not

    # Grades: known keys and values, the overall judgement first (the LSCB for the
    # standalone board review), no judgement twice.
    keys = [g.judgement for g in doc.grades]
    assert keys and len(keys) == len(set(keys))
    assert set(keys) <= set(JUDGEMENT_LABELS)
    assert {g.grade for g in doc.grades} <= GRADES
    if "Review of the effectiveness" in doc.title and "Inspection of" not in doc.title:
        assert keys == ["lscb"]
    else:
        assert keys[0] == "overall_effectiveness"
        assert len(keys) >= 4
    if "Local Safeguarding Children Board" in doc.title or "local safeguarding children board" in doc.title:
        assert "lscb" in keys
    assert (ADEQ in {g.grade for g in doc.grades}) == row.file.startswith("80476-kent")

    # Findings: one judgement finding per grade, then the recommendations.
    judgements = doc.findings_in(JUDGEMENT)
    assert [f.text for f in judgements] == [
        f"{JUDGEMENT_LABELS[g.judgement]}: {GRADE_LABELS[g.grade]}" for g in doc.grades
    ]
    improvements = doc.findings_in(AREA_FOR_IMPROVEMENT)
    assert improvements, "every report says what needs to improve"
    for section in {f.section for f in doc.findings}:
        assert [f.ordinal for f in doc.findings_in(section)] == list(range(1, len(doc.findings_in(section)) + 1))
    for f in doc.findings:
        assert 1 <= f.page <= doc.pages
        assert f.text and f.text == f.text.strip() and "  " not in f.text
        assert not re.search(r"[\uf000-\uf0ff\ufffe]", f.text)
        assert not re.match(r"\d{1,3}\.\s", f.text), f.text
        assert len(f.text) >= 15
        assert not f.themes and not f.agencies
    for f in improvements + doc.findings_in(PRIORITY_ACTION):
        assert not re.match(r"There (?:are|were) no areas", f.text)
    for s in doc.sections:  # never the table of contents' "What does the LSCB need to improve? 43"
        assert not re.search(r"\d$", s.heading), s.heading
    kinds = {s.kind for s in doc.sections}
    assert JUDGEMENT in kinds and AREA_FOR_IMPROVEMENT in kinds


@pytest.mark.parametrize("row", PDF_ROWS, ids=lambda r: r.file[:-4])
def test_ilacs_grade_table_agrees_with_judgement_headings(row, layouts, parsed):  # noqa: ANN001
    """ILACS reports repeat each grade as a heading ("… children in care: good"): the grade
    table, however its cells wrapped, must say the same."""
    headings = heading_grades(_items(layouts[row.file].blocks))
    grades = {g.judgement: g.grade for g in parsed[row.file].grades}
    for key, grade in headings.items():
        assert grades.get(key) == grade, key


# --------------------------------------------------------------------------- exact values

ILACS_5 = ["overall_effectiveness", "impact_of_leaders", "help_and_protection", "children_in_care", "care_leavers"]
ILACS_4 = ["overall_effectiveness", "impact_of_leaders", "help_and_protection", "children_in_care_and_care_leavers"]
SIF = [
    "overall_effectiveness",
    "help_and_protection",
    "children_looked_after_and_permanence",
    "adoption",
    "care_leavers",
    "leadership_management_governance",
]

EXPECTED = {
    # ILACS 2021-: five judgements, one bullet to improve.
    "80505-islington-29-january-2025": dict(
        title="Inspection of Islington local authority children's services",
        inspection=(date(2024, 12, 2), date(2024, 12, 6)),
        published=None,
        grades=list(zip(ILACS_5, [OUT] * 5)),
        improve=["The consistency of seeking children's and families' views in the auditing process."],
    ),
    # ILACS 2021-: four judgements, "Requires improvement to be good" beside a wrapped label.
    "2532287-bournemouth-christchurch-and-poole-11-february-2022": dict(
        title="Inspection of Bournemouth, Christchurch and Poole local authority children's services",
        inspection=(date(2021, 12, 6), date(2021, 12, 17)),
        published=None,
        grades=list(zip(ILACS_4, [INAD, INAD, INAD, RI])),
        improve_count=7,
        improve_first="The recruitment and retention of a workforce that is experienced, competent and confident "
        "to deliver improvements, so that children no longer have multiple changes of social worker or personal adviser.",
        improve_last="Care leavers' access to their health records.",
    ),
    # SIF 2014 with LSCB review: "Requires" printed above its row, the LSCB on page 1.
    "80445-cambridgeshire-08-august-2014": dict(
        title="Cambridgeshire County Council: Inspection of services for children in need of help and protection, "
        "children looked after and care leavers and Review of the effectiveness of the local safeguarding children board",
        inspection=(date(2014, 6, 3), date(2014, 6, 25)),
        published=date(2014, 8, 8),
        grades=list(zip(SIF, [GOOD, RI, GOOD, GOOD, GOOD, GOOD])) + [("lscb", GOOD)],
        improve_count=12,
        improve_first="Ensure that statutory child protection guidance is followed on all strategy discussions and "
        "section 47 enquiries leading to a comprehensive assessment of risk and effective information sharing.",
        improve_last="The LSCB and health commissioners should ensure that there is a cohesive approach to the "
        "provision of child protection medicals in acute cases.",
        headings={None: 9, "LSCB": 3},
    ),
    # 2013 looked after children services: old four-point scale, bullets grouped by when.
    "80476-kent-23-august-2013": dict(
        title="Kent County Council: Inspection of looked after children services",
        inspection=(date(2013, 7, 15), date(2013, 7, 19)),
        published=date(2013, 8, 23),
        grades=[
            ("overall_effectiveness", ADEQ),
            ("capacity_to_improve", GOOD),
            ("outcomes_for_children_looked_after", ADEQ),
            ("quality_of_provision", ADEQ),
            ("leadership_and_management", ADEQ),
        ],
        improve_count=12,
        improve_first="improve the quality of supervision and management oversight in casework",
        improve_last="review the arrangements for the independent reviewing services to ensure that the case loads "
        "of the independent reviewing officers (IROs) are manageable.",
        headings={"Immediately": 3, "Within three months": 6, "Within six months": 3},
    ),
    # Standalone LSCB review: one judgement, the board named as the title.
    "80567-surrey-03-august-2015": dict(
        title="Surrey Safeguarding Children Board: Review of the effectiveness of the Local Safeguarding Children Board",
        inspection=(date(2015, 6, 15), date(2015, 6, 17)),
        published=date(2015, 8, 3),
        grades=[("lscb", RI)],
        improve_count=8,
        improve_last="Put in place a process for assessing the impact of training on improving the quality of "
        "practice (paragraph 15).",
        board_name="Surrey Safeguarding Children Board",
    ),
    # ILACS 2020: the table broken differently by each backend.
    "80520-luton-24-february-2020": dict(
        title="Luton Borough Council: Inspection of children's social care services",
        inspection=(date(2020, 1, 13), date(2020, 1, 24)),
        published=None,
        grades=list(zip(ILACS_4, [INAD, RI, INAD, RI])),
        improve_count=13,
        improve_first="The identification and response to risk and need in the multi-agency safeguarding hub.",
        improve_last="Social workers' caseloads, which are too high in some teams.",
    ),
    # ILACS 2023 inspected in two visits: the whole span.
    "80557-south-tyneside-10-may-2023": dict(
        title="Inspection of South Tyneside local authority children's services",
        inspection=(date(2022, 12, 5), date(2023, 2, 15)),
        published=None,
        grades=list(zip(ILACS_4, [INAD, INAD, RI, INAD])),
        improve_count=7,
        improve_last="The timeliness and quality of direct work with children, including life-story work.",
    ),
    # SIF 2017 without an LSCB review: "Recommendations".
    "80482-leicester-04-september-2017": dict(
        title="Leicester City Council: Inspection of services for children in need of help and protection, "
        "children looked after and care leavers",
        inspection=(date(2017, 6, 19), date(2017, 7, 13)),
        published=date(2017, 9, 4),
        grades=list(zip(SIF, [RI, RI, RI, GOOD, RI, GOOD])),
        improve_count=11,
        improve_last="Develop a commissioning and sufficiency strategy to ensure that services are commissioned "
        "against identified need within an agreed framework across the city.",
    ),
    # SIF 2015: priority actions and areas for improvement, for the LA and the LSCB.
    "80506-lambeth-12-may-2015": dict(
        inspection=(date(2015, 2, 24), date(2015, 3, 18)),
        published=date(2015, 5, 12),
        grades=list(zip(SIF, [INAD, RI, INAD, INAD, RI, INAD])) + [("lscb", INAD)],
        improve_count=27,
        priority_count=9,
        headings={
            "Safeguarding children": 3,
            "Quality of practice": 6,
            "Leadership, management and governance": 8,
            "LSCB: Scrutiny, awareness and challenge": 5,
            "LSCB: Quality and evaluation": 5,
        },
    ),
    # ILACS 2018: a grade split "Requires improvement to" / "be good"; Wingdings bullets.
    "80542-rochdale-12-march-2018": dict(
        title="Rochdale Borough Council: Inspection of local authority children's services",
        inspection=(date(2018, 1, 29), date(2018, 2, 9)),
        published=None,
        grades=list(zip(ILACS_4, [RI, RI, RI, GOOD])),
        improve_count=4,
        improve_first="The quality of practice and management oversight.",
    ),
    # ILACS 2019: "Requires improvement" / "to be good" on two lines, overall last.
    "80584-worcestershire-29-july-2019": dict(
        title="Worcestershire: Inspection of children's social care services",
        inspection=(date(2019, 6, 17), date(2019, 6, 28)),
        published=None,
        grades=list(zip(ILACS_4, [RI] * 4)),
        improve_count=8,
    ),
    # SIF 2018: "Requires" / "improvement to be" / "good" around a wrapped label.
    "80458-darlington-21-may-2018": dict(
        inspection=(date(2018, 2, 27), date(2018, 3, 22)),
        published=date(2018, 5, 21),
        grades=list(zip(SIF, [RI, RI, RI, GOOD, GOOD, RI])),
        improve_count=14,
    ),
}

# Parsed again with pdfminer.six: the same results from both backends.
PARITY = [
    "80505-islington-29-january-2025",
    "2532287-bournemouth-christchurch-and-poole-11-february-2022",
    "80445-cambridgeshire-08-august-2014",
    "80476-kent-23-august-2013",
    "80567-surrey-03-august-2015",
    "80520-luton-24-february-2020",
    "80557-south-tyneside-10-may-2023",
    "80482-leicester-04-september-2017",
    "80542-rochdale-12-march-2018",
]


def _check_expected(doc, want: dict) -> None:  # noqa: ANN001
    if "title" in want:
        assert doc.title == want["title"]
    start, end = want["inspection"]
    assert doc.inspection == DateRange(start, end)
    assert doc.published == want["published"]
    assert [(g.judgement, g.grade) for g in doc.grades] == want["grades"]
    improve = doc.findings_in(AREA_FOR_IMPROVEMENT)
    if "improve" in want:
        assert [f.text for f in improve] == want["improve"]
    if "improve_count" in want:
        assert len(improve) == want["improve_count"]
    if "improve_first" in want:
        assert improve[0].text == want["improve_first"]
    if "improve_last" in want:
        assert improve[-1].text == want["improve_last"]
    assert len(doc.findings_in(PRIORITY_ACTION)) == want.get("priority_count", 0)
    if "headings" in want:
        counts: dict = {}
        for f in improve:
            counts[f.heading] = counts.get(f.heading, 0) + 1
        assert counts == want["headings"]
    if "board_name" in want:
        assert doc.board_name == want["board_name"]


@pytest.mark.parametrize("stem", list(EXPECTED), ids=str)
def test_exact_values(stem, parsed):  # noqa: ANN001
    doc = parsed[_row(stem).file]
    _check_expected(doc, EXPECTED[stem])


def test_islington_2025_in_full(parsed, gazetteer):  # noqa: ANN001
    doc = parsed[_row("80505-islington").file]
    assert doc.area == gazetteer.lookup("Islington")
    assert doc.grades[0] == Grade("overall_effectiveness", OUT)
    assert doc.areas_mentioned == []  # not Manchester, from Ofsted's address on the back page
    assert [(f.section, f.ordinal, f.page, f.text) for f in doc.findings] == [
        (JUDGEMENT, 1, 1, "Overall effectiveness: Outstanding"),
        (JUDGEMENT, 2, 1, "The impact of leaders on social work practice with children and families: Outstanding"),
        (JUDGEMENT, 3, 1, "The experiences and progress of children who need help and protection: Outstanding"),
        (JUDGEMENT, 4, 1, "The experiences and progress of children in care: Outstanding"),
        (JUDGEMENT, 5, 1, "The experiences and progress of care leavers: Outstanding"),
        (AREA_FOR_IMPROVEMENT, 1, 2, "The consistency of seeking children's and families' views in the auditing process."),
    ]
    assert [(s.heading, s.kind) for s in doc.sections] == [
        ("Judgements", JUDGEMENT),
        ("What needs to improve?", AREA_FOR_IMPROVEMENT),
    ]
    json = doc.to_json()
    assert json["kind"] == "inspection_report"
    assert json["area"]["ofsted_urn"] == "80505"
    assert json["inspection"] == {"start": "2024-12-02", "end": "2024-12-06"}
    assert json["grades"][0] == {"judgement": "overall_effectiveness", "grade": "outstanding"}


def _summary(doc) -> dict:  # noqa: ANN001
    return {
        "title": doc.title,
        "area": doc.area,
        "inspection": doc.inspection,
        "published": doc.published,
        "grades": doc.grades,
        "findings": [(f.section, f.ordinal, f.page, f.heading, f.text) for f in doc.findings],
        "sections": doc.sections,
    }


@pytest.mark.skipif(FAST == "pdfminer", reason="pypdfium2 not installed: nothing to compare")
@pytest.mark.parametrize("stem", PARITY, ids=str)
def test_pdfminer_gives_the_same_result(stem, parsed, gazetteer):  # noqa: ANN001
    row = _row(stem)
    doc = parse_inspection_report(layout_pages(extract_pdf(row.path.read_bytes(), backend="pdfminer")), gazetteer)
    assert _summary(doc) == _summary(parsed[row.file])
    if stem in EXPECTED:
        _check_expected(doc, EXPECTED[stem])


# --------------------------------------------------------------------------- what it is not


@pytest.mark.parametrize("prefix", ["000", "001", "002", "004"])
def test_jtai_letters_and_board_reports_are_not_inspection_reports(prefix):
    text = next(SEEDS.glob(f"{prefix}_*.txt")).read_text(encoding="utf-8")
    assert not looks_like_inspection_report(layout_text(text))


def test_a_board_report_quoting_an_inspection_is_not_one():
    text = (
        "Islington Safeguarding Children Board\n\nAnnual Report 2018-19\n\n"
        "Foreword\n\nIn 2018 Ofsted published its Inspection of Islington local authority children's "
        "services, which found services to be outstanding.\n\n"
        "Inspection of local authority children's services\n\nThe inspection took place between 2 and 6 July 2018.\n"
    )
    assert not looks_like_inspection_report(layout_text(text))


def test_empty_layout():
    assert not looks_like_inspection_report(layout_text(""))


# --------------------------------------------------------------------------- plain text


ILACS_TEXT = """Inspection of Islington local authority
children's services

Inspection dates: 5 to 9 December 2022 and 14 to 15 February 2023

Lead inspector: A Person, His Majesty's Inspector

Judgement Grade
The impact of leaders on social work Requires improvement to be good
practice with children and families
The experiences and progress of Good
children who need help and protection
The experiences and progress of
children in care Outstanding
The experiences and progress of care Inadequate
leavers
Overall effectiveness Requires improvement to be good

Children in Camden and Islington are mostly well served.

What needs to improve?

- The timeliness of assessments.
- The response to children:
- missing from home, and
- at risk of exploitation.

The experiences and progress of children who need help and protection: good

1. Early help is effective.
"""


def test_ilacs_text(gazetteer):  # noqa: ANN001
    layout = layout_text(ILACS_TEXT)
    assert looks_like_inspection_report(layout)
    doc = parse_inspection_report(layout, gazetteer)
    assert doc.title == "Inspection of Islington local authority children's services"
    assert doc.area == gazetteer.lookup("Islington")
    assert [a.name for a in doc.areas_mentioned] == ["Camden"]
    assert doc.inspection == DateRange(date(2022, 12, 5), date(2023, 2, 15))
    assert doc.published is None
    assert [(g.judgement, g.grade) for g in doc.grades] == [
        ("overall_effectiveness", RI),
        ("impact_of_leaders", RI),
        ("help_and_protection", GOOD),
        ("children_in_care", OUT),
        ("care_leavers", INAD),
    ]
    assert [f.text for f in doc.findings_in(AREA_FOR_IMPROVEMENT)] == [
        "The timeliness of assessments.",
        "The response to children: missing from home, and at risk of exploitation.",
    ]


SIF_TEXT = """Leicester City Council

Inspection of services for children in need of help and
protection, children looked after and care leavers

Inspection date: 18 Feb 2014 - 12 March 2014

Report published: 8 Aug 2014

The overall judgement is requires improvement

Requires
1. Children who need help and protection
improvement to be
good
2. Children looked after and achieving Good
permanence
2.1 Adoption performance Requires
improvement
2.2 Experiences and progress of care leavers Outstanding
3. Leadership, management and governance Inadequate
Executive summary

What does the local authority need to improve?

Priority and immediate action

1. There are no areas of priority action.

Areas for improvement

Safeguarding children

2. Ensure that plans are specific.
3. Ensure that chronologies are used.

The local authority's strengths

4. Strong leadership.
"""


def test_sif_text(gazetteer):  # noqa: ANN001
    doc = parse_inspection_report(layout_text(SIF_TEXT), gazetteer)
    assert doc.title.startswith("Leicester City Council: Inspection of services for children in need")
    assert doc.area == gazetteer.lookup("Leicester")
    assert doc.inspection == DateRange(date(2014, 2, 18), date(2014, 3, 12))
    assert doc.published == date(2014, 8, 8)
    assert [(g.judgement, g.grade) for g in doc.grades] == list(zip(SIF, [RI, RI, GOOD, RI, OUT, INAD]))
    assert doc.findings_in(PRIORITY_ACTION) == []
    improve = doc.findings_in(AREA_FOR_IMPROVEMENT)
    assert [(f.ordinal, f.heading, f.text) for f in improve] == [
        (1, "Safeguarding children", "Ensure that plans are specific."),
        (2, "Safeguarding children", "Ensure that chronologies are used."),
    ]


def test_sif_recommendation_with_a_sub_list(gazetteer):  # noqa: ANN001
    text = SIF_TEXT.replace(
        "Areas for improvement\n\nSafeguarding children\n\n",
        "Areas for improvement\n\n1. Ensure that all assessments:\n- Are timely.\n- Consider history.\n\n",
    ).replace("2. Ensure that plans", "\n2. Ensure that plans")
    improve = parse_inspection_report(layout_text(text), gazetteer).findings_in(AREA_FOR_IMPROVEMENT)
    assert [f.text for f in improve] == [
        "Ensure that all assessments: Are timely. Consider history.",
        "Ensure that plans are specific.",
        "Ensure that chronologies are used.",
    ]


@pytest.mark.parametrize(
    "lines, want",
    [
        # pdfminer, Worcestershire 2019: the overall grade above and below its label.
        (["Requires improvement", "Overall effectiveness", "to be good"], [("overall_effectiveness", RI, 1)]),
        # pypdfium2, Swindon 2019: the label wraps, the grade at the end of the second line.
        (
            ["The impact of leaders on social work practice with children", "and families Good", "Overall effectiveness Good"],
            [("impact_of_leaders", GOOD, 1), ("overall_effectiveness", GOOD, 1)],
        ),
        # Shropshire 2017: "Requires improvement to" / "be good" on both sides of the wrap.
        (
            ["2. Children looked after and achieving Requires improvement to", "permanence be good", "2.1 Adoption performance Good"],
            [("children_looked_after_and_permanence", RI, 1), ("adoption", GOOD, 1)],
        ),
        # More grades than rows: nothing rather than a wrong pairing.
        (["Overall effectiveness Good Inadequate"], []),
    ],
)
def test_grade_table_lines(lines, want):  # noqa: ANN001
    assert _parse_table([(line, 1) for line in lines]) == want
