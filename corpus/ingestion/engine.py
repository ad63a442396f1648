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
    DIR/ingest-manifest.jsonl         every input file and WARC record -> its document id or reject
    DIR/.ingest/                      plan, per-shard work files and markers (removed when done
                                      for layout "files"; the plan is kept for "shards")

Every document records where it came from in ``source.input`` (the input's path relative to the
directory holding the given path, ``#<offset>`` appended for a WARC record). Ingesting into an
existing corpus adds to it: inputs the manifest already lists (same size and modification time) are
skipped, so rerunning a finished ingest has nothing to do; rejects and the manifest are appended to.

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
    iter_manifest,
    load_plan_index,
    prepare_run,
    rejects_path,
)
from corpus.model import Document, sha256_hex
from corpus.parallel import advance, resolve_jobs
from corpus.paths import INGEST_MANIFEST
from corpus.progress import progress
from corpus.store import Reject, add_document, display_location, exists_reject, unique_suffix
from corpus.text.normalise import (
    NormalisedPage,
    decode_raw_page,
    normalise_html_root,
    normalise_text,
    parse_html,
)
from corpus.text.normalise_v2 import NORMALIZER_V2, normalise_html_v2

DEFAULT_OPTIONS = IngestOptions()
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



# -- per-record processing (pure apart from reading the input) -----------------------------------


def _preannotator() -> Callable[..., Document] | None:
    try:
        from corpus.annotate.preannotate import preannotate
    except ImportError:
        return None
    return preannotate


def draft_page(raw: bytes, *, raw_path: str, raw_format: str, gzipped: bool, url: str | None = None,
               crawl_date: str | None = None, source_id: str | None = None, declared_charset: str | None = None,
               options: IngestOptions = DEFAULT_OPTIONS, preannotate: Callable[..., Document] | None = None,
               input: str | None = None) -> Document:
    """One raw page -> draft document (pre-annotated when ``preannotate`` is given); parses the HTML once.

    With ``options.normaliser == "v2"`` the pre-annotator gets the decoded page only (its element
    features read v1's lxml tree), so it labels v2's blocks from their text.
    """
    dec = decode_raw_page(raw, raw_format, gzipped=gzipped, declared_charset=declared_charset)
    decoded = dec.text
    root = elements = None
    v2 = options.normaliser == "v2"
    if raw_format == "text":
        text, blocks = normalise_text(decoded)
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
        declared_charset=declared_charset, page=page, input=None if input is None else display_location(input),
    )
    if preannotate is not None:
        doc = preannotate(doc, html=None if raw_format == "text" else decoded, root=root, elements=elements,
                          ner=ner_arg(options.ner))
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


def iter_page_file(loc: str, options: IngestOptions, pre, name: str | None = None) -> Iterator[Result]:
    """``(doc, None, raw, loc)`` or ``(None, reject, None, loc)`` for one page file (``name``: source.input)."""
    try:
        raw = read_page_file(loc)
        fmt = "text" if ".txt" in page_suffix(loc) else "html"
        gz = loc.lower().endswith(".gz")
        digest = sha256_hex(raw)
        raw_path = f"raw/{digest[:16]}{page_suffix(loc)}"
        doc = draft_page(raw, raw_path=raw_path, raw_format=fmt, gzipped=gz, options=options, preannotate=pre,
                         input=name)
        yield doc, None, raw, loc
    except ConfigError:
        raise
    except Exception as exc:  # one bad page never stops the shard
        yield None, _reject_from(exc, loc), None, loc


def iter_warc_file(loc: str, out: Path, options: IngestOptions, pre, summary: dict[str, Any],
                   input_name: str | None = None) -> Iterator[Result]:
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
                                 options=options, preannotate=pre,
                                 input=None if input_name is None else f"{input_name}#{offset}")
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


def _entry(loc: str, name: str, where: str, state: Sequence[int]) -> dict[str, Any]:
    """A manifest entry for the record at ``where`` of the input file ``loc`` (named ``name``)."""
    inp = name + where[len(loc):] if where.startswith(loc) else where
    return {"input": display_location(inp), "file": display_location(name), "state": list(state),
            "location": display_location(where)}


