"""Listing pages: the Ofsted reports site (search results, provider pages) and generic link pages.

Pure functions: HTML text in, typed records out. No I/O. Nothing here raises on a bad page:
a page with no links, broken markup, an error page or plain garbage gives ``[]``; the caller
uses :func:`looks_like_error_page` to tell "this listing is malformed" from "this listing is
empty".

What the live site (reports.ofsted.gov.uk) looks like, as public scrapers of it rely on
------------------------------------------------------------------------------------------
Sources read (public GitHub code, 2024–2025 versions):

- data-to-insight/ofsted-ilacs-scrape-tool, ``ofsted_ilacs_scrape.py`` and
  ``ofsted_childrens_services_inspection_scrape.py`` (the scraper that downloaded
  ``shared/corpus/ofsted-real``), and its ``CLAUDE.md``;
- data-to-insight/ofsted-send-scrape-tool, ``ofsted_childrens_services_inspection_scrape.py``;
- TobyDrane/Ofsted-Reports-Scraper, ``main.py``;
- a scraperwiki script of LA children's services reports and two JavaScript scrapers of the
  search page and school provider pages (found by text search; repositories not named by the
  index).

Observed structure:

- Search: ``/search?q=&location=&lat=&lon=&radius=&level_1_types=3&level_2_types%5B%5D=12``
  (level 1 = 3 "Children's social care", level 2 = 12 "Local authority children's services"),
  paged with ``&start=N&rows=M``; since February 2025 ``rows`` is capped at 100 (d2i: "new
  ofsted search limit"), ~153 authorities so two pages. Results are
  ``<ul class="results-list"><li class="search-result"><h3 class="search-result__title
  heading--main"><a href="/provider/44/80429">Birmingham</a></h3>`` followed by
  ``<ul class="search-result__provider-info">`` items "Category: <strong>…</strong>",
  ``<address class="search-result__address">``, "Latest report: <strong><time>…</time>
  </strong>" and "URN: <strong>80429</strong>". Scrapers take every ``a[href*="/provider/"]``
  (d2i) or ``ul.results-list > li > h3 > a`` (TobyDrane) and the URN as the last path segment.
  The next page link is ``<ul class="pagination"><li class="next"><a …>`` / ``a.pagination__next``.
- Provider page: ``/provider/44/<urn>`` (44 = local authority children's services; schools
  are 21/23, social care providers 2). Title ``<h1 class="heading--title">``; publications
  in ``<ol class="timeline"><li class="timeline__day">`` with a ``<time>`` element; each
  document is ``<a class="publication-link" href="https://files.ofsted.gov.uk/v1/file/50252437"
  target="_blank">Area SEND full inspection <span class="nonvisual">Area SEND full
  inspection, pdf - 15 July 2024</span></a>`` (older pages link
  ``https://files.api.ofsted.gov.uk/v1/file/<id>``). The link text repeats the label; the
  nonvisual span is "<label>, pdf - <dd Month yyyy>", the day zero-padded ("08 August 2014");
  one older Kent entry reads "children's services inspection,  pdf - 23 August 2013".
- Labels seen on LA provider pages (d2i comments, lower-cased): "children's services
  inspection", "children's services focused visit", "joint area child protection
  inspection", "area send full inspection", and, per the brief, "joint targeted area
  inspection". Older LA reports appear under "children's services inspection" today, but the
  inspections themselves were titled "Inspection of services for children in need of help and
  protection, children looked after and care leavers" (single inspection framework,
  2013–2017), "Inspection of local authority arrangements for the protection of children"
  (2012–13) and "Inspection of safeguarding and looked after children services" (to 2012):
  :data:`DEFAULT_LABELS` takes all of these.
- A dead file link answers with the site's HTML "Report not found" page (``<title>Report not
  found - Find an Inspection Report - Ofsted</title>``, ``<h1 class="heading--title
  title-block__heading">Report not found</h1>``, "Sorry, the document you requested no longer
  exists.") instead of a PDF.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from urllib.parse import urldefrag, urljoin, urlparse

from bs4 import BeautifulSoup

__all__ = [
    "DEFAULT_LABELS",
    "JTAI_LABELS",
    "LA_INSPECTION_LABELS",
    "Link",
    "ProviderLink",
    "Publication",
    "label_matches",
    "looks_like_error_page",
    "next_page_url",
    "parse_link_index",
    "parse_listing_date",
    "parse_provider_page",
    "parse_search_page",
]


@dataclass(frozen=True)
class ProviderLink:
    """One result of the Ofsted search listing: a provider (local authority) page."""

    urn: str
    name: str
    url: str


@dataclass(frozen=True)
class Publication:
    """One document listed on a provider page."""

    url: str
    label: str
    published: date | None
    urn: str | None


@dataclass(frozen=True)
class Link:
    """One link of a generic page of links."""

    url: str
    text: str


# Labels naming JTAI letters on provider pages.
JTAI_LABELS: tuple[str, ...] = (
    "joint targeted area inspection",
    "joint area child protection inspection",
)
# Labels naming inspections of a local authority's children's services (ILACS and before).
LA_INSPECTION_LABELS: tuple[str, ...] = (
    "children's services inspection",
    "inspection of local authority children's services",
    "inspection of services for children in need of help and protection",
    "looked after children",
    "single inspection",
    "arrangements for the protection of children",
)
DEFAULT_LABELS: list[str] = [*JTAI_LABELS, *LA_INSPECTION_LABELS]

_MONTHS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7,
    "august": 8, "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9,
    "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}
_DATE_RE = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})\b")
_ISO_RE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
# "<label>, pdf - <date>", tolerant of extra spaces/commas and dash variants.
_NONVISUAL_RE = re.compile(r"^(?P<label>.*?)[\s,]*\bpdf\b[\s,]*(?:[-\u2013\u2014:]\s*(?P<date>.*))?$", re.I | re.S)
_LABEL_DATE_RE = re.compile(r"^(?P<label>.*?)[\s,]*[-\u2013\u2014]\s*(?P<date>\d{1,2}\s+\w+\s+\d{4})\s*$", re.S)
_SCHEMES = ("http", "https", "file")


def _text(node) -> str:  # noqa: ANN001
    return " ".join(node.get_text(" ", strip=True).split()) if node is not None else ""


def _clean(text: str) -> str:
    return " ".join((text or "").replace("\u00a0", " ").split())


def _soup(html: str | bytes) -> BeautifulSoup | None:
    if html is None:
        return None
    if isinstance(html, (bytes, bytearray)):
        if bytes(html[:5]) == b"%PDF-":
            return None
        html = bytes(html).decode("utf-8", errors="replace")
    if not isinstance(html, str) or not html.strip():
        return None
    return BeautifulSoup(html, "html.parser")


def parse_listing_date(text: str | None) -> date | None:
    """The first "d Month yyyy" (or ISO yyyy-mm-dd) date in ``text``, or None."""
    if not text:
        return None
    for m in _DATE_RE.finditer(text):
        month = _MONTHS.get(m.group(2).lower())
        if month is None:
            continue
        try:
            return date(int(m.group(3)), month, int(m.group(1)))
        except ValueError:
            continue
    m = _ISO_RE.search(text)
    if m:
        try:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        except ValueError:
            return None
    return None


def _absolute(href: str | None, base_url: str) -> str | None:
    if not href:
        return None
    href = href.strip()
    if not href or href.startswith(("#", "javascript:", "mailto:", "tel:", "data:")):
        return None
    try:
        url = urldefrag(urljoin(base_url or "", href))[0]
        scheme = urlparse(url).scheme.lower()
    except ValueError:
        return None
    return url if scheme in _SCHEMES else None


def _urn_from_url(url: str | None) -> str | None:
    if not url:
        return None
    try:
        path = urlparse(url).path
    except ValueError:
        return None
    segments = [s for s in path.split("/") if s]
    if "provider" not in segments or segments[-1] == "provider":
        return None
    m = re.search(r"\d+", segments[-1])
    return m.group(0) if m else None


# -- search listing --------------------------------------------------------------------------


def parse_search_page(html: str, base_url: str) -> list[ProviderLink]:
    """Provider links of one Ofsted search results page, in page order, one per URN."""
    try:
        soup = _soup(html)
        if soup is None:
            return []
        found: dict[str, ProviderLink] = {}
        for a in soup.select('a[href*="/provider/"]'):
            url = _absolute(a.get("href"), base_url)
            urn = _urn_from_url(url)
            if not url or not urn:
                continue
            name = _text(a)
            if urn not in found:
                found[urn] = ProviderLink(urn=urn, name=name, url=url)
            elif not found[urn].name and name:
                found[urn] = ProviderLink(urn=urn, name=name, url=found[urn].url)
        return list(found.values())
    except Exception:  # noqa: BLE001 - a listing page never breaks the caller
        return []


def next_page_url(html: str, base_url: str) -> str | None:
    """The search page's "next page" link (``li.next a`` / ``a.pagination__next``), if any."""
    try:
        soup = _soup(html)
        if soup is None:
            return None
        a = soup.select_one("a.pagination__next[href], ul.pagination li.next a[href], a[rel~=next][href]")
        return _absolute(a.get("href"), base_url) if a is not None else None
    except Exception:  # noqa: BLE001
        return None


