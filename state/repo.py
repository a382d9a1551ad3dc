"""The store's small repository API: what the tasks and the CLI may do to the database.

Every write that belongs together is one transaction: a document's new version, its
findings and its diff commit together or not at all, with the document's HTTP validators
(ETag, Last-Modified) updated in the same transaction — so after a crash the next run sees
the old validators, fetches again, and finishes the work. Idempotence rests on unique
constraints: a second writer of the same (document, sha256) meets the constraint, rolls
back and returns the row that won.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import Engine, Text, and_, cast, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from parsers.records import ParsedDocument

from .blobs import BlobStore
from .db import transaction
from .models import Diff, Document, Finding, FindingChange, HttpCache, Run, Source, Version, utcnow


@dataclass(frozen=True, slots=True)
class DocumentRef:
    """What a task needs to know about a document before fetching it."""

    id: int
    url: str
    etag: str | None
    last_modified: str | None
    current_sha256: str | None
    is_new: bool
    label: str | None = None
    listed_published: date | None = None
    last_fetch_at: datetime | None = None
    last_status: str | None = None


@dataclass(slots=True)
class StoreOutcome:
    document_id: int
    version_id: int
    new_version: bool
    new_document: bool
    diff_summary: dict[str, int] = field(default_factory=dict)
    basis: str = "none"


@dataclass(frozen=True, slots=True)
class ListingCache:
    etag: str | None
    last_modified: str | None
    body: bytes | None


# A diff function: (old findings, new findings) -> object with .changes/.theme_movements/.summary()
DiffFn = Callable[[Sequence[Any], Sequence[Any]], Any]


class Store:
    def __init__(self, engine: Engine, blobs: BlobStore) -> None:
        self.engine = engine
        self.blobs = blobs

    # ------------------------------------------------------------------ sources

    def ensure_source(self, name: str, kind: str, url: str) -> int:
        with transaction(self.engine) as s:
            src = s.scalar(select(Source).where(Source.name == name))
            if src is None:
                src = Source(name=name, kind=kind, url=url)
                s.add(src)
                try:
                    s.flush()
                except IntegrityError:
                    s.rollback()
                    return self.ensure_source(name, kind, url)
            elif (src.kind, src.url) != (kind, url):
                src.kind, src.url = kind, url
            return src.id

    def source_baseline_at(self, source_id: int) -> datetime | None:
        with Session(self.engine) as s:
            return s.scalar(select(Source.baseline_at).where(Source.id == source_id))

    def finish_source(self, source_id: int, *, complete: bool, error: str | None) -> bool:
        """Record a source's run; the first complete run becomes its baseline.
        Returns True when this run was the baseline."""
        with transaction(self.engine) as s:
            src = s.get(Source, source_id)
            assert src is not None
            now = utcnow()
            src.last_run_at = now
            src.last_error = error
            baseline = False
            if complete:
                src.last_ok_at = now
                if src.baseline_at is None:
                    src.baseline_at = now
                    baseline = True
            return baseline

    # ------------------------------------------------------------------ listing cache

    def listing_cache(self, url: str) -> ListingCache | None:
        with Session(self.engine) as s:
            row = s.get(HttpCache, url)
            return ListingCache(row.etag, row.last_modified, row.body) if row else None

    def save_listing(self, url: str, *, etag: str | None, last_modified: str | None, sha256: str | None, body: bytes) -> None:
        with transaction(self.engine) as s:
            row = s.get(HttpCache, url)
            if row is None:
                s.add(HttpCache(url=url, etag=etag, last_modified=last_modified, sha256=sha256, body=body))
                try:
                    s.flush()
                except IntegrityError:  # another worker cached it first: fine
                    s.rollback()
            else:
                row.etag, row.last_modified, row.sha256, row.body = etag, last_modified, sha256, body
                row.fetched_at = utcnow()

    # ------------------------------------------------------------------ documents

    def upsert_listed(
        self,
        source_id: int,
        url: str,
        *,
        label: str | None = None,
        published: date | None = None,
        area_ons: str | None = None,
        after_baseline: bool = False,
    ) -> DocumentRef:
        with transaction(self.engine) as s:
            doc = s.scalar(select(Document).where(Document.url == url))
            is_new = doc is None
            if doc is None:
                doc = Document(
                    url=url,
                    source_id=source_id,
                    label=label,
                    listed_published=published,
                    listed_area_ons=area_ons,
                    seen_after_baseline=after_baseline,
                )
                s.add(doc)
                try:
                    s.flush()
                except IntegrityError:
                    s.rollback()
                    return self.upsert_listed(
                        source_id, url, label=label, published=published, area_ons=area_ons, after_baseline=after_baseline
                    )
            else:
                doc.listed = True
                doc.last_seen_at = utcnow()
                doc.label = label or doc.label
                doc.listed_published = published or doc.listed_published
                doc.listed_area_ons = area_ons or doc.listed_area_ons
            sha = None
            if doc.current_version_id:
                sha = s.scalar(select(Version.sha256).where(Version.id == doc.current_version_id))
            return DocumentRef(
                id=doc.id,
                url=doc.url,
                etag=doc.etag,
                last_modified=doc.last_modified,
                current_sha256=sha,
                is_new=is_new,
                label=doc.label,
                listed_published=doc.listed_published,
                last_fetch_at=doc.last_fetch_at,
                last_status=doc.last_status,
            )

    def upsert_listed_many(self, source_id: int, items: Sequence[Any], *, after_baseline: bool = False) -> list[DocumentRef]:
        """Register a whole listing in one transaction (items have url, label, published,
        area_ons). A no-change run then costs a few queries, not one commit per document."""
        urls = list(dict.fromkeys(i.url for i in items))
        by_url: dict[str, Any] = {}
        for item in items:
            by_url.setdefault(item.url, item)
        try:
            with transaction(self.engine) as s:
                existing: dict[str, Document] = {}
                for chunk in _chunks(urls, 500):
                    for doc in s.scalars(select(Document).where(Document.url.in_(chunk))):
                        existing[doc.url] = doc
                now = utcnow()
                new_docs = []
                for url in urls:
                    item = by_url[url]
                    doc = existing.get(url)
                    if doc is None:
                        doc = Document(
                            url=url, source_id=source_id, label=item.label, listed_published=item.published,
                            listed_area_ons=item.area_ons, seen_after_baseline=after_baseline,
                        )
                        s.add(doc)
                        new_docs.append(doc)
                    else:
                        if not doc.listed:
                            doc.listed = True
                        if item.label and doc.label != item.label:
                            doc.label = item.label
                        if item.published and doc.listed_published != item.published:
                            doc.listed_published = item.published
                        if item.area_ons and doc.listed_area_ons != item.area_ons:
                            doc.listed_area_ons = item.area_ons
                if existing:
                    ids = [d.id for d in existing.values()]
                    for chunk in _chunks(ids, 500):
                        s.execute(update(Document).where(Document.id.in_(chunk)).values(last_seen_at=now))
                s.flush()
                current = [d.current_version_id for d in existing.values() if d.current_version_id]
                shas: dict[int, str] = {}
                for chunk in _chunks(current, 500):
                    shas.update({vid: sha for vid, sha in s.execute(select(Version.id, Version.sha256).where(Version.id.in_(chunk)))})
                out = []
                for url in urls:
                    doc = existing.get(url)
                    is_new = doc is None
                    if doc is None:
                        doc = next(d for d in new_docs if d.url == url)
                    out.append(
                        DocumentRef(
                            id=doc.id, url=doc.url, etag=doc.etag, last_modified=doc.last_modified,
                            current_sha256=shas.get(doc.current_version_id or -1), is_new=is_new, label=doc.label,
                            listed_published=doc.listed_published, last_fetch_at=doc.last_fetch_at,
                            last_status=doc.last_status,
                        )
                    )
                return out
        except IntegrityError:
            # Another worker registered some of these at the same moment: one by one, then.
            return [
                self.upsert_listed(source_id, i.url, label=i.label, published=i.published, area_ons=i.area_ons,
                                   after_baseline=after_baseline)
                for i in (by_url[u] for u in urls)
            ]

    def mark_unlisted(self, source_id: int, seen_urls: Iterable[str]) -> int:
        """Documents of a source that its (complete) listing no longer shows: kept, flagged."""
        seen = set(seen_urls)
        with transaction(self.engine) as s:
            rows = s.execute(select(Document.id, Document.url).where(Document.source_id == source_id, Document.listed.is_(True))).all()
            gone = [r.id for r in rows if r.url not in seen]
            if gone:
                s.execute(update(Document).where(Document.id.in_(gone)).values(listed=False))
            return len(gone)

    def record_failure(self, document_id: int, *, stage: str, error: str) -> None:
        with transaction(self.engine) as s:
            s.execute(
                update(Document)
                .where(Document.id == document_id)
                .values(
                    last_status="failed",
                    last_stage=stage,
                    last_error=error,
                    last_fetch_at=utcnow(),
                    failures=Document.failures + 1,
                )
            )

    def record_not_modified(self, document_id: int) -> None:
        with transaction(self.engine) as s:
            s.execute(
                update(Document)
                .where(Document.id == document_id)
                .values(last_status="not_modified", last_fetch_at=utcnow(), last_error=None, last_stage=None, failures=0)
            )

    def version_for(self, document_id: int, sha256: str) -> tuple[int, str | None, str] | None:
        """(version id, parse error code, parser version) of a known body, if stored."""
        with Session(self.engine) as s:
            row = s.execute(
                select(Version.id, Version.parse_error_code, Version.parser_version).where(
                    Version.document_id == document_id, Version.sha256 == sha256
                )
            ).first()
            return (row.id, row.parse_error_code, row.parser_version) if row else None

    # ------------------------------------------------------------------ versions

    def store_version(
        self,
        document_id: int,
        *,
        sha256: str,
        size: int,
        content_type: str | None,
        etag: str | None,
        last_modified: str | None,
        parsed: ParsedDocument | None,
        parse_error: str | None,
        parse_error_code: str | None,
        parser_version: str,
        diff: DiffFn,
        replace_parse: bool = False,
    ) -> StoreOutcome:
        """Store one fetched body of a document — version, findings, diff and validators —
        in one transaction. A body already stored is not stored twice; with
        ``replace_parse`` (rerun --reparse) its findings and diff are replaced."""
        try:
            with transaction(self.engine) as s:
                return self._store_version(
                    s, document_id, sha256=sha256, size=size, content_type=content_type, etag=etag,
                    last_modified=last_modified, parsed=parsed, parse_error=parse_error,
                    parse_error_code=parse_error_code, parser_version=parser_version, diff=diff,
                    replace_parse=replace_parse,
                )
        except IntegrityError:
            # Another worker stored this very body first: report what is there.
            existing = self.version_for(document_id, sha256)
            if existing is None:
                raise
            return StoreOutcome(document_id, existing[0], new_version=False, new_document=False)

    def _store_version(self, s: Session, document_id: int, **kw: Any) -> StoreOutcome:
        doc = s.get(Document, document_id, with_for_update=True)
        if doc is None:
            raise KeyError(f"no document {document_id}")
        sha256: str = kw["sha256"]
        parsed: ParsedDocument | None = kw["parsed"]
        version = s.scalar(select(Version).where(Version.document_id == document_id, Version.sha256 == sha256))
        had_version = doc.current_version_id is not None
        previous_id = doc.current_version_id
        new_version = version is None
        if version is None:
            version = Version(document_id=document_id, sha256=sha256, size=kw["size"], content_type=kw["content_type"])
            s.add(version)
        elif not kw["replace_parse"]:
            # Same body again (e.g. re-downloaded after a failed parse, parser unchanged).
            doc.etag, doc.last_modified = kw["etag"], kw["last_modified"]
            doc.last_fetch_at = utcnow()
            if version.parse_error_code:
                doc.last_status, doc.last_stage, doc.last_error = "failed", "parse", version.parse_error
            else:
                doc.last_status, doc.last_stage, doc.last_error, doc.failures = "ok", None, None, 0
            return StoreOutcome(document_id, version.id, new_version=False, new_document=False)
        else:
            # Re-parse of a stored body: drop its old findings and diff first.
            for f in list(version.findings):
                s.delete(f)
            old_diff = s.scalar(select(Diff).where(Diff.version_id == version.id))
            if old_diff is not None:
                s.delete(old_diff)
            s.flush()
            previous_id = s.scalar(
                select(Version.id)
                .where(Version.document_id == document_id, Version.id < version.id, Version.parse_error_code.is_(None))
                .order_by(Version.id.desc())
                .limit(1)
            )
        version.parser_version = kw["parser_version"]
        version.parse_error = kw["parse_error"]
        version.parse_error_code = kw["parse_error_code"]
        version.parsed_at = utcnow() if parsed else None
        if parsed is not None:
            _fill_version(version, parsed)
            # ILACS reports do not print their publication date; the listing does.
            version.published = version.published or doc.listed_published
        s.flush()
        for f in parsed.findings if parsed else []:
            s.add(
                Finding(
                    version_id=version.id, section=f.section, ordinal=f.ordinal, page=f.page, heading=f.heading,
                    text=f.text, fingerprint=f.fingerprint, themes=list(f.themes), agencies=list(f.agencies),
                    figures=list(f.figures),
                )
            )
        s.flush()
        outcome = StoreOutcome(document_id, version.id, new_version=new_version, new_document=not had_version)
        if parsed is not None:
            base_id, basis = self._basis(s, doc, version, previous_id)
            old = s.scalars(select(Finding).where(Finding.version_id == base_id).order_by(Finding.id)).all() if base_id else []
            new = s.scalars(select(Finding).where(Finding.version_id == version.id).order_by(Finding.id)).all()
            result = kw["diff"](old, new)
            diff_row = Diff(
                version_id=version.id,
                base_version_id=base_id,
                basis=basis,
                summary=result.summary(),
                theme_movements=[_jsonable(m) for m in result.theme_movements],
            )
            s.add(diff_row)
            s.flush()
            for c in result.changes:
                if c.kind == "unchanged":
                    continue
                s.add(
                    FindingChange(
                        diff_id=diff_row.id, kind=c.kind, section=c.section, old_section=c.old_section,
                        old_text=c.old_text, new_text=c.new_text, score=c.score,
                        themes_added=list(c.themes_added), themes_removed=list(c.themes_removed),
                    )
                )
            outcome.diff_summary = dict(result.summary())
            outcome.basis = basis
        doc.current_version_id = version.id
        doc.etag, doc.last_modified = kw["etag"], kw["last_modified"]
        doc.last_fetch_at = utcnow()
        if kw["parse_error_code"]:
            doc.last_status, doc.last_stage, doc.last_error = "failed", "parse", kw["parse_error"]
            doc.failures = (doc.failures or 0) + 1
            # Keep the validators empty so the next run downloads again and retries.
            doc.etag = doc.last_modified = None
        else:
            doc.last_status, doc.last_stage, doc.last_error, doc.failures = "ok", None, None, 0
        return outcome

    def _basis(self, s: Session, doc: Document, version: Version, previous_id: int | None) -> tuple[int | None, str]:
        """What a version is compared with: the document's previous good version, else the
        previous document of the same kind for the same area."""
        if previous_id and previous_id != version.id:
            ok = s.scalar(select(Version.parse_error_code).where(Version.id == previous_id))
            if ok is None:
                return previous_id, "previous_version"
        if version.kind and version.area_ons:
            q = (
                select(Version.id)
                .join(Document, Document.current_version_id == Version.id)
                .where(
                    Version.kind == version.kind,
                    Version.area_ons == version.area_ons,
                    Version.document_id != doc.id,
                    Version.parse_error_code.is_(None),
                )
            )
            if version.published:
                q = q.where(or_(Version.published.is_(None), Version.published < version.published))
            q = q.order_by(Version.published.desc().nulls_last(), Version.id.desc()).limit(1)
            base = s.scalar(q)
            if base:
                return base, "area_previous"
        return None, "none"

    # ------------------------------------------------------------------ runs

    def start_run(self, run_id: str, flow: str, *, dry_run: bool = False) -> None:
        with transaction(self.engine) as s:
            if s.get(Run, run_id) is None:
                s.add(Run(id=run_id, flow=flow, dry_run=dry_run))

    def finish_run(self, run_id: str, summary: dict[str, Any], *, status: str = "completed") -> None:
        with transaction(self.engine) as s:
            run = s.get(Run, run_id)
            if run is None:
                run = Run(id=run_id, flow="ingest")
                s.add(run)
            run.finished_at = utcnow()
            run.status = status
            run.summary = summary

    # ------------------------------------------------------------------ queries

    def find_document(self, ref: str) -> Document | None:
        """A document by id or URL."""
        with Session(self.engine) as s:
            if ref.isdigit():
                doc = s.get(Document, int(ref))
                if doc:
                    return doc
            return s.scalar(select(Document).where(Document.url == ref))

    def version(self, version_id: int) -> Version | None:
        with Session(self.engine) as s:
            return s.get(Version, version_id)

    def current_versions(self, document_ids: Sequence[int], *, published_since: date | None = None) -> list[int]:
        """The current, successfully parsed version of each document, oldest publication
        first; with ``published_since``, only those published on or after that day."""
        rows: list[tuple[int, date | None]] = []
        with Session(self.engine) as s:
            for chunk in _chunks(list(document_ids), 500):
                published = func.coalesce(Version.published, Document.listed_published)
                q = select(Version.id, published).join(Document, Document.current_version_id == Version.id).where(
                    Document.id.in_(list(chunk)), Version.parse_error_code.is_(None)
                )
                if published_since:
                    q = q.where(published >= published_since)
                rows += [(vid, day) for vid, day in s.execute(q).all()]
        return [vid for vid, _ in sorted(rows, key=lambda r: (r[1] or date.min, r[0]))]

    def diff_of(self, version_id: int) -> tuple[Diff, list[FindingChange]] | None:
        with Session(self.engine) as s:
            d = s.scalar(select(Diff).where(Diff.version_id == version_id))
            if d is None:
                return None
            return d, list(s.scalars(select(FindingChange).where(FindingChange.diff_id == d.id).order_by(FindingChange.id)))

    def query_findings(
        self,
        *,
        area: str | None = None,
        theme: str | None = None,
        section: str | None = None,
        since: date | None = None,
        kind: str | None = None,
        current_only: bool = True,
        limit: int | None = None,
    ) -> list[tuple[Finding, Version, Document]]:
        """Findings of the documents' current versions, newest documents first."""
        with Session(self.engine) as s:
            q = select(Finding, Version, Document).join(Version, Finding.version_id == Version.id).join(
                Document, Version.document_id == Document.id
            )
            if current_only:
                q = q.where(Document.current_version_id == Version.id)
            if area:
                q = q.where(or_(Version.area_ons == area, func.lower(Version.area_name) == area.lower()))
            if section:
                q = q.where(Finding.section == section)
            if kind:
                q = q.where(Version.kind == kind)
            if since:
                q = q.where(
                    or_(
                        Version.published >= since,
                        and_(Version.published.is_(None), Document.listed_published >= since),
                    )
                )
            if theme:
                q = q.where(cast(Finding.themes, Text).like(f'%"{theme}"%'))
            q = q.order_by(Version.published.desc().nulls_last(), Document.id, Finding.id)
            if limit:
                q = q.limit(limit)
            return [(f, v, d) for f, v, d in s.execute(q).all()]

    def counts(self) -> dict[str, int]:
        with Session(self.engine) as s:
            return {
                "documents": s.scalar(select(func.count()).select_from(Document)) or 0,
                "versions": s.scalar(select(func.count()).select_from(Version)) or 0,
                "findings": s.scalar(select(func.count()).select_from(Finding)) or 0,
                "diffs": s.scalar(select(func.count()).select_from(Diff)) or 0,
            }


def _chunks(seq: Sequence[Any], n: int) -> Iterable[Sequence[Any]]:
    for i in range(0, len(seq), n):
        yield seq[i : i + n]


def _fill_version(version: Version, parsed: ParsedDocument) -> None:
    version.kind = parsed.kind
    version.title = parsed.title
    version.area_ons = parsed.area.ons_code if parsed.area else None
    version.area_name = parsed.area.name if parsed.area else None
    version.published = parsed.published
    version.inspection_start = parsed.inspection.start if parsed.inspection else None
    version.inspection_end = parsed.inspection.end if parsed.inspection else None
    version.deep_dive = parsed.deep_dive
    version.pages = parsed.pages
    version.parsed = parsed.to_json()


def _jsonable(obj: Any) -> Any:
    if hasattr(obj, "to_json"):
        return obj.to_json()
    if hasattr(obj, "__dataclass_fields__"):
        from dataclasses import asdict

        return asdict(obj)
    return obj
