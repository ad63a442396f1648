"""The documents a review session corrects: the queue, loading, edits, validation and atomic saves.

No web framework here: :mod:`corpus.review.app` serves a :class:`Workspace` over HTTP, and the tests
drive both. A save rebuilds the document from the file on disk and the annotator's edits (labels,
entities, metadata, layer statuses; never the text or the block offsets), runs the validator on the
result, and writes it (atomically, through :mod:`corpus.store`) only when no error is found.
"""

from __future__ import annotations

import dataclasses
import json
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Any

from corpus.errors import ConfigError, DocumentError
from corpus.labels import ANNOTATION_STATUSES, GUIDELINES_VERSION
from corpus.limits import MAX_DOCUMENT_BYTES, MAX_RAW_BYTES
from corpus.model import Document, Metadata, sha256_hex
from corpus.paths import CorpusPaths, resolve
from corpus.store import document_json, write_document
from corpus.validation import ERROR, Problem, validate_record

LAYERS = ("blocks", "entities", "metadata")
METADATA_FIELDS = tuple(f.name for f in dataclasses.fields(Metadata))
#: Queue filter values of ``status`` besides the layer statuses themselves.
QUEUE_STATES = ("reviewed", "to-review")

_REFRESH = re.compile(rb"<meta[^>]+http-equiv\s*=\s*[\"']?\s*refresh[^>]*>", re.IGNORECASE)
_HEAD = re.compile(rb"<head\b[^>]*>", re.IGNORECASE)
_DOCTYPE = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<!doctype[^>]*>", re.IGNORECASE | re.DOTALL)
#: Injected into the rendered original: links and forms stay inert (a click would leave the machine).
_INERT_STYLE = b"<style>a,area,form,button,input,select,textarea,label{pointer-events:none!important}</style>"


class ReviewError(ConfigError):
    """A request the review app cannot carry out (unknown document, malformed edit, stale version)."""

    reason = "review_error"

    def __init__(self, message: str, *, status: int = 400):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True, slots=True)
class Entry:
    """One document of the queue: where it lives and what the queue shows of it."""

    id: str
    file: Path
    title: str
    url: str | None
    source_dataset: str
    language: str | None
    statuses: tuple[str, str, str]  # blocks, entities, metadata
    blocks: int
    unlabelled: int
    entities: int

    @property
    def reviewed(self) -> bool:
        return all(s == "gold" for s in self.statuses)

    def as_dict(self, root: Path | None) -> dict[str, Any]:
        try:
            shown = self.file.relative_to(root).as_posix() if root is not None else self.file.name
        except ValueError:
            shown = self.file.name
        return {"id": self.id, "file": shown, "title": self.title, "url": self.url,
                "source_dataset": self.source_dataset, "language": self.language,
                "status": dict(zip(LAYERS, self.statuses, strict=True)), "reviewed": self.reviewed,
                "blocks": self.blocks, "unlabelled": self.unlabelled, "entities": self.entities}


def _entry(doc: Document, file: Path) -> Entry:
    ann = doc.annotation
    title = doc.metadata.title or doc.source.url or next(
        (doc.text[b.start:b.end] for b in doc.blocks if b.end > b.start), doc.id)
    return Entry(doc.id, file, title[:200], doc.source.url, doc.source.source_dataset, doc.metadata.language,
                 (ann.blocks.status, ann.entities.status, ann.metadata.status), len(doc.blocks),
                 sum(b.label is None for b in doc.blocks), len(doc.entities))


@dataclass(frozen=True, slots=True)
class SaveResult:
    """What a save did: ``ok`` (written) or the errors that stopped it; warnings either way."""

    ok: bool
    problems: tuple[Problem, ...]
    document: dict[str, Any] | None = None
    version: str | None = None


def problem_dict(p: Problem) -> dict[str, Any]:
    return {"rule": p.rule, "severity": p.severity, "pointer": p.pointer, "message": p.message}


