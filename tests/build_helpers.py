"""A small, valid test corpus written with the package's own drafting code (for build tests)."""

from __future__ import annotations

from pathlib import Path

from corpus.ingestion.draft import draft_document
from corpus.model import Annotation, Block, Checks, Document, Entity, Layer, Metadata, Reference
from corpus.store import write_document

#: (site, language) of the pages; several pages per site so site grouping is observable.
SITES = (
    ("news.example.com", "en"),
    ("www.zeitung.example.de", "de"),
    ("blog.example.org", "en"),
    ("a.example.net", "en"),
    ("b.example.net", "fr"),
    ("c.example.net", "en"),
    ("d.example.net", "en"),
    ("e.example.net", "en"),
)

PAGE = """<!doctype html><html><head><title>Page {i}</title></head><body>
<nav><a href="/">Home</a> | <a href="/world">World</a></nav>
<h1>Angela Merkel visits Paris, part {i}</h1>
<p class="byline">By Jane Doe, 3 March 2024</p>
<p>The chancellor met Emmanuel Macron in Paris on Monday, the BBC reported. Story {i}.</p>
<p>Talks with the European Commission continued in Brussels.</p>
<figure><figcaption>Merkel and Macron in Paris (photo: AFP)</figcaption></figure>
<div class="comments">Great article about Berliner politics! {i}</div>
<footer>(c) Example Media {i}</footer>
</body></html>
"""

BLOCK_LABELS = ("navigation", "title", "byline", "body", "body", "caption", "comments", "footer")
CONLL = (("Angela Merkel", "PER"), ("Emmanuel Macron", "PER"), ("BBC", "ORG"), ("European Commission", "ORG"),
         ("Brussels", "LOC"), ("AFP", "ORG"), ("Berliner", "MISC"))
ONTONOTES = (("Angela Merkel", "PERSON"), ("Monday", "DATE"), ("Emmanuel Macron", "PERSON"), ("BBC", "ORG"),
             ("Brussels", "GPE"), ("European Commission", "ORG"))


def _entities(text: str, spec: tuple[tuple[str, str], ...]) -> tuple[Entity, ...]:
    out = []
    for surface, label in spec:
        s = text.find(surface)
        assert s >= 0, surface
        out.append(Entity(s, s + len(surface), label, surface))
    return tuple(sorted(out, key=lambda e: e.start))


def make_document(root: Path, i: int) -> Document:
    """Page ``i``: raw HTML under ``root/raw``, labelled blocks and entities (varied per ``i``)."""
    site, lang = SITES[i % len(SITES)]
    raw = PAGE.format(i=i).encode("utf-8")
    rel = f"raw/page{i:03d}.html"
    (root / "raw").mkdir(parents=True, exist_ok=True)
    (root / rel).write_bytes(raw)
    doc = draft_document(raw, raw_path=rel, url=f"https://{site}/story/{i}", crawl_date="2024-03-04")
    labels = list(BLOCK_LABELS) + [None] * max(0, len(doc.blocks) - len(BLOCK_LABELS))
    if i % 5 == 4:
        labels[-1] = None  # an unannotated block
    blocks = tuple(Block(b.start, b.end, labels[k], b.tag, b.xpath) for k, b in enumerate(doc.blocks))
    entity_status, label_set, spec = "gold", "conll4", CONLL
    if i % 4 == 3:
        label_set, spec = "ontonotes18", ONTONOTES
    if i % 6 == 5:
        entity_status, spec = "none", ()
    return doc.replace(
        blocks=blocks,
        entities=_entities(doc.text, spec),
        metadata=Metadata(
            title=f"Angela Merkel visits Paris, part {i}", authors=("Jane Doe",), date_published="2024-03-03",
            language=lang, tags=("politics", "europe") if i % 2 else (), is_accessible_for_free=True,
        ),
        checks=Checks(include=("The chancellor met Emmanuel Macron",), exclude=("Home",)) if i % 3 == 0 else Checks(),
        reference=Reference("The chancellor met Emmanuel Macron", "test") if i % 7 == 0 else None,
        annotation=Annotation(
            blocks=Layer("model", tool="test-labeller") if i % 5 == 4 else Layer("gold", "tester"),
            entities=Layer(entity_status, "tester" if spec else None),
            metadata=Layer("gold"), entity_label_set=label_set, guidelines_version="1.0",
        ),
    )


def make_corpus(root: Path, n: int = 16, start: int = 0) -> list[Document]:
    """Write ``n`` documents (pages ``start``..``start+n-1``) as a corpus root at ``root``."""
    docs = [make_document(root, i) for i in range(start, start + n)]
    for d in docs:
        write_document(d, root / "documents" / f"{d.id}.json")
    return docs
