"""corpus build: layout, manifest, card, Croissant, splits, reproducibility, atomicity, token view."""

from __future__ import annotations

import json
import re
from collections import Counter, defaultdict
from pathlib import Path

import pyarrow.parquet as pq
import pytest
import yaml
from build_helpers import make_corpus, make_document
from hypothesis import given, settings
from hypothesis import strategies as st
from rows_oracle import ROWS, document_row

from corpus.cli import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, main
from corpus.dataset import writer as writer_mod
from corpus.dataset.build import build
from corpus.dataset.layout import BIO_INDEX, BLOCKS, CONFIGS, DOCUMENTS, NER_TOKENS, features
from corpus.dataset.read import document_from_row, iter_built_rows, read_built_documents
from corpus.dataset.rows import document_rows
from corpus.dataset.splits import SPLITS, assign_split, bucket, group_key, split_for_key
from corpus.documents import load_documents
from corpus.errors import ConfigError
from corpus.labels import BIO_TAGS, BLOCK_LABELS
from corpus.model import Block, Document, Entity, Source
from corpus.store import file_sha256, write_document
from corpus.text.normalise import NORMALIZER
from corpus.text.tokens import span_tokens, token_rows, tokenize

SHARD_RE = re.compile(r"^data/(\w+)/(train|validation|test)-(\d{5})-of-(\d{5})\.parquet$")


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory) -> tuple[Path, list[Document]]:
    root = tmp_path_factory.mktemp("corpus")
    return root, make_corpus(root, 24)


@pytest.fixture(scope="module")
def built(corpus_dir, tmp_path_factory) -> Path:
    root, _ = corpus_dir
    out = tmp_path_factory.mktemp("dist") / "corpus"
    build(root, out)
    return out


def _files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


# -- layout and manifest -------------------------------------------------------------------------


def test_layout_has_every_config_card_croissant_and_manifest(built):
    files = set(_files(built))
    assert {"README.md", "croissant.json", "MANIFEST.json"} <= files
    shards = sorted(f for f in files if f.startswith("data/"))
    assert shards and all(SHARD_RE.match(f) for f in shards), shards
    assert {SHARD_RE.match(f).group(1) for f in shards} == set(CONFIGS)
    for f in shards:  # NNNNN-of-NNNNN is consistent within each (config, split)
        m = SHARD_RE.match(f)
        assert int(m.group(3)) < int(m.group(4))


def test_manifest_describes_every_shard(built, corpus_dir):
    _, docs = corpus_dir
    manifest = json.loads((built / "MANIFEST.json").read_text())
    listed = {s["path"] for s in manifest["shards"]}
    assert listed == {f for f in _files(built) if f.startswith("data/")}
    for s in manifest["shards"]:
        p = built / s["path"]
        assert p.stat().st_size == s["bytes"]
        assert pq.read_metadata(p).num_rows == s["rows"]
        assert s["sha256"] == file_sha256(p)
    doc_splits = manifest["configs"][DOCUMENTS]["splits"]
    assert sum(v["num_examples"] for v in doc_splits.values()) == len(docs)
    n_blocks = sum(v["num_examples"] for v in manifest["configs"]["blocks"]["splits"].values())
    assert n_blocks == sum(len(d.blocks) for d in docs)
    assert manifest["split"]["seed"] and manifest["input"]["documents"] == len(docs)
    assert re.fullmatch(r"[0-9a-f]{64}", manifest["input"]["sha256"])
    for key in ("package", "schema", "normaliser", "datasets", "pyarrow"):
        assert manifest["versions"][key]


def test_shards_carry_label_names_in_arrow_schema(built):
    from datasets import Features

    shard = next((built / "data" / "blocks").glob("*.parquet"))
    feats = Features.from_arrow_schema(pq.read_schema(shard))
    assert feats["label"].names == list(BLOCK_LABELS)
    shard = next((built / "data" / NER_TOKENS).glob("*.parquet"))
    assert Features.from_arrow_schema(pq.read_schema(shard))["ner_tags"].feature.names == list(BIO_TAGS)