# -- provider page ---------------------------------------------------------------------------


def _split_nonvisual(text: str) -> tuple[str, date | None]:
    text = _clean(text)
    m = _NONVISUAL_RE.match(text)
    if m and m.group("label").strip(" ,-"):
        label = m.group("label")
        published = parse_listing_date(m.group("date") or "")
    else:
        m2 = _LABEL_DATE_RE.match(text)
        if m2:
            label, published = m2.group("label"), parse_listing_date(m2.group("date"))
        else:
            label, published = text, None
    label = _clean(label).strip(" ,;:-\u2013\u2014")
    if label.lower() == "pdf":
        label = ""
    return label, published


def _page_urn(soup: BeautifulSoup, base_url: str) -> str | None:
    for node in soup.select('link[rel~="canonical"][href], meta[property="og:url"][content]'):
        urn = _urn_from_url(node.get("href") or node.get("content"))
        if urn:
            return urn
    return _urn_from_url(base_url)


def parse_provider_page(html: str, base_url: str, urn: str | None = None) -> list[Publication]:
    """Publications (``a.publication-link``) of one provider page, in page order, one per URL."""
    try:
        soup = _soup(html)
        if soup is None:
            return []
        page_urn = urn or _page_urn(soup, base_url)
        out: dict[str, Publication] = {}
        for a in soup.select("a.publication-link"):
            url = _absolute(a.get("href"), base_url)
            if not url or url in out:
                continue
            span = a.select_one("span.nonvisual")
            if span is not None and _text(span):
                label, published = _split_nonvisual(_text(span))
            else:
                label, published = _split_nonvisual(_text(a))
            if not label:
                # the visible text without the nonvisual span
                visible = " ".join(s.strip() for s in a.find_all(string=True, recursive=False))
                label = _clean(visible)
            if published is None:
                day = a.find_parent("li", class_="timeline__day") or a.find_parent("li")
                t = day.find("time") if day is not None else None
                if t is not None:
                    published = parse_listing_date(t.get("datetime") or "") or parse_listing_date(_text(t))
            out[url] = Publication(url=url, label=label, published=published, urn=page_urn)
        return list(out.values())
    except Exception:  # noqa: BLE001
        return []


