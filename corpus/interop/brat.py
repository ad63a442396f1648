"""brat: import and export.

Import: brat standoff -> the annotated documents (``corpus import brat DIR --corpus CORPUS``).

``DIR`` holds ``<id>.txt`` / ``<id>.ann`` pairs (as the ``brat`` exporter writes them); each
``.txt`` must still equal the document's text. ``Block`` annotations with a ``BlockLabel``
attribute label the blocks they cover; every other text-bound annotation is an entity (offsets
are code points). ``#`` notes are ignored; relations, events, normalisations and discontinuous
spans cannot be represented, so a document carrying them is rejected with the line.

Export: brat standoff: ``<id>.txt`` (the document's text) and ``<id>.ann`` per document.

Entities are text-bound annotations (``T1<TAB>PER 10 14<TAB>NATO``) with code-point offsets. Every
block is a text-bound annotation of the type ``Block``; its label is the attribute ``BlockLabel``
(``A1<TAB>BlockLabel T7 body``); an unlabelled block has no attribute. ``annotation.conf`` declares
the types and the attribute values for the brat collection.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path

from corpus.errors import DocumentError
from corpus.interop.spans import apply_spans, corpus_index
from corpus.labels import BLOCK_LABELS, ENTITY_LABEL_SETS
from corpus.model import Document
from corpus.registry import Imported, Reject, exporter, importer

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
def import_brat(src: Path, *, corpus: str | Path | None = None,
                raw_root: str | Path | None = None) -> Iterator[Imported | Reject]:
    docs = corpus_index(corpus, "brat", raw_root)
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
            yield docs.imported(apply_spans(doc, blocks or None, ents, tool=TOOL, where=where))
        except DocumentError as exc:
            yield Reject(where, exc.reason, str(exc))


BLOCK_TYPE = "Block"
BLOCK_ATTRIBUTE = "BlockLabel"


def ann_text(doc: Document) -> str:
    """The ``.ann`` file of ``doc``: blocks (with their label attribute), then entities."""
    lines = []
    t = a = 0
    for b in doc.blocks:
        t += 1
        lines.append(f"T{t}\t{BLOCK_TYPE} {b.start} {b.end}\t{doc.text[b.start:b.end]}")
        if b.label is not None:
            a += 1
            lines.append(f"A{a}\t{BLOCK_ATTRIBUTE} T{t} {b.label}")
    for e in doc.entities:
        t += 1
        lines.append(f"T{t}\t{e.label} {e.start} {e.end}\t{e.text}")
    return "".join(x + "\n" for x in lines)


def annotation_conf(entity_labels: Iterable[str]) -> str:
    return ("[entities]\n" + "".join(f"{x}\n" for x in entity_labels) + f"{BLOCK_TYPE}\n"
            "[relations]\n<OVERLAP>\tArg1:<ENTITY>, Arg2:<ENTITY>, <OVL-TYPE>:<ANY>\n[events]\n"
            f"[attributes]\n{BLOCK_ATTRIBUTE}\tArg:{BLOCK_TYPE}, Value:{'|'.join(BLOCK_LABELS)}\n")


@exporter("brat", description="brat standoff (<id>.txt + <id>.ann, annotation.conf)")
def export_brat(docs: Iterable[Document], out: Path) -> int:
    n = 0
    labels: list[str] = []
    for doc in docs:
        with (out / f"{doc.id}.txt").open("w", encoding="utf-8", newline="") as fh:
            fh.write(doc.text)
        with (out / f"{doc.id}.ann").open("w", encoding="utf-8", newline="") as fh:
            fh.write(ann_text(doc))
        labels += [x for x in ENTITY_LABEL_SETS.get(doc.annotation.entity_label_set, ()) if x not in labels]
        n += 1
    (out / "annotation.conf").write_text(annotation_conf(labels or ENTITY_LABEL_SETS["conll4"]), encoding="utf-8")
    return n
