"""Layout: furniture, footnotes, paragraphs and page-break joins, on synthetic pages."""

from parsers.api import parse_bytes, parse_text
from parsers.layout import layout_pages, layout_text
from parsers.pdf.extract import RawPage, Segment


def page(number, lines, size=10.0, height=842.0):
    """lines: (text, bottom[, size]) tuples."""
    segs = []
    for item in lines:
        text, bottom = item[0], item[1]
        s = item[2] if len(item) > 2 else size
        segs.append(Segment(text=text, x0=56, top=bottom - s, x1=500, bottom=bottom, size=s))
    return RawPage(number=number, width=595, height=height, segments=segs)


def test_running_headers_footers_and_page_numbers_go():
    pages = [
        page(n, [
            ("Inspection of Kent County Council children's services", 30, 8),
            (f"Body text of page {n} that says something.", 200),
            (f"Page {n} of 4", 810, 8),
        ])
        for n in range(1, 5)
    ]
    lay = layout_pages(pages)
    assert [b.text for b in lay.blocks] == [f"Body text of page {n} that says something." for n in range(1, 5)]
    assert "Page # of #" not in lay.text


def test_segments_on_one_baseline_become_one_line():
    p = RawPage(1, 595, 842, [
        Segment("Overall effectiveness", 56, 90, 200, 100, 10),
        Segment("Good", 300, 90.4, 330, 100.3, 10),
    ])
    assert layout_pages([p]).blocks[0].text == "Overall effectiveness Good"


def test_paragraph_gap_bullets_and_numbered_items_split_blocks():
    lay = layout_pages([page(1, [
        ("A first paragraph that wraps", 100),
        ("onto a second line.", 112),
        ("A second paragraph after a gap.", 140),
        ("• A bullet that wraps onto", 160),
        ("another line.", 172),
        ("1. Numbered item one.", 190),
        ("2. Numbered item two.", 202),
    ])])
    assert [(b.bullet, b.text) for b in lay.blocks] == [
        (False, "A first paragraph that wraps onto a second line."),
        (False, "A second paragraph after a gap."),
        (True, "A bullet that wraps onto another line."),
        (False, "1. Numbered item one."),
        (False, "2. Numbered item two."),
    ]


def test_page_break_rejoins_sentence_and_hyphenation():
    lay = layout_pages([
        page(1, [("The partnership has made progress in deve-", 700), ("loping its front door, and", 712)]),
        page(2, [("partners now share information quickly.", 100), ("Key strengths", 130)]),
    ])
    assert lay.blocks[0].text == (
        "The partnership has made progress in developing its front door, and partners now share information quickly."
    )
    assert lay.blocks[0].page == 1 and lay.blocks[0].last_page == 2
    assert lay.blocks[1].text == "Key strengths"


def test_heading_at_page_top_is_not_pulled_back():
    lay = layout_pages([
        page(1, [("A long paragraph about the table of contents with figures", 700), ("running to the foot 12", 712)]),
        page(2, [("Executive Summary", 100), ("The summary follows.", 130)]),
    ])
    assert [b.text for b in lay.blocks][1:] == ["Executive Summary", "The summary follows."]


def test_footnotes_kept_apart():
    lay = layout_text(
        "Body paragraph in Islington.¹ More text.\n\n¹ This joint inspection was conducted under section 20.\n\n"
        "Body continues here.\n"
    )
    assert [b.text for b in lay.blocks] == ["Body paragraph in Islington. More text.", "Body continues here."]
    assert [b.text for b in lay.footnotes] == ["¹ This joint inspection was conducted under section 20."]
    small = layout_pages([page(1, [
        ("Body text about the review, long enough to be most of the page's text by far.", 100),
        ("And a second line of body text so that the body size is the common one.", 112),
        ("1 Ofsted produces this report under its power to combine reports.", 780, 7),
        ("It continues in small print.", 790, 7),
    ])])
    assert [b.text for b in small.blocks] == [
        "Body text about the review, long enough to be most of the page's text by far. "
        "And a second line of body text so that the body size is the common one."
    ]
    assert small.footnotes[0].text.startswith("1 Ofsted produces this report")


def test_unknown_document_keeps_area_and_dates():
    doc = parse_text(
        "Minutes of the meeting held on 4 March 2021\n\nThe panel discussed services in Rotherham and in "
        "Rotherham's schools, with a visit from Sheffield.\n"
    )
    assert doc.kind == "unknown"
    assert doc.area.name == "Rotherham"
    assert str(doc.published) == "2021-03-04"
    assert doc.findings == []


def test_mislabelled_pdf_is_unknown_not_a_crash():
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.multi_cell(0, 8, "Quarterly newsletter of Leeds City Council, 1 May 2020.\n\nNothing about inspections here.")
    doc = parse_bytes(bytes(pdf.output()))
    assert doc.kind == "unknown"
    assert doc.area.name == "Leeds"
    assert doc.pages == 1
