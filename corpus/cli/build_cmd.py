"""``corpus build`` (validate, then publish the dataset directory) and ``corpus verify``."""

from __future__ import annotations

import json
from pathlib import Path

import typer

import corpus.api as api
from corpus.cli.common import EXIT_OK, EXIT_PROBLEMS, fail, format_option, jobs_option, log, out_option


def build_command(
    data: Path = typer.Argument(Path("data"), help="Corpus root (with documents/), documents directory or JSONL."),
    out: Path = out_option(Path("dist/corpus"), "Output directory (replaced atomically)."),
    name: str = typer.Option("webcorpus", "--name", help="Dataset name in the card and Croissant metadata."),
    check_raw: bool = typer.Option(
        True, "--check-raw/--no-check-raw", help="Check raw files exist, hash and re-normalise (validation)."
    ),
    dedup: bool = typer.Option(
        True,
        "--dedup/--no-dedup",
        help="Drop exact and near-duplicate documents (audit in dedup_audit.jsonl); without it the build "
        "fails if a duplicate pair straddles two splits.",
    ),
    jobs: int = jobs_option("read, fingerprint and convert the documents while this one writes the shards; "
                            "the output is byte-identical for any value"),
) -> None:
    """Validate DATA, then write the Hugging Face dataset directory (Parquet shards, card, manifest)."""
    from corpus.dataset.build import SplitLeakageError
    from corpus.validation import InvalidCorpusError

    try:
        result = api.build(data, out, check_raw=check_raw, name=name, dedup=dedup, jobs=jobs)
    except SplitLeakageError as exc:
        raise fail(f"{exc}; nothing was built", EXIT_PROBLEMS) from None
    except InvalidCorpusError as exc:
        report = exc.report
        text = report.format("text")
        if text:
            typer.echo(text)
        raise fail(f"the corpus is not valid ({report.summary()}); nothing was built", EXIT_PROBLEMS) from None
    for line in result.summary_lines():
        log(line)


def verify_command(
    directory: Path = typer.Argument(..., help="A directory written by corpus build."),
    fmt: str = format_option("text", "json"),
) -> None:
    """Re-check a published dataset directory against its MANIFEST.json."""
    report = api.verify(directory)
    if fmt == "json":
        typer.echo(json.dumps({"path": str(directory), **report.as_dict()}, indent=2, ensure_ascii=False))
    else:
        typer.echo(report.format())
    raise typer.Exit(EXIT_OK if report.ok else EXIT_PROBLEMS)


def register(app: typer.Typer) -> None:
    app.command("build")(build_command)
    app.command("verify")(verify_command)
