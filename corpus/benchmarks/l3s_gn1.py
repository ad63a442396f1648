"""L3S-GN1 (Kohlschütter et al., "Boilerplate Detection using Shallow Text Features", WSDM 2010).

Layout: ``original/<uuid>.html`` (the page as crawled), ``annotated/<uuid>.html`` (the same page with
the annotators' ``<span class="x-nc-selN">`` wrappers) and ``url-mapping.txt`` (lines
``<urn:uuid:UUID> URL``). Span classes: 0 not content, 1 headline, 2 full text, 3 supplemental,
4 related content, 5 comments. They are real block labels: each character takes the class of its
nearest annotated ancestor, each block of the annotated page the class covering most of its
characters, and the labels are carried over to the original page's identical blocks (status
``projected``). There is no plain-text gold, so ``reference`` stays empty.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from corpus.annotate.projection import align_labels, apply_labels, element_labels
from corpus.benchmarks._common import check_options, guarded, make_document, parse_page, read_page, require_dir, unique
from corpus.errors import DocumentError
from corpus.registry import Imported, Reject, importer

NAME = "l3s-gn1"
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


def l3s_document(annotated: Path, original_dir: Path, urls: dict[str, str], license: str | None) -> Imported:
    uuid = annotated.stem
    path = original_dir / annotated.name
    raw = read_page(path)
    doc = make_document(raw, source_dataset=NAME, file_name=path.name, source_id=uuid,
                        url=urls.get(uuid), license=license)
    root, page = parse_page(read_page(annotated), gzipped=False)
    if root is None:
        raise DocumentError(f"annotated/{annotated.name} has no content", reason="empty_gold")
    labels = element_labels(root, span_label, default=UNANNOTATED)
    source_texts = [page.text[b.start : b.end] for b in page.blocks]
    target_texts = [doc.text[b.start : b.end] for b in doc.blocks]
    return Imported(apply_labels(doc, align_labels(target_texts, source_texts, labels), by=NAME), raw)


@importer(NAME, description="L3S-GN1 (original/ + annotated/ with x-nc-sel spans, url-mapping.txt)")
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
