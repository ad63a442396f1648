"""WARC reading with exact failure semantics: every response record becomes a page or a named problem.

A small streaming parser (WARC/1.0 and 1.1, plain or gzip — one member per record as the standard
recommends, or one stream for the whole file) rather than FastWARC / warcio: both stop silently on a
truncated ``.warc.gz`` and neither reports *where* a record failed, while ingest must account for every
record. Properties:

- memory is bounded: a record larger than ``MAX_WARC_RECORD_BYTES`` is skipped (streamed, not held)
  and reported ``raw_too_large``; WARC / HTTP header blocks are capped at ``MAX_WARC_HEADER_BYTES``;
- a truncated or corrupt file is noticed (the stream ends inside a record or a gzip member, or the
  compressed data is invalid): the records before the damage are kept and one ``partial_file``
  problem reports the byte offset;
- one bad record never loses the others (in a per-record gzip file parsing resumes at the next
  gzip member after a malformed record);
- ``WARC-Block-Digest`` / ``WARC-Payload-Digest`` (sha1 / sha256 / md5, base32 or hex) are checked;
- the HTTP payload is de-chunked but *not* content-decoded: ``Content-Encoding: gzip`` is reported as
  ``gzipped`` and decoded later with the capped gunzip (decompression bombs are named there).

Locations are ``<file>#<offset>`` where offset is the byte offset of the record in the file as stored
(for gzip: the compressed offset of the member the record starts in, plus ``+<n>`` when the record does
not start at a member boundary).
"""

from __future__ import annotations

import base64
import hashlib
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

from corpus.limits import MAX_RAW_BYTES, MAX_WARC_HEADER_BYTES, MAX_WARC_RECORD_BYTES

READ_CHUNK = 1 << 20
HTML_TYPES = ("text/html", "application/xhtml+xml")


@dataclass(frozen=True, slots=True)
class WarcProblem:
    """A record (or the rest of the file) that cannot become a page."""

    offset: str
    reason: str
    message: str
    url: str | None = None
    file_level: bool = False


@dataclass(frozen=True, slots=True)
class WarcRecord:
    """One complete WARC record: headers (names lower-cased) and its content block."""

    offset: str
    headers: dict[str, str]
    block: bytes


@dataclass(frozen=True, slots=True)
class WarcPage:
    """An HTML response record, ready for drafting."""

    offset: str
    url: str
    crawl_date: str | None
    record_id: str | None
    payload: bytes  # HTTP body, de-chunked, still content-encoded
    gzipped: bool
    charset: str | None
    content_type: str | None


@dataclass(slots=True)
class WarcStats:
    records: int = 0
    pages: int = 0
    skipped: dict[str, int] = field(default_factory=dict)  # non-page record types, by WARC-Type


# -- low level: bytes -> records ----------------------------------------------------------------


