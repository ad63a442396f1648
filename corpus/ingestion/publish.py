"""Phase 2 of an ingest: publish completed shards (duplicates dropped) and append the run to the corpus.

Single process, idempotent and safe to rerun after a kill (see :mod:`corpus.ingestion.engine`). The
run's rejects and manifest entries are appended to the corpus's files exactly once.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from corpus.errors import ConfigError
from corpus.ingestion.plan import (
    STATE_DIR,
    IngestOptions,
    _atomic_write,
    _tmpdir,
    iter_manifest,
    load_plan_index,
    rejects_path,
)
from corpus.paths import INGEST_MANIFEST
from corpus.store import Reject, add_document, exists_reject, unique_suffix

#: Read size when appending to and comparing the corpus's rejects and manifest (memory stays flat).
COPY_CHUNK = 1 << 14
#: Test hook: seconds to sleep after each shard is done and before each is published (kill tests).
SLEEP_ENV = "CORPUS_INGEST_SHARD_SLEEP"


@dataclass(slots=True)
class IngestSummary:
    documents: int = 0
    rejects: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    partial_files: list[str] = field(default_factory=list)
    shards: int = 0
    shards_resumed: int = 0
    seconds: float = 0.0
    skipped: int = 0  # input files already in the corpus's ingest manifest
    nothing_to_do: bool = False

    def lines(self) -> list[str]:
        if self.nothing_to_do:
            if not self.skipped:
                return ["nothing to do: no input files found"]
            return [f"nothing to do: all {self.skipped} input files are already in the corpus "
                    f"(listed in {INGEST_MANIFEST})"]
        skipped = f"; {self.skipped} input files skipped, already ingested" if self.skipped else ""
        out = [f"ingested {self.documents} documents, {self.rejects} rejects in {self.shards} shards "
               f"({self.shards_resumed} already done) in {self.seconds:.1f}s{skipped}"]
        out += [f"  reject {r}: {n}" for r, n in sorted(self.reasons.items())]
        out += [f"  partial file: {p}" for p in self.partial_files]
        return out


def _jsonl(rows: Sequence[dict[str, Any]]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n" for r in rows)


def _work(out: Path) -> Path:
    return out / STATE_DIR / "work"


def shard_done(out: str | os.PathLike[str], name: str) -> bool:
    return (_work(Path(out)) / f"{name}.done").exists()


def _test_pause() -> None:
    delay = os.environ.get(SLEEP_ENV)
    if delay:
        time.sleep(float(delay))


# -- phase 2: finalise ---------------------------------------------------------------------------


class _SeenIndex:
    """Document id -> location of its first occurrence, kept on disk (SQLite) so that the finalising
    process does not grow with the number of documents."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.unlink(missing_ok=True)  # left over from a killed finalise: start again from nothing
        self._db = sqlite3.connect(path)
        self._db.execute("PRAGMA journal_mode=OFF")
        self._db.execute("PRAGMA synchronous=OFF")
        self._db.execute("CREATE TABLE seen (id TEXT PRIMARY KEY, loc TEXT NOT NULL) WITHOUT ROWID")

    def earlier(self, doc_id: str, loc: str) -> str | None:
        """Record ``doc_id`` at ``loc``; the location it was first seen at, if it was seen before."""
        row = self._db.execute("SELECT loc FROM seen WHERE id = ?", (doc_id,)).fetchone()
        if row is not None:
            return row[0]
        self._db.execute("INSERT INTO seen VALUES (?, ?)", (doc_id, loc))
        return None

    def close(self) -> None:
        self._db.close()
        self.path.unlink(missing_ok=True)


def _duplicates(seen: _SeenIndex, marker: dict[str, Any]) -> dict[int, dict[str, Any]]:
    """Row index -> duplicate reject for one shard, given every earlier shard (in plan order) in ``seen``."""
    drop: dict[int, dict[str, Any]] = {}
    for i, (doc_id, loc) in enumerate(marker["docs"]):
        first = seen.earlier(doc_id, loc)
        if first is not None:
            drop[i] = Reject(loc, "duplicate", f"same raw bytes as {first} (document {doc_id})", id=doc_id).as_dict()
    return drop


