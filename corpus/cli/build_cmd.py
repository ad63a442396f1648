"""``corpus build`` (validate, then publish the dataset directory) and ``corpus verify``."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from corpus.cli.common import EXIT_OK, EXIT_PROBLEMS, fail


def build_command(
    data: Path = typer.Argument(Path("data"), help="Corpus root (with documents/), documents directory or JSONL."),
    out: Path = typer.Option(Path("dist/corpus"), "--out", "-o", help="Output directory (replaced atomically)."),
    name: str = typer.Option("webcorpus", "--name", help="Dataset name in the card and Croissant metadata."),
    check_raw: bool = typer.Option(
        True, "--check-raw/--no-check-raw", help="Check raw files exist, hash and re-normalise (validation)."
    ),
    dedup: bool = typer.Option(
        True,
        "--dedup/--no-dedup",
        help="Drop exact and near-duplicate documents (audit in dedup_audit.jsonl); without it the build "
        "fails if a duplicate pair straddles train and test.",
    ),
    jobs: int = typer.Option(
        1,
        "--jobs",
        "-j",
        help="Worker processes that read, fingerprint and convert the documents while this one writes the "
        "shards (0: one per CPU). The output is byte-identical for any value.",
    ),
) -> None:
    """Validate DATA, then write the Hugging Face dataset directory (Parquet shards, card, manifest)."""
    from corpus.dataset.build import InvalidCorpusError, SplitLeakageError, build

    if jobs < 0:
        raise fail("--jobs must be 0 (one per CPU) or more")
    try:
        result = build(data, out, check_raw=check_raw, name=name, dedup=dedup, jobs=jobs)
    except SplitLeakageError as exc:
        raise fail(f"{exc}; nothing was built", EXIT_PROBLEMS) from None
    except InvalidCorpusError as exc:
        report = exc.report
        text = report.format("text")
        if text:
            typer.echo(text)
        summary = report.summary() if hasattr(report, "summary") else ""
        raise fail(f"the corpus is not valid ({summary}); nothing was built", EXIT_PROBLEMS) from None
    split_docs = result.split_documents
    typer.echo(f"built {result.out}")
    typer.echo(
        f"documents: {sum(split_docs.values())} ("
        + ", ".join(f"{s} {n}" for s, n in split_docs.items())
        + f"); shards: {len(result.shards)}"
    )
    for config, info in result.manifest["configs"].items():
        rows = ", ".join(f"{s} {v['num_examples']}" for s, v in info["splits"].items())
        typer.echo(f"  {config:<11} {rows}")
    if result.dropped:
        typer.echo("dropped: " + ", ".join(f"{r} {n}" for r, n in sorted(result.dropped.items())))
    dd = result.manifest["dedup"]
    if dd["enabled"]:
        typer.echo(
            f"deduplication: {dd['dropped_exact']} exact and {dd['dropped_near']} near duplicate(s) dropped "
            f"(audit: {dd['audit']})"
        )
    typer.echo("load it with:")
    typer.echo("  from datasets import load_dataset")
    typer.echo(f"  ds = load_dataset({str(out)!r})  # configs: documents (default), blocks, entities, ner_tokens")


def verify_command(
    directory: Path = typer.Argument(..., help="A directory written by corpus build."),
    fmt: str = typer.Option("text", "--format", "-f", help="text or json."),
) -> None:
    """Re-check a published dataset directory against its MANIFEST.json."""
    from corpus.dataset.verify import verify_dir

    if fmt not in ("text", "json"):
        raise fail(f"unknown format {fmt!r}; choose text or json")
    if not directory.is_dir():
        raise fail(f"{directory}: no such directory")
    report = verify_dir(directory)
    if fmt == "json":
        typer.echo(
            json.dumps(
                {
                    "path": str(directory),
                    "ok": report.ok,
                    "shards": report.shards,
                    "rows": report.rows,
                    "problems": report.problems,
                },
                indent=2,
                ensure_ascii=False,
            )
        )
    else:
        typer.echo(report.format())
    raise typer.Exit(EXIT_OK if report.ok else EXIT_PROBLEMS)


def register(app: typer.Typer) -> None:
    app.command("build")(build_command)
    app.command("verify")(verify_command)
