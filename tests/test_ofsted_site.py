"""tests.support.ofsted_site: the local Ofsted reports site used by end-to-end tests."""

from __future__ import annotations

import hashlib
import threading
import time
from datetime import date
from email.utils import parsedate_to_datetime

import httpx
import pytest

from parsers.listings import (
    Publication,
    label_matches,
    looks_like_error_page,
    parse_link_index,
    parse_provider_page,
    parse_search_page,
)
from tests.support.corpus import manifest
from tests.support.ofsted_site import FAULT_KINDS, OfstedSite, SiteDoc, la_urn

PDF = b"%PDF-1.4\n% a tiny test document\n" + b"x" * 4000 + b"\n%%EOF\n"


@pytest.fixture()
def site():
    with OfstedSite.from_corpus() as s:
        yield s


@pytest.fixture()
def client():
    with httpx.Client(timeout=5) as c:
        yield c


def doc_id_of(site: OfstedSite, file_name: str) -> int:
    """The doc id serving a manifest file."""
    row = next(r for r in manifest() if r.file == file_name)
    date_ = date(*time.strptime(row.publication_date.title(), "%d %B %Y")[:3])
    return next(i for i, _, d in site.publications(row.ofsted_urn) if d == date_)


# -- structure -------------------------------------------------------------------------------


def test_starts_fast_and_shuts_down_cleanly():
    before = threading.active_count()
    t0 = time.perf_counter()
    site = OfstedSite.from_corpus().start()
    started = time.perf_counter() - t0
    try:
        assert httpx.get(site.search_url).status_code == 200
    finally:
        t1 = time.perf_counter()
        site.shutdown()
        stopped = time.perf_counter() - t1
    assert started < 0.5 and stopped < 1.0
    deadline = time.time() + 2
    while threading.active_count() > before and time.time() < deadline:
        time.sleep(0.02)
    assert threading.active_count() <= before
    with pytest.raises(httpx.ConnectError):
        httpx.get(site.search_url.replace("/search", "/"), timeout=1)


def test_search_two_pages_then_an_empty_one(site, client):
    assert site.search_url == site.base_url + "/search?q=&level_1_types=3&level_2_types%5B%5D=12"
    authorities = len({r.ofsted_urn for r in manifest()}) + 1  # + Cornwall
    seen = []
    pages = 0
    start = 0
    while True:
        r = client.get(f"{site.search_url}&start={start}&rows={site.rows}")
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
        links = parse_search_page(r.text, str(r.url))
        if not links:
            break
        pages += 1
        seen += [l.urn for l in links]
        start += site.rows
    assert pages == 2 and len(seen) == len(set(seen)) == authorities
    # rows=100 gives all on one page; the live cap of 100 is honoured
    r = client.get(site.search_url + "&start=0&rows=100")
    assert len(parse_search_page(r.text, str(r.url))) == authorities
    r = client.get(site.search_url + "&start=0&rows=5000")
    assert len(parse_search_page(r.text, str(r.url))) == authorities
    r = client.get(site.search_url + "&start=0&rows=10")
    assert len(parse_search_page(r.text, str(r.url))) == 10
    small = OfstedSite.from_corpus(rows=40)
    with small:
        r = client.get(small.search_url)
        assert len(parse_search_page(r.text, str(r.url))) == 40


def test_provider_pages_list_the_manifest_files(site, client):
    rows = manifest()
    for urn in sorted({r.ofsted_urn for r in rows}):
        r = client.get(site.provider_url(urn))
        assert r.status_code == 200
        pubs = parse_provider_page(r.text, str(r.url))
        mine = [x for x in rows if x.ofsted_urn == urn]
        assert len([p for p in pubs if not p.label.lower().startswith("joint")]) == len(mine)
        for row in mine:
            match = [p for p in pubs if label_matches(row.publication_label, [p.label])
                     and p.published == date(*time.strptime(row.publication_date.title(), "%d %B %Y")[:3])]
            assert len(match) == 1, (urn, row.file)
    assert client.get(site.provider_url("1")).status_code == 404


def test_documents_are_the_corpus_files(site, client):
    for row in manifest():
        r = client.get(site.file_url(doc_id_of(site, row.file)))
        assert r.status_code == 200
        assert hashlib.sha256(r.content).hexdigest() == row.sha256
        assert r.headers["content-length"] == str(row.bytes)
        assert r.headers["etag"] == '"' + row.sha256[:24] + '"'
        if row.file.startswith("80429-birmingham"):
            assert r.headers["content-type"].startswith("text/html")
            assert looks_like_error_page(r.content)
        else:
            assert r.headers["content-type"] == "application/pdf"
            assert r.content.startswith(b"%PDF-")


