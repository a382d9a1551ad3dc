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
from tasks.http_get import FetchError
from parsers.pdf import BACKENDS, Limits

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


def _read_source(source: str, limits: Limits, timeout_s: float) -> tuple[bytes, str]:
    """Bytes of a local file or an http(s) URL, and a name to show."""
    if source.startswith(("http://", "https://")):
        from tasks.http_get import fetch_once

        return fetch_once(source, max_bytes=limits.max_bytes, timeout_s=timeout_s), source
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
