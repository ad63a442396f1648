"""Help texts a user can read: value names instead of Python type placeholders.

Recent Typer releases print each parameter's Python type in ``--help`` (``<list[Path]>``, ``<bool>``,
``<int>``); older ones print click's names (``PATH``, ``INTEGER``). :func:`tidy` gives every parameter
of the command tree a plain value name once, so the help reads the same under every supported
Typer: flags show no value, options show ``PATH`` / ``N`` / ``NUMBER`` / ``TEXT`` (or their own
metavar), arguments show their name in capitals.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, get_args, get_origin

import typer

_CLICK_NAMES = {"path": "PATH", "integer": "N", "float": "NUMBER"}


def _value_name(param: Any) -> str:
    descriptor = getattr(param, "type_descriptor", None)
    if descriptor is not None:  # Typer's own parameter types
        annotation = descriptor.annotation
        if get_origin(annotation) in (list, tuple) and get_args(annotation):
            annotation = get_args(annotation)[0]
        for kind, name in ((Path, "PATH"), (bool, "TEXT"), (int, "N"), (float, "NUMBER")):
            if isinstance(annotation, type) and issubclass(annotation, kind):
                return name
        return "TEXT"
    return _CLICK_NAMES.get(str(getattr(param.type, "name", "")).lower(), "TEXT")


def _is_flag(param: Any) -> bool:
    return bool(getattr(param, "is_flag", False) or getattr(param, "count", False))


def tidy_param(param: Any) -> None:
    """Give ``param`` a plain value name (idempotent)."""
    if getattr(param, "_corpus_tidy", False):
        return
    is_argument = not any(opt.startswith("-") for opt in getattr(param, "opts", ()) or ())
    if is_argument:
        if param.metavar is None:
            param.metavar = (param.name or "value").upper()
        shown: str | None = None  # the name column already shows the argument's metavar
    elif _is_flag(param):
        param.metavar = ""
        shown = None
    else:
        if param.metavar is None:
            param.metavar = _value_name(param)
        shown = param.metavar
    if hasattr(param, "display_type_rich"):  # Typer >= 0.2x prints this column
        param.display_type_rich = lambda ctx, _shown=shown: _shown
    param._corpus_tidy = True


def tidy(command: Any) -> Any:
    """Tidy every parameter of ``command`` and its subcommands, including the lazily built ``--help``."""
    original = command.get_params

    def get_params(ctx: Any) -> list[Any]:
        params = original(ctx)
        for p in params:
            tidy_param(p)
        return params

    command.get_params = get_params
    for p in command.params:
        tidy_param(p)
    for sub in (getattr(command, "commands", None) or {}).values():
        tidy(sub)
    return command


def click_command(app: typer.Typer) -> Any:
    """The click command of ``app`` with tidy help texts."""
    return tidy(typer.main.get_command(app))
