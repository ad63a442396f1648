"""The ingest plan: which inputs go to which shard, under which options and versions.

``DIR/.ingest/plan.json`` is written once, atomically, before any shard; a rerun compares its digest
with a freshly computed plan and resumes only when they are equal. The plan covers the options, the
package and normaliser versions, and each input's size and modification time, so a changed input or
an upgraded package is a :class:`PlanChangedError`, never a mix of two runs.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from corpus.errors import ConfigError
from corpus.ingestion.discover import InputFile, discover
from corpus.limits import INGEST_FILES_PER_SHARD
from corpus.store import atomic_write, file_sha256, unique_suffix
from corpus.text.normalisers import DEFAULT_NORMALISER, check_normaliser

PLAN_VERSION = 2  # 2: the plan records package and normaliser versions and each input's size and mtime


class PlanChangedError(ConfigError):
    """``DIR`` holds an ingest planned with other inputs, options or versions: resuming would mix them."""

    reason = "plan_changed"


def _versions() -> dict[str, str]:
    from corpus.text.normalise import NORMALIZER_VERSION
    from corpus.version import __version__

    return {"package": __version__, "normaliser": NORMALIZER_VERSION}


def _input_state(location: str) -> list[int]:
    """``[size, mtime_ns]`` of an input file ([-1, -1] when it cannot be read: discovery rejects it)."""
    try:
        st = os.stat(location)
    except OSError:
        return [-1, -1]
    return [st.st_size, st.st_mtime_ns]
STATE_DIR = ".ingest"
PLAN_INDEX = "plan-index.json"
LAYOUTS = ("files", "shards")


@dataclass(frozen=True, slots=True)
class IngestOptions:
    layout: str = "files"
    preannotate: bool = True
    ner: str = "auto"
    source_dataset: str = "native"
    license: str | None = None
    files_per_shard: int = INGEST_FILES_PER_SHARD
    normaliser: str = DEFAULT_NORMALISER  # corpus.text.normalisers.NORMALISERS

    def __post_init__(self) -> None:
        check_normaliser(self.normaliser)
        if self.layout not in LAYOUTS:
            raise ConfigError(f"unknown layout {self.layout!r}; choose one of {', '.join(LAYOUTS)}")
        if self.files_per_shard < 1:
            raise ConfigError("files_per_shard must be at least 1")


@dataclass(frozen=True, slots=True)
class ShardSpec:
    name: str
    kind: str  # "page" | "warc"
    inputs: tuple[str, ...]


# -- planning ----------------------------------------------------------------------------------


def make_plan(inputs: Sequence[InputFile], files_per_shard: int) -> list[ShardSpec]:
    """Deterministic shards of the sorted input list: page files in fixed-size groups, one per WARC."""
    shards: list[ShardSpec] = []
    group: list[str] = []

    def flush() -> None:
        if group:
            shards.append(ShardSpec(f"part-{len(shards):05d}", "page", tuple(group)))
            group.clear()

    for inp in inputs:
        if inp.kind == "warc":
            flush()
            shards.append(ShardSpec(f"part-{len(shards):05d}", "warc", (inp.location,)))
        else:
            group.append(inp.location)
            if len(group) >= files_per_shard:
                flush()
    flush()
    return shards


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
    """Discover inputs, write (or check) the plan under ``DIR/.ingest`` and return the shards.

    Idempotent: several processes (e.g. datatrove ranks) may call it concurrently.
    """
    out_p = Path(out)
    inputs, rejects = discover(paths)
    shards = make_plan(inputs, options.files_per_shard)
    del inputs
    plan = {
        "version": PLAN_VERSION,
        "versions": _versions(),
        "options": asdict(options),
        "discovery_rejects": [r.as_dict() for r in rejects],
        "shards": [[s.name, s.kind, s.inputs] for s in shards],
        "input_state": [[_input_state(loc) for loc in s.inputs] for s in shards],
    }
    digest = hashlib.sha256()
    for chunk in _plan_chunks(plan):
        digest.update(chunk.encode("ascii"))
    plan_path = out_p / STATE_DIR / "plan.json"
    if plan_path.exists():
        if file_sha256(plan_path) != digest.hexdigest():
            raise PlanChangedError(_plan_difference(out_p, plan) + "; resuming would mix two runs: rerun the "
                                   "same command with the same inputs and package, or use another --out directory")
    else:
        # the index first: whenever plan.json exists, its index does too
        index = {"version": PLAN_VERSION, "versions": plan["versions"], "options": plan["options"],
                 "discovery_rejects": plan["discovery_rejects"], "shards": [s.name for s in shards]}
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
        return f"{out} holds an ingest made with other options ({old.get('options')})"
    return f"{out} holds an ingest of other inputs (an input was added, removed, or changed size or modification time)"


def load_plan_index(out: str | os.PathLike[str]) -> dict[str, Any]:
    """The plan without its input lists (options, discovery rejects, shard names): what finalising needs.

    Small however many inputs there are, so the finalising process stays small too.
    """
    p = Path(out) / STATE_DIR / PLAN_INDEX
    if p.exists():
        return json.loads(p.read_text(encoding="utf-8"))
    plan = load_plan(out)
    return plan | {"shards": [name for name, _kind, _inputs in plan["shards"]]}


def load_plan(out: str | os.PathLike[str]) -> dict[str, Any]:
    p = Path(out) / STATE_DIR / "plan.json"
    if not p.exists():
        raise ConfigError(f"{out} has no ingest plan; run prepare() first")
    return json.loads(p.read_text(encoding="utf-8"))
