"""Turning an alert into what a subscriber reads: an email (subject, text, HTML) or a chat
message (markdown), for one alert or a digest of several.

No Prefect, no apprise, no I/O beyond reading the templates: the notify task renders here and
hands the strings to apprise. An :class:`Alert` carries what a reader needs and nothing
else - in particular no notify URLs or other secrets - and round-trips through JSON
(:meth:`Alert.to_json` / :meth:`Alert.from_json`) so it can wait in an outbox row's payload.

Escaping, once and in one place for each output:

* HTML comes from jinja2 templates (``templates/*.html.j2``) with autoescape on. Highlighted
  snippets reach the template as *segments* (``text``, ``marked``); the template escapes
  each piece and wraps the marked ones in ``<mark>``, so a highlight never splits an escape
  sequence and document text never becomes markup.
* Plain text comes from ``templates/*.txt.j2`` with autoescape off; highlights are
  ``*starred*``.
* Chat markdown is built here: document text goes through :func:`escape_markdown`,
  highlights become ``**bold**``, and the message is fitted to a length budget.
"""

from __future__ import annotations

import json
import re
import textwrap
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Iterable, Literal, Sequence
from urllib.parse import quote, urlsplit

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from parsers.diff import section_label
from parsers.records import (
    AREA_FOR_IMPROVEMENT,
    BOARD_PRIORITY,
    JUDGEMENT,
    KEY_MESSAGE,
    NEXT_STEPS,
    PRACTICE_STUDY_IMPROVEMENT,
    PRACTICE_STUDY_STRENGTH,
    PRIORITY_ACTION,
    SECTION,
    STRENGTH,
)

__all__ = [
    "Alert",
    "AlertDocument",
    "AlertHit",
    "AlertMatch",
    "RenderedEmail",
    "escape_markdown",
    "find_phrase_spans",
    "format_date",
    "make_hit",
    "render_chat",
    "render_digest_chat",
    "render_digest_email",
    "render_email",
    "segments",
    "snippet_around",
]

Change = Literal["new_document", "new_version"]
CHANGES: tuple[str, ...] = ("new_document", "new_version")
PERIODS: tuple[str, ...] = ("daily", "weekly")

MAX_HITS = 5  # per match, in a single-alert email
DIGEST_MAX_HITS = 3  # per match, in a digest email
CHAT_LIMIT = 1200
DIGEST_CHAT_LIMIT = 1900  # under Discord's 2,000; Slack and Telegram allow more
SNIPPET_WIDTH = 320

TEMPLATES = Path(__file__).resolve().parent / "templates"

# ------------------------------------------------------------------------------ words

_MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip

# Document kinds: (label in subjects, noun after "the area's previous ...").
_KINDS: dict[str, tuple[str, str]] = {
    "jtai_letter": ("JTAI letter", "JTAI letter"),
    "inspection_report": ("Ofsted inspection", "Ofsted inspection report"),
    "board_report": ("Board annual report", "annual report"),
    "unknown": ("Document", "document"),
}

# Section names as a reader would say them (the diff's labels are for diff lines).
_HIT_SECTIONS: dict[str, str] = {
    STRENGTH: "key strength",
    PRIORITY_ACTION: "area for priority action",
    AREA_FOR_IMPROVEMENT: "area for improvement",
    PRACTICE_STUDY_STRENGTH: "practice study (highly effective practice)",
    PRACTICE_STUDY_IMPROVEMENT: "practice study (area for improvement)",
    NEXT_STEPS: "next steps",
    BOARD_PRIORITY: "board priority",
    KEY_MESSAGE: "key message",
    SECTION: "section",
    JUDGEMENT: "judgement",
}
# Sections where "no. 3" says nothing to a reader.
_NO_ORDINAL = frozenset({NEXT_STEPS, SECTION, PRACTICE_STUDY_STRENGTH, PRACTICE_STUDY_IMPROVEMENT})


def format_date(d: date | None) -> str:
    """``29 January 2019`` (no leading zero, English month names whatever the locale)."""
    if d is None:
        return ""
    return f"{d.day} {_MONTHS[d.month - 1]} {d.year}"


def kind_label(kind: str | None) -> str:
    return _KINDS.get(kind or "unknown", (None, None))[0] or (kind or "document").replace("_", " ").capitalize()


