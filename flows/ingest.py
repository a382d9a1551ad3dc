"""Prefect flows: ``ingest`` (one cycle over the configured sources) and ``rerun`` (one document).

Task boundaries follow the data: discover (per source) → fetch (per document) → parse (per
new body, in a process pool, cached on the body's sha256 and the parser version) → store
(version, findings, diff in one transaction). Tasks are per document, never per finding,
so the Prefect API's per-task cost stays small. Fetches and parses are submitted as soon as
their inputs are ready, so downloads, both CPU cores and the database work at once.

Flow parameters are the config *path*, source names and flags: secrets in the config never
reach Prefect's parameters, logs, results or artifacts.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact
from prefect.cache_policies import NO_CACHE
from prefect.futures import as_completed
from prefect.task_runners import ThreadPoolTaskRunner

from flows.config import ConfigError, load_config
from flows.delivery import alert_stage
from flows.subscribers import compile_subscriber_watches
from parsers.version import PARSER_VERSION
from state.outbox import Outbox
from state.models import utcnow
from state.repo import DocumentRef
from tasks.fetch import redact_url
from tasks.pipeline import (
    DocOutcome,
    IngestContext,
    fetch_document,
    needs_parse,
    parse_sha,
    store_parsed,
)
from tasks.sources import Discovery, Failure, discover

# Run contexts live in the flow's process, keyed by run id; tasks get the key, never the
# objects (an HTTP client and an engine are neither hashable nor serialisable).
_CONTEXTS: dict[str, IngestContext] = {}
_progress: Callable[[str, Any], None] | None = None


def set_progress(callback: Callable[[str, Any], None] | None) -> None:
    """Let the CLI draw a progress bar: called with ("total", n) and ("document", outcome)."""
    global _progress
    _progress = callback


def _emit(event: str, value: Any) -> None:
    if _progress is not None:
        try:
            _progress(event, value)
        except Exception:  # a progress bar must never break a run
            pass


@dataclass(frozen=True, slots=True)
class FetchStep:
    """A fetch's outcome without its body (the body is in the blob store)."""

    outcome: str
    sha256: str | None
    size: int
    etag: str | None
    last_modified: str | None
    content_type: str | None
    error: str | None
    error_code: str | None
    bytes_downloaded: int


# --------------------------------------------------------------------------- tasks


@task(name="discover", retries=1, retry_delay_seconds=2, cache_policy=NO_CACHE)
def discover_task(run_key: str, source_name: str) -> Discovery:
    ctx = _CONTEXTS[run_key]
    return discover(ctx.config.source(source_name), ctx.discover_context())


@task(name="fetch", retries=1, retry_delay_seconds=2, cache_policy=NO_CACHE)
def fetch_task(run_key: str, ref: DocumentRef) -> FetchStep:
    ctx = _CONTEXTS[run_key]
    res = fetch_document(ctx, ref)
    return FetchStep(
        outcome=res.outcome,
        sha256=res.sha256,
        size=len(res.body) if res.body is not None else 0,
        etag=res.etag,
        last_modified=res.last_modified,
        content_type=res.content_type,
        error=res.error,
        error_code=res.error_code,
        bytes_downloaded=res.bytes_downloaded,
    )


def _parse_cache_key(_context: Any, parameters: dict[str, Any]) -> str:
    return f"parse:{parameters['sha256']}:{parameters['backend']}:{PARSER_VERSION}"


@task(
    name="parse",
    cache_key_fn=_parse_cache_key,
    cache_expiration=timedelta(days=30),
    persist_result=True,
)
def parse_task(run_key: str, sha256: str, backend: str) -> tuple[Any, str | None, str | None]:
    return parse_sha(_CONTEXTS[run_key], sha256)


def store_step(run_key: str, ref: DocumentRef, step: FetchStep, parsed: Any, error: str | None, code: str | None, replace_parse: bool = False) -> Any:
    """Version, findings, diff and validators in one transaction. Not a task of its own: it
    is quick database work, and a task run per document per stage would only load the
    Prefect API; SQLite's busy timeout and the store's unique constraints cover retries."""
    return store_parsed(
        _CONTEXTS[run_key],
        ref,
        sha256=step.sha256 or "",
        size=step.size,
        content_type=step.content_type,
        etag=step.etag,
        last_modified=step.last_modified,
        parsed=parsed,
        error=error,
        code=code,
        replace_parse=replace_parse,
    )


