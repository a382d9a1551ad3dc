"""tasks.fetch against a real local HTTP(S) server that misbehaves on purpose."""

from __future__ import annotations

import hashlib
import os
import random
import time
from concurrent.futures import ThreadPoolExecutor
from email.utils import format_datetime
from datetime import datetime, timedelta, timezone

import pytest

from tasks.fetch import FetchPolicy, FetchRequest, FetchResult, Fetcher, parse_retry_after, redact_url
from tests.support.corpus import OFSTED
from tests.support.fault_server import FaultServer, Reply, make_test_ca

PDF = b"%PDF-1.4\n" + b"1 0 obj << /Type /Catalog >> endobj\n" * 200 + b"%%EOF\n"
PDF_HEADERS = {"Content-Type": "application/pdf", "ETag": '"v1"', "Last-Modified": "Fri, 19 Oct 2012 09:00:00 GMT"}
BIRMINGHAM = OFSTED / "80429-birmingham-19-october-2012.pdf"  # an HTML "Report not found" page


class Sleeps:
    """Injected ``sleep``: records the delays, sleeps for real only a little."""

    def __init__(self, real: bool = False) -> None:
        self.calls: list[float] = []
        self.real = real

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)
        if self.real:
            time.sleep(seconds)


def fast(**kw) -> FetchPolicy:
    kw.setdefault("backoff_base_s", 0.01)
    kw.setdefault("timeout_s", 5)
    kw.setdefault("connect_timeout_s", 2)
    return FetchPolicy(**kw)


@pytest.fixture
def srv():
    with FaultServer() as server:
        yield server


@pytest.fixture
def sleeps():
    return Sleeps()


@pytest.fixture
def fetcher(sleeps):
    with Fetcher(fast(), sleep=sleeps, trust_env=False) as f:
        yield f


# -- the happy path and conditional requests -----------------------------------------------


def test_ok_pdf_with_validators(srv, fetcher, sleeps):
    url = srv.script("/doc.pdf", Reply(body=PDF, headers=PDF_HEADERS))
    r = fetcher.fetch(FetchRequest(url, expect="pdf"))
    assert r.outcome == "ok" and r.ok, r
    assert r.body == PDF
    assert r.sha256 == hashlib.sha256(PDF).hexdigest()
    assert (r.http_status, r.etag, r.last_modified) == (200, '"v1"', "Fri, 19 Oct 2012 09:00:00 GMT")
    assert r.content_type == "application/pdf"
    assert r.url == url and r.final_url == url
    assert (r.attempts, r.bytes_downloaded, r.error, r.error_code) == (1, len(PDF), None, None)
    assert r.elapsed_s > 0 and sleeps.calls == []
    assert "<%d bytes>" % len(PDF) in repr(r) and "1 0 obj" not in repr(r)


def test_conditional_request_304_costs_no_download(srv, fetcher):
    url = srv.script("/doc.pdf", Reply(body=PDF, headers=PDF_HEADERS, conditional=True))
    first = fetcher.fetch(FetchRequest(url))
    again = fetcher.fetch(FetchRequest(url, etag=first.etag, last_modified=first.last_modified))
    assert again.outcome == "not_modified", again
    assert (again.http_status, again.body, again.sha256, again.bytes_downloaded) == (304, None, None, 0)
    assert again.etag == '"v1"' and again.last_modified == first.last_modified
    sent = srv.seen("/doc.pdf")[1].headers
    assert sent["If-None-Match"] == '"v1"'
    assert sent["If-Modified-Since"] == "Fri, 19 Oct 2012 09:00:00 GMT"
    assert "If-None-Match" not in srv.seen("/doc.pdf")[0].headers
    # a changed document (the stored etag no longer matches) downloads again
    changed = fetcher.fetch(FetchRequest(url, etag='"v0"'))
    assert changed.outcome == "ok" and changed.body == PDF


def test_user_agent_and_accept_headers(srv, fetcher):
    url = srv.script("/doc.pdf", Reply(body=PDF))
    fetcher.fetch(FetchRequest(url))
    ua = srv.seen("/doc.pdf")[0].headers["User-Agent"]
    assert ua.startswith("jtai-watch/") and "(+https://" in ua
    assert srv.seen("/doc.pdf")[0].headers["Accept"].startswith("application/pdf")
    with Fetcher(FetchPolicy(user_agent="jtai-watch-test (+mailto:ops@example.org)"), trust_env=False) as f:
        f.fetch(FetchRequest(url))
    assert srv.seen("/doc.pdf")[1].headers["User-Agent"] == "jtai-watch-test (+mailto:ops@example.org)"


