"""tasks.render: alerts built from the real seed letters, rendered as email, chat and digests."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest

from parsers.api import parse_text
from parsers.diff import describe, diff_findings
from parsers.records import AREA_FOR_IMPROVEMENT, STRENGTH
from tasks.render import (
    Alert,
    AlertDocument,
    AlertHit,
    AlertMatch,
    RenderedEmail,
    environment,
    escape_markdown,
    find_phrase_spans,
    make_hit,
    render_chat,
    render_digest_chat,
    render_digest_email,
    render_email,
    snippet_around,
)
from tests.support.corpus import seed_path

ISLINGTON_URL = "https://files.ofsted.gov.uk/v1/file/50057221"
CORNWALL_URL = "https://files.ofsted.gov.uk/v1/file/50044412"
SHROPSHIRE_URL = "https://files.ofsted.gov.uk/v1/file/50056071"
TAG = re.compile(r"</?[a-zA-Z][^>]*>")


@pytest.fixture(scope="module")
def parsed():
    return {p: parse_text(seed_path(p).read_text(encoding="utf-8")) for p in ("000", "001", "002", "004")}


def _intermediaries_finding(doc):
    [f] = [f for f in doc.findings_in(AREA_FOR_IMPROVEMENT) if "intermediaries" in f.text]
    return f


def _hit_by_hand(finding, phrase="intermediaries"):
    """A snippet and highlight span computed here, independently of tasks.render."""
    text = finding.text
    at = text.index(phrase)
    start = text.rfind(". ", 0, at) + 2  # from the start of the sentence
    snippet = text[start : start + 200]
    return AlertHit(
        section=finding.section,
        ordinal=finding.ordinal,
        snippet=snippet,
        highlights=[(at - start, at - start + len(phrase))],
        themes=list(finding.themes),
        phrases=[phrase],
    )


@pytest.fixture(scope="module")
def islington_alert(parsed):
    isl, shrop = parsed["000"], parsed["004"]
    finding = _intermediaries_finding(isl)
    # A new document is compared with the area's previous letter; the seeds hold one letter per
    # area, so the comparison is with another area's letter of the same deep dive (as the
    # diff tests do): it yields real theme movements and finding lines.
    diff = diff_findings(shrop.findings, isl.findings)
    return Alert(
        subscriber="policy-officer",
        document=AlertDocument.from_parsed(isl, ISLINGTON_URL),
        matches=[AlertMatch("phrases: intermediaries in JTAI letters", [_hit_by_hand(finding)])],
        change="new_document",
        diff_lines=describe(diff),
        changed=diff.summary(),
    )


def _area_alert(doc, url, subscriber="digest-reader", label=None):
    hits = [make_hit(f, ["strategy"]) for f in doc.findings_in(AREA_FOR_IMPROVEMENT)[:2]]
    return Alert(
        subscriber=subscriber,
        document=AlertDocument.from_parsed(doc, url),
        matches=[AlertMatch(label or f"areas: {doc.area.name}", hits)],
        change="new_document",
    )


# ------------------------------------------------------------------------------ records


def test_alert_document_from_the_parsed_letter(parsed):
    doc = AlertDocument.from_parsed(parsed["000"], ISLINGTON_URL)
    assert doc.kind == "jtai_letter"
    assert doc.area == "Islington"
    assert doc.published == date(2019, 1, 29)
    assert doc.deadlines == [("written statement of action", date(2019, 5, 10))]


def test_alert_json_round_trip(islington_alert):
    payload = islington_alert.to_json()
    text = json.dumps(payload)  # what an outbox row's JSON column stores
    back = Alert.from_json(json.loads(text))
    assert back == islington_alert
    assert Alert.from_json(text) == islington_alert
    assert back.document.published == date(2019, 1, 29)
    assert back.document.deadlines == [("written statement of action", date(2019, 5, 10))]
    assert back.matches[0].hits[0].highlights == islington_alert.matches[0].hits[0].highlights
    assert render_email(back) == render_email(islington_alert)
    assert render_chat(back) == render_chat(islington_alert)


def test_alert_json_carries_no_notify_urls(islington_alert):
    payload = islington_alert.to_json()
    assert set(payload) == {"schema", "subscriber", "document", "matches", "change", "diff_lines", "changed"}
    assert "notify" not in json.dumps(payload)
    # Extra keys in a stored payload are ignored, never rendered.
    payload = dict(payload, notify=["mailtos://user:secret@example.org"])
    back = Alert.from_json(payload)
    mail = render_email(back)
    assert "secret" not in mail.text + mail.html + render_chat(back)


def test_change_is_checked(islington_alert):
    with pytest.raises(ValueError, match="change"):
        Alert("x", islington_alert.document, [], change="new_thing")  # type: ignore[arg-type]


# ------------------------------------------------------------------------------ snippets


def test_phrase_spans_are_whole_words_any_case():
    text = "Intermediaries help. intermediary-led work; the intermediaries' role; preintermediaries"
    spans = find_phrase_spans(text, ["intermediaries"])
    assert [text[a:b] for a, b in spans] == ["Intermediaries", "intermediaries"]
    text = "harmful  sexual\nbehaviour, harmful sexual-behaviour"
    assert [text[a:b] for a, b in find_phrase_spans(text, ["Harmful Sexual Behaviour"])] == [
        "harmful  sexual\nbehaviour",
        "harmful sexual-behaviour",
    ]


def test_snippet_around_keeps_highlights_on_the_phrase(parsed):
    finding = _intermediaries_finding(parsed["000"])
    spans = find_phrase_spans(finding.text, ["intermediaries"])
    snippet, moved = snippet_around(finding.text, spans, width=160)
    assert len(snippet) <= 162
    assert moved and all(snippet[a:b] == "intermediaries" for a, b in moved)
    assert snippet.startswith("…") and snippet.endswith("…")
    hit = make_hit(finding, ["intermediaries", "not in the text"])
    assert hit.phrases == ["intermediaries"]
    assert hit.section == AREA_FOR_IMPROVEMENT and hit.ordinal == finding.ordinal
    assert [hit.snippet[a:b] for a, b in hit.highlights] == ["intermediaries", "intermediaries"]


# ------------------------------------------------------------------------------ email


def test_subject_of_a_new_letter(islington_alert):
    assert render_email(islington_alert).subject == "JTAI letter: Islington (published 29 January 2019)"


def test_subject_of_a_new_version_and_other_kinds(parsed, islington_alert):
    kent = AlertDocument("inspection_report", "Kent", "Kent children's services inspection", None, "https://example.org/kent.pdf")
    alert = Alert("dcs", kent, [], change="new_version")
    assert render_email(alert).subject == "New version — Ofsted inspection: Kent"
    board = AlertDocument.from_parsed(parsed["002"], "https://example.org/iscb-annual-report.pdf")
    assert render_email(Alert("dcs", board, [])).subject == "Board annual report: Islington"
    nowhere = AlertDocument("unknown", None, "Some\nreport", None, "https://example.org/x.pdf")
    assert render_email(Alert("dcs", nowhere, [])).subject == "Document: Some report"


def test_html_email(islington_alert):
    html = render_email(islington_alert).html
    assert "<mark>intermediaries</mark>" in html
    assert f'href="{ISLINGTON_URL}"' in html
    assert "Written statement of action due 10 May 2019" in html
    # Why it matched: the watch, the section in plain words, the themes and phrases.
    assert "phrases: intermediaries in JTAI letters" in html
    assert "Area for improvement 12" in html
    assert "themes: child sexual abuse" in html and "phrases: intermediaries" in html
    # What changed, against the area's previous letter.
    assert "Compared with the area&#39;s previous JTAI letter" in html
    assert "&#39;intermediaries&#39; moved from strengths to areas for improvement" in html
    assert html.count("<mark>") == 1


def test_text_email_has_the_same_content_and_no_tags(islington_alert):
    mail = render_email(islington_alert)
    text = mail.text
    assert not TAG.search(text)
    assert "*intermediaries*" in text
    assert ISLINGTON_URL in text
    assert "Written statement of action due 10 May 2019" in text
    assert "phrases: intermediaries in JTAI letters" in text
    assert "Area for improvement 12" in text
    assert "Compared with the area's previous JTAI letter" in text
    for line in islington_alert.diff_lines[:3]:
        assert " ".join(line.split()) in " ".join(text.split())
    assert text.startswith(mail.subject + "\n")


def test_document_text_is_escaped_piece_by_piece(parsed):
    isl = parsed["000"]
    finding = _intermediaries_finding(isl)
    evil = 'Partners <script>alert("x")</script> & <b>intermediaries</b> said so & more'
    at = evil.index("<b>intermediaries</b>")
    hit = AlertHit(finding.section, finding.ordinal, evil, [(at, at + len("<b>intermediaries</b>"))], ["intermediaries"], [])
    doc = AlertDocument.from_parsed(isl, ISLINGTON_URL)
    doc.title = "Letter <script>bad()</script> & co"
    alert = Alert(
        "x",
        doc,
        [AlertMatch("phrases: <i>intermediaries</i> & more", [hit])],
        diff_lines=["new area for improvement: <script>x</script> & y"],
    )
    html = render_email(alert).html
    assert "<script>" not in html and "<b>" not in html and "<i>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; " in html
    # The mark wraps the escaped span; nothing inside the mark is raw markup.
    assert "<mark>&lt;b&gt;intermediaries&lt;/b&gt;</mark>" in html
    assert "Letter &lt;script&gt;bad()&lt;/script&gt; &amp; co" in html
    assert "phrases: &lt;i&gt;intermediaries&lt;/i&gt; &amp; more" in html
    assert "&lt;script&gt;x&lt;/script&gt; &amp; y" in html
    # text/plain is not HTML: it carries the words as they are.
    assert '<script>alert("x")</script> & *<b>intermediaries</b>*' in render_email(alert).text


def test_unsafe_links_are_not_linked(islington_alert):
    doc = AlertDocument("jtai_letter", "Islington", "t", None, "javascript:alert(1)")
    alert = Alert("x", doc, islington_alert.matches)
    assert "javascript:" not in render_email(alert).html
    assert "javascript" not in render_chat(alert)


def test_email_keeps_to_five_hits_per_match(parsed):
    isl = parsed["000"]
    hits = [make_hit(f, []) for f in isl.findings_in(AREA_FOR_IMPROVEMENT)]
    assert len(hits) == 16
    alert = Alert("x", AlertDocument.from_parsed(isl, ISLINGTON_URL), [AlertMatch("areas: Islington", hits)])
    mail = render_email(alert)
    assert "Area for improvement 5" in mail.html and "Area for improvement 6" not in mail.html
    assert "and 11 more findings" in mail.html and "and 11 more findings" in mail.text
    assert "No earlier JTAI letter for this area to compare with." in mail.text


def test_new_version_says_what_changed(parsed):
    isl = parsed["000"]
    text = seed_path("000").read_text(encoding="utf-8")
    # The re-issued letter rewords one area for improvement.
    before = "could lead to increased attrition rates."
    assert text.count(before) == 1
    edited = text.replace(before, "has led to more cases being discontinued.")
    new = parse_text(edited)
    diff = diff_findings(isl.findings, new.findings)
    assert diff.summary()["changed"] == 1
    alert = Alert(
        "islington-dcs",
        AlertDocument.from_parsed(new, ISLINGTON_URL),
        [AlertMatch("areas: Islington", [make_hit(_intermediaries_finding(new), ["intermediaries"])])],
        change="new_version",
        diff_lines=describe(diff),
        changed=diff.summary(),
    )
    mail = render_email(alert)
    assert mail.subject == "New version — JTAI letter: Islington (published 29 January 2019)"
    flat = " ".join(mail.text.split())  # the text part wraps at 72 columns
    assert "What changed: Compared with the previous version of this JTAI letter — 1 finding changed:" in flat
    assert "changed area for improvement: Some children subject to" in flat
    assert "changed area for improvement: Some children subject to" in mail.html


# ------------------------------------------------------------------------------ templates


def test_html_templates_autoescape_and_text_templates_do_not():
    env = environment()
    for name in ("email.html.j2", "digest.html.j2", "_alert.html.j2"):
        assert env.get_template(name).render is not None
        assert env.autoescape(name) is True, name  # type: ignore[operator]
    for name in ("email.txt.j2", "digest.txt.j2", "_alert.txt.j2"):
        assert env.autoescape(name) is False, name  # type: ignore[operator]


# ------------------------------------------------------------------------------ chat


def test_chat_message(islington_alert):
    msg = render_chat(islington_alert)
    assert len(msg) <= 1200
    first = msg.splitlines()[0]
    assert first == "**JTAI letter: Islington (published 29 January 2019)**"
    assert f"]({ISLINGTON_URL})" in msg
    assert "**intermediaries**" in msg
    assert "Written statement of action due 10 May 2019" in msg
    assert "'intermediaries' moved from strengths to areas for improvement" in msg
    assert not TAG.search(msg)


def test_chat_is_short_however_much_matched(parsed, islington_alert):
    isl = parsed["000"]
    hits = [make_hit(f, ["children"]) for f in isl.findings_in(STRENGTH)]
    alert = Alert(
        "x",
        AlertDocument.from_parsed(isl, ISLINGTON_URL),
        [AlertMatch("themes: everything in key strengths " * 5, hits)],
        diff_lines=islington_alert.diff_lines,
    )
    msg = render_chat(alert)
    assert len(msg) <= 1200
    assert msg.count("\n- _") <= 3  # at most 3 snippets
    assert f"and {len(hits) - 3} more findings" in msg
    diff_shown = [line for line in msg.splitlines() if line.startswith("- ") and "moved from" in line]
    assert 1 <= len(diff_shown) <= 3
    assert "**children**" in msg or "**Children**" in msg
    assert len(render_chat(alert, limit=400)) <= 400


def test_chat_escapes_markdown_in_document_text(parsed):
    isl = parsed["000"]
    snippet = "Some *partners* use [links](http://x) and snake_case with intermediaries <b>"
    at = snippet.index("intermediaries")
    hit = AlertHit(AREA_FOR_IMPROVEMENT, 12, snippet, [(at, at + 14)], [], ["intermediaries"])
    alert = Alert("x", AlertDocument.from_parsed(isl, ISLINGTON_URL), [AlertMatch("phrases: intermediaries", [hit])])
    msg = render_chat(alert)
    assert r"Some \*partners\* use \[links\](http://x) and snake\_case with **intermediaries** \<b\>" in msg
    assert escape_markdown("a_b *c*\n# d") == r"a\_b \*c\* \# d"


# ------------------------------------------------------------------------------ digests


@pytest.fixture(scope="module")
def three_alerts(parsed, islington_alert):
    return [
        islington_alert,
        _area_alert(parsed["001"], CORNWALL_URL),
        _area_alert(parsed["004"], SHROPSHIRE_URL),
    ]


def test_digest_email(three_alerts):
    mail = render_digest_email("policy-officer", three_alerts, "daily")
    assert isinstance(mail, RenderedEmail)
    assert mail.subject == "jtai-watch daily digest: 3 documents (Islington, Cornwall, Shropshire)"
    for headline in (
        "JTAI letter: Islington (published 29 January 2019)",
        "JTAI letter: Cornwall (published 23 November 2018)",
        "JTAI letter: Shropshire (published 15 January 2019)",
    ):
        assert headline in mail.text
        assert headline in mail.html
    for url in (ISLINGTON_URL, CORNWALL_URL, SHROPSHIRE_URL):
        assert f'href="{url}"' in mail.html and url in mail.text
    assert "<mark>intermediaries</mark>" in mail.html
    assert "<mark>strategy</mark>" in mail.html
    assert "Written statement of action due 6 March 2019" in mail.text
    assert not TAG.search(mail.text)
    weekly = render_digest_email("policy-officer", three_alerts, "weekly")
    assert weekly.subject.startswith("jtai-watch weekly digest: 3 documents")
    with pytest.raises(ValueError, match="period"):
        render_digest_email("policy-officer", three_alerts, "hourly")


def test_digest_counts_documents_not_alerts(parsed, three_alerts):
    again = _area_alert(parsed["001"], CORNWALL_URL, label="themes: strategy discussions")
    mail = render_digest_email("x", three_alerts + [again], "daily")
    assert mail.subject == "jtai-watch daily digest: 3 documents (Islington, Cornwall, Shropshire)"
    assert render_digest_email("x", [], "weekly").subject == "jtai-watch weekly digest: no new documents"


def test_digest_chat(three_alerts):
    msg = render_digest_chat("policy-officer", three_alerts, "daily")
    assert msg.splitlines()[0] == "**jtai-watch daily digest: 3 documents (Islington, Cornwall, Shropshire)**"
    for area, url in (("Islington", ISLINGTON_URL), ("Cornwall", CORNWALL_URL), ("Shropshire", SHROPSHIRE_URL)):
        assert f"**JTAI letter: {area} (published" in msg
        assert f"({url})" in msg
    assert len(msg) <= 1900


def test_digest_chat_names_how_many_it_left_out(parsed):
    many = [_area_alert(parsed["001"], f"https://example.org/{i}.pdf") for i in range(40)]
    msg = render_digest_chat("x", many, "weekly", limit=1000)
    assert len(msg) <= 1000
    assert re.search(r"- and \d+ more documents$", msg)
