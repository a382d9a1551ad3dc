"""The ingest's fetcher: polite, incremental, bounded, and it never raises for network trouble.

ARCHITECTURE ("Sources"): a user agent that says who it is, per-host concurrency limits,
retries with backoff on 429/5xx/timeouts, conditional requests (ETag, If-Modified-Since), a
size cap, and content sniffing (an HTML "Report not found" page served at a PDF link is a
failed fetch, not a document).

Plain synchronous code on one shared :class:`httpx.Client`; no Prefect here. A
:class:`Fetcher` is safe to share between threads (Prefect runs tasks in a thread pool)::

    with Fetcher(FetchPolicy(user_agent=cfg.http.user_agent)) as fetcher:
        result = fetcher.fetch(FetchRequest(url, etag=stored.etag,
                                            last_modified=stored.last_modified, expect="pdf"))
    if result.outcome == "ok": ...            # result.body, result.sha256, result.etag
    elif result.outcome == "not_modified": ... # keep the stored version
    else: ...                                  # result.error_code / result.error (already redacted)

``fetch`` returns ``outcome="failed"`` with a stable ``error_code`` for every network, HTTP,
size or content problem; only programming errors (a closed fetcher, a bad ``expect``) raise.

Error codes: ``http_<status>``, ``timeout``, ``connect``, ``reset``, ``truncated``,
``too_large``, ``not_a_pdf``, ``not_html``, ``not_a_feed``, ``bad_redirect``,
``too_many_redirects``, ``invalid_url``, ``tls``, ``decode_error``, ``file_not_found``,
``file_error``, ``http_error`` (any other client-side HTTP failure), ``internal_error`` (a
bug in this module, logged with its traceback rather than raised into the run). Retried (with
exponential backoff and full jitter): ``connect``, ``timeout``, ``reset``, ``truncated``,
``http_429`` and ``http_5xx``; nothing else.
"""

from __future__ import annotations

import email.utils
import hashlib
import html
import logging
import os
import random
import re
import ssl
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterator, Literal
from urllib.parse import unquote, unquote_plus, urlsplit, urlunsplit
from urllib.request import url2pathname

import httpx

__all__ = [
    "USER_AGENT",
    "Expect",
    "Outcome",
    "FetchPolicy",
    "FetchRequest",
    "FetchResult",
    "Fetcher",
    "redact_url",
    "parse_retry_after",
    "RETRYABLE_CODES",
]

log = logging.getLogger("jtai_watch.fetch")

USER_AGENT = "jtai-watch/0.1 (+https://github.com/jtai-watch/jtai-watch)"

Expect = Literal["pdf", "html", "feed", "any"]
Outcome = Literal["ok", "not_modified", "failed"]

_EXPECTS = ("pdf", "html", "feed", "any")
_REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
RETRYABLE_CODES = frozenset({"connect", "timeout", "reset", "truncated"})  # plus http_429, http_5xx
_SNIFF_BYTES = 1024  # %PDF- must appear within this many leading bytes
_TITLE_BYTES = 64 * 1024  # read at most this much of a wrong-type body to name its <title>
_DRAIN_BYTES = 64 * 1024  # small error bodies are read so the connection can be reused
_FILE_CHUNK = 256 * 1024
_ACCEPT = {
    "pdf": "application/pdf, */*;q=0.5",
    "html": "text/html, application/xhtml+xml;q=0.9, */*;q=0.5",
    "feed": "application/atom+xml, application/rss+xml, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5",
    "any": "*/*",
}


