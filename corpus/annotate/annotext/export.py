"""Document -> annotation text."""

from __future__ import annotations

import json

from corpus.annotate.annotext.syntax import (
    ANNOTATION_KEYS,
    FORMAT_VERSION,
    METADATA_KEYS,
    UNLABELLED,
    block_hash,
    encode_value,
    escape,
    text_sha256,
)
from corpus.errors import DocumentError
from corpus.labels import BLOCK_LABELS, ENTITY_LABEL_SETS
from corpus.model import Document


# -- export ---------------------------------------------------------------------------------------
def export_text(doc: Document) -> str:
    """The annotation file of ``doc`` (UTF-8 text ending in a newline)."""
    label_set = doc.annotation.entity_label_set
    lines = [
        f"## corpus annotation file, format {FORMAT_VERSION}. Edit block labels (first column), entities",
        "## [surface]{LABEL} and the '# key: value' lines; keep every block's text as it is.",
        f"## block labels: {' '.join(BLOCK_LABELS)}; '{UNLABELLED}' = unlabelled",
        f"## entity labels ({label_set}): {' '.join(ENTITY_LABEL_SETS.get(label_set, ()))}",
        "## literal brackets and backslashes are escaped: \\[ \\] \\\\; \\u{HEX} is any character",
        f"# id: {doc.id}",
        f"# text-sha256: {text_sha256(doc.text)}",
    ]
    md = doc.metadata
    for key, kind in METADATA_KEYS.items():
        lines.append(f"# {key}: {encode_value(getattr(md, key), kind)}".rstrip(" "))
    ann = doc.annotation
    for key, kind in ANNOTATION_KEYS.items():
        parts = key.split(".")
        value = getattr(getattr(ann, parts[1]), parts[2]) if len(parts) == 3 else getattr(ann, parts[1])
        lines.append(f"# {key}: {encode_value(value, kind)}".rstrip(" "))
    lines.append("")
    width = max([len(b.label or UNLABELLED) for b in doc.blocks] or [1])
    ents = sorted(doc.entities, key=lambda e: (e.start, e.end))
    ei = 0
    for b in doc.blocks:
        pieces = []
        pos = b.start
        while ei < len(ents) and ents[ei].start < b.end:
            e = ents[ei]
            if e.start < pos or e.end > b.end or doc.text[e.start : e.end] != e.text:
                raise DocumentError(
                    f"document {doc.id}: entity {e.text!r} [{e.start}, {e.end}) overlaps another entity, crosses "
                    "a block edge or does not match the text; fix it (see `corpus validate`) before exporting",
                    reason="entity_not_exportable")
            pieces.append(escape(doc.text[pos : e.start], lead=pos == b.start))
            pieces.append("[" + escape(doc.text[e.start : e.end]) + "]{" + e.label + "}")
            pos = e.end
            ei += 1
        pieces.append(escape(doc.text[pos : b.end], lead=pos == b.start, trail=True))
        lines.append(f"{(b.label or UNLABELLED).ljust(width)} | {''.join(pieces)}")
    if ei < len(ents):
        e = ents[ei]
        raise DocumentError(f"document {doc.id}: entity {e.text!r} [{e.start}, {e.end}) lies outside every block",
                            reason="entity_not_exportable")
    lines.append("")
    full = doc.to_dict()
    frozen = {
        "format": FORMAT_VERSION,
        "schema_version": doc.schema_version,
        **{k: full[k] for k in ("source", "normalizer", "checks", "reference")},
        "blocks": [[b.tag, b.xpath, block_hash(doc.text[b.start : b.end])] for b in doc.blocks],
    }
    lines.append("#! " + json.dumps(frozen, ensure_ascii=True, separators=(",", ":")))
    return "\n".join(lines) + "\n"
