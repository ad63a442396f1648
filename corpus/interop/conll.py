"""CoNLL-2003 token view (export only): ``conll2003.txt``.

Each document starts with ``-DOCSTART- -X- -X- O`` and a blank line; each block with at least one
token is one sentence (tokens of :mod:`corpus.text.tokens`, one per line as ``token -X- _ TAG`` with a
BIO tag over CoNLL-4 labels), followed by a blank line.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from corpus.model import Document
from corpus.registry import exporter
from corpus.text.tokens import token_rows

DOCSTART = "-DOCSTART- -X- -X- O"


def conll_lines(doc: Document) -> list[str]:
    lines = [DOCSTART, ""]
    for row in token_rows(doc):
        lines += [f"{tok} -X- _ {tag}" for tok, tag in zip(row.tokens, row.tags, strict=True)]
        lines.append("")
    return lines


@exporter("conll2003", description="CoNLL-2003 BIO token view (conll2003.txt; export only)")
def export_conll(docs: Iterable[Document], out: Path) -> int:
    n = 0
    with (out / "conll2003.txt").open("w", encoding="utf-8", newline="\n") as fh:
        for doc in docs:
            fh.write("\n".join(conll_lines(doc)) + "\n")
            n += 1
    return n
