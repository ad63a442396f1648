"""``corpus annotate export|import``: the human-editable annotation text format."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import typer

import corpus.api as api
from corpus.cli.common import EXIT_OK, EXIT_PROBLEMS, fail, log, out_file
from corpus.errors import CorpusError
from corpus.model import Document

_ID_LINE = re.compile(r"^# id: *(\S+) *$", re.M)


def _original(out: str | None, content: str) -> Document | None:
    """The document an import would replace (the ``--out`` file, or ``<id>.json`` in the ``--out``
    folder), when it exists: it locates a changed text at its first changed character."""
    m = _ID_LINE.search(content)
    if out is None or m is None:
        return None
    target = out_file(out, f"{m.group(1)}.json", create=False)
    if not target.is_file():
        return None
    try:
        return api.pick_document(target)
    except (CorpusError, OSError):
        return None  # not readable as a document: the import reports at the block instead


def register(app: typer.Typer) -> None:
    annotate = typer.Typer(help="Export a document to the editable annotation text format and import it back.",
                           no_args_is_help=True)
    app.add_typer(annotate, name="annotate")

    @annotate.command("export")
    def export(
        doc: Path = typer.Argument(..., metavar="DOC", help="A document file (or a directory / JSONL with --id)."),
        out: str | None = typer.Option(
            None, "--out", "-o", metavar="PATH",
            help="Annotation file to write, or a directory (existing, or given with a trailing /) to write "
                 "<id>.ann into; default: stdout.",
        ),
        doc_id: str | None = typer.Option(None, "--id", help="Document id when DOC holds several."),
    ) -> None:
        """Write DOC as an annotation text file (one line per block, entities inline)."""
        from corpus.annotate.annotext import export_text

        document = api.pick_document(doc, doc_id)
        text = export_text(document)
        if out is None:
            sys.stdout.write(text)
        else:
            from corpus.store import atomic_write

            target = out_file(out, f"{document.id}.ann")
            atomic_write(target, text)
            log(f"wrote {target}")

    @annotate.command("import")
    def import_(
        file: Path = typer.Argument(..., metavar="FILE", help="An edited annotation file."),
        out: str | None = typer.Option(
            None, "--out", "-o", metavar="PATH",
            help="Document file to write, or a directory (existing, or given with a trailing /) to write "
                 "<id>.json into; default: stdout.",
        ),
        raw_root: Path | None = typer.Option(None, "--raw-root", help="Corpus root holding source.raw_path: "
                                             "also check that the raw page reproduces the text."),
        annotator: str | None = typer.Option(
            None, "--annotator", metavar="NAME",
            help="Record the correction: every layer gets --status, by NAME, and the guidelines version.",
        ),
        status: str = typer.Option(
            "gold", "--status", metavar="[gold|projected|model|none]",
            help="Layer status recorded with --annotator (gold: every label was checked by a person).",
        ),
    ) -> None:
        """Rebuild the document from FILE, validate it and write it; problems are reported at FILE's
        line and column (exit 1 when there are errors)."""
        from corpus.annotate.annotext import import_text, raw_problems, unchecked_layers
        from corpus.labels import ANNOTATION_STATUSES
        from corpus.store import document_json, write_document

        if status not in ANNOTATION_STATUSES:
            raise fail(f"--status: choose one of {', '.join(ANNOTATION_STATUSES)}, not {status!r}")
        if annotator is not None and not annotator.strip():
            raise fail("--annotator: the name is empty")
        if not file.is_file():
            raise fail(f"{file}: no such file")
        try:
            content = file.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise fail(f"{file}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
        result = import_text(content, str(file), annotator=annotator, status=status,
                             original=_original(out, content))
        problems = list(result.problems)
        if result.document is not None and raw_root is not None:
            problems += raw_problems(result.document, raw_root, str(file), content)
        for prob in problems:
            log(prob.format_text())
        if any(p.severity == "error" for p in problems) or result.document is None:
            n = sum(1 for p in problems if p.severity == "error")
            log(f"{file}: {n} error(s); nothing written")
            raise typer.Exit(EXIT_PROBLEMS)
        doc = result.document
        if out is None:
            sys.stdout.write(document_json(doc))
        else:
            target = out_file(out, f"{doc.id}.json")
            write_document(doc, target)
            log(f"wrote {target}")
        unchecked = unchecked_layers(doc)
        if unchecked and annotator is None:
            shown = ", ".join(f"{name} ({getattr(doc.annotation, name).status})" for name in unchecked)
            log(f"note: {shown} still recorded as machine output; if you checked them, rerun with "
                "--annotator NAME to record them as gold")
        raise typer.Exit(EXIT_OK)