def test_connections_are_pooled(srv, fetcher):
    url = srv.script("/doc.pdf", Reply(body=PDF))
    for _ in range(3):
        assert fetcher.fetch(FetchRequest(url)).ok
    assert len({s.client_port for s in srv.seen("/doc.pdf")}) == 1  # one keep-alive connection


# -- retries -------------------------------------------------------------------------------


def test_500_then_200_is_retried(srv, fetcher, sleeps):
    url = srv.script("/doc.pdf", Reply(500, b"oops"), Reply(body=PDF))
    r = fetcher.fetch(FetchRequest(url))
    assert r.outcome == "ok" and r.attempts == 2 and r.body == PDF
    assert len(sleeps.calls) == 1 and 0 <= sleeps.calls[0] <= 0.01


def test_503_until_out_of_retries(srv, sleeps):
    url = srv.script("/doc.pdf", Reply(503, b"busy"))
    with Fetcher(fast(retries=3, backoff_base_s=0.01, backoff_max_s=0.03), sleep=sleeps, trust_env=False) as f:
        r = f.fetch(FetchRequest(url))
    assert r.outcome == "failed" and r.error_code == "http_503" and r.http_status == 503
    assert r.attempts == 4 and len(srv.seen("/doc.pdf")) == 4
    assert r.error == "HTTP 503 Service Unavailable (after 4 attempts)"
    assert r.body is None and r.etag is None
    # full jitter under an exponential ceiling, capped by backoff_max_s
    assert len(sleeps.calls) == 3
    for delay, ceiling in zip(sleeps.calls, (0.01, 0.02, 0.03)):
        assert 0 <= delay <= ceiling


def test_real_short_backoffs(srv):
    """Real sleeping (no injection): the delays happen, and stay within their ceilings."""
    url = srv.script("/doc.pdf", Reply(502), Reply(502), Reply(body=PDF))
    rec = Sleeps(real=True)
    with Fetcher(fast(backoff_base_s=0.05), sleep=rec, rng=random.Random(7), trust_env=False) as f:
        r = f.fetch(FetchRequest(url))
    assert r.ok and r.attempts == 3
    assert len(rec.calls) == 2 and rec.calls[0] <= 0.05 and rec.calls[1] <= 0.1
    assert r.elapsed_s >= sum(rec.calls)
    seen = srv.seen("/doc.pdf")
    assert seen[1].at - seen[0].at >= rec.calls[0] * 0.9

    # the default sleep is time.sleep
    url = srv.script("/b.pdf", Reply(500), Reply(body=PDF))
    with Fetcher(fast(backoff_base_s=0.05), rng=random.Random(1), trust_env=False) as f:
        start = time.monotonic()
        assert f.fetch(FetchRequest(url)).attempts == 2
    expected = random.Random(1).uniform(0, 0.05)
    assert time.monotonic() - start >= expected * 0.9


def test_429_retry_after_seconds_is_honoured(srv, fetcher, sleeps):
    url = srv.script("/doc.pdf", Reply(429, headers={"Retry-After": "1"}), Reply(body=PDF))
    r = fetcher.fetch(FetchRequest(url))
    assert r.ok and r.attempts == 2
    assert sleeps.calls == [pytest.approx(1.0)]


def test_429_retry_after_http_date_is_honoured(srv, fetcher, sleeps):
    when = format_datetime(datetime.now(timezone.utc) + timedelta(seconds=3), usegmt=True)
    url = srv.script("/doc.pdf", Reply(429, headers={"Retry-After": when}), Reply(body=PDF))
    assert fetcher.fetch(FetchRequest(url)).ok
    assert len(sleeps.calls) == 1 and 1.5 <= sleeps.calls[0] <= 3.0


def test_retry_after_beyond_the_cap_is_not_waited_for(srv, sleeps):
    url = srv.script("/doc.pdf", Reply(429, headers={"Retry-After": "3600"}))
    with Fetcher(fast(respect_retry_after_max_s=5), sleep=sleeps, trust_env=False) as f:
        r = f.fetch(FetchRequest(url))
    assert r.outcome == "failed" and r.error_code == "http_429" and r.attempts == 1
    assert sleeps.calls == [] and "3600 s" in r.error


