"""WCXB, the Web Content eXtraction Benchmark: ``<split>/html/*.html.gz`` + ``<split>/ground-truth/*.json``.

Each ``<split>/ground-truth/<file_id>.json`` holds ``url``, ``file_id``, ``_internal.page_type.primary``
and ``ground_truth.{title, author, publish_date, main_content, with[], without[]}``; the page is
``<split>/html/<file_id>.html.gz``; ``metadata.json`` (next to the split folders) gives page type and
split per file id. ``file_id`` (the key of WCXB's predictions files) is ``source_id``;
``main_content`` is kept verbatim as ``reference`` (convention ``wcxb-main_content``), which the
``wcxb_word_f1`` metric scores against; ``with``/``without`` become ``checks``; the split folder's
name is ``source.split`` and the page type ``source.page_type``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from corpus.annotate.projection import apply_labels, merge_labels, reference_labels, title_labels
from corpus.benchmarks._common import (
    check_options,
    clean_str,
    csv_option,
    guarded,
    iso_date,
    load_json_index,
    make_document,
    read_page,
    split_authors,
    unique,
    with_gold_metadata,
)
from corpus.errors import ConfigError, DocumentError
from corpus.model import Checks, Metadata, Reference
from corpus.registry import Imported, Reject, importer

NAME = "wcxb"
LICENSE = "CC-BY-4.0"
CITATION = ("Foley, M. (2026). WCXB: A Multi-Type Web Content Extraction Benchmark. "
            "https://github.com/Murrough-Foley/web-content-extraction-benchmark")
CONVENTION = "wcxb-main_content"
#: The split folders of the published layout, in import order.
SPLITS: tuple[str, ...] = ("dev", "test")
#: WCXB's evaluator reports ``category`` pages as ``collection``.
PAGE_TYPE_ALIASES: Mapping[str, str] = {"category": "collection"}
_PAGE_SUFFIXES = (".html.gz", ".html")


def page_type_of(record: Mapping[str, Any], meta_entry: object) -> str | None:
    """``_internal.page_type.primary`` (or a plain string there), else metadata.json's ``page_type``."""
    internal = record.get("_internal")
    pt: Any = internal.get("page_type") if isinstance(internal, dict) else None
    if isinstance(pt, dict):
        pt = pt.get("primary")
    if not clean_str(pt) and isinstance(meta_entry, dict):
        pt = meta_entry.get("page_type")
    name = clean_str(pt)
    return PAGE_TYPE_ALIASES.get(name.lower(), name.lower()) if name else None


def _snippets(gt: Mapping[str, Any], key: str) -> tuple[str, ...]:
    value = gt.get(key)
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(s, str) for s in value):
        raise DocumentError(f"ground_truth.{key} is not a list of strings", reason="malformed_entry")
    return tuple(value)


def _page(html_dir: Path, file_id: str) -> Path:
    for suffix in _PAGE_SUFFIXES:
        p = html_dir / f"{file_id}{suffix}"
        if p.is_file():
            return p
    raise DocumentError(f"no page file for {file_id} in {html_dir.parent.name}/html/", reason="missing_page")


def load_truth(path: Path) -> dict[str, Any]:
    """One ground-truth file; a problem with it is per-document (the import goes on)."""
    try:
        record = load_json_index(path, "ground-truth file")
    except ConfigError as exc:
        raise DocumentError(str(exc), reason="malformed_entry") from exc
    if not isinstance(record, dict) or not isinstance(record.get("ground_truth"), dict):
        raise DocumentError(f"{path.name}: no ground_truth object", reason="missing_gold")
    return record


