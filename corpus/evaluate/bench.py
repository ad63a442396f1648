"""``corpus bench``: score extractors and prediction files on a corpus (DESIGN §6, §9).

I/O happens here (raw pages, predictions files, the output cache, reports); the scoring itself is
the pure functions of :mod:`corpus.evaluate.metrics`. Extractor outputs are cached on disk by
(document id + raw sha256, system, version, options), so a rerun only extracts what changed.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corpus.documents import load_corpus, load_documents
from corpus.errors import ConfigError
from corpus.evaluate import metrics as M
from corpus.evaluate.entities import entity_scores
from corpus.evaluate.extractors import Extractor, resolve
from corpus.evaluate.extractors.pool import Outcome, Task, run_isolated
from corpus.limits import EXTRACTOR_TIMEOUT_S, MAX_EXTRACTOR_OUTPUT_BYTES
from corpus.model import Document
from corpus.store import atomic_write

#: Block-annotation statuses whose ``body`` view counts as gold main text.
GOLD_BLOCK_STATUSES = frozenset({"gold", "projected"})
#: Breakdown dimensions of the report (``page_type`` only when some document carries one).
BREAKDOWNS: tuple[str, ...] = ("language", "site", "source", "page_type")
#: Group of the documents without a value for a breakdown dimension.
UNKNOWN_GROUP = "unknown"
DEFAULT_CACHE = Path("~/.cache/webcorpus/bench")


# -- corpus and gold ------------------------------------------------------------------------------
def text_gold(doc: Document) -> str | None:
    """Gold main text: the source's verbatim ``reference.text``, else the ``body`` view of gold blocks."""
    if doc.reference is not None:
        return doc.reference.text
    if complete_block_gold(doc):
        return doc.body
    return None


def complete_block_gold(doc: Document) -> bool:
    """Block labels usable as gold: layer ``gold``, or ``projected`` with every block labelled
    (a partial projection, e.g. from a few snippets, says nothing about the unlabelled blocks)."""
    status = doc.annotation.blocks.status
    if status == "gold":
        return any(b.label is not None for b in doc.blocks)
    return status == "projected" and bool(doc.blocks) and all(b.label is not None for b in doc.blocks)


def has_gold(doc: Document, metric: str) -> bool:
    if metric == "trafilatura_segments":
        return bool(doc.checks.include or doc.checks.exclude)
    return text_gold(doc) is not None


def _metric_items(metric: str, docs: Sequence[Document], outputs: Mapping[str, str | None]) -> list[Any]:
    if metric == "trafilatura_segments":
        return [(outputs.get(d.id), d.checks.include, d.checks.exclude) for d in docs]
    return [(outputs.get(d.id), text_gold(d) or "") for d in docs]


# -- predictions files ----------------------------------------------------------------------------
def load_predictions(path: str | os.PathLike[str]) -> tuple[dict[str, str | None], str | None]:
    """``({id: text or None}, version)`` from a predictions file.

    Accepted: AEB style ``{id: {"articleBody": ...}}`` or ``{"version": ..., "output": {...}}``
    (values may also be plain strings), and JSONL ``{"id": ..., "text": ...}``. Texts are kept
    verbatim. A ``null`` text is a failure on that page; a missing ``articleBody`` is an empty output.
    """
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"{p}: predictions file not found")
    raw = p.read_text(encoding="utf-8")
    out: dict[str, str | None] = {}
    version = None
    if p.suffix == ".jsonl":
        for n, line in enumerate(raw.splitlines(), 1):
            if not line.strip():
                continue
            try:
                rec = json.loads(line)
                out[str(rec["id"])] = _pred_text(rec.get("text", rec.get("articleBody")))
            except (ValueError, KeyError, TypeError) as exc:
                raise ConfigError(f"{p}:{n}: not a predictions record {{id, text}}: {exc}") from exc
        return out, version
    try:
        data = json.loads(raw)
    except ValueError as exc:
        raise ConfigError(f"{p}: not JSON: {exc}") from exc
    if isinstance(data, dict) and isinstance(data.get("output"), dict):
        version = None if data.get("version") is None else str(data["version"])
        data = data["output"]
    if not isinstance(data, dict):
        raise ConfigError(f"{p}: expected an object mapping ids to predictions")
    for key, value in data.items():
        try:
            if isinstance(value, dict):
                out[str(key)] = _pred_text(value.get("articleBody", value.get("text", "")))
            else:
                out[str(key)] = _pred_text(value)
        except TypeError as exc:
            raise ConfigError(f"{p}: prediction {key!r}: {exc}") from exc
    return out, version


