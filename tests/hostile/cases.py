"""The hostile-input catalogue: each case writes its inputs into a directory and states the outcome.

Large inputs are generated here, at test time, into a temporary directory (never committed).
"""

from __future__ import annotations

import gzip
import io
import os
import random
import tarfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .warcs import page_record, record, warc_gz, warc_plain

MIB = 1024 * 1024
SECRET = "TOP-SECRET-LOCAL-FILE-CONTENT-4711"
OK_PAGE = "<html><body><h1>Fine headline</h1><p>An ordinary paragraph of text.</p></body></html>"


@dataclass(frozen=True)
class Case:
    name: str
    make: Callable[[Path], None]
    #: reasons of the rejects, sorted (``duplicate`` etc. included); documents expected
    reasons: tuple[str, ...] = ()
    docs: int = 0
    #: extra assertion over (documents, rejects, input dir)
    check: Callable[[list[dict], list[dict], Path], None] | None = None
    #: run in a subprocess with a peak-RSS bound (big inputs)
    big: bool = False


def write(name: str, data: bytes | str | Callable[[], bytes | str]) -> Callable[[Path], None]:
    """A maker writing one file; ``data`` may be a callable so big inputs are built only when used."""
    def make(d: Path) -> None:
        value = data() if callable(data) else data
        (d / name).write_bytes(value.encode("utf-8") if isinstance(value, str) else value)
    return make


def gzip_stream(n_bytes: int, chunk: bytes = b"\0" * MIB, prefix: bytes = b"") -> bytes:
    """gzip of ``prefix`` + ``n_bytes`` of repeated ``chunk`` (built incrementally: small in memory)."""
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0) as g:
        g.write(prefix)
        left = n_bytes
        while left > 0:
            g.write(chunk[: min(len(chunk), left)])
            left -= len(chunk)
    return buf.getvalue()


def big_page(d: Path) -> None:
    with open(d / "huge.html", "wb") as fh:
        fh.write(b"<html><body>")
        para = b"<p>" + b"word " * 200 + b"</p>\n"
        while fh.tell() < 50 * MIB:
            fh.write(para)
        fh.write(b"</body></html>")


def large_ok_page(d: Path) -> None:
    with open(d / "large.html", "wb") as fh:
        fh.write(b"<html><body>")
        para = b"<p>" + b"lorem ipsum dolor " * 100 + b"</p>\n"
        while fh.tell() < 18 * MIB:
            fh.write(para)
        fh.write(b"</body></html>")


def deep(tag: str, n: int = 100_000) -> bytes:
    return (b"<html><body>" + f"<{tag}>".encode() * n + b"deep text" + f"</{tag}>".encode() * n + b"</body></html>")


def fifo(d: Path) -> None:
    os.mkfifo(d / "pipe.html")


def symlink_out(d: Path) -> None:
    secret = d.parent / "secret.html"
    secret.write_text(f"<p>{SECRET}</p>")
    os.symlink(secret, d / "link.html")
    (d / "ok.html").write_text(OK_PAGE)


def symlink_dir_loop(d: Path) -> None:
    (d / "sub").mkdir()
    (d / "sub" / "ok.html").write_text(OK_PAGE)
    os.symlink(d, d / "sub" / "loop")
    os.symlink("/etc", d / "etc")


def tar_traversal(d: Path) -> None:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as t:
        data = b"<p>escaped</p>"
        info = tarfile.TarInfo("../../escaped.html")
        info.size = len(data)
        t.addfile(info, io.BytesIO(data))
        link = tarfile.TarInfo("passwd.html")
        link.type = tarfile.SYMTYPE
        link.linkname = "/etc/passwd"
        t.addfile(link)
    (d / "pages.tar").write_bytes(buf.getvalue())
    (d / "pages.tar.gz").write_bytes(gzip.compress(buf.getvalue()))


def zip_traversal(d: Path) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("../../escaped.html", "<p>escaped</p>")
    (d / "pages.zip").write_bytes(buf.getvalue())


def no_escape(docs, rejects, d: Path) -> None:
    assert not (d.parent.parent / "escaped.html").exists() and not (d.parent / "escaped.html").exists()


def secret_absent(docs, rejects, d: Path) -> None:
    assert all(SECRET not in doc["text"] for doc in docs)


def xxe(d: Path) -> None:
    secret = d.parent / "secret.txt"
    secret.write_text(SECRET)
    page = (f'<?xml version="1.0"?>\n<!DOCTYPE html [<!ENTITY xxe SYSTEM "file://{secret}">]>\n'
            '<html xmlns="http://www.w3.org/1999/xhtml"><body><p>before &xxe; after</p></body></html>')
    (d / "xxe.xhtml").write_text(page)
    (d / "xxe.html").write_text(page.replace("before", "first"))


def billion_laughs(d: Path) -> None:
    ents = ['<!ENTITY lol "lol">', '<!ENTITY lol1 "' + "&lol;" * 10 + '">']
    ents += [f'<!ENTITY lol{i} "' + f"&lol{i - 1};" * 10 + '">' for i in range(2, 10)]
    page = f'<?xml version="1.0"?><!DOCTYPE lolz [{"".join(ents)}]><html><body><p>&lol9;</p></body></html>'
    (d / "lol.xhtml").write_text(page)


