"""``corpus agree`` (inter-annotator agreement) and ``corpus show`` (a document for review)."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from corpus.cli.common import EXIT_OK, fail


def _load(path: Path, what: str):
    from corpus.documents import load_documents

    if not path.exists():
        raise fail(f"{path}: no such file or directory")
    try:
        return list(load_documents(path))
    except (ValueError, KeyError, TypeError) as exc:
        raise fail(f"{path}: cannot read the {what} documents ({exc}); run `corpus validate {path}`") from None


def register(app: typer.Typer) -> None:
    @app.command("agree")
    def agree(
        a: Path = typer.Argument(..., metavar="A", help="Reference annotation set (documents dir or JSONL)."),
        b: Path = typer.Argument(..., metavar="B", help="Second annotation set of the same pages."),
        fmt: str = typer.Option("text", "--format", help="text or json."),
    ) -> None:
        """Agreement between two annotation sets: block kappa, entity P/R/F1, metadata agreement."""
        from corpus.evaluate.agree import agreement, format_json, format_text

        if fmt not in ("text", "json"):
            raise fail(f"--format must be text or json, not {fmt!r}")
        result = agreement(_load(a, "A"), _load(b, "B"))
        typer.echo(format_json(result) if fmt == "json" else format_text(result))
        raise typer.Exit(EXIT_OK)

    @app.command("show")
    def show(
        doc: Path = typer.Argument(..., metavar="DOC", help="A document file (or a directory / JSONL with --id)."),
        html: Path | None = typer.Option(None, "--html", help="Write a self-contained HTML review page here."),
        doc_id: str | None = typer.Option(None, "--id", help="Document id when DOC holds several."),
    ) -> None:
        """Render a document for review: an HTML page, or a terminal listing without --html."""
        from corpus.cli.annotate_cmd import _pick
        from corpus.review.show import render_html, render_terminal

        d = _pick(doc, doc_id)
        if html is None:
            sys.stdout.write(render_terminal(d))
            return
        html.parent.mkdir(parents=True, exist_ok=True)
        html.write_text(render_html(d), encoding="utf-8")
        typer.echo(f"wrote {html}", err=True)
