"""The editable annotation text format: lossless round trips and mistakes reported at file positions."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from annotation_samples import news_doc, samples, text_doc
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from corpus.annotate.annotext import escape, export_text, import_text, parse_text, raw_problems
from corpus.cli import main
from corpus.errors import DocumentError
from corpus.labels import BLOCK_LABELS, CONLL4
from corpus.model import Annotation, Block, Document, Entity, Layer, Metadata, Normalizer, Source
from corpus.store import write_document
from corpus.validation import validate_document

DATA_DOCS = sorted((Path(__file__).resolve().parents[2] / "data" / "documents").glob("*.json"))


def _errors(problems):
    return [p for p in problems if p.severity == "error"]


@pytest.mark.parametrize("doc", samples(), ids=lambda d: d.id)
def test_round_trip_of_sample_documents_is_lossless(doc):
    result = import_text(export_text(doc), "doc.annot")
    assert result.problems == []
    assert result.document == doc
    assert result.document.to_dict() == doc.to_dict()


@pytest.mark.skipif(not DATA_DOCS, reason="no bundled documents in data/documents yet")
@pytest.mark.parametrize("path", DATA_DOCS, ids=lambda p: p.stem)
def test_round_trip_and_edit_of_bundled_documents(path):
    doc = Document.from_dict(json.loads(path.read_text(encoding="utf-8")))
    content = export_text(doc)
    result = import_text(content, str(path))
    assert _errors(result.problems) == []
    assert result.document.to_dict() == doc.to_dict()
    assert raw_problems(result.document, path.parents[1], str(path), content) == []  # --raw-root data
    # edit: relabel the first block, drop the first entity's brackets, set the guidelines version
    lines = content.split("\n")
    first = next(i for i, x in enumerate(lines) if x and not x.startswith("#"))
    label, _, rest = lines[first].partition(" | ")
    new_label = "other" if label.strip() != "other" else "footer"
    lines[first] = new_label + " | " + rest
    edited = "\n".join(lines).replace("# annotation.guidelines_version:" + (
        f" {doc.annotation.guidelines_version}" if doc.annotation.guidelines_version else ""),
        "# annotation.guidelines_version: 9.9", 1)
    if doc.entities:
        e = doc.entities[0]
        marked = "[" + escape(e.text) + "]{" + e.label + "}"
        i = next(i for i, x in enumerate(lines) if marked in x)
        edited = edited.replace(lines[i], lines[i].replace(marked, escape(e.text), 1), 1)
    result = import_text(edited, str(path))
    assert _errors(result.problems) == []
    new = result.document
    assert new.text == doc.text
    assert [b.label for b in new.blocks] == [new_label] + [b.label for b in doc.blocks[1:]]
    assert new.entities == doc.entities[1:]
    assert new.annotation.guidelines_version == "9.9"


# -- property: every valid document survives export -> import ------------------------------------
_CHARS = st.sampled_from(list("ab yZ09[]|#:{}\\\"'<>&é") + ["😀", "🇫", "\u2028", "\x85", "\t", "\r", "\ufeff",
                                                            "\u00a0", "\u200b", "\x00", "\u3000", "\\u{41}"])
_BLOCK = st.lists(_CHARS, min_size=1, max_size=14).map("".join)
_META_STR = st.one_of(st.none(), st.text(alphabet=st.sampled_from(list(' "ab[]#:\\\u2028\x85é😀')), max_size=8))


@st.composite
def valid_documents(draw):
    texts = draw(st.lists(_BLOCK, min_size=0, max_size=5))
    text = "\n".join(texts)
    blocks, entities, pos = [], [], 0
    for t in texts:
        label = draw(st.sampled_from([None, *BLOCK_LABELS]))
        blocks.append(Block(pos, pos + len(t), label, draw(st.sampled_from([None, "p", "div"])),
                            draw(st.sampled_from([None, "/html/body/p[1]"]))))
        # non-overlapping entities inside the block, not starting or ending on whitespace
        cuts = sorted(set(draw(st.lists(st.integers(0, len(t)), max_size=6))))
        for s, e in zip(cuts[::2], cuts[1::2], strict=False):
            if s < e and not t[s].isspace() and not t[e - 1].isspace():
                entities.append(Entity(pos + s, pos + e, draw(st.sampled_from(CONLL4)), t[s:e]))
        pos += len(t) + 1
    sha = draw(st.text(alphabet="0123456789abcdef", min_size=64, max_size=64))
    all_labelled = all(b.label for b in blocks)
    layer = Layer("gold", draw(_META_STR), draw(_META_STR))
    doc = Document(
        id=sha[:16],
        source=Source(url=draw(_META_STR), raw_sha256=sha, raw_format="html", raw_path="raw/x.html"),
        normalizer=Normalizer("corpus-normaliser", "1.0.0"),
        text=text,
        blocks=tuple(blocks),
        entities=tuple(entities),
        metadata=Metadata(title=draw(_META_STR), authors=tuple(draw(st.lists(_BLOCK, max_size=2))),
                          description=draw(_META_STR),
                          is_accessible_for_free=draw(st.sampled_from([None, True, False])),
                          tags=tuple(draw(st.lists(_META_STR.filter(lambda x: x is not None), max_size=2)))),
        annotation=Annotation(layer if blocks and all_labelled else Layer(), layer if entities else Layer(),
                              Layer(), "conll4", draw(_META_STR)),
    )
    return doc


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
@given(valid_documents())
def test_export_import_is_lossless_for_valid_documents(doc):
    assume(not _errors(validate_document(doc.to_dict())))
    content = export_text(doc)
    result = import_text(content, "p.annot")
    assert _errors(result.problems) == [], content
    assert result.document.to_dict() == doc.to_dict()


# -- editing ---------------------------------------------------------------------------------------
def _edit(content: str, old: str, new: str) -> str:
    assert old in content, old
    return content.replace(old, new, 1)


def test_edited_labels_entities_and_metadata_are_imported_with_offsets():
    doc = news_doc()
    content = export_text(doc)
    content = _edit(content, "caption    | [Rasmussen]{PER}", "related    | [Rasmussen]{PER}")
    content = _edit(content, "to send {ground} troops", "to send {ground} troops")  # unchanged braces
    content = _edit(content, "in [Berlin]{LOC}", "in Berlin")
    content = _edit(content, "the 🇫🇷 envoy", "the 🇫🇷 [envoy]{MISC}")
    content = _edit(content, "# annotation.guidelines_version: 1.0", "# annotation.guidelines_version: 2.1")
    content = _edit(content, "# publisher:", "# publisher: Harbour Courier Ltd")
    content = _edit(content, '# authors: ["Jane Doe"]', '# authors: ["Jane Doe", "J. Smith"]')
    result = import_text(content, "doc.annot")
    assert result.problems == []
    new = result.document
    assert new.text == doc.text
    assert [b.label for b in new.blocks][7] == "related"
    assert "Berlin" not in [e.text for e in new.entities]
    envoy = next(e for e in new.entities if e.label == "MISC")
    assert new.text[envoy.start:envoy.end] == "envoy" == envoy.text
    assert envoy.start == doc.text.index("envoy")
    assert new.annotation.guidelines_version == "2.1"
    assert new.metadata.publisher == "Harbour Courier Ltd"
    assert new.metadata.authors == ("Jane Doe", "J. Smith")


def _problem(content: str):
    result = import_text(content, "doc.annot")
    errs = _errors(result.problems)
    assert result.document is None and errs, result.problems
    return errs[0]


def _pos(content: str, needle: str) -> tuple[int, int]:
    for ln, line in enumerate(content.split("\n"), 1):
        if needle in line:
            return ln, line.index(needle) + 1
    raise AssertionError(needle)


@pytest.mark.parametrize(
    ("old", "new", "rule", "at"),
    [
        ("byline     | By", "bylin      | By", "annot-label-unknown", "bylin "),
        ("[Jane Doe]{PER}", "[Jane Doe]{PERSON}", "annot-entity-label-unknown", "PERSON"),
        ("[Jane Doe]{PER}", "[Jane Doe{PER}", "annot-entity-unbalanced", "{PER}"),  # where ']' is missing
        ("By [Jane Doe]{PER}", "By Jane Doe]{PER}", "annot-entity-unbalanced", "]{PER}"),
        ("[Jane Doe]{PER}", "[Jane Doe] (PER)", "annot-entity-unbalanced", "] (PER)"),
        ("[Jane Doe]{PER}", "[Jane [Doe]{PER}", "annot-entity-unbalanced", "[Jane"),  # the unclosed '['
        ("[Jane Doe]{PER}", "[]{PER}Jane Doe", "annot-entity-empty", "[]{PER}"),
        ("\\[yet\\]", "\\[yet\\q", "annot-escape-invalid", "\\q"),
        ("not planning", "not plannig", "annot-text-changed", "NATO]{ORG} is not"),
        ("# section: World", "# section World", "annot-header-syntax", "# section World"),
        ("# section: World", "# sektion: World", "annot-header-unknown-key", "sektion"),
        ("# section: World", "# section: [World]{LOC}", "annot-header-markup", "[World]{LOC}"),
        ('# authors: ["Jane Doe"]', "# authors: Jane Doe", "annot-header-value", "Jane Doe"),
        ("# is_accessible_for_free: true", "# is_accessible_for_free: yes", "annot-header-value", "yes"),
        ("# annotation.blocks.status: gold", "# annotation.blocks.status: done", "annot-header-value", "done"),
        ("# date_published: 2011-03-12", "# date_published: 12/03/2011", "date-invalid", "12/03/2011"),
        ("# language: en", "# language: english language", "language-tag-invalid", "english"),
        ("[Jane Doe]{PER} |", "[Jane Doe ]{PER}|", "entity-whitespace-edge", "[Jane Doe ]"),
        ("footer     | ©", "-          | ©", "layer-incomplete", "-          | ©"),
    ],
)
def test_mistakes_are_reported_at_line_and_column_of_the_file(old, new, rule, at):
    content = _edit(export_text(news_doc()), old, new)
    prob = _problem(content)
    assert prob.rule == rule, prob
    assert prob.file == "doc.annot"
    line, col = _pos(content, at)
    assert prob.line == line, prob
    if rule.startswith("annot-") and rule != "annot-text-changed":
        assert prob.column == col, prob


def test_entity_markup_in_a_header_value_is_kept_only_when_quoted():
    content = _edit(export_text(news_doc()), "# section: World", '# section: "[World]{LOC} news"')
    result = import_text(content, "doc.annot")
    assert result.ok, result.problems
    assert result.document.metadata.section == "[World]{LOC} news"


def test_deleted_or_added_block_lines_are_reported():
    content = export_text(text_doc())
    prob = _problem(_edit(content, "social | Share | Tweet\n", ""))
    assert prob.rule == "annot-text-changed" and "missing" in prob.message
    prob = _problem(_edit(content, "social | Share | Tweet\n", "social | Share | Tweet\nother | More\n"))
    assert prob.rule == "annot-text-changed" and prob.line == _pos(content, "social |")[0] + 1


def test_damaged_or_missing_frozen_line_and_header():
    content = export_text(text_doc())
    frozen = next(x for x in content.split("\n") if x.startswith("#!"))
    assert _problem(content.replace(frozen, "")).rule == "annot-header-missing"
    assert _problem(content.replace(frozen, frozen[:-5])).rule == "annot-frozen-invalid"
    no_id = "\n".join(x for x in content.split("\n") if not x.startswith("# id:"))
    assert _problem(no_id).rule == "annot-header-missing"
    dup = _edit(content, "# language: nb", "# language: nb\n# language: de")
    assert _problem(dup).rule == "annot-header-duplicate"


def test_crlf_and_bom_from_editors_are_tolerated():
    doc = text_doc()
    content = "\ufeff" + export_text(doc).replace("\n", "\r\n")
    assert parse_text(content).document == doc


def test_hand_written_quoted_and_plain_values():
    content = export_text(text_doc())
    content = _edit(content, "# title: Weather [live] | Oslo", '# title: "  spaced \\"quoted\\" title "')
    content = _edit(content, "# description:", "# description: null")
    doc = import_text(content, "x").document
    assert doc.metadata.title == '  spaced "quoted" title '
    assert doc.metadata.description == "null"  # a plain value is text, never JSON


# -- command line ----------------------------------------------------------------------------------
def test_cli_export_edit_import(tmp_path, capsys):
    doc = text_doc()
    src = tmp_path / "doc.json"
    write_document(doc, src)
    annot = tmp_path / "doc.annot"
    assert main(["annotate", "export", str(src), "--out", str(annot)]) == 0
    annot.write_text(_edit(annot.read_text(encoding="utf-8"), "social | Share", "other  | Share"), encoding="utf-8")
    out = tmp_path / "out.json"
    assert main(["annotate", "import", str(annot), "--out", str(out)]) == 0
    new = Document.from_dict(json.loads(out.read_text(encoding="utf-8")))
    assert [b.label for b in new.blocks] == ["title", "body", "other"]
    assert new.entities == doc.entities
    # stdout variants
    capsys.readouterr()
    assert main(["annotate", "export", str(src)]) == 0
    assert capsys.readouterr().out == export_text(doc)
    assert main(["annotate", "import", str(annot)]) == 0
    assert json.loads(capsys.readouterr().out)["blocks"][2]["label"] == "other"
    (tmp_path / "docs").mkdir()
    assert main(["annotate", "import", str(annot), "--out", str(tmp_path / "docs")]) == 0
    assert (tmp_path / "docs" / f"{doc.id}.json").read_text(encoding="utf-8") == out.read_text(encoding="utf-8")


def test_export_refuses_entities_it_cannot_place(tmp_path, capsys):
    doc = text_doc()
    b0, b1 = doc.blocks[0], doc.blocks[1]
    crossing = doc.replace(entities=(Entity(b0.end - 4, b1.start + 4, "LOC", doc.text[b0.end - 4:b1.start + 4]),))
    with pytest.raises(DocumentError, match="crosses"):
        export_text(crossing)
    src = tmp_path / "bad.json"
    write_document(crossing, src)
    assert main(["annotate", "export", str(src)]) == 1
    assert "entity_not_exportable" in capsys.readouterr().err


def test_cli_import_reports_problems_and_exits_1(tmp_path, capsys):
    annot = tmp_path / "bad.annot"
    annot.write_text(_edit(export_text(text_doc()), "social |", "socail |"), encoding="utf-8")
    out = tmp_path / "out.json"
    assert main(["annotate", "import", str(annot), "--out", str(out)]) == 1
    err = capsys.readouterr().err
    line = _pos(annot.read_text(encoding="utf-8"), "socail")[0]
    assert f"{annot}:{line}:1: annot-label-unknown" in err and "did you mean 'social'" in err
    assert not out.exists()
    assert main(["annotate", "import", str(tmp_path / "missing.annot")]) == 2


def test_cli_import_checks_raw_page_with_raw_root(tmp_path, capsys):
    from annotation_samples import TEXT_PAGE

    doc = text_doc()
    annot = tmp_path / "doc.annot"
    annot.write_text(export_text(doc), encoding="utf-8")
    (tmp_path / "raw").mkdir()
    (tmp_path / "raw" / "weather.txt").write_bytes(TEXT_PAGE.encode("utf-8"))
    assert main(["annotate", "import", str(annot), "--raw-root", str(tmp_path), "--out", str(tmp_path / "o.json")]) == 0
    (tmp_path / "raw" / "weather.txt").write_bytes(b"something else")
    assert main(["annotate", "import", str(annot), "--raw-root", str(tmp_path)]) == 1
    assert "raw-hash-mismatch" in capsys.readouterr().err


def test_a_missing_close_bracket_is_reported_at_the_unclosed_bracket_not_the_next_one():
    content = export_text(news_doc())
    edited = _edit(content, "[Brussels]{LOC} and", "[Brussels and")  # ']{LOC}' deleted
    errs = _errors(import_text(edited, "doc.annot").problems)
    assert [e.rule for e in errs] == ["annot-entity-unbalanced"], errs  # one error, not one per later '['
    assert (errs[0].line, errs[0].column) == _pos(edited, "[Brussels and"), errs
    assert "next '['" in errs[0].message


def test_a_changed_character_is_located_with_the_original_document():
    doc = news_doc()
    content = _edit(export_text(doc), "not planning", "not plannig")
    without = _problem(content)
    result = import_text(content, "doc.annot", original=doc)
    (err,) = _errors(result.problems)
    ln, col = _pos(content, "plannig")
    assert err.rule == "annot-text-changed" and (err.line, err.column) == (ln, col + len("planni")), err
    assert "here: 'g [yet]" in err.message and "has 'ng [yet]" in err.message
    assert without.line == err.line and without.column < err.column  # without it: the block's start


def test_a_json_document_imported_by_mistake_is_one_clear_error():
    import json

    for content in (json.dumps(news_doc().to_dict(), indent=2), "[1, 2]\n", '{"schema_version": "1.0.0", '):
        problems = import_text(content, "doc.json").problems
        assert [p.rule for p in problems] == ["annot-not-annotation-file"], problems
        assert "corpus annotate export" in problems[0].message