def laughs_bounded(docs, rejects, d: Path) -> None:
    assert all(len(doc["text"]) < 10_000 for doc in docs)


def no_surrogates(docs, rejects, d: Path) -> None:
    for doc in docs:
        assert not any(0xD800 <= ord(c) <= 0xDFFF for c in doc["text"])
        assert "\0" not in doc["text"]


def text_has(s: str) -> Callable:
    def check(docs, rejects, d):
        assert any(s in doc["text"] for doc in docs), [doc["text"][:200] for doc in docs]
    return check


def many_blocks(d: Path) -> None:
    (d / "blocks.html").write_bytes(b"<html><body>" + b"<p>x</p>" * 100_001 + b"</body></html>")


def many_lines(d: Path) -> None:
    (d / "lines.txt").write_bytes(b"line\n" * 100_001)


def many_entities(d: Path) -> None:
    (d / "ents.html").write_bytes(b"<html><body><p>" + b"&amp;&#x41;&eacute; " * 300_000 + b"</p></body></html>")


def random_binary(d: Path) -> None:
    rng = random.Random(5)
    (d / "noise.html").write_bytes(bytes(rng.randrange(256) for _ in range(64 * 1024)))


def bad_filename(d: Path) -> None:
    (d / os.fsdecode(b"caf\xe9-page.html")).write_text(OK_PAGE)
    (d / "new\nline.html").write_text(OK_PAGE.replace("Fine", "Other"))
    (d / os.fsdecode(b"bad\xff.zip")).write_bytes(b"PK\x03\x04")


def warc_bomb(d: Path) -> None:
    bomb = gzip_stream(80 * MIB, b"<p>" + b"a" * (MIB - 3))
    rec = page_record(bomb, i=1, http_extra=(("Content-Encoding", "gzip"),))
    (d / "bomb.warc.gz").write_bytes(warc_gz([page_record(OK_PAGE, i=0), rec]))


W_OK = page_record(OK_PAGE, url="http://example.org/a", i=0)

