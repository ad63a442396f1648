"""trafilatura's evaluation set: ``evaldata.json`` + page files in one or more directories.

``evaldata.json`` maps each page's URL to ``{"file", "with"[], "without"[], "comments"[], "author",
"title", "date", "description", "categories"[], "tags"[], "sitename", "license", "region"}`` (not
every key on every entry). The URL key is the document's ``source_id`` (trafilatura's evaluation
scripts iterate the dict by that key); ``with``/``without`` become ``checks.include``/``exclude``
verbatim, which the ``trafilatura_segments`` metric scores against.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from corpus.annotate.projection import apply_labels, merge_labels, snippet_labels, title_labels
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
    str_list,
    unique,
    with_gold_metadata,
)
from corpus.errors import ConfigError, DocumentError
from corpus.model import Checks, Metadata
from corpus.registry import Imported, Reject, importer

NAME = "trafilatura-eval"
CITATION = ("Barbaresi, A. (2021). Trafilatura: A Web Scraping Library and Command-Line Tool for Text "
            "Discovery and Extraction. Proceedings of ACL-IJCNLP 2021: System Demonstrations. "
            "https://github.com/adbar/trafilatura")
LICENSE = "Apache-2.0"
#: Directories searched for page files, next to ``evaldata.json``, when ``-o pages=`` is not given.
DEFAULT_PAGE_DIRS = ("pages", "eval", "cache")


def _snippets(entry: dict, key: str) -> tuple[str, ...]:
    value = entry.get(key)
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(s, str) for s in value):
        raise DocumentError(f"{key!r} is not a list of strings", reason="malformed_entry")
    return tuple(value)


def find_page(dirs: list[Path], file_name: str) -> Path:
    """The first of ``dirs`` holding ``file_name`` (or its ``.gz``); DocumentError when none does."""
    if not file_name or Path(file_name).name != file_name:
        raise DocumentError(f"bad page file name {file_name!r}", reason="malformed_entry")
    for d in dirs:
        for name in (file_name, file_name + ".gz"):
            if (d / name).is_file():
                return d / name
    where = ", ".join(d.name for d in dirs)
    raise DocumentError(f"page file {file_name!r} not found in {where}", reason="missing_page")


def traf_document(url: str, entry: object, dirs: list[Path], license: str | None) -> Imported:
    """One evaldata entry -> document (raises DocumentError with a named reason)."""
    if not isinstance(entry, dict):
        raise DocumentError("entry is not an object", reason="malformed_entry")
    file_name = entry.get("file")
    if not isinstance(file_name, str):
        raise DocumentError("entry has no 'file'", reason="malformed_entry")
    include, exclude = _snippets(entry, "with"), _snippets(entry, "without")
    comments = _snippets(entry, "comments")
    path = find_page(dirs, file_name)
    raw = read_page(path)
    doc = make_document(raw, source_dataset=NAME, file_name=path.name, source_id=url, url=url, license=license)
    meta = Metadata(
        title=clean_str(entry.get("title")),
        authors=split_authors(entry.get("author")),
        date_published=iso_date(entry.get("date")),
        description=clean_str(entry.get("description")),
        categories=str_list(entry.get("categories")),
        tags=str_list(entry.get("tags")),
        site_name=clean_str(entry.get("sitename")),
    )
    doc = doc.replace(checks=Checks(include=include, exclude=exclude))
    doc = with_gold_metadata(doc, meta, by=NAME)
    labels = snippet_labels(doc, include, exclude, comments)
    labels = merge_labels(title_labels(doc, meta.title, labels), labels)
    return Imported(apply_labels(doc, labels, by=NAME), raw)


def page_dirs(base: Path, option: str | None) -> list[Path]:
    """Page directories: ``-o pages=a,b`` (relative to ``evaldata.json``'s directory) or the defaults."""
    if option is not None:
        dirs = [base / d for d in csv_option(option)]
        missing = [str(d) for d in dirs if not d.is_dir()]
        if missing or not dirs:
            raise ConfigError(f"pages: directory not found: {', '.join(missing) or '(none given)'}")
        return dirs
    dirs = [base / d for d in DEFAULT_PAGE_DIRS if (base / d).is_dir()]
    if not dirs:
        raise ConfigError(f"{base}: none of {', '.join(DEFAULT_PAGE_DIRS)} exists; give -o pages=DIR[,DIR]")
    return dirs


@importer(NAME, description="trafilatura evaluation set (evaldata.json + pages/, eval/, cache/)", citation=CITATION)
def import_trafilatura_eval(src: Path, **options: str) -> Iterator[Imported | Reject]:
    """Options: ``pages`` (comma-separated page directories), ``license``."""
    check_options(NAME, options, {"pages", "license"})
    src = Path(src)
    index = src if src.is_file() else src / "evaldata.json"
    data = load_json_index(index, "evaldata.json")
    if not isinstance(data, dict):
        raise ConfigError(f"{index}: expected an object keyed by URL")
    dirs = page_dirs(index.parent, options.get("pages"))
    license = options.get("license", LICENSE)

    def items() -> Iterator[Imported | Reject]:
        for url, entry in data.items():
            yield guarded(f"evaldata.json#{url}", lambda u=url, e=entry: traf_document(u, e, dirs, license))

    yield from unique(items())
