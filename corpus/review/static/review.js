// corpus review: the page of `corpus review` (plain JS, no dependencies, nothing loaded from elsewhere).
// Document text is only ever put into the page as text nodes (textContent), never parsed as HTML.
// Offsets sent to the server are Unicode code points, as in the documents (JS strings are UTF-16).
"use strict";
(() => {
  const $ = (sel) => document.querySelector(sel);
  const STORE = "corpus-review:";
  const WORD = /[\p{L}\p{N}\p{M}_]/u;
  const SPACE = /\s/u;

  let CFG = null;
  const blockByKey = new Map();
  const blockColour = new Map();
  const S = { queue: [], facets: null, cur: null, drafts: new Map(), saving: false, pop: null };

  // -- small helpers -----------------------------------------------------------------------------
  function el(tag, attrs, ...kids) {
    const n = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === null || v === undefined || v === false) continue;
      if (k === "class") n.className = v;
      else if (k === "text") n.textContent = v;
      else if (k === "style") for (const [p, x] of Object.entries(v)) n.style.setProperty(p, x);
      else if (k.startsWith("on")) n.addEventListener(k.slice(2), v);
      else n.setAttribute(k, v === true ? "" : v);
    }
    for (const kid of kids) if (kid !== null && kid !== undefined) n.append(kid);
    return n;
  }
  const clone = (x) => JSON.parse(JSON.stringify(x));
  let toastTimer = 0;
  function toast(msg, kind) {
    const t = $("#toast");
    t.textContent = msg;
    t.className = "toast " + (kind || "");
    t.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => { t.hidden = true; }, kind === "bad" ? 7000 : 3500);
  }
  async function api(path, opts) {
    const res = await fetch(path, Object.assign({ cache: "no-store", credentials: "same-origin" }, opts || {}));
    let body = null;
    try { body = await res.json(); } catch (e) { body = { error: `HTTP ${res.status}` }; }
    return { status: res.status, body };
  }

  // -- the queue ---------------------------------------------------------------------------------
  function fillSelect(sel, options, keep) {
    const old = keep ? sel.value : "";
    sel.replaceChildren(...options.map(([v, label]) => el("option", { value: v, text: label })));
    if (options.some(([v]) => v === old)) sel.value = old;
  }
  function filterQuery() {
    const q = new URLSearchParams();
    for (const f of ["status", "layer", "source", "language"]) {
      const v = $("#f-" + f).value;
      if (v) q.set(f, v);
    }
    return q.toString();
  }
  async function loadQueue() {
    const { status, body } = await api("api/queue?" + filterQuery());
    if (status !== 200) { toast(body.error || "cannot load the queue", "bad"); return; }
    S.queue = body.documents;
    S.facets = body;
    fillSelect($("#f-source"), [["", "all sources"], ...body.sources.map((s) => [s, s])], true);
    fillSelect($("#f-language"), [["", "all languages"], ...body.languages.map((s) => [s, s === "-" ? "unknown" : s])], true);
    renderQueue();
    renderProgress();
  }
  function renderProgress() {
    if (!S.facets) return;
    const { reviewed, total } = S.facets;
    $("#progress-text").textContent = `${reviewed} of ${total} reviewed`;
    $("#progress-bar").style.width = total ? `${(100 * reviewed) / total}%` : "0";
  }
  function statusDots(st) {
    return el("span", { class: "dots" }, ...CFG.layers.map((l) =>
      el("span", { class: "dot st-" + st[l], title: `${l}: ${st[l]}` })));
  }
  function renderQueue() {
    const ol = $("#queue");
    const cur = S.cur && S.cur.id;
    ol.replaceChildren(...S.queue.map((d, i) => {
      const st = S.cur && S.cur.id === d.id ? S.cur : S.drafts.get(d.id);
      const unsaved = !!(st && st.dirty);
      return el("li", { class: "qitem" + (d.id === cur ? " on" : "") + (d.reviewed ? " done" : ""),
                        "data-id": d.id, onclick: () => openDoc(d.id) },
        el("div", { class: "qtitle", text: d.title, title: d.title }),
        el("div", { class: "qsub" }, statusDots(d.status),
          el("span", { text: `${d.source_dataset} · ${d.language || "?"} · ${d.blocks} blocks` }),
          unsaved ? el("span", { class: "unsaved", text: "● unsaved", title: "edits not saved yet" }) : null),
        el("span", { class: "qnum", text: String(i + 1) }));
    }));
    $("#queue-count").textContent = `${S.queue.length} shown · ${S.facets ? S.facets.total : 0} in corpus`;
  }
  function stepDoc(delta) {
    if (!S.queue.length) return;
    const i = S.cur ? S.queue.findIndex((d) => d.id === S.cur.id) : -1;
    const j = Math.min(S.queue.length - 1, Math.max(0, i + delta));
    if (j !== i) openDoc(S.queue[j].id);
  }

  // -- one document ------------------------------------------------------------------------------
  function makeState(id, loaded) {
    const doc = loaded.document;
    const cps = Array.from(doc.text);
    const u16 = new Int32Array(cps.length + 1);
    for (let i = 0; i < cps.length; i++) u16[i + 1] = u16[i] + cps[i].length;
    const ann = doc.annotation || {};
    return {
      id, version: loaded.version, doc, cps, u16,
      labels: doc.blocks.map((b) => b.label),
      entities: (doc.entities || []).map((e) => ({ start: e.start, end: e.end, label: e.label })),
      metadata: clone(doc.metadata || {}),
      status: Object.fromEntries(CFG.layers.map((l) => [l, (ann[l] || {}).status || "none"])),
      labelSet: ann.entity_label_set || "conll4",
      undo: [], redo: [], dirty: false, problems: loaded.problems || [],
      cursor: 0, anchor: 0, selEnt: -1,
    };
  }
  function snapshot(c) {
    return { labels: c.labels.slice(), entities: clone(c.entities), metadata: clone(c.metadata), status: clone(c.status),
             cursor: c.cursor, anchor: c.anchor };
  }
  function restore(c, snap) {
    c.labels = snap.labels; c.entities = snap.entities; c.metadata = snap.metadata; c.status = snap.status;
    if (snap.cursor !== undefined && snap.cursor < c.labels.length) { c.cursor = snap.cursor; c.anchor = snap.anchor; }
    c.selEnt = -1;
  }
  function remember(c) {
    try {
      if (c.dirty) localStorage.setItem(STORE + c.id, JSON.stringify({ version: c.version, ...snapshot(c) }));
      else localStorage.removeItem(STORE + c.id);
    } catch (e) { /* storage full or disabled: the tab still holds the edits */ }
  }
  function change(what, fn) {
    const c = S.cur;
    if (!c) return;
    const before = snapshot(c);
    fn(c);
    c.undo.push({ snap: before, what });
    c.redo = [];
    c.dirty = true;
    remember(c);
    renderAll();
  }
  function undo(redo) {
    const c = S.cur;
    if (!c) return;
    const from = redo ? c.redo : c.undo, to = redo ? c.undo : c.redo;
    const step = from.pop();
    if (!step) { toast(redo ? "nothing to redo" : "nothing to undo"); return; }
    to.push({ snap: snapshot(c), what: step.what });
    restore(c, step.snap);
    c.dirty = true;
    remember(c);
    renderAll();
    scrollToCursor();
    toast((redo ? "redone: " : "undone: ") + step.what);
  }

  async function openDoc(id) {
    if (S.cur && S.cur.dirty) S.drafts.set(S.cur.id, S.cur);
    closePop();
    if (S.drafts.has(id)) {
      S.cur = S.drafts.get(id);
      S.drafts.delete(id);
      showDoc();
      return;
    }
    const { status, body } = await api("api/documents/" + encodeURIComponent(id));
    if (status !== 200) { toast(body.error || "cannot open the document", "bad"); return; }
    const c = makeState(id, body);
    try {
      const kept = JSON.parse(localStorage.getItem(STORE + id) || "null");
      if (kept && kept.version === c.version && kept.labels.length === c.labels.length) {
        restore(c, kept);
        c.dirty = true;
        toast("restored the unsaved edits this browser kept for this document");
      }
    } catch (e) { /* ignore a damaged entry */ }
    S.cur = c;
    showDoc();
  }
  function showDoc() {
    const c = S.cur;
    $("#original").src = "raw/" + encodeURIComponent(c.id);
    history.replaceState(null, "", "#" + c.id);
    $("#banner").hidden = true;
    buildMetaForm();
    renderAll();
    scrollToCursor();
    $("#blocks").focus({ preventScroll: true });
  }

  // -- rendering ---------------------------------------------------------------------------------
  function blockText(c, i) {
    const b = c.doc.blocks[i];
    return c.cps.slice(b.start, b.end).join("");
  }
  function entityColour(label) {
    const set = CFG.entity_label_sets[S.cur.labelSet] || [];
    const hit = set.find((x) => x.label === label);
    return hit ? hit.colour : "#555555";
  }
  function problemsByTarget(c) {
    const blocks = new Map(), ents = new Map(), meta = new Map(), other = [];
    for (const p of c.problems) {
      let m;
      if ((m = /^\/blocks\/(\d+)/.exec(p.pointer))) push(blocks, +m[1], p);
      else if ((m = /^\/entities\/(\d+)/.exec(p.pointer))) push(ents, +m[1], p);
      else if ((m = /^\/metadata\/([a-z_]+)/.exec(p.pointer))) push(meta, m[1], p);
      else other.push(p);
    }
    return { blocks, ents, meta, other };
    function push(map, k, p) { if (!map.has(k)) map.set(k, []); map.get(k).push(p); }
  }
  function entitiesOfBlock(c, i) {
    const b = c.doc.blocks[i];
    const out = [];
    c.entities.forEach((e, k) => { if (e.start >= b.start && e.end <= b.end && e.start < e.end) out.push(k); });
    out.sort((x, y) => c.entities[x].start - c.entities[y].start);
    return out;
  }
  function probLine(p) {
    return el("div", { class: "prob " + p.severity },
      el("code", { class: "rule", text: p.rule }), el("span", { text: " " + p.message }));
  }
  function renderBlock(c, i, probs) {
    const b = c.doc.blocks[i];
    const label = c.labels[i];
    const lo = Math.min(c.anchor, c.cursor), hi = Math.max(c.anchor, c.cursor);
    const info = label ? CFG.block_labels.find((x) => x.label === label) : null;
    const cls = ["block", label ? "lab" : "unl", info ? (info.content ? "content" : "boiler") : "",
                 i === c.cursor ? "cur" : "", i >= lo && i <= hi && lo !== hi ? "insel" : "",
                 probs.blocks.has(i) ? "hasprob" : ""].join(" ");
    const text = el("div", { class: "btext", "data-i": String(i) });
    let pos = b.start;
    const base = c.u16[b.start];
    const full = blockText(c, i);
    const sl = (s, e) => full.slice(c.u16[s] - base, c.u16[e] - base);
    for (const k of entitiesOfBlock(c, i)) {
      const e = c.entities[k];
      if (e.start < pos) continue; // an overlapping entity (reported by the validator) is listed, not drawn
      if (e.start > pos) text.append(document.createTextNode(sl(pos, e.start)));
      text.append(el("mark", { class: "ent" + (k === c.selEnt ? " sel" : "") + (probs.ents.has(k) ? " prob" : ""),
                               "data-e": String(k), "data-label": e.label, style: { "--ec": entityColour(e.label) },
                               title: `${e.label} · click to change or remove` }, sl(e.start, e.end)));
      pos = e.end;
    }
    if (pos < b.end) text.append(document.createTextNode(sl(pos, b.end)));
    const node = el("div", { class: cls, "data-i": String(i), style: info ? { "--c": info.colour } : null },
      el("span", { class: "gutter", text: String(i + 1) }),
      el("span", { class: "chip", text: label || "—", title: label ? `${label} (${info ? info.key : "?"})` : "unlabelled" }),
      text);
    for (const p of probs.blocks.get(i) || []) node.append(el("div", { class: "bprobs" }, probLine(p)));
    for (const k of entitiesOfBlock(c, i)) for (const p of probs.ents.get(k) || []) {
      node.append(el("div", { class: "bprobs" }, probLine({ ...p, message: `${c.entities[k].label} “${sl(c.entities[k].start, c.entities[k].end)}”: ${p.message}` })));
    }
    return node;
  }
  function renderAll() {
    const c = S.cur;
    if (!c) return;
    const probs = problemsByTarget(c);
    const frag = document.createDocumentFragment();
    for (let i = 0; i < c.doc.blocks.length; i++) frag.append(renderBlock(c, i, probs));
    $("#blocks").replaceChildren(frag);
    renderHead(c);
    renderProblems(c, probs);
    renderMetaState(c, probs);
    renderProvenance(c);
    renderQueue();
    if (S.pop !== null && c.selEnt >= 0) placePop();
    $("#undo").disabled = !c.undo.length;
    $("#redo").disabled = !c.redo.length;
    $("#save").classList.toggle("pulse", c.dirty);
  }
  function renderHead(c) {
    const md = c.metadata, src = c.doc.source || {};
    const title = md.title || (c.doc.blocks.length ? blockText(c, 0) : c.id);
    $("#doc-title").textContent = title;
    const unl = c.labels.filter((x) => x === null).length;
    $("#doc-meta").replaceChildren(...[
      el("code", { text: c.id }),
      el("span", { text: src.source_dataset || "" }),
      el("span", { text: md.language || "language ?" }),
      src.url ? el("span", { class: "url", text: src.url, title: src.url }) : null,
      el("span", { text: `${c.labels.length} blocks${unl ? ` · ${unl} unlabelled` : ""} · ${c.entities.length} entities` }),
      el("span", { class: "layers" }, ...CFG.layers.map((l) => el("span", { class: "pill st-" + c.status[l], text: `${l} ${c.status[l]}` }))),
      c.dirty ? el("span", { class: "unsaved", text: "● unsaved changes" }) : el("span", { class: "saved", text: "saved" }),
    ].filter((x) => x !== null));
  }
  function renderProblems(c, probs) {
    const box = $("#problems");
    if (!c.problems.length) { box.hidden = true; box.replaceChildren(); return; }
    const errors = c.problems.filter((p) => p.severity === "error").length;
    const items = c.problems.map((p) => el("li", {
      class: p.severity, onclick: () => jumpTo(p.pointer), title: "show where" },
      el("code", { class: "rule", text: p.rule }), el("code", { class: "ptr", text: p.pointer || "/" }),
      el("span", { text: p.message })));
    box.replaceChildren(el("div", { class: "ptitle", text: errors
      ? `${errors} error${errors > 1 ? "s" : ""} — the validator refuses this document; fix ${errors > 1 ? "them" : "it"} and save again`
      : `${c.problems.length} warning${c.problems.length > 1 ? "s" : ""}` }), el("ul", {}, ...items));
    box.className = "problems " + (errors ? "error" : "warning");
    box.hidden = false;
    void probs;
  }
  function jumpTo(ptr) {
    const c = S.cur;
    let m;
    if ((m = /^\/blocks\/(\d+)/.exec(ptr))) { c.cursor = c.anchor = +m[1]; renderAll(); scrollToCursor(); }
    else if ((m = /^\/entities\/(\d+)/.exec(ptr))) {
      const e = c.entities[+m[1]];
      if (e) { const i = c.doc.blocks.findIndex((b) => e.start >= b.start && e.start < b.end); if (i >= 0) { c.cursor = c.anchor = i; renderAll(); scrollToCursor(); } }
    } else if (/^\/(metadata|annotation)/.test(ptr)) showTab("metadata");
  }
  function scrollToCursor() {
    const n = $(`#blocks .block[data-i="${S.cur.cursor}"]`);
    if (n) n.scrollIntoView({ block: "nearest" });
  }

  // -- metadata form and provenance --------------------------------------------------------------
  const LIST_FIELDS = new Set(["authors", "categories", "tags"]);
  const LONG_FIELDS = new Set(["description"]);
  const HINTS = { date_published: "YYYY-MM-DD or ISO 8601 date-time", date_modified: "YYYY-MM-DD or ISO 8601 date-time",
                  language: "BCP-47, e.g. en", authors: "one per line", categories: "one per line", tags: "one per line" };
  function fieldValue(f, v) {
    if (LIST_FIELDS.has(f)) return (v || []).join("\n");
    if (f === "is_accessible_for_free") return v === true ? "true" : v === false ? "false" : "";
    return v === null || v === undefined ? "" : String(v);
  }
  function parseField(f, s) {
    if (LIST_FIELDS.has(f)) return s.split("\n").map((x) => x.trim()).filter((x) => x);
    if (f === "is_accessible_for_free") return s === "true" ? true : s === "false" ? false : null;
    const t = s.trim();
    return t ? t : null;
  }
  function buildMetaForm() {
    const form = $("#meta-form");
    form.replaceChildren(...CFG.metadata_fields.map((f) => {
      let input;
      if (f === "is_accessible_for_free") {
        input = el("select", { name: f }, el("option", { value: "", text: "unknown" }),
          el("option", { value: "true", text: "yes" }), el("option", { value: "false", text: "no (paywalled)" }));
      } else if (LIST_FIELDS.has(f) || LONG_FIELDS.has(f)) {
        input = el("textarea", { name: f, rows: LONG_FIELDS.has(f) ? 4 : 2, spellcheck: "false" });
      } else {
        input = el("input", { name: f, type: "text", spellcheck: "false" });
      }
      if (HINTS[f]) input.setAttribute("placeholder", HINTS[f]);
      input.addEventListener("change", () => {
        const v = parseField(f, input.value);
        if (JSON.stringify(v) === JSON.stringify(S.cur.metadata[f] ?? (LIST_FIELDS.has(f) ? [] : null))) return;
        change(`metadata ${f}`, (c) => { c.metadata[f] = v; });
      });
      return el("label", { class: "field", "data-f": f }, el("span", { class: "fname", text: f.replace(/_/g, " ") }), input,
        el("span", { class: "fprob" }));
    }));
  }
  function renderMetaState(c, probs) {
    let changed = 0;
    for (const f of CFG.metadata_fields) {
      const box = document.querySelector(`#meta-form .field[data-f="${f}"]`);
      if (!box) continue;
      const input = box.querySelector("input,textarea,select");
      const want = fieldValue(f, c.metadata[f]);
      if (document.activeElement !== input && input.value !== want) input.value = want;
      const ps = probs.meta.get(f) || [];
      box.classList.toggle("prob", ps.length > 0);
      box.querySelector(".fprob").replaceChildren(...ps.map(probLine));
      const orig = JSON.stringify((c.doc.metadata || {})[f] ?? null), now = JSON.stringify(c.metadata[f] ?? null);
      box.classList.toggle("edited", orig !== now);
      if (orig !== now) changed++;
    }
    $("#meta-dirty").textContent = changed ? `· ${changed} edited` : "";
  }
  function renderProvenance(c) {
    const ann = c.doc.annotation || {};
    const rows = CFG.layers.map((l) => {
      const sel = el("select", { "aria-label": `${l} status` }, ...CFG.statuses.map((s) => el("option", { value: s, text: s })));
      sel.value = c.status[l];
      sel.addEventListener("change", () => change(`${l} status`, (cc) => { cc.status[l] = sel.value; }));
      const layer = ann[l] || {};
      return el("tr", {}, el("th", { text: l }), el("td", {}, sel),
        el("td", { class: "muted", text: layer.by ? `by ${layer.by}` : "" }),
        el("td", { class: "muted small", text: layer.tool || "" }));
    });
    $("#provenance").replaceChildren(el("table", { class: "prov" }, ...rows),
      el("p", { class: "muted small", text: `entity label set ${ann.entity_label_set || "conll4"} · guidelines ${ann.guidelines_version || "not recorded"} (this session records ${CFG.guidelines_version})` }));
  }

  // -- keys legend and help ----------------------------------------------------------------------
  function renderKeys() {
    const blocks = CFG.block_labels.map((b) => el("button", {
      type: "button", class: "key " + (b.content ? "content" : "boiler"), style: { "--c": b.colour },
      title: `label the selected blocks ${b.label}`, onclick: () => labelRange(b.label) },
      el("kbd", { text: b.key }), el("span", { text: b.label })));
    const misc = [
      el("button", { type: "button", class: "key", onclick: () => labelRange(null), title: "clear the label" }, el("kbd", { text: CFG.unlabel_key }), el("span", { text: "clear" })),
      el("button", { type: "button", class: "key", onclick: sameAsPrevious, title: "the label of the block before" }, el("kbd", { text: CFG.same_as_previous_key }), el("span", { text: "same as previous" })),
    ];
    const set = CFG.entity_label_sets[(S.cur && S.cur.labelSet) || "conll4"];
    const ents = set.filter((e) => e.key).map((e) => el("span", { class: "key ekey", style: { "--ec": e.colour },
      title: "select text, then press the key" }, el("kbd", { text: e.key }), el("span", { text: e.label })));
    $("#keys").replaceChildren(
      el("div", { class: "krow" }, el("span", { class: "khead", text: "Blocks" }), ...blocks, ...misc),
      el("div", { class: "krow" }, el("span", { class: "khead", text: "Entities" }), ...ents,
        el("span", { class: "khint", text: "select text + key · click an entity to change or remove · ↑↓ move · ⇧↑↓ range · u undo · Ctrl+S save · [ ] documents · ? help" })));
    const rows = [
      ["↑ ↓  or  k j", "previous / next block"], ["⇧↑ ⇧↓  or  ⇧click", "extend the selected range of blocks"],
      ["Home / End", "first / last block"],
      ...CFG.block_labels.map((b) => [b.key, `label ${b.label}, then move on`]),
      [CFG.unlabel_key, "clear the label"], [CFG.same_as_previous_key, "same label as the block before the range"],
      ...set.filter((e) => e.key).map((e) => [e.key, `with text selected: add a ${e.label} entity (snaps to whole words)`]),
      ["click an entity", "change its label (its key) or remove it (Delete)"], ["Esc", "close the entity menu"],
      ["u  /  Ctrl+Z", "undo"], ["⇧U  /  Ctrl+⇧Z  /  Ctrl+Y", "redo"], ["Ctrl+S", "save (only a valid document is written)"],
      ["Ctrl+Enter", "accept: every layer gold, by the annotator, then save"], ["[  /  ]", "previous / next document in the queue"],
    ];
    $("#tab-help").replaceChildren(el("h3", { text: "Keyboard" }),
      el("table", { class: "keytable" }, ...rows.map(([k, v]) => el("tr", {}, el("td", {}, el("kbd", { text: k })), el("td", { text: v })))),
      el("p", { class: "muted", text: "Edits live in this tab (and in this browser's storage) until a save succeeds; a refused save changes nothing on disk and loses nothing here." }));
  }
  function showTab(name) {
    for (const b of document.querySelectorAll(".tabs button")) b.classList.toggle("on", b.dataset.tab === name);
    for (const t of ["original", "metadata", "help"]) $("#tab-" + t).hidden = t !== name;
  }

  // -- editing -----------------------------------------------------------------------------------
  function range(c) { return [Math.min(c.anchor, c.cursor), Math.max(c.anchor, c.cursor)]; }
  function labelRange(label) {
    const c = S.cur;
    if (!c || !c.labels.length) return;
    const [lo, hi] = range(c);
    change(`${hi > lo ? `blocks ${lo + 1}–${hi + 1}` : `block ${lo + 1}`} → ${label || "unlabelled"}`, (cc) => {
      for (let i = lo; i <= hi; i++) cc.labels[i] = label;
      cc.cursor = cc.anchor = Math.min(hi + 1, cc.labels.length - 1);
    });
    scrollToCursor();
  }
  function sameAsPrevious() {
    const c = S.cur;
    if (!c) return;
    const [lo] = range(c);
    if (lo === 0) { toast("the first block has no block before it"); return; }
    labelRange(c.labels[lo - 1]);
  }
  function move(delta, extend) {
    const c = S.cur;
    if (!c || !c.labels.length) return;
    c.cursor = Math.max(0, Math.min(c.labels.length - 1, c.cursor + delta));
    if (!extend) c.anchor = c.cursor;
    renderAll();
    scrollToCursor();
  }
  function offsetIn(container, node, off) {
    if (container.contains(node)) {
      const r = document.createRange();
      r.setStart(container, 0);
      r.setEnd(node, off);
      return r.toString().length;
    }
    return node.compareDocumentPosition(container) & Node.DOCUMENT_POSITION_FOLLOWING ? 0 : container.textContent.length;
  }
  function u16ToCp(c, b, u) { // UTF-16 offset inside block b -> code point offset in text
    let lo = b.start, hi = b.end;
    const target = c.u16[b.start] + u;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (c.u16[mid] < target) lo = mid + 1; else hi = mid; }
    return lo;
  }
  function addEntityFromSelection(label) {
    const c = S.cur;
    const sel = window.getSelection();
    if (!c || !sel || sel.isCollapsed || !sel.rangeCount) return false;
    const r = sel.getRangeAt(0);
    const startBlock = (r.startContainer.nodeType === 1 ? r.startContainer : r.startContainer.parentElement).closest(".block");
    const endBlock = (r.endContainer.nodeType === 1 ? r.endContainer : r.endContainer.parentElement).closest(".block");
    if (!startBlock || !endBlock || !$("#blocks").contains(startBlock)) return false;
    if (startBlock !== endBlock) { toast("an entity lies inside one block: select text within a single block", "bad"); return true; }
    const i = +startBlock.dataset.i, b = c.doc.blocks[i];
    const btext = startBlock.querySelector(".btext");
    let s = u16ToCp(c, b, offsetIn(btext, r.startContainer, r.startOffset));
    let e = u16ToCp(c, b, offsetIn(btext, r.endContainer, r.endOffset));
    while (s < e && SPACE.test(c.cps[s])) s++;
    while (e > s && SPACE.test(c.cps[e - 1])) e--;
    while (s > b.start && s < e && WORD.test(c.cps[s - 1]) && WORD.test(c.cps[s])) s--;
    while (e < b.end && e > s && WORD.test(c.cps[e]) && WORD.test(c.cps[e - 1])) e++;
    if (s >= e) { toast("the selection holds no text"); return true; }
    const replaced = c.entities.filter((x) => x.start < e && s < x.end).length;
    sel.removeAllRanges();
    change(`${label} “${c.cps.slice(s, e).join("")}”`, (cc) => {
      cc.entities = cc.entities.filter((x) => !(x.start < e && s < x.end));
      cc.entities.push({ start: s, end: e, label });
      cc.entities.sort((x, y) => x.start - y.start || x.end - y.end);
      cc.cursor = cc.anchor = i;
      cc.selEnt = -1;
    });
    toast(`added ${label} “${c.cps.slice(s, e).join("")}”` + (replaced ? ` (replaced ${replaced} overlapping)` : ""));
    return true;
  }
  function entityKeyLabel(key) {
    const set = CFG.entity_label_sets[S.cur.labelSet] || [];
    const hit = set.find((x) => x.key === key);
    return hit ? hit.label : null;
  }

  // -- the entity menu ---------------------------------------------------------------------------
  function openPop(k) {
    const c = S.cur;
    c.selEnt = k;
    S.pop = k;
    const set = CFG.entity_label_sets[c.labelSet] || [];
    const e = c.entities[k];
    const pop = $("#entity-pop");
    pop.replaceChildren(
      el("div", { class: "ptitle", text: `“${c.cps.slice(e.start, e.end).join("")}”` }),
      el("div", { class: "pbtns" }, ...set.map((x) => el("button", {
        type: "button", class: "ebtn" + (x.label === e.label ? " on" : ""), style: { "--ec": x.colour },
        onclick: () => relabelEntity(x.label) }, x.key ? el("kbd", { text: x.key }) : null, el("span", { text: x.label })))),
      el("button", { type: "button", class: "danger", onclick: removeEntity }, el("kbd", { text: "Del" }), el("span", { text: " remove" })));
    pop.hidden = false;
    renderAll();
  }
  function placePop() {
    const m = document.querySelector(`#blocks mark[data-e="${S.cur.selEnt}"]`);
    const pop = $("#entity-pop");
    if (!m) { closePop(); return; }
    const r = m.getBoundingClientRect();
    pop.style.left = `${Math.max(8, Math.min(window.innerWidth - pop.offsetWidth - 8, r.left))}px`;
    pop.style.top = `${r.bottom + 6}px`;
  }
  function closePop() {
    S.pop = null;
    $("#entity-pop").hidden = true;
    if (S.cur && S.cur.selEnt >= 0) { S.cur.selEnt = -1; renderAll(); }
  }
  function relabelEntity(label) {
    const k = S.cur.selEnt;
    if (k < 0) return;
    const e = S.cur.entities[k];
    if (e.label !== label) change(`entity “${S.cur.cps.slice(e.start, e.end).join("")}” → ${label}`, (c) => { c.entities[k].label = label; });
    closePop();
  }
  function removeEntity() {
    const k = S.cur.selEnt;
    if (k < 0) return;
    const e = S.cur.entities[k];
    change(`removed ${e.label} “${S.cur.cps.slice(e.start, e.end).join("")}”`, (c) => { c.entities.splice(k, 1); c.selEnt = -1; });
    closePop();
  }

  // -- saving ------------------------------------------------------------------------------------
  async function save(accept, force) {
    const c = S.cur;
    if (!c || S.saving) return;
    const annotator = $("#annotator").value.trim();
    const goldNew = CFG.layers.some((l) => c.status[l] === "gold" && ((c.doc.annotation || {})[l] || {}).status !== "gold");
    if ((accept || goldNew) && !annotator) {
      toast("enter the annotator's name first: gold layers record who checked them", "bad");
      $("#annotator").focus();
      return;
    }
    const edit = { version: c.version, labels: c.labels, entities: c.entities, metadata: c.metadata, status: c.status,
                   annotator, accept: !!accept, force: !!force };
    S.saving = true;
    $("#save").disabled = $("#accept").disabled = true;
    let res;
    try {
      res = await api("api/documents/" + encodeURIComponent(c.id), {
        method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(edit) });
    } catch (err) {
      toast("the server cannot be reached: nothing was saved; your edits are kept in this tab", "bad");
      return;
    } finally {
      S.saving = false;
      $("#save").disabled = $("#accept").disabled = false;
    }
    const { status, body } = res;
    if (S.cur !== c) { if (status === 200) c.dirty = false; return; }
    $("#banner").hidden = true;
    if (status === 200 && body.ok) {
      c.doc = body.document;
      c.version = body.version;
      c.status = Object.fromEntries(CFG.layers.map((l) => [l, body.document.annotation[l].status]));
      c.dirty = false;
      c.problems = body.problems;
      remember(c);
      S.facets = Object.assign(S.facets || {}, { reviewed: body.reviewed, total: body.total });
      await loadQueue();
      renderAll();
      toast((accept ? "accepted as gold and saved" : "saved") + " · the validator accepts it" +
            (body.problems.length ? ` (${body.problems.length} warning${body.problems.length > 1 ? "s" : ""})` : ""), "good");
    } else if (status === 422) {
      c.problems = body.problems;
      renderAll();
      const n = body.problems.filter((p) => p.severity === "error").length;
      toast(`not saved: ${n} problem${n > 1 ? "s" : ""} (shown in place); your edits are kept`, "bad");
    } else if (status === 409) {
      const b = $("#banner");
      b.replaceChildren(el("span", { text: body.error + " " }),
        el("button", { type: "button", onclick: () => save(accept, true), text: "Save mine anyway" }),
        el("button", { type: "button", onclick: () => { localStorage.removeItem(STORE + c.id); c.dirty = false; openDoc(c.id); }, text: "Discard mine, load the file" }));
      b.hidden = false;
    } else {
      toast(`not saved: ${body.error || "HTTP " + status}; your edits are kept`, "bad");
    }
  }

  // -- events ------------------------------------------------------------------------------------
  function inField(t) { return t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT"); }
  function onKey(ev) {
    const k = ev.key, ctrl = ev.ctrlKey || ev.metaKey;
    if (ctrl && k.toLowerCase() === "s") { ev.preventDefault(); save(false); return; }
    if (ctrl && k === "Enter") { ev.preventDefault(); save(true); return; }
    if (inField(ev.target)) { if (k === "Escape") ev.target.blur(); return; }
    if (!S.cur) return;
    const c = S.cur;
    if (ctrl && (k === "z" || k === "Z")) { ev.preventDefault(); undo(ev.shiftKey); return; }
    if (ctrl && k === "y") { ev.preventDefault(); undo(true); return; }
    if (ctrl || ev.altKey) return;
    if (c.selEnt >= 0) {
      const lab = entityKeyLabel(k);
      if (lab) { ev.preventDefault(); relabelEntity(lab); return; }
      if (k === "Delete" || k === "Backspace" || k === "x") { ev.preventDefault(); removeEntity(); return; }
      if (k === "Escape") { ev.preventDefault(); closePop(); return; }
    }
    const elab = entityKeyLabel(k);
    if (elab) { if (addEntityFromSelection(elab)) ev.preventDefault(); return; }
    if (ev.shiftKey && (k === "ArrowDown" || k === "ArrowUp")) { ev.preventDefault(); move(k === "ArrowDown" ? 1 : -1, true); return; }
    switch (k) {
      case "ArrowDown": case "j": ev.preventDefault(); move(1, false); return;
      case "ArrowUp": case "k": ev.preventDefault(); move(-1, false); return;
      case "J": ev.preventDefault(); move(1, true); return;
      case "K": ev.preventDefault(); move(-1, true); return;
      case "Home": ev.preventDefault(); move(-c.cursor, ev.shiftKey); return;
      case "End": ev.preventDefault(); move(c.labels.length, ev.shiftKey); return;
      case "u": ev.preventDefault(); undo(false); return;
      case "U": ev.preventDefault(); undo(true); return;
      case "[": ev.preventDefault(); stepDoc(-1); return;
      case "]": ev.preventDefault(); stepDoc(1); return;
      case "?": ev.preventDefault(); showTab("help"); return;
      case "Escape": window.getSelection().removeAllRanges(); c.anchor = c.cursor; renderAll(); return;
      default: break;
    }
    if (k === CFG.unlabel_key) { ev.preventDefault(); labelRange(null); return; }
    if (k === CFG.same_as_previous_key) { ev.preventDefault(); sameAsPrevious(); return; }
    const lab = blockByKey.get(k);
    if (lab) { ev.preventDefault(); labelRange(lab); }
  }
  function onBlocksClick(ev) {
    const c = S.cur;
    if (!c) return;
    const sel = window.getSelection();
    const mark = ev.target.closest("mark.ent");
    if (mark && sel.isCollapsed) { openPop(+mark.dataset.e); return; }
    const block = ev.target.closest(".block");
    if (!block) return;
    if (S.pop !== null) closePop();
    const i = +block.dataset.i;
    if (ev.shiftKey && sel.isCollapsed) { c.cursor = i; renderAll(); return; }
    if (sel.isCollapsed || ev.target.closest(".chip,.gutter")) { c.cursor = c.anchor = i; renderAll(); }
  }

  async function init() {
    const { status, body } = await api("api/config");
    if (status !== 200) { document.body.textContent = "corpus review: cannot load the configuration"; return; }
    CFG = body;
    for (const b of CFG.block_labels) { blockByKey.set(b.key, b.label); blockColour.set(b.label, b.colour); }
    $("#corpus-name").textContent = CFG.corpus;
    $("#corpus-name").title = CFG.corpus;
    const who = $("#annotator");
    who.value = CFG.annotator || localStorage.getItem(STORE + "annotator") || "";
    who.addEventListener("change", () => { try { localStorage.setItem(STORE + "annotator", who.value.trim()); } catch (e) { /* ignore */ } });
    fillSelect($("#f-status"), [["", "any status"], ["to-review", "to review"], ["reviewed", "reviewed (gold)"],
      ...CFG.statuses.map((s) => [s, `has ${s}`])]);
    fillSelect($("#f-layer"), [["", "any layer"], ...CFG.layers.map((l) => [l, `${l} layer`])]);
    for (const f of ["status", "layer", "source", "language"]) $("#f-" + f).addEventListener("change", loadQueue);
    for (const b of document.querySelectorAll(".tabs button")) b.addEventListener("click", () => showTab(b.dataset.tab));
    $("#undo").addEventListener("click", () => undo(false));
    $("#redo").addEventListener("click", () => undo(true));
    $("#save").addEventListener("click", () => save(false));
    $("#accept").addEventListener("click", () => save(true));
    $("#blocks").addEventListener("click", onBlocksClick);
    document.addEventListener("keydown", onKey);
    document.addEventListener("mousedown", (ev) => { if (S.pop !== null && !ev.target.closest("#entity-pop,mark.ent")) closePop(); });
    window.addEventListener("hashchange", () => {
      const id = decodeURIComponent(location.hash.slice(1));
      if (id && (!S.cur || S.cur.id !== id)) openDoc(id);
    });
    window.addEventListener("resize", () => { if (S.pop !== null) placePop(); });
    $("#blocks").addEventListener("scroll", () => { if (S.pop !== null) placePop(); });
    window.addEventListener("beforeunload", (ev) => {
      if ((S.cur && S.cur.dirty) || [...S.drafts.values()].some((d) => d.dirty)) { ev.preventDefault(); ev.returnValue = ""; }
    });
    renderKeys();
    await loadQueue();
    const want = decodeURIComponent(location.hash.slice(1));
    const first = S.queue.find((d) => d.id === want) || S.queue.find((d) => !d.reviewed) || S.queue[0];
    if (first) await openDoc(first.id);
    renderKeys();
    document.body.dataset.ready = "1";
  }
  init();
})();