def test_jtai_letters_and_cornwall(site, client):
    assert set(site.jtai_doc_ids) == {"80505", "80454", "80552"} and la_urn("Cornwall") == "80454"
    r = client.get(site.provider_url("80454"))
    pubs = parse_provider_page(r.text, str(r.url))
    assert [(p.label, p.published, p.urn) for p in pubs] == [("Joint targeted area inspection", date(2018, 11, 23), "80454")]
    body = client.get(pubs[0].url)
    assert body.headers["content-type"] == "application/pdf" and body.content.startswith(b"%PDF-")
    assert body.headers["last-modified"] == "Fri, 23 Nov 2018 09:30:00 GMT"
    assert "Cornwall" in r.text


def test_board_page_and_feed(site, client):
    r = client.get(site.board_index_url)
    assert r.status_code == 200 and "Annual reports" in r.text
    links = parse_link_index(r.text, str(r.url), r".")
    urls = {l.url for l in links}
    assert site.board_report_url in urls
    assert any(u.endswith(".docx") for u in urls) and any("privacy" in u for u in urls) and any("about" in u for u in urls)
    for u in urls - {"https://www.gov.uk/government/publications/working-together-to-safeguard-children--2"}:
        assert client.get(u).status_code == 200, u
    report = client.get(site.board_report_url)
    assert report.headers["content-type"] == "application/pdf" and report.headers["etag"]

    feed = client.get(site.feed_url)
    assert feed.headers["content-type"].startswith("application/atom+xml") and feed.headers["etag"]
    import xml.etree.ElementTree as ET

    ns = {"a": "http://www.w3.org/2005/Atom"}
    root = ET.fromstring(feed.content)
    entries = [(e.findtext("a:title", namespaces=ns), e.find("a:link", ns).get("href"), e.findtext("a:updated", namespaces=ns))
               for e in root.findall("a:entry", ns)]
    assert entries == [
        ("Joint targeted area inspection of Islington", site.file_url(site.jtai_doc_ids["80505"]), "2019-01-29T09:30:00Z"),
        ("Joint targeted area inspection of Shropshire", site.file_url(site.jtai_doc_ids["80552"]), "2019-01-15T09:30:00Z"),
        ("Joint targeted area inspection of Cornwall", site.file_url(site.jtai_doc_ids["80454"]), "2018-11-23T09:30:00Z"),
    ]


def test_root_docs():
    docs = [SiteDoc("80505", "Joint targeted area inspection", date(2019, 1, 29), PDF, doc_id=7),
            SiteDoc("123", "Children's services inspection", None, lambda: PDF, name="Testshire")]
    with OfstedSite(docs) as s, httpx.Client() as c:
        assert s.providers == {"80505": "Islington", "123": "Testshire"}
        assert c.get(s.file_url(7)).content == PDF
        r = c.get(s.provider_url("123"))
        assert parse_provider_page(r.text, str(r.url)) == [
            Publication(s.file_url(50000001), "Children's services inspection", None, "123")
        ]


# -- conditional requests --------------------------------------------------------------------


def test_document_etag_and_last_modified_give_304(site, client):
    url = site.file_url(site.jtai_doc_ids["80505"])
    r = client.get(url)
    etag, lm = r.headers["etag"], r.headers["last-modified"]
    assert etag.startswith('"') and etag.strip('"') == hashlib.sha256(r.content).hexdigest()[:24]
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b"" and again.headers["etag"] == etag
    assert client.get(url, headers={"If-None-Match": 'W/"nope", ' + etag}).status_code == 304
    assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200
    assert client.get(url, headers={"If-Modified-Since": lm}).status_code == 304
    assert client.get(url, headers={"If-Modified-Since": "Mon, 01 Jan 2018 00:00:00 GMT"}).status_code == 200
    # If-None-Match wins over If-Modified-Since
    assert client.get(url, headers={"If-None-Match": '"other"', "If-Modified-Since": lm}).status_code == 200
    head = client.head(url)
    assert head.status_code == 200 and head.content == b"" and head.headers["content-length"] == r.headers["content-length"]
    assert [h.status for h in site.hits(url)] == [200, 304, 304, 200, 304, 200, 200, 200]
    assert site.hits(url)[1].bytes_sent == 0


