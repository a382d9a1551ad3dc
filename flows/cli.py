"""The ``jtai-watch`` command line.

Exit status follows the design's contract: 0 when the command did its job (a run with some
failed documents included — they are reported), 2 for bad usage or an invalid config (one
clear message naming the field), 1 for an unexpected error.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from parsers.errors import ParseError
from parsers.pdf import BACKENDS, Limits


class FetchError(Exception):
    """A document given by URL could not be downloaded; ``code`` is the fetcher's."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.code = code


app = typer.Typer(
    name="jtai-watch",
    help="Watch JTAI letters, Ofsted children's services inspections and safeguarding board reports.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True, soft_wrap=True)
_DEFAULT = Limits()


def _usage(message: str) -> typer.Exit:
    err.print(f"jtai-watch: {message}", highlight=False, markup=False)
    return typer.Exit(2)


def _since_day(since: str | None):  # noqa: ANN202 - datetime.date | None
    """``--since`` as a date, or a usage error (exit 2) before anything is opened."""
    from datetime import date

    if not since:
        return None
    try:
        return date.fromisoformat(since)
    except ValueError:
        raise _usage(f"--since: not a date: {since!r} (YYYY-MM-DD)") from None


def _read_source(source: str, limits: Limits, timeout_s: float) -> tuple[bytes, str]:
    """Bytes of a local file or an http(s) URL, and a name to show."""
    if source.startswith(("http://", "https://")):
        from tasks.fetch import Fetcher, FetchPolicy, FetchRequest

        with Fetcher(FetchPolicy(max_bytes=limits.max_bytes, timeout_s=timeout_s, allow_file_urls=False)) as fetcher:
            res = fetcher.fetch(FetchRequest(source, expect="any"))
        if res.outcome != "ok" or res.body is None:
            raise FetchError(res.error or "fetch failed", res.error_code or "fetch_error")
        return res.body, source
    path = Path(source)
    if not path.is_file():
        raise _usage(f"no such file: {source}")
    return path.read_bytes(), str(path)


def _is_plain_text(name: str) -> bool:
    return name.lower().endswith((".txt", ".text", ".md"))


def _print_human(doc, console: Console) -> None:  # noqa: ANN001 - ParsedDocument
    console.print(f"[bold]{doc.title or '(untitled)'}[/bold]")
    facts = Table.grid(padding=(0, 2))
    facts.add_row("kind", doc.kind)
    facts.add_row("area", f"{doc.area.name} ({doc.area.ons_code}, URN {doc.area.ofsted_urn})" if doc.area else "-")
    if doc.areas_mentioned:
        facts.add_row("also names", ", ".join(a.name for a in doc.areas_mentioned))
    facts.add_row("published", doc.published.isoformat() if doc.published else "-")
    if doc.inspection:
        facts.add_row("inspection", f"{doc.inspection.start} to {doc.inspection.end}")
    if doc.period:
        facts.add_row("period", f"{doc.period.start} to {doc.period.end}")
    if doc.deep_dive:
        facts.add_row("deep dive", doc.deep_dive)
    if doc.board_name:
        facts.add_row("board", doc.board_name)
    for g in doc.grades:
        facts.add_row(g.judgement, g.grade)
    for d in doc.deadlines:
        facts.add_row("due", f"{d.what}: {d.due}")
    facts.add_row("pages", str(doc.pages))
    console.print(facts)
    console.print()
    for f in doc.findings:
        text = f.text.replace("\n", " ")
        themes = f" [dim]({', '.join(f.themes)})[/dim]" if f.themes else ""
        console.print(
            f"[bold]{f.section}[/bold] #{f.ordinal} p.{f.page}  {escape(text)}{themes}",
            overflow="ellipsis",
            no_wrap=True,
            highlight=False,
        )


@app.command()
def parse(
    source: Annotated[str, typer.Argument(metavar="PATH_OR_URL", help="A PDF (or .txt) file, or an http(s) URL.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the contract's JSON object.")] = False,
    backend: Annotated[str, typer.Option(help="PDF backend: pdfminer (default) or pypdfium2 (fast extra).")] = "pdfminer",
    max_pages: Annotated[int, typer.Option(help="Refuse documents with more pages.")] = _DEFAULT.max_pages,
    max_mb: Annotated[float, typer.Option(help="Refuse documents larger than this.")] = _DEFAULT.max_bytes / 1048576,
    timeout: Annotated[float, typer.Option(help="Time budget for text extraction, seconds.")] = _DEFAULT.timeout_s,
) -> None:
    """Parse one document and print its structure; stores nothing."""
    from parsers.api import parse_bytes, parse_text
    from parsers.errors import TooLarge

    if backend not in BACKENDS:
        raise _usage(f"--backend: unknown backend {backend!r}; choose one of {', '.join(sorted(BACKENDS))}")
    limits = Limits(max_bytes=int(max_mb * 1048576), max_pages=max_pages, timeout_s=timeout)
    try:
        path = Path(source)
        if not source.startswith(("http://", "https://")) and path.is_file() and path.stat().st_size > limits.max_bytes:
            raise TooLarge(
                f"document is {path.stat().st_size / 1048576:.1f} MB, over the {max_mb:.0f} MB limit"
            )
        data, name = _read_source(source, limits, timeout)
        if _is_plain_text(name):
            doc = parse_text(data.decode("utf-8", errors="replace"))
        else:
            doc = parse_bytes(data, limits=limits, backend=backend)
    except (ParseError, FetchError) as exc:
        if as_json:
            print(json.dumps({"error": str(exc), "code": exc.code, "kind": None}))
            raise typer.Exit(0) from None
        err.print(f"jtai-watch: {source}: {exc}", highlight=False, markup=False)
        raise typer.Exit(1) from None
    if as_json:
        print(json.dumps(doc.to_json(), ensure_ascii=False, indent=2))
    else:
        _print_human(doc, Console())


ConfigOpt = Annotated[Optional[str], typer.Option("--config", "-c", help="Config file (default ./jtai-watch.yaml).")]


def _config(path: str | None):  # noqa: ANN202
    from flows.config import ConfigError, load_config

    try:
        return load_config(path)
    except ConfigError as exc:
        raise _usage(str(exc)) from None


@app.command()
def init(config: ConfigOpt = None) -> None:
    """Write a starter config (if there is none) and create or migrate the store."""
    from flows.config import DEFAULT_CONFIG_NAME, STARTER_CONFIG
    from state.db import current_revision, open_store

    path = Path(config or DEFAULT_CONFIG_NAME)
    created = False
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(STARTER_CONFIG, encoding="utf-8")
        created = True
    cfg = _config(str(path))
    engine = open_store(cfg.state_url)
    revision = current_revision(engine)
    engine.dispose()
    cfg.blobs_dir.mkdir(parents=True, exist_ok=True)
    out = Console()
    out.print(f"config: {path} ({'written' if created else 'kept'})", highlight=False)
    out.print(f"store:  {_safe_url(cfg.state_url)} (schema {revision})", highlight=False)
    out.print(f"blobs:  {cfg.blobs_dir}", highlight=False)


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return url.split("@")[-1]


def _quiet_prefect() -> None:
    """Keep the terminal for our output: Prefect's INFO lines off, no telemetry calls (this
    tool often runs where only the watched sites are reachable), and the in-process API
    server's own shutdown chatter (events still flushing as the process exits) silenced —
    run results live in our store and in the summary, not in those events."""
    import logging

    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    os.environ.setdefault("PREFECT_LOGGING_TO_API_WHEN_MISSING_FLOW", "ignore")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_SERVER_LOGGING_LEVEL", "CRITICAL")
    # The API server runs in a subprocess that inherits this environment; its root logger
    # (where SQLAlchemy reports connections torn down at shutdown) is silenced there...
    os.environ.setdefault("PREFECT_LOGGING_ROOT_LEVEL", "CRITICAL")
    import prefect  # noqa: F401  (configures Prefect's logging, which we then adjust)

    # ...while this process keeps its warnings (a failed fetch says so on stderr).
    logging.getLogger().setLevel(logging.WARNING)
    logging.getLogger("prefect.server").setLevel(logging.CRITICAL)


def _checked_config(config: str | None, sources: list[str] | None = None):  # noqa: ANN202
    """The config, with every subscriber's watches and notify URLs and every ``--source``
    checked before anything is fetched or sent."""
    cfg = _config(config)
    if cfg.subscribers:
        from flows.config import ConfigError
        from flows.subscribers import compile_subscriber_watches

        try:
            compile_subscriber_watches(cfg)
        except ConfigError as exc:
            raise _usage(f"{config or 'jtai-watch.yaml'}: {exc}") from None
    for name in sources or []:
        if name not in {s.name for s in cfg.sources}:
            raise _usage(f"--source: no source named {name!r} (configured: {', '.join(s.name for s in cfg.sources) or 'none'})")
    return cfg


def _with_progress(as_json: bool, call):  # noqa: ANN001, ANN202
    """Run an ingest-like flow, with a progress bar on a terminal."""
    from flows.ingest import set_progress

    progress = None
    if not as_json and sys.stdout.isatty():
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        progress = Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        bar = progress.add_task("discovering", total=None)

        def on_event(event: str, value) -> None:  # noqa: ANN001
            if event == "total":
                progress.update(bar, description="documents", total=value)
            elif event == "document":
                progress.advance(bar)

        set_progress(on_event)
        progress.start()
    try:
        return call()
    finally:
        set_progress(None)
        if progress is not None:
            progress.stop()


def _emit_summary(summary: dict, as_json: bool) -> None:
    if as_json:
        print(json.dumps(summary, default=str))
    else:
        _print_summary(summary, Console())


SourceOpt = Annotated[Optional[list[str]], typer.Option("--source", "-s", help="Only this source (repeatable).")]
DryRunOpt = Annotated[bool, typer.Option("--dry-run", help="Fetch, parse and store, but queue and send no alerts.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")]


@app.command()
def run(config: ConfigOpt = None, source: SourceOpt = None, dry_run: DryRunOpt = False, as_json: JsonOpt = False) -> None:
    """One ingestion cycle now: discover, fetch, parse, store, diff, match, notify."""
    _checked_config(config, source)
    _quiet_prefect()
    from flows.ingest import config_path_arg, ingest

    summary = _with_progress(
        as_json, lambda: ingest(config_path=config_path_arg(config), sources=list(source or []) or None, dry_run=dry_run)
    )
    _emit_summary(summary, as_json)


@app.command()
def backfill(
    config: ConfigOpt = None,
    source: SourceOpt = None,
    since: Annotated[Optional[str], typer.Option(help="With --notify: only documents published on or after this day (YYYY-MM-DD).")] = None,
    notify: Annotated[bool, typer.Option("--notify", help="Alert subscribers on the stored history too, not only on news.")] = False,
    dry_run: DryRunOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Check every listed document again and store what is missing; --notify alerts on history.

    Every document the sources list is re-checked, whatever its listing says. With
    --notify, every stored document of these sources that a watch matches is alerted too,
    once per subscriber and watch, even to subscribers added later."""
    since_day = _since_day(since)
    _checked_config(config, source)
    _quiet_prefect()
    from flows.ingest import backfill as backfill_flow, config_path_arg

    summary = _with_progress(as_json, lambda: backfill_flow(
        config_path=config_path_arg(config), sources=list(source or []) or None, since=since_day, notify=notify, dry_run=dry_run,
    ))
    _emit_summary(summary, as_json)


def _print_summary(summary: dict, console: Console) -> None:
    grid = Table.grid(padding=(0, 2))
    for key in ("sources", "discovered", "fetched", "not_modified", "new_documents", "new_versions", "parsed",
                "alerts_queued", "alerts_sent", "alerts_failed", "seconds"):
        grid.add_row(key.replace("_", " "), str(summary.get(key, 0)))
    grid.add_row("failed", str(len(summary.get("failed", []))))
    console.print(grid)
    for f in summary.get("failed", []):
        console.print(f"  [red]{f['stage']}[/red] {escape(f['url'])}: {escape(str(f['error']))}", highlight=False)


@app.command()
def rerun(
    document: Annotated[str, typer.Argument(help="Document id or URL.")],
    reparse: Annotated[bool, typer.Option("--reparse", help="Re-parse the stored body instead of fetching again.")] = False,
    notify: Annotated[bool, typer.Option("--notify/--no-notify", help="Alert subscribers about what changed.")] = False,
    config: ConfigOpt = None,
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Fetch one document again (or re-parse it from the blob store) and diff again."""
    from flows.config import ConfigError

    if notify:
        _checked_config(config)
    else:
        _config(config)
    _quiet_prefect()
    from flows.ingest import config_path_arg, rerun as rerun_flow

    try:
        summary = rerun_flow(config_path=config_path_arg(config), document=document, reparse=reparse, notify=notify)
    except ConfigError as exc:
        raise _usage(str(exc)) from None
    if as_json:
        print(json.dumps(summary, default=str))
    else:
        _print_summary(summary, Console())
        if summary.get("diff"):
            Console().print("diff: " + ", ".join(f"{k} {v}" for k, v in summary["diff"].items()), highlight=False)


def _open_store(cfg):  # noqa: ANN001, ANN202
    from state.blobs import BlobStore
    from state.db import open_store
    from state.repo import Store

    return Store(open_store(cfg.state_url), BlobStore(cfg.blobs_dir))


@app.command()
def findings(
    area: Annotated[Optional[str], typer.Option(help="Area name, alias or ONS code.")] = None,
    theme: Annotated[Optional[str], typer.Option(help="Theme name or synonym.")] = None,
    section: Annotated[Optional[str], typer.Option(help="Section kind, e.g. area_for_improvement.")] = None,
    since: Annotated[Optional[str], typer.Option(help="Published on or after (YYYY-MM-DD).")] = None,
    kind: Annotated[Optional[str], typer.Option(help="Document kind.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table, json or csv.")] = "table",
    limit: Annotated[Optional[int], typer.Option(help="At most this many findings.")] = None,
    config: ConfigOpt = None,
) -> None:
    """Query stored findings (current versions of documents)."""
    import csv

    from parsers.gazetteer import Gazetteer
    from parsers.records import KINDS, SECTION_KINDS
    from parsers.themes import Taxonomy

    cfg = _config(config)
    if fmt not in ("table", "json", "csv"):
        raise _usage(f"--format: choose table, json or csv (not {fmt!r})")
    area_code = None
    if area:
        g = Gazetteer.default()
        found = g.lookup(area)
        if found is None:
            hint = g.suggest(area)
            raise _usage(f"--area: unknown area {area!r}" + (f"; did you mean {', '.join(hint)}?" if hint else ""))
        area_code = found.ons_code
    theme_name = None
    if theme:
        tax = Taxonomy.default().with_extra([t.model_dump() for t in cfg.themes]) if cfg.themes else Taxonomy.default()
        theme_name = tax.resolve(theme)
        if theme_name is None:
            hint = tax.suggest(theme)
            raise _usage(f"--theme: unknown theme {theme!r}" + (f"; did you mean {', '.join(hint)}?" if hint else ""))
    if section and section not in SECTION_KINDS:
        raise _usage(f"--section: unknown section {section!r} (choose one of: {', '.join(SECTION_KINDS)})")
    if kind and kind not in KINDS:
        raise _usage(f"--kind: unknown kind {kind!r} (choose one of: {', '.join(KINDS)})")
    since_date = _since_day(since)
    store = _open_store(cfg)
    rows = store.query_findings(area=area_code, theme=theme_name, section=section, since=since_date, kind=kind, limit=limit)
    records = [
        {
            "document_id": d.id,
            "url": d.url,
            "kind": v.kind,
            "area": v.area_name,
            "ons_code": v.area_ons,
            "published": v.published.isoformat() if v.published else None,
            "section": f.section,
            "ordinal": f.ordinal,
            "page": f.page,
            "text": f.text,
            "themes": f.themes,
            "agencies": f.agencies,
        }
        for f, v, d in rows
    ]
    store.engine.dispose()
    if fmt == "json":
        print(json.dumps(records, ensure_ascii=False))
    elif fmt == "csv":
        w = csv.writer(sys.stdout)
        w.writerow(["document_id", "url", "kind", "area", "ons_code", "published", "section", "ordinal", "page", "text", "themes", "agencies"])
        for r in records:
            w.writerow([r["document_id"], r["url"], r["kind"], r["area"], r["ons_code"], r["published"], r["section"],
                        r["ordinal"], r["page"], r["text"], "; ".join(r["themes"]), "; ".join(r["agencies"])])
    else:
        console = Console()
        for r in records:
            text = r["text"].replace("\n", " ")
            console.print(
                f"[bold]{escape(r['area'] or '-')}[/bold] {r['published'] or '-'} {r['section']} #{r['ordinal']}  {escape(text)}",
                overflow="ellipsis", no_wrap=True, highlight=False,
            )
        console.print(f"{len(records)} findings", style="dim")


@app.command()
def diff(
    document: Annotated[str, typer.Argument(help="Document id or URL.")],
    as_json: Annotated[bool, typer.Option("--json")] = False,
    config: ConfigOpt = None,
) -> None:
    """What changed in a document's current version: against its previous version, or the
    area's previous document of the same kind."""
    cfg = _config(config)
    store = _open_store(cfg)
    doc = store.find_document(document)
    if doc is None or doc.current_version_id is None:
        store.engine.dispose()
        raise _usage(f"no stored document with id or URL {document!r}")
    version = store.version(doc.current_version_id)
    found = store.diff_of(doc.current_version_id)
    base = store.version(found[0].base_version_id) if found and found[0].base_version_id else None
    base_url = None
    if base is not None:
        base_doc = store.find_document(str(base.document_id))
        base_url = base_doc.url if base_doc else None
    store.engine.dispose()
    out = {
        "document_id": doc.id,
        "url": doc.url,
        "version_id": doc.current_version_id,
        "kind": version.kind if version else None,
        "area": version.area_name if version else None,
        "basis": found[0].basis if found else "none",
        "base_version_id": found[0].base_version_id if found else None,
        "base_url": base_url,
        "summary": found[0].summary if found else {},
        "theme_movements": found[0].theme_movements if found else [],
        "changes": [
            {
                "kind": c.kind, "section": c.section, "old_section": c.old_section, "old_text": c.old_text,
                "new_text": c.new_text, "score": c.score, "themes_added": c.themes_added, "themes_removed": c.themes_removed,
            }
            for c in (found[1] if found else [])
        ],
    }
    if as_json:
        print(json.dumps(out, ensure_ascii=False, default=str))
        return
    console = Console()
    console.print(f"[bold]{escape(out['area'] or '-')}[/bold] {out['kind']} {escape(doc.url)}", highlight=False)
    basis = {"previous_version": "its previous version", "area_previous": f"the area's previous document ({base_url})", "none": "nothing (first of its kind for this area)"}
    console.print(f"compared with {escape(basis.get(out['basis'], out['basis']))}", highlight=False)
    console.print(", ".join(f"{k} {v}" for k, v in out["summary"].items()) or "no changes", highlight=False)
    for m in out["theme_movements"]:
        console.print(f"  theme '{m.get('theme')}' moved from {m.get('from_section')} to {m.get('to_section')} ({m.get('direction')})", highlight=False)
    for c in out["changes"]:
        text = (c["new_text"] or c["old_text"] or "").replace("\n", " ")
        console.print(f"  [bold]{c['kind']}[/bold] {c['section']}: {escape(text)}", highlight=False, soft_wrap=True)


@app.command()
def alerts(
    status: Annotated[Optional[str], typer.Option(help="pending, sending, sent or failed.")] = None,
    retry: Annotated[bool, typer.Option("--retry", help="Re-queue every failed alert.")] = False,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    limit: Annotated[Optional[int], typer.Option(help="At most this many rows.")] = None,
    config: ConfigOpt = None,
) -> None:
    """The alert outbox: what is pending, sent or failed (with the reason)."""
    from state.db import open_store
    from state.outbox import Outbox

    cfg = _config(config)
    if status and status not in ("pending", "sending", "sent", "failed"):
        raise _usage(f"--status: choose pending, sending, sent or failed (not {status!r})")
    engine = open_store(cfg.state_url)
    outbox = Outbox(engine)
    if retry:
        n = outbox.retry_failed()
        Console().print(f"{n} failed alert(s) queued again", highlight=False)
    rows = outbox.list(status, limit=limit)
    engine.dispose()
    records = [
        {
            "id": r.id, "subscriber": r.subscriber, "version_id": r.version_id, "watch": r.watch_key,
            "status": r.status, "attempts": r.attempts, "created_at": r.created_at, "sent_at": r.sent_at,
            "error": r.last_error,
            "document": ((r.payload or {}).get("document") or {}).get("url"),
        }
        for r in rows
    ]
    if as_json:
        print(json.dumps(records, default=str))
        return
    console = Console()
    for r in records:
        line = f"#{r['id']} {r['status']} {r['subscriber']} {r['document'] or '-'} (attempts {r['attempts']})"
        if r["error"]:
            line += f": {r['error']}"
        console.print(escape(line), highlight=False, soft_wrap=True)
    console.print(f"{len(records)} alerts", style="dim")


def _print_delivery(result: dict, as_json: bool) -> None:
    if as_json:
        print(json.dumps(result, default=str))
        return
    what = "immediate alerts" if result["mode"] == "immediate" else f"{result['mode']} digests"
    line = (f"{what}: {result['due']} due, {result['alerts_sent']} sent in {result['messages']} message(s), "
            f"{result['alerts_retrying']} to retry, {result['alerts_failed']} failed")
    Console().print(line + (" (dry run: nothing sent)" if result["dry_run"] else ""), highlight=False)


@app.command()
def deliver(config: ConfigOpt = None, dry_run: Annotated[bool, typer.Option("--dry-run", help="Count what is due; send nothing.")] = False, as_json: JsonOpt = False) -> None:
    """Send the immediate subscribers' due alerts now (those whose receiver was down)."""
    _checked_config(config)
    _quiet_prefect()
    from flows.delivery import deliver_flow
    from flows.ingest import config_path_arg

    _print_delivery(deliver_flow(config_path=config_path_arg(config), dry_run=dry_run), as_json)


@app.command()
def digest(
    period: Annotated[str, typer.Option(help="daily or weekly: which subscribers' digest to send.")] = "daily",
    config: ConfigOpt = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Count what is due; send nothing.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Send the daily (or weekly) digest now.

    One message per URL per subscriber, with all their alerts since the last one. Nothing is
    sent to a subscriber with nothing due."""
    if period not in ("daily", "weekly"):
        raise _usage(f"--period: choose daily or weekly (not {period!r})")
    _checked_config(config)
    _quiet_prefect()
    from flows.delivery import digest_flow
    from flows.ingest import config_path_arg

    _print_delivery(digest_flow(config_path=config_path_arg(config), period=period, dry_run=dry_run), as_json)


def deployments_for(cfg, config_path: str) -> list:  # noqa: ANN001
    """The scheduled deployments ``serve`` runs: ingest on ``schedule.cron``, the retry of
    undelivered alerts on ``delivery.retry_cron``, and the digests on their own crons —
    the digests only when some subscriber wants one."""
    from prefect.schedules import Cron

    from flows.delivery import deliver_flow, digest_flow
    from flows.ingest import ingest

    tz = cfg.schedule.timezone
    params = {"config_path": config_path}
    out = [
        ingest.to_deployment(
            name="jtai-watch-ingest", schedules=[Cron(cfg.schedule.cron, timezone=tz)], parameters=params,
            description="Discover, fetch, parse, store and diff new safeguarding inspection documents; alert.", tags=["jtai-watch"],
        ),
    ]
    modes = {s.digest for s in cfg.subscribers}
    if "immediate" in modes:
        out.append(deliver_flow.to_deployment(
            name="jtai-watch-deliver", schedules=[Cron(cfg.delivery.retry_cron, timezone=tz)], parameters=params,
            description="Send immediate alerts whose receiver was down, once their backoff has passed.", tags=["jtai-watch"],
        ))
    for period, cron in (("daily", cfg.delivery.daily_cron), ("weekly", cfg.delivery.weekly_cron)):
        if period in modes:
            out.append(digest_flow.to_deployment(
                name=f"jtai-watch-digest-{period}", schedules=[Cron(cron, timezone=tz)], parameters={**params, "period": period},
                description=f"The {period} digest of alerts.", tags=["jtai-watch"],
            ))
    return out


@app.command()
def serve(
    config: ConfigOpt = None,
    port: Annotated[int, typer.Option(help="Port of the local Prefect server started when no PREFECT_API_URL is set.")] = 4200,
) -> None:
    """Run the scheduled flows on this machine (Prefect serve).

    Ingest on the config's schedule, retries of undelivered alerts, and the daily and weekly
    digests.

    Prefect's in-process ephemeral API cannot schedule runs, so when no PREFECT_API_URL is
    set this starts a local Prefect server (with its scheduler) for as long as it serves."""
    cfg = _checked_config(config)
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    server = None
    if not os.environ.get("PREFECT_API_URL"):
        server = _start_local_prefect_server(port)
    from prefect import serve as prefect_serve

    from flows.ingest import config_path_arg

    try:
        deployments = deployments_for(cfg, config_path_arg(config))
        err.print("jtai-watch: serving " + ", ".join(d.name for d in deployments), highlight=False)
        prefect_serve(*deployments)
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=15)
            except Exception:
                server.kill()


def _start_local_prefect_server(port: int):  # noqa: ANN202
    import shutil
    import subprocess
    import time

    import httpx

    url = f"http://127.0.0.1:{port}/api"
    exe = shutil.which("prefect") or str(Path(sys.executable).with_name("prefect"))
    proc = subprocess.Popen([exe, "server", "start", "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise _usage(f"the local Prefect server did not start (exit {proc.returncode}); is port {port} free? (--port)")
        try:
            if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    else:
        proc.terminate()
        raise _usage("the local Prefect server did not answer within 60 s")
    os.environ["PREFECT_API_URL"] = url
    err.print(f"jtai-watch: started a local Prefect server at {url} (UI at http://127.0.0.1:{port})", highlight=False)
    return proc


@app.callback()
def _root() -> None:
    """jtai-watch: structured findings from child-safeguarding inspections, with alerts."""


def main() -> None:
    try:
        app()
    except SystemExit:
        raise
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # the contract: 1 for an unexpected error, in one line
        if os.environ.get("JTAI_WATCH_DEBUG"):
            raise
        err.print(f"jtai-watch: unexpected error: {type(exc).__name__}: {exc} (set JTAI_WATCH_DEBUG=1 for a traceback)", markup=False, highlight=False)
        sys.exit(1)


if __name__ == "__main__":
    main()
