"""Parallel ``corpus build`` (``jobs``): byte-identical output, the JSON fast path, errors from workers."""

from __future__ import annotations

import hashlib
import io
import json
import os
import random
from collections import Counter
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from rows_oracle import ROWS, document_row

import corpus.dataset.tasks as tasks_mod
from corpus.cli import EXIT_OK, EXIT_USAGE, main
from corpus.dataset.build import SplitLeakageError, build
from corpus.dataset.dedup import priority, record_priority
from corpus.dataset.layout import CONFIGS, DOCUMENTS, MANIFEST, PARQUET_OPTIONS
from corpus.dataset.records import load_record, parse_document, record_of
from corpus.dataset.rows import SplitRows, schemas
from corpus.dataset.splits import SPLIT_SEED, assign_split, record_split, split_for_key
from corpus.dataset.stats import CorpusStats
from corpus.dataset.writer import _tidy
from corpus.errors import ConfigError, CorpusError, FileError
from corpus.model import Document
from corpus.parallel import ProcessMap, WorkerError, resolve_jobs

REPO = Path(__file__).resolve().parents[2]
WORDS = (
    "the of and to in a is that for it as was with be by on not he this are or from at which but have an "
    "they were her she there been one all we their has would when if so what up out more about into them "
    "can only other new some could time these two may first then market minister council city police"
).split()
NAMES = (
    ("Angela Merkel", "PER", "PERSON"),
    ("European Commission", "ORG", "ORG"),
    ("Zürich", "LOC", "GPE"),
    ("World Cup", "MISC", "EVENT"),
    ("Monday", None, "DATE"),
    ("BBC", "ORG", "ORG"),
)
LABELS = ("title", "byline", "body", "body", "body", "caption", "navigation", "footer", "comments", "related")


def synthetic(i: int) -> dict:
    """A schema-v1 document dict, deterministic in ``i``, varied in every field the build reads."""
    rng = random.Random(i)
    ontonotes = i % 7 == 3
    texts, blocks, entities, pos = [], [], [], 0
    for b in range(rng.randint(8, 24)):
        words = [rng.choice(WORDS) for _ in range(rng.randint(3, 14))]
        name = NAMES[rng.randrange(len(NAMES))] if b % 3 == 1 else None
        if name is not None and (ontonotes or name[1] is not None):
            at = rng.randint(0, len(words))
            s = pos + len(" ".join(words[:at])) + (1 if at else 0)
            inside = i % 19 == 9 and not entities  # an entity edge inside a word: the tokeniser's offsets path
            entities.append(
                {
                    "start": s + inside,
                    "end": s + len(name[0]),
                    "label": name[2] if ontonotes else name[1],
                    "text": name[0][inside:],
                }
            )
            words.insert(at, name[0])
        t = " ".join(words).capitalize() + rng.choice((".", "!", " — «ok»", ", 3.5%"))
        block = {
            "start": pos,
            "end": pos + len(t),
            "label": None if (i % 5 == 2 and b % 3 == 0) else rng.choice(LABELS),
        }
        if not (i % 5 == 2 and b % 4 == 1):
            block |= {"tag": "p", "xpath": f"/html/body/div[{b + 1}]/p"}
        blocks.append(block)
        texts.append(t)
        pos += len(t) + 1
    sha = hashlib.sha256(f"doc-{i}".encode()).hexdigest()
    site = f"site{rng.randrange(40)}.example"
    doc = {
        "schema_version": "1.0.0",
        "id": sha[:16],
        "source": {
            "url": f"https://{site}/a/{i}",
            "domain": site,
            "crawl_date": "2024-01-01",
            "source_dataset": "native",
            "raw_path": f"raw/{sha[:16]}.html",
            "raw_sha256": sha,
            "raw_format": "html",
            "encoding": "utf-8",
        },
        "normalizer": {"name": "corpus-normaliser", "version": "1.0.0"},
        "text": "\n".join(texts),
        "blocks": blocks,
        "entities": entities,
        "metadata": {
            "title": texts[0][:40],
            "authors": ["Jane Doe"] if i % 3 else [],
            "language": ("en", "de", None)[i % 3],
            "categories": [],
            "tags": ["x"] if i % 4 == 0 else [],
            "is_accessible_for_free": (True, False, None)[i % 3],
        },
        "checks": {"include": [texts[0][:10]], "exclude": []} if i % 6 == 0 else {"include": [], "exclude": []},
        "reference": {"text": texts[0], "convention": "article"} if i % 13 == 6 else None,
        "annotation": {
            "blocks": {"status": "gold", "by": "ann"},
            "entities": {"status": "none" if i % 11 == 5 else "gold"},
            "metadata": {"status": "model", "tool": "meta 1"},
            "entity_label_set": "ontonotes18" if ontonotes else "conll4",
            "guidelines_version": "1.0",
        },
    }
    if i % 17 == 8:  # sparse record: defaults filled in by the model
        del doc["source"]["domain"], doc["metadata"], doc["checks"]
        doc["annotation"] = {
            "blocks": {"status": "projected"},
            "entity_label_set": doc["annotation"]["entity_label_set"],
        }
    return doc


