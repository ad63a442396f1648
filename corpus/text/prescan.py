"""The WHATWG HTML encoding-sniffing prescan: the ``<meta>`` charset in the first 1024 bytes.

Implements "prescan a byte stream to determine its encoding" of the HTML standard (§13.2.3.2),
including "get an attribute" and "extracting a character encoding from a meta element". Labels are
resolved with the WHATWG Encoding standard's table (:func:`whatwg_lookup`).
"""

from __future__ import annotations

from functools import lru_cache

from corpus.limits import CHARSET_SNIFF_BYTES

_SPACE = b"\t\n\x0c\r "
_SPACE_SLASH = b"\t\n\x0c\r /"
_LETTERS = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


@lru_cache(maxsize=256)
def whatwg_lookup(label: str) -> str | None:
    """The WHATWG encoding name for a label (``latin1`` -> ``windows-1252``), or None when unknown."""
    import webencodings

    enc = webencodings.lookup(label)
    return enc.name if enc is not None else None


class _End(Exception):
    """The prescan ran out of bytes in the middle of a construct."""


def _lower(b: int) -> int:
    return b + 32 if 65 <= b <= 90 else b


def _get_attribute(buf: bytes, pos: int) -> tuple[tuple[bytes, bytes] | None, int]:
    """One attribute at ``pos``: ``((name, value) or None, new position)``; raises :class:`_End`."""
    n = len(buf)
    while pos < n and buf[pos] in _SPACE_SLASH:
        pos += 1
    if pos >= n:
        raise _End
    if buf[pos] == 0x3E:  # '>'
        return None, pos
    name = bytearray()
    while True:
        if pos >= n:
            raise _End
        b = buf[pos]
        if b == 0x3D and name:  # '='
            pos += 1
            break
        if b in _SPACE:
            while pos < n and buf[pos] in _SPACE:
                pos += 1
            if pos >= n:
                raise _End
            if buf[pos] != 0x3D:
                return (bytes(name), b""), pos
            pos += 1
            break
        if b in (0x2F, 0x3E):  # '/' or '>'
            return (bytes(name), b""), pos
        name.append(_lower(b))
        pos += 1
    while pos < n and buf[pos] in _SPACE:
        pos += 1
    if pos >= n:
        raise _End
    value = bytearray()
    b = buf[pos]
    if b in (0x22, 0x27):  # quoted value
        quote = b
        pos += 1
        while True:
            if pos >= n:
                raise _End
            b = buf[pos]
            pos += 1
            if b == quote:
                return (bytes(name), bytes(value)), pos
            value.append(_lower(b))
    if b == 0x3E:
        return (bytes(name), b""), pos
    while True:
        value.append(_lower(b))
        pos += 1
        if pos >= n:
            raise _End
        b = buf[pos]
        if b in _SPACE or b == 0x3E:
            return (bytes(name), bytes(value)), pos


def charset_from_content(value: bytes) -> str | None:
    """The label in a ``content="text/html; charset=..."`` value (the HTML standard's algorithm)."""
    pos = 0
    low = value.lower()
    while True:
        i = low.find(b"charset", pos)
        if i < 0:
            return None
        pos = i + 7
        while pos < len(low) and low[pos] in _SPACE:
            pos += 1
        if pos >= len(low) or low[pos] != 0x3D:
            continue
        pos += 1
        while pos < len(low) and low[pos] in _SPACE:
            pos += 1
        if pos >= len(low):
            return None
        q = value[pos]
        if q in (0x22, 0x27):
            end = value.find(bytes([q]), pos + 1)
            return value[pos + 1 : end].decode("latin-1") if end >= 0 else None
        end = pos
        while end < len(value) and value[end] not in _SPACE and value[end] != 0x3B:
            end += 1
        return value[pos:end].decode("latin-1")


def _meta(buf: bytes, pos: int) -> tuple[str | None, int]:
    """Attributes of one ``<meta`` (``pos`` just after it): ``(encoding or None, position)``."""
    seen: set[bytes] = set()
    got_pragma = False
    need_pragma: bool | None = None
    charset: str | None = None
    while True:
        attr, pos = _get_attribute(buf, pos)
        if attr is None:
            break
        name, value = attr
        if name in seen:
            continue
        seen.add(name)
        if name == b"http-equiv":
            got_pragma = got_pragma or value == b"content-type"
        elif name == b"content":
            label = charset_from_content(value)
            enc = whatwg_lookup(label) if label is not None else None
            if charset is None and enc is not None:
                charset, need_pragma = enc, True
        elif name == b"charset":
            charset = whatwg_lookup(value.decode("latin-1"))
            need_pragma = False
    if need_pragma is None or (need_pragma and not got_pragma) or charset is None:
        return None, pos
    if charset in ("utf-16be", "utf-16le"):
        return "utf-8", pos
    if charset == "x-user-defined":
        return "windows-1252", pos
    return charset, pos


def prescan(raw: bytes, limit: int = CHARSET_SNIFF_BYTES) -> str | None:
    """The WHATWG encoding name a ``<meta>`` in the first ``limit`` bytes declares, or None."""
    buf = raw[:limit]
    n = len(buf)
    pos = 0
    try:
        while pos < n:
            if buf[pos] != 0x3C:  # '<'
                nxt = buf.find(b"<", pos)
                if nxt < 0:
                    return None
                pos = nxt
                continue
            if buf.startswith(b"<!--", pos):
                end = buf.find(b"-->", pos + 2)
                if end < 0:
                    return None
                pos = end + 3
                continue
            if buf[pos + 1 : pos + 5].lower() == b"meta" and pos + 5 < n and buf[pos + 5] in _SPACE_SLASH:
                enc, pos = _meta(buf, pos + 6)
                if enc is not None:
                    return enc
                pos += 1
                continue
            after = pos + 2 if buf.startswith(b"</", pos) else pos + 1
            if after < n and buf[after] in _LETTERS:
                pos = after
                while pos < n and buf[pos] not in _SPACE and buf[pos] != 0x3E:
                    pos += 1
                while True:
                    attr, pos = _get_attribute(buf, pos)
                    if attr is None:
                        break
                pos += 1
                continue
            if buf.startswith((b"<!", b"</", b"<?"), pos):
                end = buf.find(b">", pos)
                if end < 0:
                    return None
                pos = end + 1
                continue
            pos += 1
    except _End:
        return None
    return None
