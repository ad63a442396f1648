"""``corpus stats CORPUS``: counts per label, language, source, domain and split."""

from __future__ import annotations

from pathlib import Path

import typer

import corpus.api as api
from corpus.cli.common import format_option


def stats_command(
    corpus: Path = typer.Argument(Path("data"), help="Corpus root, documents directory, JSONL or built dataset."),
    fmt: str = format_option("text", "json"),
    top: int = typer.Option(20, "--top", help="Rows per table in text output (0: all)."),
) -> None:
    """Print corpus statistics (splits as corpus build would assign them)."""
    stats = api.stats(corpus)
    typer.echo(stats.to_json() if fmt == "json" else stats.format_text(top=top))


def register(app: typer.Typer) -> None:
    app.command("stats")(stats_command)
