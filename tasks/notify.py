"""Deliver queued alerts through apprise: claim, render, send, mark.

Each due outbox row is claimed (so two workers never send it), rendered for the channel —
an email (HTML with a plain-text alternative) for ``mailto://``/``mailtos://``, short
markdown for everything else (Slack, Teams, Discord, Matrix, ``json://`` webhooks …) — and
sent to every URL of its subscriber. Success marks it sent; a failure goes back to pending
with exponential backoff, and after ``max_attempts`` is marked failed with the reason.
Reasons never carry secrets: passwords, tokens and query values of the subscriber's URLs
are masked before anything is stored or logged. ``dry_run`` renders but sends nothing and
leaves the rows pending.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import parse_qsl, unquote, urlsplit

from state.models import utcnow
from state.outbox import ClaimedAlert, Outbox

from .render import Alert, render_chat, render_email

logger = logging.getLogger("jtai_watch.notify")
EMAIL_SCHEMES = ("mailto", "mailtos")


@dataclass(slots=True)
class DeliverySummary:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    skipped: int = 0
    errors: list[str] = field(default_factory=list)


def is_email(url: str) -> bool:
    return url.split("://", 1)[0].lower() in EMAIL_SCHEMES


def valid_notify_url(url: str) -> bool:
    import apprise

    return apprise.Apprise.instantiate(url, suppress_exceptions=True) is not None


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
        out += [seg for seg in parts.path.split("/") if len(seg) >= 8]
        out += [v for _, v in parse_qsl(parts.query) if len(v) >= 4 and "@" not in v]
    return sorted({s for s in out if s}, key=len, reverse=True)


def redact(text: str, secrets: Sequence[str]) -> str:
    for s in secrets:
        text = text.replace(s, "***")
    return re.sub(r"(?<=://)[^/@\s]+@", "***@", text)


def send(url: str, alert: Alert) -> tuple[bool, str | None]:
    """Send one alert to one URL; (ok, reason). Never raises."""
    import apprise

    try:
        a = apprise.Apprise()
        if not a.add(url):
            return False, "not a valid notification URL"
        if is_email(url):
            mail = render_email(alert)
            body, title, fmt = mail.html, mail.subject, apprise.NotifyFormat.HTML
        else:
            body = render_chat(alert)
            title, fmt = "", apprise.NotifyFormat.MARKDOWN
        with apprise.LogCapture(level=logging.WARNING) as captured:
            ok = a.notify(title=title, body=body, body_format=fmt)
        if ok:
            return True, None
        reason = " ".join(line.strip() for line in captured.getvalue().splitlines() if line.strip())[-500:]
        return False, reason or "the notification service refused the message"
    except Exception as exc:  # a plugin bug must not stop the other alerts
        return False, f"{type(exc).__name__}: {exc}"


def deliver(
    outbox: Outbox,
    notify: Mapping[str, Sequence[str]],
    *,
    subscribers: Sequence[str] | None = None,
    dry_run: bool = False,
    max_attempts: int = 5,
    backoff: timedelta = timedelta(minutes=1),
    limit: int = 100,
    worker: str | None = None,
) -> DeliverySummary:
    """Send every due alert of ``subscribers`` (default: all in ``notify``)."""
    summary = DeliverySummary()
    names = list(subscribers if subscribers is not None else notify)
    if dry_run or not names:
        return summary
    tried: set[int] = set()
    while True:
        batch = outbox.claim(limit=limit, subscribers=names, worker=worker, exclude=tried)
        if not batch:
            return summary
        for item in batch:
            tried.add(item.id)
            _deliver_one(outbox, item, notify.get(item.subscriber, ()), summary, max_attempts, backoff)


def _deliver_one(
    outbox: Outbox, item: ClaimedAlert, urls: Sequence[str], summary: DeliverySummary, max_attempts: int, backoff: timedelta
) -> None:
    secrets = secrets_of(urls)
    if not urls:
        outbox.mark_failed(item.id, f"subscriber {item.subscriber!r} has no notify URL", retry_at=None)
        summary.failed += 1
        return
    try:
        alert = Alert.from_json(item.payload)
    except Exception as exc:
        outbox.mark_failed(item.id, f"unreadable alert: {type(exc).__name__}", retry_at=None)
        summary.failed += 1
        return
    reasons = []
    for url in urls:
        ok, reason = send(url, alert)
        if not ok:
            scheme = url.split("://", 1)[0]
            reasons.append(f"{scheme}: {redact(reason or 'failed', secrets)}")
    if not reasons:
        outbox.mark_sent(item.id)
        summary.sent += 1
        return
    error = "; ".join(reasons)
    if item.attempts >= max_attempts:
        outbox.mark_failed(item.id, error, retry_at=None)
        summary.failed += 1
    else:
        outbox.mark_failed(item.id, error, retry_at=utcnow() + backoff * (2 ** (item.attempts - 1)))
        summary.retrying += 1
    summary.errors.append(error)
    logger.warning("alert %s for %s not delivered: %s", item.id, item.subscriber, error)