class _Parser:
    """Incremental record parser over a (decompressed) byte stream with absolute offsets."""

    def __init__(self, locate) -> None:
        self.buf = bytearray()
        self.fed = 0  # total bytes fed; the buffer starts at offset fed - len(buf)
        self.skip = 0  # bytes of an oversized record still to discard
        self.locate = locate  # decompressed offset -> location string
        self.lost = False  # after a malformed record: discard input until the next resync point

    def feed(self, data: bytes) -> Iterator[WarcRecord | WarcProblem]:
        self.fed += len(data)
        if self.lost:
            return
        if self.skip:
            n = min(self.skip, len(data))
            self.skip -= n
            data = data[n:]
        self.buf += data
        while not self.lost:
            out = self._one()
            if out is None:
                return
            if isinstance(out, WarcProblem) and out.reason == "malformed_warc_record":
                self.lost = True
                self.buf = bytearray()
            yield out

    def _one(self) -> WarcRecord | WarcProblem | None:
        buf = self.buf
        i = 0  # blank lines between records (the trailing CRLFCRLF of the previous one)
        while i < len(buf) and buf[i] in b"\r\n":
            i += 1
        if i:
            del buf[:i]
        if not buf:
            return None
        start = self.locate(self.fed - len(buf))
        end = buf.find(b"\r\n\r\n", 0, MAX_WARC_HEADER_BYTES + 4)
        if end < 0:
            if len(buf) > MAX_WARC_HEADER_BYTES:
                self.buf = bytearray()
                return WarcProblem(start, "malformed_warc_record",
                                   f"no end of WARC header within {MAX_WARC_HEADER_BYTES} bytes")
            return None
        lines = bytes(buf[:end]).split(b"\r\n")
        if not lines[0].startswith(b"WARC/"):
            self.buf = bytearray()
            return WarcProblem(start, "malformed_warc_record",
                               f"record does not start with a WARC version line: {lines[0][:40]!r}")
        headers: dict[str, str] = {}
        for line in lines[1:]:
            name, sep, value = line.partition(b":")
            if sep:
                headers[name.strip().decode("latin-1").lower()] = value.strip().decode("utf-8", "replace")
        url = headers.get("warc-target-uri")
        try:
            length = int(headers.get("content-length", ""))
            if length < 0:
                raise ValueError
        except ValueError:
            self.buf = bytearray()
            return WarcProblem(start, "malformed_warc_record", "missing or invalid Content-Length", url=url)
        body_start = end + 4
        if length > MAX_WARC_RECORD_BYTES:
            have = len(buf) - body_start
            if have >= length:
                del buf[: body_start + length]
            else:
                self.skip = length - have
                self.buf = bytearray()
            return WarcProblem(start, "raw_too_large",
                               f"record block is {length} bytes, more than MAX_WARC_RECORD_BYTES="
                               f"{MAX_WARC_RECORD_BYTES}", url=url)
        if len(buf) < body_start + length:
            return None
        block = bytes(buf[body_start : body_start + length])
        del buf[: body_start + length]
        return WarcRecord(start, headers, block)

    def resync(self) -> None:
        """At a gzip member boundary: after a malformed record, start parsing afresh."""
        if self.lost:
            self.lost = False
            self.buf = bytearray()
            self.skip = 0

    def pending(self) -> bool:
        return not self.lost and (bool(self.skip) or bool(self.buf.strip(b"\r\n")))


def iter_records(fh: BinaryIO, name: str, *, gzipped: bool) -> Iterator[WarcRecord | WarcProblem]:
    """Records of a WARC stream; damage ends iteration with one ``partial_file`` problem."""
    if gzipped:
        yield from _iter_gzip(fh, name)
        return
    parser = _Parser(lambda off: f"{name}#{off}")
    while chunk := fh.read(READ_CHUNK):
        yield from parser.feed(chunk)
    if parser.lost:
        yield WarcProblem(f"{name}#{parser.fed}", "partial_file",
                          "parsing stopped at a malformed record; the rest of the uncompressed file is unreadable",
                          file_level=True)
    elif parser.pending():
        yield WarcProblem(parser.locate(parser.fed - len(parser.buf)), "partial_file",
                          f"file ends inside a record ({parser.fed} bytes read)", file_level=True)


def _iter_gzip(fh: BinaryIO, name: str) -> Iterator[WarcRecord | WarcProblem]:
    members: list[tuple[int, int]] = []  # (decompressed offset, compressed offset) of member starts

    def locate(off: int) -> str:
        lo, hi = 0, len(members) - 1
        while lo < hi:  # last member starting at or before ``off``
            mid = (lo + hi + 1) // 2
            if members[mid][0] <= off:
                lo = mid
            else:
                hi = mid - 1
        dstart, cstart = members[lo] if members else (0, 0)
        return f"{name}#{cstart}" + (f"+{off - dstart}" if off > dstart else "")

    parser = _Parser(locate)
    comp_pos = 0  # compressed offset of the start of ``data``
    data = b""
    d = zlib.decompressobj(wbits=31)
    in_member = False
    member_start = 0
    while True:
        if not data:
            data = fh.read(READ_CHUNK)
            if not data:
                break
        if not in_member:
            stripped = data.lstrip(b"\0")  # NUL padding between members is tolerated
            comp_pos += len(data) - len(stripped)
            data = stripped
            if not data:
                continue
            member_start = comp_pos
            if members and members[-1][0] == parser.fed:
                members[-1] = (parser.fed, member_start)
            else:
                members.append((parser.fed, member_start))
            d = zlib.decompressobj(wbits=31)
            in_member = True
        try:
            out = d.decompress(data, READ_CHUNK)
        except zlib.error as exc:
            yield WarcProblem(f"{name}#{member_start}", "partial_file",
                              f"corrupt gzip data in the member at offset {member_start}: {exc}", file_level=True)
            return
        rest = d.unused_data if d.eof else d.unconsumed_tail
        comp_pos += len(data) - len(rest)
        data = rest
        yield from parser.feed(out)
        if d.eof:
            in_member = False
            parser.resync()  # a malformed record loses only the rest of its own member
    if in_member:
        yield WarcProblem(f"{name}#{member_start}", "partial_file",
                          f"gzip member at offset {member_start} is truncated (file ends at byte {comp_pos})",
                          file_level=True)
    elif parser.pending():
        yield WarcProblem(parser.locate(parser.fed - len(parser.buf)), "partial_file",
                          "file ends inside a record", file_level=True)


