"""Projection of benchmark gold onto blocks, and the importers' value helpers."""

from __future__ import annotations

import pytest

from corpus.annotate.projection import (
    align_labels,
    apply_labels,
    element_labels,
    merge_labels,
    reference_labels,
    snippet_labels,
    title_labels,
)
from corpus.benchmarks._common import iso_date, language_tag, safe_name, split_authors
from corpus.ingestion.draft import draft_document
from corpus.text.normalise import parse_html


def doc_of(html: str):
    return draft_document(html.encode("utf-8"), raw_path="raw/x/p.html")


PAGE = """<html><body><nav><a>Home</a> <a>World</a></nav><h1>Rivers rise after rain</h1>
<p>Water levels on the two main rivers rose sharply overnight after days of rain.</p>
<p>Home</p><p>Residents were asked to move cars away from the embankment before noon.</p>
<div>Share this article</div><p>Home</p></body></html>"""


def test_reference_labels_contain_and_short_block_rule():
    doc = doc_of(PAGE)
    ref = ("Water levels on the two main  rivers rose sharply overnight after days of rain.\n"
           "Home\nResidents were asked to move cars away from the embankment before noon.")
    labels = reference_labels(doc, {"body": ref})
    texts = [doc.block_text(b) for b in doc.blocks]
    got = dict(zip(texts, labels, strict=True))
    assert got["Water levels on the two main rivers rose sharply overnight after days of rain."] == "body"
    assert got["Residents were asked to move cars away from the embankment before noon."] == "body"
    assert got["Share this article"] is None
    # "Home" occurs in the gold: labelled between two long matches, not in the menu or at the end
    assert labels[texts.index("Home World")] is None
    assert [lab for t, lab in zip(texts, labels, strict=True) if t == "Home"] == ["body", None]


def test_reference_labels_first_gold_wins_and_empty_gold_labels_nothing():
    doc = doc_of("<p>Our build times dropped by half after the rewrite.</p><p>Great write-up, thanks a lot!</p>")
    golds = {"body": "Our build times dropped by half after the rewrite.",
             "comments": "Great write-up, thanks a lot! Our build times dropped by half after the rewrite."}
    assert reference_labels(doc, golds) == ["body", "comments"]
    assert reference_labels(doc, {"body": ""}) == [None, None]


def test_title_labels_prefers_the_candidate_before_the_body():
    doc = doc_of("<p>rivers RISE after rain</p><h1>Rivers rise after rain</h1>"
                 "<p>Water levels rose sharply overnight after days of rain across the region.</p>")
    body = reference_labels(doc, {"body": "Water levels rose sharply overnight after days of rain across the region."})
    assert title_labels(doc, "Rivers  rise after rain", body) == [None, "title", None]
    assert title_labels(doc, "Rivers rise after rain") == ["title", None, None]
    assert title_labels(doc, None) == [None, None, None]


def test_snippet_labels_across_blocks_excludes_and_comments():
    doc = doc_of("<p>Impressum</p><p>The first part of the story</p><p>continues here.</p>"
                 "<p>Nice story! Impressum</p><p>Thanks for reading, friends</p>")
    labels = snippet_labels(doc, include=["of the story continues", "Thanks for  reading"],
                            exclude=["Impressum"], comments=["Nice story!"])
    # a snippet spanning two blocks labels both; an exclude snippet vetoes content labels
    assert labels == [None, "body", "body", None, "body"]
    assert snippet_labels(doc, include=["nowhere to be found"]) == [None] * 5


def test_element_labels_nearest_mark_and_majority():
    root = parse_html('<html><body><div class="c"><p>aaaa <span class="n">bb</span></p></div>'
                      '<p><span class="c">xx</span> yyyyyy</p><p>plain</p></body></html>')

    def label_of(el):
        return {"c": "body", "n": "navigation"}.get(el.get("class") or "")

    assert element_labels(root, label_of) == ["body", None, None]
    assert element_labels(root, label_of, default="other") == ["body", "other", "other"]


def test_element_labels_keep_the_normalisers_blocks_with_combining_marks_and_whitespace():
    html = '<p class="c">Cafe\u0301   au\tlait</p><p>x\u00a0y</p>'
    root = parse_html(html)
    labels = element_labels(root, lambda el: "body" if el.get("class") == "c" else None)
    assert len(labels) == len(doc_of(html).blocks) == 2 and labels == ["body", None]


def test_align_labels_matches_identical_blocks():
    assert align_labels(["a", "b", "c"], ["a", "b", "c"], ["x", "y", "z"]) == ["x", "y", "z"]
    assert align_labels(["a", "new", "c"], ["a", "b", "c"], ["x", "y", "z"]) == ["x", None, "z"]


def test_apply_and_merge_labels():
    doc = doc_of("<p>one</p><p>two</p>")
    assert apply_labels(doc, [None, None], by="s") is doc
    out = apply_labels(doc, merge_labels([None, "title"], ["body", "body"]), by="src")
    assert [b.label for b in out.blocks] == ["body", "title"]
    assert (out.annotation.blocks.status, out.annotation.blocks.by) == ("projected", "src")
    with pytest.raises(ValueError, match="unknown block labels"):
        apply_labels(doc, ["body", "boilerplate"], by="s")
    with pytest.raises(ValueError, match="1 labels for 2 blocks"):
        apply_labels(doc, ["body"], by="s")


@pytest.mark.parametrize(("value", "expected"), [
    ("2020-01-27", "2020-01-27"), ("2019-7-3", "2019-07-03"), ("2022-01.26", "2022-01-26"),
    ("2017-05-08T14:31:00.000Z", "2017-05-08"), ("2017-05-08 10:00", "2017-05-08"), ("03.11.2021", "2021-11-03"),
    ("2022-29-11", None), ("", None), (None, None), ("yesterday", None), ("2020-02-30", None), (20200101, None),
])
def test_iso_date(value, expected):
    assert iso_date(value) == expected


def test_value_helpers():
    assert split_authors("Luana Patriolino; Raphael Felice") == ("Luana Patriolino", "Raphael Felice")
    assert split_authors("Michael L. Anderson, PhD") == ("Michael L. Anderson, PhD",)
    assert split_authors(["A", "", " B "]) == ("A", "B")
    assert split_authors("") == ()
    assert language_tag("pt_BR") == "pt-BR" and language_tag("english language") is None
    assert safe_name("../a b/c.html") == "_a b_c.html" and safe_name("...") == "page"
    assert safe_name('Was? "Ja": 1|2.html') == "Was_ _Ja__ 1_2.html"


def test_reference_projection_is_fast_on_a_large_page():
    import time

    paras = [f"Paragraph {i} talks about topic {i * 7919 % 10007} at some length, again." for i in range(4000)]
    html = "".join(f"<p>{p}</p><div>menu item {i} with a link to section {i}</div>" for i, p in enumerate(paras))
    doc = doc_of(html)
    start = time.perf_counter()
    labels = reference_labels(doc, {"body": "\n".join(paras)})
    assert time.perf_counter() - start < 2.0
    assert labels.count("body") == 4000 and labels[1::2] == [None] * 4000
