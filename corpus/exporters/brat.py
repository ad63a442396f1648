"""brat standoff: ``<id>.txt`` (the document's text) and ``<id>.ann`` per document.

Entities are text-bound annotations (``T1<TAB>PER 10 14<TAB>NATO``) with code-point offsets. Every
block is a text-bound annotation of the type ``Block``; its label is the attribute ``BlockLabel``
(``A1<TAB>BlockLabel T7 body``); an unlabelled block has no attribute. ``annotation.conf`` declares
the types and the attribute values for the brat collection.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from ..labels import BLOCK_LABELS, ENTITY_LABEL_SETS
from ..model import Document
from . import exporter

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
