"""Exit codes and the options every command spells the same way (docs/cli.md).

- ``--format/-f``: a choice; data in that format goes to stdout.
- ``--out/-o``: where a command writes files.
- ``--jobs/-j``: worker processes, ``0`` meaning one per CPU.
- Progress, summaries and logs go to stderr; errors are ``error: ...`` on stderr with the exit code
  of DESIGN §9 (0 success, 1 problems found, 2 usage or I/O error).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import typer

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2
#: Ctrl-C (128 + SIGINT, as shells report it).
EXIT_INTERRUPTED = 130
INTERRUPTED = "interrupted; rerun to resume"


def fail(message: str, code: int = EXIT_USAGE) -> typer.Exit:
    """Print ``message`` to stderr and return the Exit to raise."""
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def log(message: str) -> None:
    """A summary or progress line: stderr, so that stdout carries only data."""
    typer.echo(message, err=True)


def format_option(*choices: str) -> Any:
    """``--format/-f`` with ``choices`` (the first is the default)."""

    def parse(value: str) -> str:
        if value not in choices:
            raise typer.BadParameter(f"choose one of {', '.join(choices)}, not {value!r}")
        return value

    return typer.Option(
        choices[0], "--format", "-f", parser=parse, metavar="[" + "|".join(choices) + "]",
        help=f"Output format on stdout: {', '.join(choices)}.",
    )


def out_option(default: Path | None, help: str) -> Any:
    """``--out/-o`` (required when ``default`` is ``...``)."""
    return typer.Option(default, "--out", "-o", help=help)


def out_file(out: str, default_name: str, *, create: bool = True) -> Path:
    """The file an ``--out`` names: ``out`` itself, or ``out/default_name`` when ``out`` is an existing
    directory or ends with a path separator; ``create`` makes its directory (one named error if not)."""
    from corpus.store import ensure_out_dir, ensure_out_parent

    p = Path(out)
    folder = out.endswith(("/", os.sep)) or p.is_dir()
    if create:
        ensure_out_dir(p) if folder else ensure_out_parent(p)
    return p / default_name if folder else p


def jobs_option(what: str) -> Any:
    """``--jobs/-j``: worker processes, 0 meaning one per CPU."""
    return typer.Option(1, "--jobs", "-j", help=f"Worker processes that {what} (0: one per CPU).")


def pairs(values: list[str], option: str, sep: str = "=") -> list[tuple[str, str]]:
    """``NAME=VALUE`` option values as pairs; a malformed one is a usage error."""
    out = []
    for v in values:
        name, found, value = v.partition(sep)
        if not found or not name or not value:
            raise fail(f"{option} takes NAME{sep}VALUE, got {v!r}")
        out.append((name, value))
    return out