def test_rows_sorted_by_id_within_split(built):
    by_split = defaultdict(list)
    for split, row in iter_built_rows(built, DOCUMENTS):
        by_split[split].append(row["id"])
    assert by_split and all(ids == sorted(ids) for ids in by_split.values())


def test_read_built_documents_round_trips(built, corpus_dir):
    _, docs = corpus_dir
    back = {d.id: d for d in read_built_documents(built)}
    assert back == {d.id: d for d in docs}
    # corpus.store.load_documents recognises a built dataset
    assert {d.id for d in load_documents(built)} == set(back)


def test_document_row_inverse():
    text = "Title here\nBody of Paris"
    d = Document(
        id="0123456789abcdef",
        source=Source(url="https://x.example/a", domain="x.example", raw_sha256="0123456789abcdef" + "0" * 48),
        normalizer=NORMALIZER,
        text=text,
        blocks=(Block(0, 10, "title", "h1", "/h1"), Block(11, 24, None)),
        entities=(Entity(19, 24, "LOC", "Paris"),),
    )
    row = document_rows([d])[DOCUMENTS].to_pylist()[0]
    assert row == document_row(d)
    assert row["body"] == "" and row["article"] == "Title here"
    assert row["blocks"][1]["label"] == -1
    assert document_from_row(row) == d


# -- reproducibility and atomicity -----------------------------------------------------------------


def test_rebuild_is_byte_identical(corpus_dir, built, tmp_path):
    root, _ = corpus_dir
    again = tmp_path / "again"
    build(root, again)
    assert _files(again) == _files(built)