def test_429_without_retry_after_backs_off(srv, fetcher, sleeps):
    url = srv.script("/doc.pdf", Reply(429), Reply(body=PDF))
    assert fetcher.fetch(FetchRequest(url)).attempts == 2
    assert len(sleeps.calls) == 1 and sleeps.calls[0] <= 0.01


@pytest.mark.parametrize("status", [400, 403, 404, 410])
def test_other_4xx_are_not_retried(srv, fetcher, sleeps, status):
    url = srv.script("/gone.pdf", Reply(status, b"<html><title>no</title></html>"))
    r = fetcher.fetch(FetchRequest(url))
    assert r.outcome == "failed" and r.error_code == f"http_{status}" and r.http_status == status
    assert r.attempts == 1 and sleeps.calls == [] and len(srv.seen("/gone.pdf")) == 1


def test_unscripted_404(srv, fetcher):
    r = fetcher.fetch(FetchRequest(srv.url("/nothing-here.pdf")))
    assert (r.error_code, r.attempts, r.error) == ("http_404", 1, "HTTP 404 Not Found")


def test_timeout_is_retried_then_fails(srv):
    url = srv.script("/slow.pdf", Reply(body=PDF, delay_s=1.0))
    rec = Sleeps()
    with Fetcher(fast(timeout_s=0.2, retries=2), sleep=rec, trust_env=False) as f:
        start = time.monotonic()
        r = f.fetch(FetchRequest(url))
    assert r.outcome == "failed" and r.error_code == "timeout"
    assert r.attempts == 3 and len(rec.calls) == 2
    assert "timed out" in r.error and "after 3 attempts" in r.error
    assert 0.6 <= time.monotonic() - start < 2.5


def test_timeout_then_success(srv, fetcher):
    url = srv.script("/slow.pdf", Reply(body=PDF, delay_s=1.0), Reply(body=PDF))
    with Fetcher(fast(timeout_s=0.2), sleep=Sleeps(), trust_env=False) as f:
        r = f.fetch(FetchRequest(url))
    assert r.ok and r.attempts == 2


def test_trickling_body_is_cut_by_the_download_deadline(srv):
    url = srv.script("/drip.pdf", Reply(body=PDF, chunk_size=100, chunk_delay_s=0.05))
    with Fetcher(fast(max_download_s=0.3, retries=0), trust_env=False) as f:
        r = f.fetch(FetchRequest(url))
    assert r.error_code == "timeout" and "longer than 0.3 s" in r.error


def test_connection_reset_is_retried(srv, fetcher):
    url = srv.script("/doc.pdf", Reply(reset=True), Reply(body=PDF))
    r = fetcher.fetch(FetchRequest(url))
    assert r.ok and r.attempts == 2 and r.body == PDF


def test_connection_reset_every_time_fails(srv, fetcher, sleeps):
    url = srv.script("/doc.pdf", Reply(reset=True))
    r = fetcher.fetch(FetchRequest(url))
    assert r.outcome == "failed" and r.error_code == "reset" and r.attempts == 4
    assert r.http_status is None and len(sleeps.calls) == 3


def test_connection_refused(fetcher):
    import socket

    with socket.socket() as s:  # a port nothing listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    r = fetcher.fetch(FetchRequest(f"http://127.0.0.1:{port}/doc.pdf"))
    assert r.error_code == "connect" and r.attempts == 4 and r.error.startswith("could not connect")


# -- truncation and the size cap -----------------------------------------------------------


def test_truncated_body_is_retried_then_fails(srv, fetcher):
    url = srv.script("/doc.pdf", Reply(body=PDF, truncate_at=500))
    r = fetcher.fetch(FetchRequest(url))
    assert r.outcome == "failed" and r.error_code == "truncated" and r.attempts == 4
    assert r.http_status == 200 and r.body is None
    assert r.bytes_downloaded == 4 * 500
    assert "cut off after 500 bytes of" in r.error


def test_truncated_then_complete(srv, fetcher):
    url = srv.script("/doc.pdf", Reply(body=PDF, truncate_at=100), Reply(body=PDF))
    r = fetcher.fetch(FetchRequest(url))
    assert r.ok and r.attempts == 2 and r.sha256 == hashlib.sha256(PDF).hexdigest()


