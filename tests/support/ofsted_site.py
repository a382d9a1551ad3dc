"""A local copy of the Ofsted reports site, served over real HTTP on 127.0.0.1, for end-to-end tests.

    with OfstedSite.from_corpus() as site:
        httpx.get(site.search_url)                       # search listing, page 1 (rows=25)
        httpx.get(site.search_url + "&start=25&rows=25")  # page 2; start=50 -> no results
        httpx.get(site.provider_url("80505"))            # Islington's provider page
        httpx.get(site.file_url(50000001))               # a document

The markup follows what public scrapers of reports.ofsted.gov.uk rely on (see the docstring
of ``parsers.listings``): search results ``ul.results-list > li.search-result >
h3.search-result__title > a[href="/provider/44/<urn>"]`` with ``search-result__provider-info``
lists and a ``ul.pagination li.next a.pagination__next`` link; provider pages with
``h1.heading--title``, ``ol.timeline > li.timeline__day`` holding a ``<time>`` and
``a.publication-link`` whose ``span.nonvisual`` reads "<Label>, pdf - <dd Month yyyy>";
documents at ``/v1/file/<id>`` (the live site uses https://files.ofsted.gov.uk/v1/file/<id>).
The page chrome (header, breadcrumbs, footer) is the live site's, as in the corpus's
"Report not found" page.

Besides the Ofsted pages it serves a safeguarding partnership's "annual reports" page
(:attr:`OfstedSite.board_index_url`) and an Atom feed of the JTAI letters
(:attr:`OfstedSite.feed_url`).

Every response carries ``ETag`` (quoted sha256 prefix of the body) and ``Last-Modified`` and
honours ``If-None-Match`` / ``If-Modified-Since`` with a 304. Documents, providers and
publications can be changed while the site runs, faults injected per path, and every
request is logged (:attr:`OfstedSite.requests`).
"""

from __future__ import annotations

import csv
import hashlib
import html
import socket
import struct
import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from email.utils import format_datetime, parsedate_to_datetime
from functools import lru_cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable
from urllib.parse import parse_qs, urlsplit

from .corpus import OFSTED, manifest

FAULT_KINDS = ("500", "503", "429", "404", "timeout", "reset", "truncate", "html")
SEARCH_QUERY = "q=&level_1_types=3&level_2_types%5B%5D=12"
PROVIDER_TYPE = "44"  # local authority children's services
FIRST_DOC_ID = 50000001
DEFAULT_ROWS = 25  # the corpus's 45 authorities then span two pages
MAX_ROWS = 100  # the live site's cap since February 2025
JTAI_LABEL = "Joint targeted area inspection"
# (seed, local authority URN, published) of the JTAI letters the corpus seeds are made from
EXTRA_JTAI = (("000", "80505", date(2019, 1, 29)), ("001", "80454", date(2018, 11, 23)), ("004", "80552", date(2019, 1, 15)))
BOARD_INDEX_PATH = "/iscb/about-us/annual-reports"
BOARD_REPORT_PATH = "/iscb/documents/ISCB-Annual-Report-2015-16.pdf"
FEED_PATH = "/feeds/jtai.atom"
_LA_CSV = Path(__file__).resolve().parents[2] / "parsers" / "data" / "local_authorities.csv"
_EPOCH = datetime(2025, 6, 2, 9, 30, tzinfo=timezone.utc)

BodySource = bytes | Callable[[], bytes]


# -- public records --------------------------------------------------------------------------


@dataclass
class SiteDoc:
    """A publication to list on a provider page (``OfstedSite(root_docs=[...])``)."""

    urn: str
    label: str
    published: date | None
    body: BodySource
    name: str | None = None  # the provider's name, when the site has to create the provider
    doc_id: int | None = None  # assigned when None
    content_type: str | None = None  # sniffed from the body when None


@dataclass(frozen=True)
class Hit:
    """One logged request."""

    method: str
    path: str  # as requested, with the query string
    status: int  # 0 when the connection was dropped before a status line
    bytes_sent: int  # body bytes written
    headers: dict[str, str]  # request headers, lower-case names
    kind: str = "listing"  # "document" | "listing"
    fault: str | None = None


# -- internals -------------------------------------------------------------------------------