def test_rebuild_replaces_output_and_leaves_no_temp_dirs(corpus_dir, tmp_path):
    root, _ = corpus_dir
    out = tmp_path / "out"
    build(root, out)
    (out / "data" / "stale.parquet").write_bytes(b"old")
    build(root, out)
    assert not (out / "data" / "stale.parquet").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_failed_build_keeps_previous_output(corpus_dir, tmp_path, monkeypatch):
    root, _ = corpus_dir
    out = tmp_path / "out"
    build(root, out)
    before = _files(out)

    def boom(*a, **k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(writer_mod.SplitWriter, "add", boom)
    with pytest.raises(RuntimeError):
        build(root, out)
    assert _files(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_never_replaces_a_directory_that_is_not_a_built_dataset(corpus_dir, tmp_path):
    root, _ = corpus_dir
    out = tmp_path / "precious"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    with pytest.raises(ConfigError, match="not a built dataset"):
        build(root, out)
    assert (out / "notes.txt").read_text() == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["precious"]


def test_refuses_output_inside_input(corpus_dir):
    root, _ = corpus_dir
    with pytest.raises(ConfigError):
        build(root / "documents", root / "documents" / "dist")


def test_built_dataset_is_not_an_input(built, tmp_path):
    with pytest.raises(ConfigError, match="built dataset"):
        build(built, tmp_path / "again")


def test_missing_input_is_a_config_error(tmp_path):
    with pytest.raises(ConfigError):
        build(tmp_path / "nope", tmp_path / "out")


def test_accepts_documents_dir_and_jsonl(corpus_dir, built, tmp_path):
    root, docs = corpus_dir
    out1 = tmp_path / "from-docs-dir"
    build(root / "documents", out1)
    assert _files(out1) == _files(built)
    jsonl = tmp_path / "docs.jsonl"
    jsonl.write_text("".join(json.dumps(d.to_dict()) + "\n" for d in reversed(docs)), encoding="utf-8")
    out2 = tmp_path / "from-jsonl"
    build(jsonl, out2)
    # same documents in another file order and format: identical shards
    shards1 = {k: v for k, v in _files(out1).items() if k.startswith("data/")}
    shards2 = {k: v for k, v in _files(out2).items() if k.startswith("data/")}
    assert shards1 == shards2


def test_small_shards_roll_over(corpus_dir, tmp_path):
    root, docs = corpus_dir
    out = tmp_path / "small"
    result = build(root, out, shard_rows=3, batch_rows=2)
    doc_shards = [s for s in result.shards if s.config == DOCUMENTS]
    assert max(s.rows for s in doc_shards) <= 3
    per_split = Counter(s.split for s in doc_shards)
    for s in doc_shards:
        assert s.path.endswith(f"-of-{per_split[s.split]:05d}.parquet")
    assert {d.id: d for d in read_built_documents(out)} == {d.id: d for d in docs}


def test_filter_hook_drops_and_records(corpus_dir, tmp_path):
    root, docs = corpus_dir
    victim = sorted(d.id for d in docs)[0]
    out = tmp_path / "filtered"
    result = build(root, out, filters=[lambda d: "near_duplicate" if d.id == victim else None])
    assert result.dropped == Counter({"near_duplicate": 1})
    manifest = json.loads((out / "MANIFEST.json").read_text())
    assert manifest["input"]["dropped"] == {"near_duplicate": 1}
    assert manifest["input"]["documents_read"] == len(docs)
    assert victim not in {d.id for d in read_built_documents(out)}


# -- splits ----------------------------------------------------------------------------------------


def test_no_site_in_two_splits(built):
    site_splits = defaultdict(set)
    for split, row in iter_built_rows(built, DOCUMENTS):
        site_splits[row["source"]["domain"]].add(split)
    assert site_splits and all(len(s) == 1 for s in site_splits.values())


def test_adding_documents_never_moves_existing_ones(tmp_path):
    small, large = tmp_path / "small", tmp_path / "large"
    make_corpus(small, 10)
    make_corpus(large, 30)  # pages 0..29: a superset of the small corpus
    build(small, tmp_path / "a")
    build(large, tmp_path / "b")
    before = {row["id"]: split for split, row in iter_built_rows(tmp_path / "a", DOCUMENTS)}
    after = {row["id"]: split for split, row in iter_built_rows(tmp_path / "b", DOCUMENTS)}
    assert before and all(after[i] == s for i, s in before.items())


def test_group_key_fallbacks():
    src = Source(raw_sha256="a" * 64)
    doc = Document(id="a" * 16, source=src, normalizer=NORMALIZER, text="")
    assert group_key(doc) == "id:" + "a" * 16
    doc = doc.replace(source=Source(url="https://www.Example.com/x", raw_sha256="a" * 64))
    assert group_key(doc) == "example.com"
    doc = doc.replace(source=Source(url="https://other.test/", domain="www.site.test", raw_sha256="a" * 64))
    assert group_key(doc) == "site.test"
    assert assign_split(doc) == split_for_key("site.test")


def test_split_hash_is_stable_and_proportional():
    assert bucket("example.com") == bucket("example.com")
    assert bucket("example.com", "seed-a") != bucket("example.com", "seed-b")
    counts = Counter(split_for_key(f"site{i}.test") for i in range(20_000))
    assert set(counts) == set(SPLITS)
    assert abs(counts["train"] / 20_000 - 0.8) < 0.02
    assert abs(counts["validation"] / 20_000 - 0.1) < 0.02


def test_single_site_corpus_publishes_only_its_split(tmp_path):
    root = tmp_path / "c"
    docs = [make_document(root, i) for i in (0, 8, 16)]  # same site
    for d in docs:
        write_document(d, root / "documents" / f"{d.id}.json")
    out = tmp_path / "out"
    result = build(root, out)
    (split,) = set(result.split_documents)
    assert split == assign_split(docs[0])
    manifest = json.loads((out / "MANIFEST.json").read_text())
    for c in CONFIGS:
        assert list(manifest["configs"][c]["splits"]) == [split]
    card = yaml.safe_load((out / "README.md").read_text().split("---\n")[1])
    for cfg in card["configs"]:
        assert [f["split"] for f in cfg["data_files"]] == [split]


# -- card and croissant ----------------------------------------------------------------------------


def _card(out: Path) -> dict:
    text = (out / "README.md").read_text()
    assert text.startswith("---\n")
    return yaml.safe_load(text.split("---\n")[1])


def test_card_yaml_declares_configs_features_and_metadata(built):
    card = _card(built)
    assert [c["config_name"] for c in card["configs"]] == list(CONFIGS)
    assert next(c for c in card["configs"] if c.get("default"))["config_name"] == DOCUMENTS
    info = {i["config_name"]: i for i in card["dataset_info"]}
    blocks_feats = {f["name"]: f for f in info["blocks"]["features"]}
    names = blocks_feats["label"]["dtype"]["class_label"]["names"]
    assert [names[str(i)] for i in range(len(names))] == list(BLOCK_LABELS)
    manifest = json.loads((built / "MANIFEST.json").read_text())
    for c in CONFIGS:
        got = {s["name"]: s["num_examples"] for s in info[c]["splits"]}
        assert got == {s: v["num_examples"] for s, v in manifest["configs"][c]["splits"].items()}
    assert card["license"] and card["pretty_name"]
    assert card["language"] == ["de", "en", "fr"]
    assert "token-classification" in card["task_categories"]
    assert card["size_categories"] == ["n<1K"]


def test_card_datasheet_sections_filled_from_stats(built):
    text = (built / "README.md").read_text()
    for section in ("Motivation", "Composition", "Collection process", "Preprocessing", "Uses", "Distribution",
                    "Maintenance"):
        assert f"## {section}" in text
    assert "| zeitung.example.de |" in text  # sites table from the corpus statistics
    assert "| PER |" in text


def test_croissant_metadata(built):
    cr = json.loads((built / "croissant.json").read_text())
    assert cr["conformsTo"] == "http://mlcommons.org/croissant/1.0"
    assert cr["@type"] == "sc:Dataset" and "@context" in cr
    manifest = json.loads((built / "MANIFEST.json").read_text())
    objs = {o["contentUrl"]: o["sha256"] for o in cr["distribution"] if o["@type"] == "cr:FileObject"}
    assert objs == {s["path"]: s["sha256"] for s in manifest["shards"]}
    assert {r["name"] for r in cr["recordSet"]} == set(CONFIGS)
    for key in ("rai:dataCollection", "rai:dataBiases", "rai:personalSensitiveInformation"):
        assert cr[key]


# -- token view ------------------------------------------------------------------------------------


def test_tokenize_offsets():
    toks = tokenize("Hi, Zoë's café!", 10)
    assert [t for _, _, t in toks] == ["Hi", ",", "Zoë", "'", "s", "café", "!"]
    assert all(e - s == len(t) for s, e, t in toks) and toks[0][0] == 10


def test_token_rows_bio_tags_with_ontonotes_mapping(tmp_path):
    doc = make_document(tmp_path, 3)  # OntoNotes-labelled page
    assert doc.annotation.entity_label_set == "ontonotes18"
    pairs = [p for row in token_rows(doc) for p in zip(row.tokens, row.tags, strict=True)]
    i = pairs.index(("Angela", "B-PER"))  # PERSON -> PER
    assert pairs[i + 1] == ("Merkel", "I-PER")
    tagged = dict(pairs)
    assert tagged["Brussels"] == "B-LOC"  # GPE -> LOC
    assert tagged["Monday"] == "O"  # DATE is dropped


def test_token_tags_partial_overlap():
    text = "Berliners like Bonn."
    doc = Document(id="b" * 16, source=Source(raw_sha256="b" * 64), normalizer=NORMALIZER, text=text,
                   blocks=(Block(0, len(text), "body"),),
                   entities=(Entity(0, 6, "LOC", "Berlin"), Entity(15, 19, "LOC", "Bonn")))
    (row,) = token_rows(doc)
    assert row.tags == ("B-LOC", "O", "B-LOC", "O")


def test_ner_tokens_only_for_annotated_entity_layers(built, corpus_dir):
    _, docs = corpus_dir
    unannotated = {d.id for d in docs if d.annotation.entities.status == "none"}
    assert unannotated
    ids = {row["doc_id"] for _, row in iter_built_rows(built, NER_TOKENS)}
    assert ids and not ids & unannotated


# -- command line ----------------------------------------------------------------------------------


def test_cli_build_validates_then_publishes(corpus_dir, tmp_path, capsys):
    root, docs = corpus_dir
    out = tmp_path / "dist"
    assert main(["build", str(root), "--out", str(out)]) == EXIT_OK
    captured = capsys.readouterr()
    assert captured.out == ""  # a summary is a log: stderr
    assert f"documents: {len(docs)}" in captured.err
    assert "load_dataset(" in captured.err and str(out) in captured.err
    assert main(["verify", str(out)]) == EXIT_OK


def test_cli_build_refuses_invalid_corpus(tmp_path, capsys):
    root = tmp_path / "c"
    docs = make_corpus(root, 3)
    bad = docs[0].to_dict()
    bad["entities"] = [{"start": 0, "end": 4, "label": "PER", "text": "nope"}]  # surface text mismatch
    (root / "documents" / f"{docs[0].id}.json").write_text(json.dumps(bad), encoding="utf-8")
    out = tmp_path / "dist"
    assert main(["build", str(root), "--out", str(out)]) == EXIT_PROBLEMS
    captured = capsys.readouterr()
    assert docs[0].id in captured.out + captured.err
    assert "not valid" in captured.err
    assert not out.exists()


def test_cli_build_missing_input_is_usage_error(tmp_path, capsys):
    assert main(["build", str(tmp_path / "missing"), "--out", str(tmp_path / "o")]) == EXIT_USAGE
    assert "no such file" in capsys.readouterr().err


class FirstPerSite:
    """A stateful filter (like deduplication): keeps the first page of each site it sees."""

    def __init__(self):
        self.seen: set[str] = set()
        self.resets = 0

    def reset(self) -> None:
        self.seen.clear()
        self.resets += 1

    def __call__(self, doc: Document) -> str | None:
        if doc.source.domain in self.seen:
            return "same_site"
        self.seen.add(doc.source.domain)
        return None


def test_stateful_filter_is_reset_when_unsorted_input_needs_two_passes(corpus_dir, tmp_path):
    _, docs = corpus_dir
    jsonl = tmp_path / "docs.jsonl"  # descending ids: the single pass gives up, the two-pass path runs
    ordered = sorted(docs, key=lambda d: d.id, reverse=True)
    jsonl.write_text("".join(json.dumps(d.to_dict()) + "\n" for d in ordered), encoding="utf-8")
    f = FirstPerSite()
    result = build(jsonl, tmp_path / "out", filters=[f])
    sites = {d.source.domain for d in docs}
    assert f.resets == 3  # once per traversal: the dedup plan, the single pass, the two-pass fallback
    assert result.stats.documents == len(sites)
    assert result.dropped == Counter({"same_site": len(docs) - len(sites)})
    kept = {d.id for d in read_built_documents(tmp_path / "out")}
    first = {}
    for d in ordered:
        first.setdefault(d.source.domain, d.id)
    assert kept == set(first.values())


def _reference_tags(doc: Document) -> list[tuple[int, tuple[str, ...], tuple[str, ...]]]:
    """Naive BIO tagging: entities in order claim every unclaimed token they overlap; B- on the first."""
    out = []
    for bi, b in enumerate(doc.blocks):
        toks = tokenize(doc.text[b.start : b.end], b.start)
        if not toks:
            continue
        tags = ["O"] * len(toks)
        for ent in sorted(doc.entities, key=lambda x: x.start):
            mine = [i for i, (s, e, _) in enumerate(toks) if s < ent.end and ent.start < e and tags[i] == "O"]
            for n, i in enumerate(mine):
                tags[i] = ("B-" if n == 0 else "I-") + ent.label
        out.append((bi, tuple(t for _, _, t in toks), tuple(tags)))
    return out


_tok_alphabet = st.sampled_from(list("abé Z9_-.,' \u00a0ß") + ["\u200b", "日", "本"])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(_tok_alphabet, min_size=1, max_size=30), min_size=1, max_size=4), st.data())
def test_bio_tags_match_naive_reference(pieces, data):
    text = "\n".join(pieces)
    blocks, entities, pos = [], [], 0
    for piece in pieces:
        blocks.append(Block(pos, pos + len(piece), "body"))
        cuts = sorted(set(data.draw(st.lists(st.integers(0, len(piece)), max_size=6))))
        for a, b in zip(cuts[::2], cuts[1::2], strict=False):
            entities.append(Entity(pos + a, pos + b, data.draw(st.sampled_from(("PER", "LOC"))), piece[a:b]))
        pos += len(piece) + 1
    doc = Document(id="c" * 16, source=Source(raw_sha256="c" * 64), normalizer=NORMALIZER, text=text,
                   blocks=tuple(blocks), entities=tuple(entities))
    want = _reference_tags(doc)
    got = [(r.block_index, r.tokens, r.tags) for r in token_rows(doc)]
    assert got == want
    # the build's form: plain offsets, the sorted CoNLL-4 entities, tags as class ids (None: all O)
    ents = sorted((e.start, e.end, e.label) for e in doc.entities)
    ids = list(span_tokens(text, [b.start for b in blocks], [b.end for b in blocks], ents, BIO_INDEX))
    assert [(bi, tuple(w), tuple(BIO_TAGS[i] for i in t) if t is not None else ("O",) * len(w))
            for bi, w, t in ids] == want