CASES: list[Case] = [
    # -- compression ---------------------------------------------------------------------------
    Case("gzip-bomb", write("bomb.html.gz", lambda: gzip_stream(200 * MIB)), ("decompression_bomb",), big=True),
    Case("gzip-bomb-html", write("bomb2.html.gz", lambda: gzip_stream(100 * MIB, b"<p>aaaa</p>" * 1000)),
         ("decompression_bomb",), big=True),
    Case("warc-content-encoding-bomb", warc_bomb, ("decompression_bomb",), docs=1, big=True),
    Case("truncated-gzip", write("t.html.gz", gzip.compress(OK_PAGE.encode() * 50)[:-40]), ("truncated_gzip",)),
    Case("not-gzip-named-gz", write("n.html.gz", OK_PAGE), ("bad_gzip",)),
    Case("gzip-named-html", write("g.html", gzip.compress(OK_PAGE.encode())), ("binary_content",)),
    Case("empty-gzip", write("e.html.gz", gzip.compress(b"")), ("no_text",)),
    Case("concatenated-gzip-members", write("m.html.gz", gzip.compress(b"<p>one</p>") + gzip.compress(b"<p>two</p>")),
         docs=1, check=text_has("one\ntwo")),
    # -- size and structure --------------------------------------------------------------------
    Case("50MB-page", big_page, ("raw_too_large",), big=True),
    Case("18MB-page-accepted", large_ok_page, docs=1, big=True),
    Case("deep-div-nesting", write("deep.html", lambda: deep("div")), ("dom_too_deep",), big=True),
    Case("deep-inline-nesting", write("deep.html", lambda: deep("b")), ("dom_too_deep",), big=True),
    Case("deep-table-nesting", write("deep.html", lambda: deep("table", 20_000)), ("dom_too_deep",)),
    Case("too-many-blocks", many_blocks, ("too_many_blocks",)),
    Case("too-many-lines", many_lines, ("too_many_blocks",)),
    Case("many-character-entities", many_entities, docs=1, check=text_has("&Aé &Aé")),
    Case("unclosed-comment", write("c.html", "<html><body><!-- " + "x" * 100_000), ("no_text",)),
    Case("script-only", write("s.html", "<script>" + "var a=1;" * 1000 + "</script>"), ("no_text",)),
    Case("whitespace-only", write("w.html", " \n\t " * 100), ("no_text",)),
    Case("huge-attribute-count", write("a.html", "<p " + " ".join(f"a{i}=x" for i in range(100_000)) + ">ok</p>"),
         ("too_many_attributes",)),
    Case("many-attributes-below-limit", write("a.html", ("<p " + " ".join(f"a{i}=x" for i in range(250)) + ">ok</p>")
                                              * 2000), docs=1),
    Case("one-10MB-word", write("w.txt", lambda: "x" * (10 * MIB)), docs=1, big=True),
    # -- encodings -----------------------------------------------------------------------------
    Case("unknown-charset", write("u.html", '<meta charset="x-no-such-charset"><p>caf\u00e9 ok</p>'), docs=1,
         check=text_has("café ok")),
    Case("lying-charset-utf8-is-cp1252",
         write("l.html", b'<meta charset="utf-8"><p>Na\xefve caf\xe9 r\xe9sum\xe9 \x93quoted\x94</p>'),
         docs=1, check=text_has("café résumé")),
    Case("lying-charset-sjis-is-latin", write("s.html", b'<meta charset="shift_jis"><p>plain ascii text</p>'),
         docs=1, check=text_has("plain ascii text")),
    Case("meta-utf16-but-ascii", write("x.html", '<meta charset="utf-16"><p>ascii really</p>'), docs=1,
         check=text_has("ascii really")),
    Case("utf16-bom", write("b.html", "\ufeff<p>wide text</p>".encode("utf-16-le")), docs=1,
         check=text_has("wide text")),
    Case("utf16-no-bom", write("b.html", "<p>wide text</p>".encode("utf-16-le")), ("binary_content",)),
    Case("encoded-lone-surrogates", write("s.html", b"<p>a\xed\xa0\x80b \xed\xbf\xbf c</p>"), docs=1,
         check=no_surrogates),
    Case("entity-lone-surrogate", write("e.html", "<p>x &#xD800; y &#55296; z</p>"), docs=1, check=no_surrogates),
    Case("nul-bytes", write("n.html", b"<p>nul\0here\0</p>" + b"<p>text</p>" * 50), docs=1, check=no_surrogates),
    Case("mostly-nul", write("z.html", b"<p>" + b"\0" * 10_000), ("binary_content",)),
    Case("png-named-html", write("i.html", b"\x89PNG\r\n\x1a\n" + b"\0" * 100), ("binary_content",)),
    Case("pdf-named-htm", write("d.htm", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj"), ("binary_content",)),
    Case("random-bytes-named-html", random_binary, ("binary_content",)),
    Case("bidi-and-zero-width", write("z.html", "<p>a\u202eb\u200bc\u2066d</p>"), docs=1, check=text_has("a")),
    Case("empty-file", write("e.html", b""), ("empty_file",)),
    # -- WARC ----------------------------------------------------------------------------------
    Case("warc-malformed-header",
         write("m.warc.gz", warc_gz([W_OK, b"WRAC/1.0\r\nfoo\r\n\r\nbar\r\n\r\n", page_record(OK_PAGE + " ", i=2)])),
         ("malformed_warc_record",), docs=2),
    Case("warc-no-target-uri", write("n.warc.gz", warc_gz([page_record(OK_PAGE, url=None)])), ("missing_target_uri",)),
    Case("warc-truncated", write("t.warc.gz", warc_gz([W_OK, page_record(OK_PAGE + "!", i=3)])[:-20]),
         ("partial_file",), docs=1),
    Case("warc-garbage", write("g.warc.gz", bytes(range(256)) * 10), ("partial_file",)),
    Case("warc-empty", write("e.warc", b""), ("empty_file",)),
    Case("warc-digest-mismatch",
         write("d.warc", warc_plain([page_record(OK_PAGE, payload_digest="sha1:" + "A" * 32)])), ("digest_mismatch",)),
    Case("warc-length-past-eof", write("l.warc", warc_plain([W_OK])[:-100]), ("partial_file",)),
    Case("warc-bad-content-length", write("b.warc", b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: -5\r\n\r\n"),
         ("malformed_warc_record", "partial_file")),
    Case("warc-endless-header", write("h.warc", b"WARC/1.0\r\n" + b"X-Pad: " + b"a" * 200_000),
         ("malformed_warc_record", "partial_file")),
    Case("warc-not-html-and-status",
         write("s.warc.gz", warc_gz([page_record(b"{}", http_content_type="application/json", i=1),
                                     page_record(OK_PAGE, status=500, i=2),
                                     record(b"irrelevant", wtype="metadata")])),
         ("http_status", "not_html")),
    # -- file system ---------------------------------------------------------------------------
    Case("symlink-escaping-root", symlink_out, ("symlink",), docs=1, check=secret_absent),
    Case("symlink-dir-loop", symlink_dir_loop, ("symlink", "symlink"), docs=1),
    Case("fifo-named-html", fifo, ("not_a_regular_file",)),
    Case("tar-with-traversal", tar_traversal, ("unsupported_format", "unsupported_format"), check=no_escape),
    Case("zip-with-traversal", zip_traversal, ("unsupported_format",), check=no_escape),
    Case("undecodable-and-newline-file-names", bad_filename, ("unsupported_format",), docs=2),
    # -- markup attacks ------------------------------------------------------------------------
    Case("xxe-external-entity", xxe, docs=2, check=secret_absent),
    Case("billion-laughs", billion_laughs, docs=1, check=laughs_bounded),
    Case("duplicate-input", lambda d: [write(n, OK_PAGE)(d) for n in ("a.html", "b.html")], ("duplicate",), docs=1),
]
