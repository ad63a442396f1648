"""Character alignment of two versions of a text (word-level difflib, then characters inside short gaps).

Used to carry labels from one text onto another: an annotated copy of a page onto the original
(:mod:`corpus.benchmarks._align`) and a document's old text onto its re-normalised text
(:mod:`corpus.migration`). Words are aligned first (difflib on the word sequences; exactly up to
:data:`~corpus.limits.MAX_ALIGN_WORD_PAIRS` pairs of equal words, with difflib's popular-word
heuristic beyond), then each unmatched stretch of at most :data:`~corpus.limits.MAX_ALIGN_GAP_CHARS`
characters character by character.
"""

from __future__ import annotations

import re
from collections import Counter
from difflib import SequenceMatcher

from corpus.limits import MAX_ALIGN_GAP_CHARS, MAX_ALIGN_WORD_PAIRS

_WORD = re.compile(r"\S+")


def align_chars(source: str, target: str, *, max_gap: int = MAX_ALIGN_GAP_CHARS) -> list[int]:
    """For each character of ``target``, the index of the ``source`` character it matches, or -1."""
    out = [-1] * len(target)
    src_words = [(m.start(), m.end()) for m in _WORD.finditer(source)]
    dst_words = [(m.start(), m.end()) for m in _WORD.finditer(target)]
    a = [source[i:j] for i, j in src_words]
    b = [target[i:j] for i, j in dst_words]
    # The common head and tail are matched directly: identical pages cost nothing.
    head = 0
    while head < min(len(a), len(b)) and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < min(len(a), len(b)) - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    ops: list[tuple[str, int, int, int, int]] = [("equal", 0, head, 0, head)]
    mid_a, mid_b = a[head : len(a) - tail], b[head : len(b) - tail]
    counts = Counter(mid_b)
    pairs = sum(counts[w] for w in mid_a)
    sm = SequenceMatcher(None, mid_a, mid_b, autojunk=pairs > MAX_ALIGN_WORD_PAIRS)
    ops += [(op, i1 + head, i2 + head, j1 + head, j2 + head) for op, i1, i2, j1, j2 in sm.get_opcodes()]
    ops.append(("equal", len(a) - tail, len(a), len(b) - tail, len(b)))
    for op, i1, i2, j1, j2 in ops:
        if op == "equal":
            for (sa, sb), (ta, _) in zip(src_words[i1:i2], dst_words[j1:j2], strict=True):
                for k in range(sb - sa):
                    out[ta + k] = sa + k
        elif op == "replace":
            s0, s1 = src_words[i1][0], src_words[i2 - 1][1]
            t0, t1 = dst_words[j1][0], dst_words[j2 - 1][1]
            if s1 - s0 <= max_gap and t1 - t0 <= max_gap:
                cm = SequenceMatcher(None, source[s0:s1], target[t0:t1], autojunk=False)
                for x, y, n in cm.get_matching_blocks():
                    for k in range(n):
                        if not target[t0 + y + k].isspace():
                            out[t0 + y + k] = s0 + x + k
    return out
