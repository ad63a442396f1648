"""Catalogue of invalid documents: each a mutation of a valid one, each with its rule id and pointer."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from corpus.ingestion.draft import draft_document
from corpus.model import SCHEMA_VERSION
from corpus.store import document_json
from corpus.validation import Problem, Report, validate_paths

PAGE = (
    b"<html><head><title>Merkel in Paris</title></head><body>"
    b"<nav>Home | World | Politics</nav>"
    b"<h1>Angela Merkel visits Paris</h1>"
    b"<p>By Jane Doe, 2 May 2024</p>"
    b"<p>Angela Merkel met officials of the United Nations in Paris on Tuesday.</p>"
    b"<p>The talks lasted two days: both sides called them useful.</p>"
    b"<footer>Copyright 2024 Example News</footer>"
    b"</body></html>"
)
LABELS = ["navigation", "title", "byline", "body", "body", "footer"]
#: (surface, occurrence, label)
ENTITIES = [
    ("Angela Merkel", 0, "PER"), ("Paris", 0, "LOC"), ("Jane Doe", 0, "PER"),
    ("Angela Merkel", 1, "PER"), ("United Nations", 0, "ORG"), ("Paris", 1, "LOC"),
]


def _find(text: str, surface: str, occurrence: int) -> int:
    i = -1
    for _ in range(occurrence + 1):
        i = text.index(surface, i + 1)
    return i


def base_document(raw: bytes = PAGE, raw_path: str = "raw/page.html") -> dict[str, Any]:
    """A valid, fully labelled document of ``raw`` (gold blocks and entities)."""
    d = draft_document(raw, raw_path=raw_path, url="https://www.example.com/world/merkel-paris",
                       crawl_date="2024-05-03T08:00:00Z").to_dict()
    assert len(d["blocks"]) == len(LABELS), d["text"]
    for b, label in zip(d["blocks"], LABELS, strict=True):
        b["label"] = label
    text = d["text"]
    ents = []
    for surface, occ, label in ENTITIES:
        s = _find(text, surface, occ)
        ents.append({"start": s, "end": s + len(surface), "label": label, "text": surface})
    d["entities"] = sorted(ents, key=lambda e: e["start"])
    d["metadata"].update(title="Angela Merkel visits Paris", authors=["Jane Doe"], date_published="2024-05-02",
                         language="en", site_name="Example News")
    d["checks"] = {"include": ["The talks lasted  two days:"], "exclude": ["Copyright 2024"]}
    for layer in ("blocks", "entities", "metadata"):
        d["annotation"][layer] = {"status": "gold", "by": "annotator-1"}
    d["annotation"]["guidelines_version"] = "1.0"
    return d


def make_corpus(root: Path, docs: list[dict[str, Any]] | None = None, raw: bytes = PAGE) -> Path:
    """Write raw/page.html and documents/<id>.json under ``root``; return the documents dir."""
    (root / "raw").mkdir(parents=True, exist_ok=True)
    (root / "raw" / "page.html").write_bytes(raw)
    out = root / "documents"
    out.mkdir(parents=True, exist_ok=True)
    for d in docs if docs is not None else [base_document(raw)]:
        (out / f"{d['id']}.json").write_text(document_json(d), encoding="utf-8")
    return out


# -- mutations -----------------------------------------------------------------------------------
Mut = Callable[[dict[str, Any], Path], "bytes | None"]


def _ent(d: dict[str, Any], surface: str, occurrence: int = 0) -> dict[str, Any]:
    hits = [e for e in d["entities"] if e["text"] == surface]
    return hits[occurrence]


def _ent_index(d: dict[str, Any], surface: str, occurrence: int = 0) -> int:
    return d["entities"].index(_ent(d, surface, occurrence))


def _set(path: str, value: Any) -> Mut:
    def mutate(d: dict[str, Any], root: Path) -> None:
        *parents, last = path.strip("/").split("/")
        obj: Any = d
        for p in parents:
            obj = obj[int(p)] if isinstance(obj, list) else obj[p]
        if isinstance(obj, list):
            obj[int(last)] = value
        else:
            obj[last] = value
    return mutate


def _delete(path: str) -> Mut:
    def mutate(d: dict[str, Any], root: Path) -> None:
        *parents, last = path.strip("/").split("/")
        obj: Any = d
        for p in parents:
            obj = obj[int(p)] if isinstance(obj, list) else obj[p]
        del obj[int(last) if isinstance(obj, list) else last]
    return mutate


def _text_edit(d: dict[str, Any], root: Path) -> None:
    d["text"] = d["text"].replace("Tuesday", "Tuesdai")


def _overlap_blocks(d: dict[str, Any], root: Path) -> None:
    d["blocks"][2]["start"] = d["blocks"][1]["end"] - 3


def _unsorted_blocks(d: dict[str, Any], root: Path) -> None:
    d["blocks"][1], d["blocks"][2] = d["blocks"][2], d["blocks"][1]


def _gap(d: dict[str, Any], root: Path) -> None:
    d["blocks"][0]["start"] = 2


def _overlap_entities(d: dict[str, Any], root: Path) -> None:
    e = _ent(d, "Angela Merkel")
    s = e["start"] + len("Angela ")
    d["entities"].append({"start": s, "end": s + len("Merkel visits"), "label": "MISC", "text": "Merkel visits"})


def _crossing(d: dict[str, Any], root: Path) -> None:
    text = d["text"]
    s = _find(text, "Paris", 0)
    e = _find(text, "By Jane", 0) + 2
    d["entities"] = [x for x in d["entities"] if x["start"] < s]
    d["entities"].append({"start": s, "end": e, "label": "LOC", "text": text[s:e]})


def _whitespace_edge(d: dict[str, Any], root: Path) -> None:
    e = _ent(d, "United Nations")
    e["start"] -= 1
    e["text"] = d["text"][e["start"] : e["end"]]


def _merge_blocks(d: dict[str, Any], root: Path) -> None:
    d["blocks"][3]["end"] = d["blocks"][4]["end"]
    del d["blocks"][4]


def _raw_missing(d: dict[str, Any], root: Path) -> None:
    (root / "raw" / "page.html").unlink()


def _raw_changed(d: dict[str, Any], root: Path) -> None:
    (root / "raw" / "page.html").write_bytes(PAGE + b"\n<!-- changed -->")


def _warc(d: dict[str, Any], root: Path) -> None:
    (root / "raw" / "crawl.warc.gz").write_bytes(b"not really a warc")
    d["source"]["raw_format"] = "warc"
    d["source"]["raw_path"] = "raw/crawl.warc.gz#urn:uuid:1234"


def _separator(d: dict[str, Any], root: Path) -> None:
    k = d["blocks"][1]["end"]
    d["text"] = d["text"][:k] + " " + d["text"][k + 1 :]


def _checks_missing(d: dict[str, Any], root: Path) -> None:
    d["checks"]["include"].append("This sentence is not on the page.")


def _status_none(d: dict[str, Any], root: Path) -> None:
    d["annotation"]["blocks"]["status"] = "none"


def _raw_bytes(fn: Callable[[str], str | bytes]) -> Mut:
    def mutate(d: dict[str, Any], root: Path) -> bytes:
        out = fn(document_json(d))
        return out if isinstance(out, bytes) else out.encode("utf-8")
    return mutate


def _truncate(s: str) -> str:
    return s[: s.index('"blocks"')]


def _missing_comma(s: str) -> str:
    needle = f'"schema_version": "{SCHEMA_VERSION}",'
    assert needle in s
    return s.replace(needle, needle[:-1], 1)


def _not_utf8(s: str) -> bytes:
    return s.encode("utf-8").replace(b"Example News", b"Example N\xe9ws", 1)


def _duplicate_key(s: str) -> str:
    return s.replace('  "text": ', '  "id": "0000000000000000",\n  "text": ', 1)


def _deep(s: str) -> str:
    return s.replace('"site_name": "Example News"', '"site_name": ' + "[" * 80 + "]" * 80, 1)


def _bom(s: str) -> bytes:
    return b"\xef\xbb\xbf" + s.encode("utf-8")


@dataclass(frozen=True)
class Case:
    name: str
    mutate: Mut
    rule: str
    pointer: str
    #: substring of the written file whose line (and, for values, column) the problem must point at
    at: str | None = None
    line: int | None = None
    column: int | None = None
    message: str | None = None  # substring the message must contain
    ok: bool = False  # True: warnings only, the document stays valid


CASES: list[Case] = [
    Case("block out of range", _set("/blocks/5/end", 999), "block-out-of-range", "/blocks/5/end", at='"end": 999'),
    Case("entity surface text", lambda d, r: _ent(d, "Jane Doe").update(text="Jane Do"),
         "entity-text-mismatch", "/entities/2/text", message='is "Jane Doe" but the entity says "Jane Do"'),
    Case("overlapping blocks", _overlap_blocks, "block-overlap", "/blocks/2/start"),
    Case("unsorted blocks", _unsorted_blocks, "block-unsorted", "/blocks/2/start"),
    Case("gap in block coverage", _gap, "block-gap", "/blocks/0/start", message="covered by no block"),
    Case("block separator not a newline", _separator, "block-separator", "/blocks/2/start"),
    Case("block containing a newline", _merge_blocks, "block-newline", "/blocks/3"),
    Case("blocks not reproduced", _merge_blocks, "blocks-not-reproduced", "/blocks/3"),
    Case("empty block", _set("/blocks/2/end", 40), "block-empty", "/blocks/2"),
    Case("overlapping entities", _overlap_entities, "entity-overlap", "/entities/6"),
    Case("entity crossing blocks", _crossing, "entity-crosses-blocks", "/entities/1"),
    Case("entity on whitespace", _whitespace_edge, "entity-whitespace-edge", "/entities/4/start"),
    Case("entity out of range", _set("/entities/5/end", 10_000), "entity-out-of-range", "/entities/5/end"),
    Case("unknown block label", _set("/blocks/0/label", "nav"), "block-label-unknown", "/blocks/0/label",
         at='"label": "nav"', message="did you mean 'navigation'?"),
    Case("unknown entity label", lambda d, r: _ent(d, "Jane Doe").update(label="PERSON"),
         "entity-label-unknown", "/entities/2/label", message="did you mean 'PER'?"),
    Case("number as a string", _set("/blocks/1/start", "13"), "schema-type", "/blocks/1/start",
         at='"start": "13"', message="a number written as a string"),
    Case("negative offset", _set("/entities/0/start", -1), "schema-minimum", "/entities/0/start"),
    Case("missing field", _delete("/entities/0/text"), "schema-required", "/entities/0/text"),
    Case("missing section", _delete("/annotation"), "schema-required", "/annotation"),
    Case("extra field", _set("/metadata/date_publshed", "2024-05-02"), "schema-additional-property",
         "/metadata/date_publshed", at='"date_publshed": ', message="did you mean 'date_published'?"),
    Case("bad status", _set("/annotation/blocks/status", "golden"), "schema-enum", "/annotation/blocks/status",
         message="did you mean 'gold'?"),
    Case("bad sha256", _set("/source/raw_sha256", "ABC"), "sha256-format", "/source/raw_sha256"),
    Case("id not derived from sha", _set("/id", "0123456789abcdef"), "id-mismatch", "/id",
         at='"id": "0123456789abcdef"'),
    Case("malformed id", _set("/id", "page-1"), "id-format", "/id"),
    Case("schema major 2", _set("/schema_version", "2.0.0"), "schema-version-unsupported", "/schema_version",
         message="major version 2"),
    Case("impossible date", _set("/metadata/date_published", "2024-02-30"), "date-invalid",
         "/metadata/date_published", at='"date_published": "2024-02-30"'),
    Case("not a date", _set("/source/crawl_date", "last Tuesday"), "date-invalid", "/source/crawl_date"),
    Case("bad language tag", _set("/metadata/language", "english!"), "language-tag-invalid", "/metadata/language"),
    Case("gold layer with null label", _set("/blocks/3/label", None), "layer-incomplete", "/blocks/3/label"),
    Case("status none with labels", _status_none, "layer-none-but-labelled", "/annotation/blocks/status", ok=True),
    Case("include snippet missing", _checks_missing, "checks-include-missing", "/checks/include/1", ok=True),
    Case("normaliser not installed", _set("/normalizer/version", "0.9.0"), "normalizer-not-installed",
         "/normalizer/version", ok=True),
    Case("raw file missing", _raw_missing, "raw-missing", "/source/raw_path"),
    Case("raw hash mismatch", _raw_changed, "raw-hash-mismatch", "/source/raw_sha256"),
    Case("raw path escapes the root", _set("/source/raw_path", "../raw/page.html"), "raw-path-invalid",
         "/source/raw_path"),
    Case("warc record", _warc, "raw-not-checked", "/source/raw_path", ok=True),
    Case("text not reproduced", _text_edit, "text-not-reproduced", "/text", message="Tuesda"),
    Case("top-level array", lambda d, r: json.dumps([d]).encode(), "schema-type", "", line=1, column=1),
    Case("truncated JSON", _raw_bytes(_truncate), "json-syntax", "", message="unexpected end of input"),
    Case("missing comma", _raw_bytes(_missing_comma), "json-syntax", "", line=3, column=3),
    Case("not UTF-8", _raw_bytes(_not_utf8), "file-not-utf8", "", at="Example N"),
    Case("duplicate key", _raw_bytes(_duplicate_key), "json-duplicate-key", "/id", at='"id": "0000000000000000"'),
    Case("nesting too deep", _raw_bytes(_deep), "json-too-deep", "/metadata/site_name" + "/0" * 62,
         message="MAX_JSON_DEPTH=64"),
    Case("byte-order mark", _raw_bytes(_bom), "file-bom", "", line=1, column=1, ok=True),
]


def run_case(case: Case, root: Path, *, fast: bool | None = None) -> tuple[Report, str]:
    d = base_document()
    docs_dir = make_corpus(root, docs=[])
    out = case.mutate(d, root)
    content = out if isinstance(out, bytes) else document_json(d).encode("utf-8")
    path = docs_dir / "doc.json"
    path.write_bytes(content)
    return validate_paths([path], fast=fast), content.decode("utf-8", "replace")


def _position_of(content: str, needle: str) -> tuple[int, int]:
    offset = content.index(needle)
    line = content.count("\n", 0, offset) + 1
    col = offset - (content.rfind("\n", 0, offset) + 1) + 1
    return line, col


def test_catalogue_is_large_and_covers_distinct_rules() -> None:
    assert len(CASES) >= 25
    assert len({c.rule for c in CASES}) >= 25


def test_base_document_is_valid(tmp_path: Path) -> None:
    docs = make_corpus(tmp_path)
    report = validate_paths([docs])
    assert report.problems == []
    assert (report.files, report.documents) == (1, 1)


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_invalid_document(case: Case, tmp_path: Path) -> None:
    report, content = run_case(case, tmp_path)
    hits = [p for p in report.problems if p.rule == case.rule and p.pointer == case.pointer]
    assert hits, f"expected {case.rule} at {case.pointer!r}; got:\n" + report.format("text")
    p: Problem = hits[0]
    assert p.file.endswith("doc.json")
    assert report.ok is case.ok
    assert p.severity == ("warning" if case.ok else "error")
    if case.line is not None:
        assert (p.line, p.column) == (case.line, case.column)
    if case.at is not None:
        line, col = _position_of(content, case.at)
        assert p.line == line
        if ": " in case.at and not case.at.endswith(": "):  # a value: the column of the value itself
            col += case.at.index(": ") + 2
        elif case.at.endswith(": "):  # an extra property: its value follows the key
            col += len(case.at)
        if case.rule == "file-not-utf8":
            col += len(case.at)
        elif case.rule == "json-duplicate-key":
            col = _position_of(content, case.at)[1]
        assert p.column == col, p
    if case.message is not None:
        assert case.message in p.message, p.message


def test_truncated_json_points_at_the_end(tmp_path: Path) -> None:
    report, content = run_case(next(c for c in CASES if c.name == "truncated JSON"), tmp_path)
    (p,) = report.problems
    lines = content.split("\n")
    assert (p.line, p.column) == (len(lines), len(lines[-1]) + 1)


def test_duplicate_ids_across_two_files_report_both(tmp_path: Path) -> None:
    d = base_document()
    docs_dir = make_corpus(tmp_path, docs=[])
    (docs_dir / "a.json").write_text(document_json(d), encoding="utf-8")
    (docs_dir / "b.json").write_text(document_json(d), encoding="utf-8")
    report = validate_paths([docs_dir])
    dups = [p for p in report.problems if p.rule == "id-duplicate"]
    assert [Path(p.file).name for p in dups] == ["a.json", "b.json"]
    assert all(p.pointer == "/id" and p.line == 3 for p in dups)
    assert "b.json:3" in dups[0].message and "a.json:3" in dups[1].message
    assert not report.ok


def test_jsonl_positions_are_record_lines(tmp_path: Path) -> None:
    good = base_document()
    bad = copy.deepcopy(good)
    bad["metadata"]["date_published"] = "2024-13-01"
    make_corpus(tmp_path, docs=[])
    path = tmp_path / "documents" / "all.jsonl"
    line_bad = json.dumps(bad, ensure_ascii=False)
    path.write_text(json.dumps(good) + "\n\n" + line_bad + "\n{broken\n", encoding="utf-8")
    report = validate_paths([path])
    got = {(p.rule, p.line) for p in report.problems}
    assert ("date-invalid", 3) in got
    assert ("json-syntax", 4) in got
    assert ("id-duplicate", 1) in got and ("id-duplicate", 3) in got
    date = next(p for p in report.problems if p.rule == "date-invalid")
    assert date.column == line_bad.index('"2024-13-01"') + 1
    assert report.documents == 3


def test_document_too_large(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import corpus.validation.files as files

    docs = make_corpus(tmp_path)
    monkeypatch.setattr(files, "MAX_DOCUMENT_BYTES", 100)
    report = validate_paths([docs])
    assert [p.rule for p in report.problems] == ["document-too-large"]