def finalise(out: str | os.PathLike[str], *, progress: bool = False) -> IngestSummary:
    """Publish the layout from completed shards; idempotent and safe to rerun after a kill.

    Rejects and manifest entries of this run are appended to the corpus's files exactly once.
    """
    out_p = Path(out)
    plan = load_plan_index(out_p)
    options = IngestOptions(**plan["options"])
    shard_names: list[str] = plan["shards"]
    missing = [name for name in shard_names if not shard_done(out_p, name)]
    if missing and not (out_p / STATE_DIR / "done").exists():
        raise ConfigError(f"{len(missing)} shard(s) not done yet (first: {missing[0]}); run the ingest again")
    done_marker = out_p / STATE_DIR / "done"
    if done_marker.exists():
        _cleanup(out_p, options)
        return _summary_from(json.loads(done_marker.read_text(encoding="utf-8")))
    base = plan.get("base") or {"manifest_bytes": 0, "rejects_bytes": 0}
    summary = IngestSummary(shards=len(shard_names))
    tmp = _tmpdir(out_p)
    rejects_tmp, manifest_tmp = tmp / f"rejects.{unique_suffix()}", tmp / f"manifest.{unique_suffix()}"
    with ExitStack() as stack:
        seen = _SeenIndex(tmp / "seen.sqlite")
        stack.callback(seen.close)
        for e in iter_manifest(out_p, base["manifest_bytes"]):  # documents of earlier runs
            if "id" in e and "reject" not in e:
                seen.earlier(e["id"], e["input"])
        files = _RunFiles(stack.enter_context(open(rejects_tmp, "w", encoding="utf-8")),
                          stack.enter_context(open(manifest_tmp, "w", encoding="utf-8")),
                          options.layout == "files")
        _publish_all(out_p, plan, shard_names, seen, files, summary)
    _append_once(rejects_path(out_p, options), rejects_tmp, base["rejects_bytes"], out_p)
    _append_once(out_p / INGEST_MANIFEST, manifest_tmp, base["manifest_bytes"], out_p)
    record = {"documents": summary.documents, "rejects": summary.rejects, "reasons": summary.reasons,
              "partial_files": summary.partial_files, "shards": summary.shards}
    _atomic_write(done_marker, json.dumps(record, sort_keys=True) + "\n", out_p, fsync=True)
    _cleanup(out_p, options)
    return summary


@dataclass(slots=True)
class _RunFiles:
    """This run's rejects (the discovery rejects only, in layout ``shards``) and manifest entries."""

    rejects: TextIO
    manifest: TextIO
    all_rejects: bool


def _same_at(path: Path, offset: int, part: Path) -> bool:
    """Does ``path`` hold the bytes of ``part`` at ``offset``?"""
    n = part.stat().st_size
    if path.stat().st_size < offset + n:
        return False
    with open(path, "rb") as fa, open(part, "rb") as fb:
        fa.seek(offset)
        while chunk := fb.read(COPY_CHUNK):
            if fa.read(len(chunk)) != chunk:
                return False
    return True


def _append_once(path: Path, part: Path, base: int, out: Path) -> None:
    """Append the file ``part`` to ``path`` (atomically: copy, append, rename) unless a killed run
    already did (its bytes are at offset ``base``); ``part`` is removed."""
    try:
        if path.exists() and (part.stat().st_size == 0 or _same_at(path, base, part)):
            return
        tmp = _tmpdir(out) / f"{path.name}.{unique_suffix()}"
        with open(tmp, "wb") as fo:
            for src in (path, part):
                if src.exists():
                    with open(src, "rb") as fi:
                        shutil.copyfileobj(fi, fo, COPY_CHUNK)
            fo.flush()
            os.fsync(fo.fileno())
        path.parent.mkdir(parents=True, exist_ok=True)
        os.replace(tmp, path)
    finally:
        part.unlink(missing_ok=True)


