"""Mozilla Readability's test pages: ``<case>/source.html``, ``expected.html``, ``expected-metadata.json``.

``expected.html`` is the article Readability should produce (HTML, not plain text), so the gold has
no verbatim plain form: ``reference`` holds the text this package's normaliser gives for
``expected.html`` (convention ``readability-expected-text``, blocks joined by newlines). Metadata
(``title``, ``byline``, ``excerpt``, ``siteName``, ``publishedTime``, ``lang``) is gold.
``source_id`` is the case directory name. The pages were saved for ``http://fakehost/...``, so no
URL is recorded.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from corpus.annotate.projection import apply_labels, merge_labels, reference_labels, title_labels
from corpus.benchmarks._common import (
    check_options,
    clean_str,
    guarded,
    iso_date,
    language_tag,
    make_document,
    read_page,
    split_authors,
    unique,
    with_gold_metadata,
)
from corpus.errors import ConfigError, DocumentError
from corpus.limits import MAX_IMPORT_INDEX_BYTES
from corpus.model import Metadata, Reference
from corpus.registry import Imported, Reject, importer
from corpus.text.normalise import normalise_raw

NAME = "readability"
CITATION = "Mozilla Readability, test pages (test/test-pages). https://github.com/mozilla/readability"
LICENSE = "Apache-2.0"
CONVENTION = "readability-expected-text"


def _metadata(path: Path) -> Metadata:
    if not path.is_file():
        return Metadata()
    if path.stat().st_size > MAX_IMPORT_INDEX_BYTES:
        raise DocumentError(f"{path.name} is too large", reason="malformed_entry")
    try:
        data = json.loads(path.read_bytes().decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DocumentError(f"{path.name}: not valid JSON: {exc}", reason="bad_metadata") from exc
    if not isinstance(data, dict):
        raise DocumentError(f"{path.name}: not a JSON object", reason="bad_metadata")
    return Metadata(
        title=clean_str(data.get("title")),
        authors=split_authors(data.get("byline")),
        description=clean_str(data.get("excerpt")),
        site_name=clean_str(data.get("siteName")),
        date_published=iso_date(data.get("publishedTime")),
        language=language_tag(data.get("lang")),
    )


def readability_document(case: Path, license: str | None) -> Imported:
    raw = read_page(case / "source.html")
    expected_path = case / "expected.html"
    if not expected_path.is_file():
        raise DocumentError(f"{case.name}/expected.html not found", reason="missing_gold")
    expected = normalise_raw(read_page(expected_path), "html").text
    doc = make_document(raw, source_dataset=NAME, file_name=f"{case.name}.html", source_id=case.name,
                        url=None, license=license)
    doc = doc.replace(reference=Reference(text=expected, convention=CONVENTION))
    meta = _metadata(case / "expected-metadata.json")
    doc = with_gold_metadata(doc, meta, by=NAME)
    labels = reference_labels(doc, {"body": expected})
    labels = merge_labels(title_labels(doc, meta.title, labels), labels)
    return Imported(apply_labels(doc, labels, by=NAME), raw)


@importer(
    NAME,
    description="Mozilla Readability test pages (<case>/source.html, expected.html, metadata)",
    citation=CITATION,
)
def import_readability(src: Path, **options: str) -> Iterator[Imported | Reject]:
    """``SRC`` is the ``test-pages`` directory. Options: ``license``."""
    check_options(NAME, options, {"license"})
    root = Path(src)
    if not root.is_dir():
        raise ConfigError(f"{root}: not a directory of test cases")
    license = options.get("license", LICENSE)
    cases = sorted(p for p in root.iterdir() if p.is_dir())

    def items() -> Iterator[Imported | Reject]:
        for case in cases:
            yield guarded(f"{case.name}/", lambda c=case: readability_document(c, license))

    yield from unique(items())