class _Doc:
    def __init__(self, path: str, body: BodySource, *, label: str = "", published: date | None = None,
                 urn: str | None = None, content_type: str | None = None, last_modified: datetime | None = None,
                 doc_id: int | None = None) -> None:
        self.path = path
        self.doc_id = doc_id
        self._source: BodySource | None = body
        self._body: bytes | None = None
        self._etag: str | None = None
        self.label = label
        self.published = published
        self.urn = urn
        self.listed = True
        self._content_type = content_type
        self.last_modified = last_modified or _published_lm(published)

    def body(self) -> bytes:
        if self._body is None:
            src = self._source
            self._body = bytes(src() if callable(src) else src)  # type: ignore[arg-type]
            self._source = None
        return self._body

    def etag(self) -> str:
        if self._etag is None:
            self._etag = _etag(self.body())
        return self._etag

    def content_type(self) -> str:
        if self._content_type:
            return self._content_type
        return "application/pdf" if self.body()[:5] == b"%PDF-" else "text/html; charset=utf-8"

    def replace(self, body: bytes, last_modified: datetime) -> None:
        self._body, self._etag, self._source = bytes(body), None, None
        self.last_modified = last_modified


@dataclass
class _Provider:
    urn: str
    name: str
    doc_ids: list[int] = field(default_factory=list)


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest()[:24] + '"'


def _published_lm(published: date | None) -> datetime:
    d = published or date(2020, 1, 1)
    return datetime(d.year, d.month, d.day, 9, 30, tzinfo=timezone.utc)


def _http_date(dt: datetime) -> str:
    return format_datetime(dt.astimezone(timezone.utc), usegmt=True)


def _as_date(value: date | str | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return datetime.strptime(" ".join(str(value).split()).title(), "%d %B %Y").date()


def _fmt(d: date | None) -> str:
    return d.strftime("%d %B %Y") if d else ""


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _cap(label: str) -> str:
    return label[:1].upper() + label[1:]


@lru_cache(maxsize=1)
def _la_names() -> dict[str, str]:
    try:
        with _LA_CSV.open(encoding="utf-8-sig") as fh:
            return {r["urn"].strip(): r["local_authority_ons_name"].strip() for r in csv.DictReader(fh) if r.get("urn")}
    except OSError:
        return {}


def la_name(urn: str, fallback: str | None = None) -> str:
    """The authority's name for ``urn`` from the project's gazetteer CSV."""
    return _la_names().get(str(urn)) or (fallback.title() if fallback else f"Provider {urn}")


def la_urn(name: str) -> str:
    """The Ofsted URN of the authority called ``name`` (exact, case-insensitive)."""
    for urn, n in _la_names().items():
        if n.lower() == name.lower():
            return urn
    raise KeyError(name)


_FALLBACK_NOT_FOUND = (
    b'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"/>'
    b"<title>Report not found - Find an Inspection Report - Ofsted</title></head><body><main id=\"main\">"
    b'<h1 class="heading--title title-block__heading">Report not found</h1>'
    b"<p>Sorry, the document you requested no longer exists.</p></main></body></html>"
)


@lru_cache(maxsize=1)
def report_not_found_html() -> bytes:
    """The live site's "Report not found" page, as the corpus keeps it."""
    p = OFSTED / "80429-birmingham-19-october-2012.pdf"
    try:
        return p.read_bytes()
    except OSError:
        return _FALLBACK_NOT_FOUND


_FOOTER = """<div class="phase-beta">
  <div class="container">
      <strong>How was your visit today?</strong>
      <a href="/feedback">Give feedback on our website</a>
  </div>
</div>
<footer class="footer">
  <div class="container">
    <ul class="footer__links list-inline">
      <li><a href="/terms-and-conditions">Terms of use</a></li>
      <li><a href="/copyright">Copyright</a></li>
      <li><a href="/privacy">Privacy</a></li>
      <li><a href="/cookies">Cookies</a></li>
      <li><a href="https://www.gov.uk/government/publications/ofsted-privacy-notices">Ofsted&#039;s privacy notices</a></li>
      <li><a href="/accessibility-statement">Accessibility statement</a></li>
      <li><a href="https://contact.ofsted.gov.uk/contact-form">Contact us</a></li>
    </ul>
    <div class="footer_crown-copyright">
      <p class="footer__copy-right"><a href="https://www.nationalarchives.gov.uk/information-management/re-using-public-sector-information/uk-government-licensing-framework/crown-copyright/">&copy; Crown copyright</a></p>
    </div>
  </div>
</footer>"""


def _ofsted_page(title: str, crumbs: list[tuple[str, str | None]], main: str, canonical: str | None = None) -> bytes:
    crumb_html = "\n".join(
        f'      <li class="crumb"><a href="{_esc(href)}">{_esc(text)}</a></li>' if href else f'      <li class="crumb">{_esc(text)}</li>'
        for text, href in [("Home", "/"), *crumbs]
    )
    canon = f'\n  <link rel="canonical" href="{_esc(canonical)}">' if canonical else ""
    page = f"""<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8"/>
  <link rel="stylesheet" href="/css/style.css" />
  <meta name="viewport" content="width=device-width, initial-scale=1" />
  <meta name="dcterms.creator" content="Ofsted Communications Team. enquiries@ofsted.gov.uk">{canon}
  <title>{_esc(title)} - Find an Inspection Report - Ofsted</title>
</head>
<body>
  <div class="container">
    <a class="skip-link" href="#main">Skip to main content</a>
  </div>
  <div class="main-content">
    <header class="header">
      <div class="container">
        <a class="header__home-link" href="/">
          <span class="nonvisual">Ofsted homepage</span>
          <img class="header__logo" src="/images/logo.svg" alt="Ofsted Logo" />
        </a>
      </div>
    </header>
    <div class="container">
      <ol class="breadcrumbs">
{crumb_html}
      </ol>
    </div>
    <main id="main" tabindex="-1">
      <div class="container">
{main}
      </div>
    </main>
  </div>
{_FOOTER}
  <script src="/js/jquery-3.6.3.min.js"></script>
  <script defer src="/js/ofsted.core.js"></script>
</body>
</html>
"""
    return page.encode("utf-8")


def _simple_page(title: str, body: str) -> bytes:
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{_esc(title)}</title></head>'
        f"<body><main><h1>{_esc(title)}</h1>{body}</main></body></html>"
    ).encode("utf-8")


