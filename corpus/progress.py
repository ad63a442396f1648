"""One progress bar for every command: ``tqdm`` on stderr, off when not asked for or not a terminal."""

from __future__ import annotations

import sys
from typing import Any


def progress_bar(total: int | None, *, desc: str, unit: str, enabled: bool) -> Any:
    """A ``tqdm`` bar of ``total`` ``unit``s on stderr; a no-op bar when ``enabled`` is false.

    The bar stays on screen when it closes, so a run that was interrupted still shows how far it got.
    """
    from tqdm import tqdm

    return tqdm(total=total, unit=unit, desc=desc, disable=not enabled, file=sys.stderr, leave=True,
                dynamic_ncols=True)
