"""``corpus validate``: every problem of documents, JSONL files or a built dataset (DESIGN §9)."""

from __future__ import annotations

from pathlib import Path

import typer

import corpus.api as api
from corpus.cli.common import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, format_option, log


def register(app: typer.Typer) -> None:
    @app.command("validate")
    def validate(
        paths: list[Path] = typer.Argument(..., metavar="PATH",
                                           help="Document files, directories, JSONL files or built datasets."),
        fmt: str = format_option("text", "json", "github"),
        raw_root: Path | None = typer.Option(None, "--raw-root",
                                             help="Directory raw_path is relative to (default: the corpus root)."),
        no_raw: bool = typer.Option(False, "--no-raw", help="Skip raw-file, hash and re-normalisation checks."),
        fast: bool | None = typer.Option(None, "--fast/--reference",
                                         help="Force the fast bulk path or the reference path (default: fast for "
                                              "JSONL and built datasets)."),
    ) -> None:
        """Check documents against the schema and the corpus invariants; exit 1 when errors are found."""
        report = api.validate(paths, raw_root=raw_root, check_raw=not no_raw, fast=fast)
        out = report.format(fmt)
        if out:
            typer.echo(out)
        log(report.summary())
        if report.io_error:
            raise typer.Exit(EXIT_USAGE)
        raise typer.Exit(EXIT_OK if report.ok else EXIT_PROBLEMS)