def test_truncated_chunked_body(srv, fetcher):
    url = srv.script("/doc.pdf", Reply(body=PDF, chunked=True, chunk_size=1000, truncate_at=3000))
    r = fetcher.fetch(FetchRequest(url))
    assert r.error_code == "truncated" and r.attempts == 4


def test_chunked_body_ok(srv, fetcher):
    url = srv.script("/doc.pdf", Reply(body=PDF, chunked=True, chunk_size=1000))
    r = fetcher.fetch(FetchRequest(url))
    assert r.ok and r.body == PDF


def test_too_large_by_content_length_is_refused_before_download(srv, sleeps):
    big = b"%PDF-1.7\n" + b"x" * 50_000
    url = srv.script("/big.pdf", Reply(body=big))
    with Fetcher(fast(max_bytes=10_000), sleep=sleeps, trust_env=False) as f:
        r = f.fetch(FetchRequest(url))
    assert r.outcome == "failed" and r.error_code == "too_large" and r.attempts == 1
    assert r.bytes_downloaded == 0 and sleeps.calls == []
    assert "Content-Length" in r.error and "size cap" in r.error


def test_too_large_streamed_without_length(srv, sleeps):
    big = b"%PDF-1.7\n" + b"x" * 500_000
    url = srv.script("/big.pdf", Reply(body=big, chunked=True, chunk_size=4096))
    url2 = srv.script("/big2.pdf", Reply(body=big, content_length=False, chunk_size=4096))
    with Fetcher(fast(max_bytes=10_000), sleep=sleeps, trust_env=False) as f:
        for u in (url, url2):
            r = f.fetch(FetchRequest(u))
            assert r.outcome == "failed" and r.error_code == "too_large" and r.attempts == 1, r
            assert r.bytes_downloaded < 100_000  # stopped early, not the whole half megabyte
            assert r.error.startswith("stopped after")
    assert sleeps.calls == []


def test_body_exactly_at_the_cap_is_fine(srv):
    body = b"%PDF-1.7\n" + b"x" * 991
    url = srv.script("/edge.pdf", Reply(body=body))
    with Fetcher(fast(max_bytes=1000), trust_env=False) as f:
        assert f.fetch(FetchRequest(url)).ok


# -- content sniffing ----------------------------------------------------------------------


@pytest.mark.parametrize("ctype", ["text/html; charset=utf-8", "application/pdf"])
def test_html_report_not_found_at_a_pdf_link(srv, fetcher, sleeps, ctype):
    page = BIRMINGHAM.read_bytes()
    assert page.lstrip().startswith(b"<!DOCTYPE html")
    url = srv.script("/provider/files/80429/urn/80429.pdf", Reply(body=page, headers={"Content-Type": ctype}))
    r = fetcher.fetch(FetchRequest(url, expect="pdf"))
    assert r.outcome == "failed" and r.error_code == "not_a_pdf" and r.attempts == 1
    assert r.error == (
        'not a PDF: the server sent an HTML page (title "Report not found - Find an Inspection Report - Ofsted")'
    )
    assert r.http_status == 200 and r.body is None and sleeps.calls == []


def test_html_page_is_fine_when_html_is_expected(srv, fetcher):
    page = BIRMINGHAM.read_bytes()
    url = srv.script("/index.html", Reply(body=page, headers={"Content-Type": "text/html"}))
    assert fetcher.fetch(FetchRequest(url, expect="html")).body == page
    assert fetcher.fetch(FetchRequest(url, expect="any")).ok
    assert fetcher.fetch(FetchRequest(url, expect="feed")).error_code == "not_a_feed"
    pdf_url = srv.script("/x.pdf", Reply(body=PDF))
    assert fetcher.fetch(FetchRequest(pdf_url, expect="html")).error_code == "not_html"


def test_feed_sniffing(srv, fetcher):
    atom = b'<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom"></feed>'
    url = srv.script("/feed.atom", Reply(body=atom))
    assert fetcher.fetch(FetchRequest(url, expect="feed")).ok
    assert fetcher.fetch(FetchRequest(url, expect="pdf")).error == "not a PDF: the server sent an XML document"


def test_small_and_empty_non_pdfs(srv, fetcher):
    assert fetcher.fetch(FetchRequest(srv.script("/e.pdf", Reply(body=b"")))).error == (
        "not a PDF: the server sent an empty body"
    )
    r = fetcher.fetch(FetchRequest(srv.script("/j.pdf", Reply(body=b'{"error": 1}'))))
    assert r.error_code == "not_a_pdf" and r.error.endswith("JSON")