def test_listing_etag_304_and_change(site, client):
    url = site.provider_url("80552")
    r = client.get(url)
    etag, lm = r.headers["etag"], r.headers["last-modified"]
    assert client.get(url, headers={"If-None-Match": etag}).status_code == 304
    assert client.get(url, headers={"If-Modified-Since": lm}).status_code == 304
    search = client.get(site.search_url + "&start=25&rows=25")
    new_id = site.add_publication("80552", "Joint targeted area inspection", "3 March 2025", PDF)
    r2 = client.get(url, headers={"If-None-Match": etag})
    assert r2.status_code == 200 and r2.headers["etag"] != etag
    assert parsedate_to_datetime(r2.headers["last-modified"]) > parsedate_to_datetime(lm)
    assert client.get(url, headers={"If-Modified-Since": lm}).status_code == 200
    pubs = parse_provider_page(r2.text, str(r2.url))
    assert (pubs[0].url, pubs[0].published) == (site.file_url(new_id), date(2025, 3, 3))
    # Shropshire's "latest report" on the search page changed too
    s2 = client.get(site.search_url + "&start=25&rows=25", headers={"If-None-Match": search.headers["etag"]})
    assert s2.status_code == 200 and "03 March 2025" in s2.text
    # an unrelated provider page is unchanged
    other = client.get(site.provider_url("80426"))
    assert client.get(site.provider_url("80426"), headers={"If-None-Match": other.headers["etag"]}).status_code == 304


# -- mutations -------------------------------------------------------------------------------


def test_replace_document_changes_etag_and_last_modified(site, client):
    doc = site.jtai_doc_ids["80454"]
    r = client.get(site.file_url(doc))
    site.replace_document(doc, PDF)
    r2 = client.get(site.file_url(doc), headers={"If-None-Match": r.headers["etag"]})
    assert r2.status_code == 200 and r2.content == PDF and r2.headers["etag"] != r.headers["etag"]
    assert r2.headers["content-length"] == str(len(PDF))
    assert parsedate_to_datetime(r2.headers["last-modified"]) > parsedate_to_datetime(r.headers["last-modified"])
    assert client.get(site.file_url(doc), headers={"If-None-Match": r2.headers["etag"]}).status_code == 304
    # the board report is replaceable by its path
    before = client.get(site.board_report_url).headers["etag"]
    site.replace_document("/iscb/documents/ISCB-Annual-Report-2015-16.pdf", PDF + b"v2")
    assert client.get(site.board_report_url).headers["etag"] != before


def test_remove_publication_and_add_provider(site, client):
    doc = site.jtai_doc_ids["80505"]
    site.remove_publication(doc)
    r = client.get(site.provider_url("80505"))
    assert site.file_url(doc) not in {p.url for p in parse_provider_page(r.text, str(r.url))}
    assert client.get(site.file_url(doc)).status_code == 200  # the file URL still answers
    feed = client.get(site.feed_url).text
    assert site.file_url(doc) not in feed

    site.add_provider("9999999", "Aaaville")
    r = client.get(site.search_url)
    links = parse_search_page(r.text, str(r.url))
    assert links[0].urn == "9999999" and links[0].name == "Aaaville"
    page = client.get(site.provider_url("9999999"))
    assert page.status_code == 200 and parse_provider_page(page.text, str(page.url)) == []
    new = site.add_publication("9999999", "Children's services inspection", date(2025, 5, 1), PDF)
    page = client.get(site.provider_url("9999999"))
    assert [p.url for p in parse_provider_page(page.text, str(page.url))] == [site.file_url(new)]


