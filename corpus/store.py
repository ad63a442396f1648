"""Reading and writing documents and rejects: one atomic write, one file hash, one rejects file.

Everything that lands on disk goes through :func:`atomic_write` (a uniquely named temporary file on
the same file system, then a rename), so a reader never sees half a file and two machines sharing a
file system never collide on a temporary name.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import tempfile
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from corpus.errors import ConfigError
from corpus.model import Document

REJECTS_FILE = "rejects.jsonl"
DOCUMENTS_DIR = "documents"
HASH_CHUNK = 1 << 20


def unique_suffix() -> str:
    """A name part no other process on any machine sharing the file system uses: host, pid, uuid."""
    host = "".join(c if c.isalnum() or c in "-_" else "_" for c in socket.gethostname())[:40] or "host"
    return f"{host}-{os.getpid()}-{uuid.uuid4().hex[:12]}"


def temp_path(final: Path, tmp_dir: Path | None = None) -> Path:
    """A temporary sibling of ``final`` (or a name in ``tmp_dir``) for an atomic replace."""
    d = tmp_dir if tmp_dir is not None else final.parent
    return d / f".{final.name}.{unique_suffix()}.tmp"


def atomic_write(path: str | os.PathLike[str], data: bytes | str, *, tmp_dir: Path | None = None,
                 fsync: bool = False) -> None:
    """Write ``path`` through a temporary file and an atomic rename."""
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    if tmp_dir is not None:
        tmp_dir.mkdir(parents=True, exist_ok=True)
    tmp = temp_path(p, tmp_dir)
    try:
        with open(tmp, "wb") as fh:
            fh.write(data.encode("utf-8") if isinstance(data, str) else data)
            if fsync:
                fh.flush()
                os.fsync(fh.fileno())
        os.replace(tmp, p)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def atomic_copy(src: str | os.PathLike[str], dest: str | os.PathLike[str]) -> None:
    """Copy the file ``src`` to ``dest`` through a temporary file and an atomic rename (streamed)."""
    d = Path(dest)
    d.parent.mkdir(parents=True, exist_ok=True)
    tmp = temp_path(d)
    try:
        with open(src, "rb") as fi, open(tmp, "wb") as fo:
            while block := fi.read(HASH_CHUNK):
                fo.write(block)
        os.replace(tmp, d)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def file_sha256(path: str | os.PathLike[str]) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(HASH_CHUNK):
            h.update(block)
    return h.hexdigest()


def display_location(location: str) -> str:
    """A location safe to write as UTF-8 (undecodable bytes of file names shown as ``\\xNN``)."""
    return location.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def _make_dir(d: Path, shown: Path, option: str) -> None:
    try:
        d.mkdir(parents=True, exist_ok=True)
    except FileExistsError as exc:
        raise ConfigError(f"{shown}: a parent of {option} is a file ({exc.filename})") from None
    except NotADirectoryError:
        raise ConfigError(f"{shown}: a parent of {option} is not a directory") from None
    except PermissionError:
        raise ConfigError(f"{shown}: cannot create the {option} directory (permission denied)") from None
    except OSError as exc:
        raise ConfigError(f"{shown}: cannot create the {option} directory ({exc.strerror or exc})") from None


def ensure_out_dir(path: str | os.PathLike[str], *, option: str = "--out") -> Path:
    """Create the output directory ``path`` or raise a named :class:`ConfigError` (never a raw errno).

    The one check of every command's output directory; ``option`` names it in the message.
    """
    p = Path(path)
    if p.exists() and not p.is_dir():
        raise ConfigError(f"{p}: {option} exists and is not a directory")
    _make_dir(p, p, option)
    if not os.access(p, os.W_OK | os.X_OK):
        raise ConfigError(f"{p}: the {option} directory is not writable")
    return p


def ensure_out_parent(path: str | os.PathLike[str], *, option: str = "--out") -> Path:
    """For an output written beside ``path`` and renamed over it: its parent must be a writable directory."""
    p = Path(path)
    parent = p.absolute().parent
    _make_dir(parent, p, option)
    try:  # a real directory creation: access() says yes to root on read-only or virtual file systems
        os.rmdir(tempfile.mkdtemp(prefix=f".{p.name}.probe-", dir=parent))
    except OSError as exc:
        raise ConfigError(f"{p}: cannot write {option} in {parent} ({exc.strerror or exc})") from None
    return p


# -- documents -------------------------------------------------------------------------------------

def document_json(doc: Document | dict[str, Any]) -> str:
    """Canonical pretty JSON of one document (what lives in ``data/documents/<id>.json``)."""
    d = doc.to_dict() if isinstance(doc, Document) else doc
    return json.dumps(d, indent=2, ensure_ascii=False) + "\n"


def document_line(doc: Document | dict[str, Any]) -> str:
    """One compact JSON line of a ``.jsonl`` file of documents (ingest shards)."""
    d = doc.to_dict() if isinstance(doc, Document) else doc
    return json.dumps(d, ensure_ascii=False, separators=(",", ":")) + "\n"


def write_document(doc: Document, path: str | os.PathLike[str]) -> None:
    atomic_write(path, document_json(doc))


def add_document(doc: Document | dict[str, Any], path: str | os.PathLike[str], *,
                 tmp_dir: Path | None = None) -> str:
    """Add a document to a corpus without ever overwriting one: ``"written"``, ``"unchanged"`` (the
    same document is already there) or ``"exists"`` (another document with this id is there; it is
    kept, the caller rejects the new one as a ``duplicate``). The rule of ``ingest`` and ``import``."""
    p = Path(path)
    text = document_json(doc)
    if p.exists():
        return "unchanged" if p.read_text(encoding="utf-8") == text else "exists"
    atomic_write(p, text, tmp_dir=tmp_dir)
    return "written"


def exists_reject(location: str, doc_id: str) -> Reject:
    """The ``duplicate`` reject of a document whose id the corpus already holds with other content."""
    return Reject(location, "duplicate", f"documents/{doc_id}.json already exists in the corpus with other "
                  "content; not overwritten (remove it to replace it)", id=doc_id)


def write_documents(docs: Iterable[Document], out_dir: str | os.PathLike[str]) -> list[Path]:
    paths = []
    for doc in docs:
        p = Path(out_dir) / f"{doc.id}.json"
        write_document(doc, p)
        paths.append(p)
    return paths


# -- rejects ---------------------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Reject:
    """An input (file or record) that does not become a document, with a named reason.

    One line of ``rejects.jsonl``, the same schema in every command: ``location``, ``reason``,
    ``message`` and, when known, ``url`` and ``id``.
    """

    location: str
    reason: str
    message: str
    url: str | None = None
    id: str | None = None

    def as_dict(self) -> dict[str, str | None]:
        d: dict[str, str | None] = {"location": display_location(self.location), "reason": self.reason,
                                    "message": display_location(self.message)}
        if self.url is not None:
            d["url"] = self.url
        if self.id is not None:
            d["id"] = self.id
        return d

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), ensure_ascii=False, separators=(",", ":")) + "\n"

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Reject:
        return cls(str(d.get("location", "")), str(d.get("reason", "")), str(d.get("message", "")),
                   d.get("url"), d.get("id"))


class RejectsFile:
    """Appends rejects to ``DIR/rejects.jsonl`` (created, possibly empty, on entry); what earlier runs
    wrote there is kept."""

    def __init__(self, out: str | os.PathLike[str]) -> None:
        self.path = Path(out) / REJECTS_FILE
        self._fh: Any = None

    def __enter__(self) -> RejectsFile:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fh = open(self.path, "a", encoding="utf-8")  # closed in __exit__
        return self

    def add(self, reject: Reject) -> None:
        if self._fh is None:
            raise RuntimeError("RejectsFile.add outside its with-block")
        self._fh.write(reject.to_json())

    def __exit__(self, *exc: object) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None


def read_rejects(path: str | os.PathLike[str]) -> Iterator[Reject]:
    p = Path(path)
    if not p.is_file():
        return
    with p.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield Reject.from_dict(json.loads(line))