# --------------------------------------------------------------------------- ingest


def _summary_base(run_id: str) -> dict[str, Any]:
    return {
        "run_id": run_id,
        "sources": 0,
        "discovered": 0,
        "fetched": 0,
        "not_modified": 0,
        "new_documents": 0,
        "new_versions": 0,
        "parsed": 0,
        "failed": [],
        "alerts_queued": 0,
        "alerts_sent": 0,
        "alerts_failed": 0,
        "seconds": 0.0,
    }


@flow(name="ingest", task_runner=ThreadPoolTaskRunner(max_workers=8), persist_result=False, log_prints=False)
def ingest(config_path: str, sources: list[str] | None = None, dry_run: bool = False) -> dict[str, Any]:
    """One ingestion cycle: discover, fetch, parse, store, diff, match, notify. Returns the run summary."""
    return _run_cycle("ingest", config_path, sources, dry_run=dry_run)


@flow(name="backfill", task_runner=ThreadPoolTaskRunner(max_workers=8), persist_result=False, log_prints=False)
def backfill(
    config_path: str,
    sources: list[str] | None = None,
    since: date | None = None,
    notify: bool = False,
    dry_run: bool = False,
) -> dict[str, Any]:
    """Make sure everything the sources list is stored — every document is checked again,
    whatever its listing says — and, with ``notify``, alert on the history too: every
    stored document of these sources (published on or after ``since``) is matched against
    the watches, and each subscriber hears once of each match, even of documents first seen
    before they were added. Without ``notify`` only real news is alerted, as in ``ingest``."""
    return _run_cycle("backfill", config_path, sources, dry_run=dry_run, revalidate_all=True, history=(since, notify))


def _run_cycle(
    flow_name: str,
    config_path: str,
    sources: list[str] | None,
    *,
    dry_run: bool,
    revalidate_all: bool = False,
    history: tuple[date | None, bool] | None = None,
) -> dict[str, Any]:
    started = time.monotonic()
    logger = get_run_logger()
    config = load_config(config_path)
    run_id = _current_run_id()
    watches = compile_subscriber_watches(config) if config.subscribers else None
    ctx = IngestContext.open(config)
    _CONTEXTS[run_id] = ctx
    summary = _summary_base(run_id)
    outcomes: list[DocOutcome] = []
    try:
        ctx.store.start_run(run_id, flow_name, dry_run=dry_run)
        # A subscriber is "added" when a run first sees them in the config, before anything
        # of this run is registered: they hear of what is seen from now on.
        Outbox(ctx.store.engine).sync_subscribers([s.name for s in config.subscribers])
        selected = [config.source(n) for n in sources] if sources else [s for s in config.sources if s.enabled]
        summary["sources"] = len(selected)
        source_ids = {s.name: ctx.store.ensure_source(s.name, s.kind, s.url) for s in selected}
        discoveries, listed = _discover_fetch_store(ctx, run_id, config, selected, source_ids, summary, outcomes, revalidate_all)

        # Match what is news against the watches, queue each alert once, send the immediate ones.
        news = [(o.version_id, o.status) for o in outcomes if o.after_baseline and o.version_id and o.status in ("new_document", "new_version")]
        past: list[tuple[int, str]] = []
        if history is not None and history[1]:
            fresh = {vid for vid, _ in news}
            stored = ctx.store.current_versions(sorted(listed), published_since=history[0])
            past = [(vid, "new_document") for vid in stored if vid not in fresh]
            summary["history"] = len(past)
        summary.update(alert_stage(ctx.store.engine, config, watches, news, ctx.gazetteer, history=past, dry_run=dry_run))

        # A source's first complete run is its baseline.
        for name, d in discoveries.items():
            ctx.store.finish_source(source_ids[name], complete=d.complete, error="; ".join(f.error for f in d.failures[:3]) or None)
    finally:
        summary["fetched"] = sum(1 for o in outcomes if o.fetched)
        summary["not_modified"] = sum(1 for o in outcomes if o.status == "not_modified")
        summary["failed"].extend(o.failure.to_json() for o in outcomes if o.failure)
        summary["seconds"] = round(time.monotonic() - started, 2)
        ctx.store.finish_run(run_id, summary)
        _CONTEXTS.pop(run_id, None)
        ctx.close()
    _artifact(summary, outcomes, flow_name)
    logger.info(
        "%s: %d sources, %d listed, %d fetched, %d not modified, %d new documents, %d new versions, %d failed, "
        "%d alerts queued, %d sent",
        flow_name, summary["sources"], summary["discovered"], summary["fetched"], summary["not_modified"],
        summary["new_documents"], summary["new_versions"], len(summary["failed"]), summary["alerts_queued"], summary["alerts_sent"],
    )
    return summary


