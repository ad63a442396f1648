"""One command-line convention (docs/cli.md): the same option is spelled and behaves the same everywhere."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import typer

from corpus.cli import app, main
from tests.conftest import DATA


def _commands():
    root = typer.main.get_command(app)

    def walk(cmd, path):
        subs = getattr(cmd, "commands", None)
        if subs:
            for name, sub in subs.items():
                yield from walk(sub, (*path, name))
        else:
            yield " ".join(path), cmd

    return dict(walk(root, ()))


COMMANDS = _commands()


def _options(cmd):
    return [p for p in cmd.params if getattr(p, "opts", None) and p.opts[0].startswith("-")]


def test_out_is_always_dash_o_and_dash_o_is_always_out() -> None:
    for name, cmd in COMMANDS.items():
        for p in _options(cmd):
            if "--out" in p.opts:
                assert "-o" in p.opts, f"corpus {name}: --out has no -o"
            if "-o" in p.opts:
                assert "--out" in p.opts, f"corpus {name}: -o is not --out ({p.opts})"


def test_format_is_always_dash_f_with_the_same_wording() -> None:
    seen = 0
    for name, cmd in COMMANDS.items():
        for p in _options(cmd):
            if "--format" in p.opts or "-f" in p.opts:
                seen += 1
                assert p.opts == ["--format", "-f"] or sorted(p.opts) == ["--format", "-f"], (name, p.opts)
                assert p.help.startswith("Output format on stdout: "), (name, p.help)
                assert p.default == "text", name
    assert seen >= 5


def test_jobs_is_always_dash_j_and_zero_means_one_per_cpu() -> None:
    seen = 0
    for name, cmd in COMMANDS.items():
        for p in _options(cmd):
            if "--jobs" in p.opts:
                seen += 1
                assert "-j" in p.opts, name
                assert "(0: one per CPU)" in p.help, (name, p.help)
    assert seen >= 3


@pytest.mark.parametrize("command", ["verify", "stats", "agree", "validate", "bench"])
def test_an_unknown_format_is_the_same_usage_error(command: str, capsys) -> None:
    args = {"verify": [str(DATA)], "stats": [str(DATA)], "agree": [str(DATA), str(DATA)],
            "validate": [str(DATA)], "bench": [str(DATA), "-e", "trafilatura"]}[command]
    assert main([command, *args, "--format", "xml"]) == 2
    err = capsys.readouterr().err
    assert "Invalid value for '--format' / '-f': choose one of text, json" in err


def test_a_missing_input_is_exit_2_in_every_command(tmp_path: Path, capsys) -> None:
    missing = str(tmp_path / "nope")
    for args in (["validate", missing], ["build", missing, "--out", str(tmp_path / "o")], ["stats", missing],
                 ["verify", missing], ["show", missing], ["agree", missing, missing],
                 ["export", "brat", missing, "--out", str(tmp_path / "o")],
                 ["bench", missing, "-e", "trafilatura"], ["ingest", missing, "--out", str(tmp_path / "i")]):
        code = main(args)
        err = capsys.readouterr().err
        assert code == 2, (args, err)
        assert "error" in err.lower() and "nope" in err, (args, err)


def test_data_goes_to_stdout_and_summaries_to_stderr(tmp_path: Path) -> None:
    """``build`` prints nothing but logs; ``stats --format json`` prints only JSON on stdout."""
    run = [sys.executable, "-m", "corpus"]
    built = subprocess.run([*run, "build", str(DATA), "--out", str(tmp_path / "d"), "--no-check-raw"],
                           capture_output=True, text=True, check=True)
    assert built.stdout == ""
    assert "built " in built.stderr
    stats = subprocess.run([*run, "stats", str(DATA), "-f", "json"], capture_output=True, text=True, check=True)
    assert json.loads(stats.stdout)["documents"] > 0
    verify = subprocess.run([*run, "verify", str(tmp_path / "d"), "-f", "json"], capture_output=True, text=True)
    assert verify.returncode == 0 and json.loads(verify.stdout)["ok"] is True
