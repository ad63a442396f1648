"""`corpus show`: the terminal listing and the self-contained review page (rendered in Chromium)."""

from __future__ import annotations

import re
import struct
import subprocess
import zlib
from pathlib import Path

from annotation_samples import news_doc, text_doc

from corpus.cli import main
from corpus.model import Metadata
from corpus.review.show import BLOCK_COLOURS, CSP, render_html, render_terminal
from corpus.store import write_document
from tests.conftest import require_chromium

HOSTILE_TITLE = '</title><script>document.title="owned"</script><img src=x onerror="document.title=1">'


def hostile_doc():
    doc = news_doc()
    return doc.replace(metadata=Metadata(title=HOSTILE_TITLE, authors=("<b>Bold</b> & Co",), language="en"))


def test_terminal_listing_has_label_column_entities_and_no_control_characters():
    doc = text_doc()
    out = render_terminal(doc)
    lines = out.split("\n")
    assert "title  | Weather [live] | [Oslo]{LOC}" in lines
    assert lines[-4:] == ["title  | Weather [live] | [Oslo]{LOC}",
                          "body   | Rain in [Bergen]{LOC} and [Oslo]{LOC} all week",
                          "social | Share | Tweet", ""]
    assert lines[:2] == [f"id: {doc.id}", "title: Weather [live] | Oslo"]
    evil = doc.replace(metadata=Metadata(title="\x1b[2Jcleared"))
    assert "\x1b" not in render_terminal(evil) and "\\u{1b}[2Jcleared" in render_terminal(evil)
    # list fields read as a list, not as a Python tuple
    listed = render_terminal(doc.replace(metadata=Metadata(authors=("Ann Lee", "Bo Berg"), tags=("rain",)))).split("\n")
    assert "authors: Ann Lee, Bo Berg" in listed and "tags: rain" in listed


def test_page_is_self_contained_and_escapes_everything():
    page = render_html(hostile_doc())
    assert f'<meta http-equiv="Content-Security-Policy" content="{CSP}">' in page
    assert "script-src" not in CSP and "default-src 'none'" in CSP
    assert "<script" not in page.lower() and "<img" not in page.lower()
    assert "&lt;script&gt;document.title=&quot;pwned&quot;&lt;/script&gt;" in page
    assert "&lt;/title&gt;&lt;script&gt;" in page
    assert "&lt;b&gt;Bold&lt;/b&gt; &amp; Co" in page
    assert not re.search(r"""<[^>]*\b(src|href)\s*=|url\(|@import""", page)  # nothing is loaded from anywhere
    assert page.count('<div class="block ') == len(news_doc().blocks)
    assert page.count("<mark ") == len(news_doc().entities)


def test_cli_show(tmp_path, capsys):
    src = tmp_path / "doc.json"
    write_document(text_doc(), src)
    assert main(["show", str(src)]) == 0
    assert "body   | Rain in [Bergen]{LOC}" in capsys.readouterr().out
    out = tmp_path / "page.html"
    assert main(["show", str(src), "--html", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == render_html(text_doc())
    assert main(["show", str(tmp_path / "missing.json")]) == 2


# -- headless Chromium -----------------------------------------------------------------------------
def _chromium() -> str:
    return require_chromium(what="rendering the review page")


def _run(browser: str, tmp: Path, *args: str) -> subprocess.CompletedProcess:
    cmd = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
           "--disable-background-networking", "--disable-component-update", "--disable-sync",
           f"--user-data-dir={tmp / 'profile'}", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120, check=False)


def png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """``(width, height, rows)`` of an 8-bit, non-interlaced RGB/RGBA PNG; rows are unfiltered RGB(A) bytes."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, ihdr = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            ihdr = struct.unpack(">IIBBBBB", chunk)
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = ihdr
    assert depth == 8 and colour in (2, 6) and interlace == 0, ihdr
    bpp = 3 if colour == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows, prev = [], bytearray(stride)
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return width, height, [bytes(r) if bpp == 3 else bytes(x for i, x in enumerate(r) if i % 4 != 3) for r in rows]


def test_review_page_renders_in_headless_chromium_and_hostile_text_stays_text(tmp_path):
    browser = _chromium()
    page = tmp_path / "page.html"
    page.write_text(render_html(hostile_doc()), encoding="utf-8")
    url = page.resolve().as_uri()

    dom = _run(browser, tmp_path, "--dump-dom", url)
    assert dom.returncode == 0, dom.stderr[-2000:]
    html = dom.stdout
    # the scripts in the text did not run: the title is the escaped text, no script or img element exists
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)
    assert "owned" in title and title.startswith("&lt;/title&gt;&lt;script&gt;")
    assert "<script" not in html.lower() and "<img" not in html.lower()
    assert "&lt;script&gt;document.title=\"pwned\"&lt;/script&gt;" in html
    # the highlights are in the DOM
    assert len(re.findall(r'<div class="block lab-', html)) == len(news_doc().blocks)
    marks = re.findall(r'<mark class="ent ent-(\w+)" data-label="\w+">([^<]*)<sup>', html)
    assert marks == [(e.label, e.text) for e in news_doc().entities]
    assert 'data-label="caption"' in html and 'id="legend"' in html

    shot = tmp_path / "shot.png"
    res = _run(browser, tmp_path, f"--screenshot={shot}", "--window-size=1200,1600", url)
    assert res.returncode == 0 and shot.is_file(), res.stderr[-2000:]
    width, height, rows = png_pixels(shot.read_bytes())
    assert (width, height) == (1200, 1600)
    colours = {row[i:i + 3] for row in rows[::4] for i in range(0, len(row), 12)}
    assert len(colours) > 10  # not blank
    for label in ("body", "title", "navigation"):  # the block backgrounds were painted
        rgb = bytes.fromhex(BLOCK_COLOURS[label][1:])
        assert rgb in colours, label
