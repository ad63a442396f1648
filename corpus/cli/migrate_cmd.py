"""``corpus migrate CORPUS --out DIR | --in-place``: documents to the current normaliser and schema."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

import corpus.api as api
from corpus.cli.common import EXIT_OK, EXIT_PROBLEMS, fail, format_option, log, out_option


def register(app: typer.Typer) -> None:
    @app.command("migrate")
    def migrate_cmd(
        corpus: Path = typer.Argument(..., help="Corpus root (with documents/), documents directory, file or JSONL."),
        out: Path | None = out_option(None, "Write the migrated corpus (documents/, raw/, rejects.jsonl) here."),
        in_place: bool = typer.Option(False, "--in-place", help="Rewrite the document files where they are."),
        normaliser: str | None = typer.Option(None, "--normaliser",
                                              help="Target normaliser: v1 or v2 (default: the ingest default)."),
        report: Path | None = typer.Option(None, "--report",
                                           help="Report file (JSON; the summary goes beside it as .txt). Default: "
                                                "migration-report.json in --out, or in the corpus root."),
        fmt: str = format_option("text", "json"),
        quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar, no summary on stderr."),
    ) -> None:
        """Re-normalise each document's raw page, carry its labels and entities, upgrade its schema; exit 1
        when something needs review (labels or entities not carried as they were, or a document not migrated)."""
        if (out is None) == (not in_place):
            raise fail("give either --out DIR or --in-place")
        result = api.migrate(corpus, out, in_place=in_place, normaliser=normaliser, report=report,
                             progress=not quiet and sys.stderr.isatty())
        if fmt == "json":
            typer.echo(result.to_json(), nl=False)
        elif not quiet:
            log(result.brief().rstrip("\n"))
        if not quiet:
            log(f"report: {result.written[-2]} (every document: {result.written[-1]})")
        raise typer.Exit(EXIT_OK if result.ok else EXIT_PROBLEMS)
