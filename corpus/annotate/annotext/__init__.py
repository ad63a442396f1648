"""The human-editable annotation text format (``corpus annotate export|import``).

One document per file (format described in ``docs/annotation-format.md``)::

    ## comment lines start with '##' and are ignored
    # id: 2a651a9cacbfdf27
    # text-sha256: 5d41...
    # title: NATO chief: No plans for combat troops
    # authors: ["Jane Doe"]
    # annotation.blocks.status: gold
    title | NATO chief: No plans for combat troops in [Libya]{LOC}
    body  | [NATO]{ORG} is not planning ...
    #! {"format": 1, "source": {...}, ...}

* ``# key: value`` header lines carry the editable metadata and annotation provenance;
* each block is one line ``LABEL | text`` (``-`` for an unlabelled block) in reading order, with
  entities marked inline as ``[surface]{LABEL}``; ``\\[``, ``\\]``, ``\\\\`` and ``\\u{HEX}`` escape;
* the ``#!`` line holds, as JSON, every field an annotator does not edit (source, normaliser,
  checks, reference, block tags and xpaths, a short hash of each block's text).

The file alone reconstructs the whole document, so export -> import is lossless. Import computes
every offset, checks that the block texts still spell the document's text (``text-sha256``), and
validates the result; every problem is reported at the line and column of the annotation file.
"""

from corpus.annotate.annotext.check import LAYERS, Validator, import_text, raw_problems, record_edit, unchecked_layers
from corpus.annotate.annotext.export import export_text
from corpus.annotate.annotext.parse import ImportResult, parse_text
from corpus.annotate.annotext.syntax import (
    ANNOTATION_KEYS,
    BLOCK_HASH_CHARS,
    FORMAT_VERSION,
    HEADER_KEYS,
    METADATA_KEYS,
    RULES,
    UNLABELLED,
    block_hash,
    encode_value,
    escape,
    text_sha256,
)

__all__ = [
    "ANNOTATION_KEYS",
    "BLOCK_HASH_CHARS",
    "FORMAT_VERSION",
    "HEADER_KEYS",
    "LAYERS",
    "METADATA_KEYS",
    "RULES",
    "UNLABELLED",
    "ImportResult",
    "Validator",
    "block_hash",
    "encode_value",
    "escape",
    "export_text",
    "import_text",
    "parse_text",
    "raw_problems",
    "record_edit",
    "text_sha256",
    "unchecked_layers",
]
