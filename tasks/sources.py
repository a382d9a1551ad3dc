"""Source kinds: where documents are listed, and how to read each listing.

Each kind is a small class registered by its ``kind`` name; its docstring is the user's
documentation for that kind (``jtai-watch sources`` could print it). A source's
``discover()`` reads its listing pages — conditionally, so an unchanged page costs a 304
and is read from the store's cache — and returns what it lists. It never raises for a bad
page: failures are collected with the URL and reason, and the discovery is marked
incomplete so that nothing is concluded from a partial listing (documents missing from it
are not marked unlisted, and the source's baseline is not set).
"""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import ClassVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flows.config import SourceConfig
from parsers.gazetteer import Gazetteer
from parsers.listings import (
    DEFAULT_LABELS,
    label_matches,
    looks_like_error_page,
    parse_link_index,
    parse_provider_page,
    parse_search_page,
)
from state.repo import Store

from .fetch import Fetcher, FetchRequest, redact_url


@dataclass(frozen=True, slots=True)
class Listed:
    """One document a listing shows."""

    url: str
    source: str
    label: str | None = None
    published: date | None = None
    area_ons: str | None = None
    title: str | None = None
    # The listing page that shows this document answered 304: as far as the site says,
    # nothing about the document changed since the last run.
    listing_unchanged: bool = False


@dataclass(frozen=True, slots=True)
class Failure:
    url: str
    stage: str
    error: str

    def to_json(self) -> dict[str, str]:
        return {"url": self.url, "stage": self.stage, "error": self.error}


@dataclass(slots=True)
class Discovery:
    source: str
    listed: list[Listed] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    pages: int = 0
    pages_not_modified: int = 0
    bytes_downloaded: int = 0

    @property
    def complete(self) -> bool:
        return not self.failures


class ListingError(Exception):
    def __init__(self, url: str, error: str) -> None:
        super().__init__(error)
        self.url = url


@dataclass
class DiscoverContext:
    fetcher: Fetcher
    store: Store | None
    gazetteer: Gazetteer
    workers: int = 4


class SourceKind(ABC):
    kind: ClassVar[str]
    registry: ClassVar[dict[str, type[SourceKind]]] = {}

    def __init_subclass__(cls, **kw: object) -> None:
        super().__init_subclass__(**kw)
        SourceKind.registry[cls.kind] = cls

    def __init__(self, cfg: SourceConfig, ctx: DiscoverContext) -> None:
        self.cfg = cfg
        self.ctx = ctx
        self.result = Discovery(source=cfg.name)
        self._lock = threading.Lock()

    # -- helpers ------------------------------------------------------------------

    def get_listing_state(self, url: str, expect: str = "html") -> tuple[str, bool]:
        """A listing page's text, conditionally fetched, and whether it was unchanged (a 304
        answered from the store's cache). Safe to call from several threads."""
        cache = self.ctx.store.listing_cache(url) if self.ctx.store else None
        usable = cache is not None and cache.body is not None
        res = self.ctx.fetcher.fetch(
            FetchRequest(
                url,
                etag=cache.etag if usable else None,
                last_modified=cache.last_modified if usable else None,
                expect=expect,
            )
        )
        with self._lock:
            self.result.pages += 1
            self.result.bytes_downloaded += res.bytes_downloaded
        if res.outcome == "not_modified" and usable:
            with self._lock:
                self.result.pages_not_modified += 1
            return cache.body.decode("utf-8", errors="replace"), True  # type: ignore[union-attr]
        if res.outcome == "ok" and res.body is not None:
            if self.ctx.store:
                self.ctx.store.save_listing(url, etag=res.etag, last_modified=res.last_modified, sha256=res.sha256, body=res.body)
            return res.body.decode("utf-8", errors="replace"), False
        raise ListingError(url, res.error or "listing page could not be fetched")

    def get_listing(self, url: str, expect: str = "html") -> str:
        return self.get_listing_state(url, expect)[0]

    def fail(self, url: str, error: str, stage: str = "discover") -> None:
        with self._lock:
            self.result.failures.append(Failure(redact_url(url), stage, error))

    def area_ons(self) -> str | None:
        if not self.cfg.area:
            return None
        area = self.ctx.gazetteer.lookup(self.cfg.area)
        return area.ons_code if area else None

    def discover(self) -> Discovery:
        try:
            self.run()
        except ListingError as exc:
            self.fail(exc.url, str(exc))
        except Exception as exc:  # a bug or a surprise in one source must not stop the others
            self.fail(self.cfg.url, f"{type(exc).__name__}: {exc}")
        return self.result

    @abstractmethod
    def run(self) -> None:
        """Read the listing and append to ``self.result``."""


class OfstedProvider(SourceKind):
    """One local authority's page on the Ofsted reports site (``/provider/44/<URN>``).

    Takes the publications whose label matches ``labels`` (default: joint targeted area
    inspection letters and children's services inspections), with the date the site shows.
    The URN ties the page to its local authority in the gazetteer.
    """

    kind = "ofsted_provider"

    def run(self) -> None:
        self.read_provider(self.cfg.url, _urn_of(self.cfg.url))

    def read_provider(self, url: str, urn: str | None) -> None:
        try:
            html, unchanged = self.get_listing_state(url)
        except ListingError as exc:
            self.fail(exc.url, str(exc))
            return
        pubs = parse_provider_page(html, url, urn)
        if not pubs and looks_like_error_page(html):
            self.fail(url, "malformed listing: the site answered with an error page")
            return
        area = self.ctx.gazetteer.by_urn(urn) if urn else None
        wanted = self.cfg.labels or list(DEFAULT_LABELS)
        for p in pubs:
            if label_matches(p.label, wanted):
                self.result.listed.append(
                    Listed(
                        url=p.url,
                        source=self.cfg.name,
                        label=p.label,
                        published=p.published,
                        area_ons=area.ons_code if area else self.area_ons(),
                        listing_unchanged=unchanged,
                    )
                )


