"""``corpus build``: validate a corpus and publish it as a Hugging Face dataset directory (DESIGN §5).

The orchestration only. Passes over the input (memory bounded by the batch size):

1. *plan* (optional): deduplication fingerprints (:mod:`corpus.dataset.dedup`), or the leakage check
   across every pair of splits when deduplication is off;
2. *write*: read every document (:mod:`corpus.dataset.tasks`), apply the document filters (the one
   place where documents may be dropped), assign its split (:mod:`corpus.dataset.splits`), count the
   statistics (:mod:`corpus.dataset.stats`) and stream rows (:mod:`corpus.dataset.rows`) of every config
   into Parquet shards (:mod:`corpus.dataset.writer`); then the dataset card, ``croissant.json`` and
   ``MANIFEST.json``.

The output is written to a temporary directory next to the target, verified against its manifest
and only then renamed over the target. The same inputs give byte-identical files for any ``jobs``.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any

import pyarrow as pa

from corpus.dataset.layout import (
    CHANGELOG,
    CONFIGS,
    CROISSANT,
    DEDUP_AUDIT,
    DEFAULT_CONFIG,
    DOCUMENTS,
    FORMAT_NAME,
    FORMAT_VERSION,
    LABEL_PLOT,
    MANIFEST,
    PARQUET_OPTIONS,
    README,
)
from corpus.dataset.memory import build_memory_pool, release
from corpus.dataset.rows import schemas
from corpus.dataset.splits import GROUP_KEY_RULE, SPLIT_RATIOS, SPLIT_RULE, SPLIT_SEED, SPLITS
from corpus.dataset.stats import CorpusStats
from corpus.dataset.tasks import (
    FINGERPRINT,
    LEAKAGE,
    NO_DROP,
    Context,
    DocumentFilter,
    Intake,
    Pool,
    Task,
    plan_tasks,
    reset_filters,
)
from corpus.dataset.writer import ShardInfo, Unsorted, discard, raise_error, write_single_pass, write_two_pass
from corpus.errors import ConfigError, CorpusError
from corpus.limits import BUILD_BATCH_ROWS, SHARD_MAX_ROWS
from corpus.model import SCHEMA_VERSION
from corpus.parallel import WorkerError, resolve_jobs
from corpus.paths import CorpusPaths, resolve
from corpus.store import ensure_out_parent, file_sha256, unique_suffix
from corpus.text.normalise import NORMALIZER_NAME, NORMALIZER_VERSION

__all__ = ["BuildResult", "InputGate", "SplitLeakageError", "WorkerError", "build", "resolve_input"]

InputGate = Callable[[CorpusPaths], None]
"""Called with the resolved input before a build writes anything; raises to stop it."""


def resolve_input(data: str | os.PathLike[str]) -> CorpusPaths:
    """The documents to publish: any corpus path except a built dataset."""
    paths = resolve(data)
    if paths.built:
        raise ConfigError(f"{data} is a built dataset, not a documents directory")
    return paths



class SplitLeakageError(CorpusError):
    """Near- or exact-duplicate documents would sit in two different splits; ``pairs`` lists them."""

    reason = "split_leakage"

    def __init__(self, pairs: Sequence[Any]):
        shown = "; ".join(
            f"{p.id_a} ({p.split_a}) ~ {p.id_b} ({p.split_b}), {p.kind} {p.similarity}" for p in pairs[:5]
        )
        more = f" and {len(pairs) - 5} more" if len(pairs) > 5 else ""
        super().__init__(
            f"{len(pairs)} duplicate pair(s) straddle two splits: {shown}{more}; "
            "build with deduplication on (corpus build --dedup) or fix the corpus"
        )
        self.pairs = list(pairs)


@dataclass
class BuildResult:
    out: Path
    manifest: dict[str, Any]
    shards: list[ShardInfo]
    stats: CorpusStats
    documents_read: int
    dropped: Counter[str] = field(default_factory=Counter)

    @property
    def split_documents(self) -> dict[str, int]:
        return {s: v["num_examples"] for s, v in self.manifest["configs"][DOCUMENTS]["splits"].items()}

    def summary_lines(self) -> list[str]:
        """What was built, row counts per config and split, what was dropped, and how to load it."""
        split_docs = self.split_documents
        lines = [
            f"built {self.out}",
            f"documents: {sum(split_docs.values())} (" + ", ".join(f"{s} {n}" for s, n in split_docs.items())
            + f"); shards: {len(self.shards)}",
        ]
        for config, info in self.manifest["configs"].items():
            rows = ", ".join(f"{s} {v['num_examples']}" for s, v in info["splits"].items())
            lines.append(f"  {config:<11} {rows}")
        if self.dropped:
            lines.append("dropped: " + ", ".join(f"{r} {n}" for r, n in sorted(self.dropped.items())))
        dd = self.manifest["dedup"]
        if dd["enabled"]:
            lines.append(f"deduplication: {dd['dropped_exact']} exact and {dd['dropped_near']} near duplicate(s) "
                         f"dropped (audit: {dd['audit']})")
        from corpus.dataset.card import draft_layers

        drafts = draft_layers(self.stats)
        if drafts:
            lines.append("note: model drafts, not checked by a person (the card warns): " + "; ".join(drafts))
        configs = "documents (default), blocks, entities, ner_tokens"
        lines += ["load it with:", "  from datasets import load_dataset",
                  f"  ds = load_dataset({str(self.out)!r})  # configs: {configs}"]
        return lines


def versions() -> dict[str, str]:
    import datasets

    from corpus.version import __version__

    return {
        "package": __version__,
        "schema": SCHEMA_VERSION,
        "normaliser": f"{NORMALIZER_NAME} {NORMALIZER_VERSION}",
        "datasets": datasets.__version__,
        "pyarrow": pa.__version__,
    }


def find_changelog(inp: CorpusPaths) -> Path | None:
    """The dataset's own change history: ``CHANGELOG.md`` in the corpus root (never the directory above
    it, which in a repository holds the software's changelog)."""
    base = inp.root or (inp.given if inp.given.is_dir() else inp.given.parent)
    return base / CHANGELOG if (base / CHANGELOG).is_file() else None


