"""Scrapinghub article-extraction-benchmark (AEB): ``ground-truth.json`` + ``html/<id>.html.gz``.

``ground-truth.json`` maps each page id to ``{"articleBody": ..., "url": ...}``. The id is the
document's ``source_id`` (the key of the benchmark's ``output/*.json`` files) and ``articleBody`` is
kept verbatim as ``reference`` (convention ``aeb-articleBody``), which the ``aeb_shingle4`` metric
scores against.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from corpus.annotate.projection import apply_labels, merge_labels, reference_labels, title_labels
from corpus.benchmarks._common import check_options, guarded, load_json_index, make_document, read_page, unique
from corpus.errors import ConfigError, DocumentError
from corpus.model import Reference
from corpus.registry import Imported, Reject, importer

NAME = "scrapinghub-aeb"
CITATION = ("Zyte (formerly Scrapinghub) (2020). Article Extraction Benchmark. "
            "https://github.com/scrapinghub/article-extraction-benchmark")
LICENSE = "MIT"
CONVENTION = "aeb-articleBody"


def _root(src: Path) -> Path:
    return src.parent if src.is_file() else src


def _page_path(html_dir: Path, page_id: str) -> Path:
    for name in (f"{page_id}.html.gz", f"{page_id}.html"):
        if (html_dir / name).is_file():
            return html_dir / name
    return html_dir / f"{page_id}.html.gz"


def aeb_document(page_id: str, entry: object, html_dir: Path, license: str | None) -> Imported:
    """One AEB entry -> document (raises DocumentError with a named reason)."""
    if not isinstance(entry, dict):
        raise DocumentError(f"entry {page_id!r} is not an object", reason="malformed_entry")
    body = entry.get("articleBody")
    if not isinstance(body, str):
        raise DocumentError(f"entry {page_id!r} has no articleBody string", reason="missing_gold")
    path = _page_path(html_dir, page_id)
    raw = read_page(path)
    doc = make_document(raw, source_dataset=NAME, file_name=path.name, source_id=page_id,
                        url=entry.get("url"), license=license)
    doc = doc.replace(reference=Reference(text=body, convention=CONVENTION))
    labels = reference_labels(doc, {"body": body})
    headline = entry.get("headline") if isinstance(entry.get("headline"), str) else None
    doc = apply_labels(doc, merge_labels(title_labels(doc, headline, labels), labels), by=NAME)
    return Imported(doc, raw)


@importer(
    NAME,
    description="Scrapinghub article-extraction-benchmark (ground-truth.json + html/*.html.gz)",
    citation=CITATION,
)
def import_aeb(src: Path, **options: str) -> Iterator[Imported | Reject]:
    """Options: ``license`` (override the recorded dataset licence)."""
    check_options(NAME, options, {"license"})
    root = _root(Path(src))
    truth = load_json_index(root / "ground-truth.json", "ground-truth.json")
    if not isinstance(truth, dict):
        raise ConfigError(f"{root / 'ground-truth.json'}: expected an object keyed by page id")
    license = options.get("license", LICENSE)
    html_dir = root / "html"

    def items() -> Iterator[Imported | Reject]:
        for page_id in sorted(truth):
            yield guarded(f"ground-truth.json#{page_id}",
                          lambda pid=page_id: aeb_document(pid, truth[pid], html_dir, license))
        if html_dir.is_dir():
            for p in sorted(html_dir.iterdir()):
                pid = p.name.split(".")[0]
                if p.is_file() and pid not in truth:
                    yield Reject(f"html/{p.name}", "missing_gold", f"{p.name} has no entry in ground-truth.json")

    yield from unique(items())
