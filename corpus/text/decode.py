"""Bytes -> text as the WHATWG Encoding and HTML standards decode a page. Never raises on bad bytes.

Order (docs/normalisation.md, "Decoding"): byte-order mark; the transport charset (an HTTP
``Content-Type`` header, e.g. from a WARC record, or a charset the source dataset records); the
``<meta>`` prescan of the first 1024 bytes (:mod:`corpus.text.prescan`); statistical detection only
when nothing is declared. Labels map by the WHATWG table (``latin1`` -> ``windows-1252``).
"""

from __future__ import annotations

import codecs
import zlib
from dataclasses import dataclass
from functools import lru_cache

from corpus.errors import DocumentError
from corpus.limits import (
    CHARSET_DETECT_BYTES,
    MAX_DECODED_BYTES,
    MAX_RAW_BYTES,
    UTF8_TOLERATED_INVALID,
    UTF8_VALID_PER_INVALID,
)
from corpus.text.prescan import prescan, whatwg_lookup

#: WHATWG byte-order marks (the standard knows no UTF-32).
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_BE, "utf-16be"),
    (codecs.BOM_UTF16_LE, "utf-16le"),
)
#: Earlier versions recorded ``utf-8;replacement``; such a record means "decode by the rules again".
REPLACEMENT_SUFFIX = ";replacement"
#: Why an encoding was used (``source.encoding_source``).
ENCODING_SOURCES = ("bom", "transport", "meta", "meta-valid-utf-8", "valid-utf-8", "detected", "default")
#: WHATWG encodings decoded by another Python codec than the one of the same name.
_PY_CODEC = {"gbk": "gb18030", "x-user-defined": "x-user-defined", "replacement": "replacement"}
#: windows-1252 bytes Python leaves undefined; WHATWG maps them to the C1 control of the same value.
_CP1252_TABLE = "".join(bytes([i]).decode("cp1252", "replace") if i not in (0x81, 0x8D, 0x8F, 0x90, 0x9D)
                        else chr(i) for i in range(256))


@dataclass(frozen=True, slots=True)
class Decoded:
    """A decoded page: its text, the encoding used (WHATWG name) and why (one of ENCODING_SOURCES)."""

    text: str
    encoding: str
    source: str


def resolve_label(label: str | None) -> str | None:
    """Encoding name for a charset label: the WHATWG name, else (a label the WHATWG table does not know,
    e.g. ``cp1125`` recorded by an earlier version) Python's codec name; None when neither knows it."""
    if not label:
        return None
    label = label.strip()
    if label.lower().endswith(REPLACEMENT_SUFFIX):
        return None
    name = whatwg_lookup(label)
    if name is not None:
        return name
    try:
        return codecs.lookup(label.lower()).name
    except (LookupError, ValueError):
        return None


def codec_name(label: str) -> str | None:
    """Canonical encoding name for a charset label (see :func:`resolve_label`), or None when unknown."""
    return resolve_label(label)


@lru_cache(maxsize=64)
def _python_codec(name: str) -> str | None:
    import webencodings

    py = _PY_CODEC.get(name)
    if py is not None:
        return py
    enc = webencodings.lookup(name)
    try:
        return codecs.lookup(enc.codec_info.name if enc is not None else name).name
    except LookupError:
        return None


def decode_with(raw: bytes, encoding: str) -> str:
    """``raw`` decoded with ``encoding`` (a name :func:`resolve_label` returns), errors replaced."""
    py = _python_codec(encoding)
    if py == "cp1252":
        return codecs.charmap_decode(raw, "strict", _CP1252_TABLE)[0]
    if py == "x-user-defined":
        return "".join(chr(b) if b < 0x80 else chr(0xF700 + b) for b in raw)
    if py == "replacement":
        return "\ufffd" if raw else ""
    if py is None:  # not reached for names resolve_label returns
        py = "utf-8"
    try:
        return raw.decode(py, errors="replace")
    except (LookupError, ValueError):  # a codec that cannot even replace
        return raw.decode("utf-8", errors="replace")


_NON_ASCII = bytes(range(0x80, 0x100))