def _discover_fetch_store(
    ctx: IngestContext, run_id: str, config: Any, selected: list[Any], source_ids: dict[str, int],
    summary: dict[str, Any], outcomes: list[DocOutcome], revalidate_all: bool,
) -> tuple[dict[str, Discovery], set[int]]:
    """Discover every source at once, register what is listed, fetch what may have changed,
    parse what is new, store as parses finish. Failures are recorded, never raised.
    Returns the discoveries and the ids of every document listed."""
    futures = {s.name: discover_task.submit(run_id, s.name) for s in selected}
    discoveries: dict[str, Discovery] = {}
    for name, fut in futures.items():
        try:
            discoveries[name] = fut.result()
        except Exception as exc:
            d = Discovery(source=name)
            d.failures.append(Failure(config.source(name).url, "discover", f"{type(exc).__name__}: {exc}"))
            discoveries[name] = d

    # Register what is listed. A document first seen after its source's baseline is news —
    # and so is everything a ``notify_history`` source lists, baseline or not.
    refs: list[tuple[DocumentRef, bool]] = []
    skipped: list[DocumentRef] = []
    seen_docs: set[int] = set()
    revalidate_before = utcnow() - timedelta(hours=config.http.revalidate_after_hours)
    for name, d in discoveries.items():
        summary["failed"].extend(f.to_json() for f in d.failures)
        baselined = ctx.store.source_baseline_at(source_ids[name]) is not None
        news = baselined or config.source(name).notify_history
        registered = ctx.store.upsert_listed_many(source_ids[name], d.listed, after_baseline=baselined)
        unchanged = {i.url: i.listing_unchanged for i in d.listed}
        for ref in registered:
            if ref.id in seen_docs:  # listed by two sources (a feed and a provider page)
                continue
            seen_docs.add(ref.id)
            if not revalidate_all and _can_skip(unchanged.get(ref.url, False), ref, revalidate_before):
                skipped.append(ref)
                continue
            refs.append((ref, news))
        if d.complete:
            ctx.store.mark_unlisted(source_ids[name], [i.url for i in d.listed])
    summary["discovered"] = len(refs) + len(skipped)
    _emit("total", len(refs) + len(skipped))
    for ref in skipped:  # the listing says nothing changed and the last check is recent
        _record(ctx, outcomes, DocOutcome(ref.url, "not_modified"), ref)

    # Fetch all, parse what is new, store as parses finish.
    fetches = {fetch_task.submit(run_id, ref): (ref, news) for ref, news in refs}
    parses: dict[Any, tuple[DocumentRef, FetchStep, bool]] = {}
    for fut in as_completed(list(fetches)):
        ref, news = fetches[fut]
        try:
            step = fut.result()
        except Exception as exc:
            _record(ctx, outcomes, DocOutcome(ref.url, "failed", failure=Failure(redact_url(ref.url), "fetch", f"{type(exc).__name__}: {exc}")), ref)
            continue
        if step.outcome == "failed":
            _record(ctx, outcomes, DocOutcome(ref.url, "failed", failure=Failure(redact_url(ref.url), "fetch", step.error or "fetch failed"), bytes_downloaded=step.bytes_downloaded), ref)
            continue
        if step.outcome == "not_modified":
            ctx.store.record_not_modified(ref.id)
            _record(ctx, outcomes, DocOutcome(ref.url, "not_modified"), ref)
            continue
        assert step.sha256
        if needs_parse(ctx, ref, step.sha256):
            parses[parse_task.submit(run_id, step.sha256, ctx.backend)] = (ref, step, news)
        else:
            _store(ctx, run_id, outcomes, summary, ref, step, news, None, None, None)
    for fut in as_completed(list(parses)):
        ref, step, news = parses[fut]
        try:
            parsed, error, code = fut.result()
        except Exception as exc:
            parsed, error, code = None, f"parser failed: {type(exc).__name__}: {exc}", "parser_bug"
        if parsed is not None:
            summary["parsed"] += 1
        _store(ctx, run_id, outcomes, summary, ref, step, news, parsed, error, code)
    return discoveries, seen_docs


