"""Coverage-guided fuzzing of the ingest path (decode, normalise, draft) and the WARC reader with atheris.

Not run in CI. Every input must end in a document or a :class:`corpus.errors.DocumentError` with a
named reason; any other exception, a hang or a crash is a finding.

Setup and run (Linux, CPython 3.11)::

    pip install atheris
    mkdir -p fuzz-corpus && cp data/raw/*.html fuzz-corpus/    # optional seeds
    python scripts/fuzz_normalise.py fuzz-corpus -max_len=200000 -timeout=20 -rss_limit_mb=2048
    python scripts/fuzz_normalise.py --target warc warc-corpus -max_len=100000

Useful libFuzzer flags: ``-runs=N`` (stop after N inputs), ``-jobs=2 -workers=2`` (parallel),
``-dict=FILE``. A crashing input is written as ``crash-<sha1>``; replay it with
``python scripts/fuzz_normalise.py crash-<sha1>``. Turn a finding into a case in
``tests/hostile/cases.py`` before fixing it.
"""

from __future__ import annotations

import io
import sys


def _page_target(data: bytes) -> None:
    from corpus.errors import DocumentError
    from corpus.ingestion.engine import IngestOptions, draft_page

    if not data:
        return
    fmt = ("html", "text", "html")[data[0] % 3]
    gz = data[0] % 3 == 2
    try:
        doc = draft_page(data[1:], raw_path="raw/x.html", raw_format=fmt, gzipped=gz,
                         options=IngestOptions(preannotate=False))
    except DocumentError as exc:
        assert exc.reason and exc.reason != "document_error", exc
        return
    text = doc.text
    assert text, "documents without text must be rejected"
    assert not any(0xD800 <= ord(c) <= 0xDFFF for c in text), "lone surrogate in text"
    prev = -1
    for b in doc.blocks:
        assert prev < b.start < b.end <= len(text) or (prev == -1 and b.start == 0), (b, prev)
        prev = b.end


def _warc_target(data: bytes) -> None:
    from corpus.warc import WarcProblem, WarcRecord, iter_records, record_to_page

    for gz in (False, True):
        problems = 0
        for item in iter_records(io.BytesIO(data), "fuzz", gzipped=gz):
            assert isinstance(item, WarcRecord | WarcProblem)
            if isinstance(item, WarcRecord):
                record_to_page(item)
            elif item.reason == "partial_file":
                problems += 1
        assert problems <= 1


def main() -> None:
    import atheris

    argv = list(sys.argv)
    target = _page_target
    if "--target" in argv:
        i = argv.index("--target")
        target = {"page": _page_target, "warc": _warc_target}[argv[i + 1]]
        del argv[i : i + 2]
    with atheris.instrument_imports():
        pass
    atheris.Setup(argv, target)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
