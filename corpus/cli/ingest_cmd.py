"""``corpus ingest PATH... --out DIR [--jobs N]``: raw pages -> draft documents + rejects."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

import corpus.api as api
from corpus.cli.common import EXIT_OK, jobs_option, log, out_option


def register(app: typer.Typer) -> None:
    @app.command("ingest")
    def ingest_cmd(
        paths: list[Path] = typer.Argument(..., help="Files or directories: .html, .htm, .txt (optionally .gz), "
                                           ".warc, .warc.gz."),
        out: Path = out_option(..., "Output corpus directory (created if missing)."),
        jobs: int = jobs_option("read and draft the pages"),
        layout: str = typer.Option("files", "--layout",
                                   help="files: documents/<id>.json + rejects.jsonl; shards: JSONL shards "
                                        "with completion markers (for large runs)."),
        no_preannotate: bool = typer.Option(False, "--no-preannotate", help="Skip model pre-annotation."),
        ner: str = typer.Option("auto", "--ner", help="NER backend for pre-annotation (auto, none, ...)."),
        source_dataset: str = typer.Option("native", "--source-dataset", help="source.source_dataset value."),
        license: str | None = typer.Option(None, "--license", help="source.license value (SPDX id)."),
        files_per_shard: int | None = typer.Option(None, "--files-per-shard",
                                                   help="Page files per shard (default 256)."),
        quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar, no summary."),
        normaliser: str | None = typer.Option(None, "--normaliser",
                                       help="v2 (HTML5 parser, the default) or v1 (lxml; docs/normalisation.md)."),
    ) -> None:
        """Raw pages (files, directories, WARC) -> schema-valid draft documents + rejects; resumable."""
        summary = api.ingest(
            paths, out, jobs=jobs, layout=layout, preannotate=not no_preannotate, ner=ner,
            source_dataset=source_dataset, license=license, files_per_shard=files_per_shard,
            progress=not quiet and sys.stderr.isatty(), normaliser=normaliser,
        )
        if not quiet:
            for line in summary.lines():
                log(line)
        raise typer.Exit(EXIT_OK)