_DATED_HEADING = re.compile(r"^#+ .*?\b(\d{4}-\d{2}-\d{2})\b", re.MULTILINE)


def publication_date(date_published: str | None, changelog: str | None, latest_crawl: str = "") -> str:
    """``datePublished`` (ISO 8601 date), never the clock while the input says something: the one given,
    else ``SOURCE_DATE_EPOCH`` (the reproducible-builds convention), else the latest date in a heading of
    the dataset's change history, else the newest crawl date of its pages, else today (UTC)."""
    if date_published:
        return _iso_date(date_published, "date_published")
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return datetime.fromtimestamp(int(epoch), tz=timezone.utc).date().isoformat()
        except (ValueError, OverflowError, OSError):
            raise ConfigError(f"SOURCE_DATE_EPOCH={epoch!r} is not a Unix time") from None
    for candidates in (_DATED_HEADING.findall(changelog or ""), [latest_crawl]):
        dates = []
        for d in candidates:
            try:
                dates.append(date.fromisoformat(d))
            except ValueError:
                continue
        if dates:
            return max(dates).isoformat()
    return datetime.now(timezone.utc).date().isoformat()


def _iso_date(value: str, what: str) -> str:
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise ConfigError(f"{what} {value!r} is not an ISO 8601 date (YYYY-MM-DD)") from None


