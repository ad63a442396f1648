"""L3S-GN1 (Kohlschütter et al., "Boilerplate Detection using Shallow Text Features", WSDM 2010).

Layout: ``original/<uuid>.html`` (the page as crawled), ``annotated/<uuid>.html`` (the same page with
the annotators' ``<span class="x-nc-selN">`` wrappers) and ``url-mapping.txt`` (lines
``<urn:uuid:UUID> URL``). Span classes: 0 not content, 1 headline, 2 full text, 3 supplemental,
4 related content, 5 comments. Spans nest: each character takes the class of its innermost span.

The annotated copies hold Latin-1 characters only: every other character is ``?`` there
(``Kosovo’s`` -> ``Kosovo?s``), and the markup differs slightly from the original's, so the labels are carried over
by aligning the characters of the two normalised texts (:mod:`corpus.benchmarks._align`, ``?``
matching any non-Latin-1 character), each original block taking the label most of its aligned
characters carry (status ``projected``). The original pages were re-saved as UTF-8 whatever their
``<meta>`` says, so a page that is valid UTF-8 is decoded as UTF-8. There is no plain-text gold, so
``reference`` stays empty.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from corpus.annotate.projection import apply_labels, element_char_labels
from corpus.benchmarks._align import transfer_labels
from corpus.benchmarks._common import (
    check_options,
    decode_legacy_text,
    guarded,
    make_document,
    read_page,
    require_dir,
    unique,
)
from corpus.errors import DocumentError
from corpus.registry import Imported, Reject, importer
from corpus.text.normalise import parse_html

NAME = "l3s-gn1"
CITATION = ("Kohlschütter, C., Fankhauser, P. and Nejdl, W. (2010). Boilerplate Detection using Shallow Text "
            "Features. Proceedings of WSDM 2010.")
#: Span class -> block label (DESIGN §4). Not-content text has no finer kind: ``other``.
CLASS_LABELS: dict[str, str] = {
    "x-nc-sel0": "other",
    "x-nc-sel1": "title",
    "x-nc-sel2": "body",
    "x-nc-sel3": "caption",
    "x-nc-sel4": "related",
    "x-nc-sel5": "comments",
}
#: Label of text outside every annotated span (boilerplate in the dataset's convention).
UNANNOTATED = "other"
#: Tie-break between labels covering equally many characters of a block: content first.
PRIORITY = ("title", "body", "caption", "comments", "related", "other")
_MAPPING = re.compile(r"^\s*<urn:uuid:([0-9A-Za-z-]+)>\s+(\S+)")


def span_label(el) -> str | None:
    for cls in (el.get("class") or "").split():
        if cls in CLASS_LABELS:
            return CLASS_LABELS[cls]
    return None


def read_url_mapping(path: Path) -> dict[str, str]:
    """``uuid -> URL`` from ``url-mapping.txt`` (empty when the file is absent)."""
    if not path.is_file():
        return {}
    out = {}
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        m = _MAPPING.match(line)
        if m:
            out[m.group(1)] = m.group(2)
    return out


def annotated_char_labels(raw: bytes) -> tuple[str, list[str | None]]:
    """Normalised text of an annotated page and the label of each of its characters."""
    root = parse_html(decode_legacy_text(raw)[0])
    return element_char_labels(root, span_label, default=UNANNOTATED)


def l3s_document(annotated: Path, original_dir: Path, urls: dict[str, str], license: str | None) -> Imported:
    uuid = annotated.stem
    path = original_dir / annotated.name
    raw = read_page(path)
    doc = make_document(raw, source_dataset=NAME, file_name=path.name, source_id=uuid,
                        url=urls.get(uuid), license=license)  # valid UTF-8 wins over <meta> in the decoder
    text, char_labels = annotated_char_labels(read_page(annotated))
    if not text:
        raise DocumentError(f"annotated/{annotated.name} has no content", reason="empty_gold")
    labels = transfer_labels(text, char_labels, doc.text, doc.blocks, priority=PRIORITY)
    return Imported(apply_labels(doc, labels, by=NAME), raw)


@importer(NAME, description="L3S-GN1 (original/ + annotated/ with x-nc-sel spans, url-mapping.txt)", citation=CITATION)
def import_l3s_gn1(src: Path, **options: str) -> Iterator[Imported | Reject]:
    """Options: ``license`` (none is recorded by default)."""
    check_options(NAME, options, {"license"})
    root = Path(src)
    original_dir = require_dir(root / "original", "original")
    annotated_dir = require_dir(root / "annotated", "annotated")
    urls = read_url_mapping(root / "url-mapping.txt")
    license = options.get("license")
    annotated = sorted(p for p in annotated_dir.iterdir() if p.is_file() and p.suffix in (".html", ".htm"))
    names = {p.name for p in annotated}

    def items() -> Iterator[Imported | Reject]:
        for a in annotated:
            yield guarded(f"annotated/{a.name}", lambda a=a: l3s_document(a, original_dir, urls, license))
        for p in sorted(original_dir.iterdir()):
            if p.is_file() and p.name not in names:
                yield Reject(f"original/{p.name}", "missing_gold", f"no annotated/{p.name}")

    yield from unique(items())
