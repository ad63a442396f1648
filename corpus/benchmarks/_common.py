"""Helpers shared by the benchmark importers: raw pages, documents, gold metadata, rejects."""

from __future__ import annotations

import codecs
import datetime as _dt
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

from corpus.annotate.preannotate.language import normalise_language_tag
from corpus.errors import ConfigError, DocumentError
from corpus.ingestion.draft import draft_document
from corpus.limits import MAX_IMPORT_INDEX_BYTES, MAX_IMPORT_RECORD_BYTES, MAX_RAW_BYTES
from corpus.model import Document, Layer, Metadata
from corpus.registry import Imported, Reject
from corpus.text.decode import codec_name
from corpus.text.normalise import NormalisedPage, decode_raw, normalise_html_root, parse_html

#: Directory (under the output corpus root) that receives copies of the raw pages.
RAW_DIR = "raw"
# Path separators, characters Windows forbids in file names, and control characters.
_UNSAFE_NAME = re.compile(r'[/\\<>:"|?*\x00-\x1f\x7f]')
_YMD = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:$|[T ]\d)")
_DMY = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")


# -- options -----------------------------------------------------------------------------------
def check_options(fmt: str, options: dict[str, Any], allowed: Iterable[str]) -> None:
    """Abort (ConfigError) on an importer option the format does not know."""
    unknown = sorted(set(options) - set(allowed))
    if unknown:
        known = ", ".join(sorted(allowed)) or "(none)"
        raise ConfigError(f"{fmt}: unknown option(s) {', '.join(unknown)}; known: {known}")


def csv_option(value: Any) -> list[str]:
    """``a,b,c`` (or a list) -> ``["a", "b", "c"]`` without empty items."""
    items = value if isinstance(value, list | tuple) else str(value).split(",")
    return [str(v).strip() for v in items if str(v).strip()]


# -- files -------------------------------------------------------------------------------------
def require_dir(path: Path, what: str) -> Path:
    if not path.is_dir():
        raise ConfigError(f"{path}: {what} directory not found")
    return path


def load_json_index(path: Path, what: str) -> Any:
    """Load a benchmark's top-level JSON file; any problem with it aborts the import."""
    if not path.is_file():
        raise ConfigError(f"{path}: {what} not found")
    try:
        size = path.stat().st_size
        if size > MAX_IMPORT_INDEX_BYTES:
            raise ConfigError(f"{path}: {size} bytes, more than MAX_IMPORT_INDEX_BYTES={MAX_IMPORT_INDEX_BYTES}")
        return json.loads(path.read_bytes().decode("utf-8-sig"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read {what}: {exc}") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{path}: {what} is not valid UTF-8 JSON: {exc}") from exc


def iter_jsonl(path: Path) -> Iterator[tuple[int, Any]]:
    """``(line number, record)`` per non-empty line; a bad line yields a :class:`Reject` as record."""
    loc = path.name
    try:
        fh = path.open("rb")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from exc
    with fh:
        lineno = 0
        while True:
            line = fh.readline(MAX_IMPORT_RECORD_BYTES + 1)
            if not line:
                return
            lineno += 1
            if len(line) > MAX_IMPORT_RECORD_BYTES and not line.endswith(b"\n"):
                while line and not line.endswith(b"\n"):  # skip the rest of the oversized record
                    line = fh.readline(MAX_IMPORT_RECORD_BYTES)
                yield lineno, Reject(f"{loc}:{lineno}", "record_too_large",
                                     f"record exceeds MAX_IMPORT_RECORD_BYTES={MAX_IMPORT_RECORD_BYTES}")
                continue
            if not line.strip():
                continue
            try:
                yield lineno, json.loads(line.decode("utf-8"))
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                yield lineno, Reject(f"{loc}:{lineno}", "bad_json", f"not valid UTF-8 JSON: {exc}")


def read_page(path: Path) -> bytes:
    """Raw bytes of one page file; a missing, unreadable or oversized file is a per-document error."""
    if not path.is_file():
        raise DocumentError(f"{path.name}: page file not found", reason="missing_page")
    try:
        size = path.stat().st_size
        if size > MAX_RAW_BYTES:
            raise DocumentError(f"{path.name}: {size} bytes, more than MAX_RAW_BYTES={MAX_RAW_BYTES}",
                                reason="raw_too_large")
        return path.read_bytes()
    except OSError as exc:
        raise DocumentError(f"{path.name}: cannot read: {exc}", reason="unreadable_page") from exc


#: Byte-order marks a legacy gold text file may start with, and their codecs.
_TEXT_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# Bytes windows-1252 leaves undefined come out of surrogateescape as U+DC81 ... U+DC9D.
_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")


def decode_legacy_text(raw: bytes) -> tuple[str, str]:
    """``(text, encoding)`` of a hand-made gold text file of a pre-2015 dataset; never a guess.

    A UTF-8 or UTF-16 byte-order mark decides; otherwise the bytes are UTF-8 when they are valid
    UTF-8, else windows-1252 (the encoding of text saved on the annotators' Windows machines; the
    five bytes it leaves undefined become the C1 characters of the same value, as in browsers).
    """
    for bom, codec in _TEXT_BOMS:
        if raw.startswith(bom):
            try:
                return raw[len(bom) :].decode(codec), codec
            except UnicodeDecodeError:
                break
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="surrogateescape")
        return _ESCAPED_BYTE.sub(lambda m: chr(ord(m.group()) - 0xDC00), text), "cp1252"


