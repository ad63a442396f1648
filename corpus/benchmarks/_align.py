"""Carry per-character labels from an annotated copy of a page onto the original page's blocks.

The copy's text differs from the original's in known ways: characters the copy could not encode are
``?`` (L3S-GN1's annotated pages hold Latin-1 only), and the annotation markup may shift a few
characters or words. The texts are aligned by :func:`corpus.text.align.align_chars`, a copy ``?``
matching any non-Latin-1 character of the original. Each original block takes the label covering
most of its aligned characters; a block with no aligned character is undecided (``None``).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

from corpus.model import Block
from corpus.text.align import align_chars

Labels = list[str | None]
#: What the annotated copies wrote for a character outside Latin-1.
WILDCARD = "?"
_NON_LATIN1 = re.compile(r"[^\x00-\xff]")


def wildcard_form(text: str) -> str:
    """``text`` with every non-Latin-1 character replaced by ``?`` (same length, same offsets)."""
    return _NON_LATIN1.sub(WILDCARD, text)


def transfer_labels(source_text: str, source_labels: Sequence[str | None], target_text: str,
                    target_blocks: Sequence[Block], *, priority: Sequence[str | None] = ()) -> Labels:
    """One label per target block: the label most of its aligned characters carry (None: none aligned).

    ``source_labels`` has one entry per character of ``source_text`` (``None`` for spaces); ties go
    to the label listed first in ``priority``.
    """
    mapping = align_chars(source_text, wildcard_form(target_text))
    rank = {lab: i for i, lab in enumerate(priority)}
    out: Labels = []
    for b in target_blocks:
        counts = Counter(source_labels[j] for j in mapping[b.start : b.end] if j >= 0 and source_labels[j] is not None)
        if not counts:
            out.append(None)
            continue
        out.append(max(counts.items(), key=lambda kv: (kv[1], -rank.get(kv[0], len(rank))))[0])
    return out
