"""The store's tables (SQLAlchemy 2), the same on SQLite and PostgreSQL.

A *document* is one URL; a *version* is one distinct body (sha256) of it, whose raw bytes
live in the blob store; *findings* belong to a version; a *diff* compares a version with
its basis (the document's previous version, or the area's previous document of the same
kind) and owns its *finding changes*. *Runs* record each ingestion; the *HTTP cache* keeps
validators for listing pages; the *alert outbox* (used by the alerting work) is keyed so a
(subscriber, version, watch) is never queued twice.

Uniqueness does the idempotence: ``documents.url`` and ``(versions.document_id,
versions.sha256)`` are unique, so a retried task or a second worker cannot insert a
duplicate — it meets the constraint, rolls back, and reads what is there.
Schema changes go through Alembic migrations (``state/migrations``); this module must
match the latest migration (a test compares them).
"""

from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Base(DeclarativeBase):
    type_annotation_map = {datetime: DateTime(timezone=True), dict: JSON, list: JSON}


class Source(Base):
    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[str] = mapped_column(String(40))
    url: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The first run that read every listing of this source: everything seen in it is the
    # baseline, which the alerting never announces.
    baseline_at: Mapped[datetime | None] = mapped_column(nullable=True)
    last_run_at: Mapped[datetime | None] = mapped_column(nullable=True)
    last_ok_at: Mapped[datetime | None] = mapped_column(nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)


class Document(Base):
    __tablename__ = "documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2000), unique=True)
    source_id: Mapped[int | None] = mapped_column(ForeignKey("sources.id"), nullable=True)
    label: Mapped[str | None] = mapped_column(Text, nullable=True)
    listed_published: Mapped[date | None] = mapped_column(Date, nullable=True)
    listed_area_ons: Mapped[str | None] = mapped_column(String(12), nullable=True)
    listed: Mapped[bool] = mapped_column(Boolean, default=True)
    first_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Set when the document was first seen after its source's baseline: a real novelty.
    seen_after_baseline: Mapped[bool] = mapped_column(Boolean, default=False)
    # HTTP validators of the current version (only ever updated with it, atomically).
    etag: Mapped[str | None] = mapped_column(Text, nullable=True)
    last_modified: Mapped[str | None] = mapped_column(Text, nullable=True)
    # No foreign key: documents and versions point at each other, and a cycle of
    # constraints cannot be created in one migration on every backend.
    current_version_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    last_fetch_at: Mapped[datetime | None] = mapped_column(nullable=True)
    last_status: Mapped[str | None] = mapped_column(String(20), nullable=True)  # ok|not_modified|failed
    last_stage: Mapped[str | None] = mapped_column(String(20), nullable=True)  # fetch|parse|store
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)

    versions: Mapped[list[Version]] = relationship(
        back_populates="document", foreign_keys="Version.document_id", order_by="Version.id"
    )