_STATUS_BODIES = {
    500: _simple_page("Internal server error", "<p>Sorry, something went wrong.</p>"),
    503: _simple_page("Service unavailable", "<p>Sorry, the service is unavailable. Try again later.</p>"),
    429: _simple_page("Too many requests", "<p>Slow down.</p>"),
    404: _simple_page("Page not found", "<p>Sorry, the page you requested was not found.</p>"),
}


class _Response:
    __slots__ = ("status", "body", "content_type", "etag", "last_modified", "kind", "extra")

    def __init__(self, status: int, body: bytes, content_type: str, etag: str | None = None,
                 last_modified: datetime | None = None, kind: str = "listing", extra: dict | None = None) -> None:
        self.status, self.body, self.content_type = status, body, content_type
        self.etag, self.last_modified, self.kind = etag, last_modified, kind
        self.extra = extra or {}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # headers and body go in separate writes
    server_version = "ofsted-site/1"
    sys_version = ""

    def setup(self) -> None:
        super().setup()
        self.server.site._track(self.connection, True)  # type: ignore[attr-defined]

    def finish(self) -> None:
        try:
            super().finish()
        except OSError:
            pass
        finally:
            self.server.site._track(self.connection, False)  # type: ignore[attr-defined]

    def do_GET(self) -> None:  # noqa: N802
        self.server.site._serve(self, head=False)  # type: ignore[attr-defined]

    def do_HEAD(self) -> None:  # noqa: N802
        self.server.site._serve(self, head=True)  # type: ignore[attr-defined]

    def log_message(self, format: str, *args) -> None:  # noqa: A002, ANN002
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    block_on_close = False

    def handle_error(self, request, client_address) -> None:  # noqa: ANN001
        pass  # dropped connections are part of the tests


# -- the site --------------------------------------------------------------------------------