def _store(
    ctx: IngestContext, run_id: str, outcomes: list[DocOutcome], summary: dict[str, Any], ref: DocumentRef,
    step: FetchStep, news: bool, parsed: Any, error: str | None, code: str | None,
) -> None:
    try:
        out = store_step(run_id, ref, step, parsed, error, code)
    except Exception as exc:
        _record(ctx, outcomes, DocOutcome(ref.url, "failed", fetched=True, failure=Failure(redact_url(ref.url), "store", f"{type(exc).__name__}: {exc}")), ref)
        return
    status = "new_document" if out.new_document and out.new_version else "new_version" if out.new_version else "unchanged"
    # News: first seen after the source's baseline, or a new version of a known document.
    news = news and ((status == "new_document" and ref.is_new) or status == "new_version")
    failure = None
    version = ctx.store.version(out.version_id)
    if version is not None and version.parse_error_code:
        failure = Failure(redact_url(ref.url), "parse", version.parse_error or "parse failed")
    _record(
        ctx,
        outcomes,
        DocOutcome(
            ref.url, "failed" if failure else status, fetched=True,
            parsed=version is not None and version.parse_error_code is None, failure=failure, document_id=ref.id,
            version_id=out.version_id, bytes_downloaded=step.bytes_downloaded, after_baseline=news,
            diff_summary=out.diff_summary, area=version.area_name if version else None,
            kind=version.kind if version else None,
        ),
        ref,
    )
    if failure is None and out.new_version:
        summary["new_documents" if out.new_document else "new_versions"] += 1


def _can_skip(listing_unchanged: bool, ref: DocumentRef, revalidate_before: datetime) -> bool:
    """Skip the request for a document its unchanged listing still shows, when it was
    checked recently and is held in good order: a no-change run then costs one request per
    listing page, not one per document."""
    if not listing_unchanged or ref.current_sha256 is None or ref.last_status not in ("ok", "not_modified"):
        return False
    last = ref.last_fetch_at
    if last is None:
        return False
    if last.tzinfo is None:  # SQLite hands back naive UTC
        last = last.replace(tzinfo=timezone.utc)
    return last >= revalidate_before


def _record(ctx: IngestContext, outcomes: list[DocOutcome], outcome: DocOutcome, ref: DocumentRef) -> None:
    if outcome.failure and outcome.failure.stage in ("fetch", "store"):
        ctx.store.record_failure(ref.id, stage=outcome.failure.stage, error=outcome.failure.error)
    outcomes.append(outcome)
    _emit("document", outcome)


def _current_run_id() -> str:
    try:
        from prefect.runtime import flow_run

        rid = flow_run.id
        if rid:
            return str(rid)
    except Exception:
        pass
    return str(uuid.uuid4())


