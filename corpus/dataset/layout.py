"""The published dataset's layout (contract, DESIGN §5): configs, file names, features, label ids."""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any

from corpus.errors import ConfigError
from corpus.labels import BIO_TAGS, BLOCK_LABELS, CONLL4, ONTONOTES18, VIEWS
from corpus.paths import MANIFEST_FILE

if TYPE_CHECKING:
    from datasets import Features

# -- published layout (contract) ------------------------------------------------------------------

DOCUMENTS = "documents"
BLOCKS = "blocks"
ENTITIES = "entities"
NER_TOKENS = "ner_tokens"
#: Configs in publication order; ``documents`` is the default.
CONFIGS: tuple[str, ...] = (DOCUMENTS, BLOCKS, ENTITIES, NER_TOKENS)
DEFAULT_CONFIG = DOCUMENTS
MANIFEST = MANIFEST_FILE
README = "README.md"
CROISSANT = "croissant.json"
#: Bar chart of blocks per label, shown in the card (written when matplotlib is installed).
LABEL_PLOT = "label_distribution.png"
#: The dataset's own change history, read from the corpus root and shown in the card.
CHANGELOG = "CHANGELOG.md"
#: One JSON object per dropped duplicate: ``{dropped_id, kept_id, kind, similarity}`` (when dedup is on).
DEDUP_AUDIT = "dedup_audit.jsonl"
FORMAT_NAME = "webcorpus-dataset"
FORMAT_VERSION = 1
#: ClassLabel value of a block whose label is ``null`` (not annotated), the ``datasets`` convention.
NO_LABEL = -1
#: Entity ClassLabel names of the documents config: CoNLL-4 first (ids 0-3), then the OntoNotes-18
#: labels that are not CoNLL-4 names, so every declared label set round-trips exactly.
ENTITY_CLASS_NAMES: tuple[str, ...] = CONLL4 + tuple(x for x in ONTONOTES18 if x not in CONLL4)
#: Fixed Parquet writer options (part of what makes rebuilds byte-identical).
PARQUET_OPTIONS: dict[str, Any] = {"compression": "zstd", "compression_level": 3, "write_statistics": True}

BLOCK_INDEX = {name: i for i, name in enumerate(BLOCK_LABELS)}
ENTITY_INDEX = {name: i for i, name in enumerate(ENTITY_CLASS_NAMES)}
CONLL_INDEX = {name: i for i, name in enumerate(CONLL4)}
BIO_INDEX = {name: i for i, name in enumerate(BIO_TAGS)}


# fmt: off
@cache
def features(config: str) -> Features:
    """The ``datasets`` features of one published config."""
    from datasets import ClassLabel, Features, List, Value

    _S, _I = Value("string"), Value("int64")
    block_label = ClassLabel(names=list(BLOCK_LABELS))
    if config == DOCUMENTS:
        layer = {"status": _S, "by": _S, "tool": _S}
        return Features(
            {
                "schema_version": _S,
                "id": _S,
                "source": {
                    "url": _S, "domain": _S, "crawl_date": _S, "source_dataset": _S, "source_id": _S,
                    "license": _S, "raw_path": _S, "raw_sha256": _S, "raw_format": _S, "encoding": _S,
                    "split": _S, "page_type": _S, "input": _S, "encoding_source": _S,
                },
                "normalizer": {"name": _S, "version": _S},
                "text": _S,
                "blocks": List({"start": _I, "end": _I, "label": block_label, "tag": _S, "xpath": _S}),
                "entities": List(
                    {"start": _I, "end": _I, "label": ClassLabel(names=list(ENTITY_CLASS_NAMES)), "text": _S}
                ),
                "metadata": {
                    "title": _S, "authors": List(_S), "date_published": _S, "date_modified": _S,
                    "publisher": _S, "site_name": _S, "section": _S, "description": _S,
                    "categories": List(_S), "tags": List(_S), "language": _S,
                    "is_accessible_for_free": Value("bool"),
                },
                "checks": {"include": List(_S), "exclude": List(_S)},
                "reference": {"text": _S, "convention": _S},
                "annotation": {
                    "blocks": layer, "entities": layer, "metadata": layer,
                    "entity_label_set": _S, "guidelines_version": _S,
                },
                **{view: _S for view in VIEWS},
            }
        )
    if config == BLOCKS:
        return Features(
            {
                "doc_id": _S, "block_index": _I, "start": _I, "end": _I, "text": _S, "label": block_label,
                "tag": _S, "xpath": _S, "domain": _S, "language": _S, "source_dataset": _S, "status": _S,
            }
        )
    if config == ENTITIES:
        return Features(
            {
                "doc_id": _S, "block_index": _I, "start": _I, "end": _I,
                "label": ClassLabel(names=list(CONLL4)), "original_label": _S, "text": _S,
                "label_set": _S, "status": _S,
            }
        )
    if config == NER_TOKENS:
        return Features(
            {
                "doc_id": _S, "block_index": _I, "tokens": List(_S),
                "ner_tags": List(ClassLabel(names=list(BIO_TAGS))), "language": _S, "status": _S,
            }
        )
    raise ConfigError(f"unknown config {config!r}; expected one of {', '.join(CONFIGS)}")
# fmt: on


