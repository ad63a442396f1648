"""``corpus bench`` and ``corpus extractors``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

import corpus.api as api
from corpus.cli.common import EXIT_OK, EXIT_PROBLEMS, fail, format_option, jobs_option, log, out_option, pairs
from corpus.limits import EXTRACTOR_TIMEOUT_S


def register(app: typer.Typer) -> None:
    @app.command("bench")
    def bench(
        corpus: Path = typer.Argument(..., help="Corpus root, documents directory, JSONL file or built dataset."),
        extractor: list[str] = typer.Option([], "--extractor", "-e",
                                            help="Extractor to run, NAME or NAME:VARIANT (repeatable)."),
        predictions: list[str] = typer.Option([], "--predictions", "-p",
                                              help="NAME=FILE: outputs of a system run elsewhere (repeatable)."),
        metric: list[str] = typer.Option([], "--metric", "-m",
                                         help="aeb_shingle4 | trafilatura_segments | token_f1 | wcxb_word_f1 "
                                              "(repeatable; default: every metric the corpus has gold for)."),
        jobs: int = jobs_option("run the extractors"),
        out: Path | None = out_option(None, "Write leaderboard.md, results.json, per_page.jsonl, plots here."),
        fmt: str = format_option("text", "json", "markdown"),
        raw_root: Path | None = typer.Option(None, "--raw-root", help="Directory raw_path is relative to "
                                                                      "(default: the corpus root)."),
        cache: Path | None = typer.Option(None, "--cache", help="Extractor output cache (default: OUT/cache, "
                                                                "else ~/.cache/webcorpus/bench)."),
        no_cache: bool = typer.Option(False, "--no-cache", help="Neither read nor write cached outputs."),
        bootstrap: int = typer.Option(1000, "--bootstrap", help="Bootstrap resamples (0: none)."),
        seed: int = typer.Option(0, "--seed", help="Bootstrap seed."),
        timeout: float = typer.Option(EXTRACTOR_TIMEOUT_S, "--timeout", help="Seconds per page before a call "
                                                                              "fails."),
        block_predictions: list[str] = typer.Option([], "--blocks", help="NAME=DOCS: predicted block labels "
                                                                         "(documents) to score (repeatable)."),
        entity_predictions: list[str] = typer.Option([], "--entities", help="NAME=DOCS: predicted entities "
                                                                            "(documents) to score (repeatable)."),
        spacy_model: list[str] = typer.Option([], "--spacy", help="NAME=MODEL: score a spaCy pipeline's "
                                                                  "entities (repeatable)."),
        progress: bool = typer.Option(True, "--progress/--no-progress", help="Progress on stderr."),
    ) -> None:
        """Score extractors and prediction files against the corpus gold (metrics: docs/metrics.md)."""
        from corpus.evaluate.report import render_markdown, render_text

        result = api.bench(
            corpus, extractors=extractor, predictions=pairs(predictions, "--predictions"),
            block_predictions=pairs(block_predictions, "--blocks"),
            entity_predictions=pairs(entity_predictions, "--entities"), spacy_models=pairs(spacy_model, "--spacy"),
            out=out, cache=cache, use_cache=not no_cache, metrics=metric or None, jobs=jobs, raw_root=raw_root,
            bootstrap=bootstrap, seed=seed, timeout=timeout,
            progress=progress and sys.stderr.isatty(),
        )
        nothing = result.nothing_scored()
        if nothing is not None:  # a table of empty rows would only hide the reason
            raise fail(nothing, EXIT_PROBLEMS)
        if result.written:
            log(f"wrote {', '.join(p.name for p in result.written)} to {out}")
        if fmt == "json":
            typer.echo(json.dumps(result.as_json(), indent=2, ensure_ascii=False))
        elif fmt == "markdown":
            typer.echo(render_markdown(result))
        else:
            typer.echo(render_text(result), nl=False)
        for part in result.unscored():
            log(f"note: {part}: no page scored")
        raise typer.Exit(EXIT_OK)

    @app.command("extractors")
    def extractors() -> None:
        """List the extractors `corpus bench --extractor` accepts, with installed versions."""
        from corpus.evaluate.extractors import available, installed, resolve

        for spec in available().values():
            for variant, options in spec.variants.items():
                name = spec.name + (f":{variant}" if variant else "")
                version = resolve(name).version if installed(spec) else f"not installed (extra {spec.extra})"
                opts = " ".join(f"{k}={v}" for k, v in options.items())
                typer.echo(f"{name:24} {version:22} {opts}")
