"""The ``corpus`` command line: a thin layer over the Python API (DESIGN §9).

Exit codes: 0 success / clean, 1 problems found, 2 usage or I/O error. Each command lives in its
own module with a ``register(app)`` function.
"""

from __future__ import annotations

import signal
import sys
from typing import Any

import typer

from corpus.cli.common import EXIT_INTERRUPTED, EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE, INTERRUPTED, fail
from corpus.cli.helptext import click_command
from corpus.errors import ConfigError, CorpusError

__all__ = ["EXIT_OK", "EXIT_PROBLEMS", "EXIT_USAGE", "app", "command", "fail", "main", "run"]

app = typer.Typer(
    name="corpus",
    help="Annotated, versioned, validated web-page corpus: ingest, validate, build, bench.",
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
    add_completion=False,
    pretty_exceptions_enable=False,
)

_state = {"debug": False}


def _print_version(value: bool) -> None:
    if value:
        from corpus.version import DISTRIBUTION, __version__

        typer.echo(f"corpus ({DISTRIBUTION}) {__version__}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def _main(
    debug: bool = typer.Option(False, "--debug", help="Show a traceback on errors."),
    version: bool = typer.Option(False, "--version", callback=_print_version, is_eager=True,
                                 help="Print the version and exit."),
) -> None:
    _state["debug"] = debug


def _register_all() -> None:
    from corpus.cli import (
        annotate_cmd,
        bench_cmd,
        build_cmd,
        ingest_cmd,
        interop_cmd,
        migrate_cmd,
        review_cmd,
        stats_cmd,
        validate_cmd,
    )

    for mod in (
        ingest_cmd, validate_cmd, build_cmd, interop_cmd, annotate_cmd, bench_cmd, review_cmd, stats_cmd,
        migrate_cmd,
    ):
        mod.register(app)


_register_all()
_command: list[Any] = []


def command() -> Any:
    """The click command behind ``app`` (built once, help texts tidied: corpus.cli.helptext)."""
    if not _command:
        _command.append(click_command(app))
    return _command[0]


def main(argv: list[str] | None = None) -> int:
    """Console-script entry point; turns every error into a message and an exit code."""
    args = sys.argv[1:] if argv is None else argv
    debug = "--debug" in args
    try:
        rv = command().main(args=args, prog_name="corpus", standalone_mode=False)
        if rv == EXIT_INTERRUPTED:  # typer turns Ctrl-C into Exit(130), returned when not standalone
            return _interrupted()
        if isinstance(rv, int):  # click returns (not raises) an Exit's code when not standalone
            return rv
    except typer.Exit as exc:
        return exc.exit_code
    except KeyboardInterrupt:
        return _interrupted()
    except SystemExit as exc:  # pragma: no cover - click may still raise it
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    except Exception as exc:
        if debug:
            raise
        # typer >= 0.22 vendors click: its usage errors are not click's classes, so match by shape
        if type(exc).__name__ == "Abort":
            if isinstance(exc.__context__, KeyboardInterrupt):  # click turns Ctrl-C into Abort
                return _interrupted()
            typer.echo("aborted", err=True)
            return EXIT_USAGE
        if callable(getattr(exc, "show", None)) and isinstance(getattr(exc, "exit_code", None), int):
            exc.show()
            return EXIT_USAGE
        if isinstance(exc, ConfigError | OSError):
            typer.echo(f"error: {exc}", err=True)
            return EXIT_USAGE
        if isinstance(exc, CorpusError):
            typer.echo(f"error [{exc.reason}]: {exc}", err=True)
            return EXIT_PROBLEMS
        typer.echo(f"internal error: {type(exc).__name__}: {exc} (rerun with --debug for a traceback)", err=True)
        return EXIT_USAGE
    return EXIT_OK


def _interrupted() -> int:
    """Ctrl-C: say how to go on; a second Ctrl-C while exiting prints no traceback."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    typer.echo(INTERRUPTED, err=True)
    return EXIT_INTERRUPTED


def run() -> None:
    sys.exit(main())
