"""``corpus agree`` (inter-annotator agreement), ``corpus show`` (a document for review) and ``corpus review``
(the local web app that corrects drafts)."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

import corpus.api as api
from corpus.cli.common import EXIT_OK, EXIT_PROBLEMS, fail, format_option, log


def register(app: typer.Typer) -> None:
    @app.command("agree")
    def agree(
        a: Path = typer.Argument(..., metavar="A", help="Reference annotation set (documents dir or JSONL)."),
        b: Path = typer.Argument(..., metavar="B", help="Second annotation set of the same pages."),
        fmt: str = format_option("text", "json"),
    ) -> None:
        """Agreement between two annotation sets: block kappa, entity P/R/F1, metadata agreement."""
        from corpus.evaluate.agree import format_json, format_text

        result = api.agree(a, b)
        typer.echo(format_json(result) if fmt == "json" else format_text(result))
        if not result.comparable:
            raise fail(result.nothing_comparable(), EXIT_PROBLEMS)
        raise typer.Exit(EXIT_OK)

    @app.command("show")
    def show(
        doc: Path = typer.Argument(..., metavar="DOC", help="A document file (or a directory / JSONL with --id)."),
        html: Path | None = typer.Option(None, "--html", help="Write a self-contained HTML review page here."),
        doc_id: str | None = typer.Option(None, "--id", help="Document id when DOC holds several."),
    ) -> None:
        """Render a document for review: an HTML page, or a terminal listing without --html."""
        if html is None:
            sys.stdout.write(api.show(doc, doc_id=doc_id))
            return
        page = api.show(doc, doc_id=doc_id, html=True)
        html.parent.mkdir(parents=True, exist_ok=True)
        html.write_text(page, encoding="utf-8")
        log(f"wrote {html}")

    @app.command("review")
    def review(
        corpus: Path = typer.Argument(..., metavar="CORPUS", help="A corpus root or documents directory (*.json)."),
        port: int = typer.Option(0, "--port", help="Port on 127.0.0.1 (0: any free port)."),
        annotator: str | None = typer.Option(None, "--annotator",
                                             help="Name recorded as 'by' on the layers you accept as gold."),
        open_browser: bool = typer.Option(False, "--open", help="Open the address in the default browser."),
    ) -> None:
        """Correct drafts in the browser: a local web app on 127.0.0.1 with a per-run token in its address."""
        def ready(url: str) -> None:
            log(f"reviewing {corpus} at {url}")
            log("only this address (with its token) is served; press Ctrl-C to stop")

        api.review(corpus, port=port, annotator=annotator, open_browser=open_browser, on_ready=ready)
        log("stopped")
