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
and writes the shard's marker last; a rerun skips shards whose marker exists. Phase 2
(:mod:`corpus.ingestion.publish`, single process) drops duplicate documents (same raw bytes -> same
id; the first in input order is kept, later ones become ``duplicate`` rejects) and publishes the
layout; each published file is also written via temporary name + rename, so after a kill at any
point a rerun of the same command produces the same bytes as an uninterrupted run.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

from corpus.errors import ConfigError, DocumentError
from corpus.ingestion.discover import (
    page_suffix,
    read_page_file,
    sniff_binary,
)
from corpus.ingestion.draft import draft_document
from corpus.ingestion.plan import IngestOptions, ShardSpec, _atomic_write, _tmpdir, prepare_run
from corpus.ingestion.publish import (  # noqa: F401  (re-exported: the engine's public names)
    SLEEP_ENV,
    IngestSummary,
    _jsonl,
    _test_pause,
    _work,
    finalise,
    shard_done,
)
from corpus.model import Document, sha256_hex
from corpus.parallel import advance, resolve_jobs
from corpus.progress import progress
from corpus.store import Reject, display_location, document_line, unique_suffix
from corpus.text.normalise import (
    NormalisedPage,
    decode_raw_page,
    normalise_html_root,
    normalise_text,
    parse_html,
)
from corpus.text.normalise_v2 import NORMALIZER_V2, normalise_html_v2

DEFAULT_OPTIONS = IngestOptions()


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
        declared_charset=declared_charset, page=page, input=None if input is None else display_location(input),
    )
    if preannotate is not None:
        extra = {"features": features} if features is not None else {}
        doc = preannotate(doc, html=None if raw_format == "text" else decoded, root=root, elements=elements,
                          ner=ner_arg(options.ner), labeller=options.labeller, **extra)
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
                    line = document_line(doc).encode()
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
