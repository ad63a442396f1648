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


def console_examples(text: str) -> list[tuple[list[str], list[str]]]:
    """``$ corpus ...`` lines of the README's console blocks with the output lines shown under them."""
    out: list[tuple[list[str], list[str]]] = []
    for block in re.findall(r"^```console\n(.*?)^```", text, flags=re.S | re.M):
        for line in block.splitlines():
            if line.startswith("$ corpus "):
                out.append((line[len("$ corpus "):].split(), []))
            elif out:
                out[-1][1].append(line)
    return out


def test_readme_console_output_is_what_the_commands_print(tmp_path: Path, monkeypatch, capsys) -> None:
    """Every console example whose inputs exist in a copy of the bundled corpus prints exactly what is shown."""
    from corpus.cli import main

    shutil.copytree(DATA, tmp_path / "data")
    monkeypatch.chdir(tmp_path)
    assert main(["build", "data", "--out", "dist/corpus", "--no-check-raw"]) == 0
    capsys.readouterr()
    checked = []
    for args, shown in console_examples(README.read_text(encoding="utf-8")):
        if not all(Path(a).exists() for a in args[1:] if not a.startswith("-")):
            continue  # an example about a file the reader brings (e.g. broken.json)
        main(args)
        captured = capsys.readouterr()
        printed = (captured.out + captured.err).rstrip("\n").splitlines()
        assert printed == shown, (args, printed)
        checked.append(args[0])
    assert {"validate", "verify"} <= set(checked)
