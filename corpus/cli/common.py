"""Exit codes and helpers shared by the command modules."""

from __future__ import annotations

import typer

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2


def fail(message: str, code: int = EXIT_USAGE) -> typer.Exit:
    """Print ``message`` to stderr and return the Exit to raise."""
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)
