"""Label sets (DESIGN §4) and the derived views built from them."""

from __future__ import annotations

BLOCK_LABELS: tuple[str, ...] = (
    "title",
    "byline",
    "body",
    "caption",
    "navigation",
    "header",
    "footer",
    "advertisement",
    "related",
    "paywall",
    "social",
    "comments",
    "other",
)

#: What each block label covers on a news page (DESIGN §4; the full rules: docs/annotation-guidelines.md §3).
BLOCK_LABEL_DEFINITIONS: dict[str, str] = {
    "title": "headline, standfirst",
    "byline": "author line, dateline, publish / update date, reading time",
    "body": "article paragraphs, in-body subheadings, lists, quotes, tables",
    "caption": "figure / video captions and credits",
    "navigation": "menus, breadcrumbs, section links, pagination, tag clouds",
    "header": "masthead, logo text, site search, top bar",
    "footer": "copyright, imprint, contact, site map",
    "advertisement": "ads, sponsored content, house ads, app / newsletter promos",
    "related": "related / recommended / most-read teasers, \"also read\" links",
    "paywall": "subscribe / sign-in / meter prompts (the prompt, not the locked text)",
    "social": "share / follow widgets",
    "comments": "user comments and comment forms",
    "other": "cookie banners, forms, error notices, anything else",
}

#: Labels that count as main content ("content" in content-vs-boilerplate scoring).
CONTENT_LABELS: frozenset[str] = frozenset({"title", "byline", "body", "caption", "comments"})

#: Derived views: name -> block labels joined (in reading order) to form it.
VIEWS: dict[str, frozenset[str]] = {
    "body": frozenset({"body"}),
    "article": frozenset({"title", "byline", "body", "caption"}),
    "article_with_comments": frozenset({"title", "byline", "body", "caption", "comments"}),
}

CONLL4: tuple[str, ...] = ("PER", "ORG", "LOC", "MISC")

ONTONOTES18: tuple[str, ...] = (
    "PERSON",
    "NORP",
    "FAC",
    "ORG",
    "GPE",
    "LOC",
    "PRODUCT",
    "EVENT",
    "WORK_OF_ART",
    "LAW",
    "LANGUAGE",
    "DATE",
    "TIME",
    "PERCENT",
    "MONEY",
    "QUANTITY",
    "ORDINAL",
    "CARDINAL",
)

ENTITY_LABEL_SETS: dict[str, tuple[str, ...]] = {"conll4": CONLL4, "ontonotes18": ONTONOTES18}

#: OntoNotes-18 -> CoNLL-4 (None: dropped).
ONTONOTES_TO_CONLL: dict[str, str | None] = {
    "PERSON": "PER",
    "ORG": "ORG",
    "GPE": "LOC",
    "LOC": "LOC",
    "FAC": "LOC",
    "NORP": "MISC",
    "EVENT": "MISC",
    "WORK_OF_ART": "MISC",
    "LAW": "MISC",
    "LANGUAGE": "MISC",
    "PRODUCT": "MISC",
    "DATE": None,
    "TIME": None,
    "PERCENT": None,
    "MONEY": None,
    "QUANTITY": None,
    "ORDINAL": None,
    "CARDINAL": None,
}

BENCHMARK_DATASETS: frozenset[str] = frozenset({
    "cleaneval", "dragnet", "l3s-gn1", "readability", "scrapinghub-aeb", "trafilatura-eval", "wceb", "wcxb",
    "webmainbench",
})
"""``source.source_dataset`` of the public benchmarks with an importer: their pages never go to ``train``.

Every importer registered with ``kind="benchmark"`` must be listed (:func:`corpus.registry.importer` checks)."""

#: ``source.source_dataset`` of pages written for this corpus (not taken from a benchmark or a crawl).
NATIVE_SOURCE = "native"

#: Version of docs/annotation-guidelines.md that a person's gold layers are recorded against.
GUIDELINES_VERSION = "1.0"

ANNOTATION_STATUSES: tuple[str, ...] = ("gold", "projected", "model", "none")
RAW_FORMATS: tuple[str, ...] = ("html", "text", "warc")

#: BIO tags of the token-level NER view (ClassLabel order is part of the published contract).
BIO_TAGS: tuple[str, ...] = ("O",) + tuple(f"{p}-{lab}" for lab in CONLL4 for p in ("B", "I"))


def is_content(label: str | None) -> bool:
    return label in CONTENT_LABELS


def to_conll(label: str, label_set: str) -> str | None:
    """Map an entity label of ``label_set`` to CoNLL-4 (None when the label is dropped)."""
    if label_set == "conll4":
        return label
    return ONTONOTES_TO_CONLL.get(label)
