"""The bundled corpus in data/ keeps the promises made for it and follows the annotation guidelines."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest
from conftest import DATA, ROOT

from corpus.dataset.splits import SPLITS, assign_split
from corpus.documents import load_documents
from corpus.labels import BLOCK_LABELS, CONTENT_LABELS
from corpus.model import Document
from corpus.validation import validate_paths

GUIDELINES = ROOT / "docs" / "annotation-guidelines.md"
SEED_RAW = "raw/000_31caa0d164b498d3.txt"
#: Blocks whose entities are annotated (guidelines §5.1).
ENTITY_SCOPE = frozenset({"title", "byline", "body", "caption"})


@pytest.fixture(scope="module")
def docs() -> list[Document]:
    return list(load_documents(DATA / "documents"))


@pytest.fixture(scope="module")
def seed(docs: list[Document]) -> Document:
    (doc,) = [d for d in docs if d.source.raw_path == SEED_RAW]
    return doc


def _guidelines_version() -> str:
    m = re.search(r"\*\*Version (\d+\.\d+)\*\*", GUIDELINES.read_text(encoding="utf-8"))
    assert m, "docs/annotation-guidelines.md must state its version as **Version X.Y**"
    return m.group(1)


def _non_latin_share(text: str) -> float:
    """Share of the letters in ``text`` that are not Latin (by their Unicode names)."""
    letters = [ch for ch in text if ch.isalpha()]
    other = sum(not unicodedata.name(ch, "").startswith("LATIN") for ch in letters)
    return other / len(letters) if letters else 0.0


def test_bundled_corpus_validates_without_errors_or_warnings() -> None:
    report = validate_paths([DATA / "documents"])
    assert report.documents >= 11
    assert report.problems == [], [p.as_dict() for p in report.problems]


def test_corpus_size_languages_sites_and_scripts(docs: list[Document]) -> None:
    assert len(docs) >= 11
    languages = {d.metadata.language for d in docs}
    assert len(languages) >= 3, languages
    native_html = [d for d in docs if d.source.raw_format == "html"]
    assert len(native_html) >= 10
    assert len({d.source.domain for d in native_html}) >= 5
    assert any(_non_latin_share(d.body) > 0.9 for d in docs), "one document in a non-Latin script"
    assert _non_latin_share("NATO chief: No plans") == 0.0 < _non_latin_share("Мост через Талую")


def test_bundled_sites_fill_every_split(docs: list[Document]) -> None:
    """Two sites were named so that they hash into validation and test (data/README.md)."""
    splits = {assign_split(d) for d in docs}
    assert splits == set(SPLITS), splits


def test_raw_pages_cover_the_promised_encodings_and_formats(docs: list[Document]) -> None:
    raw_paths = {d.source.raw_path for d in docs}
    on_disk = {f"raw/{p.name}" for p in (DATA / "raw").iterdir()}
    assert raw_paths == on_disk, "every raw page has exactly one document and vice versa"
    assert any(p.endswith(".html.gz") for p in raw_paths)
    assert any(d.source.encoding not in (None, "utf-8") for d in docs), "one page in a legacy charset"
    html = [(DATA / d.source.raw_path) for d in docs if d.source.raw_path.endswith(".html")]
    assert any(b'"NewsArticle"' in p.read_bytes() and b'property="og:' in p.read_bytes() for p in html)
    for p in html:
        assert 3 * 1024 <= p.stat().st_size <= 8 * 1024, p


def test_every_layer_is_gold_under_the_current_guidelines(docs: list[Document]) -> None:
    version = _guidelines_version()
    for d in docs:
        ann = d.annotation
        assert (ann.blocks.status, ann.entities.status, ann.metadata.status) == ("gold",) * 3, d.id
        assert ann.entity_label_set == "conll4"
        assert ann.guidelines_version == version, d.id
        assert all(b.label is not None for b in d.blocks), d.id


def test_metadata_is_filled_and_title_is_a_title_block(docs: list[Document]) -> None:
    for d in docs:
        m = d.metadata
        for name in ("title", "publisher", "site_name", "section", "language"):
            assert getattr(m, name), (d.id, name)
        assert re.fullmatch(r"[a-z]{2,3}", m.language), "primary language subtag only (§6.1)"
        titles = [d.block_text(b) for b in d.blocks if b.label == "title"]
        assert m.title in titles, d.id
        if d.source.raw_format == "html":
            assert m.authors and m.date_published and m.description, d.id
            assert d.source.license == "CC-BY-4.0" and d.source.url and d.source.crawl_date, d.id
            assert d.source.domain and d.source.domain.endswith(".example"), d.id


def test_pages_carry_real_boilerplate(docs: list[Document]) -> None:
    seen: set[str] = set()
    for d in docs:
        labels = {b.label for b in d.blocks}
        seen |= labels
        assert {"title", "body"} <= labels, d.id
        assert len(labels - CONTENT_LABELS) >= 4, (d.id, labels)
    assert seen == set(BLOCK_LABELS), set(BLOCK_LABELS) - seen
    assert sum("comments" in {b.label for b in d.blocks} for d in docs) >= 3


def test_entities_only_in_article_blocks(docs: list[Document]) -> None:
    for d in docs:
        for e in d.entities:
            (block,) = [b for b in d.blocks if b.start <= e.start and e.end <= b.end]
            assert block.label in ENTITY_SCOPE, (d.id, e)


def test_every_repeat_of_an_annotated_name_is_annotated(docs: list[Document]) -> None:
    """A surface annotated once is annotated at every whole-word occurrence in scope (§5.1)."""
    for d in docs:
        spans = [(e.start, e.end) for e in d.entities]
        labels: dict[str, set[str]] = {}
        for e in d.entities:
            labels.setdefault(e.text, set()).add(e.label)
        for surface, labs in labels.items():
            assert len(labs) == 1, (d.id, surface, labs)
            pat = re.compile(r"(?<!\w)" + re.escape(surface) + r"(?!\w)")
            for b in d.blocks:
                if b.label not in ENTITY_SCOPE:
                    continue
                for m in pat.finditer(d.text, b.start, b.end):
                    covered = any(s <= m.start() and m.end() <= t for s, t in spans)
                    assert covered, (d.id, surface, m.start())


def test_entity_boundaries_follow_the_guidelines(docs: list[Document]) -> None:
    for d in docs:
        for e in d.entities:
            assert not re.search(r"(?:['’]s|[«»\"“”„,.;:])$", e.text) or e.text.endswith("Inc."), e
            assert not e.text.lower().startswith(("the ", "l'", "l’")), e
            assert not re.match(r"(?:Secretary|Mayor|Dr\.?|Mr\.?|Mrs\.?|Ms\.?) ", e.text), e


def _worked_example() -> list[tuple[int, str, str]]:
    """Rows ``(block index, abridged text, label)`` of the seed table in the guidelines (§7)."""
    text = GUIDELINES.read_text(encoding="utf-8")
    section = text[text.index("## 7.") : text.index("## 8.")]
    rows = []
    for line in section.splitlines():
        m = re.match(r"\|\s*(\d+)\s*\|\s*(.+?)\s*\|\s*([a-z]+)\s*\|", line)
        if m:
            rows.append((int(m.group(1)), m.group(2), m.group(3)))
    return rows


def test_seed_gold_matches_the_worked_example_in_the_guidelines(seed: Document) -> None:
    rows = _worked_example()
    assert [r[0] for r in rows] == list(range(len(seed.blocks)))
    for (i, shown, label), block in zip(rows, seed.blocks, strict=True):
        assert block.label == label, (i, shown)
        prefix = shown.split("…")[0].strip().strip('"')
        assert seed.block_text(block).strip('"').startswith(prefix), (i, shown)


def test_seed_key_decisions(seed: Document) -> None:
    m = seed.metadata
    assert (m.publisher, m.site_name, m.section, m.language) == ("Al Jazeera", "inkl", "World", "en")
    assert m.authors == () and m.date_published is None and seed.source.url is None
    headline = "NATO chief: No plans for combat troops in Libya"
    assert [seed.block_text(b) for b in seed.blocks if b.label == "title"] == [headline, headline]
    ents = {(e.text, e.label) for e in seed.entities}
    assert {("Jens Stoltenberg", "PER"), ("Islamic State of Iraq and the Levant", "ORG"),
            ("Government of National Accord", "ORG"), ("Libyan", "MISC"), ("African", "MISC"),
            ("Eastern Europe", "LOC"), ("UN", "ORG")} <= ents
    assert not {t for t, _ in ents} & {"Iraq and the Levant", "Secretary General Jens Stoltenberg",
                                       "north African", "NATO’s", "transatlantic"}
    assert "Libya intervention" not in seed.view("article")


def test_guidelines_document_every_label() -> None:
    text = GUIDELINES.read_text(encoding="utf-8")
    for label in BLOCK_LABELS:
        assert f"### `{label}`" in text, label
    for label in ("PER", "ORG", "LOC", "MISC"):
        assert f"`{label}`" in text


def test_non_utf8_page_decodes_with_its_declared_legacy_charset(docs: list[Document]) -> None:
    (doc,) = [d for d in docs if d.source.encoding == "windows-1252"]
    assert doc.source.encoding_source == "meta"
    raw = (DATA / doc.source.raw_path).read_bytes()
    assert b"charset=ISO-8859-1" in raw
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    # ISO-8859-1 is read as windows-1252 (as browsers do): the German low quote survives.
    assert "„" in doc.text and "ß" in doc.text


def test_raw_paths_are_relative_to_the_corpus_root(docs: list[Document]) -> None:
    for d in docs:
        assert d.source.raw_path.startswith("raw/")
        assert (DATA / Path(d.source.raw_path)).is_file()


def test_bundled_documents_are_on_normaliser_v2_and_the_current_schema(docs: list[Document]) -> None:
    from corpus.model import SCHEMA_VERSION, Normalizer
    from corpus.text.normalisers import normaliser_of

    # recorded with v2 2.0.0, which the current v2 reproduces on every document it wrote (docs/normalisation.md);
    # migrating them would change only that record
    assert {d.normalizer for d in docs} == {Normalizer("corpus-normaliser", "2.0.0")}
    assert normaliser_of(Normalizer("corpus-normaliser", "2.0.0")) == "v2-2.2"  # v2 as 2.2.0 reads pages
    assert {d.schema_version for d in docs} == {SCHEMA_VERSION}
    assert all(d.source.encoding_source for d in docs)


def test_the_seed_page_reads_the_same_under_v1_and_v2(seed: Document) -> None:
    """The seed page is a text dump: migrating it to v2 kept its text, blocks and so its annotations."""
    from corpus.text.normalisers import normalise_raw_with

    raw = (DATA / seed.source.raw_path).read_bytes()
    v1, v2 = (normalise_raw_with(n, raw, "text") for n in ("v1", "v2"))
    assert v1.text == v2.text == seed.text
    assert [(b.start, b.end) for b in v1.blocks] == [(b.start, b.end) for b in seed.blocks]
    assert seed.annotation.blocks.status == seed.annotation.entities.status == "gold"
