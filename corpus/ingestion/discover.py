"""Input discovery and readers for ``corpus ingest``: files, directories, page dumps and WARC.

Discovery never follows a symbolic link found inside a directory (it is refused with reason
``symlink``); a path named explicitly on the command line is used as given. Only regular files are
read (FIFOs, devices and sockets are refused: reading them could block forever). Formats are chosen
by file name; anything else — including tar / zip archives — is refused as ``unsupported_format``.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from corpus.errors import ConfigError, DocumentError
from corpus.limits import BINARY_CONTROL_SHARE, BINARY_SNIFF_BYTES, MAX_RAW_BYTES
from corpus.store import Reject

#: Page-file suffixes (lower case), longest first.
PAGE_SUFFIXES = (".html.gz", ".htm.gz", ".xhtml.gz", ".txt.gz", ".html", ".htm", ".xhtml", ".txt")
WARC_SUFFIXES = (".warc.gz", ".warc")
ARCHIVE_SUFFIXES = (".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".txz", ".tar.zst", ".zip",
                    ".7z", ".rar", ".arc", ".arc.gz", ".wacz")

# Magic numbers of binary formats that are sometimes misnamed ``.html``.
_BINARY_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"%PDF-", "PDF document"),
    (b"PK\x03\x04", "zip archive"),
    (b"\x1f\x8b", "gzip data (name the file .gz)"),
    (b"\x7fELF", "ELF executable"),
    (b"7z\xbc\xaf\x27\x1c", "7z archive"),
    (b"Rar!\x1a\x07", "RAR archive"),
    (b"\x28\xb5\x2f\xfd", "zstd data"),
    (b"BZh", "bzip2 data"),
    (b"\xfd7zXZ\x00", "xz data"),
    (b"RIFF", "RIFF media"),
    (b"\x00\x00\x01\x00", "icon"),
    (b"wOFF", "web font"),
    (b"wOF2", "web font"),
)

# Control bytes that do not occur in text (TAB, LF, FF, CR and ESC excluded).
_BINARY_CONTROL = bytes([*range(0, 9), 11, *range(14, 27), *range(28, 32)])


@dataclass(frozen=True, slots=True)
class InputFile:
    """One input file: ``location`` is the path as given (``/`` separators), ``kind`` page or warc.

    ``input`` is its name relative to the directory holding the given path (so it starts with that
    path's own name: ``my-pages/foo.html``), the same wherever the command runs from; ``state`` is
    ``(size, mtime_ns)`` when discovered.
    """

    location: str
    kind: str  # "page" | "warc"
    input: str = ""
    state: tuple[int, int] = (-1, -1)


@dataclass(frozen=True, slots=True)
class Refused:
    """A discovered entry that is not read, with its input name and state (see :class:`InputFile`)."""

    reject: Reject
    input: str
    state: tuple[int, int] = (-1, -1)


def input_name(arg: str, path: str) -> str:
    """``path`` (found under the given ``arg``) relative to the directory holding ``arg``."""
    base = os.path.basename(os.path.normpath(os.path.abspath(arg)))
    rel = "" if path == arg else os.path.relpath(path, arg)
    if rel in ("", "."):
        name = base or os.path.basename(path)
    else:
        name = os.path.join(base, rel) if base else rel
    return _loc(name)


def classify(name: str) -> str:
    """``page``, ``warc``, ``archive`` or ``unknown`` from a file name."""
    low = name.lower()
    if low.endswith(WARC_SUFFIXES):
        return "warc"
    if low.endswith(ARCHIVE_SUFFIXES):
        return "archive"
    if low.endswith(PAGE_SUFFIXES):
        return "page"
    return "unknown"


def page_suffix(name: str) -> str:
    """The recognised suffix of a page file (e.g. ``.html.gz``), used to name its raw copy."""
    low = name.lower()
    for suf in PAGE_SUFFIXES:
        if low.endswith(suf):
            return suf
    return ""


def _loc(path: str) -> str:
    return path.replace(os.sep, "/")


def _state(st: os.stat_result | None) -> tuple[int, int]:
    return (-1, -1) if st is None else (st.st_size, st.st_mtime_ns)


def _file_entry(path: str, st: os.stat_result, name: str) -> InputFile | Refused:
    loc = _loc(path)
    state = _state(st)
    if not stat.S_ISREG(st.st_mode):
        return Refused(Reject(loc, "not_a_regular_file",
                              "only regular files are read (FIFOs, devices, sockets are refused)"), name, state)
    kind = classify(path)
    if kind in ("page", "warc"):
        return InputFile(loc, kind, name, state)
    if kind == "archive":
        return Refused(Reject(loc, "unsupported_format", "archives are not read; unpack them and ingest the "
                              "directory (WARC files are read as such)"), name, state)
    return Refused(Reject(loc, "unsupported_format", "not an ingestible file (.html, .htm, .xhtml, .txt, "
                          "optionally .gz; .warc, .warc.gz)"), name, state)


def discover(paths: Sequence[str]) -> tuple[list[InputFile], list[Reject]]:
    """Input files and refused entries under ``paths``, each list sorted by location.

    Raises :class:`ConfigError` for a path that does not exist (a usage error, not bad input).
    """
    inputs, refused = discover_named(paths)
    return inputs, [r.reject for r in refused]


def discover_named(paths: Sequence[str]) -> tuple[list[InputFile], list[Refused]]:
    """:func:`discover` with the input name and state of every refused entry too."""
    inputs: list[InputFile] = []
    rejects: list[Refused] = []

    def add(item: InputFile | Refused) -> None:
        (inputs if isinstance(item, InputFile) else rejects).append(item)  # type: ignore[arg-type]

    for arg in paths:
        try:
            st = os.stat(arg)  # an explicitly named path is followed if it is a link
        except FileNotFoundError:
            raise ConfigError(f"no such file or directory: {arg}") from None
        except OSError as exc:
            raise ConfigError(f"cannot read {arg}: {exc}") from None
        if not stat.S_ISDIR(st.st_mode):
            add(_file_entry(arg, st, input_name(arg, arg)))
            continue

        def unreadable(exc: OSError, top: str = arg) -> None:
            where = exc.filename or top
            add(Refused(Reject(_loc(where), "unreadable", f"cannot list the directory: {exc.strerror or exc}"),
                        input_name(top, where)))

        def symlink(full: str, top: str = arg) -> None:
            add(Refused(Reject(_loc(full), "symlink", "symbolic links inside an input directory are not followed"),
                        input_name(top, full)))

        for dirpath, dirnames, filenames in os.walk(arg, followlinks=False, onerror=unreadable):
            keep = []
            for d in sorted(dirnames):
                full = os.path.join(dirpath, d)
                if os.path.islink(full):
                    symlink(full)
                else:
                    keep.append(d)
            dirnames[:] = keep
            for f in sorted(filenames):
                full = os.path.join(dirpath, f)
                try:
                    lst = os.lstat(full)
                except OSError as exc:
                    add(Refused(Reject(_loc(full), "unreadable", str(exc)), input_name(arg, full)))
                    continue
                if stat.S_ISLNK(lst.st_mode):
                    symlink(full)
                    continue
                add(_file_entry(full, lst, input_name(arg, full)))
    inputs.sort(key=lambda i: i.location)
    rejects.sort(key=lambda r: r.reject.location)
    return inputs, rejects


def read_page_file(path: str) -> bytes:
    """Raw bytes of a page file, refusing oversized and obviously binary files without reading them whole."""
    with open(path, "rb") as fh:
        raw = fh.read(MAX_RAW_BYTES + 1)
    if len(raw) > MAX_RAW_BYTES:
        raise DocumentError(f"file is larger than MAX_RAW_BYTES={MAX_RAW_BYTES}", reason="raw_too_large")
    if not raw:
        raise DocumentError("file is empty", reason="empty_file")
    gz = path.lower().endswith(".gz")
    sniff_binary(raw, gzipped=gz)
    return raw


def sniff_binary(raw: bytes, *, gzipped: bool) -> None:
    """Refuse bytes that are recognisably not a page (images, archives, executables)."""
    if gzipped:
        if not raw.startswith(b"\x1f\x8b"):
            raise DocumentError("file is named .gz but is not gzip data", reason="bad_gzip")
        return
    for magic, what in _BINARY_MAGIC:
        if raw.startswith(magic):
            raise DocumentError(f"file content is {what}, not a page", reason="binary_content")
    head = raw[:BINARY_SNIFF_BYTES]
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return  # UTF-16 with a byte-order mark: NULs are expected
    controls = sum(head.count(bytes([c])) for c in _BINARY_CONTROL)
    if controls > len(head) * BINARY_CONTROL_SHARE:
        raise DocumentError(f"{controls} of the first {len(head)} bytes are control characters: binary data, "
                            "not a page", reason="binary_content")


def iter_warc(path: str, location: str, stats=None) -> Iterator:
    """Pages and problems of a WARC file (see :mod:`corpus.warc`)."""
    from corpus.warc import iter_pages

    yield from iter_pages(path, location, stats)
