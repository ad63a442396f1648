"""Importers on files written the way the public Dragnet, CleanEval, L3S-GN1 and WebMainBench copies are.

Small synthetic pages in the published layouts, with the quirks those copies really have: CRLF line
ends, tabs and UTF-16 in Dragnet's corrected files, windows-1252 gold text, CleanEval's three
distributions and ``<text>`` wrapper, L3S-GN1's nested spans and ``?`` for non-Latin-1 characters.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path

import lxml.html
import pytest

from corpus.annotate.projection import element_labels
from corpus.benchmarks.l3s_gn1 import UNANNOTATED, span_label
from corpus.errors import ConfigError
from corpus.model import Document
from corpus.text.normalise import normalise_html_root, parse_html
from tests.benchmarks.test_import_benchmarks import labelled, reasons, run
from tests.conftest import TRAF_EVAL, require_shared

DELIMITER = "!@#$%^&*()  COMMENTS"
ARTICLE = ["The harbour wall was rebuilt over two summers by a team of local stonemasons.",
           "Each block was numbered, lifted out and set back on a bed of lime mortar."]
COMMENTS = ["Lovely to see the old wall looking like new again after all these years.",
            "My grandfather worked on the last repair, back in nineteen fifty two."]


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def page(*paras: str, head: str = "<title>Harbour wall</title>", meta: str = "") -> str:
    body = "".join(f"<p>{p}</p>" for p in paras)
    return f"<html><head>{meta}{head}</head><body><nav>Home | News</nav>{body}<footer>(c) Paper</footer></body></html>"


# -- dragnet: the comments delimiter -------------------------------------------------------------
@pytest.mark.parametrize(("name", "delimiter", "newline", "encoding"), [
    ("crlf", DELIMITER, "\r\n", "utf-8"),
    ("tab", "!@#$%^&*() \tCOMMENTS", "\n", "utf-8"),
    ("utf16", DELIMITER, "\r\n", "utf-16"),  # Notepad's "Unicode": UTF-16-LE with BOM, CRLF
])
def test_dragnet_delimiter_is_found_in_real_files(tmp_path, name, delimiter, newline, encoding):
    src = tmp_path / "src"
    write(src / "HTML" / f"{name}.html", page(*ARTICLE, "<b>2 comments</b>", *COMMENTS))
    gold = newline.join([*ARTICLE, delimiter, *COMMENTS, ""])
    write(src / "Corrected" / f"{name}.html.corrected.txt", gold.encode(encoding))
    docs, rejects = run("dragnet", src, tmp_path / "out")
    doc = docs[name]
    assert rejects == [] and doc.reference.text == gold
    assert labelled(doc) == {"body": ARTICLE, "comments": COMMENTS}


# -- legacy gold text: UTF-8 when valid, else windows-1252 -----------------------------------------
GOLD_LINE = "Sculptures – Fubiz™ “the best” of 2012"


def test_dragnet_gold_is_utf8_or_windows_1252_never_a_guess(tmp_path):
    """The same short gold line saved four ways decodes to the same text (a detector guesses cp1252 wrong)."""
    for encoding in ("cp1252", "utf-8", "utf-8-sig", "utf-16"):
        src = tmp_path / encoding
        write(src / "HTML" / "p.html", page(GOLD_LINE, ARTICLE[0], meta='<meta charset="utf-8">'))
        write(src / "Corrected" / "p.html.corrected.txt", f"{GOLD_LINE}\n{ARTICLE[0]}\n".encode(encoding))
        docs, _ = run("dragnet", src, tmp_path / f"out-{encoding}")
        assert docs["p"].reference.text == f"{GOLD_LINE}\n{ARTICLE[0]}\n", encoding
        assert labelled(docs["p"])["body"] == [GOLD_LINE, ARTICLE[0]], encoding


def test_legacy_decoding_rules():
    from corpus.benchmarks._common import decode_legacy_text

    assert decode_legacy_text(GOLD_LINE.encode("cp1252")) == (GOLD_LINE, "cp1252")
    assert decode_legacy_text(GOLD_LINE.encode("utf-8")) == (GOLD_LINE, "utf-8")
    assert decode_legacy_text(b"caf\xe9 \x81") == ("café \x81", "cp1252")  # undefined byte: C1 character
    assert decode_legacy_text("\ufeffé".encode("utf-16-be")) == ("é", "utf-16-be")


def test_cleaneval_gold_in_windows_1252(tmp_path):
    src = tmp_path / "src"
    write(src / "orig" / "5.html", '<text id="5" title="t" encoding="utf-8">\n'
          + page(GOLD_LINE, ARTICLE[0], meta='<meta charset="utf-8">') + "\n</text>\n")
    write(src / "clean" / "5.txt", f"URL: http://example.org/5\n<p>{GOLD_LINE}\n<p>{ARTICLE[0]}\n".encode("cp1252"))
    docs, _ = run("cleaneval", src, tmp_path / "out")
    assert GOLD_LINE in docs["5"].reference.text
    assert labelled(docs["5"])["body"] == [GOLD_LINE, ARTICLE[0]]


# -- cleaneval: layouts, wrapper, URL ----------------------------------------------------------
def cleaneval_page(n: int, url: str, encoding: str = "windows-1252") -> bytes:
    html = page(*ARTICLE, head=f"<title>Page {n} title for the archive</title>", meta=f'<meta charset="{encoding}">')
    return f'<text id="{url}" title="Page {n}" encoding="{encoding}">\n{html}\n</text>\n'.encode("cp1252")


@pytest.mark.parametrize(("pages", "gold", "gold_name"), [
    ("orig", "clean", "7.txt"),
    ("input", "GoldStandard", "7.txt"),
    ("en-original", "en-cleaned", "7-ml06zz.txt"),  # an annotator's copy: number, dash, account
])
def test_cleaneval_published_layouts_and_wrapper(tmp_path, pages, gold, gold_name):
    src = tmp_path / "src"
    write(src / pages / "7.html", cleaneval_page(7, "http://news.example.org/harbour"))
    write(src / gold / gold_name, "".join(f"<p>{p}\n" for p in ARTICLE))  # no URL: line
    write(src / pages / "8.html", cleaneval_page(8, "http://news.example.org/other"))
    docs, rejects = run("cleaneval", src, tmp_path / "out")
    doc = docs["7"]
    texts = [doc.block_text(b) for b in doc.blocks]
    assert texts == ["Home | News", *ARTICLE, "(c) Paper"]  # no <title>, no wrapper text
    assert labelled(doc) == {"body": ARTICLE}
    assert doc.source.url == "http://news.example.org/harbour"  # from the wrapper's id
    assert doc.source.encoding == "windows-1252"
    assert reasons(rejects) == {f"{pages}/8.html": "missing_gold"}


def test_cleaneval_gold_url_line_wins_and_folders_can_be_named(tmp_path):
    src = tmp_path / "src"
    write(src / "dev" / "html" / "3.html", cleaneval_page(3, "http://wrapper.example/3"))
    write(src / "dev" / "gold" / "3.txt", "URL: http://gold.example/3\n" + "".join(f"<p>{p}\n" for p in ARTICLE))
    with pytest.raises(ConfigError, match="no CleanEval layout"):
        run("cleaneval", src, tmp_path / "out0")
    with pytest.raises(ConfigError, match="both"):
        run("cleaneval", src, tmp_path / "out1", pages="dev/html")
    docs, rejects = run("cleaneval", src, tmp_path / "out2", pages="dev/html", gold="dev/gold")
    assert rejects == [] and docs["3"].source.url == "http://gold.example/3"
    assert labelled(docs["3"]) == {"body": ARTICLE}


# -- l3s-gn1: nested spans, '?' for non-Latin-1 characters --------------------------------------
L3S_HEADLINE = "Kosovo’s parliament votes on the “new” constitution"
L3S_BODY = ["Pristina — Lawmakers in Kosovo’s capital met on Sunday to debate the draft text.",
            "The vote, expected at 18:00, needs a two‑thirds majority of the 120 deputies.",
            "Observers from the EU’s mission said the session was calm and orderly."]
L3S_CAPTION = "Photo: the parliament building in Prishtinë (Приштина)"
L3S_UUID = "4f0c1a2e-6b1d-4c43-9a55-0d1c2b3a4f5e"


def l3s_original() -> str:
    body = "".join(f"<p>{p}</p>" for p in L3S_BODY)
    return ('<html><head><meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">'
            "<title>Kosovo</title></head><body><div id=nav><a href=/>Home</a> | <a href=/world>World</a></div>"
            f"<h1>{L3S_HEADLINE}</h1>{body}<div class=cap>{L3S_CAPTION}</div>"
            "<div class=more><a href=/x>More from the Balkans</a></div><p>© 2009 Wire Service</p></body></html>")


def l3s_annotated() -> bytes:
    """The annotated copy: nested spans (the innermost decides), ``?`` for non-Latin-1, re-serialised markup."""
    body = "".join(f'<p><span class="x-nc-sel2">{p}</span></p>' for p in L3S_BODY[:2])
    body += f'<span class="x-nc-sel0"><p><span class="x-nc-sel2">{L3S_BODY[2]}</span></p></span>'
    html = ('<HTML><HEAD><TITLE>Kosovo</TITLE></HEAD><BODY>\n<DIV id="nav"><span class="x-nc-sel0">'
            '<A href="/">Home</A> | <A href="/world">World</A></span></DIV>\n'
            f'<span class="x-nc-sel2"><H1><span class="x-nc-sel1">{L3S_HEADLINE}</span></H1>\n{body}\n'
            f'<DIV class="cap"><span class="x-nc-sel3">{L3S_CAPTION}</span></DIV></span>\n'
            '<DIV class="more"><span class="x-nc-sel4"><A href="/x">More from the Balkans</A></span></DIV>\n'
            "<P>© 2009 Wire Service</P></BODY></HTML>")
    return re.sub(r"[^\x00-\xff]", "?", html).encode("latin-1")


CONTENT = ("title", "body", "caption")


def content_words(texts) -> Counter:
    """Word counts, every non-Latin-1 character read as ``?`` (what the annotated copies hold)."""
    return Counter(w for t in texts for w in re.sub(r"[^\x00-\xff]", "?", t).split())


def transfer_ratio(annotated: bytes, doc: Document) -> tuple[int, int]:
    """(annotated content words found in the document's title/body/caption blocks, annotated content words).

    The annotated side is read with the block-level :func:`element_labels`, independently of the aligner.
    """
    root = parse_html(annotated.decode("latin-1"))
    text, blocks, _ = normalise_html_root(root)
    labels = element_labels(root, span_label, default=UNANNOTATED)
    gold = content_words(text[b.start : b.end] for b, lab in zip(blocks, labels, strict=True) if lab in CONTENT)
    got = content_words(doc.block_text(b) for b in doc.blocks if b.label in CONTENT)
    return sum(min(n, got[w]) for w, n in gold.items()), sum(gold.values())


def test_l3s_gn1_labels_survive_question_marks_and_nesting(tmp_path):
    src = tmp_path / "src"
    write(src / "original" / f"{L3S_UUID}.html", l3s_original())  # UTF-8 bytes, <meta> says iso-8859-1
    annotated = write(src / "annotated" / f"{L3S_UUID}.html", l3s_annotated())
    write(src / "url-mapping.txt", f"<urn:uuid:{L3S_UUID}> http://wire.example/kosovo\n")
    docs, rejects = run("l3s-gn1", src, tmp_path / "out")
    doc = docs[L3S_UUID]
    assert rejects == [] and doc.source.encoding == "utf-8"
    assert [(b.label, doc.block_text(b)) for b in doc.blocks] == [
        ("other", "Home | World"),
        ("title", L3S_HEADLINE),
        *[("body", p) for p in L3S_BODY],
        ("caption", L3S_CAPTION),
        ("related", "More from the Balkans"),
        ("other", "© 2009 Wire Service"),
    ]
    found, total = transfer_ratio(annotated.read_bytes(), doc)
    assert total > 50 and found == total


def test_align_chars_matches_wildcards_only_for_non_latin1():
    from corpus.benchmarks._align import align_chars, wildcard_form

    target = wildcard_form("Kosovo’s café")
    mapping = align_chars("Kosovo?s café", target)
    assert mapping == [-1 if c == " " else i for i, c in enumerate(target)]  # spaces carry no label
    assert align_chars("caf? ok", wildcard_form("café ok"))[3] == -1  # é is Latin-1: the copy kept it


def l3s_copy(html: str) -> bytes:
    """An L3S-GN1-style annotated copy of a real page: spans around h1/p/figcaption/li, nested on every other one."""
    root = parse_html(html)
    classes = {"h1": "x-nc-sel1", "p": "x-nc-sel2", "figcaption": "x-nc-sel3", "li": "x-nc-sel4"}
    for i, el in enumerate(list(root.iter(*classes))):
        for cls in (classes[el.tag], "x-nc-sel0")[: 1 + i % 2]:
            span = lxml.html.Element("span", {"class": cls})
            span.text, el.text = el.text, None
            span.extend(list(el))
            el.append(span)
    out = lxml.html.tostring(root, encoding="unicode")
    return re.sub(r"[^\x00-\xff]", "?", out).encode("latin-1")


def test_l3s_gn1_transfer_ratio_on_real_pages(tmp_path):
    """Annotated copies of the trafilatura dev pages: >= 97 % of content words reach content blocks."""
    pages = sorted((require_shared(TRAF_EVAL) / "pages").iterdir())[:80]
    src = tmp_path / "src"
    copies = {}
    for i, p in enumerate(pages):
        raw = p.read_bytes()
        try:
            html = raw.decode("utf-8")
        except UnicodeDecodeError:
            continue
        uuid = f"00000000-0000-4000-8000-{i:012d}"
        write(src / "original" / f"{uuid}.html", raw)
        copies[uuid] = write(src / "annotated" / f"{uuid}.html", l3s_copy(html)).read_bytes()
    docs, _ = run("l3s-gn1", src, tmp_path / "out")
    found = total = 0
    for uuid, doc in docs.items():
        f, t = transfer_ratio(copies[uuid], doc)
        found, total = found + f, total + t
    assert len(docs) >= 60 and total > 10_000
    assert found / total >= 0.97, f"{found}/{total}"


# -- any importer: a page with no text is a reject -------------------------------------------------
def test_page_without_text_is_a_reject_not_an_empty_document(tmp_path):
    src = tmp_path / "src"
    write(src / "HTML" / "blank.html", "<html><head><title>Only a title</title><script>x=1</script></head></html>")
    write(src / "Corrected" / "blank.html.corrected.txt", "Some text\n")
    write(src / "HTML" / "ok.html", page(*ARTICLE))
    write(src / "Corrected" / "ok.html.corrected.txt", "\n".join(ARTICLE))
    docs, rejects = run("dragnet", src, tmp_path / "out")
    assert set(docs) == {"ok"}
    assert reasons(rejects) == {"Corrected/blank.html.corrected.txt": "no_text"}
    assert "no text" in rejects[0]["message"]


def test_webmainbench_blank_record_html_is_a_reject(tmp_path):
    rec = {"track_id": "t-1", "url": "https://example.org/x", "html": "<html><body><script>1</script></body></html>",
           "convert_main_content": "x"}
    f = write(tmp_path / "wmb.jsonl", json.dumps(rec) + "\n")
    docs, rejects = run("webmainbench", f, tmp_path / "out")
    assert docs == {} and reasons(rejects) == {"wmb.jsonl:1": "no_text"}


# -- webmainbench: blank groundtruth_content -----------------------------------------------------
def test_webmainbench_blank_groundtruth_falls_back_to_converted_main_content(tmp_path):
    html = '<html><body><div cc-select="true"><p>' + ARTICLE[0] + "</p></div><p>Imprint</p></body></html>"
    records = [
        {"track_id": "t-blank", "html": html, "groundtruth_content": "", "convert_main_content": ARTICLE[0]},
        {"track_id": "t-gold", "html": html.replace("harbour", "castle"), "groundtruth_content": "# Gold",
         "convert_main_content": ARTICLE[0]},
    ]
    f = write(tmp_path / "wmb.jsonl", "".join(json.dumps(r) + "\n" for r in records))
    docs, _ = run("webmainbench", f, tmp_path / "out")
    blank = docs["t-blank"].reference
    assert (blank.text, blank.convention) == (ARTICLE[0], "webmainbench-convert")
    assert docs["t-gold"].reference.convention == "webmainbench-groundtruth"


def test_align_chars_time_is_bounded_on_a_page_repeating_one_word():
    """Exact alignment is quadratic in repeated words; past MAX_ALIGN_WORD_PAIRS the heuristic bounds it."""
    import time

    from corpus.benchmarks._align import align_chars

    start = time.perf_counter()
    mapping = align_chars("a " * 50_000, "b " + "a " * 49_999 + "c")
    assert len(mapping) == 2 + 2 * 49_999 + 1
    assert time.perf_counter() - start < 20  # exact alignment takes minutes here
    same = align_chars("a " * 50_000, "a " * 50_000)  # identical texts: matched as common head
    assert sum(1 for j in same if j >= 0) == 50_000
