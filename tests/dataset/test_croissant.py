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


def test_mlcroissant_loads_it_without_a_warning(built: Path, caplog) -> None:
    """No validation issue, no warning logged and no Python warning about the file.

    rdflib (mlcroissant's JSON-LD parser) emits a DeprecationWarning about its own ``ConjunctiveGraph``
    for every document it parses; that one is about the library, not the file, and is the only one let
    through. (Reading the records, tested above, warns about pandas deprecations inside mlcroissant.)"""
    import logging
    import warnings

    mlc = pytest.importorskip("mlcroissant", reason="mlcroissant is part of the 'test' extra")
    with warnings.catch_warnings(record=True) as caught, caplog.at_level(logging.WARNING):
        warnings.simplefilter("always")
        dataset = mlc.Dataset(jsonld=str(built / "croissant.json"))
    library = [w for w in caught if issubclass(w.category, DeprecationWarning) and "/rdflib/" in w.filename]
    assert [str(w.message) for w in caught if w not in library] == []
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    issues = dataset.metadata.ctx.issues
    assert not issues.warnings and not issues.errors
    manifest = json.loads((built / "MANIFEST.json").read_text(encoding="utf-8"))
    assert dataset.metadata.date_published.date().isoformat() == manifest["date_published"]


def test_the_warning_it_guards_against_is_seen(tmp_path: Path, built: Path, caplog) -> None:
    """Without ``datePublished`` mlcroissant does warn, and the test above would see it."""
    import logging

    mlc = pytest.importorskip("mlcroissant", reason="mlcroissant is part of the 'test' extra")
    meta = json.loads((built / "croissant.json").read_text(encoding="utf-8"))
    del meta["datePublished"]
    (tmp_path / "croissant.json").write_text(json.dumps(meta), encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        dataset = mlc.Dataset(jsonld=str(tmp_path / "croissant.json"))
    assert any("datePublished" in w for w in dataset.metadata.ctx.issues.warnings)
    assert any("datePublished" in r.getMessage() for r in caplog.records)