def run_shard(spec: ShardSpec, out: str | os.PathLike[str], options: IngestOptions,
              on_record: Callable[[int], None] | None = None) -> dict[str, Any]:
    """Process one shard (idempotent: returns the existing marker when the shard is already done).

    ``on_record(1)`` is called after each input record (a page file or a WARC record).
    """
    out_p = Path(out)
    work = _work(out_p)
    marker = work / f"{spec.name}.done"
    if marker.exists():
        return json.loads(marker.read_text(encoding="utf-8")) | {"resumed": True}
    work.mkdir(parents=True, exist_ok=True)
    pre = _preannotator() if options.preannotate else None
    docs_tmp = work / f"{spec.name}.jsonl.tmp{unique_suffix()}"
    manifest_tmp = work / f"{spec.name}.manifest.jsonl.tmp{unique_suffix()}"
    summary: dict[str, Any] = {}
    ids: list[list[str]] = []
    reject_rows: list[dict[str, Any]] = []
    h = hashlib.sha256()
    with open(docs_tmp, "wb") as fh, open(manifest_tmp, "w", encoding="utf-8") as mf:
        for idx, loc in enumerate(spec.inputs):
            name, state = spec.name_of(idx), spec.state_of(idx)
            results = (iter_warc_file(loc, out_p, options, pre, summary, name) if spec.kind == "warc"
                       else iter_page_file(loc, options, pre, name))
            file_entry = False  # has the file itself got an entry (a page, or a reject of the whole file)?
            for doc, rej, raw, where in results:
                entry = _entry(loc, name, where, state)
                file_entry = file_entry or where == loc
                if rej is not None:
                    reject_rows.append(rej.as_dict())
                    entry["reject"] = rej.reason
                else:
                    assert doc is not None
                    if raw is not None and doc.source.raw_path:
                        _copy_raw(raw, out_p / doc.source.raw_path, out_p)
                    line = (json.dumps(doc.to_dict(), ensure_ascii=False, separators=(",", ":")) + "\n").encode()
                    h.update(line)
                    fh.write(line)
                    ids.append([doc.id, display_location(where)])
                    entry["id"] = doc.id
                mf.write(_jsonl([entry]))
                if on_record is not None:
                    on_record(1)
            if not file_entry:  # a WARC file: its records are listed; this entry accounts for the file
                mf.write(_jsonl([_entry(loc, name, loc, state) | {"warc": summary.get("warc")}]))
        for f in (fh, mf):
            f.flush()
            os.fsync(f.fileno())
    rej_text = _jsonl(reject_rows)
    _atomic_write(work / f"{spec.name}.rejects.jsonl", rej_text, out_p, fsync=True)
    os.replace(manifest_tmp, work / f"{spec.name}.manifest.jsonl")
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


# -- driver ------------------------------------------------------------------------------------------


def ingest(paths: Sequence[str], out: str | os.PathLike[str], *, options: IngestOptions = DEFAULT_OPTIONS,
           jobs: int = 1, progress: bool = False) -> IngestSummary:
    """Run (or resume) an ingest of ``paths`` into ``out``, adding to what is there; returns the summary.

    Inputs the corpus's ingest manifest already lists are skipped: when nothing is new the summary
    says ``nothing_to_do`` and nothing is written.
    """
    jobs = resolve_jobs(jobs)
    t0 = time.perf_counter()
    out_p = Path(out)
    prepared = prepare_run(paths, out_p, options)  # raises if DIR holds an unfinished, different run
    if prepared.nothing_to_do:
        return IngestSummary(skipped=prepared.skipped, nothing_to_do=True, seconds=time.perf_counter() - t0)
    shards = prepared.shards
    todo = [s for s in shards if not shard_done(out_p, s.name)]
    resumed = len(shards) - len(todo)
    pages = sum(len(s.inputs) for s in shards if s.kind == "page")
    total = None if any(s.kind == "warc" for s in shards) else pages  # WARC records are counted as read
    with _progress(total, progress) as bar:
        todo_names = {s.name for s in todo}
        bar.update(sum(len(s.inputs) for s in shards if s.kind == "page" and s.name not in todo_names))
        if jobs == 1 or len(todo) <= 1:
            for spec in todo:
                run_shard(spec, out_p, options, on_record=bar.update)
        else:
            from corpus.parallel import ProcessMap

            then = "finished shards are kept: rerun the same command to resume"
            with ProcessMap(jobs, what="ingest worker", then=then, progress=bar.update) as pm:
                for _ in pm.map(_pool_job, ((spec, str(out_p), options) for spec in todo)):
                    pass
    del shards, todo  # finalise reads the plan again; do not hold two copies
    summary = finalise(out_p)
    summary.shards_resumed = resumed
    summary.skipped = prepared.skipped
    summary.seconds = time.perf_counter() - t0
    return summary


def _progress(total: int | None, enabled: bool) -> Any:
    return progress(total, desc="ingest", unit="page", enabled=enabled)


def _pool_job(spec: ShardSpec, out: str, options: IngestOptions) -> dict[str, Any]:
    """``run_shard`` in a worker; configuration errors cross the process boundary as plain ConfigError."""
    try:
        result = run_shard(spec, out, options, on_record=advance)
    except ConfigError as exc:
        raise ConfigError(str(exc)) from None
    # the per-document list stays in the marker: the parent keeps every result until the pool is done
    return {k: v for k, v in result.items() if k != "docs"}

