"""Every limit the package enforces, in one place.

Changing a limit that affects output (e.g. what gets truncated) is a normaliser change and needs a
version bump in :mod:`corpus.normalise`.
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
#: Bytes sniffed at the start of an HTML page for a declared charset.
CHARSET_SNIFF_BYTES = 4 * KIB
