"""A small corpus of drafts for the review app's tests: a hostile news draft, a gold page, an empty draft."""

from __future__ import annotations

import json
from pathlib import Path

from annotation_samples import NEWS_ENTITIES, NEWS_HTML, NEWS_LABELS, TEXT_PAGE, label, text_doc, unlabelled_doc

__all__ = ["empty_draft", "make_corpus", "news_draft", "read", "text_doc"]

from corpus.ingestion.draft import draft_document
from corpus.model import Annotation, Document, Layer, Metadata
from corpus.store import write_document

#: Markup in the raw page that must neither run nor load anything when the original is shown.
HOSTILE_HEAD = ('<meta http-equiv="refresh" content="0; url=/owned-refresh">'
                '<link rel="stylesheet" href="/owned-css"><script>new Image().src = "/owned-script";</script>'
                '<base href="http://owned.invalid/">')
HOSTILE_BODY = '<img src="/owned-img.png"><iframe src="/owned-frame"></iframe><script>parent.owned = 1</script>'
NEWS_RAW = NEWS_HTML.replace("<title>t</title>", "<title>t</title>" + HOSTILE_HEAD).replace(
    "</body>", HOSTILE_BODY + "</body>")
#: The draft's mistakes the browser test corrects: the caption block is labelled body, Berlin is missing.
DRAFT_WRONG_BLOCK, DRAFT_WRONG_LABEL, RIGHT_LABEL = 7, "body", "caption"
MISSING_ENTITY = ("Berlin", 0, "LOC")


def news_draft() -> Document:
    """A model draft of the news page (raw page with scripts, a refresh and remote loads)."""
    doc = draft_document(NEWS_RAW.encode("utf-8"), raw_path="raw/news.html",
                         url="https://www.harbourcourier.example/world/nato")
    labels = list(NEWS_LABELS)
    labels[DRAFT_WRONG_BLOCK] = DRAFT_WRONG_LABEL
    ents = [e for e in NEWS_ENTITIES if e != MISSING_ENTITY]
    doc = label(doc, labels, ents, title="NATO chief: No plans for combat troops in Libya 🚀",
                authors=("Jane Doe",), date_published="2011-03-12", language="en")
    return doc.replace(annotation=Annotation(Layer("model", tool="corpus-labeller@1.0.0"),
                                             Layer("model", tool="spacy"), Layer("model", tool="corpus-metadata"),
                                             "conll4", None))


def empty_draft() -> Document:
    return unlabelled_doc().replace(metadata=Metadata(language="de"))


RAW = {"raw/news.html": NEWS_RAW.encode("utf-8"), "raw/weather.txt": TEXT_PAGE.encode("utf-8"),
       "raw/draft.html": b"<p>Just a draft</p><p>with two blocks</p>"}


def make_corpus(root: Path) -> dict[str, Path]:
    """Write the three documents and their raw pages under ``root``; returns id -> document file."""
    for rel, data in RAW.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    out = {}
    for doc in (news_draft(), text_doc(), empty_draft()):
        path = root / "documents" / f"{doc.id}.json"
        write_document(doc, path)
        out[doc.id] = path
    return out


def read(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))
