"""``croissant.json`` is read by the reference implementation, ``mlcroissant``, record for record."""

from __future__ import annotations

import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from corpus.dataset.build import build
from tests.conftest import DATA


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("croissant") / "dist"
    build(DATA, out)
    return out


def _decode(value):
    return value.decode("utf-8") if isinstance(value, bytes) else value


def test_mlcroissant_reads_every_record_set(built: Path) -> None:
    mlc = pytest.importorskip("mlcroissant", reason="mlcroissant is part of the 'test' extra")
    dataset = mlc.Dataset(jsonld=str(built / "croissant.json"))
    manifest = json.loads((built / "MANIFEST.json").read_text(encoding="utf-8"))
    names = [rs.uuid for rs in dataset.metadata.record_sets]
    assert names == list(manifest["configs"])
    for config, info in manifest["configs"].items():
        records = list(dataset.records(record_set=config))
        assert len(records) == sum(s["num_examples"] for s in info["splits"].values()), config
        table = pq.read_table(sorted((built / "data" / config).glob("*.parquet")))
        key = "id" if config == "documents" else "doc_id"
        assert sorted(_decode(r[f"{config}/{key}"]) for r in records) == sorted(table.column(key).to_pylist())


def test_mlcroissant_reads_the_documented_fields(built: Path) -> None:
    mlc = pytest.importorskip("mlcroissant", reason="mlcroissant is part of the 'test' extra")
    dataset = mlc.Dataset(jsonld=str(built / "croissant.json"))
    blocks = list(dataset.records(record_set="blocks"))
    table = pq.read_table(sorted((built / "data" / "blocks").glob("*.parquet")))
    by_key = {(r["doc_id"], r["block_index"]): r for r in table.to_pylist()}
    for rec in blocks:
        row = by_key[(_decode(rec["blocks/doc_id"]), rec["blocks/block_index"])]
        assert (rec["blocks/start"], rec["blocks/end"], _decode(rec["blocks/text"])) == (
            row["start"], row["end"], row["text"])
