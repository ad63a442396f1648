"""labelstudio: import and export.

Import: Label Studio JSON export -> the annotated documents (``corpus import labelstudio FILE --corpus DIR``).

Each task must carry ``data.doc_id`` and the document's unchanged ``data.text`` (as the
``labelstudio`` exporter writes them). The task's last annotation that was not cancelled is used
(else its last prediction); regions of the ``block`` control label the blocks they cover, every
other ``labels`` region is an entity; its annotator is ``completed_by`` (an email when the export expands
users, else ``label-studio user N``). Offsets: current Label Studio stores code points; older
front-ends stored UTF-16 code units, which differ after an astral character such as an emoji.
``-o offsets=auto`` (default) takes each region's offsets as code points when they select the
region's recorded ``text`` and otherwise converts them from UTF-16; ``codepoints`` or ``utf16``
force one reading.

Export: Label Studio text tasks: one task per document, block labels and entities as text regions.

Writes ``tasks.json`` (import it into a project) and ``labeling_config.xml`` (the project's
labelling interface): entities are regions of the ``label`` control, block labels regions of the
``block`` control (one region per labelled block; pick one block label per region). Offsets are
Python code points, as current Label Studio stores them; ``-o offsets=utf16`` writes UTF-16 code
units for front-ends that count those. ``-o target=annotations`` writes the spans as finished
annotations instead of pre-annotations (``predictions``).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any
from xml.sax.saxutils import quoteattr

from corpus.errors import ConfigError, DocumentError
from corpus.interop.spans import apply_spans, corpus_index, utf16_offsets, utf16_to_codepoint
from corpus.labels import BLOCK_LABELS, ENTITY_LABEL_SETS
from corpus.model import Document
from corpus.registry import Imported, Reject, exporter, importer

TOOL = "label-studio"


def _by(annotation: dict[str, Any]) -> str | None:
    """The annotator: an expanded user's email, else the server's user id (what its plain JSON export holds)."""
    who = annotation.get("completed_by")
    if isinstance(who, dict):
        who = who.get("email") or who.get("id")
    if isinstance(who, int) and not isinstance(who, bool):
        return f"label-studio user {who}"
    return None if who is None else str(who)


def region_offsets(text: str, value: dict[str, Any], mode: str, units: list[int] | None) -> tuple[int, int]:
    """Code-point ``(start, end)`` of one region's value."""
    start, end = value.get("start"), value.get("end")
    if not isinstance(start, int) or not isinstance(end, int):
        raise DocumentError(f"region without integer start/end: {value!r}"[:200], reason="labelstudio_offsets")
    if mode == "codepoints" or units is None:
        return start, end
    cp = (utf16_to_codepoint(units, start), utf16_to_codepoint(units, end))
    if mode == "utf16":
        if cp[0] is None or cp[1] is None:
            raise DocumentError(f"UTF-16 offsets [{start}, {end}) split a surrogate pair", reason="labelstudio_offsets")
        return cp[0], cp[1]
    want = value.get("text")
    if want is None or text[start:end] == want:
        return start, end
    if cp[0] is not None and cp[1] is not None and text[cp[0] : cp[1]] == want:
        return cp[0], cp[1]
    raise DocumentError(f"region [{start}, {end}) selects {text[start:end]!r}, not its recorded text {want!r} "
                        "(neither as code points nor as UTF-16 units)", reason="labelstudio_offsets")


def task_spans(task: dict[str, Any], text: str, mode: str) -> tuple[list, list, str | None, bool]:
    """``(block spans, entity spans, annotator, from_annotation)`` of one task."""
    anns = [a for a in task.get("annotations") or [] if isinstance(a, dict) and not a.get("was_cancelled")]
    preds = [p for p in task.get("predictions") or [] if isinstance(p, dict)]
    if anns:
        source, human = anns[-1], True
    elif preds:
        source, human = preds[-1], False
    else:
        raise DocumentError("task has neither an annotation nor a prediction", reason="not_annotated")
    units = None if mode == "codepoints" or all(ord(c) <= 0xFFFF for c in text) else utf16_offsets(text)
    blocks, ents = [], []
    for r in source.get("result") or []:
        if not isinstance(r, dict) or r.get("type") != "labels":
            continue
        value = r.get("value") or {}
        s, e = region_offsets(text, value, mode, units)
        for label in value.get("labels") or []:
            (blocks if r.get("from_name") == BLOCK_CONTROL else ents).append((s, e, label))
    return blocks, ents, _by(source) if human else None, human


@importer("labelstudio", description="Label Studio JSON export of text tasks (needs --corpus)", kind="tool")
def import_labelstudio(src: Path, *, corpus: str | Path | None = None, offsets: str = "auto",
                       raw_root: str | Path | None = None) -> Iterator[Imported | Reject]:
    if offsets not in ("auto", "codepoints", "utf16"):
        raise ConfigError(f"offsets must be auto, codepoints or utf16, not {offsets!r}")
    docs = corpus_index(corpus, "labelstudio", raw_root)
    try:
        tasks = json.loads(src.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ConfigError(f"{src}: not a Label Studio JSON export ({exc})") from None
    if isinstance(tasks, dict):
        tasks = [tasks]
    if not isinstance(tasks, list):
        raise ConfigError(f"{src}: expected a JSON list of tasks")
    for i, task in enumerate(tasks):
        where = f"{src}#task{task.get('id', i) if isinstance(task, dict) else i}"
        if not isinstance(task, dict) or not isinstance(task.get("data"), dict):
            yield Reject(where, "labelstudio_task", "not a task object with 'data'")
            continue
        data = task["data"]
        doc = docs.get(str(data.get("doc_id")))
        if doc is None:
            yield Reject(where, "document_unknown", f"data.doc_id {data.get('doc_id')!r} is not in the corpus")
            continue
        if data.get("text") != doc.text:
            yield Reject(where, "text_changed", f"data.text differs from document {doc.id}'s text")
            continue
        try:
            blocks, ents, by, human = task_spans(task, doc.text, offsets)
            new = apply_spans(doc, blocks or None, ents, tool=TOOL, by=by, where=where)
        except DocumentError as exc:
            yield Reject(where, exc.reason, str(exc))
            continue
        if not human:  # pre-annotations came back untouched: keep the layers' provenance
            new = new.replace(annotation=doc.annotation)
        yield docs.imported(new)


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