def _artifact(summary: dict[str, Any], outcomes: list[DocOutcome], flow_name: str = "ingest") -> None:
    """A markdown summary in the Prefect UI: counts, new documents, failures (no secrets:
    URLs are redacted and the config is never included)."""
    lines = [
        f"# jtai-watch {flow_name}",
        "",
        "| sources | listed | fetched | not modified | new documents | new versions | parsed | failed |",
        "|---|---|---|---|---|---|---|---|",
        f"| {summary['sources']} | {summary['discovered']} | {summary['fetched']} | {summary['not_modified']} | "
        f"{summary['new_documents']} | {summary['new_versions']} | {summary['parsed']} | {len(summary['failed'])} |",
    ]
    news = [o for o in outcomes if o.status in ("new_document", "new_version")]
    if news:
        lines += ["", "## New", "", "| status | kind | area | changes | document |", "|---|---|---|---|---|"]
        lines += [
            f"| {o.status.replace('_', ' ')} | {o.kind or '-'} | {o.area or '-'} | "
            f"{', '.join(f'{k} {v}' for k, v in o.diff_summary.items() if v and k != 'unchanged') or '-'} | {redact_url(o.url)} |"
            for o in news[:200]
        ]
    if summary["failed"]:
        lines += ["", "## Failures", "", "| stage | url | error |", "|---|---|---|"]
        lines += [f"| {f['stage']} | {f['url']} | {str(f['error']).replace('|', '/')} |" for f in summary["failed"][:200]]
    try:
        create_markdown_artifact("\n".join(lines), key=f"{flow_name}-summary", description="jtai-watch run summary")
    except Exception:  # artifacts are a convenience; never fail a run over one
        pass


# --------------------------------------------------------------------------- rerun


@flow(name="rerun", persist_result=False)
def rerun(config_path: str, document: str, reparse: bool = False, notify: bool = False) -> dict[str, Any]:
    """Fetch one document again (or, with ``reparse``, re-parse its stored body with the
    current parser) and diff again. With ``notify``, subscribers whose watches match hear
    of it — once per (subscriber, version, watch), so a second ``--notify`` sends nothing."""
    started = time.monotonic()
    config = load_config(config_path)
    run_id = _current_run_id()
    ctx = IngestContext.open(config)
    _CONTEXTS[run_id] = ctx
    summary = _summary_base(run_id)
    summary["sources"] = 0
    try:
        ctx.store.start_run(run_id, "rerun")
        doc = ctx.store.find_document(document)
        if doc is None:
            raise ConfigError(f"no stored document with id or URL {document!r}")
        ref = DocumentRef(doc.id, doc.url, None, None, None, False)
        summary["discovered"] = 1
        if reparse:
            if doc.current_version_id is None:
                raise ConfigError(f"document {doc.id} has no stored body to re-parse; rerun it without --reparse")
            version = ctx.store.version(doc.current_version_id)
            assert version is not None
            step = FetchStep("ok", version.sha256, version.size, doc.etag, doc.last_modified, version.content_type, None, None, 0)
        else:
            step = fetch_task(run_id, ref)
            summary["fetched"] = 1 if step.outcome == "ok" else 0
            if step.outcome != "ok":
                summary["failed"].append({"url": redact_url(doc.url), "stage": "fetch", "error": step.error or "fetch failed"})
                ctx.store.record_failure(doc.id, stage="fetch", error=step.error or "fetch failed")
                return summary
        parsed, error, code = parse_sha(ctx, step.sha256 or "")
        if parsed is not None:
            summary["parsed"] = 1
        out = store_step(run_id, ref, step, parsed, error, code, replace_parse=True)
        if error:
            summary["failed"].append({"url": redact_url(doc.url), "stage": "parse", "error": error})
        elif out.new_version:
            summary["new_versions"] = 1
        summary["document_id"] = doc.id
        summary["version_id"] = out.version_id
        summary["diff"] = out.diff_summary
        if notify and not error and config.subscribers:
            change = "new_version" if out.basis == "previous_version" else "new_document"
            summary.update(alert_stage(
                ctx.store.engine, config, compile_subscriber_watches(config), [], ctx.gazetteer, history=[(out.version_id, change)]
            ))
    finally:
        summary["seconds"] = round(time.monotonic() - started, 2)
        ctx.store.finish_run(run_id, summary)
        _CONTEXTS.pop(run_id, None)
        ctx.close()
    return summary


def config_path_arg(path: str | None) -> str:
    from flows.config import DEFAULT_CONFIG_NAME

    return str(Path(path or DEFAULT_CONFIG_NAME).resolve())