@dataclass
class Workspace:
    """The documents of one corpus path, opened for review."""

    paths: CorpusPaths
    entries: dict[str, Entry] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @classmethod
    def open(cls, corpus: str | Path) -> Workspace:
        """Index the documents of ``corpus`` (a corpus root, documents directory or one ``.json`` file)."""
        paths = resolve(corpus)
        if paths.built:
            raise ConfigError(f"{corpus}: a built dataset is read-only; review the documents it was built from")
        jsonl = [f for f in paths.files if f.suffix == ".jsonl"]
        if jsonl:
            raise ConfigError(f"{jsonl[0]}: review edits documents stored one per file (*.json); this corpus "
                              "holds JSONL records (ingest with --layout files, the default, to review)")
        ws = cls(paths)
        for f in paths.files:
            doc = ws._read(f)
            if doc.id in ws.entries:
                raise ConfigError(f"{f}: id {doc.id} is also used by {ws.entries[doc.id].file}; "
                                  "run `corpus validate` and fix the duplicate first")
            ws.entries[doc.id] = _entry(doc, f)
        return ws

    @property
    def root(self) -> Path | None:
        return self.paths.root

    def _read(self, file: Path) -> Document:
        data, _ = self._read_raw_json(file)
        try:
            return Document.from_dict(data)
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigError(f"{file}: not a readable document ({exc}); run `corpus validate {file}`") from None

    @staticmethod
    def _read_raw_json(file: Path) -> tuple[dict[str, Any], str]:
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise ConfigError(f"{file}: cannot read the file: {exc.strerror or exc}") from None
        if len(data) > MAX_DOCUMENT_BYTES:
            raise ConfigError(f"{file}: larger than MAX_DOCUMENT_BYTES={MAX_DOCUMENT_BYTES}")
        try:
            parsed = json.loads(data.decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError) as exc:
            raise ConfigError(f"{file}: not valid JSON ({exc}); run `corpus validate {file}`") from None
        if not isinstance(parsed, dict):
            raise ConfigError(f"{file}: not a document object; run `corpus validate {file}`")
        return parsed, sha256_hex(data)

    # -- the queue ---------------------------------------------------------------------------------
    def queue(self, *, status: str | None = None, layer: str | None = None, source: str | None = None,
              language: str | None = None) -> list[Entry]:
        """Entries in file order, filtered: ``status`` is a layer status or ``reviewed`` / ``to-review``
        (of ``layer``, or of every layer when ``layer`` is None); ``source`` is ``source_dataset``."""
        choices = ANNOTATION_STATUSES + QUEUE_STATES
        if status and status not in choices:
            raise ReviewError(f"unknown status {status!r}; choose one of {', '.join(choices)}")
        if layer and layer not in LAYERS:
            raise ReviewError(f"unknown layer {layer!r}; choose one of {', '.join(LAYERS)}")
        out = []
        for e in self.entries.values():
            st = e.statuses if not layer else (e.statuses[LAYERS.index(layer)],)
            if status == "reviewed" and not all(s == "gold" for s in st):
                continue
            if status == "to-review" and all(s == "gold" for s in st):
                continue
            if status in ANNOTATION_STATUSES and status not in st:
                continue
            if source and e.source_dataset != source:
                continue
            if language and (e.language or "") != ("" if language == "-" else language):
                continue
            out.append(e)
        return out

    def facets(self) -> dict[str, Any]:
        """Values the queue can be filtered by, and how many documents are reviewed."""
        es = list(self.entries.values())
        return {"sources": sorted({e.source_dataset for e in es}),
                "languages": sorted({e.language or "-" for e in es}),
                "total": len(es), "reviewed": sum(e.reviewed for e in es)}

    # -- one document ------------------------------------------------------------------------------
    def _file(self, doc_id: str) -> Path:
        entry = self.entries.get(doc_id)
        if entry is None:
            raise ReviewError(f"no document with id {doc_id!r}", status=404)
        return entry.file

    def load(self, doc_id: str, *, check: bool = True) -> dict[str, Any]:
        """The document as stored, its version (sha256 of the file) and its current problems."""
        file = self._file(doc_id)
        data, version = self._read_raw_json(file)
        problems = validate_record(data, file=file, raw_root=self.root) if check else []
        return {"document": data, "version": version, "problems": [problem_dict(p) for p in problems]}

    def save(self, doc_id: str, edit: dict[str, Any]) -> SaveResult:
        """Apply ``edit`` (see :func:`apply_edit`) to the stored document; write it only when it validates.

        Refused with status 409 when the file changed since ``edit["version"]`` was read (unless
        ``edit["force"]``), so two windows never overwrite each other's work unseen.
        """
        file = self._file(doc_id)
        with self._lock:
            current, version = self._read_raw_json(file)
            if edit.get("version") != version and not edit.get("force"):
                raise ReviewError(f"{file.name} changed on disk since it was opened; your edits are kept in the "
                                  "page: reload to see the file, or save again to overwrite it", status=409)
            candidate = apply_edit(current, edit)
            problems = validate_record(candidate, file=file, raw_root=self.root)
            if any(p.severity == ERROR for p in problems):
                return SaveResult(False, tuple(problems))
            doc = Document.from_dict(candidate)
            try:
                write_document(doc, file)
            except OSError as exc:
                raise ReviewError(f"{file}: cannot write the document ({exc.strerror or exc}); the file on disk "
                                  "is unchanged and your edits are kept in the page", status=500) from None
            self.entries[doc_id] = _entry(doc, file)
            written = document_json(doc)
            return SaveResult(True, tuple(problems), doc.to_dict(), sha256_hex(written.encode("utf-8")))

    # -- the original page -------------------------------------------------------------------------
    def raw_page(self, doc_id: str) -> tuple[bytes, str]:
        """``(body, media type)`` of the stored raw page, decoded as ingest decoded it and re-encoded as
        UTF-8; HTML has refresh redirects removed and links made inert (the response's policy forbids
        scripts and every load)."""
        from corpus.text.normalise import decode_raw_page

        doc = self._read(self._file(doc_id))
        src = doc.source
        raw, gzipped = self._raw_bytes(doc, self._file(doc_id))
        declared = src.encoding if src.encoding and ";" not in src.encoding else None
        try:
            decoded = decode_raw_page(raw, src.raw_format if src.raw_format != "warc" else "html",
                                      gzipped=gzipped, declared_charset=declared)
        except DocumentError as exc:
            raise ReviewError(f"the raw page cannot be decoded [{exc.reason}]: {exc}", status=404) from None
        body = decoded.text.encode("utf-8", "replace")
        if src.raw_format == "text":
            return body, "text/plain; charset=utf-8"
        body = _REFRESH.sub(b"", body)
        head = _HEAD.search(body)
        if head is not None:
            at = head.end()
        else:
            doctype = _DOCTYPE.match(body)
            at = doctype.end() if doctype else 0
        return body[:at] + _INERT_STYLE + body[at:], "text/html; charset=utf-8"

    def _raw_bytes(self, doc: Document, file: Path) -> tuple[bytes, bool]:
        src = doc.source
        if not src.raw_path:
            raise ReviewError("this document records no raw page (source.raw_path is null)", status=404)
        rel, _, fragment = src.raw_path.partition("#") if src.raw_format == "warc" else (src.raw_path, "", "")
        pure = PurePosixPath(rel)
        if not rel or pure.is_absolute() or "\\" in rel or ".." in pure.parts or PureWindowsPath(rel).drive:
            raise ReviewError(f"source.raw_path {src.raw_path!r} leaves the corpus root", status=404)
        found = next((b / rel for b in self.paths.raw_bases(file) if (b / rel).is_file()), None)
        if found is None:
            raise ReviewError(f"raw page {rel!r} not found", status=404)
        if src.raw_format == "warc":
            from corpus.warc import WarcPage, read_page_at

            page = read_page_at(str(found), fragment)
            if not isinstance(page, WarcPage):
                raise ReviewError(f"no readable response record at {src.raw_path!r}", status=404)
            return page.payload, page.gzipped
        if found.stat().st_size > MAX_RAW_BYTES:
            raise ReviewError(f"raw page larger than MAX_RAW_BYTES={MAX_RAW_BYTES}", status=404)
        return found.read_bytes(), rel.lower().endswith(".gz")


