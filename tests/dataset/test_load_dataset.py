"""The published directory loads offline with ``datasets.load_dataset`` and round-trips every field."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from build_helpers import make_corpus, make_document
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpus.dataset.build import build
from corpus.dataset.layout import CONFIGS
from corpus.dataset.read import document_from_row, read_built_documents
from corpus.labels import BIO_TAGS, BLOCK_LABELS, CONLL4, ONTONOTES18
from corpus.model import (
    Annotation,
    Block,
    Checks,
    Document,
    Entity,
    Layer,
    Metadata,
    Normalizer,
    Reference,
    Source,
)
from corpus.store import write_document


@pytest.fixture
def offline(monkeypatch, tmp_path) -> Path:
    """No network and a private cache: nothing touches ~/.cache or the Hub."""
    import datasets
    import huggingface_hub.constants

    cache = tmp_path / "hf-cache"
    for var, value in (("HF_DATASETS_OFFLINE", "1"), ("HF_HUB_OFFLINE", "1"), ("HF_HOME", str(tmp_path / "hf")),
                       ("HF_DATASETS_CACHE", str(cache))):
        monkeypatch.setenv(var, value)
    monkeypatch.setattr(datasets.config, "HF_HUB_OFFLINE", True)
    monkeypatch.setattr(datasets.config, "HF_DATASETS_OFFLINE", True, raising=False)
    monkeypatch.setattr(datasets.config, "HF_DATASETS_CACHE", cache)
    monkeypatch.setattr(huggingface_hub.constants, "HF_HUB_OFFLINE", True)
    return cache


def _load(path: Path, cache: Path, *args: str):
    import datasets

    datasets.disable_progress_bars()
    return datasets.load_dataset(str(path), *args, cache_dir=str(cache))


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> tuple[Path, list[Document]]:
    root = tmp_path_factory.mktemp("corpus")
    docs = make_corpus(root, 24)
    out = tmp_path_factory.mktemp("dist") / "corpus"
    build(root, out)
    return out, docs


def test_default_config_is_documents_with_views(published, offline):
    out, docs = published
    ds = _load(out, offline)
    manifest = json.loads((out / "MANIFEST.json").read_text())
    assert {s: len(v) for s, v in ds.items()} == {
        s: v["num_examples"] for s, v in manifest["configs"]["documents"]["splits"].items()
    }
    by_id = {d.id: d for d in docs}
    for split in ds.values():
        assert {"body", "article", "article_with_comments", "text", "blocks", "entities"} <= set(split.column_names)
        for row in split:
            doc = by_id[row["id"]]
            assert row["body"] == doc.view("body")
            assert row["article"] == doc.view("article")
            assert row["article_with_comments"] == doc.view("article_with_comments")
            assert document_from_row(row) == doc


def test_features_carry_label_names(published, offline):
    out, _ = published
    docs = _load(out, offline, "documents")
    split = next(iter(docs.values()))
    assert split.features["blocks"].feature["label"].names == list(BLOCK_LABELS)
    assert split.features["entities"].feature["label"].names[:4] == list(CONLL4)
    blocks = next(iter(_load(out, offline, "blocks").values()))
    assert blocks.features["label"].names == list(BLOCK_LABELS)
    assert blocks.features["label"].int2str(blocks[0]["label"]) in BLOCK_LABELS
    ents = next(iter(_load(out, offline, "entities").values()))
    assert ents.features["label"].names == list(CONLL4)
    toks = next(iter(_load(out, offline, "ner_tokens").values()))
    assert toks.features["ner_tags"].feature.names == list(BIO_TAGS)


def test_every_config_loads_with_its_rows(published, offline):
    out, docs = published
    n_blocks = sum(len(d.blocks) for d in docs)
    counts = {c: sum(len(s) for s in _load(out, offline, c).values()) for c in CONFIGS}
    assert counts["documents"] == len(docs)
    assert counts["blocks"] == n_blocks
    dropped = sum(1 for d in docs for e in d.entities if e.label == "DATE")
    assert counts["entities"] == sum(len(d.entities) for d in docs) - dropped
    assert 0 < counts["ner_tokens"] <= n_blocks


def test_entities_and_tokens_rows(published, offline):
    out, docs = published
    by_id = {d.id: d for d in docs}
    ents = _load(out, offline, "entities")
    for split in ents.values():
        for row in split:
            doc = by_id[row["doc_id"]]
            assert doc.text[row["start"] : row["end"]] == row["text"]
            block = doc.blocks[row["block_index"]]
            assert block.start <= row["start"] < row["end"] <= block.end
    toks = _load(out, offline, "ner_tokens")
    names = BIO_TAGS
    for split in toks.values():
        for row in split:
            doc = by_id[row["doc_id"]]
            block_text = doc.block_text(doc.blocks[row["block_index"]])
            assert "".join(row["tokens"]) == "".join(block_text.split())
            tags = [names[t] for t in row["ner_tags"]]
            assert all(t == "O" or t[2:] in CONLL4 for t in tags)
            assert not any(t.startswith("I-") and (i == 0 or tags[i - 1][2:] != t[2:]) for i, t in enumerate(tags))


def test_shards_read_with_pyarrow_and_pandas(published):
    out, docs = published
    frames = [pd.read_parquet(p) for p in sorted((out / "data" / "documents").glob("*.parquet"))]
    df = pd.concat(frames)
    assert sorted(df["id"]) == sorted(d.id for d in docs)
    table = pq.read_table(next((out / "data" / "blocks").glob("*.parquet")))
    assert {"doc_id", "block_index", "text", "label", "tag", "xpath", "domain"} <= set(table.column_names)


def test_tiny_corpus_with_one_split_loads(tmp_path, offline):
    root = tmp_path / "c"
    doc = make_document(root, 1)
    write_document(doc, root / "documents" / f"{doc.id}.json")
    out = tmp_path / "out"
    build(root, out)
    for c in CONFIGS:
        ds = _load(out, offline, c)
        assert len(ds) == 1  # one split, the others are not declared
    assert next(iter(_load(out, offline).values()))[0]["id"] == doc.id


# -- property: documents -> build -> load -> every field preserved ----------------------------------

_chars = st.characters(blacklist_categories=("Cs",), blacklist_characters="\n")
_opt_text = st.none() | st.text(_chars, max_size=12)
_hex = "0123456789abcdef"


@st.composite
def documents(draw, doc_id: str) -> Document:
    label_set = draw(st.sampled_from(("conll4", "ontonotes18")))
    labels = CONLL4 if label_set == "conll4" else ONTONOTES18
    pieces = draw(st.lists(st.text(_chars, min_size=1, max_size=25), min_size=1, max_size=6))
    blocks, entities, pos = [], [], 0
    for piece in pieces:
        start, end = pos, pos + len(piece)
        blocks.append(Block(start, end, draw(st.sampled_from((None, *BLOCK_LABELS))),
                            draw(st.none() | st.sampled_from(("p", "div", "h1"))), draw(_opt_text)))
        cuts = sorted(set(draw(st.lists(st.integers(0, len(piece)), max_size=4))))
        for a, b in zip(cuts[::2], cuts[1::2], strict=False):
            if a < b:
                entities.append(Entity(start + a, start + b, draw(st.sampled_from(labels)), piece[a:b]))
        pos = end + 1
    text = "\n".join(pieces)
    layer = st.builds(Layer, st.sampled_from(("gold", "projected", "model", "none")), _opt_text, _opt_text)
    return Document(
        id=doc_id,
        source=Source(url=draw(st.none() | st.sampled_from(("https://a.test/x", "http://www.b.test/"))),
                      domain=draw(st.none() | st.sampled_from(("a.test", "c.test"))), crawl_date=draw(_opt_text),
                      source_dataset=draw(st.sampled_from(("native", "scrapinghub-aeb"))), source_id=draw(_opt_text),
                      license=draw(_opt_text), raw_path=draw(_opt_text), raw_sha256=doc_id + "0" * 48,
                      raw_format=draw(st.sampled_from(("html", "text", "warc"))), encoding=draw(_opt_text)),
        normalizer=Normalizer("corpus-normaliser", draw(st.sampled_from(("1.0.0", "1.1.0")))),
        text=text,
        blocks=tuple(blocks),
        entities=tuple(entities),
        metadata=Metadata(
            title=draw(_opt_text), authors=tuple(draw(st.lists(st.text(_chars, max_size=8), max_size=3))),
            date_published=draw(_opt_text), language=draw(st.none() | st.sampled_from(("en", "de", "pt-BR"))),
            tags=tuple(draw(st.lists(st.text(_chars, max_size=5), max_size=2))),
            is_accessible_for_free=draw(st.none() | st.booleans()),
        ),
        checks=Checks(include=tuple(draw(st.lists(st.text(_chars, max_size=6), max_size=2))), exclude=()),
        reference=draw(st.none() | st.builds(Reference, st.text(_chars, max_size=20), st.just("aeb"))),
        annotation=Annotation(blocks=draw(layer), entities=draw(layer), metadata=draw(layer),
                              entity_label_set=label_set, guidelines_version=draw(_opt_text)),
    )


@st.composite
def corpora(draw) -> list[Document]:
    ids = draw(st.lists(st.text(_hex, min_size=16, max_size=16), min_size=1, max_size=5, unique=True))
    return [draw(documents(i)) for i in ids]


def _build_jsonl(docs: list[Document], tmp: Path) -> Path:
    src = tmp / "docs.jsonl"
    src.write_text("".join(json.dumps(d.to_dict(), ensure_ascii=False) + "\n" for d in docs), encoding="utf-8")
    out = tmp / "out"
    build(src, out, dedup=False, check_leakage=False)  # arbitrary documents, duplicates too
    return out


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(corpora())
def test_round_trip_read_built_documents(docs):
    with tempfile.TemporaryDirectory() as tmp:
        out = _build_jsonl(docs, Path(tmp))
        assert {d.id: d for d in read_built_documents(out)} == {d.id: d for d in docs}


@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(corpora())
def test_round_trip_through_load_dataset(offline, docs):
    with tempfile.TemporaryDirectory() as tmp:
        out = _build_jsonl(docs, Path(tmp))
        loaded = {}
        for split in _load(out, Path(tmp) / "cache").values():
            for row in split:
                loaded[row["id"]] = document_from_row(row)
        assert loaded == {d.id: d for d in docs}
