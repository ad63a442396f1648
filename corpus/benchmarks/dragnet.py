"""Dragnet data: ``HTML/<name>.html`` + ``Corrected/<name>.html.corrected.txt``.

The corrected file holds the page's main content as cut-and-pasted text; when the page has user
comments they follow a delimiter line ``!@#$%^&*()  COMMENTS`` (typed by hand, so files carry
variants: one space, a tab, a missing character, CRLF line ends; any line of at least six of those
punctuation characters, spaces or tabs followed by ``COMMENTS`` counts). Corrected files are UTF-8,
windows-1252 or UTF-16 with a byte-order mark (:func:`~corpus.benchmarks._common.decode_legacy_text`).
The whole file is kept verbatim as ``reference`` (convention ``dragnet-corrected``); ``source_id``
is ``<name>``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from corpus.annotate.projection import apply_labels, reference_labels
from corpus.benchmarks._common import (
    check_options,
    guarded,
    make_document,
    read_page,
    read_text_file,
    require_dir,
    unique,
)
from corpus.model import Reference
from corpus.registry import Imported, Reject, importer

NAME = "dragnet"
CITATION = ("Peters, M. E. and Lecocq, D. (2013). Content Extraction Using Diverse Feature Sets. "
            "Proceedings of WWW 2013 (Companion). https://github.com/dragnet-org/dragnet")
CONVENTION = "dragnet-corrected"
GOLD_SUFFIX = ".html.corrected.txt"
#: The delimiter line: a run of ``!@#$%^&*()`` (at least four of them), spaces and tabs, then COMMENTS.
COMMENTS_LINE = re.compile(
    r"^[ \t]*(?=(?:[ \t]*[!@#$%^&*()]){4})[!@#$%^&*() \t]{6,}COMMENTS[ \t\r]*$", re.MULTILINE
)


def split_comments(gold: str) -> tuple[str, str]:
    """``(content, comments)`` of a corrected file (comments empty when there is no delimiter)."""
    m = COMMENTS_LINE.search(gold)
    if not m:
        return gold, ""
    return gold[: m.start()], gold[m.end() :]


def dragnet_document(gold_path: Path, html_dir: Path, license: str | None) -> Imported:
    gold = read_text_file(gold_path)
    name = gold_path.name[: -len(GOLD_SUFFIX)]
    path = html_dir / f"{name}.html"
    raw = read_page(path)
    doc = make_document(raw, source_dataset=NAME, file_name=path.name, source_id=name, url=None, license=license)
    doc = doc.replace(reference=Reference(text=gold, convention=CONVENTION))
    content, comments = split_comments(gold)
    labels = reference_labels(doc, {"body": content, "comments": comments})
    return Imported(apply_labels(doc, labels, by=NAME), raw)


@importer(NAME, description="Dragnet data (HTML/*.html + Corrected/*.html.corrected.txt)", citation=CITATION)
def import_dragnet(src: Path, **options: str) -> Iterator[Imported | Reject]:
    """Options: ``license`` (none is recorded by default)."""
    check_options(NAME, options, {"license"})
    root = Path(src)
    html_dir, gold_dir = require_dir(root / "HTML", "HTML"), require_dir(root / "Corrected", "Corrected")
    license = options.get("license")
    golds = sorted(p for p in gold_dir.iterdir() if p.is_file() and p.name.endswith(GOLD_SUFFIX))
    names = {p.name[: -len(GOLD_SUFFIX)] for p in golds}

    def items() -> Iterator[Imported | Reject]:
        for g in golds:
            yield guarded(f"Corrected/{g.name}", lambda g=g: dragnet_document(g, html_dir, license))
        for p in sorted(html_dir.iterdir()):
            if p.is_file() and p.suffix == ".html" and p.stem not in names:
                yield Reject(f"HTML/{p.name}", "missing_gold", f"no Corrected/{p.name}.corrected.txt")

    yield from unique(items())
