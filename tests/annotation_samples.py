"""Small labelled documents for the annotation-format, interop, agreement and review tests."""

from __future__ import annotations

import dataclasses

from corpus.ingestion.draft import draft_document
from corpus.model import Annotation, Block, Document, Entity, Layer, Metadata

NEWS_HTML = """<!DOCTYPE html><html lang="en"><head><title>t</title></head><body>
<header><a href="/">The Harbour Courier</a></header>
<nav><a href="/">Home</a> | <a href="/w">World</a> | <a href="/s">Sport</a></nav>
<h1>NATO chief: No plans for combat troops in Libya 🚀</h1>
<p class="by">By Jane Doe | 12 March 2011</p>
<p>NATO is not planning [yet] to send {ground} troops #news: says Anders Fogh Rasmussen.</p>
<p>😀😀 Brussels and Paris \\ disagree; the 🇫🇷 envoy met officials in Tripoli</p>
<p>&lt;script&gt;document.title="pwned"&lt;/script&gt; is shown as text in Berlin</p>
<figure><figcaption>Rasmussen in Brussels</figcaption></figure>
<footer>© 2011 Harbour Courier · Contact</footer>
</body></html>
"""

NEWS_LABELS = ["header", "navigation", "title", "byline", "body", "body", "body", "caption", "footer"]

#: (surface, occurrence) -> label; occurrences count from 0 in text order.
NEWS_ENTITIES = [("Harbour Courier", 0, "ORG"), ("NATO", 0, "ORG"), ("Libya", 0, "LOC"), ("Jane Doe", 0, "PER"),
                 ("NATO", 1, "ORG"), ("Anders Fogh Rasmussen", 0, "PER"), ("Brussels", 0, "LOC"),
                 ("Paris", 0, "LOC"), ("Tripoli", 0, "LOC"), ("Berlin", 0, "LOC"), ("Rasmussen", 1, "PER"),
                 ("Brussels", 1, "LOC"), ("Harbour Courier", 1, "ORG")]


def _find(text: str, surface: str, occurrence: int) -> int:
    pos = -1
    for _ in range(occurrence + 1):
        pos = text.index(surface, pos + 1)
    return pos


def label(doc: Document, labels: list[str | None], entities: list[tuple[str, int, str]], **meta) -> Document:
    """``doc`` with block labels, entities found by surface text, metadata and gold layers."""
    assert len(labels) == len(doc.blocks), [doc.text[b.start:b.end] for b in doc.blocks]
    blocks = tuple(Block(b.start, b.end, lab, b.tag, b.xpath) for b, lab in zip(doc.blocks, labels, strict=True))
    ents = []
    for surface, occ, lab in entities:
        s = _find(doc.text, surface, occ)
        ents.append(Entity(s, s + len(surface), lab, surface))
    ents.sort(key=lambda e: e.start)
    gold = Layer("gold", "tester", "corpus-annotate")
    return doc.replace(blocks=blocks, entities=tuple(ents), metadata=Metadata(**meta),
                       annotation=Annotation(gold if any(labels) else Layer(), gold if ents else Layer(),
                                             gold if meta else Layer(), "conll4", "1.0"))


def news_doc() -> Document:
    raw = NEWS_HTML.encode("utf-8")
    doc = draft_document(raw, raw_path="raw/news.html", url="https://www.harbourcourier.example/world/nato")
    return label(doc, NEWS_LABELS, NEWS_ENTITIES, title="NATO chief: No plans for combat troops in Libya 🚀",
                 authors=("Jane Doe",), date_published="2011-03-12", language="en", section="World",
                 tags=("NATO", "Libya"), is_accessible_for_free=True)


TEXT_PAGE = "Weather [live] | Oslo\n  Rain in Bergen and Oslo all week  \nShare | Tweet\n"


def text_doc() -> Document:
    doc = draft_document(TEXT_PAGE.encode("utf-8"), raw_path="raw/weather.txt")
    return label(doc, ["title", "body", "social"], [("Oslo", 0, "LOC"), ("Bergen", 0, "LOC"), ("Oslo", 1, "LOC")],
                 title="Weather [live] | Oslo", language="nb")


def unlabelled_doc() -> Document:
    """A draft: no labels, no entities, every layer ``none``."""
    return draft_document(b"<p>Just a draft</p><p>with two blocks</p>", raw_path="raw/draft.html")


def samples() -> list[Document]:
    return [news_doc(), text_doc(), unlabelled_doc()]


def with_changes(doc: Document, **changes) -> Document:
    return dataclasses.replace(doc, **changes)
