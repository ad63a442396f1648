"""Decoding never raises: BOM, declared charset, detection, replacement."""

from __future__ import annotations

import gzip
import zlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from corpus.errors import DocumentError
from corpus.text.decode import REPLACEMENT_SUFFIX, decode_bytes, gunzip_capped


def test_bom_wins_over_declaration() -> None:
    raw = "\ufeff<meta charset=latin-1><p>ü</p>".encode("utf-16-le")
    text, enc = decode_bytes(raw)
    assert "ü" in text and enc == "utf-16-le"


def test_declared_charset_and_browser_aliases() -> None:
    raw = '<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1"><p>\x93hi\x94</p>'.encode("latin-1")
    text, enc = decode_bytes(raw)
    assert enc == "cp1252" and "“hi”" in text


def test_http_header_charset_is_tried_first() -> None:
    text, enc = decode_bytes("<p>Привет</p>".encode("koi8-r"), declared="KOI8-R")
    assert text == "<p>Привет</p>" and enc == "koi8-r"


def test_lying_and_unknown_charsets_fall_back() -> None:
    text, enc = decode_bytes('<meta charset="x-made-up"><p>naïve</p>'.encode())
    assert enc == "utf-8" and "naïve" in text
    text, enc = decode_bytes('<meta charset="utf-8"><p>caf\xe9 au lait, d\xe9j\xe0 vu</p>'.encode("latin-1"))
    assert "café" in text and enc != "utf-8"


def test_undecodable_bytes_are_replaced_and_recorded() -> None:
    text, enc = decode_bytes(b"\xff\xfe\xfd" * 3 + b"\x81", declared="utf-8", html=False)
    assert isinstance(text, str)
    assert enc.endswith(REPLACEMENT_SUFFIX) or enc != "utf-8"


@given(st.binary(), st.booleans(), st.sampled_from([None, "utf-8", "shift_jis", "bogus", "utf-16"]))
def test_decode_never_raises(raw: bytes, html: bool, declared: str | None) -> None:
    text, enc = decode_bytes(raw, declared=declared, html=html)
    assert isinstance(text, str) and enc


def test_gunzip_multi_member_and_limits() -> None:
    assert gunzip_capped(gzip.compress(b"ab") + gzip.compress(b"cd")) == b"abcd"
    bomb = gzip.compress(b"\0" * (5 * 1024 * 1024))
    with pytest.raises(DocumentError) as exc:
        gunzip_capped(bomb, limit=1024 * 1024)
    assert exc.value.reason == "decompression_bomb"
    with pytest.raises(DocumentError) as exc:
        gunzip_capped(gzip.compress(b"hello world" * 100)[:-20])
    assert exc.value.reason == "truncated_gzip"
    with pytest.raises(DocumentError) as exc:
        gunzip_capped(b"not gzip at all")
    assert exc.value.reason == "bad_gzip"
    assert gunzip_capped(zlib.compress(b"zlib too")) == b"zlib too"