# -- generic link pages ----------------------------------------------------------------------


def parse_link_index(html: str, base_url: str, pattern: str | None = None) -> list[Link]:
    """Links of any page whose absolute URL or text matches ``pattern``.

    ``pattern`` is a regular expression searched case-insensitively in the absolute URL and
    in the link text; None takes links whose path ends in ``.pdf``. Only http(s) and file
    URLs are kept, fragments dropped, each URL once, in page order. An invalid ``pattern``
    raises ``re.error`` (a configuration mistake, not a bad page).
    """
    rx = re.compile(pattern, re.I) if pattern is not None else None
    try:
        soup = _soup(html)
        if soup is None:
            return []
        out: dict[str, Link] = {}
        for a in soup.find_all("a", href=True):
            url = _absolute(a.get("href"), base_url)
            if not url or url in out:
                continue
            text = _text(a) or _clean(a.get("title") or a.get("aria-label") or "")
            if rx is None:
                ok = urlparse(url).path.lower().endswith(".pdf")
            else:
                ok = bool(rx.search(url) or (text and rx.search(text)))
            if ok:
                out[url] = Link(url=url, text=text)
        return list(out.values())
    except Exception:  # noqa: BLE001
        return []


# -- labels and error pages ------------------------------------------------------------------


def _norm_label(text: str) -> str:
    text = (text or "").lower().replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")
    text = text.replace("'", "")
    text = re.sub(r"[^a-z0-9]+", " ", text)
    return " ".join(text.split())


def label_matches(label: str, wanted: list[str] | tuple[str, ...] | None = None) -> bool:
    """Whether ``label`` contains (whole words, case and punctuation aside) any of ``wanted``.

    ``wanted`` defaults to :data:`DEFAULT_LABELS`. "Children's services inspection,  pdf"
    matches "childrens services inspection"; "Children's services focused visit" does not.
    """
    if wanted is None:
        wanted = DEFAULT_LABELS
    have = f" {_norm_label(label)} "
    if not have.strip():
        return False
    for w in wanted:
        n = _norm_label(w)
        if n and f" {n} " in have:
            return True
    return False


_ERROR_MARKERS = (
    "report not found",
    "the document you requested no longer exists",
    "page not found",
)


def looks_like_error_page(html: str | bytes | None) -> bool:
    """Whether ``html`` is the Ofsted "Report not found" page (or a similar not-found page).

    True for the HTML the site serves at a dead PDF link; False for PDFs, listings and
    ordinary pages. Never raises.
    """
    try:
        if html is None:
            return False
        if isinstance(html, (bytes, bytearray)):
            head = bytes(html[:8])
            if head.startswith(b"%PDF-"):
                return False
            html = bytes(html[:200_000]).decode("utf-8", errors="replace")
        text = html[:200_000]
        low = text.lower()
        if "<" not in low:
            return False
        soup = BeautifulSoup(text, "html.parser")
        title = _text(soup.title).lower() if soup.title else ""
        h1 = _text(soup.find("h1")).lower()
        if any(m in title for m in _ERROR_MARKERS[:1]) or any(m in h1 for m in _ERROR_MARKERS[:1]):
            return True
        if "the document you requested no longer exists" in " ".join(low.split()):
            return True
        return ("page not found" in title or "page not found" in h1) and not soup.select("a.publication-link")
    except Exception:  # noqa: BLE001
        return False
