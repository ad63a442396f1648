"""CleanEval (ACL SIGWAC shared task, 2007): ``orig/<name>.html`` + ``clean/<name>.txt``.

The clean file starts with a ``URL: ...`` line; paragraphs follow, each introduced by a ``<p>``
(paragraph), ``<h>`` (heading) or ``<l>`` (list item) marker. The whole clean file is kept verbatim
as ``reference`` (convention ``cleaneval``: a scorer strips the URL line and the markers the way the
CleanEval scorer does; :func:`cleaneval_text` does exactly that). ``source_id`` is the file stem.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from corpus.annotate.projection import apply_labels, reference_labels
from corpus.benchmarks._common import (
    charset_label,
    check_options,
    clean_str,
    guarded,
    make_document,
    read_page,
    read_text_file,
    require_dir,
    unique,
)
from corpus.model import Reference
from corpus.registry import Imported, Reject, importer

NAME = "cleaneval"
CONVENTION = "cleaneval"
_URL_LINE = re.compile(r"\A\s*URL:\s*(\S+)[^\n]*\n?")
_MARKER = re.compile(r"<\s*[phl]\s*>", re.IGNORECASE)
# The original pages are wrapped in <text id=.. title=.. encoding=..>; honour that encoding.
_TEXT_ENCODING = re.compile(rb"<text\b[^>]*\bencoding\s*=\s*[\"']?([\w.:-]+)", re.IGNORECASE)
_PAGE_SUFFIXES = (".html", ".htm", ".html.gz")


def cleaneval_url(gold: str) -> str | None:
    m = _URL_LINE.match(gold)
    return clean_str(m.group(1)) if m else None


def cleaneval_text(gold: str) -> str:
    """The gold main text of a clean file: URL line and ``<p>``/``<h>``/``<l>`` markers removed."""
    body = _URL_LINE.sub("", gold, count=1)
    return "\n".join(line.strip() for line in _MARKER.sub("\n", body).splitlines() if line.strip())


def _orig(orig_dir: Path, stem: str) -> Path:
    for suffix in _PAGE_SUFFIXES:
        if (orig_dir / f"{stem}{suffix}").is_file():
            return orig_dir / f"{stem}{suffix}"
    return orig_dir / f"{stem}.html"


def cleaneval_document(gold_path: Path, orig_dir: Path, license: str | None) -> Imported:
    gold = read_text_file(gold_path)
    path = _orig(orig_dir, gold_path.stem)
    raw = read_page(path)
    m = _TEXT_ENCODING.search(raw[:2048])
    declared = charset_label(m.group(1).decode("ascii")) if m else None
    doc = make_document(raw, source_dataset=NAME, file_name=path.name, source_id=gold_path.stem,
                        url=cleaneval_url(gold), license=license, declared_charset=declared)
    doc = doc.replace(reference=Reference(text=gold, convention=CONVENTION))
    return Imported(apply_labels(doc, reference_labels(doc, {"body": cleaneval_text(gold)}), by=NAME), raw)


@importer(NAME, description="CleanEval shared task (orig/*.html + clean/*.txt)")
def import_cleaneval(src: Path, **options: str) -> Iterator[Imported | Reject]:
    """Options: ``license`` (none is recorded by default: the terms were not published with the data)."""
    check_options(NAME, options, {"license"})
    root = Path(src)
    orig_dir, clean_dir = require_dir(root / "orig", "orig"), require_dir(root / "clean", "clean")
    license = options.get("license")
    golds = sorted(p for p in clean_dir.iterdir() if p.is_file() and p.suffix == ".txt")
    stems = {p.stem for p in golds}

    def items() -> Iterator[Imported | Reject]:
        for g in golds:
            yield guarded(f"clean/{g.name}", lambda g=g: cleaneval_document(g, orig_dir, license))
        for p in sorted(orig_dir.iterdir()):
            stem = p.name.split(".")[0]
            if p.is_file() and stem not in stems:
                yield Reject(f"orig/{p.name}", "missing_gold", f"no clean/{stem}.txt for {p.name}")

    yield from unique(items())
