"""parsers.listings: the Ofsted search and provider pages, generic link pages, labels, error pages."""

from __future__ import annotations

import re
from datetime import date

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from parsers.listings import (
    DEFAULT_LABELS,
    JTAI_LABELS,
    Link,
    ProviderLink,
    Publication,
    label_matches,
    looks_like_error_page,
    next_page_url,
    parse_link_index,
    parse_listing_date,
    parse_provider_page,
    parse_search_page,
)
from tests.support.corpus import OFSTED, manifest
from tests.support.ofsted_site import OfstedSite

LIVE = "https://reports.ofsted.gov.uk"
SEARCH = f"{LIVE}/search?q=&location=&lat=&lon=&radius=&level_1_types=3&level_2_types%5B%5D=12&start=0&rows=100"

# The live site's search result markup (as scrapers of it match it).
SEARCH_SNIPPET = """
<main id="main"><div class="container">
<p class="search-results__count">153 results</p>
<ul class="results-list">
  <li class="search-result">
    <h3 class="search-result__title heading--main"><a href="/provider/44/80429">Birmingham</a></h3>
    <ul class="search-result__provider-info"><li>Category: <strong>Local authority children&#039;s services</strong></li></ul>
    <address class="search-result__address">Council House, Victoria Square, Birmingham, B1 1BB</address>
    <ul class="search-result__provider-info">
      <li>Latest report: <strong><time>18 April 2023</time></strong></li>
      <li>URN: <strong>80429</strong></li>
    </ul>
  </li>
  <li class="search-result">
    <h3 class="search-result__title heading--main"><a href="/provider/44/80505">
        London Borough
        of Islington </a></h3>
    <ul class="search-result__provider-info"><li>URN: <strong>80505</strong></li></ul>
  </li>
  <li class="search-result">
    <h3 class="search-result__title heading--main"><a href="https://reports.ofsted.gov.uk/provider/44/2532287">Bournemouth, Christchurch &amp; Poole</a></h3>
  </li>
  <li class="search-result">
    <h3 class="search-result__title heading--main"><a href="/provider/44/80429">Birmingham (again)</a></h3>
  </li>
</ul>
<ul class="pagination"><li class="next"><a class="pagination__next" href="/search?q=&amp;level_1_types=3&amp;level_2_types%5B%5D=12&amp;start=100&amp;rows=100">Next</a></li></ul>
</div></main>
<footer><a href="/privacy">Privacy</a> <a href="/provider/">Providers</a></footer>
"""

# The live site's provider page markup: timeline days, publication links with nonvisual text.
PROVIDER_SNIPPET = """<!DOCTYPE html><html lang="en"><head>
<link rel="canonical" href="https://reports.ofsted.gov.uk/provider/44/80476">
<title>Kent - Find an Inspection Report - Ofsted</title></head><body>
<main id="main"><div class="container">
<h1 class="heading--title title-block__heading">Kent</h1>
<ol class="timeline">
  <li class="timeline__day">
    <p class="timeline__date"><time>30 January 2024</time></p>
    <a class="publication-link" href="https://files.ofsted.gov.uk/v1/file/50240000" target="_blank">
      Joint area child protection inspection                <span class="nonvisual">Joint area child protection inspection, pdf - 30 January 2024</span></a>
  </li>
  <li class="timeline__day">
    <a class="publication-link" href="https://files.ofsted.gov.uk/v1/file/50252437" target="_blank">
      Area SEND full inspection                <span class="nonvisual">Area SEND full inspection, pdf - 15 July 2024</span></a>
  </li>
  <li class="timeline__day">
    <a class="publication-link" href="https://files.ofsted.gov.uk/v1/file/50230000" target="_blank">
      Children&#039;s services focused visit <span class="nonvisual">Children&#039;s services focused visit, pdf - 07 November 2023</span></a>
  </li>
  <li class="timeline__day">
    <a class="publication-link" href="https://files.ofsted.gov.uk/v1/file/50100000" target="_blank">
      Joint targeted area inspection <span class="nonvisual">Joint targeted area inspection, pdf - 15 January 2019</span></a>
  </li>
  <li class="timeline__day">
    <a class="publication-link" href="https://files.api.ofsted.gov.uk/v1/file/2275000" target="_blank">
      Children&#039;s services inspection <span class="nonvisual">Children&#039;s services inspection,  pdf - 23 August 2013</span></a>
  </li>
  <li class="timeline__day">
    <p class="timeline__date"><time>08 August 2014</time></p>
    <a class="publication-link" href="/v1/file/2300000">Children&#039;s services inspection</a>
  </li>
  <li class="timeline__day">
    <a class="publication-link" href="https://files.ofsted.gov.uk/v1/file/2200000">
      Inspection of safeguarding and looked after children services <span class="nonvisual">Inspection of safeguarding and looked after children services, pdf - 31 February 2011</span></a>
  </li>
  <li class="timeline__day">
    <a class="publication-link" href="https://files.ofsted.gov.uk/v1/file/50240000">duplicate <span class="nonvisual">Duplicate, pdf - 1 March 2024</span></a>
  </li>
</ol>
</div></main></body></html>
"""


