"""corpus verify: a published directory is re-checked against its manifest."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from build_helpers import make_corpus

from corpus.cli import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, main
from corpus.dataset.build import build
from corpus.dataset.verify import verify_dir
from corpus.errors import ConfigError


@pytest.fixture(scope="module")
def pristine(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("corpus")
    make_corpus(root, 10)
    out = tmp_path_factory.mktemp("dist") / "corpus"
    build(root, out)
    return out


@pytest.fixture
def built(pristine, tmp_path) -> Path:
    copy = tmp_path / "copy"
    shutil.copytree(pristine, copy)
    return copy


def _shard(built: Path) -> Path:
    manifest = json.loads((built / "MANIFEST.json").read_text())
    return built / manifest["shards"][0]["path"]


def test_clean_directory_verifies(built, capsys):
    report = verify_dir(built)
    assert report.ok and report.shards > 0 and report.rows > 0
    assert main(["verify", str(built)]) == EXIT_OK
    assert "ok" in capsys.readouterr().out


def test_flipped_byte_fails(built, capsys):
    shard = _shard(built)
    data = bytearray(shard.read_bytes())
    data[len(data) // 2] ^= 0x01
    shard.write_bytes(bytes(data))
    assert main(["verify", str(built)]) == EXIT_PROBLEMS
    assert "sha256" in capsys.readouterr().out


def test_missing_shard_fails(built):
    _shard(built).unlink()
    report = verify_dir(built)
    assert any("missing" in p for p in report.problems)


def test_extra_file_fails(built):
    (built / "data" / "documents" / "train-99999-of-99999.parquet").write_bytes(b"PAR1")
    report = verify_dir(built)
    assert any("not listed" in p for p in report.problems)


def test_truncated_shard_fails(built):
    shard = _shard(built)
    shard.write_bytes(shard.read_bytes()[:-10])
    assert not verify_dir(built).ok


def test_edited_card_fails(built):
    readme = built / "README.md"
    readme.write_text(readme.read_text() + "\nedited\n")
    assert any("README.md" in p for p in verify_dir(built).problems)


def test_manifest_row_count_mismatch_fails(built):
    manifest = json.loads((built / "MANIFEST.json").read_text())
    manifest["shards"][0]["rows"] += 1
    (built / "MANIFEST.json").write_text(json.dumps(manifest))
    assert any("rows" in p for p in verify_dir(built).problems)


def test_missing_or_corrupt_manifest_fails(built):
    (built / "MANIFEST.json").write_text("{not json")
    assert not verify_dir(built).ok
    (built / "MANIFEST.json").unlink()
    assert main(["verify", str(built)]) == EXIT_PROBLEMS


def test_missing_directory_is_usage_error(tmp_path, capsys):
    assert main(["verify", str(tmp_path / "nope")]) == EXIT_USAGE
    assert "no such directory" in capsys.readouterr().err
    with pytest.raises(ConfigError):
        verify_dir(tmp_path / "nope")


def test_json_format(built, capsys):
    _shard(built).unlink()
    assert main(["verify", str(built), "--format", "json"]) == EXIT_PROBLEMS
    out = json.loads(capsys.readouterr().out)
    assert out["ok"] is False and out["problems"]
