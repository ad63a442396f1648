"""The ingest engine: raw pages -> draft documents, resumable, sharded, parallel (DESIGN §7, §8).

Pipeline per input record: read (capped) -> decode -> normalise -> :func:`corpus.ingestion.draft.draft_document`
-> optional pre-annotation (:mod:`corpus.annotate.preannotate`, when installed) -> shard writer. Every input
record becomes exactly one document or one reject (reason + source location).

Output directory ``DIR`` (see ``docs/scale.md``)::

    DIR/raw/<id><suffix>              raw copy of each page file (content-addressed)
    DIR/raw/<sha16>.warc[.gz]         raw copy of each WARC file; raw_path "raw/<name>#<offset>"
    layout "files" (default):
      DIR/documents/<id>.json         one pretty document per file
      DIR/rejects.jsonl               every reject, in input order
    layout "shards":
      DIR/shards/part-NNNNN.jsonl     compact JSON lines, one document per line
      DIR/shards/part-NNNNN.done      completion marker: rows, sha256 (written last)
      DIR/rejects/part-NNNNN.jsonl    rejects of that shard; DIR/rejects/discovery.jsonl
    DIR/.ingest/                      plan, per-shard work files and markers (removed when done
                                      for layout "files"; kept for "shards" so a rerun is a no-op)

Resumability: phase 1 (parallel) writes each shard's work files under a temporary name, renames them,
and writes the shard's marker last; a rerun skips shards whose marker exists. Phase 2 (finalise,
single process) drops duplicate documents (same raw bytes -> same id; the first in input order is
kept, later ones become ``duplicate`` rejects) and publishes the layout; each published file is also
written via temporary name + rename, so after a kill at any point a rerun of the same command
produces the same bytes as an uninterrupted run.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TextIO

from corpus.errors import ConfigError, DocumentError
from corpus.ingestion.discover import (
    page_suffix,
    read_page_file,
    sniff_binary,
)
from corpus.ingestion.draft import draft_document
from corpus.ingestion.plan import (
    STATE_DIR,
    IngestOptions,
    ShardSpec,
    _atomic_write,
    _tmpdir,
    load_plan_index,
    prepare,
)
from corpus.model import Document, sha256_hex
from corpus.parallel import resolve_jobs
from corpus.progress import progress_bar
from corpus.store import Reject, display_location, document_json, unique_suffix
from corpus.text.normalise import (
    NormalisedPage,
    decode_raw_page,
    normalise_html_root,
    normalise_text,
    parse_html,
)
from corpus.text.normalise_v2 import NORMALIZER_V2, normalise_html_v2

DEFAULT_OPTIONS = IngestOptions()
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

    def lines(self) -> list[str]:
        out = [f"ingested {self.documents} documents, {self.rejects} rejects in {self.shards} shards "
               f"({self.shards_resumed} already done) in {self.seconds:.1f}s"]
        out += [f"  reject {r}: {n}" for r, n in sorted(self.reasons.items())]
        out += [f"  partial file: {p}" for p in self.partial_files]
        return out


def _jsonl(rows: Sequence[dict[str, Any]]) -> str:
    return "".join(json.dumps(r, ensure_ascii=False, separators=(",", ":")) + "\n" for r in rows)



# -- per-record processing (pure apart from reading the input) -----------------------------------


def _preannotator() -> Callable[..., Document] | None:
    try:
        from corpus.annotate.preannotate import preannotate
    except ImportError:
        return None
    return preannotate


def draft_page(raw: bytes, *, raw_path: str, raw_format: str, gzipped: bool, url: str | None = None,
               crawl_date: str | None = None, source_id: str | None = None, declared_charset: str | None = None,
               options: IngestOptions = DEFAULT_OPTIONS, preannotate: Callable[..., Document] | None = None
               ) -> Document:
    """One raw page -> draft document (pre-annotated when ``preannotate`` is given); parses the HTML once.

    With ``options.normaliser == "v2"`` and pre-annotation on, the page is parsed once for both: the
    learned labeller's features carry v2's text and blocks.
    """
    dec = decode_raw_page(raw, raw_format, gzipped=gzipped, declared_charset=declared_charset)
    decoded = dec.text
    root = elements = features = None
    v2 = options.normaliser == "v2"
    if raw_format == "text":
        text, blocks = normalise_text(decoded)
    elif v2 and preannotate is not None:
        from corpus.annotate.preannotate.learned.features import page_features

        features = page_features(decoded)
        text, blocks = features.text, features.blocks
    elif v2:
        text, blocks = normalise_html_v2(decoded)
    else:
        root = parse_html(decoded)
        text, blocks, elements = normalise_html_root(root)
    if not text:
        raise DocumentError("the page has no visible text", reason="no_text")
    page = NormalisedPage(text, blocks, dec.encoding, raw_format, encoding_source=dec.source)
    if v2:
        page = NormalisedPage(text, blocks, dec.encoding, raw_format, NORMALIZER_V2, dec.source)
    doc = draft_document(
        raw, raw_path=raw_path, raw_format=raw_format, gzipped=gzipped, url=url, crawl_date=crawl_date,
        source_dataset=options.source_dataset, source_id=source_id, license=options.license,
        declared_charset=declared_charset, page=page,
    )
    if preannotate is not None:
        extra = {"features": features} if features is not None else {}
        doc = preannotate(doc, html=None if raw_format == "text" else decoded, root=root, elements=elements,
                          ner=ner_arg(options.ner), **extra)
    return doc


def ner_arg(value: str) -> bool | str:
    """The ``ner`` argument of :func:`corpus.annotate.preannotate.preannotate` from an option string."""
    low = value.strip().lower()
    if low in ("none", "off", "false", "no"):
        return False
    if low in ("on", "true", "yes", "require"):
        return True
    return value


def _reject_from(exc: BaseException, location: str, url: str | None = None) -> Reject:
    if isinstance(exc, DocumentError):
        return Reject(location, exc.reason, str(exc), url)
    if isinstance(exc, RecursionError):
        return Reject(location, "too_deep", "structure too deeply nested", url)
    if isinstance(exc, MemoryError):
        return Reject(location, "out_of_memory", "page needs more memory than available", url)
    if isinstance(exc, OSError):
        return Reject(location, "unreadable", f"{exc.strerror or exc}", url)
    return Reject(location, "internal_error", f"{type(exc).__name__}: {exc}", url)


def _copy_raw(src_bytes: bytes | None, dest: Path, out: Path) -> None:
    if dest.exists():
        return  # content-addressed: an existing file has these bytes
    _atomic_write(dest, src_bytes or b"", out)


def _copy_warc(src: str, out: Path, suffix: str) -> str:
    """Copy a WARC file into ``raw/`` under its content hash; returns its name there."""
    raw_dir = out / "raw"
    raw_dir.mkdir(parents=True, exist_ok=True)
    tmp = _tmpdir(out) / f"warc.{unique_suffix()}"
    h = hashlib.sha256()
    with open(src, "rb") as fi, open(tmp, "wb") as fo:
        while chunk := fi.read(1 << 20):
            h.update(chunk)
            fo.write(chunk)
    name = h.hexdigest()[:16] + suffix
    dest = raw_dir / name
    if dest.exists():
        tmp.unlink()
    else:
        os.replace(tmp, dest)
    return name


Result = tuple[Document | None, Reject | None, bytes | None, str]  # doc, reject, raw bytes, location


def iter_page_file(loc: str, options: IngestOptions, pre) -> Iterator[Result]:
    """``(doc, None, raw, loc)`` or ``(None, reject, None, loc)`` for one page file."""
    try:
        raw = read_page_file(loc)
        fmt = "text" if ".txt" in page_suffix(loc) else "html"
        gz = loc.lower().endswith(".gz")
        digest = sha256_hex(raw)
        raw_path = f"raw/{digest[:16]}{page_suffix(loc)}"
        doc = draft_page(raw, raw_path=raw_path, raw_format=fmt, gzipped=gz, options=options, preannotate=pre)
        yield doc, None, raw, loc
    except ConfigError:
        raise
    except Exception as exc:  # one bad page never stops the shard
        yield None, _reject_from(exc, loc), None, loc


def iter_warc_file(loc: str, out: Path, options: IngestOptions, pre, summary: dict[str, Any]) -> Iterator[Result]:
    from corpus.warc import WarcProblem, WarcStats, iter_pages

    suffix = ".warc.gz" if loc.lower().endswith(".gz") else ".warc"
    try:
        if os.path.getsize(loc) == 0:
            yield None, Reject(loc, "empty_file", "file is empty"), None, loc
            return
        name = _copy_warc(loc, out, suffix)
    except OSError as exc:
        yield None, Reject(loc, "unreadable", str(exc)), None, loc
        return
    stats = WarcStats()
    try:
        for item in iter_pages(loc, loc, stats):
            if isinstance(item, WarcProblem):
                if item.file_level:
                    summary.setdefault("partial_files", []).append(loc)
                yield None, Reject(item.offset, item.reason, item.message, item.url), None, item.offset
                continue
            offset = item.offset.rsplit("#", 1)[1]
            try:
                if not item.payload:
                    raise DocumentError("empty HTTP payload", reason="empty_file")
                sniff_binary(item.payload, gzipped=item.gzipped)
                doc = draft_page(item.payload, raw_path=f"raw/{name}#{offset}", raw_format="warc",
                                 gzipped=item.gzipped, url=item.url, crawl_date=item.crawl_date,
                                 source_id=item.record_id, declared_charset=item.charset,
                                 options=options, preannotate=pre)
                yield doc, None, None, item.offset
            except ConfigError:
                raise
            except Exception as exc:
                yield None, _reject_from(exc, item.offset, item.url), None, item.offset
    except OSError as exc:
        summary.setdefault("partial_files", []).append(loc)
        yield None, Reject(loc, "partial_file", f"read error: {exc}"), None, loc
    summary["warc"] = {"records": stats.records, "pages": stats.pages, "skipped": stats.skipped}


# -- phase 1: shards -------------------------------------------------------------------------------


def _work(out: Path) -> Path:
    return out / STATE_DIR / "work"


def shard_done(out: str | os.PathLike[str], name: str) -> bool:
    return (_work(Path(out)) / f"{name}.done").exists()


def run_shard(spec: ShardSpec, out: str | os.PathLike[str], options: IngestOptions) -> dict[str, Any]:
    """Process one shard (idempotent: returns the existing marker when the shard is already done)."""
    out_p = Path(out)
    work = _work(out_p)
    marker = work / f"{spec.name}.done"
    if marker.exists():
        return json.loads(marker.read_text(encoding="utf-8")) | {"resumed": True}
    work.mkdir(parents=True, exist_ok=True)
    pre = _preannotator() if options.preannotate else None
    docs_tmp = work / f"{spec.name}.jsonl.tmp{unique_suffix()}"
    summary: dict[str, Any] = {}
    ids: list[list[str]] = []
    reject_rows: list[dict[str, Any]] = []
    h = hashlib.sha256()
    with open(docs_tmp, "wb") as fh:
        for loc in spec.inputs:
            results = (iter_warc_file(loc, out_p, options, pre, summary) if spec.kind == "warc"
                       else iter_page_file(loc, options, pre))
            for doc, rej, raw, where in results:
                if rej is not None:
                    reject_rows.append(rej.as_dict())
                    continue
                assert doc is not None
                if raw is not None and doc.source.raw_path:
                    _copy_raw(raw, out_p / doc.source.raw_path, out_p)
                line = (json.dumps(doc.to_dict(), ensure_ascii=False, separators=(",", ":")) + "\n").encode()
                h.update(line)
                fh.write(line)
                ids.append([doc.id, display_location(where)])
        fh.flush()
        os.fsync(fh.fileno())
    rej_text = _jsonl(reject_rows)
    _atomic_write(work / f"{spec.name}.rejects.jsonl", rej_text, out_p, fsync=True)
    os.replace(docs_tmp, work / f"{spec.name}.jsonl")
    result = {
        "shard": spec.name,
        "rows": len(ids),
        "sha256": h.hexdigest(),
        "rejects": len(reject_rows),
        "rejects_sha256": hashlib.sha256(rej_text.encode()).hexdigest(),
        "docs": ids,
        "partial_files": summary.get("partial_files", []),
        "warc": summary.get("warc"),
    }
    _atomic_write(marker, json.dumps(result, ensure_ascii=False, sort_keys=True) + "\n", out_p, fsync=True)
    _test_pause()
    return result


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
    """Publish the layout from completed shards; idempotent and safe to rerun after a kill."""
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
    summary = IngestSummary(shards=len(shard_names))
    # files layout: every reject in one file, streamed to a temporary name and renamed at the end
    rejects_tmp = None if options.layout == "shards" else _tmpdir(out_p) / f"rejects.jsonl.{unique_suffix()}"
    with ExitStack() as stack:
        seen = _SeenIndex(_tmpdir(out_p) / "seen.sqlite")
        stack.callback(seen.close)
        all_rejects = None if rejects_tmp is None else stack.enter_context(open(rejects_tmp, "w", encoding="utf-8"))
        _publish_all(out_p, plan["discovery_rejects"], shard_names, seen, all_rejects, summary)
    if rejects_tmp is not None:
        os.replace(rejects_tmp, out_p / "rejects.jsonl")
    record = {"documents": summary.documents, "rejects": summary.rejects, "reasons": summary.reasons,
              "partial_files": summary.partial_files, "shards": summary.shards}
    _atomic_write(done_marker, json.dumps(record, sort_keys=True) + "\n", out_p, fsync=True)
    _cleanup(out_p, options)
    return summary


def _publish_all(out_p: Path, disc: list[dict[str, Any]], shard_names: Sequence[str], seen: _SeenIndex,
                 all_rejects: TextIO | None, summary: IngestSummary) -> None:
    """Drop duplicates and publish every shard in plan order (``all_rejects``: the files layout's rejects)."""
    if all_rejects is None:
        _atomic_write(out_p / "rejects" / "discovery.jsonl", _jsonl(disc), out_p)
    else:
        all_rejects.write(_jsonl(disc))
    _count(summary, disc)
    for name in shard_names:
        work = _work(out_p)
        marker = json.loads((work / f"{name}.done").read_text(encoding="utf-8"))
        summary.partial_files += marker.get("partial_files") or []
        drop = _duplicates(seen, marker)
        rej_text = (work / f"{name}.rejects.jsonl").read_text(encoding="utf-8") + _jsonl(
            [drop[i] for i in sorted(drop)])
        _count(summary, [json.loads(line) for line in rej_text.splitlines()])
        _test_pause()
        if all_rejects is None:
            summary.documents += _publish_shard(out_p, name, drop, rej_text)
        else:
            all_rejects.write(rej_text)
            n, conflicts = _publish_files(out_p, name, drop, marker["docs"])
            summary.documents += n
            if conflicts:
                all_rejects.write(_jsonl(conflicts))
                _count(summary, conflicts)


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
                   locs: Sequence[Sequence[str]]) -> tuple[int, list[dict[str, Any]]]:
    """Write ``documents/<id>.json``; a different document already there is never overwritten."""
    docs_dir = out / "documents"
    docs_dir.mkdir(parents=True, exist_ok=True)
    n = 0
    conflicts = []
    with open(_work(out) / f"{name}.jsonl", encoding="utf-8") as fh:
        for i, line in enumerate(fh):
            if i in drop:
                continue
            d = json.loads(line)
            text = document_json(d)
            path = docs_dir / f"{d['id']}.json"
            if path.exists():
                if path.read_text(encoding="utf-8") != text:
                    conflicts.append(Reject(locs[i][1], "duplicate", f"documents/{d['id']}.json already exists in "
                                            "the corpus with other content; not overwritten", id=d["id"]).as_dict())
                    continue
            else:
                _atomic_write(path, text, out)
            n += 1
    return n, conflicts