# -- digests -------------------------------------------------------------------------------------

_ALGOS = {"sha1": hashlib.sha1, "sha256": hashlib.sha256, "md5": hashlib.md5}


def digest_matches(declared: str, data: bytes) -> bool | None:
    """Check a ``WARC-*-Digest`` value (``algo:value``, base32 or hex); None if not checkable."""
    algo, sep, value = declared.strip().partition(":")
    if not sep:
        return None
    fn = _ALGOS.get(algo.strip().lower().replace("-", ""))
    if fn is None:
        return None
    raw = fn(data).digest()
    value = value.strip()
    if value.lower() == raw.hex():
        return True
    try:
        return base64.b32decode(value.upper() + "=" * (-len(value) % 8)) == raw
    except (ValueError, TypeError):
        return False


# -- HTTP ----------------------------------------------------------------------------------------


def _parse_http(block: bytes) -> tuple[int, dict[str, str], bytes]:
    end = block.find(b"\r\n\r\n", 0, MAX_WARC_HEADER_BYTES)
    sep = 4
    if end < 0:
        end = block.find(b"\n\n", 0, MAX_WARC_HEADER_BYTES)
        sep = 2
    if end < 0:
        raise ValueError("no end of HTTP headers")
    lines = block[:end].replace(b"\r\n", b"\n").split(b"\n")
    status_line = lines[0].split()
    if len(status_line) < 2 or not status_line[0].startswith(b"HTTP/"):
        raise ValueError(f"not an HTTP status line: {lines[0][:40]!r}")
    status = int(status_line[1])
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, colon, value = line.partition(b":")
        if colon:
            headers[name.strip().decode("latin-1").lower()] = value.strip().decode("latin-1")
    return status, headers, block[end + sep :]


def dechunk(body: bytes, limit: int = MAX_RAW_BYTES) -> bytes:
    """Undo ``Transfer-Encoding: chunked``; raises ValueError when malformed."""
    out = bytearray()
    pos = 0
    while True:
        nl = body.find(b"\r\n", pos)
        if nl < 0:
            raise ValueError("chunk size line missing")
        size = int(body[pos:nl].split(b";")[0].strip() or b"x", 16)
        pos = nl + 2
        if size == 0:
            return bytes(out)
        if pos + size > len(body):
            raise ValueError("chunk extends past the payload")
        out += body[pos : pos + size]
        if len(out) > limit:
            raise ValueError("de-chunked payload too large")
        pos += size + 2


def _charset(content_type: str) -> str | None:
    for part in content_type.split(";")[1:]:
        k, _, v = part.partition("=")
        if k.strip().lower() == "charset":
            return v.strip().strip("\"'") or None
    return None


