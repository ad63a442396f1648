"""File and corpus layers: reading document files, positions, raw pages, duplicate ids."""

from __future__ import annotations

import codecs
import hashlib
import json
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import repeat
from operator import itemgetter
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

from corpus.errors import ConfigError
from corpus.labels import RAW_FORMATS
from corpus.limits import MAX_DOCUMENT_BYTES, MAX_RAW_BYTES
from corpus.model import Normalizer
from corpus.paths import document_files, is_built_dataset
from corpus.text.decode import REPLACEMENT_SUFFIX
from corpus.text.normalisers import NORMALISERS, normaliser_of
from corpus.validation import validate_document
from corpus.validation.fast import is_clean
from corpus.validation.jsonpos import JsonSyntaxError, JsonTooDeep, LineIndex, Parsed, locate, parse
from corpus.validation.problems import Problem, Report, problem
from corpus.validation.schema import show
from corpus.validation.semantic import SHA_RE, as_int

_FAILED = object()
_UTF16_32_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE, codecs.BOM_UTF32_BE)
_HASH_CHUNK = 1 << 20
# "#<offset>[+<n>]" after a WARC raw_path (see corpus.warc)
WARC_OFFSET_RE = re.compile(r"[0-9]{1,19}(?:\+[0-9]{1,19})?")


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


class _Locator:
    """Pointer -> (line, column) for one record; parses the record's text only when asked."""

    def __init__(self, text: str | None, line0: int, bom: bool, parsed: Parsed | None = None):
        self.text, self.line0, self.bom, self._parsed = text, line0, bom, parsed
        self._index: LineIndex | None = None

    def at(self, pointer: str) -> tuple[int, int]:
        if self.text is None:
            return self.line0, 0
        if self._parsed is None:
            try:
                self._parsed = parse(self.text)
            except ValueError:
                return self.line0, 1
        if self._index is None:
            self._index = LineIndex(self.text)
        line, col = self._index.line_col(locate(self._parsed.positions, pointer))
        return self.line0 + line - 1, col + (1 if self.bom and line == 1 else 0)


def _offset_line_col(text: str, offset: int) -> tuple[int, int]:
    return LineIndex(text).line_col(offset)


def _no_duplicate_keys(text: str, data: dict[str, Any]) -> bool:
    """Exact duplicate-key test for a document :func:`is_clean` accepted, without re-parsing.

    Outside strings a ':' only separates a key from its value, so the source holds
    ``count(':') - colons inside strings`` keys; the parsed document holds fewer exactly when a key
    was repeated (later values replace earlier ones, and any colons in the replaced values make the
    difference larger still). Colons written as ``\\u003a`` would break the count, so such texts
    go to the exact parser instead.
    """
    if "\\u003" in text:
        return False
    keys, colons = _clean_counts(data)
    return text.count(":") - colons == keys


def _strs(values: Any) -> str:
    return "".join(v for v in values if type(v) is str)


def _clean_counts(d: dict[str, Any]) -> tuple[int, int]:
    """(number of keys, number of ':' in string values) of a document :func:`is_clean` accepted.

    Keys are the schema's own names and enum values contain no ':', so only free strings count.
    """
    src, meta, ann, blocks, ents = d["source"], d["metadata"], d["annotation"], d["blocks"], d["entities"]
    layers = (ann["blocks"], ann["entities"], ann["metadata"])
    checks, ref = d.get("checks") or {}, d.get("reference") or {}
    keys = (len(d) + len(src) + len(d["normalizer"]) + len(meta) + len(ann) + sum(map(len, layers))
            + len(checks) + len(ref) + sum(map(len, blocks)) + len(ents) * 4)
    parts = [
        d["text"], _strs(src.values()), d["normalizer"]["name"], d["normalizer"]["version"],
        _strs(meta.values()), *("".join(meta.get(k, ())) for k in ("authors", "categories", "tags")),
        *("".join(checks.get(k, ())) for k in ("include", "exclude")), _strs(ref.values()),
        *(_strs((layer.get("by"), layer.get("tool"))) for layer in layers), ann.get("guidelines_version") or "",
        "".join(filter(None, map(dict.get, blocks, repeat("tag")))),
        "".join(filter(None, map(dict.get, blocks, repeat("xpath")))),
        "".join(map(itemgetter("text"), ents)),
    ]
    return keys, sum(p.count(":") for p in parts)


@dataclass(slots=True)
class _IdSite:
    file: str
    path: Path | None
    line0: int
    jsonl: bool


