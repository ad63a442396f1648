"""``corpus import`` and ``corpus export``."""

from __future__ import annotations

from pathlib import Path

import typer

from corpus.cli.common import EXIT_OK, EXIT_PROBLEMS, fail


def _options(pairs: list[str]) -> dict[str, str]:
    opts = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise fail(f"--option takes KEY=VALUE, got {pair!r}")
        opts[key.replace("-", "_")] = value
    return opts


def register(app: typer.Typer) -> None:
    @app.command("import")
    def import_(
        fmt: str = typer.Argument(..., metavar="FORMAT", help="Source format (see `corpus formats`)."),
        src: Path = typer.Argument(..., help="The benchmark's local copy or the tool's export."),
        out: Path = typer.Option(..., "--out", help="Output corpus root (documents/, raw/, rejects.jsonl)."),
        corpus: Path | None = typer.Option(None, "--corpus", help="Corpus the annotations belong to (tool imports)."),
        option: list[str] = typer.Option([], "--option", "-o", help="Importer option KEY=VALUE (repeatable)."),
    ) -> None:
        """Import a public benchmark or an annotation tool's export as documents."""
        from corpus.formats import run_import

        opts = _options(option)
        if corpus is not None:
            opts["corpus"] = corpus
        summary = run_import(fmt, src, out, **opts)
        typer.echo(f"imported {summary.documents} documents into {out}/documents; {summary.rejects} rejects "
                   f"in {out}/rejects.jsonl", err=True)
        raise typer.Exit(EXIT_PROBLEMS if summary.rejects and not summary.documents else EXIT_OK)

    @app.command("export")
    def export(
        fmt: str = typer.Argument(..., metavar="FORMAT"),
        corpus: Path = typer.Argument(..., help="Documents directory, JSONL or built dataset."),
        out: Path = typer.Option(..., "--out"),
        option: list[str] = typer.Option([], "--option", "-o", help="Exporter option KEY=VALUE (repeatable)."),
    ) -> None:
        """Export documents to an annotation tool's or a training format."""
        from corpus.documents import load_documents
        from corpus.formats import run_export

        if not corpus.exists():
            raise fail(f"{corpus}: no such file or directory")
        n = run_export(fmt, load_documents(corpus), out, **_options(option))
        typer.echo(f"exported {n} documents to {out}", err=True)

    @app.command("formats")
    def formats() -> None:
        """List import and export formats."""
        from corpus.formats import exporters, importers

        for spec in importers().values():
            typer.echo(f"import  {spec.name:18} {spec.kind:9} {spec.description}")
        for spec in exporters().values():
            typer.echo(f"export  {spec.name:18} {'':9} {spec.description}")