def record_to_page(rec: WarcRecord, stats: WarcStats | None = None) -> WarcPage | WarcProblem | None:
    """A response record -> page, a problem, or None for records that are not pages (request, metadata...)."""
    h = rec.headers
    wtype = h.get("warc-type", "").lower()
    if stats is not None:
        stats.records += 1
    if wtype != "response":
        if stats is not None:
            key = wtype or "(none)"
            stats.skipped[key] = stats.skipped.get(key, 0) + 1
        return None
    url = h.get("warc-target-uri", "").strip().strip("<>") or None
    if url is None:
        return WarcProblem(rec.offset, "missing_target_uri", "response record without WARC-Target-URI")
    if "warc-block-digest" in h and digest_matches(h["warc-block-digest"], rec.block) is False:
        return WarcProblem(rec.offset, "digest_mismatch", "WARC-Block-Digest does not match the record block", url)
    if not h.get("content-type", "application/http").lower().startswith("application/http"):
        return WarcProblem(rec.offset, "not_http", f"response record of type {h.get('content-type')!r}", url)
    try:
        status, http, payload = _parse_http(rec.block)
    except (ValueError, UnicodeDecodeError) as exc:
        return WarcProblem(rec.offset, "malformed_http", f"HTTP response cannot be parsed: {exc}", url)
    ctype = http.get("content-type", "")
    mime = ctype.split(";")[0].strip().lower()
    if mime not in HTML_TYPES:
        return WarcProblem(rec.offset, "not_html", f"Content-Type {mime or '(none)'!r} is not HTML", url)
    if not 200 <= status < 300:
        return WarcProblem(rec.offset, "http_status", f"HTTP status {status}", url)
    if "warc-payload-digest" in h:
        ok = digest_matches(h["warc-payload-digest"], payload)
        if ok is False and "chunked" in http.get("transfer-encoding", "").lower():
            try:
                ok = digest_matches(h["warc-payload-digest"], dechunk(payload, MAX_WARC_RECORD_BYTES))
            except ValueError:
                ok = False
        if ok is False:
            return WarcProblem(rec.offset, "digest_mismatch",
                               "WARC-Payload-Digest does not match the HTTP payload", url)
    if "chunked" in http.get("transfer-encoding", "").lower():
        try:
            payload = dechunk(payload, MAX_WARC_RECORD_BYTES)
        except ValueError as exc:
            return WarcProblem(rec.offset, "malformed_http", f"bad chunked encoding: {exc}", url)
    enc = http.get("content-encoding", "").strip().lower()
    if enc not in ("", "identity", "gzip", "x-gzip"):
        return WarcProblem(rec.offset, "unsupported_content_encoding", f"Content-Encoding {enc!r}", url)
    return WarcPage(
        offset=rec.offset,
        url=url,
        crawl_date=h.get("warc-date") or None,
        record_id=(h.get("warc-record-id") or "").strip("<>") or None,
        payload=payload,
        gzipped=enc in ("gzip", "x-gzip"),
        charset=_charset(ctype),
        content_type=mime,
    )


def iter_pages(path: str, name: str | None = None, stats: WarcStats | None = None) -> Iterator[WarcPage | WarcProblem]:
    """HTML pages and problems of one WARC file (``name`` is the location prefix, default ``path``)."""
    name = name or path
    gz = path.lower().endswith(".gz")
    with open(path, "rb") as fh:
        for item in iter_records(fh, name, gzipped=gz):
            if isinstance(item, WarcProblem):
                yield item
                continue
            page = record_to_page(item, stats)
            if page is not None:
                if stats is not None and isinstance(page, WarcPage):
                    stats.pages += 1
                yield page


def read_page_at(path: str, location: str) -> WarcPage | WarcProblem | None:
    """The page of the response record at ``location`` (``<offset>`` or ``<offset>+<n>``, as recorded
    in a document's ``raw_path`` after ``#``); ``None`` when no record starts there.

    Seeks to the stored offset, so checking many documents of one large WARC stays linear.
    """
    base, _, inner = location.partition("+")
    if not base.isdigit() or (inner and not inner.isdigit()):
        return None
    want = "#0" + (f"+{int(inner)}" if inner and int(inner) else "")
    with open(path, "rb") as fh:
        fh.seek(int(base))
        for item in iter_records(fh, "", gzipped=path.lower().endswith(".gz")):
            if item.offset == want:
                return item if isinstance(item, WarcProblem) else record_to_page(item)
            if isinstance(item, WarcProblem) or not inner:
                return None  # damage before the record, or not a record boundary
    return None
