"""Decoding as the WHATWG Encoding and HTML standards do; never raises.

References: Python's codecs for the bytes of each encoding, the ``webencodings`` package for the WHATWG
label table; the prescan is checked against hand-built pages whose declared encoding is known.
"""

from __future__ import annotations

import gzip
import zlib

import pytest
import webencodings
from hypothesis import given
from hypothesis import strategies as st

from corpus.errors import DocumentError
from corpus.text.decode import (
    ENCODING_SOURCES,
    decode_bytes,
    decode_page,
    decode_with,
    gunzip_capped,
    resolve_label,
)
from corpus.text.prescan import charset_from_content, prescan


def test_stray_byte_in_declared_utf8_is_one_replacement_character() -> None:
    body = "<p>" + "Grüße aus Köln, naïve café. " * 30 + "</p>"
    raw = b'<meta charset="utf-8">' + body.encode() + b"\x81" + b"<p>Ende</p>"
    d = decode_page(raw)
    assert (d.encoding, d.source) == ("utf-8", "meta")
    assert d.text == raw.decode("utf-8", errors="replace") and d.text.count("\ufffd") == 1


def test_iso_8859_9_is_windows_1254_with_curly_quotes_and_euro() -> None:
    raw = b'<meta charset="iso-8859-9"><p>\x93Merhaba\x94 \x80 5 \xfd\xfe</p>'
    d = decode_page(raw)
    assert (d.encoding, d.source) == ("windows-1254", "meta")
    assert "“Merhaba” € 5 ış" in d.text and d.text == raw.decode("cp1254")


def test_valid_utf8_declaring_iso_8859_1_is_utf8() -> None:
    raw = '<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1"><p>Zürich – “ok”</p>'.encode()
    d = decode_page(raw)
    assert (d.encoding, d.source) == ("utf-8", "meta-valid-utf-8")
    assert "Zürich – “ok”" in d.text


def test_ascii_page_declaring_iso_8859_1_keeps_the_declaration() -> None:
    assert decode_page(b"<meta charset=iso-8859-1><p>plain</p>").encoding == "windows-1252"


def test_iso_8859_1_label_is_windows_1252() -> None:
    raw = '<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1"><p>\x93hi\x94 \x81</p>'
    d = decode_page(raw.encode("latin-1"))
    assert (d.encoding, d.source) == ("windows-1252", "meta")
    assert "“hi” \x81" in d.text  # WHATWG maps cp1252's undefined bytes to the C1 control of the same value


def test_tis_620_is_windows_874() -> None:
    raw = b"<meta charset=tis-620><p>" + "สวัสดี €".encode("cp874") + b"</p>"
    d = decode_page(raw)
    assert (d.encoding, d.source) == ("windows-874", "meta") and "สวัสดี €" in d.text


def test_no_declaration_valid_utf8_then_detection() -> None:
    d = decode_page("<p>Привет, мир</p>".encode())
    assert (d.encoding, d.source) == ("utf-8", "valid-utf-8")
    text = "<p>" + "Съешь же ещё этих мягких французских булок, да выпей чаю. " * 20 + "</p>"
    d = decode_page(text.encode("cp1251"))
    assert d.source == "detected" and d.text == text


def test_bom_overrides_meta() -> None:
    d = decode_page(b"\xef\xbb\xbf<meta charset=windows-1251><p>" + "é".encode() + b"</p>")
    assert (d.encoding, d.source) == ("utf-8", "bom") and "<p>é</p>" in d.text and not d.text.startswith("\ufeff")
    raw = "\ufeff<meta charset=latin-1><p>ü</p>".encode("utf-16-le")
    d = decode_page(raw)
    assert (d.encoding, d.source) == ("utf-16le", "bom") and d.text == "<meta charset=latin-1><p>ü</p>"


def test_http_header_overrides_meta() -> None:
    raw = b"<meta charset=windows-1251><p>" + "Привет".encode("koi8-r") + b"</p>"
    d = decode_page(raw, declared="KOI8-R")
    assert (d.encoding, d.source) == ("koi8-r", "transport") and "<p>Привет</p>" in d.text
    assert decode_page(raw, declared="no-such-charset").source == "meta"  # unknown transport labels are ignored


def test_meta_declaring_utf16_means_utf8_and_x_user_defined_means_windows_1252() -> None:
    assert prescan(b'<meta charset="UTF-16LE">') == "utf-8"
    assert prescan(b'<meta http-equiv="content-type" content="text/html;charset=x-user-defined">') == "windows-1252"


