"""Semantic layer: the invariants of DESIGN §3 that JSON Schema cannot express.

Written to run on any JSON value: each check looks only at the parts whose shape is right and
leaves shape errors to the schema layer, so nothing here raises on a schema-invalid document.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from datetime import datetime
from functools import lru_cache
from typing import Any

from corpus.labels import ENTITY_LABEL_SETS
from corpus.model import doc_id_for
from corpus.text.normalise import fold_text
from corpus.validation.problems import Problem, problem
from corpus.validation.schema import load_schema, show
from corpus.validation.suggest import suggest_entity_label

# The schema's own patterns (ending ``$(?!\n)``, so ``search`` rejects a trailing newline as the schema layer does).
ID_RE = re.compile(load_schema()["properties"]["id"]["pattern"])
SHA_RE = re.compile(load_schema()["properties"]["source"]["properties"]["raw_sha256"]["pattern"])
_DATE = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})"
    r"(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-](\d{2}):?(\d{2}))?)?"
)
#: Where dates live: (pointer, parent key, field).
DATE_FIELDS = (
    ("/source/crawl_date", "source", "crawl_date"),
    ("/metadata/date_published", "metadata", "date_published"),
    ("/metadata/date_modified", "metadata", "date_modified"),
)


@lru_cache(maxsize=4096)
def is_iso_date(s: str) -> bool:
    """True for an ISO 8601 calendar date or date-time that exists (``2024-02-30`` does not)."""
    m = _DATE.fullmatch(s)
    if m is None:
        return False
    y, mo, d, h, mi, sec, _tz, tzh, tzm = m.groups()
    try:
        datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(sec or 0))
    except ValueError:
        return False
    return tzh is None or (int(tzh) <= 23 and int(tzm) <= 59)


def as_int(v: Any) -> int | None:
    """A JSON Schema ``integer`` (which includes 2.0) as int; None for anything else or negative."""
    if type(v) is int:
        return v if v >= 0 else None
    if type(v) is float and v.is_integer() and v >= 0:
        return int(v)
    return None


def _get(d: Any, key: str) -> Any:
    return d.get(key) if isinstance(d, dict) else None


def semantic_problems(data: Any) -> list[Problem]:
    """Every semantic problem of one document (no file system, no corpus-level checks)."""
    out: list[Problem] = []
    if not isinstance(data, dict):
        return out
    _identity(data, out)
    _dates(data, out)
    text = data.get("text")
    blocks = data.get("blocks")
    block_offsets = None
    if isinstance(text, str) and isinstance(blocks, list):
        block_offsets = _blocks(text, blocks, out)
    _layers(data, out)
    entities = data.get("entities")
    if isinstance(text, str) and isinstance(entities, list):
        _entities(data, text, entities, block_offsets, out)
    _checks(data, text, out)
    return out


def _identity(data: dict[str, Any], out: list[Problem]) -> None:
    doc_id = data.get("id")
    sha = _get(data.get("source"), "raw_sha256")
    if (isinstance(doc_id, str) and isinstance(sha, str) and ID_RE.search(doc_id) and SHA_RE.search(sha)
            and doc_id != doc_id_for(sha)):
        out.append(problem("id-mismatch", "/id",
                           f"id {doc_id!r} is not derived from source.raw_sha256: expected {doc_id_for(sha)!r}"))


def _dates(data: dict[str, Any], out: list[Problem]) -> None:
    for ptr, parent, key in DATE_FIELDS:
        v = _get(data.get(parent), key)
        if isinstance(v, str) and not is_iso_date(v):
            out.append(problem("date-invalid", ptr,
                               f"{show(v)} is not an ISO 8601 date (YYYY-MM-DD) or date-time "
                               "(YYYY-MM-DDThh:mm[:ss[.f]][Z|±hh:mm]) that exists"))


def _blocks(text: str, blocks: list[Any], out: list[Problem]) -> list[tuple[int, int]] | None:
    """Check the partition of ``text``; the offsets when they are sorted, disjoint and in range."""
    offs: list[tuple[int, int]] = []
    for b in blocks:
        s, e = as_int(_get(b, "start")), as_int(_get(b, "end"))
        if s is None or e is None:
            return None  # shape errors are the schema layer's; partition checks would only add noise
        offs.append((s, e))
    n = len(text)
    usable = True
    for i, (s, e) in enumerate(offs):
        ptr = f"/blocks/{i}"
        if s >= e:
            out.append(problem("block-empty", ptr, f"block [{s}, {e}) is empty: start must be before end"))
            usable = False
        if e > n:
            out.append(problem("block-out-of-range", ptr + "/end",
                               f"block ends at {e}, beyond the text ({n} characters)"))
            usable = False
        if i == 0:
            if 0 < s <= n:
                out.append(problem("block-gap", ptr + "/start",
                                   f"text[0:{s}] = {show(text[:s])} is covered by no block "
                                   "(the first block must start at 0)"))
        else:
            ps, pe = offs[i - 1]
            if s < ps:
                out.append(problem("block-unsorted", ptr + "/start",
                                   f"block {i} starts at {s}, before block {i - 1} (at {ps}): "
                                   "blocks must be in reading order"))
                usable = False
            elif s < pe:
                out.append(problem("block-overlap", ptr + "/start",
                                   f"block {i} [{s}, {e}) overlaps block {i - 1} [{ps}, {pe})"))
                usable = False
            elif s == pe:
                out.append(problem("block-separator", ptr + "/start",
                                   f"block {i} starts where block {i - 1} ends ({s}); "
                                   "consecutive blocks are separated by one '\\n'"))
            elif s == pe + 1:
                if pe < n and text[pe] != "\n":
                    out.append(problem("block-separator", ptr + "/start",
                                       f"the character between block {i - 1} and block {i} (at {pe}) is "
                                       f"{show(text[pe])}, not '\\n'"))
            elif pe < n:
                gap = text[pe:min(s, n)]
                out.append(problem("block-gap", ptr + "/start",
                                   f"text[{pe}:{s}] = {show(gap)} between block {i - 1} and block {i} "
                                   "is covered by no block "
                                   "(only one '\\n' may lie between blocks)"))
        if s < e <= n and "\n" in text[s:e]:
            out.append(problem("block-newline", ptr,
                               f"block [{s}, {e}) contains a newline at {text.index(chr(10), s)}; "
                               "a block is one line of text"))
    if offs:
        last_end = offs[-1][1]
        if last_end < n:
            out.append(problem("block-gap", f"/blocks/{len(offs) - 1}/end",
                               f"text[{last_end}:{n}] = {show(text[last_end:])} is covered by no block "
                               "(the last block must end at the end of text)"))
    elif n:
        out.append(problem("block-gap", "/blocks", f"text has {n} characters but there are no blocks"))
    return offs if usable else None


def _layers(data: dict[str, Any], out: list[Problem]) -> None:
    ann = data.get("annotation")
    blocks = data.get("blocks")
    status = _get(_get(ann, "blocks"), "status")
    if isinstance(blocks, list) and status in ("gold", "projected", "none"):
        labelled = [b for b in blocks if isinstance(b, dict) and isinstance(b.get("label"), str)]
        if status == "none" and labelled:
            out.append(problem("layer-none-but-labelled", "/annotation/blocks/status",
                               f"the block layer has status 'none' but {len(labelled)} block(s) carry labels; "
                               "set the status (gold, projected or model)"))
        if status == "gold":  # projected and model layers may leave undecidable blocks unlabelled
            missing = [i for i, b in enumerate(blocks) if isinstance(b, dict) and "label" in b and b["label"] is None]
            if missing:
                out.append(problem("layer-incomplete", f"/blocks/{missing[0]}/label",
                                   f"the block layer is {status!r} but {len(missing)} block(s) have no label "
                                   f"(first: block {missing[0]}); a {status} layer labels every block"))
    ents = data.get("entities")
    if _get(_get(ann, "entities"), "status") == "none" and isinstance(ents, list) and ents:
        out.append(problem("layer-none-but-labelled", "/annotation/entities/status",
                           f"the entity layer has status 'none' but there are {len(ents)} entities; "
                           "set the status (gold, projected or model)"))


def _entities(data: dict[str, Any], text: str, entities: list[Any],
              block_offsets: list[tuple[int, int]] | None, out: list[Problem]) -> None:
    ann = data.get("annotation")
    label_set = ann.get("entity_label_set", "conll4") if isinstance(ann, dict) else "conll4"
    allowed = ENTITY_LABEL_SETS.get(label_set) if isinstance(label_set, str) else None
    n = len(text)
    bstarts = [s for s, _ in block_offsets] if block_offsets else []
    spans: list[tuple[int, int, int]] = []
    for j, ent in enumerate(entities):
        if not isinstance(ent, dict):
            continue
        ptr = f"/entities/{j}"
        label = ent.get("label")
        if allowed is not None and isinstance(label, str) and label and label not in allowed:
            out.append(problem("entity-label-unknown", ptr + "/label",
                               f"{show(label)} is not a {label_set} label{suggest_entity_label(label, label_set)}"))
        s, e = as_int(ent.get("start")), as_int(ent.get("end"))
        if s is None or e is None:
            continue
        if s >= e:
            out.append(problem("entity-empty", ptr, f"entity [{s}, {e}) is empty: start must be before end"))
            continue
        if e > n:
            out.append(problem("entity-out-of-range", ptr + "/end",
                               f"entity ends at {e}, beyond the text ({n} characters)"))
            continue
        surface = text[s:e]
        found = ent.get("text")
        if isinstance(found, str) and found != surface:
            out.append(problem("entity-text-mismatch", ptr + "/text",
                               f"text[{s}:{e}] is {show(surface)} but the entity says {show(found)}"))
        if surface[0].isspace() or surface[-1].isspace():
            where = "starts" if surface[0].isspace() else "ends"
            out.append(problem("entity-whitespace-edge", ptr + ("/start" if where == "starts" else "/end"),
                               f"entity [{s}, {e}) {where} on whitespace: {show(surface)}"))
        if block_offsets:
            k = bisect_right(bstarts, s) - 1
            if k < 0 or e > block_offsets[k][1]:
                where = f"block {k} is [{block_offsets[k][0]}, {block_offsets[k][1]})" if k >= 0 else "no block"
                out.append(problem("entity-crosses-blocks", ptr,
                                   f"entity [{s}, {e}) is not inside a single block ({where})"))
        spans.append((s, e, j))
    spans.sort()
    far_end, far_j = -1, -1
    for s, e, j in spans:
        if s < far_end:
            out.append(problem("entity-overlap", f"/entities/{j}",
                               f"entity {j} [{s}, {e}) overlaps entity {far_j}; "
                               "entities are flat (no nesting or overlap)"))
        if e > far_end:
            far_end, far_j = e, j


def _checks(data: dict[str, Any], text: Any, out: list[Problem]) -> None:
    include = _get(data.get("checks"), "include")
    if not isinstance(text, str) or not isinstance(include, list) or not include:
        return
    folded = fold_text(text)
    for k, snippet in enumerate(include):
        if isinstance(snippet, str) and fold_text(snippet) not in folded:
            out.append(problem("checks-include-missing", f"/checks/include/{k}",
                               f"{show(snippet)} does not occur in text (after whitespace folding)"))