def test_pdf_marker_after_a_short_preamble_is_accepted(srv, fetcher):
    body = b"\r\n" * 100 + PDF
    assert fetcher.fetch(FetchRequest(srv.script("/p.pdf", Reply(body=body)))).ok
    late = b" " * 2000 + PDF
    assert fetcher.fetch(FetchRequest(srv.script("/late.pdf", Reply(body=late)))).error_code == "not_a_pdf"


# -- redirects -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tls(tmp_path_factory):
    pytest.importorskip("cryptography")
    return make_test_ca(tmp_path_factory.mktemp("tls"))


def test_redirect_to_https_is_followed(srv, tls):
    import ssl

    ca, cert, key = tls
    with FaultServer(tls=(cert, key)) as secure:
        target = secure.script("/doc.pdf", Reply(body=PDF, headers=PDF_HEADERS))
        url = srv.script("/old.pdf", Reply(301, headers={"Location": target}))
        with Fetcher(fast(), verify=ssl.create_default_context(cafile=ca), trust_env=False) as f:
            r = f.fetch(FetchRequest(url))
        assert r.ok, r
        assert r.final_url == target and r.url == url and r.body == PDF and r.etag == '"v1"'
        assert r.attempts == 1
        # the same server without trusting its CA: a TLS failure, not retried
        with Fetcher(fast(), sleep=Sleeps(), trust_env=False) as f:
            bad = f.fetch(FetchRequest(url))
        assert bad.error_code == "tls" and bad.attempts == 1


def test_relative_redirect_chain(srv, fetcher):
    srv.script("/a", Reply(302, headers={"Location": "/b"}))
    srv.script("/b", Reply(307, headers={"Location": "c.pdf"}))
    srv.script("/c.pdf", Reply(body=PDF))
    r = fetcher.fetch(FetchRequest(srv.url("/a")))
    assert r.ok and r.final_url == srv.url("/c.pdf")


@pytest.mark.parametrize(
    "location", ["file:///etc/passwd", "ftp://127.0.0.1/doc.pdf", "javascript:alert(1)", "data:text/plain,hi"]
)
def test_redirect_to_non_http_is_refused(srv, fetcher, sleeps, location):
    url = srv.script("/doc.pdf", Reply(302, headers={"Location": location}))
    r = fetcher.fetch(FetchRequest(url))
    assert r.outcome == "failed" and r.error_code == "bad_redirect" and r.attempts == 1
    assert r.http_status == 302 and "non-http(s)" in r.error and sleeps.calls == []


def test_redirect_without_location(srv, fetcher):
    r = fetcher.fetch(FetchRequest(srv.script("/doc.pdf", Reply(302))))
    assert r.error_code == "bad_redirect" and "without a Location" in r.error


def test_redirect_loop(srv, fetcher, sleeps):
    srv.script("/a", Reply(302, headers={"Location": "/b"}))
    srv.script("/b", Reply(302, headers={"Location": "/a"}))
    r = fetcher.fetch(FetchRequest(srv.url("/a")))
    assert r.outcome == "failed" and r.error_code == "too_many_redirects" and r.attempts == 1
    assert len(srv.seen()) == 6  # the first request and five redirects followed
    assert sleeps.calls == []


def test_max_redirects_allowed_exactly(srv):
    for i in range(2):
        srv.script(f"/r{i}", Reply(302, headers={"Location": f"/r{i + 1}"}))
    srv.script("/r2", Reply(body=PDF))
    with Fetcher(fast(max_redirects=2), trust_env=False) as f:
        assert f.fetch(FetchRequest(srv.url("/r0"))).ok
    with Fetcher(fast(max_redirects=1), trust_env=False) as f:
        assert f.fetch(FetchRequest(srv.url("/r0"))).error_code == "too_many_redirects"


# -- politeness across threads -------------------------------------------------------------


def test_per_host_concurrency_limit(srv):
    url = srv.script("/slow.pdf", Reply(body=PDF, delay_s=0.25))
    with Fetcher(fast(per_host_concurrency=2), trust_env=False) as f, ThreadPoolExecutor(6) as pool:
        results = list(pool.map(lambda _: f.fetch(FetchRequest(url)), range(6)))
    assert all(r.ok for r in results)
    assert len(srv.seen("/slow.pdf")) == 6
    assert srv.max_active("/slow.pdf") == 2