def _no_progress(n: int) -> None:
    return None


class _Run:
    def __init__(self, raw_root: Path | None, check_raw: bool, fast: bool | None):
        self.raw_root = raw_root
        self.check_raw = check_raw
        self.fast = fast
        self.report = Report()
        self._seen: set[Path] = set()
        self._order: dict[str, int] = {}
        self._items: list[tuple[int, int, int, int, Problem]] = []
        self._ids: dict[str, list[_IdSite]] = {}
        self.on_file: Callable[[int], Any] = _no_progress

    # -- output ------------------------------------------------------------------------------
    def emit(self, p: Problem) -> None:
        order = self._order.setdefault(p.file, len(self._order))
        self._items.append((order, p.line, p.column, len(self._items), p))

    def finish(self) -> Report:
        for doc_id, sites in self._ids.items():
            if len(sites) < 2:
                continue
            where = [self._id_position(s) for s in sites]
            for k, (file, line, col) in enumerate(where):
                others = [f"{f}:{ln}" for j, (f, ln, _) in enumerate(where) if j != k]
                shown = ", ".join(others[:3]) + (f" and {len(others) - 3} more" if len(others) > 3 else "")
                self.emit(problem("id-duplicate", "/id", f"id {doc_id!r} is also used by {shown}",
                                  file=file, line=line, column=col))
        self.report.problems = [item[-1] for item in sorted(self._items, key=lambda t: t[:4])]
        return self.report

    def _id_position(self, site: _IdSite) -> tuple[str, int, int]:
        if site.path is None:
            return site.file, site.line0, 0
        try:
            if site.jsonl:
                with site.path.open("rb") as fh:
                    for _ in range(site.line0 - 1):
                        fh.readline()
                    raw = fh.readline(MAX_DOCUMENT_BYTES + 1)
            else:
                raw = site.path.read_bytes()
            bom = raw.startswith(codecs.BOM_UTF8)
            text = raw[3:].decode("utf-8") if bom else raw.decode("utf-8")
        except (OSError, UnicodeDecodeError):
            return site.file, site.line0, 1
        line, col = _Locator(text, site.line0, bom).at("/id")
        return site.file, line, col

    # -- inputs ------------------------------------------------------------------------------
    def add(self, path: Path) -> None:
        if is_built_dataset(path):
            self._built(path)
        elif path.is_dir():
            for f in self._walk(path):
                self._file(f)
        else:
            self._file(path)

    def _walk(self, d: Path) -> list[Path]:
        # the one resolver (corpus.paths): a corpus root's documents/ and shards/, never rejects or state
        try:
            return document_files(d)
        except OSError as exc:
            self.report.files += 1
            self.emit(problem("file-unreadable", "", f"cannot list the directory: {exc.strerror or exc}",
                              file=str(d), line=1, column=1))
            return []

    def _file(self, f: Path) -> None:
        key = f.resolve()
        if key in self._seen:
            return
        self._seen.add(key)
        self.report.files += 1
        self.on_file(1)
        name = str(f)
        jsonl = f.suffix == ".jsonl"
        fast = self.fast if self.fast is not None else jsonl
        try:
            if jsonl:
                self._jsonl(f, name, fast)
                return
            if f.stat().st_size > MAX_DOCUMENT_BYTES:
                self.report.documents += 1
                self.emit(problem("document-too-large", "",
                                  f"file is {f.stat().st_size} bytes, more than "
                                  f"MAX_DOCUMENT_BYTES={MAX_DOCUMENT_BYTES}",
                                  file=name, line=1, column=1))
                return
            raw = f.read_bytes()
        except OSError as exc:
            self.emit(problem("file-unreadable", "", f"cannot read the file: {exc.strerror or exc}",
                              file=name, line=1, column=1))
            return
        self._record(name, f, raw, 1, fast, jsonl=False)

    def _jsonl(self, f: Path, name: str, fast: bool) -> None:
        with f.open("rb") as fh:
            lineno = 0
            while True:
                chunk = fh.readline(MAX_DOCUMENT_BYTES + 1)
                if not chunk:
                    break
                lineno += 1
                if len(chunk) > MAX_DOCUMENT_BYTES and not chunk.endswith(b"\n"):
                    size = len(chunk)
                    while chunk and not chunk.endswith(b"\n"):
                        chunk = fh.readline(_HASH_CHUNK)
                        size += len(chunk)
                    self.report.documents += 1
                    self.emit(problem("document-too-large", "",
                                      f"record is {size} bytes, more than MAX_DOCUMENT_BYTES={MAX_DOCUMENT_BYTES}",
                                      file=name, line=lineno, column=1))
                    continue
                if chunk.strip():
                    self._record(name, f, chunk, lineno, fast, jsonl=True)

    def _record(self, name: str, path: Path, raw: bytes, line0: int, fast: bool, *, jsonl: bool) -> None:
        self.report.documents += 1
        bom = raw.startswith(codecs.BOM_UTF8)
        if bom:
            self.emit(problem("file-bom", "", "starts with a UTF-8 byte-order mark (JSON text must not have one)",
                              file=name, line=line0, column=1))
            raw = raw[3:]
        elif raw.startswith(_UTF16_32_BOMS):
            self.emit(problem("file-not-utf8", "", "starts with a UTF-16/UTF-32 byte-order mark; documents are UTF-8",
                              file=name, line=line0, column=1))
            return
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            prefix = raw[: exc.start].decode("utf-8", "replace")
            line, col = _offset_line_col(prefix, len(prefix))
            bad = raw[exc.start : exc.start + 1].hex()
            self.emit(problem("file-not-utf8", "", f"byte 0x{bad} at byte offset {exc.start} is not valid UTF-8 "
                              f"({exc.reason})", file=name, line=line0 + line - 1,
                              column=col + (1 if bom and line == 1 else 0)))
            return
        if fast:
            try:
                data = json.loads(text, parse_constant=_reject_constant)
            except (ValueError, RecursionError):
                data = _FAILED
            if data is not _FAILED and is_clean(data) and _no_duplicate_keys(text, data):
                self._finish_record(name, path, data, [], _Locator(text, line0, bom), line0, jsonl)
                return
        loc = _Locator(text, line0, bom)
        try:
            parsed = parse(text)
        except JsonTooDeep as exc:
            line, col = _offset_line_col(text, exc.pos)
            self.emit(problem("json-too-deep", exc.pointer, str(exc), file=name, line=line0 + line - 1,
                              column=col + (1 if bom and line == 1 else 0)))
            return
        except JsonSyntaxError as exc:
            line, col = _offset_line_col(text, exc.pos)
            self.emit(problem("json-syntax", "", f"invalid JSON: {exc}", file=name, line=line0 + line - 1,
                              column=col + (1 if bom and line == 1 else 0)))
            return
        loc._parsed = parsed
        found: list[Problem] = []
        index = LineIndex(text)
        for ptr, off in parsed.duplicates:
            line, col = index.line_col(off)
            key = ptr[ptr.rfind("/") + 1 :].replace("~1", "/").replace("~0", "~")
            self.emit(problem("json-duplicate-key", ptr,
                              f"key {show(key)} appears more than once in this object (readers keep only the last)",
                              file=name, line=line0 + line - 1, column=col + (1 if bom and line == 1 else 0)))
        found.extend(validate_document(parsed.value))
        self._finish_record(name, path, parsed.value, found, loc, line0, jsonl)

    def _finish_record(self, name: str, path: Path | None, data: Any, found: list[Problem], loc: _Locator,
                       line0: int, jsonl: bool, built: bool = False) -> None:
        if self.check_raw and isinstance(data, dict):
            found = found + self._raw(path, data, built)
        for p in found:
            line, col = loc.at(p.pointer)
            self.emit(p.at(name, line, col))
        doc_id = data.get("id") if isinstance(data, dict) else None
        if isinstance(doc_id, str):
            self._ids.setdefault(doc_id, []).append(_IdSite(name, None if built else path, line0, jsonl))

    def _built(self, d: Path) -> None:
        key = d.resolve()
        if key in self._seen:
            return
        self._seen.add(key)
        self.report.files += 1
        name = str(d)
        fast = self.fast if self.fast is not None else True
        from corpus.documents import load_documents

        try:
            for row, doc in enumerate(load_documents(d), start=1):
                self.report.documents += 1
                data = doc.to_dict()
                self._finish_record(name, None, data, validate_document(data, fast=fast),
                                    _Locator(None, row, False), row, False, built=True)
        except ImportError as exc:
            raise ConfigError(f"{d}: reading a built dataset is not available in this installation ({exc})") from exc
        except Exception as exc:  # unreadable shards: report, keep going with other inputs
            self.emit(problem("file-unreadable", "", f"cannot read the built dataset: {type(exc).__name__}: {exc}",
                              file=name, line=1, column=1))

    # -- raw pages ---------------------------------------------------------------------------
    def _raw_bases(self, path: Path | None, built: bool) -> list[Path]:
        if self.raw_root is not None:
            return [self.raw_root]
        if built or path is None:
            return []
        here = path.absolute().parent
        for anc in (here, *here.parents):
            if anc.name == "documents":
                return [anc.parent]
        return [here.parent, here]

    def _raw(self, path: Path | None, data: dict[str, Any], built: bool) -> list[Problem]:
        src = data.get("source")
        if not isinstance(src, dict):
            return []
        raw_path = src.get("raw_path")
        if raw_path is None:
            return [problem("raw-missing", "/source/raw_path", "no raw_path: the raw page is not recorded")]
        sha, fmt = src.get("raw_sha256"), src.get("raw_format")
        if not isinstance(raw_path, str) or not isinstance(sha, str) or not SHA_RE.search(sha) \
                or not isinstance(fmt, str) or fmt not in RAW_FORMATS:
            return []  # the schema layer reports these
        rel = raw_path.split("#", 1)[0] if fmt == "warc" else raw_path
        pure = PurePosixPath(rel)
        if not rel or pure.is_absolute() or "\\" in rel or ".." in pure.parts or PureWindowsPath(rel).drive:
            return [problem("raw-path-invalid", "/source/raw_path",
                            f"{show(raw_path)} must be a relative path with '/' separators inside the corpus root")]
        bases = self._raw_bases(path, built)
        if not bases:
            return []
        found = next((b / rel for b in bases if (b / rel).is_file()), None)
        if found is None:
            looked = " or ".join(str(b / rel) for b in bases)
            return [problem("raw-missing", "/source/raw_path",
                            f"raw file {show(raw_path)} not found (looked for {looked})")]
        gzipped = rel.lower().endswith(".gz")
        if fmt == "warc":
            from corpus.warc import WarcPage, read_page_at

            fragment = raw_path.partition("#")[2]
            if not WARC_OFFSET_RE.fullmatch(fragment):
                return [problem("raw-not-checked", "/source/raw_path",
                                f"{show(raw_path)} does not locate its record by byte offset (#<offset>[+<n>]): "
                                "its hash and text are not verified")]
            try:
                page = read_page_at(str(found), fragment)
            except OSError as exc:
                return [problem("raw-missing", "/source/raw_path",
                                f"WARC file {show(rel)} cannot be read: {exc.strerror}")]
            if not isinstance(page, WarcPage):
                if page is not None and page.reason == "digest_mismatch":
                    return [problem("raw-hash-mismatch", "/source/raw_sha256",
                                    f"the WARC record at {show(raw_path)} fails its own digest check: it was changed")]
                why = f" ({page.reason}: {page.message})" if page is not None else ""
                return [problem("raw-missing", "/source/raw_path",
                                f"no readable HTML response record at {show(raw_path)}{why}")]
            raw, gzipped = page.payload, page.gzipped
            digest = hashlib.sha256(raw).hexdigest()
        else:
            try:
                digest, raw = _hash_file(found)
            except OSError as exc:
                return [problem("raw-missing", "/source/raw_path",
                                f"raw file {show(raw_path)} cannot be read: {exc.strerror}")]
        if digest != sha:
            return [problem("raw-hash-mismatch", "/source/raw_sha256",
                            f"raw file {show(raw_path)} hashes to {digest[:16]}..., "
                            f"the document records {sha[:16]}...")]
        return self._renormalise(data, src, raw, gzipped)

    def _renormalise(self, data: dict[str, Any], src: dict[str, Any], raw: bytes | None, gzipped: bool
                     ) -> list[Problem]:
        norm = data.get("normalizer")
        name, version = (norm.get("name"), norm.get("version")) if isinstance(norm, dict) else (None, None)
        if not isinstance(name, str) or not isinstance(version, str):
            return []
        installed = normaliser_of(Normalizer(name, version))
        if installed is None:
            known = ", ".join(f"{n.name} {n.version}" for n in NORMALISERS.values())
            return [problem("normalizer-not-installed", "/normalizer/version",
                            f"recorded normaliser {name} {version} is not installed ({known} are); "
                            "text was not re-checked")]
        text = data.get("text")
        if not isinstance(text, str):
            return []
        if raw is None:
            return [problem("text-not-reproduced", "/text",
                            f"raw page is larger than MAX_RAW_BYTES={MAX_RAW_BYTES}; it cannot be re-normalised")]
        enc = src.get("encoding")
        declared = enc if isinstance(enc, str) and enc and not enc.endswith(REPLACEMENT_SUFFIX) else None
        from corpus.text.normalisers import normalise_raw_with

        try:
            page = normalise_raw_with(installed, raw, src["raw_format"], gzipped=gzipped, declared_charset=declared)
        except Exception as exc:  # DocumentError (bad gzip, too deep, binary) or a parser failure
            reason = getattr(exc, "reason", type(exc).__name__)
            return [problem("text-not-reproduced", "/text", f"re-normalising the raw page fails [{reason}]: {exc}")]
        if page.text != text:
            pairs = enumerate(zip(page.text, text, strict=False))
            i = next((k for k, (a, b) in pairs if a != b), min(len(page.text), len(text)))
            a = max(0, i - 20)
            return [problem("text-not-reproduced", "/text",
                            f"re-normalising the raw page gives different text: first difference at offset {i}: "
                            f"normaliser {show(page.text[a:i + 20])}, document {show(text[a:i + 20])} "
                            f"(lengths {len(page.text)} and {len(text)})")]
        blocks = data.get("blocks")
        if not isinstance(blocks, list):
            return []
        mine = [(as_int(b.get("start")), as_int(b.get("end"))) if isinstance(b, dict) else (None, None) for b in blocks]
        if any(s is None or e is None for s, e in mine):
            return []
        theirs = [(b.start, b.end) for b in page.blocks]
        if mine == theirs:
            return []
        pairs = enumerate(zip(mine, theirs, strict=False))
        k = next((i for i, (a, b) in pairs if a != b), min(len(mine), len(theirs)))
        if k < min(len(mine), len(theirs)):
            return [problem("blocks-not-reproduced", f"/blocks/{k}",
                            f"block {k} is [{mine[k][0]}, {mine[k][1]}) but the normaliser gives "
                            f"[{theirs[k][0]}, {theirs[k][1]}) ({len(mine)} vs {len(theirs)} blocks)")]
        return [problem("blocks-not-reproduced", "/blocks",
                        f"the document has {len(mine)} blocks, the normaliser gives {len(theirs)}")]