@pytest.fixture(scope="module")
def site():
    with OfstedSite.from_corpus() as s:
        yield s


@pytest.fixture(scope="module")
def client():
    with httpx.Client(timeout=10) as c:
        yield c


# -- search listing --------------------------------------------------------------------------


def test_search_snippet_in_the_live_markup():
    links = parse_search_page(SEARCH_SNIPPET, SEARCH)
    assert links == [
        ProviderLink("80429", "Birmingham", f"{LIVE}/provider/44/80429"),
        ProviderLink("80505", "London Borough of Islington", f"{LIVE}/provider/44/80505"),
        ProviderLink("2532287", "Bournemouth, Christchurch & Poole", f"{LIVE}/provider/44/2532287"),
    ]
    assert next_page_url(SEARCH_SNIPPET, SEARCH) == f"{LIVE}/search?q=&level_1_types=3&level_2_types%5B%5D=12&start=100&rows=100"


def test_search_urn_is_the_digits_of_the_last_segment():
    page = '<a href="/provider/44/80429/">A</a><a href="/provider/21/URN123?x=1">B</a><a href="/provider/44/none">C</a>'
    links = parse_search_page(page, LIVE)
    assert [(l.urn, l.name) for l in links] == [("80429", "A"), ("123", "B")]


def test_search_pages_served_by_the_site(site, client):
    r1 = client.get(site.search_url)
    page1 = parse_search_page(r1.text, str(r1.url))
    nxt = next_page_url(r1.text, str(r1.url))
    r2 = client.get(nxt)
    page2 = parse_search_page(r2.text, str(r2.url))
    assert len(page1) == site.rows and page2 and next_page_url(r2.text, str(r2.url)) is None
    urns = [l.urn for l in page1 + page2]
    assert len(urns) == len(set(urns)) == len(site.providers)
    assert {row.ofsted_urn for row in manifest()} | {"80454"} == set(urns)
    assert all(l.url == site.provider_url(l.urn) for l in page1 + page2)
    cornwall = next(l for l in page1 + page2 if l.urn == "80454")
    assert cornwall.name == "Cornwall"
    r3 = client.get(site.search_page_url(start=len(urns)))
    assert parse_search_page(r3.text, str(r3.url)) == []
    assert not looks_like_error_page(r3.text)


# -- provider page ---------------------------------------------------------------------------