def test_hosts_are_limited_separately(srv):
    """127.0.0.1 and localhost are different hosts: each gets its own two slots."""
    url = srv.script("/slow.pdf", Reply(body=PDF, delay_s=0.25))
    other = url.replace("127.0.0.1", "localhost")
    with Fetcher(fast(per_host_concurrency=2), trust_env=False) as f, ThreadPoolExecutor(8) as pool:
        results = list(pool.map(lambda u: f.fetch(FetchRequest(u)), [url, other] * 4))
    assert all(r.ok for r in results), results
    assert srv.max_active("/slow.pdf") in (3, 4)


def test_many_threads_share_one_fetcher(srv):
    paths = [f"/d{i}.pdf" for i in range(20)]
    for i, p in enumerate(paths):
        srv.script(p, Reply(500), Reply(body=PDF + str(i).encode()))
    with Fetcher(fast(per_host_concurrency=4), sleep=Sleeps(), trust_env=False) as f, ThreadPoolExecutor(10) as pool:
        results = list(pool.map(lambda p: f.fetch(FetchRequest(srv.url(p))), paths))
    assert [r.body for r in results] == [PDF + str(i).encode() for i in range(20)]
    assert {r.attempts for r in results} == {2}


# -- credentials, bad URLs -----------------------------------------------------------------


def test_credentials_are_redacted_from_errors(fetcher):
    r = fetcher.fetch(FetchRequest("http://user:secret@127.0.0.1:1/x?token=abc"))
    assert r.outcome == "failed" and r.error_code == "connect"
    for text in (r.error, repr(r)):
        assert "secret" not in text and "abc" not in text
    assert r.url == "http://user:secret@127.0.0.1:1/x?token=abc"  # the caller's key is untouched


def test_redirect_target_credentials_are_redacted(srv, fetcher):
    loc = "ftp://admin:hunter22@files.example.org/doc.pdf?api_key=zzz999&x=1"
    r = fetcher.fetch(FetchRequest(srv.script("/doc.pdf", Reply(302, headers={"Location": loc}))))
    assert r.error_code == "bad_redirect"
    assert "hunter22" not in r.error and "zzz999" not in r.error and "admin" not in r.error
    assert "files.example.org" in r.error and "x=1" in r.error


def test_redact_url():
    assert redact_url("http://user:secret@host.example/x?token=abc&q=islington") == (
        "http://***@host.example/x?token=***&q=islington"
    )
    assert redact_url("https://h/x?X-Amz-Signature=deadbeef&X-Amz-Credential=AKIA&page=2") == (
        "https://h/x?X-Amz-Signature=***&X-Amz-Credential=***&page=2"
    )
    assert redact_url("https://h/cb#access_token=ya29abc&state=1") == "https://h/cb#access_token=***&state=1"
    long_value = "a1b2c3d4e5f6g7h8i9j0k1l2"
    assert redact_url(f"https://h/x?v={long_value}") == "https://h/x?v=***"
    ofsted = "https://reports.ofsted.gov.uk/search?q=&level_1_types=3&level_2_types%5B%5D=12&start=0&rows=100"
    assert redact_url(ofsted) == ofsted
    assert redact_url("http://[::1") in ("http://[::1", "<unparseable URL>")


@pytest.mark.parametrize(
    "url", ["ftp://example.org/doc.pdf", "javascript:alert(1)", "http://", "http://[::1/x", "mailto:a@b.c"]
)
def test_invalid_urls_fail_without_raising(fetcher, url):
    r = fetcher.fetch(FetchRequest(url))
    assert r.outcome == "failed" and r.error_code == "invalid_url" and r.attempts == 0


def test_closed_fetcher_raises():
    f = Fetcher(trust_env=False)
    f.close()
    f.close()
    with pytest.raises(RuntimeError):
        f.fetch(FetchRequest("http://127.0.0.1/"))


def test_bad_expect_is_a_programming_error():
    with pytest.raises(ValueError):
        FetchRequest("http://x/", expect="docx")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        FetchPolicy(per_host_concurrency=0)


def test_unsafe_stored_validators_are_not_sent(srv, fetcher):
    url = srv.script("/doc.pdf", Reply(body=PDF))
    r = fetcher.fetch(FetchRequest(url, etag='"v1"\r\nX-Injected: 1', last_modified="  "))
    assert r.ok
    headers = srv.seen("/doc.pdf")[0].headers
    assert "X-Injected" not in headers and "If-None-Match" not in headers and "If-Modified-Since" not in headers