def kind_noun(kind: str | None) -> str:
    return _KINDS.get(kind or "unknown", (None, None))[1] or (kind or "document").replace("_", " ")


def hit_section_label(section: str | None) -> str:
    if not section:
        return "finding"
    return _HIT_SECTIONS.get(section) or section_label(section)


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def _one_line(s: str | None) -> str:
    return " ".join((s or "").split())


def _shorten(s: str | None, limit: int) -> str:
    s = _one_line(s)
    if len(s) <= limit:
        return s
    cut = s[: limit - 1]
    space = cut.rfind(" ")
    if space > limit // 2:
        cut = cut[:space]
    return cut.rstrip(" ,;:.-(") + "…"


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _join_names(names: Sequence[str], most: int = 4) -> str:
    if len(names) <= most:
        return ", ".join(names)
    return ", ".join(names[:most]) + f" and {len(names) - most} more"


def safe_url(url: str | None) -> str | None:
    """The URL if it is one a reader can open safely (http, https, file), else None."""
    url = (url or "").strip()
    if not url or any(c in url for c in "\r\n\t"):
        return None
    try:
        scheme = urlsplit(url).scheme.lower()
    except ValueError:
        return None
    return url if scheme in ("http", "https", "file") else None


# ------------------------------------------------------------------------------ records


def _date_or_none(v: Any) -> date | None:
    if v is None or v == "":
        return None
    if isinstance(v, date):
        return v
    return date.fromisoformat(str(v))


def _deadline_pair(d: Any) -> tuple[str, date]:
    if isinstance(d, dict):
        return str(d["what"]), _date_or_none(d["due"])  # type: ignore[return-value]
    if hasattr(d, "what") and hasattr(d, "due"):  # parsers.records.Deadline
        return str(d.what), _date_or_none(d.due)  # type: ignore[return-value]
    what, due = d
    return str(what), _date_or_none(due)  # type: ignore[return-value]