def _manifest_entries(work: Path, name: str, drop: dict[int, dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """The shard's manifest entries, document rows in ``drop`` turned into their rejects."""
    row = 0
    with open(work / f"{name}.manifest.jsonl", encoding="utf-8") as fh:
        for line in fh:
            e = json.loads(line)
            if "id" in e and "reject" not in e:
                if row in drop:
                    e["reject"] = drop[row]["reason"]
                row += 1
            yield e


def _publish_all(out_p: Path, plan: dict[str, Any], shard_names: Sequence[str], seen: _SeenIndex,
                 files: _RunFiles, summary: IngestSummary) -> None:
    """Drop duplicates and publish every shard in plan order; this run's rejects and manifest to ``files``."""
    disc = plan["discovery_rejects"]
    files.rejects.write(_jsonl(disc))
    for r, (name, state) in zip(disc, plan.get("discovery_inputs") or [], strict=True):
        files.manifest.write(_jsonl([{"input": name, "file": name, "state": state, "location": r["location"],
                                      "reject": r["reason"]}]))
    _count(summary, disc)
    work = _work(out_p)
    for name in shard_names:
        marker = json.loads((work / f"{name}.done").read_text(encoding="utf-8"))
        summary.partial_files += marker.get("partial_files") or []
        drop = _duplicates(seen, marker)
        rej_text = (work / f"{name}.rejects.jsonl").read_text(encoding="utf-8") + _jsonl(
            [drop[i] for i in sorted(drop)])
        _count(summary, [json.loads(line) for line in rej_text.splitlines()])
        _test_pause()
        if not files.all_rejects:
            summary.documents += _publish_shard(out_p, name, drop, rej_text)
        else:
            files.rejects.write(rej_text)
            n, conflicts = _publish_files(out_p, name, drop, marker["docs"])
            summary.documents += n
            if conflicts:
                files.rejects.write(_jsonl([conflicts[i] for i in sorted(conflicts)]))
                _count(summary, list(conflicts.values()))
            drop = drop | conflicts
        for e in _manifest_entries(work, name, drop):
            files.manifest.write(_jsonl([e]))


def _cleanup(out: Path, options: IngestOptions) -> None:
    """Remove work files once the run is published (files layout: all ingest state)."""
    if options.layout == "files":
        shutil.rmtree(out / STATE_DIR, ignore_errors=True)
    else:
        shutil.rmtree(_work(out), ignore_errors=True)
        shutil.rmtree(out / STATE_DIR / "tmp", ignore_errors=True)


def _summary_from(d: dict[str, Any]) -> IngestSummary:
    return IngestSummary(documents=d["documents"], rejects=d["rejects"], reasons=d["reasons"],
                         partial_files=d["partial_files"], shards=d["shards"], shards_resumed=d["shards"])


def _count(summary: IngestSummary, rejects: Sequence[dict[str, Any]]) -> None:
    for r in rejects:
        summary.rejects += 1
        summary.reasons[r["reason"]] = summary.reasons.get(r["reason"], 0) + 1


def _publish_shard(out: Path, name: str, drop: dict[int, dict[str, Any]], rej_text: str) -> int:
    final = out / "shards" / f"{name}.jsonl"
    marker = out / "shards" / f"{name}.done"
    if marker.exists():
        return json.loads(marker.read_text(encoding="utf-8"))["rows"]
    final.parent.mkdir(parents=True, exist_ok=True)
    src = _work(out) / f"{name}.jsonl"
    tmp = _tmpdir(out) / final.name
    h = hashlib.sha256()
    rows = 0
    with open(src, "rb") as fi, open(tmp, "wb") as fo:
        for i, line in enumerate(fi):
            if i in drop:
                continue
            h.update(line)
            fo.write(line)
            rows += 1
    os.replace(tmp, final)
    _atomic_write(out / "rejects" / f"{name}.jsonl", rej_text, out)
    info = {"shard": name, "rows": rows, "sha256": h.hexdigest(),
            "rejects": rej_text.count("\n"), "rejects_sha256": hashlib.sha256(rej_text.encode()).hexdigest()}
    _atomic_write(marker, json.dumps(info, sort_keys=True) + "\n", out, fsync=True)
    return rows


def _publish_files(out: Path, name: str, drop: dict[int, dict[str, Any]],
                   locs: Sequence[Sequence[str]]) -> tuple[int, dict[int, dict[str, Any]]]:
    """Write ``documents/<id>.json``; a different document already there is never overwritten (row
    index -> its ``duplicate`` reject)."""
    docs_dir = out / "documents"
    docs_dir.mkdir(parents=True, exist_ok=True)
    n = 0
    conflicts: dict[int, dict[str, Any]] = {}
    with open(_work(out) / f"{name}.jsonl", encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            if i in drop:
                continue
            d = json.loads(line)
            if add_document(d, docs_dir / f"{d['id']}.json", tmp_dir=_tmpdir(out)) == "exists":
                conflicts[i] = exists_reject(locs[i][1], d["id"]).as_dict()
                continue
            n += 1
    return n, conflicts
