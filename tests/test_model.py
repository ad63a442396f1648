"""Document records: round trips, ids, derived views."""

from __future__ import annotations

import json

from jsonschema import Draft202012Validator

from corpus.documents import load_documents
from corpus.ingestion.draft import draft_document
from corpus.model import Document, Entity, Layer, Metadata, doc_id_for, domain_of, sha256_hex
from corpus.schema import document_schema
from corpus.store import document_json, write_document

PAGE = (
    b"<html><body><header>Daily Example</header><h1>Storm hits Lisbon</h1>"
    b"<p class=byline>By Ana Costa</p><p>Heavy rain fell on Lisbon on Monday.</p>"
    b"<figure><figcaption>Flooded street</figcaption></figure><div id=comments><p>Terrible!</p></div>"
    b"<footer>(c) Example</footer></body></html>"
)
LABELS = ["header", "title", "byline", "body", "caption", "comments", "footer"]


def labelled() -> Document:
    doc = draft_document(PAGE, raw_path="raw/a.html", url="https://www.example.test/a")
    blocks = tuple(
        b.__class__(b.start, b.end, lab, b.tag, b.xpath) for b, lab in zip(doc.blocks, LABELS, strict=True)
    )
    start = doc.text.index("Lisbon on")
    ents = (Entity(start, start + 6, "LOC", "Lisbon"),)
    return doc.replace(blocks=blocks, entities=ents, metadata=Metadata(title="Storm hits Lisbon", language="en"))


def test_id_is_derived_from_raw_bytes() -> None:
    doc = draft_document(PAGE, raw_path="raw/a.html")
    assert doc.source.raw_sha256 == sha256_hex(PAGE)
    assert doc.id == doc_id_for(sha256_hex(PAGE)) == sha256_hex(PAGE)[:16]
    assert draft_document(PAGE, raw_path="raw/other-name.html").id == doc.id


def test_dict_round_trip_is_lossless_and_schema_valid() -> None:
    doc = labelled()
    d = doc.to_dict()
    assert Document.from_dict(json.loads(json.dumps(d))) == doc
    assert list(Draft202012Validator(document_schema()).iter_errors(d)) == []


def test_views() -> None:
    doc = labelled()
    assert doc.body == "Heavy rain fell on Lisbon on Monday."
    assert doc.view("article") == (
        "Storm hits Lisbon\nBy Ana Costa\nHeavy rain fell on Lisbon on Monday.\nFlooded street"
    )
    assert doc.view("article_with_comments").endswith("Flooded street\nTerrible!")


def test_write_and_load(tmp_path) -> None:
    doc = labelled().replace(annotation=labelled().annotation.__class__(blocks=Layer("gold", by="me")))
    write_document(doc, tmp_path / "documents" / f"{doc.id}.json")
    text = (tmp_path / "documents" / f"{doc.id}.json").read_text(encoding="utf-8")
    assert text == document_json(doc) and text.endswith("}\n") and "\n  " in text
    (tmp_path / "all.jsonl").write_text(json.dumps(doc.to_dict()) + "\n\n", encoding="utf-8")
    assert list(load_documents(tmp_path / "documents")) == [doc]
    assert list(load_documents(tmp_path / "all.jsonl")) == [doc]


def test_domain_of() -> None:
    assert domain_of("https://www.example.test/x?y") == "example.test"
    assert domain_of("http://news.example.org:8080/") == "news.example.org"
    assert domain_of(None) is None and domain_of("not a url") is None and domain_of("http://[::1") is None