def test_rebuild_in_other_processes_is_byte_identical(corpus_dir, built, tmp_path):
    """Byte-identical across interpreter runs too (no dependence on hash randomisation)."""
    import os
    import subprocess
    import sys

    root, _ = corpus_dir
    outs = []
    for seed in ("1", "2"):
        out = tmp_path / f"seed{seed}"
        code = "import sys; from corpus.dataset.build import build; build(sys.argv[1], sys.argv[2])"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run([sys.executable, "-c", code, str(root), str(out)], check=True, env=env)
        outs.append(_files(out))
    assert outs[0] == outs[1] == _files(built)


def test_column_writer_row_groups_do_not_depend_on_how_rows_arrive(corpus_dir, tmp_path, monkeypatch):
    """Rows handed in one by one or a document at a time give the same row groups and bytes."""
    _, docs = corpus_dir
    monkeypatch.setattr(writer_mod, "BUILD_BATCH_BYTES", 1000)  # the byte limit also cuts row groups
    outs = []
    for mode in ("rows", "columns"):
        w = writer_mod.ConfigWriter(tmp_path / mode, BLOCKS, "train", batch_rows=7, shard_rows=40)
        for doc in docs:
            table = document_rows([doc])[BLOCKS]
            sizes = [r["end"] - r["start"] + 128 for r in table.to_pylist()]
            if mode == "rows":
                for row, size in zip(table.to_pylist(), sizes, strict=True):
                    w.add(row, size)
            else:
                w.extend_arrays([c.combine_chunks() for c in table.columns], sizes)
        outs.append([(p.name, p.read_bytes()) for p, _ in w.close()])
    assert outs[0] == outs[1] and len(outs[0]) > 1
    groups = [pq.ParquetFile(tmp_path / "rows" / "data" / BLOCKS / name).metadata.num_row_groups
              for name, _ in outs[0]]
    total = sum(len(d.blocks) for d in docs)
    assert sum(groups) > -(-total // 7)  # some row groups were cut by bytes before reaching 7 rows


def test_rows_are_what_the_design_says(corpus_dir):
    """Every config's rows equal the plain statement of DESIGN §5 in tests/dataset/rows_oracle.py."""
    _, docs = corpus_dir
    seen = Counter()
    for doc in docs:
        tables = document_rows([doc])
        assert tables[DOCUMENTS].to_pylist() == [document_row(doc)]
        for config, rows_of in ROWS.items():
            assert features(config).arrow_schema.names == tables[config].schema.names
            assert tables[config].to_pylist() == rows_of(doc), (config, doc.id)
            seen[config] += tables[config].num_rows
    assert all(seen[c] for c in ROWS)
