"""Every limit the package enforces, in one place.

Changing a limit that affects output (e.g. what gets truncated) is a normaliser change and needs a
version bump in :mod:`corpus.text.normalise`.
"""

from __future__ import annotations

KIB = 1024
MIB = 1024 * KIB

#: Largest raw page (bytes as fetched, before decompression) that is accepted.
MAX_RAW_BYTES = 20 * MIB
#: Largest decompressed payload (gzip / Content-Encoding); protects against decompression bombs.
MAX_DECODED_BYTES = 64 * MIB
#: Deepest element nesting accepted in HTML (libxml2's own default limit; deeper pages are rejected
#: rather than silently truncated).
MAX_DOM_DEPTH = 255
#: Normaliser v2: estimated nesting (open start tags the HTML parser cannot close implicitly) past which a
#: page is rejected before parsing; tree construction is quadratic in nesting depth.
MAX_PARSE_NESTING = 4096
#: Most blocks one document may have.
MAX_BLOCKS = 100_000
#: Most entities one document may have.
MAX_ENTITIES = 200_000
#: Largest document JSON file the validator reads.
MAX_DOCUMENT_BYTES = 64 * MIB
#: Deepest JSON nesting accepted in a document file.
MAX_JSON_DEPTH = 64
#: Seconds an extractor may spend on one page before the call counts as failed.
EXTRACTOR_TIMEOUT_S = 30.0
#: Bytes of extractor output kept per page.
MAX_EXTRACTOR_OUTPUT_BYTES = 8 * MIB
#: Rows per Parquet row group / per in-memory batch when building.
BUILD_BATCH_ROWS = 1_000
#: Rows per Parquet shard when building.
SHARD_MAX_ROWS = 50_000
#: Bytes sniffed at the start of an HTML page for a declared charset (the WHATWG prescan reads 1024).
CHARSET_SNIFF_BYTES = 1 * KIB
#: Bytes of a page given to statistical charset detection (only when nothing is declared).
CHARSET_DETECT_BYTES = 256 * KIB
#: Invalid UTF-8 sequences always tolerated in a page whose ``<meta>`` declares UTF-8 ...
UTF8_TOLERATED_INVALID = 2
#: ... and beyond that, valid non-ASCII characters needed per invalid sequence to still read it as UTF-8.
UTF8_VALID_PER_INVALID = 20
#: Approximate in-memory bytes buffered per (config, split) writer before a batch is flushed.
BUILD_BATCH_BYTES = 32 * MIB
#: Bytes of one JSON-LD ``<script>`` parsed for page metadata (larger ones are skipped).
MAX_JSONLD_BYTES = 1 * MIB
#: Letters needed before the language of a page's text is identified (shorter: left unknown).
LANGID_MIN_CHARS = 20
#: Characters of a page's text read to identify its language.
LANGID_MAX_CHARS = 20_000
#: Characters of a page's text run through the NER model (blocks past it get no silver entities).
NER_MAX_CHARS = 200_000
#: Largest index file an importer loads whole (``ground-truth.json``, ``evaldata.json``, metadata JSON).
MAX_IMPORT_INDEX_BYTES = 256 * MIB
#: Largest single record (one line) of a JSONL benchmark file (page HTML plus its gold).
MAX_IMPORT_RECORD_BYTES = 4 * MAX_RAW_BYTES
#: Largest unmatched stretch (characters on either side) re-aligned character by character when gold
#: marks are carried from an annotated copy of a page to the original (L3S-GN1); longer stays unaligned.
MAX_ALIGN_GAP_CHARS = 4_000
#: Most pairs of equal words (sum over words of count in copy x count in original) aligned exactly;
#: beyond, difflib's popular-word heuristic bounds the time on pages that repeat a word very often.
MAX_ALIGN_WORD_PAIRS = 2_000_000

# -- ingest (corpus ingest, corpus.warc, corpus.dataset.dedup) --------------------------------------------
#: Largest WARC record block accepted (HTTP headers + payload); larger records are skipped, not held.
MAX_WARC_RECORD_BYTES = MAX_RAW_BYTES + 64 * KIB
#: Largest WARC or HTTP header block.
MAX_WARC_HEADER_BYTES = 64 * KIB
#: Page files per ingest shard (each WARC file is a shard of its own).
INGEST_FILES_PER_SHARD = 256
#: Number of MinHash permutations used for near-duplicate detection.
DEDUP_NUM_PERM = 128
#: Word n-gram size of the shingles hashed for near-duplicate detection.
DEDUP_SHINGLE = 5
#: Estimated Jaccard similarity at or above which two documents are near duplicates.
DEDUP_THRESHOLD = 0.8
#: Least probability that a pair at ``DEDUP_THRESHOLD`` becomes an LSH candidate (sets bands x rows).
DEDUP_MIN_RECALL = 0.999
#: Bytes at the start of a page file inspected for binary content.
BINARY_SNIFF_BYTES = 8 * KIB
#: Share of control bytes (not TAB/LF/FF/CR/ESC) above which a page file counts as binary.
BINARY_CONTROL_SHARE = 0.05
#: Most attributes one HTML element may have (libxml2 checks duplicates quadratically); approximated
#: by the ``=`` signs of start tags longer than four characters per allowed attribute.
MAX_TAG_ATTRIBUTES = 256
#: Documents needing review that ``corpus migrate`` lists on the terminal (all are in the report).
MIGRATE_SHOWN_DOCUMENTS = 20
#: Detail lines (changed, removed blocks, entities) shown per listed document on the terminal.
MIGRATE_SHOWN_DETAILS = 8