def test_provider_snippet_in_the_live_markup():
    pubs = parse_provider_page(PROVIDER_SNIPPET, f"{LIVE}/provider/44/80476")
    assert [p.url for p in pubs] == [
        "https://files.ofsted.gov.uk/v1/file/50240000",
        "https://files.ofsted.gov.uk/v1/file/50252437",
        "https://files.ofsted.gov.uk/v1/file/50230000",
        "https://files.ofsted.gov.uk/v1/file/50100000",
        "https://files.api.ofsted.gov.uk/v1/file/2275000",
        f"{LIVE}/v1/file/2300000",
        "https://files.ofsted.gov.uk/v1/file/2200000",
    ]
    assert [(p.label, p.published) for p in pubs] == [
        ("Joint area child protection inspection", date(2024, 1, 30)),
        ("Area SEND full inspection", date(2024, 7, 15)),
        ("Children's services focused visit", date(2023, 11, 7)),
        ("Joint targeted area inspection", date(2019, 1, 15)),
        ("Children's services inspection", date(2013, 8, 23)),  # "inspection,  pdf - ..."
        ("Children's services inspection", date(2014, 8, 8)),  # no nonvisual: the day's <time>
        ("Inspection of safeguarding and looked after children services", None),  # 31 February
    ]
    assert {p.urn for p in pubs} == {"80476"}  # from the canonical link
    wanted = [p.label for p in pubs if label_matches(p.label, DEFAULT_LABELS)]
    assert wanted == [
        "Joint area child protection inspection",
        "Joint targeted area inspection",
        "Children's services inspection",
        "Children's services inspection",
        "Inspection of safeguarding and looked after children services",
    ]


def test_provider_urn_argument_and_fallbacks():
    assert {p.urn for p in parse_provider_page(PROVIDER_SNIPPET, LIVE, urn="999")} == {"999"}
    bare = '<a class="publication-link" href="https://files.ofsted.gov.uk/v1/file/1"><span class="nonvisual">Joint targeted area inspection, pdf - 1 May 2018</span></a>'
    assert parse_provider_page(bare, f"{LIVE}/provider/44/80505") == [
        Publication("https://files.ofsted.gov.uk/v1/file/1", "Joint targeted area inspection", date(2018, 5, 1), "80505")
    ]
    assert parse_provider_page(bare, LIVE)[0].urn is None
    no_date = '<a class="publication-link" href="x.pdf"><span class="nonvisual">Joint targeted area inspection, pdf</span></a>'
    assert parse_provider_page(no_date, LIVE + "/") == [Publication(f"{LIVE}/x.pdf", "Joint targeted area inspection", None, None)]


def test_provider_pages_served_by_the_site(site, client):
    rows = manifest()
    by_urn: dict[str, list] = {}
    for row in rows:
        by_urn.setdefault(row.ofsted_urn, []).append(row)
    for urn, expected in by_urn.items():
        r = client.get(site.provider_url(urn))
        pubs = parse_provider_page(r.text, str(r.url))
        assert all(p.urn == urn for p in pubs)
        got = [(p.label.lower(), p.published) for p in pubs if not label_matches(p.label, list(JTAI_LABELS))]
        want = sorted(
            ((row.publication_label.lower().removesuffix("pdf").rstrip(" ,"), parse_listing_date(row.publication_date)) for row in expected),
            key=lambda t: t[1], reverse=True,
        )
        assert got == want, urn
        assert all(label_matches(row.publication_label, DEFAULT_LABELS) for row in expected)
    # the JTAI letters of the seeds
    for urn, when in (("80505", date(2019, 1, 29)), ("80454", date(2018, 11, 23)), ("80552", date(2019, 1, 15))):
        r = client.get(site.provider_url(urn))
        jtai = [p for p in parse_provider_page(r.text, str(r.url)) if label_matches(p.label, list(JTAI_LABELS))]
        assert [(p.label, p.published, p.url) for p in jtai] == [
            ("Joint targeted area inspection", when, site.file_url(site.jtai_doc_ids[urn]))
        ]


# -- malformed pages -------------------------------------------------------------------------

