"""Deliver queued alerts through apprise: claim, render, send, mark.

Due outbox rows are claimed (so two workers never send the same one), rendered for the
channel — an email (HTML with our plain-text alternative, see :mod:`tasks.mail`) for
``mailto://``/``mailtos://``,
short markdown for everything else (Slack, Mattermost, Teams, Discord, Matrix, ``json://``
webhooks …) — and sent to every URL of their subscriber. An immediate subscriber gets one
message per alert; a daily or weekly subscriber gets one digest holding all their due
alerts.

Each row remembers which URLs already have it, so after a partial failure (the email went,
the chat server was down) a retry goes only to the URLs still missing it. A row every URL
has is marked sent; otherwise it goes back to pending with exponential backoff, and after
``max_attempts`` is marked failed with the reason. Reasons never carry secrets: passwords,
tokens and query values of the subscriber's URLs are masked before anything is stored or
logged, and apprise's own log lines are captured per send and never reach the log as they
are. ``dry_run`` sends nothing and leaves the rows pending.

Sends run on a small thread pool with at most ``per_host`` at once to any one host, so a
thousand alerts to one webhook go out quickly without hammering it.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Literal
from urllib.parse import parse_qsl, unquote, urlsplit

from state.models import utcnow
from state.outbox import ClaimedAlert, Outbox

from .mail import send_email
from .render import Alert, RenderedEmail, markdown_to_slack, render_chat, render_digest_chat, render_digest_email, render_email

logger = logging.getLogger("jtai_watch.notify")
EMAIL_SCHEMES = ("mailto", "mailtos")
Mode = Literal["immediate", "daily", "weekly"]

# Services whose plugin always posts to the same host, whatever the URL says after "://".
_FIXED_HOST = {
    "slack": "hooks.slack.com", "msteams": "outlook.office.com", "discord": "discord.com",
    "tgram": "api.telegram.org", "pover": "api.pushover.net", "workflows": "logic.azure.com",
}


@dataclass(frozen=True, slots=True)
class DeliveryPolicy:
    """How hard and how fast to try. ``backoff`` doubles after each failed attempt."""

    max_attempts: int = 5
    backoff: timedelta = timedelta(minutes=1)
    per_host: int = 4
    workers: int = 8
    batch: int = 200
    # A digest claims up to this many due alerts at once, so one subscriber's week of
    # alerts is one message, not one per ``batch``.
    digest_batch: int = 5000


@dataclass(slots=True)
class DeliverySummary:
    sent: int = 0  # alerts every URL now has
    retrying: int = 0  # alerts that will be tried again after their backoff
    failed: int = 0  # alerts given up on (``alerts --retry`` re-queues them)
    messages: int = 0  # emails and chat posts that went out
    errors: list[str] = field(default_factory=list)


def scheme_of(url: str) -> str:
    """The apprise service a URL names ("mailtos", "slack", "json" …), lower case."""
    return url.split("://", 1)[0].lower()


def is_email(url: str) -> bool:
    return scheme_of(url) in EMAIL_SCHEMES


def valid_notify_url(url: str) -> bool:
    import apprise

    return apprise.Apprise.instantiate(url, suppress_exceptions=True) is not None


def url_fingerprint(url: str) -> str:
    """What the outbox stores to remember a URL: never the URL itself (it holds secrets)."""
    return hashlib.sha256(url.encode("utf-8")).hexdigest()[:16]


def url_host(url: str) -> str:
    """The host a send to ``url`` talks to, for the per-host concurrency bound."""
    scheme = scheme_of(url)
    if scheme in _FIXED_HOST:
        return _FIXED_HOST[scheme]
    try:
        parts = urlsplit(url)
        host, port = parts.hostname or "", parts.port
    except ValueError:
        host, port = "", None
    return f"{host}:{port or ''}" if host else scheme


def secrets_of(urls: Sequence[str]) -> list[str]:
    """The parts of notify URLs that must never be shown: passwords, user names, tokens in
    the path, query values."""
    out: list[str] = []
    for url in urls:
        try:
            parts = urlsplit(url)
        except ValueError:
            out.append(url)
            continue
        for value in (parts.password, parts.username):
            if value:
                out.append(unquote(value))
                out.append(value)
        out += [seg for seg in parts.path.split("/") if len(seg) >= 8]
        out += [v for _, v in parse_qsl(parts.query) if len(v) >= 4 and "@" not in v]
    return sorted({s for s in out if s}, key=len, reverse=True)


def redact(text: str, secrets: Sequence[str]) -> str:
    for s in secrets:
        text = text.replace(s, "***")
    return re.sub(r"(?<=://)[^/@\s]+@", "***@", text)


# ------------------------------------------------------------------ apprise's log lines


class _PerThreadCapture(logging.Handler):
    """Apprise explains a failure only in its log. Each send collects those lines for its
    own thread (so concurrent sends never see each other's reasons), and the apprise
    logger does not propagate: its lines can name hosts and, at debug level, payloads."""

    def __init__(self) -> None:
        super().__init__(level=logging.WARNING)
        self.local = threading.local()

    def emit(self, record: logging.LogRecord) -> None:
        lines = getattr(self.local, "lines", None)
        if lines is not None:
            try:
                lines.append(record.getMessage())
            except Exception:
                pass

    @contextmanager
    def capture(self) -> Iterator[list[str]]:
        self.local.lines = []
        try:
            yield self.local.lines
        finally:
            self.local.lines = None


_capture = _PerThreadCapture()
_apprise_logger = logging.getLogger("apprise")
_apprise_logger.addHandler(_capture)
_apprise_logger.setLevel(logging.WARNING)
_apprise_logger.propagate = False
# At DEBUG, apprise prints notify URLs whole and urllib3 (its HTTP transport, through
# requests) prints each request line — webhook tokens live in those paths. An operator who
# turns the root logger to DEBUG must not get them: both stay at WARNING.
logging.getLogger("urllib3").setLevel(logging.WARNING)


# ------------------------------------------------------------------ one message


@dataclass(frozen=True, slots=True)
class Message:
    """What goes to one URL: an email (subject, text and HTML parts) or a chat body."""

    title: str
    body: str
    email: RenderedEmail | None = None


def message_for(url: str, alerts: Sequence[Alert], *, subscriber: str, mode: Mode) -> Message:
    """One alert as one message, or a subscriber's due alerts as one digest: an email for
    ``mailto``, Slack's own mrkdwn for ``slack``, markdown for every other chat."""
    if is_email(url):
        mail = render_email(alerts[0]) if mode == "immediate" else render_digest_email(subscriber, alerts, mode)
        return Message(mail.subject, mail.html, mail)
    if mode == "immediate":
        (alert,) = alerts
        body = render_chat(alert)
    else:
        body = render_digest_chat(subscriber, alerts, mode)
    if scheme_of(url) == "slack":
        body = markdown_to_slack(body)
    return Message("", body)


def _asset():  # noqa: ANN202
    """Messages say they come from jtai-watch (Mattermost's user name, Slack's footer)."""
    import apprise

    return apprise.AppriseAsset(app_id="jtai-watch", app_desc="jtai-watch alerts", app_url="https://github.com/jtai-watch/jtai-watch")


def send(url: str, message: Message) -> tuple[bool, str | None]:
    """Send one message to one URL; (ok, reason). Never raises."""
    import apprise

    try:
        if message.email is not None and is_email(url):
            plugin = apprise.Apprise.instantiate(url, asset=_asset(), suppress_exceptions=True)
            if plugin is None:
                return False, "not a valid notification URL"
            return send_email(plugin, message.email)
        a = apprise.Apprise(asset=_asset())
        if not a.add(url):
            return False, "not a valid notification URL"
        with _capture.capture() as lines:
            ok = a.notify(title=message.title, body=message.body, body_format=apprise.NotifyFormat.MARKDOWN)
        if ok:
            return True, None
        reason = " ".join(line.strip() for line in lines if line.strip())[-500:]
        return False, reason or "the notification service refused the message"
    except Exception as exc:  # a plugin bug must not stop the other alerts
        return False, f"{type(exc).__name__}: {exc}"


# ------------------------------------------------------------------ delivery


class _Hosts:
    """At most ``per_host`` sends at once to any one host."""

    def __init__(self, per_host: int) -> None:
        self.per_host = per_host
        self.lock = threading.Lock()
        self.sems: dict[str, threading.Semaphore] = {}

    def slot(self, url: str) -> threading.Semaphore:
        host = url_host(url)
        with self.lock:
            if host not in self.sems:
                self.sems[host] = threading.Semaphore(self.per_host)
            return self.sems[host]


def deliver(
    outbox: Outbox,
    notify: Mapping[str, Sequence[str]],
    *,
    subscribers: Sequence[str] | None = None,
    mode: Mode = "immediate",
    dry_run: bool = False,
    policy: DeliveryPolicy = DeliveryPolicy(),
    worker: str | None = None,
) -> DeliverySummary:
    """Send every due alert of ``subscribers`` (default: all in ``notify``).

    ``mode`` "immediate" sends one message per alert; "daily" or "weekly" gathers each
    subscriber's due alerts into one digest message per URL."""
    summary = DeliverySummary()
    names = list(subscribers if subscribers is not None else notify)
    if dry_run or not names:
        return summary
    hosts = _Hosts(policy.per_host)
    lock = threading.Lock()
    tried: set[int] = set()
    with ThreadPoolExecutor(max_workers=max(1, policy.workers), thread_name_prefix="jtai-notify") as pool:
        while True:
            limit = policy.batch if mode == "immediate" else policy.digest_batch
            batch = outbox.claim(limit=limit, subscribers=names, worker=worker, exclude=tried)
            if not batch:
                return summary
            tried.update(item.id for item in batch)
            if mode == "immediate":
                units = [[item] for item in batch]
            else:
                grouped: dict[str, list[ClaimedAlert]] = defaultdict(list)
                for item in batch:
                    grouped[item.subscriber].append(item)
                units = list(grouped.values())
            futures = [
                pool.submit(_deliver_unit, outbox, unit, notify.get(unit[0].subscriber, ()), mode, policy, hosts, summary, lock)
                for unit in units
            ]
            for f in futures:
                f.result()


def _deliver_unit(
    outbox: Outbox,
    rows: list[ClaimedAlert],
    urls: Sequence[str],
    mode: Mode,
    policy: DeliveryPolicy,
    hosts: _Hosts,
    summary: DeliverySummary,
    lock: threading.Lock,
) -> None:
    """Send one alert (immediate) or one subscriber's digest, then mark every row."""
    subscriber = rows[0].subscriber
    secrets = secrets_of(urls)
    if not urls:
        for row in rows:
            outbox.mark_failed(row.id, f"subscriber {subscriber!r} has no notify URL", retry_at=None)
        with lock:
            summary.failed += len(rows)
        return
    alerts: dict[int, Alert] = {}
    for row in rows:
        try:
            alerts[row.id] = Alert.from_json(row.payload)
        except Exception as exc:
            outbox.mark_failed(row.id, f"unreadable alert: {type(exc).__name__}", retry_at=None)
            with lock:
                summary.failed += 1
    rows = [r for r in rows if r.id in alerts]
    if not rows:
        return
    delivered = {r.id: set(r.delivered_to) for r in rows}
    reasons: list[str] = []
    messages = 0
    fingerprints = [url_fingerprint(u) for u in urls]
    for url, fp in zip(urls, fingerprints):
        missing = [r for r in rows if fp not in delivered[r.id]]
        if not missing:
            continue
        try:
            message = message_for(url, [alerts[r.id] for r in missing], subscriber=subscriber, mode=mode)
        except Exception as exc:  # a template bug: say so, keep the alert
            ok, reason = False, f"could not render: {type(exc).__name__}: {exc}"
        else:
            with hosts.slot(url):
                ok, reason = send(url, message)
        if ok:
            messages += 1
            for r in missing:
                delivered[r.id].add(fp)
        else:
            reasons.append(f"{scheme_of(url)}: {redact(reason or 'failed', secrets)}")
    wanted = set(fingerprints)
    sent = retrying = failed = 0
    error = "; ".join(reasons)
    for r in rows:
        if wanted <= delivered[r.id]:
            outbox.mark_sent(r.id, delivered_to=delivered[r.id])
            sent += 1
        elif r.attempts >= policy.max_attempts:
            outbox.mark_failed(r.id, error, retry_at=None, delivered_to=delivered[r.id])
            failed += 1
        else:
            retry_at = utcnow() + policy.backoff * (2 ** (r.attempts - 1))
            outbox.mark_failed(r.id, error, retry_at=retry_at, delivered_to=delivered[r.id])
            retrying += 1
    with lock:
        summary.sent += sent
        summary.retrying += retrying
        summary.failed += failed
        summary.messages += messages
        if error:
            summary.errors.append(error)
    if error:
        what = f"alert {rows[0].id}" if mode == "immediate" else f"{mode} digest of {len(rows)} alerts"
        logger.warning("%s for %s not delivered: %s", what, subscriber, error)
