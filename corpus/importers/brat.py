"""brat standoff -> the annotated documents (``corpus import brat DIR --corpus CORPUS``).

``DIR`` holds ``<id>.txt`` / ``<id>.ann`` pairs (as the ``brat`` exporter writes them); each
``.txt`` must still equal the document's text. ``Block`` annotations with a ``BlockLabel``
attribute label the blocks they cover; every other text-bound annotation is an entity (offsets
are code points). ``#`` notes are ignored; relations, events, normalisations and discontinuous
spans cannot be represented, so a document carrying them is rejected with the line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from ..errors import DocumentError
from ..exporters.brat import BLOCK_ATTRIBUTE, BLOCK_TYPE
from ..interop import apply_spans, corpus_index
from . import Imported, Reject, importer

TOOL = "brat"
_T_RE = re.compile(r"^(T\d+)\t(\S+) (\d+) (\d+)(;[\d ;]+)?\t(.*)$")
_A_RE = re.compile(r"^(A\d+)\t(\S+) (T\d+)(?: (\S+))?$")


def parse_ann(ann: str, text: str, where: str) -> tuple[list, list]:
    """``(block spans, entity spans)`` of one ``.ann`` file."""
    regions: dict[str, tuple[str, int, int]] = {}
    attrs: dict[str, str] = {}
    for ln, line in enumerate(ann.split("\n"), 1):
        line = line.rstrip("\r")
        if not line or line.startswith("#"):
            continue
        loc = f"{where}:{ln}"
        if line.startswith("T"):
            m = _T_RE.match(line)
            if not m:
                raise DocumentError(f"{loc}: malformed text-bound annotation {line[:80]!r}", reason="brat_syntax")
            if m.group(5):
                raise DocumentError(f"{loc}: discontinuous span {m.group(1)} cannot be represented",
                                    reason="brat_discontinuous")
            s, e = int(m.group(3)), int(m.group(4))
            if e > len(text) or s >= e:
                raise DocumentError(f"{loc}: span [{s}, {e}) is outside the text", reason="brat_offsets")
            if text[s:e] != m.group(6):
                raise DocumentError(f"{loc}: span [{s}, {e}) is {text[s:e]!r} in the .txt, not {m.group(6)!r}",
                                    reason="brat_offsets")
            regions[m.group(1)] = (m.group(2), s, e)
        elif line.startswith("A") or line.startswith("M"):
            m = _A_RE.match(line)
            if not m or m.group(2) != BLOCK_ATTRIBUTE or not m.group(4):
                raise DocumentError(f"{loc}: only '{BLOCK_ATTRIBUTE} T<n> <label>' attributes are supported",
                                    reason="brat_unsupported")
            attrs[m.group(3)] = m.group(4)
        else:
            raise DocumentError(f"{loc}: {line.split(chr(9))[0]!r} annotations (relations, events, "
                                "normalisations) cannot be represented", reason="brat_unsupported")
    blocks, ents = [], []
    for tid, (typ, s, e) in regions.items():
        if typ == BLOCK_TYPE:
            if tid in attrs:
                blocks.append((s, e, attrs[tid]))
        else:
            ents.append((s, e, typ))
    for tid in attrs:
        if tid not in regions or regions[tid][0] != BLOCK_TYPE:
            raise DocumentError(f"{where}: {BLOCK_ATTRIBUTE} on {tid}, which is not a {BLOCK_TYPE} annotation",
                                reason="brat_unsupported")
    return blocks, ents


@importer("brat", description="brat standoff directory (<id>.txt + <id>.ann; needs --corpus)", kind="tool")
def import_brat(src: Path, *, corpus: str | Path | None = None) -> Iterator[Imported | Reject]:
    docs = corpus_index(corpus, "brat")
    anns = sorted(src.glob("*.ann")) if src.is_dir() else [src]
    for ann_p in anns:
        where = str(ann_p)
        doc = docs.get(ann_p.stem)
        if doc is None:
            yield Reject(where, "document_unknown", f"no document with id {ann_p.stem!r} in the corpus")
            continue
        txt_p = ann_p.with_suffix(".txt")
        try:
            with txt_p.open(encoding="utf-8", newline="") as fh:
                text = fh.read()
            with ann_p.open(encoding="utf-8", newline="") as fh:
                ann = fh.read()
        except (OSError, UnicodeDecodeError) as exc:
            yield Reject(where, "unreadable", f"cannot read {txt_p.name}/{ann_p.name}: {exc}")
            continue
        if text != doc.text:
            yield Reject(where, "text_changed", f"{txt_p.name} differs from document {doc.id}'s text")
            continue
        try:
            blocks, ents = parse_ann(ann, text, where)
            yield Imported(apply_spans(doc, blocks or None, ents, tool=TOOL, where=where))
        except DocumentError as exc:
            yield Reject(where, exc.reason, str(exc))
