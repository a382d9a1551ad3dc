"""JTAI letters from the seeds: parsed as text and as real PDFs on both backends."""

from datetime import date

import pytest

from parsers.api import parse_bytes, parse_text

SOURCES = ["text", "pdfminer", "pypdfium2"]

EXPECTED = {
    "000": dict(
        area=("Islington", "E09000019", "80505"),
        published=date(2019, 1, 29),
        inspection=(date(2018, 12, 3), date(2018, 12, 7)),
        due=date(2019, 5, 10),
        counts={"strength": 32, "priority_action": 0, "area_for_improvement": 16,
                "practice_study_strength": 1, "practice_study_improvement": 1, "next_steps": 1},
        addressees=7,
        mentions={"Haringey", "Camden"},
    ),
    "001": dict(
        area=("Cornwall", "E06000052", "80454"),
        published=date(2018, 11, 23),
        inspection=(date(2018, 10, 8), date(2018, 10, 12)),
        due=date(2019, 3, 6),
        counts={"strength": 30, "priority_action": 0, "area_for_improvement": 24,
                "practice_study_strength": 1, "practice_study_improvement": 1, "next_steps": 1},
        addressees=10,
        mentions={"Plymouth", "Isles of Scilly"},
    ),
    "004": dict(
        area=("Shropshire", "E06000051", "80552"),
        published=date(2019, 1, 15),
        inspection=(date(2018, 11, 19), date(2018, 11, 23)),
        due=date(2019, 4, 25),
        counts={"strength": 28, "priority_action": 0, "area_for_improvement": 21,
                "practice_study_strength": 1, "practice_study_improvement": 1, "next_steps": 1},
        addressees=6,
        mentions=set(),
    ),
}

_cache: dict = {}


def parsed(prefix: str, source: str, seed_text, seed_pdf):
    key = (prefix, source)
    if key not in _cache:
        if source == "text":
            _cache[key] = parse_text(seed_text(prefix))
        else:
            _cache[key] = parse_bytes(seed_pdf(prefix), backend=source)
    return _cache[key]


@pytest.fixture(params=SOURCES)
def source(request):
    return request.param


@pytest.mark.parametrize("prefix", sorted(EXPECTED))
def test_letter_facts(prefix, source, seed_text, seed_pdf):
    doc = parsed(prefix, source, seed_text, seed_pdf)
    exp = EXPECTED[prefix]
    assert doc.kind == "jtai_letter"
    assert (doc.area.name, doc.area.ons_code, doc.area.ofsted_urn) == exp["area"]
    assert doc.published == exp["published"]
    assert (doc.inspection.start, doc.inspection.end) == exp["inspection"]
    assert doc.deep_dive == "sexual abuse in the family"
    assert doc.title.startswith("Joint targeted area inspection of the multi-agency response to sexual abuse")
    assert [(d.what, d.due) for d in doc.deadlines] == [("written statement of action", exp["due"])]
    assert doc.inspectorates == ["Ofsted", "CQC", "HMICFRS", "HMI Probation"]
    assert len(doc.addressees) == exp["addressees"]
    assert [s.split(",")[0] for s in doc.signatories] == ["Yvette Stanley", "Ursula Gallagher", "Wendy Williams", "Helen Davies"]
    counts = {k: len(doc.findings_in(k)) for k in exp["counts"]}
    assert counts == exp["counts"]
    assert exp["mentions"] <= {a.name for a in doc.areas_mentioned}
    assert doc.area.name not in {a.name for a in doc.areas_mentioned}
    # Ordinals run 1..n within each section; pages are real page numbers.
    for section, n in exp["counts"].items():
        assert [f.ordinal for f in doc.findings_in(section)] == list(range(1, n + 1))
    assert all(1 <= f.page <= doc.pages for f in doc.findings)


