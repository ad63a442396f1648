"""Bytes -> text. Never raises on bad bytes: BOM, declared charset, detection, then replacement."""

from __future__ import annotations

import codecs
import re
import zlib

from corpus.errors import DocumentError
from corpus.limits import CHARSET_SNIFF_BYTES, MAX_DECODED_BYTES, MAX_RAW_BYTES

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_META_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE
)
# WHATWG: these labels mean windows-1252 in browsers.
_BROWSER_ALIASES = {"iso8859-1": "cp1252", "latin-1": "cp1252", "ascii": "cp1252", "iso-8859-1": "cp1252"}
REPLACEMENT_SUFFIX = ";replacement"


def codec_name(label: str) -> str | None:
    """Canonical Python codec name for a charset label, or None when unknown."""
    try:
        name = codecs.lookup(label.strip().lower()).name
    except (LookupError, ValueError):
        return None
    return _BROWSER_ALIASES.get(name, name)


def sniff_declared_charset(raw: bytes) -> str | None:
    """Charset declared in an HTML ``<meta>`` near the start of the page, if any."""
    m = _META_CHARSET.search(raw[:CHARSET_SNIFF_BYTES])
    return m.group(1).decode("ascii", "replace") if m else None


def _try(raw: bytes, codec: str | None) -> str | None:
    if codec is None:
        return None
    try:
        return raw.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None


def decode_bytes(raw: bytes, *, declared: str | None = None, html: bool = True) -> tuple[str, str]:
    """Decode ``raw``; returns ``(text, encoding)`` where ``encoding`` records what was used.

    Order: byte-order mark, ``declared`` (e.g. an HTTP header), the page's own ``<meta>``
    declaration, strict UTF-8, statistical detection, and finally UTF-8 with replacement
    characters (recorded as ``utf-8;replacement``).
    """
    for bom, codec in _BOMS:
        if raw.startswith(bom):
            text = _try(raw[len(bom) :], codec)
            if text is not None:
                return text, codec
    candidates = [declared]
    if html:
        candidates.append(sniff_declared_charset(raw))
    for label in candidates:
        if label:
            codec = codec_name(label)
            if codec in ("utf-16", "utf-32"):  # a meta tag cannot truthfully declare these
                codec = "utf-8"
            text = _try(raw, codec)
            if text is not None:
                return text, codec or "utf-8"
    text = _try(raw, "utf-8")
    if text is not None:
        return text, "utf-8"
    detected = _detect(raw)
    if detected:
        text = _try(raw, detected)
        if text is not None:
            return text, detected
    return raw.decode("utf-8", errors="replace"), "utf-8" + REPLACEMENT_SUFFIX


def _detect(raw: bytes) -> str | None:
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # pragma: no cover - core dependency
        return None
    best = from_bytes(raw[: 256 * 1024]).best()
    return codec_name(best.encoding) if best is not None else None


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
