"""The Islington Safeguarding Children Board annual report 2015-16 (seed 002)."""

from datetime import date

import pytest

from parsers.api import parse_bytes, parse_text

_cache: dict = {}


@pytest.fixture(params=["text", "pdfminer", "pypdfium2"])
def doc(request, seed_text, seed_pdf):
    if request.param not in _cache:
        if request.param == "text":
            _cache["text"] = parse_text(seed_text("002"))
        else:
            _cache[request.param] = parse_bytes(seed_pdf("002"), backend=request.param)
    return _cache[request.param]


def test_board_identity(doc):
    assert doc.kind == "board_report"
    assert doc.title == "ISCB Annual Report"
    assert doc.board_name == "Islington Safeguarding Children Board"
    assert (doc.area.name, doc.area.ons_code) == ("Islington", "E09000019")
    assert (doc.period.start, doc.period.end) == (date(2015, 4, 1), date(2016, 3, 31))


def test_priorities_next_steps_key_messages(doc):
    assert [f.text for f in doc.findings_in("board_priority")] == [
        "Addressing the impact of neglect on children, including to help children become more resilient.",
        "Addressing the consequences / harm suffered as a result of domestic violence, parental mental ill-health and substance abuse.",
        "Identification of children who are vulnerable to sexual exploitation and holding perpetrators to account.",
    ]
    assert [set(f.themes) & {"neglect", "domestic abuse", "child sexual exploitation"} for f in doc.findings_in("board_priority")] == [
        {"neglect"}, {"domestic abuse"}, {"child sexual exploitation"},
    ]
    nxt = [f.text for f in doc.findings_in("next_steps")]
    assert len(nxt) == 10
    assert nxt[0] == "Strengthen the voice of children and young people on the ISCB and sub-groups"
    assert nxt[-1] == "Enhance its work with vulnerable adolescents."
    messages = doc.findings_in("key_message")
    assert len(messages) == 25
    assert messages[0].heading == "Messages for all partner agencies and strategic partners"
    assert messages[0].text.startswith("Support and champion staff sharing and recording information")
    assert messages[11].heading == "Key Messages for Politicians, Chief Executives, Directors"
    # A message hyphenated across a page break ("ac-" / "count") is one word again.
    assert messages[11].text == (
        "Ensure that the protection of children and young people is considered and takes account of the ISCB "
        "priorities in developing and implementing key plans and strategies."
    )


def test_sections_keep_their_figures(doc):
    sections = {f.heading: f for f in doc.findings_in("section")}
    assert "Table of Contents" not in sections and "Audience of this report 7" not in sections
    care = sections["Missing from care"]
    assert "429 recorded missing episodes" in care.figures
    assert "75 (52%) RHIs were completed" in care.figures
    home = sections["Missing from home"]
    assert "252 recorded missing episodes" in home.figures
    mase = sections["MASE"]
    assert any("MASE referrals have had a positive intervention" in f for f in mase.figures)
    cme = sections["Children Missing from Education"]
    assert "54 Missing Pupil Alerts" in cme.figures
    assert "missing children" in cme.themes
    lado = sections["Local Authority Designated Officer"]
    assert "lado and allegations" in lado.themes
    cdop = sections["Child Death Overview Panel"]
    assert "co-ordinated response by the Authority and its Board partners" in cdop.text
