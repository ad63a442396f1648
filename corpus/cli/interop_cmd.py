"""``corpus import``, ``corpus export`` and ``corpus formats``."""

from __future__ import annotations

from pathlib import Path

import typer

import corpus.api as api
from corpus.cli.common import EXIT_OK, EXIT_PROBLEMS, fail, log, out_option, pairs

#: Import warnings printed one per line; the rest are counted.
MAX_WARNINGS_SHOWN = 10


def _options(values: list[str]) -> dict[str, str]:
    return {key.replace("-", "_"): value for key, value in pairs(values, "--option")}


def register(app: typer.Typer) -> None:
    @app.command("import")
    def import_(
        fmt: str = typer.Argument(..., metavar="FORMAT", help="Source format (see `corpus formats`)."),
        src: Path = typer.Argument(..., help="The benchmark's local copy or the tool's export."),
        out: Path = out_option(..., "Output corpus root (documents/, raw/, rejects.jsonl)."),
        corpus: Path | None = typer.Option(None, "--corpus", help="Corpus the annotations belong to (tool imports)."),
        raw_root: Path | None = typer.Option(None, "--raw-root", help="Directory the --corpus documents' raw pages "
                                             "are under (tool imports; default: the --corpus root)."),
        option: list[str] = typer.Option([], "--option", help="Importer option KEY=VALUE (repeatable)."),
    ) -> None:
        """Import a public benchmark or an annotation tool's export as documents."""
        opts: dict[str, object] = dict(_options(option))
        if corpus is not None:
            opts["corpus"] = corpus
        if raw_root is not None:
            opts["raw_root"] = raw_root
        summary = api.import_(fmt, src, out, **opts)
        for warning in summary.warnings[:MAX_WARNINGS_SHOWN]:
            log(f"warning: {warning}")
        if len(summary.warnings) > MAX_WARNINGS_SHOWN:
            log(f"warning: … and {len(summary.warnings) - MAX_WARNINGS_SHOWN} more")
        log(f"imported {summary.documents} documents into {out}/documents; {summary.rejects} rejects "
            f"in {out}/rejects.jsonl")
        if not summary.documents:
            if not summary.rejects:
                raise fail(f"{src}: nothing to import (no {fmt} records found)")
            raise fail(f"no documents: every record was rejected ({summary.rejects}; reasons in "
                       f"{out}/rejects.jsonl)", EXIT_PROBLEMS)
        raise typer.Exit(EXIT_OK)

    @app.command("export")
    def export(
        fmt: str = typer.Argument(..., metavar="FORMAT"),
        corpus: Path = typer.Argument(..., help="Documents directory, JSONL or built dataset."),
        out: Path = out_option(..., "File or directory to write."),
        option: list[str] = typer.Option([], "--option", help="Exporter option KEY=VALUE (repeatable)."),
    ) -> None:
        """Export documents to an annotation tool's or a training format."""
        n = api.export(fmt, corpus, out, **_options(option))
        log(f"exported {n} documents to {out}")

    @app.command("formats")
    def formats() -> None:
        """List import and export formats."""
        from corpus.formats import exporters, importers

        for spec in importers().values():
            typer.echo(f"import  {spec.name:18} {spec.kind:9} {spec.description}")
        for spec in exporters().values():
            typer.echo(f"export  {spec.name:18} {'':9} {spec.description}")
