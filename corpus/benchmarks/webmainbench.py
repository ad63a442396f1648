"""WebMainBench (OpenDataLab; Liu et al., "Dripper", 2025): one JSONL record per page.

Record: ``track_id``, ``url``, ``html`` (full page; the human-selected main-content elements carry
``cc-select="true"``), ``main_html``, ``convert_main_content`` (markdown of ``main_html``),
``groundtruth_content`` (hand-calibrated markdown, only on the 545-page subset) and ``meta``
(``language``, ``style``, ``level``, ``table``, ``code``, ``equation``). ``track_id`` is
``source_id``; ``html`` is stored as the raw page (UTF-8). ``reference`` is ``groundtruth_content``
verbatim (convention ``webmainbench-groundtruth``); when it is absent or blank,
``convert_main_content`` (convention ``webmainbench-convert``). Blocks inside ``cc-select``
elements are ``body`` (an ``h1`` block: ``title``), all other blocks ``other`` (status ``projected``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from corpus.annotate.projection import apply_labels, element_labels
from corpus.benchmarks._common import (
    check_options,
    clean_str,
    guarded,
    iter_jsonl,
    language_tag,
    make_document,
    parse_page,
    safe_name,
    unique,
    with_gold_metadata,
)
from corpus.errors import ConfigError, DocumentError
from corpus.model import Metadata, Reference
from corpus.registry import Imported, Reject, importer

NAME = "webmainbench"
CITATION = "OpenDataLab. WebMainBench. https://github.com/opendatalab/WebMainBench"
SELECT_ATTR = "cc-select"
_SURROGATE = re.compile("[\ud800-\udfff]")


def _selected(el) -> str | None:
    return "body" if (el.get(SELECT_ATTR) or "").strip().lower() == "true" else None


def webmainbench_document(record: object, license: str | None) -> Imported:
    if not isinstance(record, dict):
        raise DocumentError("record is not an object", reason="malformed_entry")
    track_id = clean_str(record.get("track_id"))
    html = record.get("html")
    if track_id is None:
        raise DocumentError("record has no track_id", reason="malformed_entry")
    if not isinstance(html, str) or not html.strip():
        raise DocumentError(f"record {track_id} has no html", reason="missing_page")
    # JSON may carry lone surrogates, which UTF-8 cannot encode: they become U+FFFD.
    raw = _SURROGATE.sub("\ufffd", html).encode("utf-8")
    root, page = parse_page(raw, gzipped=False, declared_charset="utf-8")
    doc = make_document(raw, source_dataset=NAME, file_name=f"{safe_name(track_id)}.html", source_id=track_id,
                        url=record.get("url"), license=license, declared_charset="utf-8", page=page)
    for key, convention in (("groundtruth_content", "webmainbench-groundtruth"),
                            ("convert_main_content", "webmainbench-convert")):
        value = record.get(key)
        if isinstance(value, str) and value.strip():  # outside the 545-page subset the field is ""
            doc = doc.replace(reference=Reference(text=value, convention=convention))
            break
    meta = record.get("meta") if isinstance(record.get("meta"), dict) else {}
    doc = with_gold_metadata(doc, Metadata(language=language_tag(meta.get("language"))), by=NAME)
    labels = element_labels(root, _selected, default="other")
    labels = ["title" if lab == "body" and b.tag == "h1" else lab for lab, b in zip(labels, doc.blocks, strict=True)]
    return Imported(apply_labels(doc, labels, by=NAME), raw)


@importer(
    NAME,
    description="WebMainBench JSONL (html with cc-select marks, groundtruth_content, meta)",
    citation=CITATION,
)
def import_webmainbench(src: Path, **options: str) -> Iterator[Imported | Reject]:
    """``SRC`` is a JSONL file or a directory of them. Options: ``license``."""
    check_options(NAME, options, {"license"})
    src = Path(src)
    files = [src] if src.is_file() else sorted(src.glob("*.jsonl"))
    if not files:
        raise ConfigError(f"{src}: no .jsonl file")
    license = options.get("license")

    def items() -> Iterator[Imported | Reject]:
        for f in files:
            for lineno, record in iter_jsonl(f):
                if isinstance(record, Reject):
                    yield record
                    continue
                yield guarded(f"{f.name}:{lineno}", lambda r=record: webmainbench_document(r, license))

    yield from unique(items())