# --------------------------------------------------------------------------------------
# Public data types
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FetchPolicy:
    """How politely and how far to fetch. One policy per :class:`Fetcher` (per run).

    ``respect_retry_after_max_s``: a Retry-After (seconds or HTTP-date) up to this long is
    waited out before the next try; a server asking for longer is not retried in this run
    (the fetch fails with its ``http_429``/``http_503`` and the next scheduled run tries
    again) rather than occupying a worker thread or hammering it early.

    Extensions beyond the brief: ``max_connections`` bounds the shared pool across hosts;
    ``max_download_s`` bounds one attempt's wall-clock time, so a server trickling bytes
    just inside the read timeout cannot hold a worker forever (``None`` = no bound);
    ``allow_file_urls=False`` makes ``file:`` URLs and local paths ``invalid_url`` (for
    fetchers that only ever see URLs discovered on remote pages).
    """

    user_agent: str = USER_AGENT
    timeout_s: float = 30.0
    connect_timeout_s: float = 10.0
    per_host_concurrency: int = 2
    max_bytes: int = 50 * 1024 * 1024
    retries: int = 3
    backoff_base_s: float = 0.5
    backoff_max_s: float = 30.0
    max_redirects: int = 5
    respect_retry_after_max_s: float = 120.0
    max_connections: int = 20
    max_download_s: float | None = 600.0
    allow_file_urls: bool = True

    def __post_init__(self) -> None:
        if not self.user_agent or any(c in self.user_agent for c in "\r\n"):
            raise ValueError("user_agent must be a non-empty single line")
        for name in ("timeout_s", "connect_timeout_s", "per_host_concurrency", "max_bytes", "max_connections"):
            if getattr(self, name) <= 0:
                raise ValueError(f"{name} must be positive")
        for name in ("retries", "backoff_base_s", "backoff_max_s", "max_redirects", "respect_retry_after_max_s"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative")
        if self.max_download_s is not None and self.max_download_s <= 0:
            raise ValueError("max_download_s must be positive or None")


@dataclass(frozen=True)
class FetchRequest:
    """One URL to fetch, with the validators stored from its last successful fetch.

    ``expect`` defaults to ``"pdf"`` (documents are what the ingest fetches most, and a
    forgotten ``expect`` should fail loudly on an HTML error page rather than store it);
    index pages pass ``"html"``, feeds ``"feed"``, anything else ``"any"``.
    """

    url: str
    etag: str | None = None
    last_modified: str | None = None
    expect: Expect = "pdf"

    def __post_init__(self) -> None:
        if self.expect not in _EXPECTS:
            raise ValueError(f"expect must be one of {_EXPECTS}, not {self.expect!r}")


@dataclass
class FetchResult:
    """What one :meth:`Fetcher.fetch` produced.

    ``url`` is the request's URL as given; ``final_url`` where the body came from after
    redirects (a ``file://`` URI for local files). Both may carry credentials: log them
    with :func:`redact_url` (``repr()`` of a result already does). ``error`` is one line,
    already redacted. ``etag``/``last_modified`` are the new validators to store (on
    ``failed`` they are None: keep the stored ones). ``bytes_downloaded`` counts body bytes
    received over all attempts and hops; ``attempts`` counts tries (1 = no retry).
    """

    url: str
    final_url: str | None
    outcome: Outcome
    http_status: int | None = None
    body: bytes | None = None
    sha256: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    content_type: str | None = None
    error: str | None = None
    error_code: str | None = None
    attempts: int = 0
    bytes_downloaded: int = 0
    elapsed_s: float = 0.0

    @property
    def ok(self) -> bool:
        return self.outcome == "ok"

    def __repr__(self) -> str:  # never dump the body or a credential into a log
        body = "None" if self.body is None else f"<{len(self.body)} bytes>"
        return (
            f"FetchResult(url={redact_url(self.url)!r}, final_url="
            f"{redact_url(self.final_url) if self.final_url else None!r}, outcome={self.outcome!r}, "
            f"http_status={self.http_status!r}, body={body}, sha256={self.sha256!r}, etag={self.etag!r}, "
            f"last_modified={self.last_modified!r}, content_type={self.content_type!r}, "
            f"error={self.error!r}, error_code={self.error_code!r}, attempts={self.attempts}, "
            f"bytes_downloaded={self.bytes_downloaded}, elapsed_s={self.elapsed_s:.3f})"
        )


# --------------------------------------------------------------------------------------
# Redaction
# --------------------------------------------------------------------------------------

_SENSITIVE_KEY = re.compile(
    r"pass|pwd|secret|token|key|auth|sig|credential|session|sid|cookie|jwt|bearer|otp|code|private",
    re.IGNORECASE,
)
_TOKENISH = re.compile(r"[A-Za-z0-9_\-+/=.~%]{20,}")
_MASK = "***"


def _looks_like_token(value: str) -> bool:
    return bool(_TOKENISH.fullmatch(value)) and any(c.isdigit() for c in value) and any(c.isalpha() for c in value)


def _redact_params(raw: str, secrets: list[str] | None = None) -> str:
    out = []
    for pair in raw.split("&"):
        key, eq, value = pair.partition("=")
        plain_key, plain_value = unquote_plus(key), unquote_plus(value)
        if eq and value and (_SENSITIVE_KEY.search(plain_key) or _looks_like_token(plain_value)):
            if secrets is not None:
                secrets.extend({value, plain_value})
            out.append(f"{key}={_MASK}")
        else:
            out.append(pair)
    return "&".join(out)


def _redact(url: str, secrets: list[str] | None = None) -> str:
    parts = urlsplit(url)
    netloc = parts.netloc
    if "@" in netloc:
        userinfo, _, hostport = netloc.rpartition("@")
        if secrets is not None:
            user, _, password = userinfo.partition(":")
            secrets.extend(s for s in {userinfo, user, password, unquote(user), unquote(password)} if s)
        netloc = f"{_MASK}@{hostport}"
    query = _redact_params(parts.query, secrets) if parts.query else ""
    fragment = _redact_params(parts.fragment, secrets) if "=" in parts.fragment else parts.fragment
    return urlunsplit((parts.scheme, netloc, parts.path, query, fragment))


def redact_url(url: str) -> str:
    """``url`` fit for logs and error messages: userinfo and secret-looking query values masked.

    Userinfo (``user:password@``) becomes ``***@``; a query or fragment parameter is masked
    when its name suggests a secret (token, key, password, signature, session, code…) or its
    value looks like one (20+ URL-safe characters mixing letters and digits). Never raises.
    """
    try:
        return _redact(str(url))
    except Exception:  # noqa: BLE001 - a log helper must not fail; mask the whole thing
        return "<unparseable URL>"


def _secrets_in(url: str) -> list[str]:
    found: list[str] = []
    try:
        _redact(str(url), found)
    except Exception:  # noqa: BLE001
        pass
    # longest first, so a secret containing another is removed whole
    return sorted({s for s in found if len(s) >= 3}, key=len, reverse=True)


def _one_line(text: str, secrets: list[str], limit: int = 300) -> str:
    for s in secrets:
        text = text.replace(s, _MASK)
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or HTTP-date); None if unusable."""
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        pass
    else:
        return max(seconds, 0.0) if seconds == seconds and seconds != float("inf") else None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return max((when - (now or datetime.now(timezone.utc))).total_seconds(), 0.0)


def _size(n: int) -> str:
    if n < 1024:
        return f"{n} bytes"
    if n < 1024 * 1024:
        return f"{n / 1024:.3g} KB"
    return f"{n / (1024 * 1024):.3g} MB"


def _header_value(value: str | None) -> str | None:
    """A stored validator safe to send back (one ASCII line), or None."""
    if value is None:
        return None
    value = value.strip()
    if not value or not value.isascii() or any(ord(c) < 32 or ord(c) == 127 for c in value):
        return None
    return value


def _content_length(headers: httpx.Headers) -> int | None:
    raw = headers.get("content-length")
    if raw is None:
        return None
    try:
        n = int(raw.split(",")[0].strip())
    except ValueError:
        return None
    return n if n >= 0 else None


def _opaque_etag(tag: str) -> str:
    tag = tag.strip()
    return tag[2:] if tag.startswith(("W/", "w/")) else tag


class _Fail(Exception):
    """One attempt's failure; ``retryable`` says whether another try may help."""

    def __init__(
        self,
        code: str,
        message: str,
        *,
        retryable: bool = False,
        status: int | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.retryable = retryable
        self.status = status
        self.retry_after = retry_after


# --------------------------------------------------------------------------------------
# Content sniffing, hashing and the size cap — shared by HTTP and file fetches
# --------------------------------------------------------------------------------------

_TITLE = re.compile(rb"<title[^>]*>(.*?)</title", re.IGNORECASE | re.DOTALL)
_CHARSET = re.compile(r"charset=[\"']?([\w.:-]+)", re.IGNORECASE)


def _strip_head(head: bytes) -> bytes:
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    return head.lstrip()


def _looks_html(head: bytes) -> bool:
    low = _strip_head(head[:_SNIFF_BYTES]).lower()
    return low.startswith((b"<!doctype html", b"<html")) or any(
        tag in low for tag in (b"<html", b"<head", b"<body", b"<title")
    )


def _html_title(head: bytes, content_type: str | None) -> str | None:
    m = _TITLE.search(head)
    if not m:
        return None
    charset = "utf-8"
    if content_type and (cm := _CHARSET.search(content_type)):
        charset = cm.group(1)
    try:
        text = m.group(1).decode(charset, errors="replace")
    except LookupError:
        text = m.group(1).decode("utf-8", errors="replace")
    text = " ".join(html.unescape(text).replace('"', "'").split())
    return (text[:117] + "…") if len(text) > 120 else (text or None)


def _describe(head: bytes, content_type: str | None) -> str:
    """What a body that failed sniffing actually is, in a few words."""
    if not head:
        return "an empty body"
    if _looks_html(head):
        title = _html_title(head, content_type)
        return f'an HTML page (title "{title}")' if title else "an HTML page"
    stripped = _strip_head(head)
    if head[:_SNIFF_BYTES].find(b"%PDF-") >= 0:
        return "a PDF"
    if stripped.startswith(b"<"):
        return "an XML document"
    if stripped[:1] in (b"{", b"["):
        return "JSON"
    ctype = f" (Content-Type {content_type.split(';')[0].strip()})" if content_type else ""
    return f"other data{ctype}"


def _sniff(expect: str, head: bytes) -> str | None:
    """None when the leading bytes fit ``expect``; otherwise the failure's error code."""
    if expect == "pdf":
        return None if head[:_SNIFF_BYTES].find(b"%PDF-") >= 0 else "not_a_pdf"
    if expect == "html":
        first = head[:_SNIFF_BYTES]
        if first.find(b"%PDF-") >= 0 or b"\x00" in first:
            return "not_html"
        return None
    if expect == "feed":
        low = _strip_head(head[:_SNIFF_BYTES]).lower()
        if any(tag in low for tag in (b"<rss", b"<feed", b"<rdf:rdf", b"<rdf")):
            return None
        if _looks_html(head):
            return "not_a_feed"
        return None if low.startswith((b"<", b"{")) else "not_a_feed"
    return None


_WRONG = {"not_a_pdf": "not a PDF", "not_html": "not an HTML page", "not_a_feed": "not a feed"}


class _Body:
    """Collects a body chunk by chunk: size cap, sha256 as it goes, and early sniffing."""

    def __init__(self, expect: str, max_bytes: int, content_type: str | None, origin: str) -> None:
        self.expect = expect
        self.max_bytes = max_bytes
        self.content_type = content_type
        self.origin = origin  # "the server sent" / "the file holds"
        self.parts: list[bytes] = []
        self.size = 0
        self.hash = hashlib.sha256()
        self.verdict: str | None | bool = False  # False = undecided, None = fits, str = error code

    def _head(self, n: int) -> bytes:
        return b"".join(self.parts)[:n] if len(self.parts) != 1 else self.parts[0][:n]

    def _wrong(self) -> _Fail:
        code = str(self.verdict)
        head = self._head(_TITLE_BYTES)
        return _Fail(code, f"{_WRONG[code]}: {self.origin} {_describe(head, self.content_type)}")

    def feed(self, chunk: bytes) -> None:
        if not chunk:
            return
        self.size += len(chunk)
        if self.size > self.max_bytes:
            raise _Fail(
                "too_large",
                f"stopped after {_size(self.size)}: larger than the {_size(self.max_bytes)} size cap",
            )
        self.parts.append(chunk)
        self.hash.update(chunk)
        if self.verdict is False and self.size >= _SNIFF_BYTES:
            self.verdict = _sniff(self.expect, self._head(_SNIFF_BYTES))
        if isinstance(self.verdict, str):
            # Wrong type: no point downloading the rest. Read on only while an HTML page's
            # <title> may still be ahead, so the error can name the page.
            head = self._head(_TITLE_BYTES)
            if self.size >= _TITLE_BYTES or not _looks_html(head) or _TITLE.search(head):
                raise self._wrong()

    def finish(self) -> tuple[bytes, str]:
        if self.verdict is False:
            self.verdict = _sniff(self.expect, self._head(_SNIFF_BYTES))
        if isinstance(self.verdict, str):
            raise self._wrong()
        return b"".join(self.parts), self.hash.hexdigest()


# --------------------------------------------------------------------------------------
# The fetcher
# --------------------------------------------------------------------------------------


class _Tally:
    __slots__ = ("bytes", "final_url", "status")

    def __init__(self) -> None:
        self.bytes = 0
        self.final_url: str | None = None
        self.status: int | None = None


class Fetcher:
    """Fetches URLs and local files politely; share one per run, across threads.

    ``sleep`` is called with each backoff delay (inject a recorder in tests); ``rng``
    supplies the jitter (``random.Random`` or anything with ``uniform``). ``transport``,
    ``verify`` and ``trust_env`` go to the :class:`httpx.Client` (a MockTransport, a test
    CA, ignoring proxy environment variables).
    """

    def __init__(
        self,
        policy: FetchPolicy | None = None,
        *,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        clock: Callable[[], float] = time.monotonic,
        transport: httpx.BaseTransport | None = None,
        verify: bool | object = True,
        trust_env: bool = True,
    ) -> None:
        self.policy = policy or FetchPolicy()
        p = self.policy
        self._sleep = sleep
        self._rng = rng or random.Random()
        self._rng_lock = threading.Lock()
        self._clock = clock
        self._hosts: dict[str, threading.BoundedSemaphore] = {}
        self._hosts_lock = threading.Lock()
        self._closed = False
        max_connections = max(p.max_connections, p.per_host_concurrency)
        self._client = httpx.Client(
            headers={"User-Agent": p.user_agent},
            timeout=httpx.Timeout(p.timeout_s, connect=p.connect_timeout_s, pool=max(p.timeout_s * 4, 60.0)),
            limits=httpx.Limits(
                max_connections=max_connections,
                max_keepalive_connections=max_connections,
                keepalive_expiry=15.0,
            ),
            follow_redirects=False,  # followed by hand: scheme check, per-host slot per hop
            # httpx builds a next_request for every redirect even when not following, and
            # raises InvalidURL on a Location like "javascript:x"; take the Location away first.
            event_hooks={"response": [_take_location]},
            transport=transport,
            verify=verify,  # type: ignore[arg-type]
            trust_env=trust_env,
        )

    # -- lifecycle -----------------------------------------------------------------------

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool. Idempotent."""
        if not self._closed:
            self._closed = True
            self._client.close()

    # -- public --------------------------------------------------------------------------

    def fetch(self, req: FetchRequest | str) -> FetchResult:
        """Fetch one URL or local file. Never raises for network, HTTP, size or content trouble."""
        if self._closed:
            raise RuntimeError("Fetcher is closed")
        if isinstance(req, str):
            req = FetchRequest(req)
        started = self._clock()
        secrets = _secrets_in(req.url)
        try:
            result = self._dispatch(req, secrets, started)
        except Exception as exc:  # noqa: BLE001 - a bug must not sink the whole run
            log.exception("fetch %s: unexpected error", redact_url(req.url))
            result = self._failed(req, "internal_error", f"unexpected {type(exc).__name__}: {exc}", 0, started)
        if result.error:
            result.error = _one_line(result.error, secrets)
        return result

    def _dispatch(self, req: FetchRequest, secrets: list[str], started: float) -> FetchResult:
        raw = req.url.strip()
        try:
            scheme = urlsplit(raw).scheme.lower()
        except ValueError as exc:
            return self._failed(req, "invalid_url", f"invalid URL: {exc}", 0, started)
        if scheme in ("http", "https"):
            result = self._fetch_http(req, raw, secrets, started)
        elif scheme == "file" or scheme == "" or (len(scheme) == 1 and os.name == "nt"):
            if self.policy.allow_file_urls:
                result = self._fetch_file(req, raw, scheme == "file", started)
            else:
                result = self._failed(req, "invalid_url", "local files are not allowed here", 0, started)
        else:
            result = self._failed(req, "invalid_url", f"unsupported URL scheme {scheme + ':'!r}", 0, started)
        return result

    # -- HTTP ----------------------------------------------------------------------------

    def _fetch_http(self, req: FetchRequest, raw: str, secrets: list[str], started: float) -> FetchResult:
        p = self.policy
        try:
            url = httpx.URL(raw)
            if not url.host:
                raise httpx.InvalidURL("no host")
        except (httpx.InvalidURL, ValueError, TypeError) as exc:
            return self._failed(req, "invalid_url", f"invalid URL: {exc}", 0, started)

        tally = _Tally()
        attempts = 0
        while True:
            attempts += 1
            try:
                return self._attempt(req, url, tally, attempts, started)
            except _Fail as fail:
                last = fail
            if not last.retryable or attempts > p.retries:
                break
            if last.retry_after is not None:
                if last.retry_after > p.respect_retry_after_max_s:
                    last.message += (
                        f"; the server asked to wait {last.retry_after:.0f} s, more than the "
                        f"{p.respect_retry_after_max_s:g} s this run will wait"
                    )
                    break
                delay = last.retry_after
            else:
                delay = self._backoff(attempts)
            log.info(
                "fetch %s: %s (attempt %d of %d); retrying in %.2f s",
                redact_url(raw), _one_line(last.message, secrets), attempts, p.retries + 1, delay,
            )
            self._sleep(delay)

        message = last.message + (f" (after {attempts} attempts)" if attempts > 1 else "")
        result = self._failed(req, last.code, message, attempts, started)
        result.final_url = tally.final_url
        result.http_status = last.status
        result.bytes_downloaded = tally.bytes
        log.warning("fetch %s failed: %s", redact_url(raw), _one_line(message, secrets))
        return result

    def _backoff(self, attempt: int) -> float:
        """Full jitter: uniform in [0, min(max, base * 2**(attempt-1))]."""
        p = self.policy
        ceiling = min(p.backoff_max_s, p.backoff_base_s * (2 ** (attempt - 1)))
        with self._rng_lock:
            return self._rng.uniform(0.0, ceiling)

    @contextmanager
    def _host_slot(self, host: str) -> Iterator[None]:
        key = host.lower()
        with self._hosts_lock:
            sem = self._hosts.get(key)
            if sem is None:
                sem = self._hosts[key] = threading.BoundedSemaphore(self.policy.per_host_concurrency)
        with sem:
            yield

    def _attempt(self, req: FetchRequest, url: httpx.URL, tally: _Tally, attempt: int, started: float) -> FetchResult:
        p = self.policy
        headers = {"Accept": _ACCEPT[req.expect]}
        etag, since = _header_value(req.etag), _header_value(req.last_modified)
        if etag:
            headers["If-None-Match"] = etag
        if since:
            headers["If-Modified-Since"] = since
        deadline = None if p.max_download_s is None else self._clock() + p.max_download_s

        current = url
        for hop in range(p.max_redirects + 1):
            tally.final_url = str(current)
            with self._host_slot(current.host):
                response = self._send(current, headers)
                try:
                    status = response.status_code
                    tally.status = status
                    if status in _REDIRECT_STATUSES:
                        current = self._redirect_target(response, current, hop)
                        self._drain(response)
                        continue
                    if status == 304:
                        if not (etag or since):
                            raise _Fail("http_304", "HTTP 304 Not Modified to an unconditional request", status=304)
                        return FetchResult(
                            url=req.url,
                            final_url=str(current),
                            outcome="not_modified",
                            http_status=304,
                            etag=response.headers.get("etag") or req.etag,
                            last_modified=response.headers.get("last-modified") or req.last_modified,
                            content_type=response.headers.get("content-type"),
                            attempts=attempt,
                            bytes_downloaded=tally.bytes,
                            elapsed_s=self._clock() - started,
                        )
                    if not 200 <= status < 300:
                        self._drain(response)
                        raise self._status_failure(response)
                    body, digest = self._read_body(response, req, deadline)
                    return FetchResult(
                        url=req.url,
                        final_url=str(current),
                        outcome="ok",
                        http_status=status,
                        body=body,
                        sha256=digest,
                        etag=response.headers.get("etag"),
                        last_modified=response.headers.get("last-modified"),
                        content_type=response.headers.get("content-type"),
                        attempts=attempt,
                        bytes_downloaded=tally.bytes + response.num_bytes_downloaded,
                        elapsed_s=self._clock() - started,
                    )
                finally:
                    tally.bytes += response.num_bytes_downloaded
                    response.close()
        raise _Fail("too_many_redirects", f"more than {p.max_redirects} redirects", status=tally.status)

    def _send(self, url: httpx.URL, headers: dict[str, str]) -> httpx.Response:
        try:
            request = self._client.build_request("GET", url, headers=headers)
            return self._client.send(request, stream=True)
        except httpx.TimeoutException as exc:
            raise _Fail("timeout", _timeout_message(exc, self.policy), retryable=True) from None
        except httpx.ConnectError as exc:
            text = str(exc) or type(exc).__name__
            if _is_tls_error(exc):
                raise _Fail("tls", f"TLS failure: {text}") from None
            raise _Fail("connect", f"could not connect: {text}", retryable=True) from None
        except (httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError, httpx.NetworkError) as exc:
            raise _Fail(
                "reset",
                f"connection closed by the server before a response ({type(exc).__name__}: {exc or 'no detail'})",
                retryable=True,
            ) from None
        except httpx.ProxyError as exc:
            raise _Fail("connect", f"proxy error: {exc}", retryable=True) from None
        except (httpx.UnsupportedProtocol, httpx.InvalidURL) as exc:
            raise _Fail("invalid_url", f"invalid URL: {exc}") from None
        except httpx.HTTPError as exc:
            raise _Fail("http_error", f"{type(exc).__name__}: {exc}") from None
        except OSError as exc:
            raise _Fail("reset", f"network error: {exc}", retryable=True) from None

    def _redirect_target(self, response: httpx.Response, current: httpx.URL, hop: int) -> httpx.URL:
        status = response.status_code
        location = response.extensions.get(_LOCATION)
        if not location or not location.strip():
            raise _Fail("bad_redirect", f"HTTP {status} redirect without a Location", status=status)
        location = location.strip()
        try:
            target = current.join(location)
        except (httpx.InvalidURL, ValueError, TypeError):
            raise _Fail("bad_redirect", f"HTTP {status} redirect to an invalid URL: {redact_url(location)}", status=status) from None
        if target.scheme not in ("http", "https") or not target.host:
            shown = redact_url(location)
            raise _Fail("bad_redirect", f"HTTP {status} redirect to a non-http(s) URL: {shown}", status=status)
        if hop >= self.policy.max_redirects:
            raise _Fail("too_many_redirects", f"more than {self.policy.max_redirects} redirects", status=status)
        return target

    def _status_failure(self, response: httpx.Response) -> _Fail:
        status = response.status_code
        reason = response.reason_phrase or ""
        message = f"HTTP {status}{' ' + reason if reason else ''}"
        if status == 429 or 500 <= status <= 599:
            retry_after = parse_retry_after(response.headers.get("retry-after"))
            return _Fail(f"http_{status}", message, retryable=True, status=status, retry_after=retry_after)
        return _Fail(f"http_{status}", message, status=status)

    def _drain(self, response: httpx.Response) -> None:
        """Read a small error/redirect body so its keep-alive connection can be reused."""
        length = _content_length(response.headers)
        if length is None or length > _DRAIN_BYTES:
            return
        try:
            for _ in response.iter_raw():
                pass
        except (httpx.HTTPError, OSError):
            pass

    def _read_body(self, response: httpx.Response, req: FetchRequest, deadline: float | None) -> tuple[bytes, str]:
        p = self.policy
        length = _content_length(response.headers)
        if length is not None and length > p.max_bytes:
            raise _Fail(
                "too_large",
                f"Content-Length {_size(length)} is larger than the {_size(p.max_bytes)} size cap",
                status=response.status_code,
            )
        body = _Body(req.expect, p.max_bytes, response.headers.get("content-type"), "the server sent")
        try:
            for chunk in response.iter_bytes():
                body.feed(chunk)
                if deadline is not None and self._clock() > deadline:
                    raise _Fail(
                        "timeout",
                        f"download took longer than {p.max_download_s:g} s ({_size(body.size)} received)",
                        retryable=True,
                    )
        except _Fail as fail:
            fail.status = response.status_code
            raise
        except httpx.TimeoutException as exc:
            raise _Fail(
                "timeout",
                f"{_timeout_message(exc, p)} after {_size(response.num_bytes_downloaded)} of the body",
                retryable=True,
                status=response.status_code,
            ) from None
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.NetworkError, OSError) as exc:
            raise _Fail(
                "truncated",
                f"body cut off after {_size(response.num_bytes_downloaded)}"
                + (f" of {_size(length)}" if length is not None else "")
                + f" ({type(exc).__name__}: {exc or 'no detail'})",
                retryable=True,
                status=response.status_code,
            ) from None
        except httpx.DecodingError as exc:
            raise _Fail("decode_error", f"could not decode the body: {exc}", status=response.status_code) from None
        except httpx.HTTPError as exc:
            raise _Fail("http_error", f"{type(exc).__name__}: {exc}", status=response.status_code) from None
        if length is not None and response.num_bytes_downloaded < length:
            raise _Fail(
                "truncated",
                f"body cut off after {_size(response.num_bytes_downloaded)} of {_size(length)}",
                retryable=True,
                status=response.status_code,
            )
        try:
            return body.finish()
        except _Fail as fail:
            fail.status = response.status_code
            raise

    # -- files ---------------------------------------------------------------------------

    def _fetch_file(self, req: FetchRequest, raw: str, is_url: bool, started: float) -> FetchResult:
        p = self.policy
        if is_url:
            parts = urlsplit(raw)
            if parts.netloc not in ("", "localhost"):
                return self._failed(req, "invalid_url", "file URLs must name a local path (file:///…)", 0, started)
            path = Path(url2pathname(parts.path))
        else:
            path = Path(raw).expanduser()
        try:
            st = path.stat()
            if not path.is_file():
                return self._failed(req, "file_error", f"not a regular file: {path}", 1, started)
        except FileNotFoundError:
            return self._failed(req, "file_not_found", f"no such file: {path}", 1, started)
        except OSError as exc:
            return self._failed(req, "file_error", f"cannot read {path}: {exc.strerror or exc}", 1, started)

        etag = f'"f-{st.st_mtime_ns:x}-{st.st_size:x}"'
        last_modified = email.utils.formatdate(st.st_mtime, usegmt=True)
        final_url = path.resolve().as_uri()
        common = dict(url=req.url, final_url=final_url, etag=etag, last_modified=last_modified, attempts=1)
        if req.etag and _opaque_etag(req.etag) == _opaque_etag(etag):
            return FetchResult(outcome="not_modified", elapsed_s=self._clock() - started, **common)
        if st.st_size > p.max_bytes:
            return self._failed(
                req, "too_large", f"the file's {_size(st.st_size)} is larger than the {_size(p.max_bytes)} size cap",
                1, started, final_url=final_url,
            )
        body = _Body(req.expect, p.max_bytes, None, "the file holds")
        try:
            with path.open("rb") as fh:
                while chunk := fh.read(_FILE_CHUNK):
                    body.feed(chunk)
            data, digest = body.finish()
        except _Fail as fail:
            result = self._failed(req, fail.code, fail.message, 1, started, final_url=final_url)
            result.bytes_downloaded = body.size
            return result
        except OSError as exc:
            return self._failed(req, "file_error", f"cannot read {path}: {exc.strerror or exc}", 1, started)
        return FetchResult(
            outcome="ok", body=data, sha256=digest, bytes_downloaded=len(data),
            content_type="application/pdf" if data[:_SNIFF_BYTES].find(b"%PDF-") >= 0 else None,
            elapsed_s=self._clock() - started, **common,
        )

    # -- shared --------------------------------------------------------------------------

    def _failed(
        self, req: FetchRequest, code: str, message: str, attempts: int, started: float, *, final_url: str | None = None
    ) -> FetchResult:
        return FetchResult(
            url=req.url,
            final_url=final_url,
            outcome="failed",
            error=message,
            error_code=code,
            attempts=attempts,
            elapsed_s=self._clock() - started,
        )


_LOCATION = "jtai_watch.location"


def _take_location(response: httpx.Response) -> None:
    if "location" in response.headers:
        response.extensions[_LOCATION] = response.headers["location"]
        del response.headers["location"]


def _is_tls_error(exc: BaseException) -> bool:
    seen: BaseException | None = exc
    for _ in range(5):
        if seen is None:
            break
        if isinstance(seen, ssl.SSLError) or "[SSL" in str(seen) or "CERTIFICATE_VERIFY_FAILED" in str(seen):
            return True
        seen = seen.__cause__ or seen.__context__
    return False


def _timeout_message(exc: httpx.TimeoutException, p: FetchPolicy) -> str:
    if isinstance(exc, httpx.ConnectTimeout):
        return f"timed out connecting ({p.connect_timeout_s:g} s)"
    if isinstance(exc, httpx.PoolTimeout):
        return "timed out waiting for a free connection"
    if isinstance(exc, httpx.WriteTimeout):
        return f"timed out sending the request ({p.timeout_s:g} s)"
    return f"timed out waiting for the server ({p.timeout_s:g} s)"
