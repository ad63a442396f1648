"""One progress bar for every command: ``tqdm`` on stderr, off when not asked for or not a terminal."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any


def progress_bar(total: int | None, *, desc: str, unit: str, enabled: bool) -> Any:
    """A ``tqdm`` bar of ``total`` ``unit``s on stderr; a no-op bar when ``enabled`` is false.

    The bar stays on screen when it closes, so a run that was interrupted still shows how far it got.
    """
    from tqdm import tqdm

    return tqdm(total=total, unit=unit, desc=desc, disable=not enabled, file=sys.stderr, leave=True,
                dynamic_ncols=True)


def auto(enabled: bool | None) -> bool:
    """``enabled``, or when ``None``: whether stderr is a terminal (the API's default)."""
    if enabled is not None:
        return enabled
    try:
        return sys.stderr.isatty()
    except (AttributeError, ValueError):
        return False


@contextmanager
def progress(total: int | None, *, desc: str, unit: str, enabled: bool | None) -> Iterator[Any]:
    """:func:`progress_bar` as a context: closed on exit, and when the block is interrupted (Ctrl-C) or
    fails the bar says so instead of stopping without a word."""
    bar = progress_bar(total, desc=desc, unit=unit, enabled=auto(enabled))
    try:
        yield bar
    except KeyboardInterrupt:
        bar.set_description_str(f"{desc} (interrupted)", refresh=False)
        raise
    except Exception:
        bar.set_description_str(f"{desc} (failed)", refresh=False)
        raise
    finally:
        bar.close()