GARBAGE = [
    "",
    "   ",
    "not html at all",
    "<html><body><p>No links here</p></body></html>",
    "<a class='publication-link' href=",
    "<a class=\"publication-link\"><span class=\"nonvisual\">Joint targeted area inspection, pdf - 1 May 2018</span></a>",
    '<a href="/provider/">x</a><a href="javascript:void(0)">y</a>',
    "<<<>>><a href='\x00'></a></div></div></table>",
    '<a href="http://[::1">broken ipv6</a><a class="publication-link" href="http://[bad">b</a>',
    b"%PDF-1.4 binary \x00\xff\xfe",
    b"\xff\xfe\x00<\x00h\x00t\x00m\x00l",
    None,
]


@pytest.mark.parametrize("page", GARBAGE, ids=range(len(GARBAGE)))
def test_malformed_pages_give_no_links(page):
    assert parse_search_page(page, LIVE) == []  # type: ignore[arg-type]
    assert parse_provider_page(page, LIVE) == []  # type: ignore[arg-type]
    assert parse_link_index(page, LIVE) == []  # type: ignore[arg-type]
    assert next_page_url(page, LIVE) is None  # type: ignore[arg-type]
    assert looks_like_error_page(page) is False  # type: ignore[arg-type]


def test_the_error_page_gives_no_links_and_is_recognised():
    body = (OFSTED / "80429-birmingham-19-october-2012.pdf").read_bytes()
    text = body.decode("utf-8")
    assert parse_search_page(text, LIVE) == []
    assert parse_provider_page(text, LIVE) == []
    assert looks_like_error_page(body) and looks_like_error_page(text)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(list("<>/=\"' aclhrefpovidnsux-:.,0123456789") + ["<a ", 'href="', "/provider/44/", "publication-link", "nonvisual", "</a>", ", pdf - ", "January", 'class="', "<span "]), max_size=120).map("".join))
def test_parsers_never_raise(page):
    for result in (parse_search_page(page, LIVE), parse_provider_page(page, LIVE), parse_link_index(page, LIVE, r".")):
        assert isinstance(result, list)
    assert isinstance(looks_like_error_page(page), bool)


# -- generic link pages ----------------------------------------------------------------------

BOARD_SNIPPET = """
<nav><a href="#content">Skip</a> <a href="/">Home</a></nav>
<ul>
  <li><a href="/documents/ISCB-Annual-Report-2015-16.pdf">ISCB Annual Report 2015-16 (PDF, 1MB)</a></li>
  <li><a href="../docs/annual_report_2014-15.PDF#page=2">Annual report 2014 to 2015</a></li>
  <li><a href="/documents/ISCB-Annual-Report-2015-16.pdf#top">same report again</a></li>
  <li><a href="/documents/annual-report-easy-read.docx">Annual report, easy read (Word)</a></li>
  <li><a href="/documents/threshold-guidance.pdf">Thresholds guidance</a></li>
  <li><a href="/privacy-policy">Privacy policy</a></li>
  <li><a href="mailto:board@example.org">board@example.org</a></li>
  <li><a href="ftp://example.org/old.pdf">old.pdf on ftp</a></li>
  <li><a href="javascript:openPdf('x.pdf')">x.pdf</a></li>
  <li><a href="https://www.example.org/download?id=7">Annual report 2013-14</a></li>
</ul>"""


def test_link_index_default_takes_pdfs():
    links = parse_link_index(BOARD_SNIPPET, "https://board.example.org/about/annual-reports")
    assert links == [
        Link("https://board.example.org/documents/ISCB-Annual-Report-2015-16.pdf", "ISCB Annual Report 2015-16 (PDF, 1MB)"),
        Link("https://board.example.org/docs/annual_report_2014-15.PDF", "Annual report 2014 to 2015"),
        Link("https://board.example.org/documents/threshold-guidance.pdf", "Thresholds guidance"),
    ]