def _hash_file(path: Path) -> tuple[str, bytes | None]:
    """sha256 of a file, and its bytes when small enough to re-normalise."""
    if path.stat().st_size <= MAX_RAW_BYTES:
        raw = path.read_bytes()
        return hashlib.sha256(raw).hexdigest(), raw
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(_HASH_CHUNK), b""):
            h.update(chunk)
    return h.hexdigest(), None


def validate_record(data: Any, *, file: str | os.PathLike[str] | None = None,
                    raw_root: str | os.PathLike[str] | None = None, check_raw: bool = True) -> list[Problem]:
    """Problems of one parsed document as :func:`validate_paths` reports them for a file at ``file``
    (schema, semantic and raw-page layers; no positions, no corpus-wide checks such as duplicate ids).

    Lets a caller check a document before writing it, so that only documents the validator accepts
    reach the disk.
    """
    run = _Run(Path(raw_root) if raw_root is not None else None, check_raw, False)
    found = validate_document(data)
    if check_raw and isinstance(data, dict):
        found += run._raw(Path(file) if file is not None else None, data, False)
    return found


def validate_paths(
    paths: Iterable[str | os.PathLike[str]],
    *,
    raw_root: str | os.PathLike[str] | None = None,
    check_raw: bool = True,
    fast: bool | None = None,
    progress: bool | None = None,
) -> Report:
    """Validate document files, directories (``*.json``/``*.jsonl``, recursively), JSONL files and
    built dataset directories; raise :class:`ConfigError` when a path does not exist.

    ``raw_root`` is the directory ``source.raw_path`` is relative to (default: the parent of the
    ``documents/`` directory a file lives in). ``fast=None`` uses the fast path for JSONL files and
    built datasets; ``True``/``False`` force it on/off (the problems reported are the same).
    ``progress`` counts the files read on stderr (``None``: when stderr is a terminal).
    """
    items = [Path(paths)] if isinstance(paths, (str, os.PathLike)) else [Path(p) for p in paths]
    for p in items:
        if not p.exists():
            raise ConfigError(f"{p}: no such file or directory")
    root = Path(raw_root) if raw_root is not None else None
    if root is not None and not root.is_dir():
        raise ConfigError(f"--raw-root {root}: not a directory")
    from corpus.progress import progress as progress_bar

    run = _Run(root, check_raw, fast)
    with progress_bar(None, desc="validate", unit="file", enabled=progress) as bar:
        run.on_file = bar.update
        for p in items:
            run.add(p)
    return run.finish()

