"""A strict JSON parser that remembers where every value is.

Used by the file layer to turn a JSON pointer into ``line:column`` and to find what ``json.loads``
hides: duplicate keys, nesting beyond :data:`corpus.limits.MAX_JSON_DEPTH`, ``NaN``/``Infinity``.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field
from json.decoder import JSONDecodeError, scanstring
from typing import Any

from corpus.limits import MAX_JSON_DEPTH

_WS = re.compile(r"[ \t\n\r]*")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?")
_LITERALS = (("true", True), ("false", False), ("null", None))


class JsonSyntaxError(ValueError):
    """Invalid JSON at character offset ``pos``."""

    def __init__(self, message: str, pos: int):
        super().__init__(message)
        self.pos = pos


class JsonTooDeep(ValueError):
    def __init__(self, pos: int, pointer: str):
        super().__init__(f"nesting deeper than MAX_JSON_DEPTH={MAX_JSON_DEPTH}")
        self.pos = pos
        self.pointer = pointer


@dataclass(slots=True)
class Parsed:
    """A parsed value; ``positions`` maps JSON pointers to the offset where each value starts."""

    value: Any
    positions: dict[str, int]
    duplicates: list[tuple[str, int]] = field(default_factory=list)  # (pointer, offset of the repeated key)


def escape_token(token: str | int) -> str:
    return str(token).replace("~", "~0").replace("/", "~1")


def pointer_of(path: list[Any] | tuple[Any, ...]) -> str:
    return "".join("/" + escape_token(t) for t in path)


def parse(text: str, max_depth: int = MAX_JSON_DEPTH) -> Parsed:
    """Parse ``text`` (one JSON value, surrounding whitespace allowed); raise on any deviation."""
    positions: dict[str, int] = {}
    duplicates: list[tuple[str, int]] = []

    def ws(i: int) -> int:
        return _WS.match(text, i).end()  # type: ignore[union-attr]

    def value(i: int, ptr: str, depth: int) -> tuple[Any, int]:
        if i >= len(text):
            raise JsonSyntaxError("unexpected end of input: expecting a value", i)
        positions[ptr] = i
        c = text[i]
        if c == "{" or c == "[":
            if depth >= max_depth:
                raise JsonTooDeep(i, ptr)
            return (obj(i, ptr, depth + 1) if c == "{" else arr(i, ptr, depth + 1))
        if c == '"':
            return string(i)
        m = _NUMBER.match(text, i)
        if m and m.end() > i and text[i] in "-0123456789":
            s = m.group()
            if m.group(1) or m.group(2):
                return float(s), m.end()
            try:
                return int(s), m.end()
            except ValueError:
                raise JsonSyntaxError(f"number with {len(s)} digits is too long", i) from None
        for word, val in _LITERALS:
            if text.startswith(word, i):
                return val, i + len(word)
        if text.startswith(("NaN", "Infinity", "-Infinity"), i):
            raise JsonSyntaxError("NaN and Infinity are not JSON numbers", i)
        raise JsonSyntaxError(f"expecting a value, found {text[i]!r}", i)

    def string(i: int) -> tuple[str, int]:
        try:
            return scanstring(text, i + 1, True)
        except JSONDecodeError as exc:
            raise JsonSyntaxError(exc.msg, exc.pos) from None

    def obj(i: int, ptr: str, depth: int) -> tuple[dict[str, Any], int]:
        out: dict[str, Any] = {}
        i = ws(i + 1)
        if i < len(text) and text[i] == "}":
            return out, i + 1
        while True:
            if i >= len(text) or text[i] != '"':
                raise JsonSyntaxError(
                    "expecting a property name in double quotes" if i < len(text) else "unexpected end of input",
                    i,
                )
            key_pos = i
            key, i = string(i)
            i = ws(i)
            if i >= len(text) or text[i] != ":":
                raise JsonSyntaxError("expecting ':' after a property name", i)
            child = ptr + "/" + escape_token(key)
            if key in out:
                duplicates.append((child, key_pos))
                stale = child + "/"
                for k in [k for k in positions if k.startswith(stale)]:
                    del positions[k]
            val, i = value(ws(i + 1), child, depth)
            out[key] = val
            i = ws(i)
            if i < len(text) and text[i] == ",":
                i = ws(i + 1)
                continue
            if i < len(text) and text[i] == "}":
                return out, i + 1
            raise JsonSyntaxError("expecting ',' or '}' in an object", i)

    def arr(i: int, ptr: str, depth: int) -> tuple[list[Any], int]:
        out: list[Any] = []
        i = ws(i + 1)
        if i < len(text) and text[i] == "]":
            return out, i + 1
        while True:
            val, i = value(i, f"{ptr}/{len(out)}", depth)
            out.append(val)
            i = ws(i)
            if i < len(text) and text[i] == ",":
                i = ws(i + 1)
                continue
            if i < len(text) and text[i] == "]":
                return out, i + 1
            raise JsonSyntaxError("expecting ',' or ']' in an array", i)

    start = ws(0)
    val, end = value(start, "", 0)
    end = ws(end)
    if end != len(text):
        raise JsonSyntaxError("extra data after the JSON value", end)
    return Parsed(val, positions, duplicates)


class LineIndex:
    """Offsets -> 1-based (line, column) in code points."""

    def __init__(self, text: str):
        self._starts = [0]
        find = text.find
        i = find("\n")
        while i >= 0:
            self._starts.append(i + 1)
            i = find("\n", i + 1)

    def line_col(self, offset: int) -> tuple[int, int]:
        k = bisect_right(self._starts, offset) - 1
        return k + 1, offset - self._starts[k] + 1


def locate(positions: dict[str, int], pointer: str) -> int:
    """Offset of the value at ``pointer``, or of its nearest ancestor that exists."""
    p = pointer
    while True:
        off = positions.get(p)
        if off is not None:
            return off
        if not p:
            return 0
        p = p[: p.rfind("/")]