def test_prescan_follows_the_html_standard() -> None:
    assert prescan(b"<!-- <meta charset=koi8-r> --><meta charset=utf-8>") == "utf-8"
    assert prescan(b'<meta content="text/html; charset=koi8-r">') is None  # content without http-equiv
    assert prescan(b'<meta content="text/html; charset=koi8-r" http-equiv=Content-Type>') == "koi8-r"
    assert prescan(b'<meta charset=bogus><meta charset=koi8-r>') == "koi8-r"
    assert prescan(b'<div title="<meta charset=koi8-r>"><meta charset=latin1>') == "windows-1252"
    assert prescan(b"<meta charset=koi8-r", ) is None  # the bytes end inside the tag
    assert prescan(b" " * 1030 + b"<meta charset=koi8-r>") is None  # past the first 1024 bytes
    assert prescan(b"<metacharset=koi8-r>") is None
    assert prescan(b"<meta/charset='Shift_JIS'>") == "shift_jis"
    assert charset_from_content(b"text/html; charset = 'euc-kr' ") == "euc-kr"
    assert charset_from_content(b"text/html; charset=\"unterminated") is None


def test_labels_map_by_the_whatwg_table() -> None:
    for label in ("iso-8859-1", "ascii", "latin1", "US-ASCII", "iso-8859-9", "tis-620", "utf-16", "x-user-defined",
                  "gb2312", "shift_jis", "iso-2022-kr", "KOI8-R", " utf8 "):
        assert resolve_label(label) == webencodings.lookup(label).name, label
    assert resolve_label("cp1125") == "cp1125"  # Python knows it, the WHATWG table does not
    assert resolve_label("made-up") is None and resolve_label("utf-8;replacement") is None


@pytest.mark.parametrize("name", sorted(set(webencodings.LABELS.values()) - {"replacement", "x-user-defined"}))
def test_every_whatwg_encoding_decodes_like_its_python_codec(name: str) -> None:
    codec = webencodings.lookup(name).codec_info.name
    sample = "Hello, world: 1234 <p>".encode(codec)
    assert decode_with(sample, name) == sample.decode(codec)
    junk = bytes(range(256))
    expected = junk.decode("gb18030" if name == "gbk" else codec, errors="replace")
    if name == "windows-1252":
        expected = "".join(chr(b) if b in (0x81, 0x8D, 0x8F, 0x90, 0x9D) else bytes([b]).decode("cp1252")
                           for b in junk)
    assert decode_with(junk, name) == expected


def test_x_user_defined_and_replacement() -> None:
    assert decode_with(b"a\x80\xff", "x-user-defined") == "a\uf780\uf7ff"
    assert decode_with(b"anything", "replacement") == "\ufffd" and decode_with(b"", "replacement") == ""
    assert decode_page(b"<p>x</p>", declared="iso-2022-kr").text == "\ufffd"


def test_lying_utf8_meta_with_mostly_latin1_bytes_is_detected() -> None:
    raw = '<meta charset="utf-8"><p>caf\xe9 au lait, d\xe9j\xe0 vu, cr\xe8me br\xfbl\xe9e</p>'.encode("latin-1")
    d = decode_page(raw)
    assert d.source == "detected" and "café" in d.text


def test_undecodable_bytes_are_replaced() -> None:
    text, enc = decode_bytes(b"\xfd\xfe\xff" * 3 + b"\x81", declared="utf-8", html=False)
    assert text.startswith("\ufffd") and enc == "utf-8"


def test_recorded_encodings_reproduce_the_text() -> None:
    """Re-decoding with the recorded encoding as transport charset gives the same text (validation relies on it)."""
    pages = [b"<meta charset=iso-8859-9><p>\x93x\x94</p>", "<meta charset=latin1><p>é</p>".encode(),
             b"<p>\xe9t\xe9 " * 40 + b"</p>", b"\xef\xbb\xbf<p>x</p>", b"<p>plain</p>"]
    for raw in pages:
        d = decode_page(raw)
        assert decode_page(raw, declared=d.encoding).text == d.text


@given(st.binary(), st.booleans(), st.sampled_from([None, "utf-8", "shift_jis", "bogus", "utf-16"]))
def test_decode_never_raises(raw: bytes, html: bool, declared: str | None) -> None:
    d = decode_page(raw, declared=declared, html=html)
    assert isinstance(d.text, str) and d.encoding and d.source in ENCODING_SOURCES
    assert isinstance(prescan(raw), (str, type(None)))


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
