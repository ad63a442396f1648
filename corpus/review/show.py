"""A document rendered for review: a self-contained HTML page or a terminal listing.

The HTML page has no external assets and no script: inline CSS only, a Content-Security-Policy
that forbids scripts, and every piece of the document passed through :func:`html.escape`, so a
page whose text contains markup shows that markup as text.
"""

from __future__ import annotations

import dataclasses
import json
import unicodedata
from html import escape
from typing import Any

from corpus.labels import BLOCK_LABELS, CONTENT_LABELS
from corpus.model import Document

#: Page policy: nothing may load or run; only the inline stylesheet applies.
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'"

#: Background colour per block label (light tints; text stays black).
BLOCK_COLOURS: dict[str, str] = {
    "title": "#ffd6a5", "byline": "#fdffb6", "body": "#caffbf", "caption": "#9bf6ff",
    "navigation": "#d0d1ff", "header": "#e4c1f9", "footer": "#f1c0e8", "advertisement": "#ffadad",
    "related": "#cfbaf0", "paywall": "#fbc4ab", "social": "#a3c4f3", "comments": "#b9fbc0",
    "other": "#e0e0e0",
}
UNLABELLED_COLOUR = "#ffffff"
ENTITY_COLOURS: dict[str, str] = {"PER": "#e63946", "ORG": "#1d3557", "LOC": "#2a9d8f", "MISC": "#8d5a97"}
OTHER_ENTITY_COLOUR = "#555555"


def _e(x: Any) -> str:
    return escape("" if x is None else str(x), quote=True)


def _css_class(label: str | None) -> str:
    return "lab-none" if label is None else f"lab-{label}"


def _style() -> str:
    rules = [
        "body{font-family:system-ui,sans-serif;margin:1.5em;color:#111;background:#fafafa;max-width:70em}",
        "h1{font-size:1.4em}h2{font-size:1.1em;margin-top:1.5em}",
        "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #bbb;padding:.2em .5em;"
        "text-align:left;vertical-align:top}th{background:#eee}",
        ".block{display:flex;gap:.6em;padding:.25em .4em;margin:2px 0;border-left:6px solid #999}",
        ".blabel{flex:0 0 8.5em;font:600 .8em monospace;padding-top:.2em}",
        ".btext{flex:1;white-space:pre-wrap;overflow-wrap:anywhere}",
        ".ent{padding:0 .15em;border-radius:3px;border:2px solid;background:#fff}",
        ".ent sup{font:700 .65em monospace;margin-left:.2em}",
        ".legend span{display:inline-block;padding:.15em .5em;margin:.15em;border:1px solid #999;font-size:.85em}",
        ".content{border-left-color:#2b9348}.boilerplate{border-left-color:#9d0208}",
        "pre.body{white-space:pre-wrap;background:#fff;border:1px solid #ccc;padding:.6em}",
        f".lab-none{{background:{UNLABELLED_COLOUR}}}",
    ]
    rules += [f".lab-{k}{{background:{v}}}" for k, v in BLOCK_COLOURS.items()]
    rules += [f".ent-{k}{{border-color:{v}}}.ent-{k} sup{{color:{v}}}" for k, v in ENTITY_COLOURS.items()]
    return "\n".join(rules)


def _block_html(doc: Document, bi: int, ents: list) -> str:
    b = doc.blocks[bi]
    parts = []
    pos = b.start
    for e in ents:
        parts.append(_e(doc.text[pos : e.start]))
        cls = f"ent ent-{e.label}" if e.label in ENTITY_COLOURS else "ent"
        style = "" if e.label in ENTITY_COLOURS else f' style="border-color:{OTHER_ENTITY_COLOUR}"'
        parts.append(f'<mark class="{_e(cls)}" data-label="{_e(e.label)}"{style}>{_e(doc.text[e.start:e.end])}'
                     f"<sup>{_e(e.label)}</sup></mark>")
        pos = e.end
    parts.append(_e(doc.text[pos : b.end]))
    kind = "content" if b.label in CONTENT_LABELS else ("boilerplate" if b.label else "")
    return (f'<div class="block {_css_class(b.label)} {kind}" data-label="{_e(b.label or "")}" '
            f'data-start="{b.start}" data-end="{b.end}"><span class="blabel">{_e(b.label or "-")}</span>'
            f'<span class="btext">{"".join(parts)}</span></div>')