class OfstedSearch(OfstedProvider):
    """The Ofsted search listing of local authority children's services.

    Pages through the results with ``start``/``rows`` (``rows`` setting, default 100) until
    a page shows no provider links, then reads every authority's provider page as
    ``ofsted_provider`` does. A provider page that fails is reported and the others go on.
    """

    kind = "ofsted_search"

    def run(self) -> None:
        providers = []
        seen: set[str] = set()
        start = 0
        for _ in range(1000):  # a hard stop against a listing that never ends
            page_url = _with_query(self.cfg.url, start=str(start), rows=str(self.cfg.rows))
            html = self.get_listing(page_url)
            links = parse_search_page(html, page_url)
            fresh = [l for l in links if l.urn not in seen]
            if not fresh:
                if start == 0 and looks_like_error_page(html):
                    raise ListingError(page_url, "malformed listing: the site answered with an error page")
                break
            for link in fresh:
                seen.add(link.urn)
                providers.append(link)
            start += self.cfg.rows
        with ThreadPoolExecutor(max_workers=max(1, self.ctx.workers)) as pool:
            for _ in pool.map(lambda p: self.read_provider(p.url, p.urn), providers):
                pass


class HtmlIndex(SourceKind):
    """Any page of links — a safeguarding partnership's "annual reports" page.

    Takes the links whose URL or text matches ``link_pattern`` (a regular expression;
    default: links to ``.pdf`` files); every document is attributed to ``area``.
    """

    kind = "html_index"

    def run(self) -> None:
        html, unchanged = self.get_listing_state(self.cfg.url)
        area = self.area_ons()
        for link in parse_link_index(html, self.cfg.url, self.cfg.link_pattern):
            self.result.listed.append(
                Listed(url=link.url, source=self.cfg.name, area_ons=area, title=link.text, listing_unchanged=unchanged)
            )


class Feed(SourceKind):
    """An RSS or Atom feed (a GOV.UK search feed, a partnership's news feed).

    Each entry's link is a document (or, when ``link_pattern`` is set, the entry's links
    that match it); the entry's date is kept as the publication date.
    """

    kind = "feed"

    def run(self) -> None:
        import feedparser

        text, unchanged = self.get_listing_state(self.cfg.url, expect="feed")
        parsed = feedparser.parse(text)
        if parsed.bozo and not parsed.entries:
            raise ListingError(self.cfg.url, f"malformed feed: {parsed.get('bozo_exception', 'unreadable')}")
        pattern = re.compile(self.cfg.link_pattern, re.I) if self.cfg.link_pattern else None
        area = self.area_ons()
        for entry in parsed.entries:
            hrefs = [l.get("href") for l in entry.get("links", []) if l.get("href")] or [entry.get("link")]
            stamp = entry.get("published_parsed") or entry.get("updated_parsed")
            published = date(stamp.tm_year, stamp.tm_mon, stamp.tm_mday) if stamp else None
            for href in hrefs:
                if not href or (pattern and not pattern.search(href)):
                    continue
                self.result.listed.append(
                    Listed(
                        url=href, source=self.cfg.name, published=published, area_ons=area,
                        title=entry.get("title"), listing_unchanged=unchanged,
                    )
                )
                if not pattern:
                    break


class FileFolder(SourceKind):
    """A local folder of PDFs (air-gapped use, tests): every ``*.pdf`` below ``url``."""

    kind = "file"

    def run(self) -> None:
        folder = Path(self.cfg.url.removeprefix("file://"))
        if not folder.is_absolute():
            base = getattr(self.ctx, "base_dir", ".")
            folder = Path(base) / folder
        if not folder.is_dir():
            raise ListingError(str(folder), "no such folder")
        self.result.pages += 1
        area = self.area_ons()
        for path in sorted(folder.rglob("*.pdf")):
            self.result.listed.append(Listed(url=path.resolve().as_uri(), source=self.cfg.name, area_ons=area))


def discover(cfg: SourceConfig, ctx: DiscoverContext) -> Discovery:
    try:
        kind = SourceKind.registry[cfg.kind]
    except KeyError:
        d = Discovery(source=cfg.name)
        d.failures.append(Failure(cfg.url, "discover", f"unknown source kind {cfg.kind!r}"))
        return d
    result = kind(cfg, ctx).discover()
    # One document listed twice (two labels, two pages) is one document.
    unique: dict[str, Listed] = {}
    for item in result.listed:
        unique.setdefault(item.url, item)
    result.listed = list(unique.values())
    return result


def _urn_of(url: str) -> str | None:
    m = re.search(r"/provider/\d+/(\d+)", url)
    return m.group(1) if m else None


def _with_query(url: str, **params: str) -> str:
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in params]
    query.extend(params.items())
    return urlunsplit(parts._replace(query=urlencode(query, safe="%[]")))


def listing_key(url: str) -> str:
    return hashlib.sha256(url.encode()).hexdigest()[:16]