def _pred_text(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    raise TypeError(f"prediction text must be a string or null, not {type(value).__name__}")


def match_predictions(preds: Mapping[str, str | None], docs: Sequence[Document]) -> tuple[dict[str, str | None], int]:
    """Map predictions to document ids (by our id or the source's ``source_id``); also returns how
    many documents have no prediction (scored as failures)."""
    out: dict[str, str | None] = {}
    missing = 0
    for d in docs:
        if d.id in preds:
            out[d.id] = preds[d.id]
        elif d.source.source_id is not None and d.source.source_id in preds:
            out[d.id] = preds[d.source.source_id]
        else:
            missing += 1
    return out, missing


# -- running extractors with a cache --------------------------------------------------------------
def raw_file(doc: Document, raw_root: Path | None) -> Path | None:
    if not doc.source.raw_path or raw_root is None:
        return None
    return (raw_root / doc.source.raw_path).resolve()


class OutputCache:
    """Extractor outputs on disk: ``<dir>/<system key>/<doc id>-<raw sha256[:16]>.json``."""

    def __init__(self, root: Path | None):
        self.root = root

    def _path(self, ex: Extractor, doc: Document) -> Path | None:
        if self.root is None:
            return None
        sha = doc.source.raw_sha256[:16] or "nosha"
        return self.root / ex.cache_key() / f"{doc.id}-{sha}.json"

    def get(self, ex: Extractor, doc: Document) -> Outcome | None:
        p = self._path(ex, doc)
        if p is None or not p.is_file():
            return None
        try:
            d = json.loads(p.read_text(encoding="utf-8"))
            return Outcome(doc.id, d["text"], d.get("error"), float(d.get("seconds", 0.0)), bool(d.get("truncated")),
                           float(d.get("cpu_seconds", 0.0)))
        except (ValueError, KeyError, TypeError, OSError):
            return None

    def put(self, ex: Extractor, doc: Document, outcome: Outcome) -> None:
        p = self._path(ex, doc)
        # time-outs and crashes may depend on the machine's load: never cached
        if p is None or (outcome.error is not None and not outcome.error.startswith("error:")):
            return
        atomic_write(p, json.dumps(outcome.as_dict(), ensure_ascii=False))


@dataclass
class Run:
    """Outputs of one system on the corpus."""

    system: str
    version: str | None
    kind: str  # "extractor" or "predictions"
    options: dict[str, Any] = field(default_factory=dict)
    outcomes: dict[str, Outcome] = field(default_factory=dict)
    seconds: float | None = None  # summed per-page extraction time (wall clock)
    cpu_seconds: float | None = None  # summed per-page CPU time
    wall_seconds: float | None = None
    cached: int = 0
    source: str | None = None
    unmatched: int = 0  # predictions whose id matches no document

    @property
    def outputs(self) -> dict[str, str | None]:
        return {k: o.text for k, o in self.outcomes.items()}


def run_extractor(
    ex: Extractor,
    docs: Sequence[Document],
    raw_root: Path | None,
    *,
    jobs: int = 1,
    cache: OutputCache | None = None,
    timeout: float = EXTRACTOR_TIMEOUT_S,
    max_bytes: int = MAX_EXTRACTOR_OUTPUT_BYTES,
    progress: Callable[[int, int], None] | None = None,
) -> Run:
    """Run one extractor over the documents' raw pages (isolated, cached)."""
    cache = cache or OutputCache(None)
    run = Run(ex.name, ex.version, "extractor", dict(ex.options))
    tasks = []
    by_id = {d.id: d for d in docs}
    for d in docs:
        hit = cache.get(ex, d)
        if hit is not None:
            run.outcomes[d.id] = hit
            run.cached += 1
            continue
        path = raw_file(d, raw_root)
        if path is None or not path.is_file():
            run.outcomes[d.id] = Outcome(d.id, None, f"missing raw page: {d.source.raw_path or '(no raw_path)'}")
            continue
        enc = d.source.encoding
        tasks.append(Task(d.id, str(path), d.source.url, enc, d.source.raw_format))
    start = time.perf_counter()
    done = len(run.outcomes)
    for outcome in run_isolated(ex.name, tasks, jobs=jobs, timeout=timeout, max_bytes=max_bytes):
        run.outcomes[outcome.key] = outcome
        cache.put(ex, by_id[outcome.key], outcome)
        done += 1
        if progress is not None:
            progress(done, len(docs))
    run.wall_seconds = time.perf_counter() - start
    run.seconds = sum(o.seconds for o in run.outcomes.values())
    run.cpu_seconds = sum(o.cpu_seconds for o in run.outcomes.values())
    return run


def predictions_run(name: str, path: str | os.PathLike[str], docs: Sequence[Document]) -> Run:
    preds, version = load_predictions(path)
    matched, _ = match_predictions(preds, docs)
    known = {d.id for d in docs} | {d.source.source_id for d in docs if d.source.source_id is not None}
    unmatched = sum(1 for k in preds if k not in known)
    run = Run(name, version, "predictions", source=str(path), unmatched=unmatched)
    if unmatched:
        print(f"warning: {name}: {unmatched} predictions match no document of the corpus", file=sys.stderr)
    for d in docs:
        if d.id in matched:
            text = matched[d.id]
            run.outcomes[d.id] = Outcome(d.id, text, None if text is not None else "null prediction")
        else:
            run.outcomes[d.id] = Outcome(d.id, None, "no prediction for this page")
    return run


# -- scoring --------------------------------------------------------------------------------------
@dataclass
class BenchResult:
    corpus: dict[str, Any]
    runs: list[Run]
    scores: dict[tuple[str, str], M.Score]  # (system, metric)
    docs_by_metric: dict[str, list[Document]]
    comparisons: list[M.Difference] = field(default_factory=list)
    breakdown: dict[str, Any] = field(default_factory=dict)
    blocks: dict[str, Any] = field(default_factory=dict)  # system -> BlockScores.as_dict()
    entities: dict[str, Any] = field(default_factory=dict)  # system -> EntityScores.as_dict()
    written: list[Path] = field(default_factory=list)  # files written with ``out``

    def rows(self) -> list[dict[str, Any]]:
        """One row per (system, metric): the DESIGN §9 ``results`` entries."""
        out = []
        runs = {r.system: r for r in self.runs}
        for (system, metric), s in self.scores.items():
            r = runs[system]
            out.append({
                "system": system, "version": r.version, "metric": metric,
                "n_pages": s.n_pages, "n_empty": s.n_empty, "n_failed": s.n_failed,
                "precision": s.precision, "recall": s.recall, "f1": s.f1,
                "accuracy": s.accuracy, "f1_std": s.f1_std, "seconds": r.seconds,
            })
        return out

    def unscored(self) -> list[str]:
        """What scored no page: ``system metric`` rows with 0 pages, block / entity predictions that
        matched no document."""
        out = [f"{r['system']} {r['metric']}" for r in self.rows() if not r["n_pages"]]
        for kind, per_system in (("blocks", self.blocks), ("entities", self.entities)):
            out += [f"{system} {kind}" for system, v in per_system.items() if v["n_docs"] <= v["n_missing_docs"]]
        return out

    def nothing_scored(self) -> str | None:
        """Why no score means anything (None when some page was scored)."""
        rows = self.rows()
        parts = len(rows) + len(self.blocks) + len(self.entities)
        if parts and len(self.unscored()) < parts:
            return None
        metrics = self.corpus.get("metrics", {}) if rows or not (self.blocks or self.entities) else {}
        why = [f"{m}: {v['n_pages']} of {self.corpus.get('n_documents', 0)} documents have its gold"
               for m, v in metrics.items()]
        if self.blocks or self.entities:
            why.append("no block or entity prediction has the id and text of a corpus document")
        if not why:
            n = self.corpus.get("n_documents", 0)
            why.append(f"no metric applies to this corpus (none of its {n} documents has gold for any metric)")
        return "nothing was scored: " + "; ".join(why)

    def as_json(self) -> dict[str, Any]:
        """The DESIGN §9 object printed by ``--format json`` (plus ``blocks`` / ``entities`` when
        block or entity predictions were scored)."""
        out: dict[str, Any] = {"corpus": self.corpus, "results": self.rows()}
        if self.blocks:
            out["blocks"] = self.blocks
        if self.entities:
            out["entities"] = self.entities
        if self.breakdown.get("page_type"):
            out["by_page_type"] = self.breakdown["page_type"]
        return out


def group_key(doc: Document, dimension: str) -> str:
    if dimension == "language":
        return doc.metadata.language or UNKNOWN_GROUP
    if dimension == "site":
        return doc.source.domain or UNKNOWN_GROUP
    if dimension == "page_type":
        return doc.source.page_type or UNKNOWN_GROUP
    return doc.source.source_dataset or UNKNOWN_GROUP


def score_runs(
    runs: Sequence[Run],
    docs: Sequence[Document],
    metrics: Sequence[str],
    *,
    bootstrap: int = M.DEFAULT_BOOTSTRAP,
    seed: int = 0,
) -> tuple[dict[tuple[str, str], M.Score], dict[str, list[Document]]]:
    """Score every run on every metric (documents lacking that metric's gold are left out)."""
    scores: dict[tuple[str, str], M.Score] = {}
    docs_by_metric = {m: [d for d in docs if has_gold(d, m)] for m in metrics}
    for run in runs:
        for m in metrics:
            ds = docs_by_metric[m]
            score = M.TEXT_METRIC_FUNCTIONS[m](_metric_items(m, ds, run.outputs), bootstrap=bootstrap, seed=seed)
            for row, d in zip(score.per_page, ds, strict=True):
                row["id"] = d.id
                if d.source.source_id is not None:
                    row["source_id"] = d.source.source_id
                err = run.outcomes.get(d.id)
                if err is not None and err.error:
                    row["error"] = err.error
            scores[(run.system, m)] = score
    return scores, docs_by_metric


def compare(
    scores: Mapping[tuple[str, str], M.Score], *, rounds: int = M.DEFAULT_BOOTSTRAP, seed: int = 0
) -> list[M.Difference]:
    """Paired bootstrap differences between every two systems, per metric."""
    out = []
    by_metric: dict[str, list[str]] = {}
    for system, metric in scores:
        by_metric.setdefault(metric, []).append(system)
    for metric, systems in by_metric.items():
        for a, b in itertools.combinations(sorted(systems), 2):
            out.append(M.paired_difference(a, scores[(a, metric)], b, scores[(b, metric)], rounds=rounds, seed=seed))
    return out


def breakdowns(
    scores: Mapping[tuple[str, str], M.Score], docs_by_metric: Mapping[str, Sequence[Document]]
) -> dict[str, Any]:
    """``{dimension: {metric: {system: {group: {n_pages, precision, recall, f1}}}}}``; the ``page_type``
    dimension is left out when no scored document carries ``source.page_type``."""
    out: dict[str, Any] = {}
    typed = any(d.source.page_type for ds in docs_by_metric.values() for d in ds)
    for dim in BREAKDOWNS:
        if dim == "page_type" and not typed:
            continue
        out[dim] = {}
        for (system, metric), score in scores.items():
            groups: dict[str, list[dict[str, Any]]] = {}
            for row, d in zip(score.per_page, docs_by_metric[metric], strict=True):
                groups.setdefault(group_key(d, dim), []).append(row)
            out[dim].setdefault(metric, {})[system] = {
                g: {"n_pages": len(rows), **_prf(M.aggregate(metric, rows))} for g, rows in sorted(groups.items())
            }
    return out


def _prf(s: M.Score) -> dict[str, Any]:
    return {"precision": s.precision, "recall": s.recall, "f1": s.f1}


def corpus_digest(docs: Iterable[Document]) -> str:
    """sha256 over the sorted document ids and raw hashes: identifies the scored page set."""
    h = hashlib.sha256()
    for key in sorted(f"{d.id}:{d.source.raw_sha256}" for d in docs):
        h.update(key.encode() + b"\n")
    return h.hexdigest()


def run_bench(
    corpus: str | os.PathLike[str],
    *,
    extractors: Sequence[str] = (),
    predictions: Sequence[tuple[str, str]] = (),
    metrics: Sequence[str] | None = None,
    jobs: int = 1,
    raw_root: str | os.PathLike[str] | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    bootstrap: int = M.DEFAULT_BOOTSTRAP,
    seed: int = 0,
    timeout: float = EXTRACTOR_TIMEOUT_S,
    compare_systems: bool = True,
    progress: bool = False,
) -> BenchResult:
    """Run and score every system; see ``corpus bench --help``."""
    unknown = [m for m in metrics or () if m not in M.TEXT_METRIC_FUNCTIONS]
    if unknown:
        raise ConfigError(f"unknown metric {unknown[0]!r}; known: {', '.join(M.TEXT_METRICS)}")
    resolved = [resolve(name) for name in extractors]  # fail early on unknown / missing
    names = [e.name for e in resolved] + [n for n, _ in predictions]
    dupes = {n for n in names if names.count(n) > 1}
    if dupes:
        raise ConfigError(f"system named twice: {', '.join(sorted(dupes))}")
    docs, paths = load_corpus(corpus)
    root = paths.root
    if metrics is None:  # every text metric some document has gold for
        metrics = [m for m in M.TEXT_METRICS if any(has_gold(d, m) for d in docs)]
    if raw_root is not None:
        root = Path(raw_root)
    cache = OutputCache(Path(cache_dir).expanduser() if cache_dir is not None else None)
    runs: list[Run] = []
    for name, path in predictions:
        runs.append(predictions_run(name, path, docs))
    started = time.perf_counter()
    for ex in resolved:
        bar = _Progress(ex.name, len(docs)) if progress else None
        runs.append(run_extractor(ex, docs, root, jobs=jobs, cache=cache, timeout=timeout,
                                  progress=bar.update if bar else None))
        if bar:
            bar.close()
    extract_wall = time.perf_counter() - started
    t_score = time.perf_counter()
    scores, docs_by_metric = score_runs(runs, docs, metrics, bootstrap=bootstrap, seed=seed)
    comparisons = compare(scores, rounds=bootstrap, seed=seed) if compare_systems else []
    brk = breakdowns(scores, docs_by_metric)
    score_seconds = time.perf_counter() - t_score
    info = {
        "path": str(corpus),
        "n_documents": len(docs),
        "digest": corpus_digest(docs),
        "metrics": {m: {"n_pages": len(docs_by_metric[m]), "n_skipped": len(docs) - len(docs_by_metric[m])}
                    for m in metrics},
        "sources": dict(sorted(_count(group_key(d, "source") for d in docs).items())),
        "systems": [_describe(r) for r in runs],
        "bootstrap": bootstrap, "seed": seed, "jobs": jobs,
        "extract_seconds": extract_wall, "score_seconds": score_seconds,
    }
    return BenchResult(info, runs, scores, docs_by_metric, comparisons, brk)


def _describe(r: Run) -> dict[str, Any]:
    d: dict[str, Any] = {"system": r.system, "kind": r.kind, "version": r.version}
    if r.kind == "extractor":
        d.update(options=r.options, cached=r.cached, wall_seconds=r.wall_seconds, cpu_seconds=r.cpu_seconds)
        errs = _count((o.error or "").split(":")[0] for o in r.outcomes.values() if o.error)
        d["failures"] = dict(sorted(errs.items()))
        d["truncated"] = sum(1 for o in r.outcomes.values() if o.truncated)
    else:
        d["file"] = r.source
        d["unmatched"] = r.unmatched
        d["missing"] = sum(1 for o in r.outcomes.values() if o.error == "no prediction for this page")
    return d


def _count(items: Iterable[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for x in items:
        out[x] = out.get(x, 0) + 1
    return out


class _Progress:
    """Tiny progress line on stderr."""

    def __init__(self, name: str, total: int):
        self.name, self.total, self.last = name, total, 0.0

    def update(self, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.last > 1.0 or done == total:
            self.last = now
            print(f"\r{self.name}: {done}/{total}", end="", file=sys.stderr, flush=True)

    def close(self) -> None:
        print(file=sys.stderr)


# -- blocks and entities --------------------------------------------------------------------------
def gold_block_docs(docs: Iterable[Document]) -> list[Document]:
    return [d for d in docs if d.annotation.blocks.status in GOLD_BLOCK_STATUSES]


def gold_entity_docs(docs: Iterable[Document]) -> list[Document]:
    return [d for d in docs if d.annotation.entities.status in GOLD_BLOCK_STATUSES]


def load_prediction_docs(path: str | os.PathLike[str]) -> list[Document]:
    """Documents (JSON, JSONL or a directory) carrying a system's predicted blocks / entities."""
    p = Path(path)
    if not p.exists():
        raise ConfigError(f"{p}: no such file or directory")
    try:
        return list(load_documents(p / "documents" if (p / "documents").is_dir() else p))
    except (ValueError, KeyError, TypeError) as exc:
        raise ConfigError(f"{p}: cannot read documents: {exc}") from exc


def spacy_entity_docs(docs: Sequence[Document], model: str) -> list[Document]:
    """Run a spaCy pipeline on each document's ``text``; entities mapped to CoNLL-4.

    OntoNotes-style labels (``en_core_web_*``) are mapped with the published down-mapping;
    CoNLL-style labels (``PER``/``ORG``/``LOC``/``MISC``) are kept; anything else is dropped.
    """
    from corpus.errors import require
    from corpus.labels import CONLL4, ONTONOTES_TO_CONLL
    from corpus.model import Entity

    spacy = require("spacy", "ner", "scoring a spaCy pipeline")
    try:
        nlp = spacy.load(model)
    except OSError as exc:
        raise ConfigError(f"spaCy model {model!r} is not installed: {exc}") from exc
    out = []
    for d in docs:
        ents = []
        for e in nlp(d.text).ents:
            lab = e.label_ if e.label_ in CONLL4 else ONTONOTES_TO_CONLL.get(e.label_)
            if lab is not None:
                ents.append(Entity(e.start_char, e.end_char, lab, e.text))
        out.append(d.replace(entities=tuple(ents),
                             annotation=d.annotation.__class__(entity_label_set="conll4")))
    return out


def score_structures(
    result: BenchResult,
    docs: Sequence[Document],
    *,
    block_predictions: Sequence[tuple[str, str]] = (),
    entity_predictions: Sequence[tuple[str, str]] = (),
    spacy_models: Sequence[tuple[str, str]] = (),
) -> None:
    """Add block-label and entity scores of the given systems to ``result``."""
    if block_predictions:
        gold = gold_block_docs(docs)
        for name, path in block_predictions:
            result.blocks[name] = M.block_scores(gold, load_prediction_docs(path)).as_dict()
    if entity_predictions or spacy_models:
        gold = gold_entity_docs(docs)
        for name, path in entity_predictions:
            result.entities[name] = entity_scores(gold, load_prediction_docs(path)).as_dict()
        for name, model in spacy_models:
            result.entities[name] = entity_scores(gold, spacy_entity_docs(gold, model)).as_dict()