def corpus_docs(n: int) -> list[dict]:
    """``n`` documents, exact copies (other id, same folded text) and near copies (two words changed), one empty."""
    docs = [synthetic(i) for i in range(n)]
    extra = []
    for i in range(0, n, 40):
        c = json.loads(json.dumps(docs[i]))
        c["id"], c["text"] = hashlib.sha256(f"copy-{i}".encode()).hexdigest()[:16], c["text"] + "  "
        c["annotation"]["blocks"] = {"status": "model"}
        extra.append(c)
    for i in range(15, n, 50):
        c = json.loads(json.dumps(docs[i]))
        words = c["text"].split(" ")
        for k in (3, len(words) // 2):
            words[k] = "x" * len(words[k])
        c["id"], c["text"] = hashlib.sha256(f"near-{i}".encode()).hexdigest()[:16], " ".join(words)
        c["annotation"]["entities"] = {"status": "model"}
        extra.append(c)
    empty = synthetic(n + 1)
    empty.update(id="0000empty0000000", text="", blocks=[], entities=[])
    return docs + extra + [empty]


def write_dir(root: Path, docs: list[dict]) -> Path:
    (root / "documents").mkdir(parents=True)
    for d in docs:
        (root / "documents" / f"{d['id']}.json").write_text(
            json.dumps(d, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
    return root


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def gen_dir(tmp_path_factory) -> Path:
    return write_dir(tmp_path_factory.mktemp("gen"), corpus_docs(240))


@pytest.fixture(scope="module")
def gen_jsonl(tmp_path_factory) -> Path:
    """The same documents shuffled over two JSONL files (with a blank line): the two-pass writer."""
    root = tmp_path_factory.mktemp("genl")
    docs = corpus_docs(240)
    random.Random(5).shuffle(docs)
    for part, chunk in enumerate((docs[:130], docs[130:])):
        lines = [json.dumps(d, ensure_ascii=False) for d in chunk]
        lines.insert(7, "")
        (root / f"part{part}.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return root


# -- byte-identical output for any number of jobs ------------------------------------------------


def test_bundled_data_is_byte_identical_with_two_jobs(tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    build(REPO / "data", one)  # validated, raw files checked, deduplication on
    result = build(REPO / "data", two, jobs=2)
    assert files(one) == files(two)
    assert result.stats.documents >= 10


def test_generated_corpus_is_byte_identical_with_two_jobs(gen_dir, tmp_path):
    small = {"batch_rows": 40, "shard_rows": 150}
    one = build(gen_dir, tmp_path / "one", **small)
    two = build(gen_dir, tmp_path / "two", jobs=2, **small)
    assert files(one.out) == files(two.out)
    m = one.manifest
    assert m["dedup"]["dropped_exact"] > 0 and m["dedup"]["dropped_near"] > 0
    assert all(set(c["splits"]) == {"train", "validation", "test"} for c in m["configs"].values())
    assert all(c["splits"]["train"]["num_shards"] > 1 for c in m["configs"].values())
    default = build(gen_dir, tmp_path / "default", jobs=3)  # default sizes, another task split
    assert files(default.out) == files(build(gen_dir, tmp_path / "default1").out)


def test_unsorted_jsonl_is_byte_identical_with_two_jobs(gen_jsonl, gen_dir, tmp_path):
    one = build(gen_jsonl, tmp_path / "one", batch_rows=40, shard_rows=150)
    two = build(gen_jsonl, tmp_path / "two", jobs=2, batch_rows=40, shard_rows=150)
    assert files(one.out) == files(two.out)
    # same documents as the directory layout (other record bytes): the same shards
    same = build(gen_dir, tmp_path / "dir", batch_rows=40, shard_rows=150)
    data = {k: v for k, v in files(one.out).items() if k.startswith("data/")}
    assert data and data == {k: v for k, v in files(same.out).items() if k.startswith("data/")}


def test_leakage_check_with_two_jobs(gen_dir, tmp_path):
    one = build(gen_dir, tmp_path / "one", dedup=False)
    two = build(gen_dir, tmp_path / "two", dedup=False, jobs=2)
    assert files(one.out) == files(two.out)
    # an exact copy on a site of the test split leaks the train original
    docs = corpus_docs(60)
    train = next(d for d in docs if assign_split(Document.from_dict(d)) == "train")
    test_site = next(f"leak{k}.example" for k in range(1000) if split_for_key(f"leak{k}.example", SPLIT_SEED) == "test")
    copy = json.loads(json.dumps(train))
    copy["id"], copy["source"]["domain"] = "ffffffffffff0000", test_site
    root = write_dir(tmp_path / "leaky", [*docs, copy])
    errors = []
    for jobs in (1, 2):
        with pytest.raises(SplitLeakageError) as exc:
            build(root, tmp_path / f"leak{jobs}", dedup=False, jobs=jobs)
        errors.append((str(exc.value), exc.value.pairs))
    assert errors[0] == errors[1]


def test_custom_filters_run_in_this_process_with_the_same_result(gen_dir, tmp_path):
    calls = Counter()

    def no_site3(doc: Document) -> str | None:
        calls[doc.id] += 1
        return "site3" if doc.source.domain == "site3.example" else None

    one = build(gen_dir, tmp_path / "one", filters=[no_site3])
    two = build(gen_dir, tmp_path / "two", filters=[no_site3], jobs=2)
    assert files(one.out) == files(two.out) and one.dropped["site3"] > 0
    assert set(calls.values()) == {4}  # dedup pass and write pass, twice


# -- the fast path (parsed JSON straight to Arrow) agrees with the Document path -----------------


def _old_columns(config: str, docs: list[Document]) -> list[list]:
    """The oracle's rows of ``docs`` column by column."""
    names = schemas()[config].names
    rows = [document_row(d) for d in docs] if config == DOCUMENTS else [r for d in docs for r in ROWS[config](d)]
    return [[r[n] for r in rows] for n in names]


def _parquet(table: pa.Table) -> bytes:
    sink = io.BytesIO()
    with pq.ParquetWriter(sink, table.schema, **PARQUET_OPTIONS) as w:
        w.write_table(table, row_group_size=1000)
    return sink.getvalue()


def test_fast_rows_are_the_document_rows_byte_for_byte():
    """Arrow arrays from parsed JSON, cut and concatenated as the writer does, equal pa.array of the old rows."""
    raw = corpus_docs(120)
    docs = [Document.from_dict(d) for d in raw]
    sch = schemas()
    pieces = []  # tasks of uneven sizes, as the writer receives them
    for lo, hi in ((0, 1), (1, 40), (40, 41), (41, 100), (100, len(raw))):
        rows = SplitRows()
        for d in raw[lo:hi]:
            rows.add(record_of(d))
        pieces.append(rows.arrays(sch))
    for config in CONFIGS:
        schema = sch[config]
        old = pa.Table.from_arrays(
            [pa.array(c, type=f.type) for c, f in zip(_old_columns(config, docs), schema, strict=True)], schema=schema
        )
        new = pa.Table.from_arrays(
            [_tidy(pa.concat_arrays([p[config][0][i] for p in pieces])) for i in range(len(schema))],
            schema=schema,
        )
        assert new.equals(old), config
        assert new.nbytes == old.nbytes, config  # the manifest's arrow_bytes
        for a, b in zip(new.columns, old.columns, strict=True):
            assert [x and x.size for x in a.chunk(0).buffers()] == [x and x.size for x in b.chunk(0).buffers()]
        assert _parquet(new) == _parquet(old), config
        assert sum(len(p[config][1]) for p in pieces) == old.num_rows
        n = old.num_rows
        for a, b in ((0, n // 3), (n // 3, n // 3 + 1), (n // 3 + 1, n)):  # row groups cut out of the pieces
            part = pa.Table.from_arrays(
                [_tidy(pa.concat_arrays([c.chunk(0).slice(a, b - a)])) for c in new.columns], schema=schema
            )
            ref = pa.Table.from_arrays([pa.array(c.to_pylist()[a:b], type=c.type) for c in old.columns], schema=schema)
            assert part.nbytes == ref.nbytes and _parquet(part) == _parquet(ref), (config, a, b)


def test_fast_stats_split_and_priority_agree_with_the_document_path():
    raw = corpus_docs(120)
    fast, slow = CorpusStats(), CorpusStats()
    for d in raw:
        doc, rec = Document.from_dict(d), record_of(d)
        split = record_split(rec, SPLIT_SEED)
        assert split == assign_split(doc)
        assert record_priority(rec) == priority(doc)
        fast.add_record(rec, split)
        slow.add(doc, split)
    merged = CorpusStats()
    merged.merge(fast)
    assert fast.to_dict() == slow.to_dict() == merged.to_dict()


def test_malformed_records_go_through_document_from_dict():
    good = synthetic(3)
    odd = {**good, "source": ["not", "an", "object"], "metadata": None}  # Document.from_dict tolerates both
    _, rec, doc = load_record(json.dumps(odd).encode(), "x.json")
    assert doc is not None and rec.source == Document.from_dict(odd).to_dict()["source"]
    broken = {**good, "blocks": [{"start": 0}]}
    with pytest.raises(FileError) as fast:
        load_record(json.dumps(broken).encode(), "x.json")
    with pytest.raises(FileError) as slow:
        parse_document(json.dumps(broken).encode(), "x.json")
    assert str(fast.value) == str(slow.value)


# -- errors in workers ---------------------------------------------------------------------------


@pytest.mark.parametrize("case", ["bad_json", "missing_normalizer", "duplicate_id", "unknown_entity_label"])
def test_worker_errors_are_the_single_process_errors(case, tmp_path):
    docs = corpus_docs(30)
    if case == "missing_normalizer":
        docs[17].pop("normalizer")
    if case == "unknown_entity_label":
        docs[9]["entities"][0]["label"] = "FOO"
    root = write_dir(tmp_path / "in", docs)
    if case == "bad_json":
        (root / "documents" / "8zzz.json").write_text("{not json", encoding="utf-8")
    if case == "duplicate_id":
        (root / "documents" / "zz.json").write_text(json.dumps({**docs[4], "text": "other words"}), encoding="utf-8")
    seen = []
    for jobs in (1, 2):
        with pytest.raises(CorpusError) as exc:
            build(root, tmp_path / f"out{jobs}", dedup=case != "duplicate_id", jobs=jobs)
        seen.append((type(exc.value), str(exc.value), exc.value.reason))
        assert not (tmp_path / f"out{jobs}").exists()
    assert seen[0] == seen[1]
    assert (
        seen[0][2]
        == {
            "bad_json": "file_error",
            "missing_normalizer": "file_error",
            "duplicate_id": "duplicate_id",
            "unknown_entity_label": "unknown_entity_label",
        }[case]
    )


def _die(*args: object) -> bytes:
    os._exit(3)  # a worker that crashes (as if killed)


def test_a_dead_worker_is_a_worker_error_not_a_hang(gen_dir, tmp_path, monkeypatch):
    monkeypatch.setattr(tasks_mod, "_worker_task", _die)
    with pytest.raises(WorkerError):
        build(gen_dir, tmp_path / "out", jobs=2)
    assert sorted(p.name for p in tmp_path.iterdir()) == []


def test_work_in_flight_is_bounded():
    """The process map never holds more than 2 * jobs + 1 submitted items whose results were not consumed."""
    from concurrent.futures import Future

    class Executor:
        submitted = 0

        def submit(self, fn, *args):
            Executor.submitted += 1
            f: Future = Future()
            f.set_result(fn(*args))
            return f

        def shutdown(self, **kw):
            pass

    pm = ProcessMap(2)
    pm._executor = Executor()
    consumed = 0
    for value in pm.map(abs, ((-i,) for i in range(50))):
        assert value == consumed
        consumed += 1
        assert Executor.submitted - consumed <= 2 * 2 + 1
    assert consumed == 50


# -- CLI and arguments ---------------------------------------------------------------------------


def test_cli_jobs_flag(tmp_path, capsys):
    data = str(REPO / "data")
    assert main(["build", data, "--out", str(tmp_path / "one"), "--no-check-raw"]) == EXIT_OK
    assert main(["build", data, "--out", str(tmp_path / "two"), "--no-check-raw", "--jobs", "2"]) == EXIT_OK
    assert main(["build", data, "--out", str(tmp_path / "all"), "--no-check-raw", "-j", "0"]) == EXIT_OK
    assert files(tmp_path / "one") == files(tmp_path / "two") == files(tmp_path / "all")
    assert (tmp_path / "two" / MANIFEST).is_file()
    assert main(["build", data, "--out", str(tmp_path / "bad"), "--jobs", "-1"]) == EXIT_USAGE
    assert "--jobs" in capsys.readouterr().err
    assert not (tmp_path / "bad").exists()


def test_jobs_zero_means_one_per_cpu():
    assert resolve_jobs(0) == (os.cpu_count() or 1)
    assert resolve_jobs(3) == 3
    with pytest.raises(ConfigError):
        resolve_jobs(-2)
