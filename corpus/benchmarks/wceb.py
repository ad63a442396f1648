"""Web Content Extraction Benchmark (WCEB), combined layout.

``ground-truth/<dataset>.jsonl`` holds one record per page, ``{"page_id", "plaintext", "url"?,
"source": [dataset, case]}``; the page is ``html/<dataset>/<page_id>.html`` (also accepted:
``.html.gz`` and the LZ4-compressed ``.html.lz4`` of later releases). ``page_id`` (the key of WCEB's
model outputs) is ``source_id``; ``plaintext`` is kept verbatim as ``reference`` (convention
``wceb-plaintext``); ``source_dataset`` is ``wceb/<dataset>``.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from corpus.annotate.projection import apply_labels, reference_labels
from corpus.benchmarks._common import (
    check_options,
    csv_option,
    guarded,
    iter_jsonl,
    make_document,
    read_page,
    require_dir,
    unique,
)
from corpus.errors import ConfigError, DocumentError, require
from corpus.limits import MAX_DECODED_BYTES
from corpus.model import Reference
from corpus.registry import Imported, Reject, importer

NAME = "wceb"
CITATION = ("Bevendorff, J., Gupta, S., Kiesel, J. and Stein, B. (2023). An Empirical Comparison of Web "
            "Content Extraction Algorithms. Proceedings of SIGIR 2023. "
            "https://github.com/chatnoir-eu/web-content-extraction-benchmark")
CONVENTION = "wceb-plaintext"
_SUFFIXES = (".html", ".html.gz", ".html.lz4")


def lz4_decompress(data: bytes, limit: int = MAX_DECODED_BYTES) -> bytes:
    """Decompress an LZ4 frame without ever holding more than ``limit`` bytes."""
    lz4_frame = require("lz4.frame", "wceb", "reading WCEB .html.lz4 pages")
    d = lz4_frame.LZ4FrameDecompressor()
    try:
        out = d.decompress(data, max_length=limit + 1)
    except RuntimeError as exc:
        raise DocumentError(f"not a valid LZ4 frame: {exc}", reason="bad_lz4") from exc
    if len(out) > limit:
        raise DocumentError(f"decompressed size exceeds MAX_DECODED_BYTES={limit}", reason="decompression_bomb")
    if not d.eof:
        raise DocumentError("LZ4 frame is truncated", reason="truncated_lz4")
    return out


def _page(html_dir: Path, page_id: str) -> Path:
    for suffix in _SUFFIXES:
        p = html_dir / f"{page_id}{suffix}"
        if p.is_file():
            return p
    raise DocumentError(f"no page file for {page_id} in {html_dir.name}/ ({', '.join(_SUFFIXES)})",
                        reason="missing_page")


def wceb_document(dataset: str, record: object, html_root: Path, license: str | None) -> Imported:
    """One ground-truth record -> document (raises DocumentError with a named reason)."""
    if not isinstance(record, dict) or not isinstance(record.get("page_id"), str):
        raise DocumentError("record has no page_id", reason="malformed_entry")
    page_id = record["page_id"]
    if Path(page_id).name != page_id or not page_id:
        raise DocumentError(f"bad page_id {page_id!r}", reason="malformed_entry")
    text = record.get("plaintext")
    if not isinstance(text, str):
        raise DocumentError(f"record {page_id} has no plaintext string", reason="missing_gold")
    path = _page(html_root / dataset, page_id)
    raw = read_page(path)
    name = path.name
    # WCEB wrote every page as UTF-8 text (whatever its <meta> says). LZ4 pages are stored
    # decompressed: the normaliser re-reads plain or gzip pages only.
    if name.endswith(".lz4"):
        raw, name = lz4_decompress(raw), name[: -len(".lz4")]
    source_dataset = f"{NAME}/{dataset}"
    doc = make_document(raw, source_dataset=source_dataset, file_name=name, source_id=page_id,
                        url=record.get("url"), license=license,
                        declared_charset="utf-8")
    doc = doc.replace(reference=Reference(text=text, convention=CONVENTION))
    return Imported(apply_labels(doc, reference_labels(doc, {"body": text}), by=source_dataset), raw)


@importer(
    NAME,
    description="Web Content Extraction Benchmark, combined layout (ground-truth/*.jsonl + html/)",
    citation=CITATION,
)
def import_wceb(src: Path, **options: str) -> Iterator[Imported | Reject]:
    """Options: ``datasets`` (comma-separated subset, e.g. ``cleaneval,dragnet``), ``license``."""
    check_options(NAME, options, {"datasets", "license"})
    root = Path(src)
    truth_dir = require_dir(root / "ground-truth", "ground-truth")
    html_root = root / "html"
    available = sorted(p.stem for p in truth_dir.glob("*.jsonl"))
    wanted = csv_option(options["datasets"]) if "datasets" in options else available
    unknown = sorted(set(wanted) - set(available))
    if unknown or not wanted:
        raise ConfigError(f"datasets not in {truth_dir}: {', '.join(unknown) or '(none)'}; "
                          f"available: {', '.join(available) or '(none)'}")
    license = options.get("license")

    def items() -> Iterator[Imported | Reject]:
        for ds in wanted:
            for lineno, record in iter_jsonl(truth_dir / f"{ds}.jsonl"):
                if isinstance(record, Reject):
                    yield Reject(f"ground-truth/{record.location}", record.reason, record.message)
                    continue
                yield guarded(f"ground-truth/{ds}.jsonl:{lineno}",
                              lambda d=ds, r=record: wceb_document(d, r, html_root, license))

    yield from unique(items())