@dataclass(slots=True)
class AlertDocument:
    """The document (version) an alert is about."""

    kind: str
    area: str | None
    title: str | None
    published: date | None
    url: str
    deadlines: list[tuple[str, date]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.published = _date_or_none(self.published)
        self.deadlines = [_deadline_pair(d) for d in self.deadlines]

    @classmethod
    def from_parsed(cls, doc: Any, url: str) -> "AlertDocument":
        """From a :class:`parsers.records.ParsedDocument` and the URL it was fetched from."""
        return cls(
            kind=doc.kind,
            area=doc.area.name if doc.area else None,
            title=doc.title,
            published=doc.published,
            url=url,
            deadlines=[(d.what, d.due) for d in doc.deadlines],
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "area": self.area,
            "title": self.title,
            "published": self.published.isoformat() if self.published else None,
            "url": self.url,
            "deadlines": [{"what": w, "due": d.isoformat()} for w, d in self.deadlines],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "AlertDocument":
        return cls(
            kind=data["kind"],
            area=data.get("area"),
            title=data.get("title"),
            published=_date_or_none(data.get("published")),
            url=data["url"],
            deadlines=[_deadline_pair(d) for d in data.get("deadlines") or []],
        )


@dataclass(slots=True)
class AlertHit:
    """One finding that matched: a snippet of it and where to highlight."""

    section: str
    ordinal: int | None
    snippet: str
    highlights: list[tuple[int, int]] = field(default_factory=list)
    themes: list[str] = field(default_factory=list)
    phrases: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.highlights = [(int(a), int(b)) for a, b in self.highlights]

    def to_json(self) -> dict[str, Any]:
        return {
            "section": self.section,
            "ordinal": self.ordinal,
            "snippet": self.snippet,
            "highlights": [[a, b] for a, b in self.highlights],
            "themes": list(self.themes),
            "phrases": list(self.phrases),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "AlertHit":
        return cls(
            section=data["section"],
            ordinal=data.get("ordinal"),
            snippet=data.get("snippet") or "",
            highlights=[(a, b) for a, b in data.get("highlights") or []],
            themes=list(data.get("themes") or []),
            phrases=list(data.get("phrases") or []),
        )


@dataclass(slots=True)
class AlertMatch:
    """What one watch of the subscriber matched in the document."""

    watch_label: str
    hits: list[AlertHit] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {"watch_label": self.watch_label, "hits": [h.to_json() for h in self.hits]}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "AlertMatch":
        return cls(
            watch_label=data.get("watch_label") or "",
            hits=[AlertHit.from_json(h) for h in data.get("hits") or []],
        )


@dataclass(slots=True)
class Alert:
    """One subscriber, one document version, what matched and what changed.

    ``subscriber`` is the subscriber's *name*; how to reach them (notify URLs) is never part
    of an alert. ``diff_lines`` come from :func:`parsers.diff.describe`, ``changed`` from
    :meth:`parsers.diff.FindingsDiff.summary`.
    """

    subscriber: str
    document: AlertDocument
    matches: list[AlertMatch] = field(default_factory=list)
    change: Change = "new_document"
    diff_lines: list[str] = field(default_factory=list)
    changed: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.change not in CHANGES:
            raise ValueError(f"change must be one of {CHANGES}, not {self.change!r}")

    def to_json(self) -> dict[str, Any]:
        return {
            "schema": 1,
            "subscriber": self.subscriber,
            "document": self.document.to_json(),
            "matches": [m.to_json() for m in self.matches],
            "change": self.change,
            "diff_lines": list(self.diff_lines),
            "changed": {str(k): int(v) for k, v in self.changed.items()},
        }

    @classmethod
    def from_json(cls, data: dict[str, Any] | str | bytes) -> "Alert":
        """From :meth:`to_json`'s dict (or its JSON text). Unknown keys are ignored."""
        if isinstance(data, (str, bytes)):
            data = json.loads(data)
        assert isinstance(data, dict)
        return cls(
            subscriber=data["subscriber"],
            document=AlertDocument.from_json(data["document"]),
            matches=[AlertMatch.from_json(m) for m in data.get("matches") or []],
            change=data.get("change") or "new_document",
            diff_lines=[str(s) for s in data.get("diff_lines") or []],
            changed={str(k): int(v) for k, v in (data.get("changed") or {}).items()},
        )


@dataclass(frozen=True, slots=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


# ------------------------------------------------------------------------------ snippets


def _phrase_re(phrase: str) -> re.Pattern[str] | None:
    words = re.findall(r"\w+(?:['’]\w+)*", phrase)
    if not words:
        return None
    body = r"[\s\-‐‑–—]+".join(re.escape(w) for w in words)
    return re.compile(rf"(?<!\w){body}(?!\w)", re.IGNORECASE)


def find_phrase_spans(text: str, phrases: Iterable[str]) -> list[tuple[int, int]]:
    """Where each phrase occurs in ``text``: whole words, any case, any run of spaces or
    hyphens between words. Sorted, overlaps merged."""
    spans: list[tuple[int, int]] = []
    for p in phrases:
        rx = _phrase_re(p)
        if rx is not None:
            spans.extend(m.span() for m in rx.finditer(text))
    return _normalise_spans(spans, len(text))


def _normalise_spans(spans: Iterable[tuple[int, int]], length: int) -> list[tuple[int, int]]:
    """Clip to the text, drop empty spans, sort and merge overlapping or touching ones."""
    clipped = sorted((max(0, a), min(length, b)) for a, b in spans if min(length, b) > max(0, a))
    out: list[tuple[int, int]] = []
    for a, b in clipped:
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def snippet_around(
    text: str, spans: Sequence[tuple[int, int]] = (), width: int = SNIPPET_WIDTH
) -> tuple[str, list[tuple[int, int]]]:
    """At most about ``width`` characters of ``text`` around its first highlighted span, cut
    at word boundaries with "…" where cut; the spans moved to the snippet (those cut off
    dropped). Whitespace is collapsed first."""
    spans = _normalise_spans(spans, len(text))
    # Collapse whitespace, keeping a map from old offsets to new ones.
    out_chars: list[str] = []
    new_pos = [0] * (len(text) + 1)
    prev_space = True
    for i, ch in enumerate(text):
        new_pos[i] = len(out_chars)
        if ch.isspace():
            if not prev_space:
                out_chars.append(" ")
            prev_space = True
        else:
            out_chars.append(ch)
            prev_space = False
    new_pos[len(text)] = len(out_chars)
    flat = "".join(out_chars)
    spans = [(new_pos[a], new_pos[b]) for a, b in spans]
    trail = len(flat.rstrip())
    flat = flat[:trail]
    spans = _normalise_spans(spans, len(flat))
    if len(flat) <= width:
        return flat, spans
    focus = spans[0] if spans else (0, 0)
    start = max(0, min(focus[0] - width // 3, len(flat) - width))
    if start > 0:
        sp = flat.find(" ", start)
        start = sp + 1 if 0 <= sp < focus[0] else start
    end = min(len(flat), start + width)
    if end < len(flat):
        sp = flat.rfind(" ", start, end)
        if sp > max(start, focus[1]):
            end = sp
    body = flat[start:end].strip()
    lead = start + (len(flat[start:end]) - len(flat[start:end].lstrip()))
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(flat) else ""
    if suffix:
        body = body.rstrip(" ,;:.")
    shift = len(prefix) - lead
    moved = [(a + shift, b + shift) for a, b in spans if a >= lead and b <= lead + len(body)]
    return prefix + body + suffix, moved


def make_hit(
    finding: Any,
    phrases: Sequence[str] = (),
    themes: Sequence[str] | None = None,
    width: int = SNIPPET_WIDTH,
) -> AlertHit:
    """An :class:`AlertHit` for a finding (anything with section, ordinal, text, themes):
    a snippet around the first phrase found, with every phrase highlighted."""
    text = getattr(finding, "text", "") or ""
    spans = find_phrase_spans(text, phrases)
    snippet, highlights = snippet_around(text, spans, width)
    found = [p for p in phrases if find_phrase_spans(text, [p])]
    return AlertHit(
        section=getattr(finding, "section", "") or "",
        ordinal=getattr(finding, "ordinal", None),
        snippet=snippet,
        highlights=highlights,
        themes=list(themes if themes is not None else getattr(finding, "themes", []) or []),
        phrases=found,
    )


def segments(snippet: str, highlights: Sequence[tuple[int, int]]) -> list[tuple[str, bool]]:
    """``snippet`` cut into (text, highlighted) pieces; bad or overlapping spans are fixed."""
    out: list[tuple[str, bool]] = []
    pos = 0
    for a, b in _normalise_spans(highlights, len(snippet)):
        if a > pos:
            out.append((snippet[pos:a], False))
        out.append((snippet[a:b], True))
        pos = b
    if pos < len(snippet):
        out.append((snippet[pos:], False))
    return out


# ------------------------------------------------------------------------------ markdown

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~#])")


def escape_markdown(text: str | None) -> str:
    """Document text made inert in markdown: backslash before ``\\ ` * _ [ ] < > | ~ #``,
    whitespace collapsed to single spaces (so text can start no block: list, quote, heading)."""
    return _MD_SPECIAL.sub(r"\\\1", _one_line(text))


def _md_url(url: str) -> str:
    return quote(url, safe=":/?#[]@!$&'*+,;=%~.-_")  # encodes spaces, parentheses, <, >


def _md_inline(text: str) -> str:
    """Like :func:`escape_markdown` but keeps one leading/trailing space (for pieces of a line)."""
    return _MD_SPECIAL.sub(r"\\\1", re.sub(r"\s+", " ", text))


def _md_highlighted(snippet: str, highlights: Sequence[tuple[int, int]]) -> str:
    parts: list[str] = []
    for text, marked in segments(snippet, highlights):
        core = text.strip()
        if not marked or not core:
            parts.append(_md_inline(text))
            continue
        # Emphasis must not start or end with a space in CommonMark: keep spaces outside.
        lead = " " if text[:1].isspace() else ""
        trail = " " if text[-1:].isspace() else ""
        parts.append(f"{lead}**{_md_inline(core)}**{trail}")
    return re.sub(r" {2,}", " ", "".join(parts)).strip()


_MD_TOKEN = re.compile(r"\\(.)|\*\*|\[((?:\\.|[^\]\\])*)\]\(([^()\s]+)\)|([&<>])")
_SLACK_ENTITY = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}


def markdown_to_slack(md: str) -> str:
    """Our chat markdown in Slack's own ``mrkdwn``: ``**bold**`` → ``*bold*``,
    ``[label](url)`` → ``<url|label>``, backslash escapes dropped and ``& < >`` written as
    entities. Apprise posts a markdown body to Slack as it is, and Slack would show the
    asterisks and brackets; this is only ever applied to text :func:`render_chat` made, so
    every unescaped special character is our own syntax."""

    def sub(m: re.Match[str]) -> str:
        if m.group(1) is not None:
            return _SLACK_ENTITY.get(m.group(1), m.group(1))
        if m.group(0) == "**":
            return "*"
        if m.group(3) is not None:
            return f"<{m.group(3)}|{markdown_to_slack(m.group(2))}>"
        return _SLACK_ENTITY[m.group(4)]

    return _MD_TOKEN.sub(sub, md)


def _text_highlighted(snippet: str, highlights: Sequence[tuple[int, int]]) -> str:
    return "".join(f"*{t}*" if m and t.strip() else t for t, m in segments(snippet, highlights))


# ------------------------------------------------------------------------------ views


def _published_part(doc: AlertDocument) -> str:
    return f" (published {format_date(doc.published)})" if doc.published else ""


def _where(doc: AlertDocument) -> str:
    if doc.area:
        return _one_line(doc.area)
    if doc.title:
        return _shorten(doc.title, 80)
    return "area not identified"


def headline(alert: Alert) -> str:
    """``JTAI letter: Islington (published 29 January 2019)``, with ``New version — `` in front
    for a new version of a known document. One line, whatever the document says."""
    doc = alert.document
    line = f"{kind_label(doc.kind)}: {_where(doc)}{_published_part(doc)}"
    if alert.change == "new_version":
        line = f"New version — {line}"
    return _shorten(line, 180)


def _deadline_lines(doc: AlertDocument) -> list[str]:
    return [f"{_cap(_one_line(what))} due {format_date(due)}" for what, due in doc.deadlines if due]


def _changed_summary(changed: dict[str, int]) -> str:
    """``2 findings added, 1 removed, 1 changed`` from :meth:`FindingsDiff.summary` counts."""
    parts = []
    for key in ("added", "removed", "changed", "moved"):
        n = int(changed.get(key, 0) or 0)
        if n:
            parts.append(f"{_plural(n, 'finding')} {key}" if not parts else f"{n} {key}")
    return ", ".join(parts)


def _what_changed(alert: Alert) -> dict[str, Any]:
    doc = alert.document
    noun = kind_noun(doc.kind)
    lines = [_one_line(s) for s in alert.diff_lines if _one_line(s)]
    if alert.change == "new_version":
        intro = "Compared with the previous version of this " + noun
        summary = _changed_summary(alert.changed)
        if summary:
            intro += f" — {summary}"
        if not lines and not summary:
            intro += ": no finding changed (the change is elsewhere in the document)."
        else:
            intro += ":" if lines else "."
    else:
        if lines:
            intro = f"Compared with the area's previous {noun}:"
        else:
            intro = f"No earlier {noun} for this area to compare with."
    return {"intro": intro, "lines": lines}


def _hit_view(hit: AlertHit) -> dict[str, Any]:
    label = _cap(hit_section_label(hit.section))
    if hit.ordinal is not None and hit.section not in _NO_ORDINAL:
        label = f"{label} {hit.ordinal}"
    why = []
    if hit.themes:
        why.append("themes: " + ", ".join(hit.themes))
    if hit.phrases:
        why.append("phrases: " + ", ".join(hit.phrases))
    return {
        "label": label,
        "why": "; ".join(why),
        "segments": [{"text": t, "marked": m} for t, m in segments(hit.snippet, hit.highlights)],
        "text": _text_highlighted(hit.snippet, hit.highlights),
    }


def _match_view(match: AlertMatch, max_hits: int) -> dict[str, Any]:
    hits = match.hits[:max_hits] if max_hits > 0 else []
    more = len(match.hits) - len(hits)
    return {
        "label": _one_line(match.watch_label) or "your watch",
        "count": _plural(len(match.hits), "finding"),
        "hits": [_hit_view(h) for h in hits],
        "more": f"and {_plural(more, 'more finding')}" if more > 0 else "",
    }


def _alert_view(alert: Alert, max_hits: int) -> dict[str, Any]:
    doc = alert.document
    title = _one_line(doc.title)
    return {
        "headline": headline(alert),
        "kind": kind_label(doc.kind),
        "noun": kind_noun(doc.kind),
        "area": _where(doc),
        "title": title,
        "published": format_date(doc.published),
        "url": safe_url(doc.url),
        "is_new_version": alert.change == "new_version",
        "deadlines": _deadline_lines(doc),
        "matches": [_match_view(m, max_hits) for m in alert.matches],
        "changes": _what_changed(alert),
    }


# ------------------------------------------------------------------------------ templates


def _wrap(text: str, width: int = 76, indent: str = "", hanging: str | None = None) -> str:
    return textwrap.fill(
        _one_line(text),
        width=width,
        initial_indent=indent,
        subsequent_indent=indent if hanging is None else hanging,
        break_long_words=False,
        break_on_hyphens=False,
    )


def _environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        # HTML templates (*.html.j2) escape everything they print; text ones (*.txt.j2) do not.
        autoescape=select_autoescape(enabled_extensions=("html", "html.j2"), default_for_string=True, default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["wrap"] = _wrap
    return env


_ENV: Environment | None = None


def environment() -> Environment:
    global _ENV
    if _ENV is None:
        _ENV = _environment()
    return _ENV


def _render(name: str, **ctx: Any) -> str:
    out = environment().get_template(name).render(**ctx)
    return re.sub(r"\n{3,}", "\n\n", out).strip() + "\n"


# ------------------------------------------------------------------------------ email


def render_email(alert: Alert, max_hits: int = MAX_HITS) -> RenderedEmail:
    """The email for one alert: subject, plain text and HTML with the same content."""
    view = _alert_view(alert, max_hits)
    ctx = {"alert": view, "subscriber": _one_line(alert.subscriber)}
    return RenderedEmail(
        subject=view["headline"],
        text=_render("email.txt.j2", **ctx),
        html=_render("email.html.j2", **ctx),
    )


def _distinct_documents(alerts: Sequence[Alert]) -> list[Alert]:
    seen: set[tuple[str, str]] = set()
    out: list[Alert] = []
    for a in alerts:
        key = (a.document.url, a.change)
        if key not in seen:
            seen.add(key)
            out.append(a)
    return out


def digest_subject(alerts: Sequence[Alert], period: str) -> str:
    docs = _distinct_documents(alerts)
    if not docs:
        return f"jtai-watch {period} digest: no new documents"
    areas: list[str] = []
    for a in docs:
        w = _where(a.document)
        if w not in areas:
            areas.append(w)
    return _shorten(f"jtai-watch {period} digest: {_plural(len(docs), 'document')} ({_join_names(areas)})", 200)


def _check_period(period: str) -> None:
    if period not in PERIODS:
        raise ValueError(f"period must be one of {PERIODS}, not {period!r}")


def render_digest_email(
    subscriber: str, alerts: Sequence[Alert], period: str, max_hits: int = DIGEST_MAX_HITS
) -> RenderedEmail:
    """One email gathering several alerts (the subscriber's daily or weekly digest)."""
    _check_period(period)
    views = [_alert_view(a, max_hits) for a in alerts]
    ctx = {
        "subscriber": _one_line(subscriber),
        "period": period,
        "alerts": views,
        "heading": digest_subject(alerts, period),
    }
    return RenderedEmail(
        subject=ctx["heading"],
        text=_render("digest.txt.j2", **ctx),
        html=_render("digest.html.j2", **ctx),
    )


# ------------------------------------------------------------------------------ chat


def _md_link(label: str, url: str | None) -> str | None:
    if not url:
        return None
    return f"[{escape_markdown(label)}]({_md_url(url)})"


def _fit(required: list[str], optional: list[str], limit: int) -> str:
    """``required`` lines, then as many ``optional`` ones (in order) as fit in ``limit``."""
    lines = list(required)
    size = sum(len(s) + 1 for s in lines) - 1
    for s in optional:
        if size + len(s) + 1 <= limit:
            lines.append(s)
            size += len(s) + 1
    out = "\n".join(lines)
    if len(out) > limit:  # required lines alone are too long: cut, keeping whole lines
        out = out[: limit - 1].rstrip() + "…"
    return out


def _chat_hits(alert: Alert) -> tuple[list[AlertHit], int]:
    seen: set[tuple[str, int | None]] = set()
    hits: list[AlertHit] = []
    for m in alert.matches:
        for h in m.hits:
            if (h.section, h.ordinal) not in seen:
                seen.add((h.section, h.ordinal))
                hits.append(h)
    return hits, len(hits)


def render_chat(alert: Alert, limit: int = CHAT_LIMIT) -> str:
    """Markdown for one alert, at most ``limit`` characters: bold kind and area, the link,
    up to 3 snippets with the matched phrases in bold, up to 3 diff lines."""
    doc = alert.document
    link = _md_link(f"Open the {kind_noun(doc.kind)}", safe_url(doc.url))
    required = [f"**{escape_markdown(headline(alert))}**"]
    if link:
        required.append(link)
    head_opt: list[str] = []
    if doc.title:
        head_opt.append(escape_markdown(_shorten(doc.title, 140)))
    labels = [_one_line(m.watch_label) for m in alert.matches if _one_line(m.watch_label)]
    if labels:
        head_opt.append("Matched " + escape_markdown(_shorten("; ".join(labels), 160)))
    head_opt.extend(escape_markdown(s) for s in _deadline_lines(doc))
    hits, total = _chat_hits(alert)
    what = _what_changed(alert)
    diff = [f"- {escape_markdown(_shorten(s, 170))}" for s in what["lines"][:3]]
    # Shrink the snippets until everything fits; drop what still does not.
    for width in (260, 200, 150, 110, 80):
        body: list[str] = []
        for h in hits[:3]:
            snip, spans = snippet_around(h.snippet, h.highlights, width)
            label = _hit_view(h)["label"]
            body.append(f"- _{escape_markdown(label)}_: {_md_highlighted(snip, spans)}")
        if total > 3:
            body.append(f"- and {_plural(total - 3, 'more finding')}")
        changes = ([escape_markdown(what["intro"])] + diff) if (diff or alert.change == "new_version") else []
        optional = head_opt + body + changes
        text = "\n".join(required + optional)
        if len(text) <= limit:
            return text
    return _fit(required, optional, limit)


def render_digest_chat(subscriber: str, alerts: Sequence[Alert], period: str, limit: int = DIGEST_CHAT_LIMIT) -> str:
    """Markdown gathering several alerts: one bold subject line, then one line per document
    (kind, area, date, link, how many findings matched) and its first diff line."""
    _check_period(period)
    required = [f"**{escape_markdown(digest_subject(alerts, period))}**"]
    docs = _distinct_documents(alerts)
    entries: list[list[str]] = []
    for a in docs:
        found = len({(h.section, h.ordinal) for x in alerts if x.document.url == a.document.url
                     for m in x.matches for h in m.hits})
        parts = [f"**{escape_markdown(headline(a))}**"]
        link = _md_link("open", safe_url(a.document.url))
        if found:
            parts.append(_plural(found, "finding") + " matched")
        line = "- " + " — ".join(parts) + (f" ({link})" if link else "")
        entry = [line]
        diff = _what_changed(a)["lines"]
        if diff:
            entry.append(f"  - {escape_markdown(_shorten(diff[0], 150))}")
        entries.append(entry)
    # One line per document first (every document named if at all possible), then diff lines.
    lines = list(required)
    size = len(lines[0])
    shown = 0
    for i, entry in enumerate(entries):
        rest = len(entries) - i - 1
        reserve = len(f"- and {rest} more documents") + 1 if rest else 0
        if size + len(entry[0]) + 1 + reserve > limit:
            break
        lines.append(entry[0])
        size += len(entry[0]) + 1
        shown += 1
    if shown < len(entries):
        lines.append(f"- and {_plural(len(entries) - shown, 'more document')}")
        return "\n".join(lines)[:limit]
    out: list[str] = list(required)
    for entry in entries:
        out.append(entry[0])
        if len(entry) > 1 and size + len(entry[1]) + 1 <= limit:
            out.append(entry[1])
            size += len(entry[1]) + 1
    return "\n".join(out)
