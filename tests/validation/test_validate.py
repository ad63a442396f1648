"""Validator internals: fast path == reference path, no traceback on any input, units."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_validate_catalogue import CASES, base_document, make_corpus, run_case

from corpus.labels import BLOCK_LABELS, CONLL4
from corpus.validation import RULES, Problem, Report, is_clean, validate_document, validate_paths
from corpus.validation.jsonpos import JsonSyntaxError, JsonTooDeep, LineIndex, locate, parse
from corpus.validation.semantic import is_iso_date
from corpus.validation.suggest import suggest_block_label, suggest_entity_label

ROOT = Path(__file__).resolve().parents[2]
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


# -- fast path agreement ---------------------------------------------------------------------------
@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_fast_and_reference_paths_agree_on_catalogue(case, tmp_path: Path) -> None:
    fast, _ = run_case(case, tmp_path, fast=True)
    ref, _ = run_case(case, tmp_path, fast=False)
    strip = [(p.rule, p.pointer, p.line, p.column, p.message, p.severity) for p in fast.problems]
    assert strip == [(p.rule, p.pointer, p.line, p.column, p.message, p.severity) for p in ref.problems]
    assert strip, "every catalogue case reports something"


def test_fast_path_accepts_valid_documents_without_the_reference_layers() -> None:
    d = base_document()
    assert is_clean(d)
    assert validate_document(d, fast=True) == validate_document(d) == []
    onto = copy.deepcopy(d)
    onto["annotation"]["entity_label_set"] = "ontonotes18"
    for e in onto["entities"]:
        e["label"] = {"PER": "PERSON", "LOC": "GPE"}.get(e["label"], e["label"])
    assert is_clean(onto) and validate_document(onto) == []


def test_fast_path_agrees_on_jsonl_with_duplicate_keys_and_colons(tmp_path: Path) -> None:
    d = base_document()
    d["metadata"]["description"] = 'a "quoted": value: with colons'
    line = json.dumps(d, ensure_ascii=False)
    inner = line.replace('"label": "PER"', '"label": "PER", "label": "PER"', 1)  # duplicate only
    escaped = line.replace('a \\"quoted\\": value', 'a \\"quoted\\"\\u003a value', 1)
    make_corpus(tmp_path, docs=[])
    path = tmp_path / "documents" / "x.jsonl"
    path.write_text("\n".join([line, inner, escaped]) + "\n", encoding="utf-8")
    fast = validate_paths([path], fast=True)
    ref = validate_paths([path], fast=False)
    assert fast.problems == ref.problems
    dups = [p for p in fast.problems if p.rule == "json-duplicate-key"]
    assert [(p.line, p.pointer) for p in dups] == [(2, "/entities/0/label")]
    assert dups[0].column == inner.index('"label": "PER", "label"') + len('"label": "PER", ') + 1
    assert not [p for p in fast.problems if p.line == 1 and p.rule != "id-duplicate"]
    # the clean record is proven duplicate-free without the position parser; the others are not
    from corpus.validation.files import _no_duplicate_keys

    assert [_no_duplicate_keys(x, json.loads(x)) for x in (line, inner, escaped)] == [True, False, False]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 400) | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=6) | st.sampled_from([*BLOCK_LABELS, *CONLL4, "nav", "PERSON", "2024-02-30", "gold", ""]),
    lambda c: st.lists(c, max_size=3) | st.dictionaries(st.sampled_from(["start", "end", "label", "text", "x"]), c,
                                                        max_size=4),
    max_leaves=6,
)


def _paths(v: Any, prefix: tuple = ()) -> list[tuple]:
    out = [prefix]
    if isinstance(v, dict):
        for k, x in v.items():
            out.extend(_paths(x, (*prefix, k)))
    elif isinstance(v, list):
        for i, x in enumerate(v):
            out.extend(_paths(x, (*prefix, i)))
    return out


BASE = base_document()
BASE_PATHS = _paths(BASE)


@st.composite
def mutated_documents(draw: st.DrawFn) -> Any:
    d = copy.deepcopy(BASE)
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(d)
        path = draw(st.sampled_from(paths))
        op = draw(st.sampled_from(["replace", "delete", "nudge"]))
        if not path:
            if op == "replace":
                d = draw(json_values)
            continue
        parent: Any = d
        for k in path[:-1]:
            parent = parent[k]
        key = path[-1]
        if op == "delete":
            del parent[key]
        elif op == "nudge" and type(parent[key]) is int:
            parent[key] += draw(st.integers(-3, 3))
        else:
            parent[key] = draw(json_values)
    return d


@SETTINGS
@given(mutated_documents())
def test_random_mutations_fast_equals_reference_and_never_crash(d: Any) -> None:
    ref = validate_document(d)
    assert validate_document(d, fast=True) == ref
    assert not [p for p in ref if p.rule == "validator-internal-error"], ref
    assert all(p.rule in RULES for p in ref)
    if is_clean(d):
        assert ref == []


@SETTINGS
@given(st.data())
def test_random_bytes_never_crash_and_paths_agree(
        tmp_path_factory: pytest.TempPathFactory, data: st.DataObject) -> None:
    tmp = tmp_path_factory.mktemp("bytes")
    make_corpus(tmp, docs=[])
    raw = bytearray(json.dumps(BASE, indent=1).encode("utf-8"))
    for _ in range(data.draw(st.integers(1, 4))):
        i = data.draw(st.integers(0, len(raw)))
        op = data.draw(st.sampled_from(["insert", "delete", "replace"]))
        b = data.draw(st.binary(min_size=1, max_size=3))
        if op == "insert":
            raw[i:i] = b
        elif op == "delete":
            del raw[i : i + len(b)]
        else:
            raw[i : i + len(b)] = b
    for name, content in (("doc.json", bytes(raw)), ("doc.jsonl", bytes(raw).replace(b"\n", b" ") + b"\n")):
        path = tmp / "documents" / name
        path.write_bytes(content)
        fast = validate_paths([path], fast=True)
        ref = validate_paths([path], fast=False)
        assert fast.problems == ref.problems
        assert all(p.line >= 1 and p.column >= 1 for p in ref.problems)
        path.unlink()


@pytest.mark.parametrize("content", [
    b"", b"\x00\x01\x02", b"\xff\xfe{\x00}\x00", b"[1, 2", b"{\"a\": NaN}", b"1" * 5000, b"\"" + b"\\" * 3,
    b"{" * 100_000, b"[" * 70 + b"]" * 70, b"{\"id\": 1e400}", b"\xef\xbb\xbf", b"null", b"{\"\\ud800\": 1}",
])
def test_hostile_files_give_problems_not_tracebacks(content: bytes, tmp_path: Path) -> None:
    for suffix in (".json", ".jsonl"):
        path = tmp_path / f"x{suffix}"
        path.write_bytes(content)
        report = validate_paths([path])
        assert not report.ok or (content.strip() == b"" and suffix == ".jsonl")
        assert all(p.rule in RULES and p.line >= 1 for p in report.problems)
        report.format("text").encode("utf-8")
        report.format("github").encode("utf-8")
        json.loads(report.format("json"))


# -- semantic details --------------------------------------------------------------------------
@pytest.mark.parametrize(("value", "ok"), [
    ("2024-02-29", True), ("2024-02-30", False), ("2023-02-29", False), ("2024-05-02T10:20", True),
    ("2024-05-02T10:20:30.123456Z", True), ("2024-05-02T10:20:30+02:00", True), ("2024-05-02T24:00", False),
    ("2024-05-02 10:20", False), ("02/05/2024", False), ("2024-5-2", False), ("2024-05-02\n", False),
    ("2024-05-02T10:20+25:00", False), ("", False),
])
def test_iso_dates(value: str, ok: bool) -> None:
    assert is_iso_date(value) is ok


def test_all_schema_errors_are_reported_not_just_the_first() -> None:
    d = base_document()
    d["blocks"][0]["start"] = "0"
    d["entities"][1]["label"] = 7
    d["metadata"]["authors"] = "Jane Doe"
    d["source"]["raw_format"] = "pdf"
    got = {(p.rule, p.pointer) for p in validate_document(d)}
    assert {("schema-type", "/blocks/0/start"), ("schema-type", "/entities/1/label"),
            ("schema-type", "/metadata/authors"), ("schema-enum", "/source/raw_format")} <= got


def test_semantic_layer_skips_only_the_misshapen_parts() -> None:
    d = base_document()
    d["blocks"][2] = "not a block"
    d["entities"][0]["text"] = "wrong"
    got = {(p.rule, p.pointer) for p in validate_document(d)}
    assert ("schema-type", "/blocks/2") in got
    assert ("entity-text-mismatch", "/entities/0/text") in got
    assert not any(r.startswith("block-") for r, _ in got)


def test_reference_object_branch_errors_are_specific() -> None:
    d = base_document()
    d["reference"] = {"text": 5, "convention": ""}
    got = {(p.rule, p.pointer) for p in validate_document(d)}
    assert got == {("schema-type", "/reference/text"), ("schema-min-length", "/reference/convention")}


def test_integral_floats_are_integers_as_in_json_schema() -> None:
    d = base_document()
    d["blocks"][1]["start"] = float(d["blocks"][1]["start"])
    assert not is_clean(d)
    assert validate_document(d) == []


def test_entity_label_suggestions() -> None:
    assert "did you mean 'PER'" in suggest_entity_label("PERSON", "conll4")
    assert "no CoNLL-4 counterpart" in suggest_entity_label("DATE", "conll4")
    assert "'GPE'" in suggest_entity_label("LOC", "ontonotes18") or "LOC" in ONTOLABELS
    assert "did you mean 'ORG'" in suggest_entity_label("org", "conll4")
    assert suggest_block_label("nav") == "navigation"
    assert suggest_block_label("Body") == "body"
    assert suggest_block_label("comment") == "comments"
    assert suggest_block_label("zzzzz") is None


ONTOLABELS = ("LOC",)


def test_ontonotes_label_declared_conll_is_flagged_with_mapping() -> None:
    d = base_document()
    d["annotation"]["entity_label_set"] = "ontonotes18"
    (p,) = [p for p in validate_document(d) if p.pointer == "/entities/0/label"]
    assert p.rule == "entity-label-unknown" and "'PERSON'" in p.message


# -- parser and positions ------------------------------------------------------------------------
def test_parser_positions_and_duplicates() -> None:
    text = '{\n  "a": [1, {"b": "x"}],\n  "a": 2\n}'
    parsed = parse(text)
    assert parsed.value == {"a": 2}
    idx = LineIndex(text)
    assert idx.line_col(locate(parsed.positions, "/a")) == (3, 8)
    assert parsed.duplicates == [("/a", text.rindex('"a"'))]
    assert idx.line_col(locate(parsed.positions, "/a/1/missing")) == (3, 8)


@pytest.mark.parametrize(("text", "pos"), [
    ('{"a": 1,}', 8), ('[1 2]', 3), ('{"a": NaN}', 6), ('01', 1), ('{"a": "\x01"}', 7), ('', 0), ('"x', 0),
])
def test_parser_rejects_what_json_rejects(text: str, pos: int) -> None:
    with pytest.raises(JsonSyntaxError) as exc:
        parse(text)
    assert exc.value.pos == pos


def test_parser_depth_limit() -> None:
    with pytest.raises(JsonTooDeep):
        parse("[" * 65 + "]" * 65)
    assert parse("[" * 64 + "]" * 64).value is not None


# -- report and problem formats ------------------------------------------------------------------
def test_problem_formats() -> None:
    p = Problem("d/x.json", 3, 5, "block-gap", "/blocks/1/start", "text[1:2] = ',' is covered by no block")
    assert p.format_text() == "d/x.json:3:5: block-gap /blocks/1/start: text[1:2] = ',' is covered by no block"
    assert p.format_github() == ("::error file=d/x.json,line=3,col=5,title=block-gap::/blocks/1/start: "
                                 "text[1:2] = '%2C' is covered by no block".replace("%2C", ","))
    w = Problem("a,b:c.json", 1, 1, "file-bom", "", "100%\nsure", "warning")
    assert w.format_text() == "a,b:c.json:1:1: file-bom /: warning: 100%\nsure"
    assert w.format_github() == "::warning file=a%2Cb%3Ac.json,line=1,col=1,title=file-bom::/: 100%25%0Asure"
    r = Report(1, 1, [p, w])
    assert not r.ok and r.errors == [p] and r.warnings == [w]
    assert json.loads(r.to_json())["problems"][1] == {
        "file": "a,b:c.json", "line": 1, "column": 1, "rule": "file-bom", "pointer": "", "message": "100%\nsure",
        "severity": "warning"}
    assert Report(1, 1, [w]).ok


def test_directory_walk_prefers_documents_and_skips_hidden(tmp_path: Path) -> None:
    make_corpus(tmp_path)
    (tmp_path / "rejects.jsonl").write_text('{"reason": "x"}\n')
    (tmp_path / "documents" / ".cache").mkdir()
    (tmp_path / "documents" / ".cache" / "junk.json").write_text("{")
    report = validate_paths([tmp_path, tmp_path / "documents"])
    assert (report.files, report.documents, report.problems) == (1, 1, [])


def test_raw_root_option_and_fallback_resolution(tmp_path: Path) -> None:
    d = base_document()
    make_corpus(tmp_path / "corpus", docs=[])
    loose = tmp_path / "elsewhere" / "doc.json"
    loose.parent.mkdir()
    loose.write_text(json.dumps(d))
    assert {p.rule for p in validate_paths([loose]).problems} == {"raw-missing"}
    assert validate_paths([loose], raw_root=tmp_path / "corpus").problems == []
    assert validate_paths([loose], check_raw=False).problems == []
    # not under documents/: the file's directory's parent, then the file's directory
    (tmp_path / "elsewhere" / "raw").mkdir()
    (tmp_path / "elsewhere" / "raw" / "page.html").write_bytes((tmp_path / "corpus/raw/page.html").read_bytes())
    assert validate_paths([loose]).problems == []


def test_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    from corpus.errors import ConfigError

    with pytest.raises(ConfigError):
        validate_paths([tmp_path / "nope"])


def test_built_dataset_is_validated(tmp_path: Path) -> None:
    from corpus.dataset import build

    make_corpus(tmp_path / "corpus")
    out = tmp_path / "built"
    build.build(tmp_path / "corpus", out)
    report = validate_paths([out])
    assert (report.files, report.documents, report.problems) == (1, 1, [])
    assert validate_paths([out], raw_root=tmp_path / "corpus", fast=False).problems == []
    (tmp_path / "corpus" / "raw" / "page.html").write_bytes(b"changed")
    bad = validate_paths([out], raw_root=tmp_path / "corpus")
    assert [(p.rule, p.file, p.line) for p in bad.problems] == [("raw-hash-mismatch", str(out), 1)]


# -- documentation -----------------------------------------------------------------------------
def test_every_rule_is_documented() -> None:
    doc = (ROOT / "docs" / "validation.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `([a-z0-9-]+)` \| (error|warning) \|", doc, re.MULTILINE))
    assert documented == {(rule, sev) for rule, (sev, _) in RULES.items()}


# -- patterns: no trailing newline ------------------------------------------------------------------
def _patterns(node: Any, ptr: str = "") -> list[tuple[str, str]]:
    out = []
    if isinstance(node, dict):
        for k, v in node.items():
            if k == "pattern" and isinstance(v, str):
                out.append((ptr, v))
            else:
                out += _patterns(v, f"{ptr}/{k}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _patterns(v, f"{ptr}/{i}")
    return out


def test_every_schema_pattern_rejects_a_trailing_newline_under_python_search() -> None:
    from corpus.schema import document_schema

    samples = {"schema_version": "1.0.0", "id": "0123456789abcdef", "raw_sha256": "ab" * 32, "language": "pt-BR"}
    found = _patterns(document_schema())
    assert len(found) == len(samples)
    for ptr, pattern in found:
        good = samples[ptr.rsplit("/", 1)[-1]]
        assert re.search(pattern, good), (ptr, pattern)
        for bad in (good + "\n", good + "\n\n", "\n" + good, good + " "):
            assert not re.search(pattern, bad), (ptr, pattern, bad)


@pytest.mark.parametrize(("path", "value", "rule"), [
    (("schema_version",), "1.0.0\n", "schema-version-unsupported"),
    (("metadata", "language"), "en\n", "language-tag-invalid"),
    (("id",), None, "id-format"),
    (("source", "raw_sha256"), None, "sha256-format"),
])
def test_a_trailing_newline_is_rejected_by_both_paths_with_one_rule(path: tuple[str, ...], value: Any,
                                                                     rule: str) -> None:
    d = base_document()
    node = d
    for k in path[:-1]:
        node = node[k]
    node[path[-1]] = (value if value is not None else node[path[-1]] + "\n")
    assert not is_clean(d)
    fast, ref = validate_document(d, fast=True), validate_document(d)
    assert fast == ref
    assert rule in {p.rule for p in ref}, [p.rule for p in ref]