# -- driver ------------------------------------------------------------------------------------------


def ingest(paths: Sequence[str], out: str | os.PathLike[str], *, options: IngestOptions = DEFAULT_OPTIONS,
           jobs: int = 1, progress: bool = False) -> IngestSummary:
    """Run (or resume) an ingest of ``paths`` into ``out``; returns the summary."""
    jobs = resolve_jobs(jobs)
    t0 = time.perf_counter()
    out_p = Path(out)
    shards = prepare(paths, out_p, options)  # raises if DIR holds a different run
    if (out_p / STATE_DIR / "done").exists():
        s = finalise(out_p)
        s.seconds = time.perf_counter() - t0
        return s
    todo = [s for s in shards if not shard_done(out_p, s.name)]
    resumed = len(shards) - len(todo)
    bar = progress_bar(sum(len(s.inputs) for s in shards), desc="ingest", unit="file", enabled=progress)
    todo_names = {s.name for s in todo}
    bar.update(sum(len(s.inputs) for s in shards if s.name not in todo_names))
    if jobs == 1 or len(todo) <= 1:
        for spec in todo:
            run_shard(spec, out_p, options)
            bar.update(len(spec.inputs))
    else:
        from corpus.parallel import ProcessMap

        then = "finished shards are kept: rerun the same command to resume"
        with ProcessMap(jobs, what="ingest worker", then=then) as pm:
            for spec, _ in zip(todo, pm.map(_pool_job, ((spec, str(out_p), options) for spec in todo)), strict=True):
                bar.update(len(spec.inputs))
    bar.close()
    del shards, todo  # finalise reads the plan again; do not hold two copies
    summary = finalise(out_p)
    summary.shards_resumed = resumed
    summary.seconds = time.perf_counter() - t0
    return summary


def _pool_job(spec: ShardSpec, out: str, options: IngestOptions) -> dict[str, Any]:
    """``run_shard`` in a worker; configuration errors cross the process boundary as plain ConfigError."""
    try:
        result = run_shard(spec, out, options)
    except ConfigError as exc:
        raise ConfigError(str(exc)) from None
    # the per-document list stays in the marker: the parent keeps every result until the pool is done
    return {k: v for k, v in result.items() if k != "docs"}