def build(
    data: str | os.PathLike[str] = "data",
    out: str | os.PathLike[str] = "dist/corpus",
    *,
    gate: InputGate | None = None,
    seed: str = SPLIT_SEED,
    filters: Sequence[DocumentFilter] = (),
    name: str | None = None,
    changelog: str | os.PathLike[str] | None = None,
    date_published: str | None = None,
    citations: Mapping[str, str] | None = None,
    batch_rows: int = BUILD_BATCH_ROWS,
    shard_rows: int = SHARD_MAX_ROWS,
    dedup: bool = True,
    check_leakage: bool = True,
    jobs: int = 1,
    progress: bool | None = None,
) -> BuildResult:
    """Publish ``data`` as a dataset directory at ``out`` (atomically).

    With ``dedup`` (the default) exact and near-duplicate documents are dropped first
    (:func:`corpus.dataset.dedup.plan_dedup`; audit in ``dedup_audit.jsonl``); without it the build checks
    that no duplicate pair straddles train and test (unless ``check_leakage`` is False).

    ``jobs`` worker processes read the input, fingerprint it and turn it into Arrow rows while this
    process writes the shards (0: one per CPU; 1: everything in this process). The output is
    byte-identical for any ``jobs``. ``progress`` shows a bar per pass on stderr (``None``: when stderr is a
    terminal). Workers are started with ``spawn``: a script that calls ``build``
    with ``jobs > 1`` needs the usual ``if __name__ == "__main__":`` guard. Custom ``filters`` run in
    this process, so with filters the work is not spread over workers.

    The card shows the dataset's own change history (``changelog``, default: ``CHANGELOG.md`` in the
    corpus root) and how to cite each source (``citations``: ``source_dataset`` -> reference;
    :func:`corpus.api.build` passes the importers'). ``date_published`` (ISO date) is the card's and
    ``croissant.json``'s publication date; see :func:`publication_date` for the default.

    ``gate`` sees the resolved input before anything is written and raises to stop the build
    (:func:`corpus.api.build` passes the validator there).

    Raises whatever ``gate`` raises (nothing is written),
    :class:`SplitLeakageError` when duplicates would leak between train and test,
    :class:`WorkerError` when a worker process dies, :class:`~corpus.errors.ConfigError` for unusable
    paths or a negative ``jobs``.
    """
    jobs = resolve_jobs(jobs)
    if date_published:
        _iso_date(date_published, "date_published")
    inp = resolve_input(data)
    out_path = Path(os.path.abspath(out))  # as given, without the '..' of a relative --out
    if out_path == inp.given.absolute() or inp.given.absolute() in out_path.parents:
        raise ConfigError(f"output {out_path} would be inside the input {inp.given}")
    _check_replaceable(out_path)
    ensure_out_parent(out_path)
    if gate is not None:
        gate(inp)

    log_path = Path(changelog) if changelog else find_changelog(inp)

    tmp = out_path.parent / f".{out_path.name}.tmp-{unique_suffix()}"
    if tmp.exists():
        shutil.rmtree(tmp)
    tmp.mkdir()
    try:
        with build_memory_pool():
            result = _write_all(
                tmp,
                inp,
                seed=seed,
                filters=filters,
                name=name or "webcorpus",
                changelog=log_path,
                date_published=date_published,
                citations=citations or {},
                batch_rows=batch_rows,
                shard_rows=shard_rows,
                dedup=dedup,
                check_leakage=check_leakage,
                jobs=jobs,
                progress=progress,
            )
        from corpus.dataset.verify import verify_dir

        problems = verify_dir(tmp).problems
        if problems:
            raise CorpusError("built dataset failed verification: " + "; ".join(problems[:5]), reason="verify_failed")
        _swap(tmp, out_path)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    result.out = out_path
    return result


def _check_replaceable(out: Path) -> None:
    """Only a missing path, an empty directory or a previous build may be replaced."""
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / MANIFEST).is_file())):
        raise ConfigError(f"{out} exists and is not a built dataset; refusing to replace it")


def _swap(tmp: Path, out: Path) -> None:
    """Rename ``tmp`` over ``out``; an existing ``out`` is removed only once the rename succeeded."""
    if not out.exists():
        os.replace(tmp, out)
        return
    _check_replaceable(out)
    old = out.parent / f".{out.name}.old-{unique_suffix()}"
    os.replace(out, old)
    try:
        os.replace(tmp, out)
    except BaseException:
        os.replace(old, out)
        raise
    shutil.rmtree(old, ignore_errors=True)