def wcxb_document(split: str, truth_path: Path, html_dir: Path, meta_entry: object, license: str | None) -> Imported:
    """One ground-truth file -> document (raises DocumentError with a named reason)."""
    record = load_truth(truth_path)
    file_id = truth_path.stem  # WCXB's evaluator keys pages on the file name
    gt = record["ground_truth"]
    main = gt.get("main_content")
    if main is not None and not isinstance(main, str):
        raise DocumentError(f"{file_id}: ground_truth.main_content is not a string", reason="malformed_entry")
    include, exclude = _snippets(gt, "with"), _snippets(gt, "without")
    path = _page(html_dir, file_id)
    raw = read_page(path)
    # WCXB's pages are UTF-8 text (its evaluator reads them as such), whatever a <meta> says
    doc = make_document(raw, source_dataset=NAME, file_name=f"{split}-{path.name}", source_id=file_id,
                        url=record.get("url") or gt.get("url"), license=license, gzipped=path.name.endswith(".gz"),
                        declared_charset="utf-8")
    # WCXB's evaluator scores an absent main_content as an empty reference: so does wcxb_word_f1
    text = main or ""
    source = replace(doc.source, split=split, page_type=page_type_of(record, meta_entry))
    doc = doc.replace(source=source, reference=Reference(text=text, convention=CONVENTION),
                      checks=Checks(include=include, exclude=exclude))
    meta = Metadata(title=clean_str(gt.get("title")), authors=split_authors(gt.get("author")),
                    date_published=iso_date(gt.get("publish_date")))
    doc = with_gold_metadata(doc, meta, by=NAME)
    labels = reference_labels(doc, {"body": text})
    labels = merge_labels(title_labels(doc, meta.title, labels), labels)
    return Imported(apply_labels(doc, labels, by=NAME), raw)


def split_dirs(root: Path, wanted: list[str] | None) -> tuple[list[tuple[str, Path]], Path | None]:
    """``([(split, folder)], metadata.json or None)`` for ``root`` holding split folders or being one."""
    if (root / "ground-truth").is_dir():  # a split folder itself
        meta = root.parent / "metadata.json"
        found = [(root.name, root)]
    else:
        meta = root / "metadata.json"
        found = [(s, root / s) for s in SPLITS if (root / s / "ground-truth").is_dir()]
    if wanted is not None:
        unknown = sorted(set(wanted) - {s for s, _ in found})
        if unknown or not wanted:
            raise ConfigError(f"{root}: split(s) not found: {', '.join(unknown) or '(none given)'}; "
                              f"available: {', '.join(s for s, _ in found) or '(none)'}")
        found = [(s, d) for s, d in found if s in wanted]
    if not found:
        raise ConfigError(f"{root}: no {'/ or '.join(SPLITS)}/ folder with ground-truth/ (the WCXB layout)")
    return found, meta if meta.is_file() else None


def _metadata_files(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    data = load_json_index(path, "metadata.json")
    files = data.get("files") if isinstance(data, dict) else None
    if not isinstance(files, dict):
        raise ConfigError(f"{path}: expected an object with a 'files' object keyed by file id")
    return files


@importer(
    NAME,
    description="WCXB (<split>/html/*.html.gz + <split>/ground-truth/*.json, metadata.json)",
    citation=CITATION,
)
def import_wcxb(src: Path, **options: str) -> Iterator[Imported | Reject]:
    """Options: ``splits`` (comma-separated subset of ``dev,test``), ``license``."""
    check_options(NAME, options, {"splits", "license"})
    root = Path(src)
    if not root.is_dir():
        raise ConfigError(f"{root}: WCXB directory not found")
    found, meta_path = split_dirs(root, csv_option(options["splits"]) if "splits" in options else None)
    files = _metadata_files(meta_path)
    license = options.get("license", LICENSE)

    def items() -> Iterator[Imported | Reject]:
        for split, folder in found:
            truth_dir, html_dir = folder / "ground-truth", folder / "html"
            ids = set()
            for p in sorted(truth_dir.glob("*.json")):
                ids.add(p.stem)
                yield guarded(f"{split}/ground-truth/{p.name}",
                              lambda s=split, t=p, h=html_dir: wcxb_document(s, t, h, files.get(t.stem), license))
            if html_dir.is_dir():
                for p in sorted(html_dir.iterdir()):
                    fid = p.name.split(".")[0]
                    if p.is_file() and fid not in ids:
                        yield Reject(f"{split}/html/{p.name}", "missing_gold",
                                     f"{p.name} has no {split}/ground-truth/{fid}.json")

    yield from unique(items())
