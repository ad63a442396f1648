"""``corpus migrate``: read each document and its raw page, upgrade, re-normalise, carry, write, report.

The pure steps are :func:`corpus.migration.schema_upgrade.upgrade_schema` and
:func:`corpus.migration.carry.carry`; this module does the reading and writing (through
:mod:`corpus.store`). With ``out`` the migrated corpus is a new corpus root (``documents/<id>.json``,
the raw pages copied to their ``raw_path``, ``rejects.jsonl`` for documents that could not be
migrated); with ``in_place`` each document file is rewritten where it is (only when something changed).
"""

from __future__ import annotations

import json
import os
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from corpus.errors import ConfigError, CorpusError, DocumentError
from corpus.migration.carry import carry
from corpus.migration.report import DocumentReport, MigrationReport
from corpus.migration.schema_upgrade import upgrade_schema
from corpus.model import SCHEMA_VERSION, Document, sha256_hex
from corpus.paths import CorpusPaths, resolve
from corpus.progress import progress_bar
from corpus.store import (
    DOCUMENTS_DIR,
    Reject,
    RejectsFile,
    atomic_copy,
    atomic_write,
    document_json,
    document_line,
    ensure_out_dir,
)
from corpus.text.decode import REPLACEMENT_SUFFIX
from corpus.text.normalise import raw_format_for
from corpus.text.normalisers import DEFAULT_NORMALISER, NORMALISERS, check_normaliser, normalise_raw_with

#: Where the report goes by default (in ``out``, or the corpus root with ``in_place``); never read as documents.
REPORT_JSON = "migration-report.json"
REPORT_TEXT = "migration-report.txt"


@dataclass(frozen=True, slots=True)
class RawPage:
    """A document's raw page as read from the corpus: the bytes to normalise and where they came from."""

    payload: bytes
    gzipped: bool
    transport_charset: str | None
    file: Path  # the file to copy into a new corpus (a whole WARC file for a WARC record)


def read_raw(doc: Document, bases: list[Path]) -> RawPage:
    """The raw page of ``doc`` (its hash checked); a :class:`DocumentError` when it cannot be had."""
    src = doc.source
    if not src.raw_path:
        raise DocumentError("source.raw_path is not recorded: the raw page is needed to re-normalise",
                            reason="raw_missing")
    rel, _, fragment = src.raw_path.partition("#") if src.raw_format == "warc" else (src.raw_path, "", "")
    found = next((b / rel for b in bases if (b / rel).is_file()), None)
    if found is None:
        raise DocumentError(f"raw file {src.raw_path} not found under {', '.join(map(str, bases)) or '?'}",
                            reason="raw_missing")
    if src.raw_format == "warc":
        from corpus.warc import WarcPage, read_page_at

        page = read_page_at(str(found), fragment)
        if not isinstance(page, WarcPage):
            raise DocumentError(f"no readable HTML response record at {src.raw_path}", reason="raw_missing")
        raw, gzipped, charset = page.payload, page.gzipped, page.charset
    else:
        raw, gzipped, charset = found.read_bytes(), raw_format_for(rel)[1], None
    if sha256_hex(raw) != src.raw_sha256:
        raise DocumentError(f"raw page {src.raw_path} does not hash to source.raw_sha256", reason="raw_hash_mismatch")
    return RawPage(raw, gzipped, charset, found)


def declared_charset(doc: Document, raw: RawPage) -> str | None:
    """The transport charset to decode with: the WARC record's, or one recorded as transport.

    Before schema 1.2 the reason was not recorded; an imported document's encoding then came from its
    source dataset (a transport charset), a native page's from the decoder, which decodes afresh.
    """
    if raw.transport_charset is not None:
        return raw.transport_charset
    src = doc.source
    enc = src.encoding
    if not enc or enc.endswith(REPLACEMENT_SUFFIX) or src.raw_format == "warc":
        return None
    if src.encoding_source == "transport" or (src.encoding_source is None and src.source_dataset != "native"):
        return enc
    return None


def migrate_document(data: dict[str, Any], raw: RawPage, normaliser: str, rep: DocumentReport) -> Document:
    """One parsed document (any schema 1.x) at the current schema, re-normalised by ``normaliser``."""
    upgraded, steps = upgrade_schema(data)
    rep.from_schema, rep.to_schema, rep.schema_steps = str(data.get("schema_version")), SCHEMA_VERSION, steps
    doc = Document.from_dict(upgraded)
    page = normalise_raw_with(normaliser, raw.payload, doc.source.raw_format, gzipped=raw.gzipped,
                              declared_charset=declared_charset(doc, raw))
    if not page.text:
        raise DocumentError("the page has no visible text under the new normaliser", reason="no_text")
    return carry(doc, page, rep)