def _write_all(
    root: Path,
    inp: CorpusPaths,
    *,
    seed: str,
    filters: Sequence[DocumentFilter],
    name: str,
    changelog: Path | None,
    date_published: str | None,
    citations: Mapping[str, str],
    batch_rows: int,
    shard_rows: int,
    dedup: bool = True,
    check_leakage: bool = True,
    jobs: int = 1,
    progress: bool | None = None,
) -> BuildResult:
    from corpus.dataset.card import GUIDE_EXAMPLE_ID, CardInputs, render_card
    from corpus.dataset.croissant import render_croissant
    from corpus.dataset.plot import NO_PLOT_REASON, write_label_plot
    from corpus.dataset.read import example_blocks

    ctx = Context(tuple(inp.files), seed, schemas(), tuple(filters))
    tasks = plan_tasks(inp.files, jobs)
    plan = None
    opts = {"batch_rows": batch_rows, "shard_rows": shard_rows}
    with Pool(ctx, 1 if filters else jobs, progress) as pool:
        drops = None
        if dedup:
            plan, drops = _plan_dedup(pool, tasks)
        elif check_leakage:
            _check_leakage(pool, tasks)
        intake = Intake()
        try:
            writers = write_single_pass(root, pool, tasks, drops, intake, **opts)
        except Unsorted:
            discard(root)
            intake = Intake()
            writers = write_two_pass(root, pool, tasks, drops, intake, **opts)
    if not intake.kept:
        raise ConfigError(f"{inp.given}: no documents to publish (read {intake.read}, all dropped)")
    shards: list[ShardInfo] = []
    arrow_bytes: dict[str, dict[str, int]] = {c: {} for c in CONFIGS}
    for split in SPLITS:
        if split in writers:
            split_shards, nbytes = writers[split].close()
            shards += split_shards
            for c, n in nbytes.items():
                arrow_bytes[c][split] = n
    del writers
    release()  # the row buffers are gone: the plot and the card start from what the build still holds

    configs: dict[str, Any] = {}
    for c in CONFIGS:
        splits: dict[str, Any] = {}
        for split in SPLITS:
            mine = [s for s in shards if s.config == c and s.split == split]
            if mine:
                splits[split] = {
                    "num_examples": sum(s.rows for s in mine),
                    "num_shards": len(mine),
                    "num_bytes": sum(s.bytes for s in mine),
                    "arrow_bytes": arrow_bytes[c][split],
                }
        configs[c] = {"splits": splits}

    changelog_text = changelog.read_text(encoding="utf-8") if changelog else None
    manifest: dict[str, Any] = {
        "format": FORMAT_NAME,
        "format_version": FORMAT_VERSION,
        "name": name,
        "date_published": publication_date(date_published, changelog_text, intake.stats.latest_crawl_date),
        "default_config": DEFAULT_CONFIG,
        "versions": versions(),
        "split": {
            "method": SPLIT_RULE,
            "seed": seed,
            "ratios": SPLIT_RATIOS,
            "group_key": GROUP_KEY_RULE,
        },
        "input": {
            "documents_read": intake.read,
            "documents": intake.kept,
            "dropped": dict(sorted(intake.dropped.items())),
            "sha256": intake.digest(),
            "input_normalisers": dict(sorted(intake.stats.normalizers.items())),
        },
        "dedup": _dedup_manifest(plan, check_leakage),
        "parquet": {**PARQUET_OPTIONS, "batch_rows": batch_rows, "shard_max_rows": shard_rows},
        "configs": configs,
        "shards": [s.to_dict() for s in shards],
        "files": [],
    }
    plot = root / LABEL_PLOT
    has_plot = write_label_plot(intake.stats, plot)
    inputs = CardInputs(
        changelog=changelog_text,
        citations=citations,
        example=example_blocks(root, GUIDE_EXAMPLE_ID, manifest["shards"]),
        plot=LABEL_PLOT if has_plot else None,
        plot_missing="" if has_plot else NO_PLOT_REASON,
    )
    readme = root / README
    readme.write_text(render_card(manifest, intake.stats, inputs), encoding="utf-8")
    croissant = root / CROISSANT
    croissant.write_text(
        json.dumps(render_croissant(manifest, intake.stats), indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    listed = [readme, croissant, *([plot] if has_plot else [])]
    if plan is not None:
        audit = root / DEDUP_AUDIT
        with audit.open("w", encoding="utf-8", newline="\n") as fh:
            for entry in plan.audit:
                fh.write(json.dumps(entry.as_dict(), ensure_ascii=False) + "\n")
        listed.append(audit)
    manifest["files"] = [{"path": p.name, "bytes": p.stat().st_size, "sha256": file_sha256(p)} for p in listed]
    (root / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return BuildResult(root, manifest, shards, intake.stats, intake.read, intake.dropped)


def _dedup_manifest(plan: Any, leakage_checked: bool) -> dict[str, Any]:
    """The manifest's ``dedup`` section: method, parameters and counts (or ``enabled: false``)."""
    if plan is None:
        return {"enabled": False, "train_test_leakage_checked": leakage_checked}
    from corpus.dataset.dedup import DEFAULT_SEED, lsh_params
    from corpus.limits import DEDUP_NUM_PERM, DEDUP_SHINGLE, DEDUP_THRESHOLD

    kinds = Counter(a.kind for a in plan.dropped.values())
    return {
        "enabled": True,
        "method": "exact: sha256 of folded text; near: datasketch MinHash (affine32) over word shingles, "
        "candidates from MinHashLSH",
        "lsh_bands_rows": list(lsh_params(DEDUP_NUM_PERM, DEDUP_THRESHOLD)),
        "threshold": DEDUP_THRESHOLD,
        "num_perm": DEDUP_NUM_PERM,
        "shingle": DEDUP_SHINGLE,
        "seed": DEFAULT_SEED,
        "documents": plan.total,
        "dropped_exact": kinds.get("exact", 0),
        "dropped_near": kinds.get("near", 0),
        "audit": DEDUP_AUDIT,
    }


def _plan_dedup(pool: Pool, tasks: Sequence[Task]) -> tuple[Any, list[dict[str, str]]]:
    """The deduplication plan of the documents the filters keep, and per task the ids it drops (with why)."""
    from corpus.dataset.dedup import DedupPlanner

    planner = DedupPlanner()
    task_ids: list[list[str]] = []
    reset_filters(pool.ctx.filters)
    with closing(pool.run(FINGERPRINT, tasks)) as results:
        for res in results:
            for prio, key, sig in res.docs:
                planner.add(prio, key, sig)
            raise_error(res)
            task_ids.append([prio[-1] for prio, _, _ in res.docs])
    plan = planner.plan()
    dropped = plan.dropped
    drops = [
        {i: f"{a.kind}_duplicate" for i in ids if (a := dropped.get(i)) is not None} or NO_DROP for ids in task_ids
    ]
    return plan, drops


def _check_leakage(pool: Pool, tasks: Sequence[Task]) -> None:
    """Raise :class:`SplitLeakageError` when a duplicate pair of kept documents straddles any two splits."""
    from corpus.dataset.dedup import LeakageChecker

    checker = LeakageChecker()
    reset_filters(pool.ctx.filters)
    with closing(pool.run(LEAKAGE, tasks)) as results:
        for res in results:
            for doc_id, split, key, sig in res.docs:
                checker.add(doc_id, split, key, sig)
            raise_error(res)
    leaks = [p for p in checker.pairs() if p.split_a != p.split_b]
    if leaks:
        raise SplitLeakageError(leaks)

