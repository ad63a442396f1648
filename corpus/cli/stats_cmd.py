"""``corpus stats CORPUS``: counts per label, language, source, domain and split."""

from __future__ import annotations

from pathlib import Path

import typer

from corpus.cli.common import fail


def stats_command(
    corpus: Path = typer.Argument(Path("data"), help="Corpus root, documents directory, JSONL or built dataset."),
    fmt: str = typer.Option("text", "--format", "-f", help="text or json."),
    top: int = typer.Option(20, "--top", help="Rows per table in text output (0: all)."),
) -> None:
    """Print corpus statistics (splits as corpus build would assign them)."""
    from corpus.dataset.stats import stats_for_path

    if fmt not in ("text", "json"):
        raise fail(f"unknown format {fmt!r}; choose text or json")
    if not corpus.exists():
        raise fail(f"{corpus}: no such file or directory")
    stats = stats_for_path(corpus)
    typer.echo(stats.to_json() if fmt == "json" else stats.format_text(top=top))


def register(app: typer.Typer) -> None:
    app.command("stats")(stats_command)