class OfstedSite:
    """The Ofsted reports site (search, provider pages, files) plus a board page and a feed."""

    def __init__(self, root_docs: list[SiteDoc] | None = None, *, rows: int | None = None,
                 timeout_sleep: float = 5.0) -> None:
        self.rows = max(1, min(int(rows or DEFAULT_ROWS), MAX_ROWS))
        self.timeout_sleep = timeout_sleep
        self._lock = threading.RLock()
        self._stop = threading.Event()
        self._providers: dict[str, _Provider] = {}
        self._docs: dict[str, _Doc] = {}
        self._next_id = FIRST_DOC_ID
        self._faults: dict[str, deque[str]] = {}
        self._always: dict[str, str] = {}
        self._listing_state: dict[str, tuple[str, datetime]] = {}
        self._clock = _EPOCH
        self._log: list[Hit] = []
        self._conns: set[socket.socket] = set()
        self._server: _Server | None = None
        self._address: str | None = None
        self._thread: threading.Thread | None = None
        self.jtai_doc_ids: dict[str, int] = {}  # URN -> doc id of the extra JTAI letters
        self._add_board()
        for d in root_docs or []:
            if d.urn not in self._providers:
                self.add_provider(d.urn, d.name or la_name(d.urn))
            self._add_doc(d.urn, d.label, d.published, d.body, doc_id=d.doc_id, content_type=d.content_type)

    # -- construction ------------------------------------------------------------------------

    @classmethod
    def from_corpus(cls, extra_jtai: bool = True, rows: int | None = None) -> "OfstedSite":
        """One provider per authority of ``shared/corpus/ofsted-real/manifest.csv``, each manifest
        file listed with its label and date (Birmingham's link answers with the site's HTML
        "Report not found" page, as the live site did); plus, when ``extra_jtai``, JTAI letters
        made from seeds 000 (Islington), 001 (Cornwall) and 004 (Shropshire)."""
        site = cls(rows=rows)
        for row in manifest():
            if row.ofsted_urn not in site._providers:
                site.add_provider(row.ofsted_urn, la_name(row.ofsted_urn, row.local_authority))
            site._add_doc(row.ofsted_urn, row.publication_label, _as_date(row.publication_date),
                          _file_loader(row.path))
        if extra_jtai:
            for prefix, urn, published in EXTRA_JTAI:
                if urn not in site._providers:
                    site.add_provider(urn, la_name(urn))
                site.jtai_doc_ids[urn] = site._add_doc(urn, JTAI_LABEL, published, _seed_loader(prefix))
        return site

    def _add_board(self) -> None:
        self._docs[BOARD_REPORT_PATH] = _Doc(BOARD_REPORT_PATH, _seed_loader("002"),
                                             label="ISCB annual report 2015-16", published=date(2016, 9, 30))
        self._docs[BOARD_REPORT_PATH].listed = False
        docx = b"PK\x03\x04" + b"\x00" * 26 + b"word/document.xml" + b"\x00" * 64
        self._docs["/iscb/documents/ISCB-Annual-Report-2015-16-easy-read.docx"] = _Doc(
            "/iscb/documents/ISCB-Annual-Report-2015-16-easy-read.docx", docx, published=date(2016, 9, 30),
            content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document")

    def _add_doc(self, urn: str, label: str, published: date | None, body: BodySource, *,
                 doc_id: int | None = None, content_type: str | None = None) -> int:
        with self._lock:
            if doc_id is None:
                doc_id = self._next_id
            self._next_id = max(self._next_id, int(doc_id) + 1)
            path = self._file_path(doc_id)
            if path in self._docs:
                raise ValueError(f"document {doc_id} exists")
            self._docs[path] = _Doc(path, body, label=label, published=published, urn=urn,
                                    content_type=content_type, doc_id=int(doc_id))
            self._providers[urn].doc_ids.append(int(doc_id))
            return int(doc_id)

    # -- lifecycle ---------------------------------------------------------------------------

    def start(self) -> "OfstedSite":
        if self._server is not None:
            return self
        self._stop.clear()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.site = self  # type: ignore[attr-defined]
        host, port = self._server.server_address[:2]
        self._address = f"http://{host}:{port}"  # kept after shutdown: URLs stay printable
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="ofsted-site", daemon=True)
        self._thread.start()
        return self

    def shutdown(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        self._stop.set()  # wakes handlers sleeping in a "timeout" fault
        server.shutdown()
        with self._lock:
            conns = list(self._conns)
        for c in conns:  # wake handlers blocked on idle keep-alive connections
            try:
                c.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=2)
            self._thread = None

    close = shutdown

    def __enter__(self) -> "OfstedSite":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.shutdown()

    def _track(self, conn: socket.socket, add: bool) -> None:
        with self._lock:
            (self._conns.add if add else self._conns.discard)(conn)

    # -- addresses ---------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        if self._address is None:
            raise RuntimeError("the site was never started (use `with OfstedSite.from_corpus() as site:`)")
        return self._address

    @property
    def search_url(self) -> str:
        return f"{self.base_url}/search?{SEARCH_QUERY}"

    def search_page_url(self, start: int = 0, rows: int | None = None) -> str:
        return f"{self.search_url}&start={start}&rows={rows or self.rows}"

    def provider_url(self, urn: str) -> str:
        return f"{self.base_url}/provider/{PROVIDER_TYPE}/{urn}"

    def file_url(self, doc_id: int | str) -> str:
        return f"{self.base_url}{self._file_path(doc_id)}"

    @property
    def board_index_url(self) -> str:
        return self.base_url + BOARD_INDEX_PATH

    @property
    def board_report_url(self) -> str:
        return self.base_url + BOARD_REPORT_PATH

    @property
    def feed_url(self) -> str:
        return self.base_url + FEED_PATH

    @staticmethod
    def _file_path(doc_id: int | str) -> str:
        return f"/v1/file/{int(doc_id)}"

    def _path_of(self, target: int | str) -> str:
        """A document id, a URL or a path -> the path (with query, if given) it names."""
        if isinstance(target, int) or (isinstance(target, str) and target.isdigit()):
            return self._file_path(target)
        if target.startswith(("http://", "https://")):
            parts = urlsplit(target)
            return parts.path + (f"?{parts.query}" if parts.query else "")
        return target if target.startswith("/") else "/" + target

    # -- inspection of the content -----------------------------------------------------------

    @property
    def providers(self) -> dict[str, str]:
        """URN -> name, in search order."""
        with self._lock:
            return {p.urn: p.name for p in self._ordered_providers()}

    def publications(self, urn: str) -> list[tuple[int, str, date | None]]:
        """(doc id, label, published) listed on ``urn``'s page, newest first."""
        with self._lock:
            return [(d.doc_id, d.label, d.published) for d in self._listed(urn)]  # type: ignore[misc]

    def document(self, doc_id: int | str) -> bytes:
        """The body currently served for a document id or path."""
        with self._lock:
            return self._docs[self._path_of(doc_id)].body()

    # -- mutations ---------------------------------------------------------------------------

    def _tick(self) -> datetime:
        self._clock += timedelta(minutes=1)
        return self._clock

    def replace_document(self, doc_id: int | str, new_bytes: bytes) -> None:
        """Serve ``new_bytes`` for the document from now on (new ETag, later Last-Modified)."""
        with self._lock:
            doc = self._docs[self._path_of(doc_id)]
            doc.replace(new_bytes, max(self._tick(), doc.last_modified + timedelta(minutes=1)))

    def add_publication(self, urn: str, label: str, published: date | str | None, body: bytes) -> int:
        """List a new document on ``urn``'s page (creating the provider if needed); its doc id."""
        with self._lock:
            if urn not in self._providers:
                self.add_provider(urn, la_name(urn))
            return self._add_doc(urn, label, _as_date(published), body)

    def remove_publication(self, doc_id: int | str) -> None:
        """Take the document off its provider page; its file URL still answers."""
        with self._lock:
            self._docs[self._path_of(doc_id)].listed = False

    def add_provider(self, urn: str, name: str) -> None:
        with self._lock:
            if urn in self._providers:
                self._providers[urn].name = name
            else:
                self._providers[urn] = _Provider(str(urn), name)

    # -- faults ------------------------------------------------------------------------------

    def fault(self, path_or_doc_id: int | str, *kinds: str) -> None:
        """The next requests of that path fail with ``kinds``, in order; then it serves normally.

        A path without a query string applies whatever the query (``"/search"``)."""
        for k in kinds:
            if k not in FAULT_KINDS:
                raise ValueError(f"unknown fault {k!r}; one of {FAULT_KINDS}")
        with self._lock:
            self._faults.setdefault(self._path_of(path_or_doc_id), deque()).extend(kinds)

    def fault_always(self, path_or_doc_id: int | str, kind: str | None) -> None:
        """Every request of that path fails with ``kind`` (None stops it)."""
        if kind is not None and kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}; one of {FAULT_KINDS}")
        with self._lock:
            key = self._path_of(path_or_doc_id)
            if kind is None:
                self._always.pop(key, None)
            else:
                self._always[key] = kind

    def clear_faults(self) -> None:
        with self._lock:
            self._faults.clear()
            self._always.clear()

    def _take_fault(self, full: str, path: str) -> str | None:
        with self._lock:
            for key in (full, path):
                q = self._faults.get(key)
                if q:
                    kind = q.popleft()
                    if not q:
                        del self._faults[key]
                    return kind
            for key in (full, path):
                if key in self._always:
                    return self._always[key]
        return None

    # -- the request log ---------------------------------------------------------------------

    @property
    def requests(self) -> list[Hit]:
        with self._lock:
            return list(self._log)

    def reset_log(self) -> None:
        with self._lock:
            self._log.clear()

    def hits(self, path_prefix: int | str = "") -> list[Hit]:
        prefix = self._path_of(path_prefix) if path_prefix != "" else ""
        return [h for h in self.requests if h.path.startswith(prefix)]

    def bytes_sent(self, kind: str | None = None) -> int:
        """Body bytes sent, for ``kind`` "document" or "listing" (None: all)."""
        return sum(h.bytes_sent for h in self.requests if kind is None or h.kind == kind)

    def _record(self, hit: Hit) -> None:
        with self._lock:
            self._log.append(hit)

    # -- rendering ---------------------------------------------------------------------------

    def _ordered_providers(self) -> list[_Provider]:
        return sorted(self._providers.values(), key=lambda p: (p.name.lower(), p.urn))

    def _listed(self, urn: str) -> list[_Doc]:
        p = self._providers.get(urn)
        if p is None:
            return []
        docs = [self._docs[self._file_path(i)] for i in p.doc_ids]
        docs = [d for d in docs if d.listed]
        # newest first, as the site's timeline; stable for equal dates
        return sorted(docs, key=lambda d: d.published or date.min, reverse=True)

    def _render_search(self, query: dict[str, list[str]]) -> bytes:
        def num(name: str, default: int) -> int:
            try:
                return int(query.get(name, [""])[0])
            except ValueError:
                return default

        start = max(0, num("start", 0))
        rows = max(1, min(num("rows", self.rows), MAX_ROWS))
        providers = self._ordered_providers()
        page = providers[start:start + rows]
        items = []
        for p in page:
            docs = self._listed(p.urn)
            latest = _fmt(docs[0].published) if docs and docs[0].published else ""
            items.append(f"""          <li class="search-result">
            <h3 class="search-result__title heading--main"><a href="/provider/{PROVIDER_TYPE}/{_esc(p.urn)}">{_esc(p.name)}</a></h3>
            <ul class="search-result__provider-info">
              <li>Category: <strong>Local authority children&#039;s services</strong></li>
            </ul>
            <address class="search-result__address">{_esc(p.name)}</address>
            <ul class="search-result__provider-info">
              <li>Latest report: <strong><time>{latest}</time></strong></li>
              <li>URN: <strong>{_esc(p.urn)}</strong></li>
            </ul>
          </li>""")
        total = len(providers)
        if page:
            count = f"Showing {start + 1} to {start + len(page)} of {total} results"
            results = '        <ul class="results-list">\n' + "\n".join(items) + "\n        </ul>"
        else:
            count = f"{total} results"
            results = '        <p class="search-results__none">There are no results on this page.</p>'
        pager = []
        if start > 0:
            prev = max(0, start - rows)
            pager.append(f'<li class="previous"><a class="pagination__previous" href="/search?{SEARCH_QUERY}&amp;start={prev}&amp;rows={rows}">Previous page</a></li>')
        if start + rows < total:
            pager.append(f'<li class="next"><a class="pagination__next" href="/search?{SEARCH_QUERY}&amp;start={start + rows}&amp;rows={rows}">Next page</a></li>')
        pagination = f'        <ul class="pagination">{"".join(pager)}</ul>' if pager else ""
        main = f"""        <div class="module title-block title-block--flat">
          <h1 class="heading--title title-block__heading">Find an inspection report</h1>
        </div>
        <p class="search-results__count">{count}</p>
{results}
{pagination}"""
        return _ofsted_page("Search results", [("Search results", None)], main)

    def _render_provider(self, urn: str) -> bytes | None:
        p = self._providers.get(urn)
        if p is None:
            return None
        days = []
        for d in self._listed(urn):
            shown = d.label.strip()
            visible = _cap(shown.rstrip(" ,").removesuffix("pdf").rstrip(" ,") if shown.lower().endswith("pdf") else shown)
            nonvisual = f"{_cap(shown)} - {_fmt(d.published)}" if shown.lower().endswith("pdf") else f"{_cap(shown)}, pdf - {_fmt(d.published)}"
            days.append(f"""          <li class="timeline__day">
            <p class="timeline__date"><time>{_fmt(d.published)}</time></p>
            <div class="event">
              <p class="event__title">{_esc(visible)}</p>
              <ul class="event__list">
                <li><a class="publication-link" href="{_esc(self.base_url + d.path)}" target="_blank">
                  {_esc(visible)}                <span class="nonvisual">{_esc(nonvisual)}</span></a></li>
              </ul>
            </div>
          </li>""")
        timeline = ('        <ol class="timeline">\n' + "\n".join(days) + "\n        </ol>") if days else \
            '        <p class="timeline__empty">There are no reports for this provider.</p>'
        main = f"""        <div class="module title-block title-block--flat title-block--clear title-block--large">
          <h1 class="heading--title title-block__heading">{_esc(p.name)}</h1>
        </div>
        <ul class="info-list">
          <li>Category: <strong>Local authority children&#039;s services</strong></li>
          <li>URN: <strong>{_esc(urn)}</strong></li>
        </ul>
        <h2 class="heading--sub">Reports</h2>
{timeline}"""
        return _ofsted_page(p.name, [(p.name, None)], main, canonical=self.provider_url(urn))

    def _render_board_index(self) -> bytes:
        body = """
<nav><a href="#content">Skip to content</a> | <a href="/iscb/">Home</a> | <a href="/iscb/about-us">About us</a></nav>
<div id="content">
  <p>The Islington Safeguarding Children Board (ISCB) publishes an annual report on the
  effectiveness of safeguarding in Islington.</p>
  <ul class="documents">
    <li><a href="/iscb/documents/ISCB-Annual-Report-2015-16.pdf">ISCB Annual Report 2015-16 (PDF, 1.1MB)</a></li>
    <li><a href="/iscb/documents/ISCB-Annual-Report-2015-16-easy-read.docx">ISCB annual report 2015-16: easy read version (Word)</a></li>
  </ul>
  <p>Read <a href="/iscb/about-us">about the ISCB</a>, or our <a href="/iscb/privacy-policy">privacy policy</a>.
  Questions: <a href="mailto:iscb@example.org">email the board</a>.
  See also <a href="https://www.gov.uk/government/publications/working-together-to-safeguard-children--2">Working together to safeguard children</a>.</p>
</div>
<footer><a href="/iscb/privacy-policy">Privacy</a> <a href="/iscb/cookies">Cookies</a></footer>"""
        return _simple_page("Annual reports", body)

    def _render_feed(self) -> bytes:
        from parsers.listings import JTAI_LABELS, label_matches

        entries = []
        docs = [d for p in self._ordered_providers() for d in self._listed(p.urn) if label_matches(d.label, list(JTAI_LABELS))]
        docs.sort(key=lambda d: (d.published or date.min, d.doc_id or 0), reverse=True)
        for d in docs:
            name = self._providers[d.urn].name if d.urn in self._providers else ""
            url = self.base_url + d.path
            updated = _published_lm(d.published).strftime("%Y-%m-%dT%H:%M:%SZ")
            entries.append(f"""  <entry>
    <title>{_esc(_cap(d.label))} of {_esc(name)}</title>
    <link rel="alternate" type="application/pdf" href="{_esc(url)}"/>
    <id>{_esc(url)}</id>
    <updated>{updated}</updated>
    <summary>{_esc(_cap(d.label))}: {_esc(name)}, published {_fmt(d.published)}.</summary>
  </entry>""")
        newest = (_published_lm(docs[0].published) if docs else _EPOCH).strftime("%Y-%m-%dT%H:%M:%SZ")
        feed = f"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom">
  <title>Joint targeted area inspections</title>
  <id>{_esc(self.feed_url)}</id>
  <link rel="self" href="{_esc(self.feed_url)}"/>
  <updated>{newest}</updated>
{chr(10).join(entries)}
</feed>
"""
        return feed.encode("utf-8")

    def _listing(self, key: str, body: bytes, content_type: str = "text/html; charset=utf-8") -> _Response:
        tag = _etag(body)
        with self._lock:
            prev = self._listing_state.get(key)
            if prev is None or prev[0] != tag:
                prev = (tag, self._tick())
                self._listing_state[key] = prev
        return _Response(200, body, content_type, tag, prev[1], "listing")

    def _route(self, path: str, full: str, query: dict[str, list[str]]) -> _Response:
        with self._lock:
            doc = self._docs.get(path)
            if doc is not None:
                body = doc.body()
                return _Response(200, body, doc.content_type(), doc.etag(), doc.last_modified, "document")
            if path.startswith("/v1/file/"):
                return _Response(404, report_not_found_html(), "text/html; charset=utf-8", kind="document")
            if path == "/search":
                return self._listing(full, self._render_search(query))
            parts = [s for s in path.split("/") if s]
            if len(parts) == 3 and parts[0] == "provider":
                page = self._render_provider(parts[2])
                if page is not None:
                    return self._listing(path, page)
            if path in ("", "/"):
                return self._listing(path, _ofsted_page("Find an inspection report", [], '        <p><a href="/search">Search</a></p>'))
            if path == BOARD_INDEX_PATH:
                return self._listing(path, self._render_board_index())
            if path in ("/iscb", "/iscb/"):
                return self._listing(path, _simple_page("Islington Safeguarding Children Board",
                                                        f'<p><a href="{BOARD_INDEX_PATH}">Annual reports</a></p>'))
            if path == "/iscb/about-us":
                return self._listing(path, _simple_page("About the ISCB", "<p>The board brings local agencies together.</p>"))
            if path == "/iscb/privacy-policy":
                return self._listing(path, _simple_page("Privacy policy", "<p>How we use your data.</p>"))
            if path == "/iscb/cookies":
                return self._listing(path, _simple_page("Cookies", "<p>We use essential cookies only.</p>"))
            if path == FEED_PATH:
                return self._listing(path, self._render_feed(), "application/atom+xml; charset=utf-8")
        return _Response(404, _STATUS_BODIES[404], "text/html; charset=utf-8")

    # -- serving -----------------------------------------------------------------------------

    def _serve(self, h: BaseHTTPRequestHandler, head: bool) -> None:
        full = h.path
        parts = urlsplit(full)
        path = parts.path or "/"
        headers = {k.lower(): v for k, v in h.headers.items()}
        kind = self._take_fault(full, path)
        doc_kind = "document" if (path in self._docs or path.startswith("/v1/file/")) else "listing"

        def record(status: int, sent: int) -> None:
            self._record(Hit(h.command, full, status, sent, headers, doc_kind, kind))

        try:
            if kind == "timeout":
                if self._stop.wait(self.timeout_sleep):
                    record(0, 0)
                    h.close_connection = True
                    return
            if kind in ("500", "503", "404", "429"):
                status = int(kind)
                body = _STATUS_BODIES[status]
                extra = {"Retry-After": "1"} if status == 429 else {}
                record(status, 0 if head else len(body))
                self._send(h, _Response(status, body, "text/html; charset=utf-8", extra=extra), head)
                return
            if kind == "html":
                body = report_not_found_html()
                record(200, 0 if head else len(body))
                self._send(h, _Response(200, body, "text/html; charset=utf-8"), head)
                return

            resp = self._route(path, full, parse_qs(parts.query, keep_blank_values=True))
            if resp.status == 200 and self._not_modified(headers, resp):
                record(304, 0)
                self._send_head(h, 304, resp, length=None)
                h.wfile.flush()
                return
            if kind in ("reset", "truncate") and not head:
                cut = max(1, len(resp.body) // 2) if kind == "truncate" else max(1, min(len(resp.body) // 3, 4096))
                record(resp.status, cut)
                self._send_head(h, resp.status, resp, length=len(resp.body))
                h.wfile.write(resp.body[:cut])
                h.wfile.flush()
                if kind == "truncate":
                    h.close_connection = True
                    h.connection.shutdown(socket.SHUT_WR)
                else:
                    self._reset(h)
                return
            record(resp.status, 0 if head else len(resp.body))
            self._send(h, resp, head)
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError, OSError):
            h.close_connection = True

    @staticmethod
    def _not_modified(headers: dict[str, str], resp: _Response) -> bool:
        inm = headers.get("if-none-match")
        if inm is not None and resp.etag:
            tags = [t.strip() for t in inm.split(",")]
            tags = [t[2:] if t.startswith("W/") else t for t in tags]
            return "*" in tags or resp.etag in tags
        ims = headers.get("if-modified-since")
        if ims and resp.last_modified is not None:
            try:
                since = parsedate_to_datetime(ims)
            except (TypeError, ValueError, IndexError):
                return False
            if since is None:
                return False
            if since.tzinfo is None:
                since = since.replace(tzinfo=timezone.utc)
            return resp.last_modified.replace(microsecond=0) <= since
        return False

    @staticmethod
    def _send_head(h: BaseHTTPRequestHandler, status: int, resp: _Response, length: int | None) -> None:
        h.send_response(status)
        if status != 304:
            h.send_header("Content-Type", resp.content_type)
        if length is not None:
            h.send_header("Content-Length", str(length))
        if resp.etag:
            h.send_header("ETag", resp.etag)
        if resp.last_modified is not None:
            h.send_header("Last-Modified", _http_date(resp.last_modified))
        for k, v in resp.extra.items():
            h.send_header(k, v)
        h.end_headers()

    def _send(self, h: BaseHTTPRequestHandler, resp: _Response, head: bool) -> None:
        self._send_head(h, resp.status, resp, length=len(resp.body))
        if not head:
            h.wfile.write(resp.body)
        h.wfile.flush()

    @staticmethod
    def _reset(h: BaseHTTPRequestHandler) -> None:
        """Close the connection with a TCP RST."""
        h.close_connection = True
        conn = h.connection
        try:
            conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
        for f in (h.rfile, h.wfile):
            try:
                f.close()
            except OSError:
                pass
        try:
            conn.close()
        except OSError:
            pass


def _file_loader(path: Path) -> Callable[[], bytes]:
    return path.read_bytes


def _seed_loader(prefix: str) -> Callable[[], bytes]:
    """The seed's PDF, rendered on first request (fpdf2 is imported then, not at start)."""

    def load() -> bytes:
        from .seed_pdfs import seed_pdf

        return seed_pdf(prefix)

    return load


def serve_forever(site: OfstedSite | None = None) -> None:  # pragma: no cover - manual use
    """``python -m tests.support.ofsted_site``: run the corpus site until interrupted."""
    site = site or OfstedSite.from_corpus()
    with site:
        print(site.search_url, flush=True)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":  # pragma: no cover
    serve_forever()


__all__ = [
    "FAULT_KINDS", "Hit", "OfstedSite", "SiteDoc", "la_name", "la_urn", "report_not_found_html",
]