def read_text_file(path: Path, *, missing_reason: str = "missing_gold") -> str:
    """A legacy gold text file (Dragnet ``Corrected/``, CleanEval gold), see :func:`decode_legacy_text`."""
    if not path.is_file():
        raise DocumentError(f"{path.name}: gold file not found", reason=missing_reason)
    return decode_legacy_text(read_page(path))[0]


def safe_name(name: str) -> str:
    """``name`` made safe under ``raw/<dataset>/``: separators and reserved characters become ``_``."""
    cleaned = _UNSAFE_NAME.sub("_", name).strip().lstrip(".")
    return cleaned or "page"


def raw_path_for(source_dataset: str, file_name: str) -> str:
    """``raw/<source_dataset>/<file name>``, relative to the output corpus root."""
    return f"{RAW_DIR}/{source_dataset}/{safe_name(file_name)}"


# -- documents ---------------------------------------------------------------------------------
def parse_page(raw: bytes, *, gzipped: bool, declared_charset: str | None = None):
    """Decode and parse an HTML page once: ``(lxml root or None, NormalisedPage)``."""
    decoded, encoding = decode_raw(raw, "html", gzipped=gzipped, declared_charset=declared_charset)
    root = parse_html(decoded)
    text, blocks, _ = normalise_html_root(root)
    return root, NormalisedPage(text, blocks, encoding, "html")


def make_document(
    raw: bytes,
    *,
    source_dataset: str,
    file_name: str,
    source_id: str | None,
    url: str | None,
    license: str | None,
    gzipped: bool | None = None,
    declared_charset: str | None = None,
    page: NormalisedPage | None = None,
) -> Document:
    """A draft document for ``raw``, stored at ``raw/<source_dataset>/<file_name>``.

    A page that normalises to no text is not a document: DocumentError ``no_text`` (a reject).
    """
    raw_path = raw_path_for(source_dataset, file_name)
    if gzipped is None:
        gzipped = raw_path.lower().endswith(".gz")
    doc = draft_document(
        raw,
        raw_path=raw_path,
        raw_format="html",
        gzipped=gzipped,
        url=clean_str(url),
        source_dataset=source_dataset,
        source_id=source_id,
        license=license,
        declared_charset=declared_charset,
        page=page,
    )
    if not doc.text:
        raise DocumentError(f"{file_name}: the page normalises to no text", reason="no_text")
    return doc


def with_gold_metadata(doc: Document, metadata: Metadata, *, by: str) -> Document:
    """``doc`` with the source's metadata, marked gold, when the source gave any field."""
    if metadata == Metadata():
        return doc
    return doc.replace(metadata=metadata, annotation=replace(doc.annotation, metadata=Layer(status="gold", by=by)))


# -- values ------------------------------------------------------------------------------------
def clean_str(value: Any) -> str | None:
    """A non-empty stripped string, or None."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value or None


def str_list(value: Any) -> tuple[str, ...]:
    """A tuple of non-empty strings from a list (or a single string)."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple):
        return ()
    return tuple(s for s in (clean_str(v) for v in value) if s)


def split_authors(value: Any) -> tuple[str, ...]:
    """Authors from a list or a ``;``-separated string (commas are kept: "Name, PhD")."""
    if isinstance(value, str):
        value = value.split(";")
    return str_list(value)


def iso_date(value: Any) -> str | None:
    """The date part (``YYYY-MM-DD``) of a date or timestamp string; None when not a valid date."""
    s = clean_str(value)
    if s is None:
        return None
    m = _YMD.match(s)
    if m:
        y, mo, d = (int(g) for g in m.groups())
    else:
        m = _DMY.match(s)
        if not m:
            return None
        d, mo, y = (int(g) for g in m.groups())
    try:
        return _dt.date(y, mo, d).isoformat()
    except ValueError:
        return None


def language_tag(value: Any) -> str | None:
    """A gold language as a BCP-47 tag (``en``, ``pt-BR``), or None (the pre-annotator's rule)."""
    return normalise_language_tag(clean_str(value))


def charset_label(value: Any) -> str | None:
    """A charset label Python knows, or None."""
    s = clean_str(value)
    return s if s and codec_name(s) else None


# -- control flow ------------------------------------------------------------------------------
def guarded(location: str, build: Callable[[], Imported]) -> Imported | Reject:
    """Run one entry's import; per-document problems become a :class:`Reject` with a named reason."""
    try:
        return build()
    except DocumentError as exc:
        return Reject(location, exc.reason, str(exc))
    except OSError as exc:
        return Reject(location, "unreadable_file", str(exc))
    except (ValueError, TypeError, KeyError, UnicodeError) as exc:
        return Reject(location, "malformed_entry", f"{type(exc).__name__}: {exc}")


def unique(items: Iterable[Imported | Reject]) -> Iterator[Imported | Reject]:
    """Pass items through; a second page with the same raw bytes (same id) becomes a reject."""
    seen: dict[str, str | None] = {}
    for item in items:
        if isinstance(item, Imported):
            doc = item.document
            if doc.id in seen:
                yield Reject(doc.source.source_id or doc.id, "duplicate_page",
                             f"same raw bytes as the entry {seen[doc.id]!r} (document {doc.id})")
                continue
            seen[doc.id] = doc.source.source_id
        yield item
