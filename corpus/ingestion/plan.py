"""The ingest plan: which inputs go to which shard, under which options and versions.

An existing corpus is added to: inputs that ``DIR/ingest-manifest.jsonl`` already lists with the
same size and modification time are skipped, the others are planned (a rerun of a finished ingest
has nothing to do). ``DIR/.ingest/plan.json`` is written once, atomically, before any shard; while
that run is unfinished a rerun compares its digest with a freshly computed plan and resumes only when
they are equal. The plan covers the options, the package and normaliser versions, each input's size
and modification time, and what the corpus held when it was made (``base``), so a changed input or an
upgraded package is a :class:`PlanChangedError`, never a mix of two runs.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from corpus.errors import ConfigError, MissingDependencyError
from corpus.ingestion.discover import InputFile, Refused, discover_named
from corpus.limits import INGEST_FILES_PER_SHARD
from corpus.paths import INGEST_MANIFEST, SHARDS_DIR
from corpus.store import REJECTS_FILE, atomic_write, display_location, file_sha256, unique_suffix
from corpus.text.normalisers import DEFAULT_NORMALISER, check_normaliser

# 2: package and normaliser versions, each input's size and mtime; 3: input names, the corpus base
PLAN_VERSION = 3


class PlanChangedError(ConfigError):
    """``DIR`` holds an ingest planned with other inputs, options or versions: resuming would mix them."""

    reason = "plan_changed"


def _versions() -> dict[str, str]:
    from corpus.text.normalise import NORMALIZER_VERSION
    from corpus.version import __version__

    return {"package": __version__, "normaliser": NORMALIZER_VERSION}


STATE_DIR = ".ingest"
PLAN_INDEX = "plan-index.json"
LAYOUTS = ("files", "shards")


def check_labeller(labeller: str, normaliser: str) -> None:
    """Refuse a block labeller that cannot run here: unknown, ``rules`` without trafilatura or on v2 blocks."""
    if labeller == "learned":  # the default: no import of the labellers for a plan
        return
    from corpus.annotate.preannotate import LABELLERS

    if labeller not in LABELLERS:
        raise ConfigError(f"unknown labeller {labeller!r}; choose one of {', '.join(LABELLERS)}")
    if labeller != "rules":
        return
    if normaliser != "v1":  # the rules align the extractor's output onto v1 elements
        raise ConfigError("the rules labeller labels normaliser v1 blocks; add --normaliser v1 (or use the "
                          "default learned labeller)")
    from importlib.util import find_spec

    if find_spec("trafilatura") is None:
        raise MissingDependencyError("trafilatura", "extract", "the rules labeller (--labeller rules)")


@dataclass(frozen=True, slots=True)
class IngestOptions:
    layout: str = "files"
    preannotate: bool = True
    ner: str = "auto"
    source_dataset: str = "native"
    license: str | None = None
    files_per_shard: int = INGEST_FILES_PER_SHARD
    normaliser: str = DEFAULT_NORMALISER  # corpus.text.normalisers.NORMALISERS
    labeller: str = "learned"  # corpus.annotate.preannotate.LABELLERS

    def __post_init__(self) -> None:
        check_normaliser(self.normaliser)
        if self.preannotate:
            check_labeller(self.labeller, self.normaliser)
        if self.layout not in LAYOUTS:
            raise ConfigError(f"unknown layout {self.layout!r}; choose one of {', '.join(LAYOUTS)}")
        if self.files_per_shard < 1:
            raise ConfigError("files_per_shard must be at least 1")


@dataclass(frozen=True, slots=True)
class ShardSpec:
    """One shard: its input locations, their names (``source.input``) and ``(size, mtime_ns)`` states."""

    name: str
    kind: str  # "page" | "warc"
    inputs: tuple[str, ...]
    names: tuple[str, ...] = ()
    states: tuple[tuple[int, int], ...] = ()

    def name_of(self, i: int) -> str:
        return self.names[i] if self.names else self.inputs[i]

    def state_of(self, i: int) -> tuple[int, int]:
        return tuple(self.states[i]) if self.states else (-1, -1)  # type: ignore[return-value]


@dataclass(frozen=True, slots=True)
class Prepared:
    """What :func:`prepare_run` planned: the shards, discovery refusals, and inputs already ingested."""

    shards: list[ShardSpec]
    refused: int
    skipped: int

    @property
    def nothing_to_do(self) -> bool:
        return not self.shards and not self.refused


# -- planning ----------------------------------------------------------------------------------


def make_plan(inputs: Sequence[InputFile], files_per_shard: int, start: int = 0) -> list[ShardSpec]:
    """Deterministic shards of the sorted input list: page files in fixed-size groups, one per WARC.

    Shards are numbered from ``start`` (the shards an earlier ingest into the same corpus published).
    """
    shards: list[ShardSpec] = []
    group: list[InputFile] = []

    def add(kind: str, files: Sequence[InputFile]) -> None:
        shards.append(ShardSpec(f"part-{start + len(shards):05d}", kind, tuple(f.location for f in files),
                                tuple(f.input or f.location for f in files), tuple(f.state for f in files)))

    def flush() -> None:
        if group:
            add("page", group)
            group.clear()

    for inp in inputs:
        if inp.kind == "warc":
            flush()
            add("warc", [inp])
        else:
            group.append(inp)
            if len(group) >= files_per_shard:
                flush()
    flush()
    return shards


# -- what the corpus already holds -------------------------------------------------------------


def rejects_path(out: Path, options: IngestOptions) -> Path:
    """Where this layout's discovery rejects go (layout ``files``: the corpus's one rejects file)."""
    return out / REJECTS_FILE if options.layout == "files" else out / "rejects" / "discovery.jsonl"


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def _base(out: Path, options: IngestOptions) -> dict[str, int]:
    """The corpus before this run: manifest and rejects sizes in bytes, shards already published."""
    published = out / SHARDS_DIR
    shards = sum(1 for _ in published.glob("part-*.done")) if published.is_dir() else 0
    return {"manifest_bytes": _size(out / INGEST_MANIFEST), "rejects_bytes": _size(rejects_path(out, options)),
            "first_shard": shards}


def iter_manifest(out: str | os.PathLike[str], limit: int | None = None) -> Iterator[dict[str, Any]]:
    """Entries of ``DIR/ingest-manifest.jsonl`` (its first ``limit`` bytes when given)."""
    path = Path(out) / INGEST_MANIFEST
    if not path.is_file():
        return
    read = 0
    with open(path, "rb") as fh:
        for line in fh:
            read += len(line)
            if limit is not None and read > limit:
                return
            if line.strip():
                yield json.loads(line)


def ingested_files(out: Path, limit: int) -> set[tuple[str, int, int]]:
    """``(input name, size, mtime_ns)`` of every input file the manifest lists."""
    return {(e["file"], *e["state"]) for e in iter_manifest(out, limit) if "file" in e}


def _tmpdir(out: Path) -> Path:
    """Where temporary files live (same file system as the output, removed when the run is done)."""
    d = out / STATE_DIR / "tmp"
    d.mkdir(parents=True, exist_ok=True)
    return d


def _atomic_write(path: Path, data: bytes | str, out: Path, *, fsync: bool = False) -> None:
    """Write ``path`` via a uniquely named temporary file under ``out/.ingest/tmp`` and an atomic rename."""
    atomic_write(path, data, tmp_dir=_tmpdir(out), fsync=fsync)


def _plan_chunks(plan: dict[str, Any]) -> Iterator[str]:
    """The plan's JSON text in chunks (same bytes as ``json.dumps(plan, sort_keys=True) + "\\n"``).

    ASCII: file names may hold undecodable bytes. Streamed so a plan of many inputs is never held
    as one string as well as a structure.
    """
    yield from json.JSONEncoder(sort_keys=True).iterencode(plan)
    yield "\n"


def prepare(paths: Sequence[str], out: str | os.PathLike[str], options: IngestOptions) -> list[ShardSpec]:
    """Discover inputs, write (or check) the plan under ``DIR/.ingest`` and return the shards to run."""
    return prepare_run(paths, out, options).shards


def _unfinished(out: Path) -> dict[str, Any] | None:
    """The plan index of an ingest into ``out`` that has not finished, if there is one."""
    if not (out / STATE_DIR / "plan.json").exists() or (out / STATE_DIR / "done").exists():
        return None
    try:
        return json.loads((out / STATE_DIR / PLAN_INDEX).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def prepare_run(paths: Sequence[str], out: str | os.PathLike[str], options: IngestOptions) -> Prepared:
    """:func:`prepare`, saying also what was skipped; nothing is written when there is nothing to do.

    Idempotent: several processes (e.g. datatrove ranks) may call it concurrently.
    """
    out_p = Path(out)
    inputs, refused = discover_named(paths)
    unfinished = _unfinished(out_p)
    base = (unfinished or {}).get("base") or _base(out_p, options)
    seen = ingested_files(out_p, base["manifest_bytes"])
    n_found = len(inputs) + len(refused)
    inputs = [i for i in inputs if (i.input, *i.state) not in seen]
    refused = [r for r in refused if (r.input, *r.state) not in seen]
    skipped = n_found - len(inputs) - len(refused)
    del seen
    shards = make_plan(inputs, options.files_per_shard, base["first_shard"])
    del inputs
    if unfinished is None and not shards and not refused:
        return Prepared([], 0, skipped)
    if unfinished is None and (out_p / STATE_DIR).exists():
        shutil.rmtree(out_p / STATE_DIR)  # a finished run's state: this is a new run
    _write_or_check(out_p, options, base, refused, shards)
    return Prepared(shards, len(refused), skipped)


def _write_or_check(out_p: Path, options: IngestOptions, base: dict[str, int], refused: Sequence[Refused],
                    shards: Sequence[ShardSpec]) -> None:
    plan = {
        "version": PLAN_VERSION,
        "versions": _versions(),
        "options": asdict(options),
        "base": base,
        "discovery_rejects": [r.reject.as_dict() for r in refused],
        "discovery_inputs": [[display_location(r.input), list(r.state)] for r in refused],
        "shards": [[s.name, s.kind, s.inputs, s.names] for s in shards],
        "input_state": [[list(st) for st in s.states] for s in shards],
    }
    digest = hashlib.sha256()
    for chunk in _plan_chunks(plan):
        digest.update(chunk.encode("ascii"))
    plan_path = out_p / STATE_DIR / "plan.json"
    if plan_path.exists():
        if file_sha256(plan_path) != digest.hexdigest():
            raise PlanChangedError(_plan_difference(out_p, plan) + "; resuming would mix two runs: rerun the "
                                   "same command with the same inputs and package to finish it, or remove "
                                   f"{out_p / STATE_DIR} to abandon it")
    else:
        # the index first: whenever plan.json exists, its index does too
        index = {"version": PLAN_VERSION, "versions": plan["versions"], "options": plan["options"],
                 "base": base, "discovery_rejects": plan["discovery_rejects"],
                 "discovery_inputs": plan["discovery_inputs"], "shards": [s.name for s in shards]}
        _atomic_write(out_p / STATE_DIR / PLAN_INDEX, json.dumps(index, sort_keys=True) + "\n", out_p, fsync=True)
        plan_path.parent.mkdir(parents=True, exist_ok=True)
        tmp = _tmpdir(out_p) / f"{plan_path.name}.{unique_suffix()}"
        with open(tmp, "w", encoding="ascii") as fh:
            for chunk in _plan_chunks(plan):
                fh.write(chunk)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, plan_path)
    return shards


def _plan_difference(out: Path, plan: dict[str, Any]) -> str:
    """What differs between the plan in ``out`` and ``plan``, in words (from the small plan index)."""
    try:
        old = json.loads((out / STATE_DIR / PLAN_INDEX).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return f"{out} holds an ingest this version cannot read"
    if old.get("version") != plan["version"]:
        return f"{out} holds an ingest planned by another plan format (version {old.get('version')})"
    if old.get("versions") != plan["versions"]:
        was = ", ".join(f"{k} {v}" for k, v in sorted((old.get("versions") or {}).items()))
        now = ", ".join(f"{k} {v}" for k, v in sorted(plan["versions"].items()))
        return f"{out} holds an ingest made with {was}; this is {now}"
    if old.get("options") != plan["options"]:
        return f"{out} holds an unfinished ingest made with other options ({old.get('options')})"
    return (f"{out} holds an unfinished ingest of other inputs (an input was added, removed, or changed size or "
            "modification time)")


def load_plan_index(out: str | os.PathLike[str]) -> dict[str, Any]:
    """The plan without its input lists (options, discovery rejects, shard names): what finalising needs.

    Small however many inputs there are, so the finalising process stays small too.
    """
    p = Path(out) / STATE_DIR / PLAN_INDEX
    if p.exists():
        return json.loads(p.read_text(encoding="utf-8"))
    plan = load_plan(out)
    return plan | {"shards": [row[0] for row in plan["shards"]]}


def shard_specs(plan: dict[str, Any]) -> list[ShardSpec]:
    """The shards of a plan read by :func:`load_plan`."""
    return [ShardSpec(name, kind, tuple(inputs), tuple(names), tuple(tuple(st) for st in states))
            for (name, kind, inputs, names), states in zip(plan["shards"], plan["input_state"], strict=True)]


def load_plan(out: str | os.PathLike[str]) -> dict[str, Any]:
    p = Path(out) / STATE_DIR / "plan.json"
    if not p.exists():
        raise ConfigError(f"{out} has no ingest plan; run prepare() first")
    return json.loads(p.read_text(encoding="utf-8"))
