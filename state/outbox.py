"""The alert outbox: queue once, claim safely, send at most once per claim.

Matches become rows keyed by (subscriber, version, watch); inserting an existing key does
nothing, so re-running a flow or retrying a task never queues an alert twice. Delivery
workers *claim* due rows before sending: on PostgreSQL with ``SELECT … FOR UPDATE SKIP
LOCKED`` (two workers never see the same row), on SQLite with a lease written in a
write-locked transaction. A worker that dies holding a claim loses it when the lease
expires and another worker sends the alert again — so a crash between "sent" and "marked
sent" can deliver that one alert twice; nothing else can.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Engine, and_, func, or_, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from .db import transaction
from .models import AlertOutbox, Subscriber, utcnow


@dataclass(frozen=True, slots=True)
class QueuedAlert:
    subscriber: str
    version_id: int
    watch_key: str
    payload: dict[str, Any]


@dataclass(frozen=True, slots=True)
class ClaimedAlert:
    id: int
    subscriber: str
    version_id: int
    watch_key: str
    attempts: int
    payload: dict[str, Any]
    # Fingerprints of the notify URLs that already have this alert (see tasks.notify).
    delivered_to: frozenset[str] = frozenset()


class Outbox:
    def __init__(self, engine: Engine, *, lease: timedelta = timedelta(minutes=5)) -> None:
        self.engine = engine
        self.lease = lease
        self.postgres = engine.dialect.name == "postgresql"

    # ------------------------------------------------------------------ subscribers

    def sync_subscribers(self, names: Iterable[str]) -> dict[str, datetime]:
        """When each subscriber was first seen (now, for new ones)."""
        names = list(dict.fromkeys(names))
        if not names:
            return {}
        ins = (pg_insert if self.postgres else sqlite_insert)(Subscriber)
        with transaction(self.engine) as s:
            s.execute(ins.on_conflict_do_nothing(index_elements=["name"]), [{"name": n, "added_at": utcnow()} for n in names])
            rows = s.execute(select(Subscriber.name, Subscriber.added_at).where(Subscriber.name.in_(names))).all()
        return {name: added for name, added in rows}

    # ------------------------------------------------------------------ queue

    def queue(self, alerts: Sequence[QueuedAlert]) -> int:
        """Insert alerts whose key is new; returns how many were queued."""
        if not alerts:
            return 0
        ins = (pg_insert if self.postgres else sqlite_insert)(AlertOutbox)
        now = utcnow()
        rows = [
            {
                "subscriber": a.subscriber, "version_id": a.version_id, "watch_key": a.watch_key,
                "payload": a.payload, "status": "pending", "attempts": 0, "next_attempt_at": now, "created_at": now,
            }
            for a in alerts
        ]
        # ON CONFLICT DO NOTHING … RETURNING: only the rows really inserted come back.
        stmt = ins.on_conflict_do_nothing(index_elements=["subscriber", "version_id", "watch_key"]).returning(AlertOutbox.id)
        with transaction(self.engine) as s:
            return len(s.execute(stmt, rows).all())

    # ------------------------------------------------------------------ claim / mark

    def claim(
        self,
        *,
        limit: int = 50,
        subscribers: Sequence[str] | None = None,
        worker: str | None = None,
        exclude: Iterable[int] = (),
    ) -> list[ClaimedAlert]:
        """Take up to ``limit`` due alerts (pending, or claimed by a worker whose lease ran out)."""
        worker = worker or uuid.uuid4().hex[:12]
        now = utcnow()
        due = and_(
            AlertOutbox.next_attempt_at <= now,
            or_(AlertOutbox.status == "pending", and_(AlertOutbox.status == "sending", AlertOutbox.lease_until < now)),
        )
        if subscribers is not None:
            due = and_(due, AlertOutbox.subscriber.in_(list(subscribers)))
        skip = list(exclude)
        if skip:  # already tried in this delivery round: wait for the next one
            due = and_(due, AlertOutbox.id.not_in(skip))
        with Session(self.engine, expire_on_commit=False) as s, s.begin():
            if not self.postgres:
                # Take SQLite's write lock first, so two claimers queue instead of racing.
                s.execute(text("UPDATE alert_outbox SET id = id WHERE 0"))
            q = select(AlertOutbox).where(due).order_by(AlertOutbox.id).limit(limit)
            if self.postgres:
                q = q.with_for_update(skip_locked=True)
            rows = list(s.scalars(q))
            for row in rows:
                row.status = "sending"
                row.claimed_by = worker
                row.lease_until = now + self.lease
                row.attempts = (row.attempts or 0) + 1
            return [
                ClaimedAlert(r.id, r.subscriber, r.version_id, r.watch_key, r.attempts, dict(r.payload or {}), frozenset(r.delivered_to or ()))
                for r in rows
            ]

    def mark_sent(self, alert_id: int, *, delivered_to: Iterable[str] | None = None) -> None:
        values: dict[str, Any] = {"status": "sent", "sent_at": utcnow(), "lease_until": None, "last_error": None}
        if delivered_to is not None:
            values["delivered_to"] = sorted(delivered_to)
        with transaction(self.engine) as s:
            s.execute(update(AlertOutbox).where(AlertOutbox.id == alert_id).values(**values))

    def mark_failed(
        self, alert_id: int, error: str, *, retry_at: datetime | None, delivered_to: Iterable[str] | None = None
    ) -> None:
        """A failed send: back to pending at ``retry_at``, or failed for good when None.
        ``delivered_to`` keeps the URLs that did receive it, so a retry skips them."""
        values: dict[str, Any] = {
            "status": "pending" if retry_at else "failed",
            "next_attempt_at": retry_at or utcnow(),
            "lease_until": None,
            "last_error": error[:1000],
        }
        if delivered_to is not None:
            values["delivered_to"] = sorted(delivered_to)
        with transaction(self.engine) as s:
            s.execute(update(AlertOutbox).where(AlertOutbox.id == alert_id).values(**values))

    def count_due(self, subscribers: Sequence[str]) -> int:
        """How many alerts of ``subscribers`` a delivery now would try."""
        if not subscribers:
            return 0
        now = utcnow()
        with Session(self.engine) as s:
            return s.scalar(
                select(func.count()).select_from(AlertOutbox).where(
                    AlertOutbox.subscriber.in_(list(subscribers)),
                    AlertOutbox.next_attempt_at <= now,
                    or_(AlertOutbox.status == "pending", and_(AlertOutbox.status == "sending", AlertOutbox.lease_until < now)),
                )
            ) or 0

    def retry_failed(self) -> int:
        """Re-queue every failed alert (``jtai-watch alerts --retry``)."""
        with transaction(self.engine) as s:
            result = s.execute(
                update(AlertOutbox).where(AlertOutbox.status == "failed")
                .values(status="pending", attempts=0, next_attempt_at=utcnow(), last_error=None)
            )
            return result.rowcount or 0

    def list(self, status: str | None = None, limit: int | None = None) -> list[AlertOutbox]:
        with Session(self.engine) as s:
            q = select(AlertOutbox).order_by(AlertOutbox.id)
            if status:
                q = q.where(AlertOutbox.status == status)
            if limit:
                q = q.limit(limit)
            return list(s.scalars(q))
