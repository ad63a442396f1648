"""The README's Python snippets run as written, in order, against a copy of the bundled corpus."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from tests.conftest import DATA, ROOT

README = ROOT / "README.md"


def python_blocks(text: str) -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", text, flags=re.S | re.M)


def test_readme_python_snippets_run(tmp_path: Path, monkeypatch) -> None:
    blocks = python_blocks(README.read_text(encoding="utf-8"))
    assert len(blocks) >= 3, "README lost its Python examples"
    shutil.copytree(DATA, tmp_path / "data")
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": "readme"}
    for i, block in enumerate(blocks):
        exec(compile(block, f"README.md python block {i + 1}", "exec"), namespace)
    assert (tmp_path / "dist" / "corpus" / "MANIFEST.json").is_file()
    assert any((tmp_path / "drafts" / "documents").glob("*.json"))
    assert any((tmp_path / "brat-out").iterdir())


def test_every_api_verb_is_documented_in_the_readme() -> None:
    import corpus

    text = README.read_text(encoding="utf-8")
    for verb in ("ingest", "validate", "build", "verify", "import_", "export", "bench", "agree", "stats", "show",
                 "load_documents"):
        assert callable(getattr(corpus, verb)), verb
        assert f"corpus.{verb}" in text, f"README does not show corpus.{verb}"
