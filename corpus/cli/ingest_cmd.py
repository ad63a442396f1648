"""``corpus ingest PATH... --out DIR [--jobs N]``: raw pages -> draft documents + rejects."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from corpus.cli.common import EXIT_OK, fail


def register(app: typer.Typer) -> None:
    @app.command("ingest")
    def ingest_cmd(
        paths: list[Path] = typer.Argument(..., help="Files or directories: .html, .htm, .txt (optionally .gz), "
                                           ".warc, .warc.gz."),
        out: Path = typer.Option(..., "--out", "-o", help="Output corpus directory (created if missing)."),
        jobs: int = typer.Option(1, "--jobs", "-j", help="Worker processes."),
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
    ) -> None:
        """Raw pages (files, directories, WARC) -> schema-valid draft documents + rejects; resumable."""
        from corpus.ingest.engine import IngestOptions, ingest
        from corpus.limits import INGEST_FILES_PER_SHARD

        if jobs < 1:
            raise fail("--jobs must be at least 1")
        options = IngestOptions(
            layout=layout, preannotate=not no_preannotate, ner=ner, source_dataset=source_dataset,
            license=license, files_per_shard=files_per_shard or INGEST_FILES_PER_SHARD,
        )
        summary = ingest([str(p) for p in paths], out, options=options, jobs=jobs,
                         progress=not quiet and sys.stderr.isatty())
        if not quiet:
            for line in summary.lines():
                typer.echo(line, err=True)
        raise typer.Exit(EXIT_OK)
