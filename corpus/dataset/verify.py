"""Re-check a published dataset directory against its ``MANIFEST.json`` (``corpus verify``)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from corpus.errors import ConfigError


@dataclass
class VerifyReport:
    """Outcome of :func:`verify_dir`; ``problems`` empty means the directory matches its manifest."""

    path: Path
    problems: list[str] = field(default_factory=list)
    shards: int = 0
    rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "shards": self.shards, "rows": self.rows, "problems": list(self.problems)}

    def format(self) -> str:
        if self.ok:
            return f"{self.path}: ok ({self.shards} shards, {self.rows} rows verified)"
        lines = [f"{self.path}: {p}" for p in self.problems]
        lines.append(f"{len(self.problems)} problem(s)")
        return "\n".join(lines)


def verify_dir(path: str | os.PathLike[str]) -> VerifyReport:
    """Every shard present with its rows, bytes and sha256; no file missing or extra.

    Raises :class:`~corpus.errors.ConfigError` when ``path`` is not a directory.
    """
    import pyarrow.parquet as pq

    from corpus.dataset.layout import CONFIGS, CROISSANT, MANIFEST, README, features
    from corpus.store import file_sha256

    root = Path(path)
    if not root.is_dir():
        raise ConfigError(f"{root}: no such directory")
    report = VerifyReport(root)
    problems = report.problems
    try:
        manifest: dict[str, Any] = json.loads((root / MANIFEST).read_text(encoding="utf-8"))
        shards = manifest["shards"]
        files = manifest["files"]
        configs = manifest["configs"]
    except FileNotFoundError:
        problems.append(f"{MANIFEST} is missing")
        return report
    except (ValueError, KeyError, TypeError) as exc:
        problems.append(f"{MANIFEST} is unreadable: {exc}")
        return report

    listed: set[str] = {MANIFEST}
    for name in (README, CROISSANT):
        if name not in {f.get("path") for f in files}:
            problems.append(f"{name} is not listed in the manifest")
    for f in files:
        rel = f["path"]
        listed.add(rel)
        p = root / rel
        if not p.is_file():
            problems.append(f"{rel}: missing")
            continue
        if p.stat().st_size != f["bytes"]:
            problems.append(f"{rel}: {p.stat().st_size} bytes, manifest says {f['bytes']}")
        elif file_sha256(p) != f["sha256"]:
            problems.append(f"{rel}: sha256 differs from the manifest")

    totals: dict[tuple[str, str], int] = {}
    for s in shards:
        rel = s["path"]
        listed.add(rel)
        p = root / rel
        if not p.is_file():
            problems.append(f"{rel}: missing")
            continue
        report.shards += 1
        size = p.stat().st_size
        if size != s["bytes"]:
            problems.append(f"{rel}: {size} bytes, manifest says {s['bytes']}")
            continue
        if file_sha256(p) != s["sha256"]:
            problems.append(f"{rel}: sha256 differs from the manifest")
            continue
        try:
            meta = pq.read_metadata(p)
            schema = pq.read_schema(p)
        except Exception as exc:  # a corrupt file whose hash matches a corrupt manifest
            problems.append(f"{rel}: unreadable Parquet ({exc})")
            continue
        if meta.num_rows != s["rows"]:
            problems.append(f"{rel}: {meta.num_rows} rows, manifest says {s['rows']}")
        if s["config"] in CONFIGS and not _same_features(schema, features(s["config"])):
            problems.append(f"{rel}: schema differs from the published {s['config']} features")
        report.rows += meta.num_rows
        key = (s["config"], s["split"])
        totals[key] = totals.get(key, 0) + meta.num_rows

    for config, info in configs.items():
        for split, counts in info.get("splits", {}).items():
            got = totals.get((config, split))
            if got is not None and got != counts.get("num_examples"):
                problems.append(
                    f"{config}/{split}: shards hold {got} rows, manifest says {counts.get('num_examples')}"
                )

    for p in sorted(root.rglob("*")):
        if p.is_file():
            rel = p.relative_to(root).as_posix()
            if rel not in listed:
                problems.append(f"{rel}: not listed in the manifest")
    return report


def _same_features(schema: Any, expected: Any) -> bool:
    """The Parquet schema carries exactly the published ``datasets`` features (label names included)."""
    from datasets import Features

    meta = schema.metadata or {}
    if b"huggingface" not in meta:
        return False
    try:
        return Features.from_arrow_schema(schema) == expected and schema.equals(expected.arrow_schema)
    except (ValueError, TypeError, KeyError):
        return False