def apply_edit(stored: dict[str, Any], edit: dict[str, Any]) -> dict[str, Any]:
    """The stored document (a dict as read from disk) with the annotator's edit applied.

    ``edit`` holds ``labels`` (one per block, ``None`` = unlabelled), ``entities`` (``start``, ``end``,
    ``label``; code-point offsets; the surface text is taken from the document), ``metadata`` (the
    whole object), ``status`` (layer -> status) and, with ``accept``, marks every layer ``gold``.
    A layer that becomes ``gold`` records ``annotator`` as ``by`` and the guidelines version. Text,
    block offsets, source and every other field are taken from ``stored``; the validator judges the
    rest.
    """
    out = json.loads(json.dumps(stored))
    text = out.get("text") if isinstance(out.get("text"), str) else ""
    blocks = out.get("blocks") if isinstance(out.get("blocks"), list) else []
    if "labels" in edit:
        labels = edit["labels"]
        if not isinstance(labels, list) or len(labels) != len(blocks):
            raise ReviewError(f"labels: expected a list of {len(blocks)} labels (one per block)")
        for b, lab in zip(blocks, labels, strict=True):
            if isinstance(b, dict):
                b["label"] = lab
    if "entities" in edit:
        ents = edit["entities"]
        if not isinstance(ents, list) or not all(isinstance(e, dict) for e in ents):
            raise ReviewError("entities: expected a list of {start, end, label} objects")
        rebuilt = []
        for e in ents:
            s, t = e.get("start"), e.get("end")
            ok = type(s) is int and type(t) is int and 0 <= s <= t <= len(text)
            rebuilt.append({"start": s, "end": t, "label": e.get("label"), "text": text[s:t] if ok else ""})
        out["entities"] = rebuilt  # in the page's order, so problem pointers (/entities/N) match it
    if "metadata" in edit:
        if not isinstance(edit["metadata"], dict):
            raise ReviewError("metadata: expected an object")
        out["metadata"] = edit["metadata"]
    ann = out.setdefault("annotation", {})
    if not isinstance(ann, dict):
        raise ReviewError("the stored document's annotation is not an object; run `corpus validate`")
    if not isinstance(edit.get("status") or {}, dict):
        raise ReviewError("status: expected an object {layer: status}")
    statuses = dict(edit.get("status") or {})
    if edit.get("accept"):
        statuses = dict.fromkeys(LAYERS, "gold")
    annotator = edit.get("annotator")
    annotator = annotator.strip() if isinstance(annotator, str) else ""
    for layer, status in statuses.items():
        if layer not in LAYERS:
            raise ReviewError(f"status: unknown layer {layer!r}")
        entry = ann.setdefault(layer, {})
        if not isinstance(entry, dict):
            raise ReviewError(f"the stored annotation.{layer} is not an object; run `corpus validate`")
        if status == "gold" and (entry.get("status") != "gold" or edit.get("accept")):
            if not annotator:
                raise ReviewError("marking a layer gold needs the annotator's name (the 'annotator' field)")
            entry["by"] = annotator
            ann["guidelines_version"] = GUIDELINES_VERSION
        entry["status"] = status
    return out