def _read_file(f: Path) -> list[dict[str, Any]]:
    try:
        if f.suffix == ".jsonl":
            with f.open(encoding="utf-8") as fh:
                return [json.loads(line) for line in fh if line.strip()]
        return [json.loads(f.read_text(encoding="utf-8"))]
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{f}: cannot read documents ({exc}); run `corpus validate {f}`") from None


def migrate(
    corpus: str | os.PathLike[str],
    *,
    out: str | os.PathLike[str] | None = None,
    in_place: bool = False,
    normaliser: str = DEFAULT_NORMALISER,
    report: str | os.PathLike[str] | None = None,
    progress: bool = False,
) -> MigrationReport:
    """Migrate every document of ``corpus`` to ``normaliser`` and the current schema (module docstring).

    Exactly one of ``out`` and ``in_place``. The report is written as JSON to ``report`` (default:
    ``migration-report.json`` in ``out`` or the corpus root) and as text beside it (``.txt``).
    """
    check_normaliser(normaliser)
    if (out is None) == (not in_place):
        raise ConfigError("give either --out DIR or --in-place")
    paths = resolve(corpus)
    if paths.built:
        raise ConfigError(f"{paths.given}: a built dataset cannot be migrated; migrate the corpus it was built from")
    out_dir = ensure_out_dir(out) if out is not None else None
    if out_dir is not None and paths.root is not None and out_dir.resolve() == paths.root.resolve():
        raise ConfigError(f"{out_dir}: --out is the corpus itself; use --in-place")
    rec = NORMALISERS[normaliser]
    result = MigrationReport(normaliser, rec.version, SCHEMA_VERSION, out=None if out_dir is None else str(out_dir),
                             in_place=in_place)
    seen: set[str] = set()
    copied: set[Path] = set()
    with ExitStack() as stack:
        rejects = stack.enter_context(RejectsFile(out_dir)) if out_dir is not None else None
        bar = stack.enter_context(progress_bar(len(paths.files), desc="migrate", unit="file", enabled=progress))
        for f in paths.files:
            _migrate_file(f, paths, normaliser, out_dir, result, seen, copied, rejects)
            bar.update(1)
    report_base = Path(report) if report is not None else (out_dir or paths.root or paths.given.parent) / REPORT_JSON
    atomic_write(report_base, result.to_json())
    atomic_write(report_base.with_suffix(".txt"), result.summary())
    result.written.extend([str(report_base), str(report_base.with_suffix(".txt"))])
    return result


def _migrate_file(f: Path, paths: CorpusPaths, normaliser: str, out_dir: Path | None, result: MigrationReport,
                  seen: set[str], copied: set[Path], rejects: RejectsFile | None) -> None:
    records = _read_file(f)
    new_records: list[dict[str, Any]] = []
    bases = paths.raw_bases(f)
    for data in records:
        doc_id = str(data.get("id", "?")) if isinstance(data, dict) else "?"
        rep = DocumentReport(doc_id, str(f))
        result.documents.append(rep)
        try:
            if not isinstance(data, dict):
                raise DocumentError("not a JSON object", reason="not_a_document")
            if doc_id in seen:
                raise DocumentError(f"duplicate id {doc_id}: only its first document is migrated",
                                    reason="duplicate_id")
            seen.add(doc_id)
            raw = read_raw(Document.from_dict(data), bases)
            new = migrate_document(data, raw, normaliser, rep)
        except (CorpusError, KeyError, TypeError, ValueError) as exc:
            reason = exc.reason if isinstance(exc, CorpusError) else "not_a_document"
            message = str(exc) if isinstance(exc, CorpusError) else f"unreadable document ({type(exc).__name__}: {exc})"
            rep.error = {"reason": reason, "message": message}
            if rejects is not None:
                rejects.add(Reject(str(f), reason, message, id=doc_id))
            new_records.append(data)
            continue
        new_records.append(new.to_dict())
        if out_dir is not None:
            dest = out_dir / DOCUMENTS_DIR / f"{new.id}.json"
            atomic_write(dest, document_json(new))
            result.written.append(str(dest))
            if raw.file not in copied:
                rel = (new.source.raw_path or "").partition("#")[0]
                atomic_copy(raw.file, out_dir / rel)
                copied.add(raw.file)
    if out_dir is None and new_records != records:
        text = "".join(map(document_line, new_records)) if f.suffix == ".jsonl" else document_json(new_records[0])
        atomic_write(f, text)
        result.written.append(str(f))