def test_link_index_pattern_on_url_or_text():
    base = "https://board.example.org/about/annual-reports"
    assert [l.url for l in parse_link_index(BOARD_SNIPPET, base, r"annual.*report.*\.pdf$")] == [
        "https://board.example.org/documents/ISCB-Annual-Report-2015-16.pdf",
        "https://board.example.org/docs/annual_report_2014-15.PDF",
    ]
    by_text = parse_link_index(BOARD_SNIPPET, base, r"^annual report \d{4}")
    assert [l.url for l in by_text] == [
        "https://board.example.org/docs/annual_report_2014-15.PDF",
        "https://www.example.org/download?id=7",
    ]
    with pytest.raises(re.error):
        parse_link_index(BOARD_SNIPPET, base, "(")


def test_link_index_file_urls():
    links = parse_link_index('<a href="letter.pdf">L</a><a href="sub/b.pdf">B</a>', "file:///srv/pdfs/index.html")
    assert [l.url for l in links] == ["file:///srv/pdfs/letter.pdf", "file:///srv/pdfs/sub/b.pdf"]


def test_link_index_on_the_sites_board_page(site, client):
    r = client.get(site.board_index_url)
    assert parse_link_index(r.text, str(r.url)) == [Link(site.board_report_url, "ISCB Annual Report 2015-16 (PDF, 1.1MB)")]
    assert [l.url for l in parse_link_index(r.text, str(r.url), r"annual.*report.*\.pdf$")] == [site.board_report_url]
    every = [l.url for l in parse_link_index(r.text, str(r.url), r".")]
    assert site.base_url + "/iscb/privacy-policy" in every and not any(u.startswith("mailto:") for u in every)


# -- labels, dates, error pages --------------------------------------------------------------


@pytest.mark.parametrize(
    "label, wanted",
    [
        ("Joint targeted area inspection", True),
        ("JOINT TARGETED AREA INSPECTION", True),
        ("Joint area child protection inspection", True),
        ("Children's services inspection", True),
        ("Children\u2019s services inspection", True),
        ("children's services inspection,  pdf", True),
        ("Childrens services inspection", True),
        ("Inspection of services for children in need of help and protection, children looked after and care leavers", True),
        ("Inspection of local authority arrangements for the protection of children", True),
        ("Inspection of safeguarding and looked after children services", True),
        ("Single inspection framework", True),
        ("Children's services focused visit", False),
        ("Children's services monitoring visit", False),
        ("Area SEND full inspection", False),
        ("Social care common inspection framework (SCCIF): children's homes", False),
        ("", False),
    ],
)
def test_default_labels(label, wanted):
    assert label_matches(label, DEFAULT_LABELS) is wanted
    assert label_matches(label) is wanted


def test_label_matches_custom_and_word_boundaries():
    assert label_matches("Joint targeted area inspection", ["targeted  area"])
    assert not label_matches("Joint targeted area inspection", ["area insp"])
    assert not label_matches("Joint targeted area inspection", [])
    assert label_matches("Area SEND full inspection", ["area send"])


def test_listing_dates():
    assert parse_listing_date("pdf - 08 August 2014") == date(2014, 8, 8)
    assert parse_listing_date("1st Sept 2014") == date(2014, 9, 1)
    assert parse_listing_date("2019-01-29") == date(2019, 1, 29)
    assert parse_listing_date("31 February 2019") is None
    assert parse_listing_date("Smarch 2019") is None and parse_listing_date(None) is None


def test_error_page_detection(site, client):
    assert looks_like_error_page((OFSTED / "80429-birmingham-19-october-2012.pdf").read_bytes())
    assert not looks_like_error_page((OFSTED / "80426-barnsley-27-october-2023.pdf").read_bytes()[:100_000])
    for url in (site.search_url, site.provider_url("80505"), site.board_index_url):
        assert not looks_like_error_page(client.get(url).text)
    assert looks_like_error_page(client.get(site.file_url(999)).content)  # a dead file link
    assert looks_like_error_page("<html><head><title>Page not found - Ofsted</title></head><body></body></html>")
    assert not looks_like_error_page("<p>We could not find what we were looking for in the report.</p>")