def test_mutations_are_thread_safe(site):
    errors = []

    def fetch():
        try:
            with httpx.Client(timeout=5) as c:
                for _ in range(5):
                    assert c.get(site.provider_url("80505")).status_code == 200
                    assert c.get(site.search_url).status_code == 200
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    def mutate():
        for i in range(20):
            site.add_publication("80505", "Joint targeted area inspection", date(2020, 1, 1 + i), PDF)

    threads = [threading.Thread(target=fetch) for _ in range(4)] + [threading.Thread(target=mutate)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert not errors
    assert len(site.publications("80505")) == 22


# -- faults ----------------------------------------------------------------------------------


def test_fault_500_then_normal(site, client):
    doc = site.jtai_doc_ids["80552"]
    site.fault(doc, "500", "503")
    assert client.get(site.file_url(doc)).status_code == 500
    assert client.get(site.file_url(doc)).status_code == 503
    r = client.get(site.file_url(doc))
    assert r.status_code == 200 and r.content.startswith(b"%PDF-")
    assert [(h.status, h.fault) for h in site.hits(doc)] == [(500, "500"), (503, "503"), (200, None)]


def test_fault_429_retry_after_and_404(site, client):
    url = site.provider_url("80505")
    site.fault(url, "429", "404")
    r = client.get(url)
    assert r.status_code == 429 and r.headers["retry-after"] == "1"
    assert client.get(url).status_code == 404
    assert client.get(url).status_code == 200


def test_fault_on_search_applies_to_any_query(site, client):
    site.fault("/search", "503")
    assert client.get(site.search_url + "&start=25&rows=25").status_code == 503
    assert client.get(site.search_url + "&start=25&rows=25").status_code == 200


def test_fault_reset_is_a_transport_error(site, client):
    doc = site.jtai_doc_ids["80505"]
    site.fault(doc, "reset")
    with pytest.raises(httpx.TransportError):
        client.get(site.file_url(doc))
    assert client.get(site.file_url(doc)).status_code == 200


def test_fault_truncate_sends_less_than_content_length(site, client):
    doc = site.jtai_doc_ids["80505"]
    full = client.get(site.file_url(doc)).content
    site.fault(doc, "truncate")
    received = bytearray()
    with pytest.raises(httpx.RemoteProtocolError):
        with client.stream("GET", site.file_url(doc)) as r:
            assert r.headers["content-length"] == str(len(full))
            for chunk in r.iter_bytes():
                received += chunk
    assert 0 < len(received) < len(full)
    assert site.hits(doc)[-1].bytes_sent == len(full) // 2
    assert client.get(site.file_url(doc)).content == full


def test_fault_html_serves_the_report_not_found_page(site, client):
    doc = site.jtai_doc_ids["80505"]
    site.fault(doc, "html")
    r = client.get(site.file_url(doc))
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert looks_like_error_page(r.content)
    assert client.get(site.file_url(doc)).headers["content-type"] == "application/pdf"


def test_fault_timeout(site):
    doc = site.jtai_doc_ids["80505"]
    site.timeout_sleep = 0.6
    site.fault(doc, "timeout")
    with httpx.Client(timeout=0.2) as c:
        t0 = time.perf_counter()
        with pytest.raises(httpx.ReadTimeout):
            c.get(site.file_url(doc))
        assert time.perf_counter() - t0 < 0.5
    with httpx.Client(timeout=5) as c:
        assert c.get(site.file_url(doc)).status_code == 200
    # a client that waits long enough gets the document, late
    site.fault(doc, "timeout")
    with httpx.Client(timeout=5) as c:
        t0 = time.perf_counter()
        assert c.get(site.file_url(doc)).status_code == 200
        assert time.perf_counter() - t0 >= 0.5


def test_shutdown_wakes_a_sleeping_timeout():
    site = OfstedSite.from_corpus().start()
    site.timeout_sleep = 30
    site.fault("/search", "timeout")
    failures = []

    def call():
        try:
            httpx.get(site.search_url, timeout=10)
        except httpx.TransportError as e:
            failures.append(e)

    t = threading.Thread(target=call)
    t.start()
    time.sleep(0.2)
    t0 = time.perf_counter()
    site.shutdown()
    t.join(5)
    assert time.perf_counter() - t0 < 2 and not t.is_alive() and failures


def test_fault_always_and_bad_kinds(site, client):
    url = site.provider_url("80426")
    site.fault_always(url, "503")
    assert [client.get(url).status_code for _ in range(3)] == [503, 503, 503]
    site.fault_always(url, None)
    assert client.get(url).status_code == 200
    with pytest.raises(ValueError):
        site.fault(url, "teapot")
    assert set(FAULT_KINDS) == {"500", "503", "429", "404", "timeout", "reset", "truncate", "html"}


# -- the request log -------------------------------------------------------------------------


def test_request_log(site, client):
    site.reset_log()
    client.get(site.search_url, headers={"User-Agent": "jtai-watch-test"})
    doc = client.get(site.file_url(site.jtai_doc_ids["80552"]))
    client.get(site.provider_url("80552"))
    hits = site.requests
    assert [(h.method, h.status, h.kind) for h in hits] == [("GET", 200, "listing"), ("GET", 200, "document"), ("GET", 200, "listing")]
    assert hits[0].path == "/search?q=&level_1_types=3&level_2_types%5B%5D=12"
    assert hits[0].headers["user-agent"] == "jtai-watch-test"
    assert site.bytes_sent("document") == len(doc.content)
    assert site.bytes_sent("listing") == hits[0].bytes_sent + hits[2].bytes_sent > 0
    assert site.bytes_sent() == site.bytes_sent("document") + site.bytes_sent("listing")
    assert len(site.hits("/provider/")) == 1 and len(site.hits(site.jtai_doc_ids["80552"])) == 1
    site.reset_log()
    assert site.requests == [] and site.bytes_sent() == 0
