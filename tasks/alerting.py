"""Match stored versions against every subscriber's watches and queue what is news.

"Newly published" means newly seen: a document first seen in its source's baseline run is
history and alerts no one; a document first seen after it, or a new version of a known
document after it, is matched. A subscriber hears only of documents first seen after they
were added. Each (subscriber, version, watch) becomes one outbox row, at most once — so
re-running a flow or retrying never queues an alert twice.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timezone
from types import SimpleNamespace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from parsers.diff import describe, diff_findings, section_label
from parsers.gazetteer import Gazetteer
from parsers.watches import Match, WatchSet, WatchSpec
from state.models import Diff, Document, Finding, Version
from state.outbox import Outbox, QueuedAlert

from .render import Alert, AlertDocument, AlertHit, AlertMatch


def watch_label(spec: WatchSpec, gazetteer: Gazetteer) -> str:
    """A watch in plain words, as the subscriber reads it under "Matched your watch":
    "areas: Islington in JTAI letters", "themes: neglect in areas for improvement"."""
    parts = []
    if spec.areas:
        names = []
        for code in sorted(spec.areas):
            area = gazetteer.lookup(code)
            names.append(area.name if area else code)
        parts.append("areas: " + ", ".join(names))
    if spec.themes:
        parts.append("themes: " + ", ".join(sorted(spec.themes)))
    if spec.phrases:
        parts.append("phrases: " + ", ".join(f'"{p}"' for p in spec.phrases))
    kinds = " or ".join(sorted(_KIND_PLURALS.get(k, k.replace("_", " ") + "s") for k in spec.kinds))
    sections = ", ".join(sorted({section_label(s, plural=True) for s in spec.sections}))
    if not parts:  # "all JTAI letters", "priority actions of JTAI letters"
        return (sections + (f" of {kinds}" if kinds else "")) if sections else f"all {kinds or 'documents'}"
    label = "; ".join(parts)
    if sections:
        label += " in " + sections
    if kinds:
        label += (" of " if sections else " in ") + kinds
    return label


_KIND_PLURALS = {"jtai_letter": "JTAI letters", "inspection_report": "Ofsted inspections", "board_report": "board annual reports"}


def _aware(dt: datetime | None) -> datetime | None:
    if dt is not None and dt.tzinfo is None:
        return dt.replace(tzinfo=timezone.utc)
    return dt


def alerts_for_version(
    engine: Any,
    version_id: int,
    *,
    change: str,
    watches: WatchSet,
    added_at: dict[str, datetime],
    gazetteer: Gazetteer,
    explicit: bool = False,
) -> list[QueuedAlert]:
    """The alerts one stored version deserves, ready for the outbox. ``explicit`` (a
    backfill or rerun with ``--notify``) drops the rule that a subscriber hears only of
    documents first seen after they were added."""
    with Session(engine) as s:
        version = s.get(Version, version_id)
        if version is None or version.parse_error_code:
            return []
        document = s.get(Document, version.document_id)
        findings = list(s.scalars(select(Finding).where(Finding.version_id == version_id).order_by(Finding.id)))
        diff = s.scalar(select(Diff).where(Diff.version_id == version_id))
        base = (
            list(s.scalars(select(Finding).where(Finding.version_id == diff.base_version_id).order_by(Finding.id)))
            if diff and diff.base_version_id
            else []
        )
    doc_like = SimpleNamespace(
        kind=version.kind,
        area=SimpleNamespace(ons_code=version.area_ons, name=version.area_name) if version.area_ons else None,
        findings=findings,
    )
    matches: list[Match] = watches.match(doc_like, findings)
    if not matches:
        return []
    first_seen = _aware(document.first_seen_at) if document else None
    changes = diff_findings(base, findings) if base else None
    parsed = version.parsed or {}
    alert_doc = AlertDocument(
        kind=version.kind or "unknown",
        area=version.area_name,
        title=version.title,
        published=version.published,
        url=document.url if document else "",
        deadlines=[(d["what"], date.fromisoformat(d["due"])) for d in parsed.get("deadlines", [])],
    )
    out = []
    for m in matches:
        since = _aware(added_at.get(m.subscriber))
        if not explicit and since and first_seen and first_seen < since:
            continue  # the subscriber was added after this document was first seen
        hits = [
            AlertHit(
                section=h.section, ordinal=h.ordinal, snippet=h.plain, highlights=list(h.spans),
                themes=list(h.themes_matched), phrases=list(h.phrases_matched),
            )
            for h in m.findings
        ]
        alert = Alert(
            subscriber=m.subscriber,
            document=alert_doc,
            matches=[AlertMatch(watch_label(m.watch, gazetteer), hits)],
            change=change,
            diff_lines=describe(changes) if changes is not None else [],
            changed=dict(changes.summary()) if changes is not None else {},
        )
        out.append(QueuedAlert(m.subscriber, version_id, m.key, alert.to_json()))
    return out


def queue_alerts(
    engine: Any,
    outbox: Outbox,
    news: Sequence[tuple[int, str]],
    *,
    history: Sequence[tuple[int, str]] = (),
    watches: WatchSet,
    subscriber_names: Sequence[str],
    gazetteer: Gazetteer,
) -> int:
    """Queue the alerts of ``news`` and ``history`` — (version id, "new_document" |
    "new_version") pairs. ``history`` is matched as explicitly asked for (backfill and rerun
    ``--notify``), so it also reaches subscribers added after the document was first seen."""
    if not (news or history) or not subscriber_names:
        return 0
    added_at = outbox.sync_subscribers(subscriber_names)
    rows: list[QueuedAlert] = []
    for items, explicit in ((news, False), (history, True)):
        for version_id, change in items:
            rows += alerts_for_version(
                engine, version_id, change=change, watches=watches, added_at=added_at, gazetteer=gazetteer, explicit=explicit
            )
    return outbox.queue(rows)
