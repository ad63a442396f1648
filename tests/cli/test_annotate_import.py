"""``corpus annotate import``: where it writes, and recording a person's correction."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from corpus.annotate.annotext import export_text
from corpus.cli import main
from corpus.documents import load_documents
from corpus.labels import GUIDELINES_VERSION
from tests.conftest import DATA

SEED = DATA / "documents" / "2a651a9cacbfdf27.json"


def _draft_file(tmp_path: Path) -> Path:
    """The seed page's annotation file with every layer marked as a model draft."""
    (doc,) = load_documents(SEED)
    text = export_text(doc)
    text = re.sub(r"^# annotation\.(\w+)\.status: gold$", r"# annotation.\1.status: model", text, flags=re.M)
    text = re.sub(r"^# annotation\.(\w+)\.by: .*$", r"# annotation.\1.by:", text, flags=re.M)
    text = re.sub(r"^# annotation\.(\w+)\.tool:.*$", r"# annotation.\1.tool: a-labeller@1", text, flags=re.M)
    assert text.count("status: model") == 3
    f = tmp_path / "seed.ann"
    f.write_text(text, encoding="utf-8")
    return f


@pytest.mark.parametrize("form", ["trailing-slash", "existing-dir", "file"])
def test_out_names_a_folder_or_a_file(form: str, tmp_path: Path, capsys) -> None:
    ann = _draft_file(tmp_path)
    if form == "trailing-slash":
        out, written = str(tmp_path / "new" / "docs") + "/", tmp_path / "new" / "docs" / "2a651a9cacbfdf27.json"
    elif form == "existing-dir":
        (tmp_path / "docs").mkdir()
        out, written = str(tmp_path / "docs"), tmp_path / "docs" / "2a651a9cacbfdf27.json"
    else:
        out, written = str(tmp_path / "sub" / "mine.json"), tmp_path / "sub" / "mine.json"
    assert main(["annotate", "import", str(ann), "--out", out]) == 0
    assert written.is_file() and json.loads(written.read_text())["id"] == "2a651a9cacbfdf27"
    assert f"wrote {written}" in capsys.readouterr().err


def test_a_draft_without_annotator_stays_model_and_says_so(tmp_path: Path, capsys) -> None:
    ann = _draft_file(tmp_path)
    assert main(["annotate", "import", str(ann), "--out", str(tmp_path / "d.json")]) == 0
    err = capsys.readouterr().err
    assert "still recorded as machine output" in err and "--annotator NAME" in err
    layers = json.loads((tmp_path / "d.json").read_text())["annotation"]
    assert {layers[x]["status"] for x in ("blocks", "entities", "metadata")} == {"model"}


def test_annotator_records_the_correction(tmp_path: Path, capsys) -> None:
    ann = _draft_file(tmp_path)
    assert main(["annotate", "import", str(ann), "--out", str(tmp_path / "d.json"), "--annotator", "jane"]) == 0
    assert "machine output" not in capsys.readouterr().err
    annotation = json.loads((tmp_path / "d.json").read_text())["annotation"]
    for layer in ("blocks", "entities", "metadata"):
        assert annotation[layer] == {"status": "gold", "by": "jane", "tool": "a-labeller@1"}
    assert annotation["guidelines_version"] == GUIDELINES_VERSION
    assert main(["validate", str(tmp_path / "d.json"), "--no-raw"]) == 0


def test_gold_is_validated_as_gold(tmp_path: Path, capsys) -> None:
    """Recording gold happens before validation: an unlabelled block is an error at its line."""
    ann = _draft_file(tmp_path)
    lines = ann.read_text(encoding="utf-8").split("\n")
    i = next(n for n, x in enumerate(lines) if x.startswith("body"))
    lines[i] = "-" + lines[i][len("body"):]
    ann.write_text("\n".join(lines), encoding="utf-8")
    assert main(["annotate", "import", str(ann), "--out", str(tmp_path / "d.json")]) == 0  # a draft may
    assert main(["annotate", "import", str(ann), "--out", str(tmp_path / "g.json"), "--annotator", "jane"]) == 1
    err = capsys.readouterr().err
    assert f"{ann}:{i + 1}:" in err and not (tmp_path / "g.json").exists()


def test_status_and_annotator_are_checked(tmp_path: Path, capsys) -> None:
    ann = _draft_file(tmp_path)
    assert main(["annotate", "import", str(ann), "--annotator", "jane", "--status", "great"]) == 2
    assert "--status: choose one of gold, projected, model, none" in capsys.readouterr().err
    assert main(["annotate", "import", str(ann), "--annotator", " "]) == 2


def test_replacing_the_original_locates_a_changed_character(tmp_path: Path, capsys) -> None:
    ann = _draft_file(tmp_path)
    text = ann.read_text(encoding="utf-8")
    line = next(x for x in text.split("\n") if not x.startswith("#") and "[" not in x and len(x) > 30)
    col = 20
    changed = line[: col - 1] + ("X" if line[col - 1] != "X" else "Y") + line[col:]
    ann.write_text(text.replace(line, changed, 1), encoding="utf-8")
    ln = text.split("\n").index(line) + 1
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / SEED.name).write_bytes(SEED.read_bytes())
    assert main(["annotate", "import", str(ann), "--out", str(docs)]) == 1
    assert f"{ann}:{ln}:{col}: annot-text-changed" in capsys.readouterr().err
    assert (docs / SEED.name).read_bytes() == SEED.read_bytes()


def test_a_json_document_is_one_error(tmp_path: Path, capsys) -> None:
    assert main(["annotate", "import", str(SEED)]) == 1
    err = capsys.readouterr().err
    assert err.count("annot-not-annotation-file") == 1 and "1 error(s)" in err


def test_export_out_folder_and_bad_out(tmp_path: Path, capsys) -> None:
    assert main(["annotate", "export", str(SEED), "--out", str(tmp_path / "anns") + "/"]) == 0
    assert (tmp_path / "anns" / "2a651a9cacbfdf27.ann").is_file()
    (tmp_path / "a-file").write_text("x")
    assert main(["annotate", "export", str(SEED), "--out", str(tmp_path / "a-file" / "x.ann")]) == 2
    err = capsys.readouterr().err
    assert "a-file/x.ann: a parent of --out is" in err and "Errno" not in err
