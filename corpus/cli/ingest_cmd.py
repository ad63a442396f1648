"""``corpus ingest PATH... --out DIR [--jobs N]``: raw pages -> draft documents + rejects."""

from __future__ import annotations

import signal
import sys
from pathlib import Path

import typer

import corpus.api as api
from corpus.cli.common import (
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_PROBLEMS,
    fail,
    jobs_option,
    log,
    out_option,
)
from corpus.labels import NATIVE_SOURCE as NATIVE
from corpus.paths import holds_documents


def provenance_notice(source_dataset: str | None, license: str | None) -> str | None:
    """What the user should know about the provenance the documents will record (None: nothing)."""
    if source_dataset is None:
        return (f"note: recording these pages as source_dataset {NATIVE!r} (pages written for this corpus, "
                f"{'licence ' + license if license else 'no licence'}); for pages from elsewhere pass "
                "--source-dataset NAME and --license SPDX-ID (the card's licence table and the splits use them)")
    if license is None and source_dataset != NATIVE:
        return (f"note: no licence recorded for the {source_dataset!r} pages; pass --license SPDX-ID if it "
                "is known (the dataset card lists it per source)")
    return None

#: Exit code after Ctrl-C (128 + SIGINT, as shells report it).


def register(app: typer.Typer) -> None:
    @app.command("ingest")
    def ingest_cmd(
        paths: list[Path] = typer.Argument(..., metavar="PATH", help="Files or directories: .html, .htm, .txt "
                                           "(optionally .gz), .warc, .warc.gz."),
        out: Path = out_option(..., "Output corpus directory (created if missing)."),
        jobs: int = jobs_option("read and draft the pages"),
        layout: str = typer.Option("files", "--layout",
                                   help="files: documents/<id>.json + rejects.jsonl; shards: JSONL shards "
                                        "with completion markers (for large runs)."),
        no_preannotate: bool = typer.Option(False, "--no-preannotate", help="Skip model pre-annotation."),
        ner: str = typer.Option("auto", "--ner", help="NER backend for pre-annotation (auto, none, ...)."),
        source_dataset: str | None = typer.Option(
            None, "--source-dataset", metavar="NAME",
            help="source.source_dataset: where the pages come from (default native: pages written for this "
                 "corpus).",
        ),
        license: str | None = typer.Option(None, "--license", metavar="SPDX",
                                           help="source.license: the pages' licence (SPDX id)."),
        files_per_shard: int | None = typer.Option(None, "--files-per-shard",
                                                   help="Page files per shard (default 256)."),
        quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar, no summary."),
        normaliser: str | None = typer.Option(None, "--normaliser",
                                       help="v2 (HTML5 parser, the default) or v1 (lxml; docs/normalisation.md)."),
        labeller: str = typer.Option("learned", "--labeller", metavar="learned|rules",
                                     help="Block labeller of the drafts: learned (the shipped model) or rules "
                                          "(main-content extraction; extra extract, normaliser v1)."),
    ) -> None:
        """Raw pages (files, directories, WARC) -> schema-valid draft documents + rejects; resumable.

        Adds to an existing corpus: inputs already ingested into DIR are skipped.
        """
        try:
            summary = api.ingest(
                paths, out, jobs=jobs, layout=layout, preannotate=not no_preannotate, ner=ner,
                source_dataset=source_dataset or NATIVE, license=license, files_per_shard=files_per_shard,
                progress=not quiet and sys.stderr.isatty(), normaliser=normaliser, labeller=labeller,
            )
        except KeyboardInterrupt:
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C while exiting: no traceback
            raise typer.Exit(EXIT_INTERRUPTED) from None
        if not quiet:
            for line in summary.lines():
                log(line)
        if summary.documents == 0 and not holds_documents(out):  # a rerun may add nothing to a full corpus
            if summary.rejects == 0:
                raise fail(f"no pages found in {', '.join(map(str, paths))}: nothing was ingested (inputs are "
                           ".html, .htm, .txt, optionally .gz, .warc, .warc.gz)")
            where = out / ("rejects.jsonl" if layout == "files" else "rejects")
            raise fail(f"no documents: every input was rejected ({summary.rejects}; reasons in {where})",
                       EXIT_PROBLEMS)
        notice = provenance_notice(source_dataset, license)
        if notice and summary.documents:
            log(notice)
        raise typer.Exit(EXIT_OK)