def _table(rows: list[tuple[str, Any]]) -> str:
    cells = []
    for k, v in rows:
        if isinstance(v, list | tuple):
            v = ", ".join(str(x) for x in v)
        elif isinstance(v, dict):
            v = json.dumps(v, ensure_ascii=False)
        cells.append(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>")
    return "<table>" + "".join(cells) + "</table>"


def _entities_by_block(doc: Document) -> list[list]:
    out: list[list] = [[] for _ in doc.blocks]
    ents = sorted(doc.entities, key=lambda e: (e.start, e.end))
    bi = 0
    last_end = -1
    for e in ents:
        while bi < len(doc.blocks) and doc.blocks[bi].end < e.end:
            bi += 1
        if bi < len(doc.blocks) and doc.blocks[bi].start <= e.start and e.start >= last_end:
            out[bi].append(e)
            last_end = e.end
    return out


def render_html(doc: Document) -> str:
    """The review page of ``doc`` (a complete HTML document)."""
    title = doc.metadata.title or doc.source.url or doc.id
    used = {b.label for b in doc.blocks}
    legend = "".join(f'<span class="{_css_class(lab)}">{_e(lab)}</span>' for lab in BLOCK_LABELS if lab in used)
    if None in used:
        legend += '<span class="lab-none">- (unlabelled)</span>'
    ent_legend = "".join(f'<span class="ent ent-{k}">{_e(k)}</span>' for k in ENTITY_COLOURS
                         if any(e.label == k for e in doc.entities))
    per_block = _entities_by_block(doc)
    blocks = "\n".join(_block_html(doc, i, per_block[i]) for i in range(len(doc.blocks)))
    md = dataclasses.asdict(doc.metadata)
    src = dataclasses.asdict(doc.source)
    ann = doc.annotation
    prov = [*[(f"source.{k}", v) for k, v in src.items()],
            ("normalizer", f"{doc.normalizer.name} {doc.normalizer.version}"),
            ("schema_version", doc.schema_version)]
    for name in ("blocks", "entities", "metadata"):
        layer = getattr(ann, name)
        prov.append((f"annotation.{name}", " ".join(x for x in (layer.status, layer.by and f"by {layer.by}",
                                                                     layer.tool and f"tool {layer.tool}") if x)))
    prov += [("annotation.entity_label_set", ann.entity_label_set),
             ("annotation.guidelines_version", ann.guidelines_version)]
    counts = (f"{len(doc.blocks)} blocks ({sum(b.label is not None for b in doc.blocks)} labelled), "
              f"{len(doc.entities)} entities, {len(doc.text)} characters")
    return f"""<!DOCTYPE html>
<html lang="{_e(doc.metadata.language or 'und')}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{CSP}">
<meta name="referrer" content="no-referrer">
<title>{_e(title)} — review {_e(doc.id)}</title>
<style>
{_style()}
</style>
</head>
<body>
<h1 id="doc-title">{_e(title)}</h1>
<p class="summary">document <code>{_e(doc.id)}</code> · {_e(counts)}</p>
<h2>Legend</h2>
<div class="legend" id="legend">{legend}</div>
<div class="legend" id="entity-legend">{ent_legend}</div>
<p class="note">Left border: green = content ({_e(", ".join(sorted(CONTENT_LABELS)))}), red = boilerplate,
grey = unlabelled.</p>
<h2>Blocks</h2>
<div id="blocks">
{blocks}
</div>
<h2>Metadata</h2>
<div id="metadata">{_table(list(md.items()))}</div>
<h2>Provenance</h2>
<div id="provenance">{_table(prov)}</div>
<h2>Body (derived view)</h2>
<pre class="body" id="body">{_e(doc.body)}</pre>
</body>
</html>
"""


def _safe_terminal(s: str) -> str:
    """Control characters (e.g. terminal escape sequences) shown as ``\\u{HEX}``, not sent."""
    return "".join(f"\\u{{{ord(c):x}}}" if unicodedata.category(c) in ("Cc", "Cs") else c for c in s)


def render_terminal(doc: Document) -> str:
    """Label column + block text (entities as ``[surface]{LABEL}``), metadata first."""
    lines = [f"id: {doc.id}"]
    for k, v in dataclasses.asdict(doc.metadata).items():
        if v not in (None, [], ()):
            lines.append(f"{k}: {', '.join(v) if isinstance(v, list | tuple) else v}")
    if doc.source.url:
        lines.append(f"url: {doc.source.url}")
    lines.append("")
    width = max([len(b.label or "-") for b in doc.blocks] or [1])
    per_block = _entities_by_block(doc)
    for bi, b in enumerate(doc.blocks):
        parts, pos = [], b.start
        for e in per_block[bi]:
            parts += [doc.text[pos : e.start], f"[{doc.text[e.start:e.end]}]{{{e.label}}}"]
            pos = e.end
        parts.append(doc.text[pos : b.end])
        lines.append(f"{(b.label or '-').ljust(width)} | {''.join(parts)}")
    return "".join(_safe_terminal(line) + "\n" for line in lines)