def _utf8_status(raw: bytes) -> tuple[int, int]:
    """``(invalid sequences, valid non-ASCII characters)`` of ``raw`` read as UTF-8."""
    text = raw.decode("utf-8", errors="replace")
    invalid = text.count("\ufffd") - raw.count(b"\xef\xbf\xbd")
    ascii_bytes = len(raw.translate(None, _NON_ASCII))  # each decodes to exactly one ASCII character
    return invalid, len(text) - ascii_bytes - invalid


def _as_utf8(raw: bytes) -> str | None:
    """``raw`` decoded as UTF-8 when it is valid UTF-8, else ``None`` (decoded once, for the test and the text)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return None


def decode_page(raw: bytes, *, declared: str | None = None, html: bool = True) -> Decoded:
    """Decode ``raw`` (``declared``: the transport charset label, if any); never raises.

    1. a byte-order mark wins; 2. ``declared``, when it is a known label, is used as is; 3. for HTML,
    the ``<meta>`` prescan: a declared legacy encoding is overridden by UTF-8 when the bytes are valid,
    non-ASCII UTF-8; declared UTF-8 is used with replacement characters unless the bytes are mostly not
    UTF-8; 4. nothing usable declared: valid UTF-8, else statistical detection, else UTF-8 with
    replacement characters.
    """
    for bom, name in _BOMS:
        if raw.startswith(bom):
            return Decoded(decode_with(raw[len(bom) :], name), name, "bom")
    transport = resolve_label(declared)
    if transport is not None:
        return Decoded(decode_with(raw, transport), transport, "transport")
    meta = prescan(raw) if html else None
    if meta is not None:
        if meta == "utf-8":
            if (text := _as_utf8(raw)) is not None:
                return Decoded(text, "utf-8", "meta")
            invalid, valid = _utf8_status(raw)
            if invalid <= max(UTF8_TOLERATED_INVALID, valid // UTF8_VALID_PER_INVALID):
                return Decoded(decode_with(raw, "utf-8"), "utf-8", "meta")
        elif not raw.isascii() and (text := _as_utf8(raw)) is not None:
            return Decoded(text, "utf-8", "meta-valid-utf-8")
        else:
            return Decoded(decode_with(raw, meta), meta, "meta")
    if (text := _as_utf8(raw)) is not None:
        return Decoded(text, "utf-8", "valid-utf-8")
    detected = _detect(raw)
    if detected is not None:
        return Decoded(decode_with(raw, detected), detected, "detected")
    return Decoded(raw.decode("utf-8", errors="replace"), "utf-8", "default")


def decode_bytes(raw: bytes, *, declared: str | None = None, html: bool = True) -> tuple[str, str]:
    """``(text, encoding)`` of :func:`decode_page`."""
    d = decode_page(raw, declared=declared, html=html)
    return d.text, d.encoding


def _detect(raw: bytes) -> str | None:
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - core dependency
        return None
    best = from_bytes(raw[:CHARSET_DETECT_BYTES]).best()
    return resolve_label(best.encoding) if best is not None else None


def check_raw_size(raw: bytes) -> None:
    if len(raw) > MAX_RAW_BYTES:
        raise DocumentError(
            f"raw page is {len(raw)} bytes, more than MAX_RAW_BYTES={MAX_RAW_BYTES}",
            reason="raw_too_large",
        )


def gunzip_capped(raw: bytes, limit: int = MAX_DECODED_BYTES) -> bytes:
    """Decompress gzip (possibly multi-member) without ever holding more than ``limit`` bytes."""
    out = bytearray()
    data = raw
    while data:
        d = zlib.decompressobj(wbits=47)  # 32 + 15: gzip or zlib header, auto-detected
        try:
            while True:
                chunk = d.decompress(data, limit + 1 - len(out))
                out += chunk
                if len(out) > limit:
                    raise DocumentError(
                        f"decompressed size exceeds MAX_DECODED_BYTES={limit}",
                        reason="decompression_bomb",
                    )
                if d.eof or not d.unconsumed_tail:
                    break
                data = d.unconsumed_tail
        except zlib.error as exc:
            raise DocumentError(f"not valid gzip data: {exc}", reason="bad_gzip") from exc
        if not d.eof:
            raise DocumentError("gzip stream is truncated", reason="truncated_gzip")
        data = d.unused_data.lstrip(b"\0")
    return bytes(out)