class Version(Base):
    __tablename__ = "versions"
    __table_args__ = (UniqueConstraint("document_id", "sha256", name="uq_versions_document_sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("documents.id"), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(Integer)
    content_type: Mapped[str | None] = mapped_column(String(200), nullable=True)
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow)
    parser_version: Mapped[str] = mapped_column(String(20))
    parsed_at: Mapped[datetime | None] = mapped_column(nullable=True)
    parse_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    parse_error_code: Mapped[str | None] = mapped_column(String(40), nullable=True)
    kind: Mapped[str | None] = mapped_column(String(40), nullable=True, index=True)
    title: Mapped[str | None] = mapped_column(Text, nullable=True)
    area_ons: Mapped[str | None] = mapped_column(String(12), nullable=True, index=True)
    area_name: Mapped[str | None] = mapped_column(String(120), nullable=True)
    published: Mapped[date | None] = mapped_column(Date, nullable=True)
    inspection_start: Mapped[date | None] = mapped_column(Date, nullable=True)
    inspection_end: Mapped[date | None] = mapped_column(Date, nullable=True)
    deep_dive: Mapped[str | None] = mapped_column(Text, nullable=True)
    pages: Mapped[int | None] = mapped_column(Integer, nullable=True)
    parsed: Mapped[dict | None] = mapped_column(JSON, nullable=True)  # the parse --json object

    document: Mapped[Document] = relationship(back_populates="versions", foreign_keys=[document_id])
    findings: Mapped[list[Finding]] = relationship(
        back_populates="version", order_by="Finding.id", cascade="all, delete-orphan"
    )


class Finding(Base):
    __tablename__ = "findings"
    __table_args__ = (Index("ix_findings_version_section", "version_id", "section"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("versions.id", ondelete="CASCADE"))
    section: Mapped[str] = mapped_column(String(40))
    ordinal: Mapped[int] = mapped_column(Integer)
    page: Mapped[int] = mapped_column(Integer)
    heading: Mapped[str | None] = mapped_column(Text, nullable=True)
    text: Mapped[str] = mapped_column(Text)
    fingerprint: Mapped[str] = mapped_column(Text)
    themes: Mapped[list] = mapped_column(JSON, default=list)
    agencies: Mapped[list] = mapped_column(JSON, default=list)
    figures: Mapped[list] = mapped_column(JSON, default=list)

    version: Mapped[Version] = relationship(back_populates="findings")


class Diff(Base):
    __tablename__ = "diffs"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("versions.id", ondelete="CASCADE"), unique=True)
    base_version_id: Mapped[int | None] = mapped_column(ForeignKey("versions.id"), nullable=True)
    # previous_version | area_previous | none
    basis: Mapped[str] = mapped_column(String(20))
    summary: Mapped[dict] = mapped_column(JSON, default=dict)
    theme_movements: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    changes: Mapped[list[FindingChange]] = relationship(
        back_populates="diff", order_by="FindingChange.id", cascade="all, delete-orphan"
    )


class FindingChange(Base):
    __tablename__ = "finding_changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    diff_id: Mapped[int] = mapped_column(ForeignKey("diffs.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # added|removed|changed|moved
    section: Mapped[str] = mapped_column(String(40))
    old_section: Mapped[str | None] = mapped_column(String(40), nullable=True)
    old_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    new_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    score: Mapped[float | None] = mapped_column(Float, nullable=True)
    themes_added: Mapped[list] = mapped_column(JSON, default=list)
    themes_removed: Mapped[list] = mapped_column(JSON, default=list)

    diff: Mapped[Diff] = relationship(back_populates="changes")


class Run(Base):
    __tablename__ = "runs"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    flow: Mapped[str] = mapped_column(String(20))
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(nullable=True)
    status: Mapped[str] = mapped_column(String(20), default="running")
    dry_run: Mapped[bool] = mapped_column(Boolean, default=False)
    summary: Mapped[dict | None] = mapped_column(JSON, nullable=True)


class HttpCache(Base):
    """Validators of listing pages, so an unchanged listing costs a 304."""

    __tablename__ = "http_cache"

    url: Mapped[str] = mapped_column(String(2000), primary_key=True)
    etag: Mapped[str | None] = mapped_column(Text, nullable=True)
    last_modified: Mapped[str | None] = mapped_column(Text, nullable=True)
    sha256: Mapped[str | None] = mapped_column(String(64), nullable=True)
    body: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    fetched_at: Mapped[datetime] = mapped_column(default=utcnow)


class Subscriber(Base):
    """A subscriber as first seen in the config: they hear only of what is seen after that."""

    __tablename__ = "subscribers"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    added_at: Mapped[datetime] = mapped_column(default=utcnow)


class AlertOutbox(Base):
    """Alerts waiting to be sent; one row per (subscriber, version, watch), ever."""

    __tablename__ = "alert_outbox"
    __table_args__ = (
        UniqueConstraint("subscriber", "version_id", "watch_key", name="uq_alert_key"),
        Index("ix_alert_outbox_status", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    subscriber: Mapped[str] = mapped_column(String(200))
    version_id: Mapped[int] = mapped_column(ForeignKey("versions.id"))
    watch_key: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="pending")  # pending|sending|sent|failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    lease_until: Mapped[datetime | None] = mapped_column(nullable=True)
    claimed_by: Mapped[str | None] = mapped_column(String(100), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    # Fingerprints of the notify URLs that already have this alert: a retry after a partial
    # failure (email sent, Slack down) goes only to the URLs still missing it.
    delivered_to: Mapped[list | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(nullable=True)
