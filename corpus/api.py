"""The Python API, one function per ``corpus`` command.

Each function takes paths and options, does the work and returns a result object; the command line
(``corpus.cli``) only parses arguments, calls one of these and renders the result. Heavy modules are
imported when a function is called, so ``import corpus`` stays cheap.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from corpus.documents import load_corpus, load_documents
from corpus.errors import ConfigError

if TYPE_CHECKING:
    from corpus.dataset.build import BuildResult
    from corpus.dataset.stats import CorpusStats
    from corpus.dataset.verify import VerifyReport
    from corpus.evaluate.agree import Agreement
    from corpus.evaluate.bench import BenchResult
    from corpus.formats import ImportSummary
    from corpus.ingestion.engine import IngestSummary
    from corpus.migration.report import MigrationReport
    from corpus.model import Document
    from corpus.validation.problems import Report

PathLike = str | os.PathLike[str]

__all__ = [
    "DocumentNotFoundError",
    "agree",
    "bench",
    "build",
    "export",
    "import_",
    "ingest",
    "load_documents",
    "migrate",
    "pick_document",
    "review",
    "show",
    "stats",
    "validate",
    "verify",
]


class DocumentNotFoundError(ConfigError):
    """The path holds no document, several where one was asked for, or none with the given id."""

    reason = "document_not_found"


def _existing(path: PathLike) -> Path:
    p = Path(path)
    if not p.exists():
        raise FileNotFoundError(f"{p}: no such file or directory")
    return p


def ingest(
    paths: Sequence[PathLike],
    out: PathLike,
    *,
    jobs: int = 1,
    layout: str = "files",
    preannotate: bool = True,
    ner: str = "auto",
    source_dataset: str = "native",
    license: str | None = None,
    files_per_shard: int | None = None,
    progress: bool = False,
    normaliser: str | None = None,
    labeller: str = "learned",
) -> IngestSummary:
    """Raw pages (files, directories, WARC) → draft documents + ``rejects.jsonl`` in ``out``; resumable.

    ``normaliser``: ``v2`` (the default) or ``v1`` (docs/normalisation.md). ``labeller``: the block
    labeller of the drafts, ``learned`` (the default) or ``rules`` (needs the ``extract`` extra and
    labels normaliser v1 blocks, so the normaliser defaults to ``v1`` with it).
    Adds to a corpus already at ``out``: inputs its ``ingest-manifest.jsonl`` lists are skipped (the
    summary's ``nothing_to_do`` when every input is), existing documents are never overwritten.
    """
    from corpus.ingestion.engine import IngestOptions
    from corpus.ingestion.engine import ingest as run
    from corpus.limits import INGEST_FILES_PER_SHARD
    from corpus.store import ensure_out_dir
    from corpus.text.normalisers import DEFAULT_NORMALISER

    for p in paths:
        _existing(p)
    options = IngestOptions(  # before the output exists: bad options create nothing
        layout=layout, preannotate=preannotate, ner=ner, source_dataset=source_dataset, license=license,
        files_per_shard=files_per_shard or INGEST_FILES_PER_SHARD,
        normaliser=normaliser or ("v1" if labeller == "rules" else DEFAULT_NORMALISER), labeller=labeller,
    )
    ensure_out_dir(out)
    return run([str(p) for p in paths], out, options=options, jobs=jobs, progress=progress)


def validate(
    paths: Sequence[PathLike] | PathLike,
    *,
    raw_root: PathLike | None = None,
    check_raw: bool = True,
    fast: bool | None = None,
    progress: bool | None = None,
) -> Report:
    """Every problem of documents, JSONL files, ingest outputs or built datasets (``report.ok``).

    ``progress``: count the files read on stderr (``None``: when stderr is a terminal).
    """
    from corpus.validation import validate_paths

    items = [paths] if isinstance(paths, str | os.PathLike) else list(paths)
    for p in items:
        _existing(p)
    if raw_root is not None and not Path(raw_root).is_dir():
        raise FileNotFoundError(f"raw root {raw_root}: not a directory")
    return validate_paths([Path(p) for p in items], raw_root=raw_root, check_raw=check_raw, fast=fast,
                          progress=progress)


def migrate(
    corpus: PathLike,
    out: PathLike | None = None,
    *,
    in_place: bool = False,
    normaliser: str | None = None,
    report: PathLike | None = None,
    progress: bool = False,
) -> MigrationReport:
    """Bring every document of ``corpus`` to ``normaliser`` (default: the current default) and the current
    schema, carrying block labels and entities; writes ``out`` (a new corpus root) or, with
    ``in_place``, the document files themselves, and the report (``report.ok``: nothing to review)."""
    from corpus.migration.run import migrate as run
    from corpus.text.normalisers import DEFAULT_NORMALISER

    return run(_existing(corpus), out=out, in_place=in_place, normaliser=normaliser or DEFAULT_NORMALISER,
               report=report, progress=progress)


def build(
    data: PathLike = "data", out: PathLike = "dist/corpus", *, validate: bool = True, check_raw: bool = True,
    **options: Any,
) -> BuildResult:
    """Validate ``data`` and publish it as a Hugging Face dataset directory at ``out`` (atomically).

    Raises :class:`corpus.validation.InvalidCorpusError` when validation finds errors (nothing is
    written; ``check_raw`` also checks the raw pages). Other options are those of
    :func:`corpus.dataset.build.build` (``dedup``, ``jobs``, ``name``, ``date_published``, …); the card
    cites each source as its importer says (``citations``).
    """
    from functools import partial

    from corpus.dataset.build import build as run
    from corpus.formats import citations
    from corpus.validation import require_valid

    gate = partial(require_valid, check_raw=check_raw) if validate else None
    options.setdefault("citations", citations())
    return run(_existing(data), out, gate=gate, **options)


def verify(directory: PathLike) -> VerifyReport:
    """Re-check a directory written by :func:`build` against its ``MANIFEST.json``."""
    from corpus.dataset.verify import verify_dir

    d = Path(directory)
    if not d.is_dir():
        raise FileNotFoundError(f"{d}: no such directory")
    return verify_dir(d)


def import_(fmt: str, src: PathLike, out: PathLike, **options: Any) -> ImportSummary:
    """Import a public benchmark's local copy or an annotation tool's export into the corpus at ``out``."""
    from corpus.formats import run_import

    return run_import(fmt, _existing(src), out, **options)


def export(fmt: str, corpus: PathLike | Iterable[Document], out: PathLike, **options: Any) -> int:
    """Export documents (a corpus path or an iterable of documents) to a tool's or training format."""
    from corpus.formats import run_export

    docs = load_documents(_existing(corpus)) if isinstance(corpus, str | os.PathLike) else corpus
    return run_export(fmt, docs, out, **options)


def bench(
    corpus: PathLike,
    *,
    extractors: Sequence[str] = (),
    predictions: Sequence[tuple[str, str]] = (),
    block_predictions: Sequence[tuple[str, str]] = (),
    entity_predictions: Sequence[tuple[str, str]] = (),
    spacy_models: Sequence[tuple[str, str]] = (),
    out: PathLike | None = None,
    cache: PathLike | None = None,
    use_cache: bool = True,
    **options: Any,
) -> BenchResult:
    """Score extractors and prediction files against the corpus gold (DESIGN §6).

    The extractor output cache is ``cache``, else ``OUT/cache`` when ``out`` is given, else the user
    cache (``~/.cache/webcorpus/bench``); ``use_cache=False`` neither reads nor writes it. With ``out``
    the leaderboard, results and per-page files are written there. Other options are those of
    :func:`corpus.evaluate.bench.run_bench` (``metrics``, ``jobs``, ``bootstrap``, ``seed``, …).
    """
    from corpus.evaluate.bench import DEFAULT_CACHE, run_bench, score_structures

    if not (extractors or predictions or block_predictions or entity_predictions or spacy_models):
        raise ConfigError("nothing to score: give --extractor NAME (see corpus extractors), --predictions NAME=FILE, "
                          "--blocks NAME=DOCS, --entities NAME=DOCS or --spacy NAME=MODEL")
    from corpus.store import ensure_out_dir

    corpus_p = _existing(corpus)
    if out is not None:
        ensure_out_dir(out)
    if cache is not None and use_cache:
        ensure_out_dir(cache, option="--cache")
    cache_dir = None if not use_cache else cache or (Path(out) / "cache" if out is not None else DEFAULT_CACHE)
    result = run_bench(corpus_p, extractors=extractors, predictions=predictions, cache_dir=cache_dir, **options)
    if block_predictions or entity_predictions or spacy_models:
        docs, _ = load_corpus(corpus_p)
        score_structures(result, docs, block_predictions=block_predictions, entity_predictions=entity_predictions,
                         spacy_models=spacy_models)
    if out is not None:
        from corpus.evaluate.report import write_outputs

        result.written = write_outputs(result, out)
    return result


def agree(a: PathLike | Iterable[Document], b: PathLike | Iterable[Document]) -> Agreement:
    """Agreement between two annotation sets of the same pages (block kappa, entity and metadata scores)."""
    from corpus.evaluate.agree import agreement

    def docs(x: PathLike | Iterable[Document], what: str) -> list[Document]:
        if not isinstance(x, str | os.PathLike):
            return list(x)
        try:
            return list(load_documents(_existing(x)))
        except (ValueError, KeyError, TypeError) as exc:
            raise ConfigError(f"{x}: cannot read the {what} documents ({exc}); run `corpus validate {x}`") from None

    return agreement(docs(a, "A"), docs(b, "B"))


def stats(corpus: PathLike = "data") -> CorpusStats:
    """Counts per label, language, source, domain and split (splits as :func:`build` assigns them)."""
    from corpus.dataset.read import iter_built_documents
    from corpus.dataset.splits import assign_split
    from corpus.dataset.stats import corpus_stats
    from corpus.documents import iter_documents
    from corpus.paths import resolve

    paths = resolve(_existing(corpus))
    if paths.built:
        return corpus_stats(iter_built_documents(paths.given))
    return corpus_stats((assign_split(doc), doc) for doc in iter_documents(paths))


def pick_document(path: PathLike, doc_id: str | None = None) -> Document:
    """The one document in ``path`` (a file, directory or JSONL), or the one with ``doc_id``."""
    p = _existing(path)
    try:
        docs = [d for d in load_documents(p) if doc_id is None or d.id == doc_id]
    except (ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"{p}: not a readable document ({exc}); run `corpus validate {p}`") from None
    if not docs:
        raise DocumentNotFoundError(f"{p}: no document with id {doc_id}" if doc_id else f"{p}: no documents")
    if len(docs) > 1:
        raise DocumentNotFoundError(f"{p} holds {len(docs)} documents; choose one with an id")
    return docs[0]


def show(doc: PathLike | Document, *, doc_id: str | None = None, html: bool = False) -> str:
    """A document rendered for review: a self-contained HTML page, or a terminal listing."""
    from corpus.model import Document as _Document
    from corpus.review.show import render_html, render_terminal

    d = doc if isinstance(doc, _Document) else pick_document(doc, doc_id)
    return render_html(d) if html else render_terminal(d)


def review(corpus: PathLike, *, port: int = 0, annotator: str | None = None, open_browser: bool = False,
           on_ready: Any = None) -> None:
    """Serve the review app for ``corpus`` on 127.0.0.1 until Ctrl-C (``on_ready`` gets the tokened URL)."""
    from corpus.review.app import serve

    serve(_existing(corpus), port=port, annotator=annotator, open_browser=open_browser, on_ready=on_ready)
