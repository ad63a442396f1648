"""What a newcomer types first: mistakes, -h, --version and the help texts of every command."""

from __future__ import annotations

import re

import pytest

from corpus.cli import command, main
from corpus.version import __version__


def _command_paths() -> list[tuple[str, ...]]:
    def walk(cmd, path):
        yield path
        for name, sub in (getattr(cmd, "commands", None) or {}).items():
            yield from walk(sub, (*path, name))

    return list(walk(command(), ()))


COMMAND_PATHS = _command_paths()
#: Python type placeholders some Typer releases print for a parameter without a value name.
PLACEHOLDER = re.compile(r"<(?:list\[\w+\]|bool|int|float|str|path|Path|file|dir)>|\bBOOLEAN\b")


def test_the_command_tree_is_the_whole_program() -> None:
    assert {"ingest", "validate", "build", "import", "annotate", "bench"} <= {p[0] for p in COMMAND_PATHS if p}
    assert ("annotate", "import") in COMMAND_PATHS


@pytest.mark.parametrize("path", COMMAND_PATHS, ids=lambda p: " ".join(p) or "corpus")
def test_every_help_text_is_plain(path: tuple[str, ...], capsys) -> None:
    assert main([*path, "--help"]) == 0
    text = capsys.readouterr().out
    assert "Usage: corpus" in text
    assert not PLACEHOLDER.search(text), (path, PLACEHOLDER.search(text).group(0))
    assert "DESIGN" not in text and "§" not in text, path
    assert main([*path, "-h"]) == 0, "-h is --help"
    assert capsys.readouterr().out == text


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["valdate", "data"], "No such command 'valdate'. Did you mean 'validate'?"),
        (["ingest", "data/raw"], "Missing option '--out' / '-o'"),
        (["validate", "--frmat", "json", "data"], "No such option: --frmat"),
        (["annotate", "imprt", "x.ann"], "Did you mean 'import'?"),
    ],
)
def test_a_mistake_is_a_usage_message_with_exit_2(args: list[str], expected: str, capsys) -> None:
    assert main(args) == 2
    err = capsys.readouterr().err
    assert expected in err
    assert "Usage: corpus" in err
    assert "internal error" not in err


def test_version(capsys) -> None:
    assert main(["--version"]) == 0
    out = capsys.readouterr().out
    assert out.strip().endswith(__version__) and out.startswith("corpus ")


@pytest.mark.parametrize("command_args", [["build", "DATA"], ["validate", "DATA"], ["stats", "DATA"]])
def test_ctrl_c_in_any_command_says_how_to_go_on(command_args: list[str], monkeypatch, capsys, tmp_path) -> None:
    from corpus import api

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt

    for name in ("build", "validate", "stats"):
        monkeypatch.setattr(api, name, interrupted)
    (tmp_path / "documents").mkdir()
    args = [str(tmp_path) if a == "DATA" else a for a in command_args]
    if command_args[0] == "build":
        args += ["--out", str(tmp_path / "dist")]
    import signal

    before = signal.getsignal(signal.SIGINT)
    try:
        assert main(args) == 130
    finally:
        signal.signal(signal.SIGINT, before)
    err = capsys.readouterr().err
    assert "interrupted; rerun to resume" in err and "Traceback" not in err
