"""Label Studio text tasks: one task per document, block labels and entities as text regions.

Writes ``tasks.json`` (import it into a project) and ``labeling_config.xml`` (the project's
labelling interface): entities are regions of the ``label`` control, block labels regions of the
``block`` control (one region per labelled block; pick one block label per region). Offsets are
Python code points, as current Label Studio stores them; ``-o offsets=utf16`` writes UTF-16 code
units for front-ends that count those. ``-o target=annotations`` writes the spans as finished
annotations instead of pre-annotations (``predictions``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from xml.sax.saxutils import quoteattr

from ..errors import ConfigError
from ..interop import utf16_offsets
from ..labels import BLOCK_LABELS, ENTITY_LABEL_SETS
from ..model import Document
from . import exporter

#: Names of the controls in the labelling config (the importer reads the same names).
ENTITY_CONTROL = "label"
BLOCK_CONTROL = "block"
TEXT_OBJECT = "text"
MODEL_VERSION = "corpus"


def labeling_config(entity_labels: Iterable[str]) -> str:
    """The Label Studio labelling config XML for these entity labels and the block label set."""
    ents = "\n".join(f"    <Label value={quoteattr(x)}/>" for x in entity_labels)
    blocks = "\n".join(f"    <Label value={quoteattr(x)}/>" for x in BLOCK_LABELS)
    return (
        "<View>\n"
        "  <Style>.htx-text { white-space: pre-wrap; }</Style>\n"
        f'  <Labels name="{ENTITY_CONTROL}" toName="{TEXT_OBJECT}">\n{ents}\n  </Labels>\n'
        f'  <Labels name="{BLOCK_CONTROL}" toName="{TEXT_OBJECT}" choice="single">\n{blocks}\n  </Labels>\n'
        f'  <Text name="{TEXT_OBJECT}" value="${TEXT_OBJECT}" granularity="symbol"/>\n'
        "</View>\n"
    )


def _region(rid: str, control: str, text: str, s: int, e: int, label: str, units: list[int] | None) -> dict:
    start, end = (units[s], units[e]) if units is not None else (s, e)
    return {"id": rid, "from_name": control, "to_name": TEXT_OBJECT, "type": "labels",
            "value": {"start": start, "end": end, "text": text[s:e], "labels": [label]}}


def task_for(doc: Document, *, offsets: str = "codepoints", target: str = "predictions") -> dict:
    """One Label Studio task for ``doc``."""
    units = utf16_offsets(doc.text) if offsets == "utf16" else None
    result = [_region(f"b{i}", BLOCK_CONTROL, doc.text, b.start, b.end, b.label, units)
              for i, b in enumerate(doc.blocks) if b.label is not None]
    result += [_region(f"e{i}", ENTITY_CONTROL, doc.text, e.start, e.end, e.label, units)
               for i, e in enumerate(doc.entities)]
    task: dict = {"data": {TEXT_OBJECT: doc.text, "doc_id": doc.id, "url": doc.source.url,
                           "title": doc.metadata.title}}
    if target == "annotations":
        task["annotations"] = [{"result": result, "was_cancelled": False}]
    else:
        task["predictions"] = [{"model_version": MODEL_VERSION, "result": result}]
    return task


@exporter("labelstudio", description="Label Studio text tasks (tasks.json + labeling_config.xml)")
def export_labelstudio(docs: Iterable[Document], out: Path, *, offsets: str = "codepoints",
                       target: str = "predictions") -> int:
    if offsets not in ("codepoints", "utf16"):
        raise ConfigError(f"offsets must be codepoints or utf16, not {offsets!r}")
    if target not in ("predictions", "annotations"):
        raise ConfigError(f"target must be predictions or annotations, not {target!r}")
    tasks = []
    label_sets: set[str] = set()
    for doc in docs:
        tasks.append(task_for(doc, offsets=offsets, target=target))
        label_sets.add(doc.annotation.entity_label_set)
    labels: list[str] = []
    for name in sorted(label_sets or {"conll4"}):
        labels += [x for x in ENTITY_LABEL_SETS.get(name, ()) if x not in labels]
    (out / "tasks.json").write_text(json.dumps(tasks, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    (out / "labeling_config.xml").write_text(labeling_config(labels), encoding="utf-8")
    return len(tasks)