def test_islington_findings_text(source, seed_text, seed_pdf):
    doc = parsed("000", source, seed_text, seed_pdf)
    strengths = doc.findings_in("strength")
    # A bullet cut by a page break mid-sentence is whole again.
    assert (
        "This investment in training staff across the partnership demonstrates commitment to providing a safe "
        "environment in which children can disclose sexual abuse, as well as commitment to further understanding"
    ) in strengths[3].text
    # ...even when the next page starts with a capital ("the Camden and Islington" / "MASH teams").
    assert "sergeants from the Camden and Islington MASH teams in order to consider any issues" in strengths[15].text
    # A paragraph without a bullet after a page break stays with its bullet.
    assert strengths[11].text.startswith("Detailed care and attention has been given to ensuring that the Lighthouse")
    assert strengths[11].text.endswith(
        "\n\nThe service offer includes young people up to the age of 18 years, or 25 if they have learning "
        "disabilities, with operating procedures clearly recognising the complex issues of capacity and consent."
    )
    afi = doc.findings_in("area_for_improvement")
    assert afi[8].text.endswith(
        "Some partners do not routinely receive updates on children they have referred to the front door, for "
        "example sexual health services, school nurses and GPs. This means they are not always aware of the "
        "outcome of decisions and any ongoing risks to children using their service."
    )
    assert afi[13].text == (
        "Safeguarding practice and record-keeping in IYPDAS are not of a consistently good quality. Assessment of "
        "risks and individual review arrangements lack relevant detail. Records do not clearly evidence the impact "
        "of work undertaken. This reduces staff identification of emerging safeguarding concerns for children."
        "\n\nSenior leaders across the partnership produced an action plan to address gaps in safeguarding "
        "practice while the inspection team was on site."
    )
    ab = afi[11]
    assert ab.text.startswith("Some children subject to and at risk of child sexual abuse experience delays")
    assert {"intermediaries", "child sexual abuse", "police investigations"} <= set(ab.themes)
    study = doc.findings_in("practice_study_improvement")[0]
    assert "David is aged 14" in study.text  # pseudonyms are left as they are
    assert "potentially abducting David and his siblings" in study.text
    assert "Additional risk factors, including the mum's mental health and non-compliance, are not considered" in study.text
    assert "All names are pseudonyms" not in study.text
    good = doc.findings_in("practice_study_strength")[0]
    assert good.text.startswith("A key strength in Islington is the strong multi-agency implementation")
    assert good.text.count("\n\n") == 2  # three paragraphs, one study
    # No page furniture or footnote text leaks into findings.
    for f in doc.findings:
        assert "Care Quality Commission\n" not in f.text
        assert "conducted under section 20 of the Children Act 2004" not in f.text
        assert "¹" not in f.text and "²" not in f.text
    assert any("conducted under section 20 of the Children Act 2004" in n for n in doc.footnotes)


def test_cornwall_no_priority_actions(source, seed_text, seed_pdf):
    doc = parsed("001", source, seed_text, seed_pdf)
    assert ("Areas for priority action", "priority_action") in [(s.heading, s.kind) for s in doc.sections]
    assert doc.findings_in("priority_action") == []
    first = doc.findings_in("area_for_improvement")[0]
    assert first.text.startswith(
        "Within the MARU, strategy discussions are mostly timely, but they do not routinely involve all relevant agencies."
    )
    assert "strategy discussions" in first.themes
    assert "front door" in first.themes  # MARU
    assert doc.addressees[0].name == "Trevor Doughty"
    assert doc.addressees[0].role == "Director of Children's Services"
    assert doc.addressees[0].organisation == "Cornwall Council"


def test_shropshire_run_on_addressees_and_cut_intro(source, seed_text, seed_pdf):
    doc = parsed("004", source, seed_text, seed_pdf)
    assert [a.name for a in doc.addressees] == [
        "Karen Bradshaw", "John Campion", "Anthony Bangham", "Keith Barham", "Jackie Stevenson", "Ivan Powell",
    ]
    afi = doc.findings_in("area_for_improvement")
    assert afi[0].text.startswith(
        "The partnership is not currently achieving the maximum effectiveness from the colocation of agencies within Compass."
    )
    texts = [f.text for f in doc.findings]
    assert not any(t.startswith("including a review of pathways") for t in texts)


def test_json_contract_shape(seed_text):
    doc = parse_text(seed_text("000"))
    j = doc.to_json()
    for key in ("kind", "title", "area", "areas_mentioned", "published", "inspection", "deep_dive", "period",
                "pages", "sections", "findings", "deadlines", "themes"):
        assert key in j
    assert j["area"] == {"name": "Islington", "ons_code": "E09000019", "ofsted_urn": "80505"}
    assert j["inspection"] == {"start": "2018-12-03", "end": "2018-12-07"}
    assert j["deadlines"] == [{"what": "written statement of action", "due": "2019-05-10"}]
    f = j["findings"][0]
    assert set(f) >= {"section", "ordinal", "page", "text", "themes", "agencies"}
    assert j["themes"]["child sexual abuse"] >= 10