def test_parse_retry_after():
    now = datetime(2024, 1, 1, 12, 0, 0, tzinfo=timezone.utc)
    assert parse_retry_after("120", now) == 120
    assert parse_retry_after("Mon, 01 Jan 2024 12:00:30 GMT", now) == 30
    assert parse_retry_after("Mon, 01 Jan 2024 11:00:00 GMT", now) == 0
    assert parse_retry_after("soon", now) is None and parse_retry_after(None) is None
    assert parse_retry_after("-5", now) == 0


# -- local files ---------------------------------------------------------------------------


def test_file_url_and_not_modified_by_etag(tmp_path, fetcher):
    doc = tmp_path / "letter one.pdf"
    doc.write_bytes(PDF)
    url = doc.as_uri()
    assert "%20" in url
    r = fetcher.fetch(FetchRequest(url))
    assert r.outcome == "ok" and r.body == PDF and r.sha256 == hashlib.sha256(PDF).hexdigest()
    assert r.etag and r.last_modified and r.final_url == url and r.attempts == 1
    assert r.bytes_downloaded == len(PDF)

    same = fetcher.fetch(FetchRequest(url, etag=r.etag))
    assert same.outcome == "not_modified" and same.body is None and same.etag == r.etag
    assert same.bytes_downloaded == 0

    doc.write_bytes(PDF + b"% appended\n")
    st = doc.stat()
    os.utime(doc, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    changed = fetcher.fetch(FetchRequest(url, etag=r.etag))
    assert changed.outcome == "ok" and changed.etag != r.etag and changed.body.endswith(b"% appended\n")


def test_plain_local_path(tmp_path, fetcher):
    doc = tmp_path / "doc.pdf"
    doc.write_bytes(PDF)
    r = fetcher.fetch(FetchRequest(str(doc)))
    assert r.ok and r.body == PDF and r.final_url == doc.as_uri()
    assert fetcher.fetch(FetchRequest(str(doc), etag=r.etag)).outcome == "not_modified"


def test_file_sniffing_size_cap_and_missing(tmp_path, fetcher):
    r = fetcher.fetch(FetchRequest(BIRMINGHAM.as_uri()))
    assert r.error_code == "not_a_pdf"
    assert r.error == 'not a PDF: the file holds an HTML page (title "Report not found - Find an Inspection Report - Ofsted")'
    big = tmp_path / "big.pdf"
    big.write_bytes(b"%PDF-1.7\n" + b"x" * 5000)
    with Fetcher(fast(max_bytes=1000), trust_env=False) as f:
        assert f.fetch(FetchRequest(str(big))).error_code == "too_large"
    missing = fetcher.fetch(FetchRequest((tmp_path / "nope.pdf").as_uri()))
    assert missing.outcome == "failed" and missing.error_code == "file_not_found"
    assert fetcher.fetch(FetchRequest(str(tmp_path))).error_code == "file_error"
    assert fetcher.fetch(FetchRequest("file://otherhost/x.pdf")).error_code == "invalid_url"
    with Fetcher(fast(allow_file_urls=False), trust_env=False) as f:
        assert f.fetch(FetchRequest(str(big))).error_code == "invalid_url"


def test_result_is_a_plain_dataclass():
    r = FetchResult(url="u", final_url=None, outcome="failed", error_code="timeout")
    assert not r.ok and r.attempts == 0


def test_gzip_encoded_body_is_decoded_and_length_checked_on_the_wire(srv, fetcher):
    import gzip

    packed = gzip.compress(PDF)
    url = srv.script("/z.pdf", Reply(body=packed, headers={"Content-Encoding": "gzip"}))
    r = fetcher.fetch(FetchRequest(url))
    assert r.ok and r.body == PDF and r.sha256 == hashlib.sha256(PDF).hexdigest()
    assert r.bytes_downloaded == len(packed)


def test_a_bug_inside_is_reported_not_raised(srv):
    def broken_sleep(_s: float) -> None:
        raise ZeroDivisionError("boom")

    url = srv.script("/doc.pdf", Reply(500))
    with Fetcher(fast(), sleep=broken_sleep, trust_env=False) as f:
        r = f.fetch(FetchRequest(url))
    assert r.outcome == "failed" and r.error_code == "internal_error" and "ZeroDivisionError" in r.error
