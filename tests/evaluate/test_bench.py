"""``corpus bench`` end to end on small corpora built in tmp_path; expected numbers by hand."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pytest

from corpus.cli import main
from corpus.evaluate.bench import load_predictions, run_bench
from corpus.ingestion.draft import draft_document
from corpus.model import Checks, Reference
from corpus.store import write_document

RESULT_KEYS = {"system", "version", "metric", "n_pages", "n_empty", "n_failed", "precision", "recall", "f1",
               "accuracy", "f1_std", "seconds"}

# -- a tiny fake Scrapinghub AEB layout -----------------------------------------------------------
AEB_GOLD = {
    "p1": "The cat sat on the mat today.",  # 7 tokens -> 4 shingles
    "p2": "Short text",  # 2 tokens -> 1 shorter shingle
    "p3": "Alpha beta gamma delta epsilon",  # 2 shingles
}
AEB_OUTPUTS = {
    # p1 exact (P 1, R 1, equal); p2 empty (no precision, R 0); p3 one of two shingles (P .5, R .5)
    "sys_a": {"p1": {"articleBody": "The cat sat on the mat today."}, "p2": {"articleBody": ""},
              "p3": {"articleBody": "Alpha beta gamma delta zeta"}},
    # p1 one extra shingle (P 4/5, R 1); p2, p3 exact
    "sys_b": {"p1": {"articleBody": "Menu\nThe cat sat on the mat today."}, "p2": {"articleBody": "Short text"},
              "p3": {"articleBody": "Alpha beta gamma delta epsilon"}},
}
AEB_EXPECTED = {
    "sys_a": {"precision": (1 + 0.5) / 2, "recall": (1 + 0 + 0.5) / 3, "f1": 2 * 0.75 * 0.5 / 1.25,
              "accuracy": 1 / 3, "n_empty": 1},
    "sys_b": {"precision": (0.8 + 1 + 1) / 3, "recall": 1.0, "f1": 2 * (2.8 / 3) / (2.8 / 3 + 1),
              "accuracy": 2 / 3, "n_empty": 0},
}


def _aeb_layout(root: Path) -> Path:
    src = root / "aeb"
    (src / "html").mkdir(parents=True)
    (src / "output").mkdir()
    gt = {}
    for pid, body in AEB_GOLD.items():
        html = f"<html><body><nav>Home</nav><article><p>{body}</p></article></body></html>"
        (src / "html" / f"{pid}.html.gz").write_bytes(gzip.compress(html.encode(), mtime=0))
        gt[pid] = {"articleBody": body, "url": f"https://example.com/{pid}"}
    (src / "ground-truth.json").write_text(json.dumps(gt))
    for name, out in AEB_OUTPUTS.items():
        (src / "output" / f"{name}.json").write_text(json.dumps(out))
    return src


def _aeb_corpus_by_hand(src: Path, out: Path) -> None:
    """What the scrapinghub-aeb importer produces, built directly: raw page + verbatim reference."""
    gt = json.loads((src / "ground-truth.json").read_text())
    for pid, item in gt.items():
        raw = (src / "html" / f"{pid}.html.gz").read_bytes()
        rp = f"raw/{pid}.html.gz"
        (out / "raw").mkdir(parents=True, exist_ok=True)
        (out / rp).write_bytes(raw)
        doc = draft_document(raw, raw_path=rp, url=item["url"], source_dataset="scrapinghub-aeb", source_id=pid)
        doc = doc.replace(reference=Reference(item["articleBody"], "aeb-articleBody"))
        write_document(doc, out / "documents" / f"{doc.id}.json")


def _check_aeb(corpus: Path, src: Path, capsys) -> None:
    args = ["bench", str(corpus), "--metric", "aeb_shingle4", "--format", "json", "--no-progress", "--no-cache"]
    for name in AEB_OUTPUTS:
        args += ["--predictions", f"{name}={src / 'output' / f'{name}.json'}"]
    assert main(args) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"corpus", "results"}
    rows = {r["system"]: r for r in data["results"]}
    for name, exp in AEB_EXPECTED.items():
        r = rows[name]
        assert set(r) == RESULT_KEYS
        assert r["metric"] == "aeb_shingle4" and r["n_pages"] == 3 and r["n_failed"] == 0
        assert r["seconds"] is None  # not measured for predictions
        for key, value in exp.items():
            assert r[key] == pytest.approx(value), (name, key)


def test_aeb_predictions_reproduce_hand_computed_scores(tmp_path, capsys):
    src = _aeb_layout(tmp_path)
    corpus = tmp_path / "corpus"
    _aeb_corpus_by_hand(src, corpus)
    _check_aeb(corpus, src, capsys)


def test_aeb_through_the_importer(tmp_path, capsys):
    from corpus.formats import importers as available

    if "scrapinghub-aeb" not in available():
        pytest.skip("the scrapinghub-aeb importer is not available in this checkout")
    src = _aeb_layout(tmp_path)
    assert main(["import", "scrapinghub-aeb", str(src), "--out", str(tmp_path / "imp")]) == 0
    capsys.readouterr()
    _check_aeb(tmp_path / "imp", src, capsys)


# -- predictions files ----------------------------------------------------------------------------
def test_prediction_formats(tmp_path):
    a = tmp_path / "a.json"
    a.write_text(json.dumps({"version": "1.2", "output": {"x": {"articleBody": "t"}, "y": {}, "z": None}}))
    assert load_predictions(a) == ({"x": "t", "y": "", "z": None}, "1.2")
    b = tmp_path / "b.jsonl"
    b.write_text('{"id": "x", "text": "t"}\n\n{"id": "y", "text": null}\n')
    assert load_predictions(b) == ({"x": "t", "y": None}, None)
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "no id"}\n')
    assert main(["bench", str(tmp_path), "-p", f"x={bad}"]) == 2


# -- extractors, gold selection, outputs, cache ---------------------------------------------------
def _small_corpus(root: Path) -> None:
    pages = {
        "a": ("<html><body><nav>Menu Home</nav><p>Alpha bravo charlie delta echo.</p></body></html>",
              Checks(("Alpha bravo",), ("Menu Home",)), "Alpha bravo charlie delta echo."),
        "b": ("<html><body><p>Foxtrot golf hotel india.</p><footer>Imprint</footer></body></html>",
              Checks(("golf  hotel",), ("Imprint",)), None),
        "c": ("<html><body><p>No gold here.</p></body></html>", Checks(), None),
    }
    for name, (html, checks, ref) in pages.items():
        raw = html.encode()
        rp = f"raw/{name}.html"
        (root / "raw").mkdir(parents=True, exist_ok=True)
        (root / rp).write_bytes(raw)
        doc = draft_document(raw, raw_path=rp, url=f"https://{name}.example.org/x", source_id=name)
        doc = doc.replace(checks=checks, reference=None if ref is None else Reference(ref, "test"))
        write_document(doc, root / "documents" / f"{doc.id}.json")


def test_bench_extractors_outputs_and_gold_selection(tmp_path, capsys):
    corpus, out = tmp_path / "c", tmp_path / "out"
    _small_corpus(corpus)
    code = main(["bench", str(corpus), "-e", "everything", "-e", "nothing", "-m", "trafilatura_segments",
                 "-m", "aeb_shingle4", "--out", str(out), "--format", "json", "--no-progress", "--bootstrap", "50"])
    assert code == 0
    data = json.loads(capsys.readouterr().out)
    assert data["corpus"]["metrics"]["trafilatura_segments"] == {"n_pages": 2, "n_skipped": 1}
    assert data["corpus"]["metrics"]["aeb_shingle4"] == {"n_pages": 1, "n_skipped": 2}
    rows = {(r["system"], r["metric"]): r for r in data["results"]}
    seg = rows[("everything", "trafilatura_segments")]
    # full page text finds both include snippets (whitespace folded) and both exclude snippets
    assert (seg["precision"], seg["recall"], seg["f1"], seg["accuracy"]) == pytest.approx((0.5, 1.0, 2 / 3, 0.5))
    assert seg["f1_std"] is not None and seg["seconds"] >= 0
    nothing = rows[("nothing", "trafilatura_segments")]
    assert (nothing["f1"], nothing["n_empty"], nothing["accuracy"]) == (0.0, 2, 0.5)
    # everything on page a: "Menu Home" + the paragraph; the gold is the paragraph only
    aeb = rows[("everything", "aeb_shingle4")]
    assert aeb["recall"] == 1.0 and aeb["precision"] == pytest.approx(2 / 4)
    for name in ("leaderboard.md", "results.json", "per_page.jsonl", "f1_trafilatura_segments.png",
                 "precision_recall_aeb_shingle4.png"):
        assert (out / name).is_file(), name
    full = json.loads((out / "results.json").read_text())
    assert {c["a"] + "|" + c["b"] for c in full["comparisons"]} == {"everything|nothing"}
    assert "site" in full["breakdown"] and "a.example.org" in full["breakdown"]["site"]["aeb_shingle4"]["everything"]
    per_page = [json.loads(x) for x in (out / "per_page.jsonl").read_text().splitlines()]
    assert len(per_page) == 2 * (2 + 1) and all("id" in r for r in per_page)
    assert "| everything |" in (out / "leaderboard.md").read_text()

    # rerun: every output comes from the cache
    assert main(["bench", str(corpus), "-e", "everything", "--out", str(out), "--format", "json",
                 "--no-progress"]) == 0
    again = json.loads(capsys.readouterr().out)
    assert again["corpus"]["systems"][0]["cached"] == 3


def test_bench_missing_raw_page_is_a_failure(tmp_path):
    corpus = tmp_path / "c"
    _small_corpus(corpus)
    (corpus / "raw" / "b.html").unlink()
    res = run_bench(corpus, extractors=["everything"], metrics=["trafilatura_segments"], bootstrap=0)
    row = res.rows()[0]
    assert row["n_failed"] == 1 and row["n_pages"] == 2
    assert res.corpus["systems"][0]["failures"] == {"missing raw page": 1}


def test_bench_usage_errors(tmp_path, capsys):
    corpus = tmp_path / "c"
    _small_corpus(corpus)
    assert main(["bench", str(corpus)]) == 2
    assert main(["bench", str(corpus), "-e", "nope"]) == 2
    assert main(["bench", str(corpus), "-e", "nothing", "-m", "bleu"]) == 2
    assert main(["bench", str(tmp_path / "missing"), "-e", "nothing"]) == 2
    assert main(["bench", str(corpus), "-e", "nothing", "--format", "xml"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and "unknown extractor" in err


def test_text_and_markdown_formats(tmp_path, capsys):
    corpus = tmp_path / "c"
    _small_corpus(corpus)
    assert main(["bench", str(corpus), "-e", "nothing", "--no-cache", "--no-progress"]) == 0
    assert "trafilatura_segments" in capsys.readouterr().out
    assert main(["bench", str(corpus), "-e", "nothing", "--no-cache", "--format", "markdown", "--no-progress"]) == 0
    assert capsys.readouterr().out.startswith("# Leaderboard")


def test_block_and_entity_predictions_are_scored(tmp_path, capsys):
    from corpus.model import Annotation, Block, Entity, Layer

    corpus = tmp_path / "c"
    _small_corpus(corpus)
    docs = sorted((corpus / "documents").glob("*.json"))
    gold_dir, pred_dir = tmp_path / "gold", tmp_path / "pred"
    from corpus.documents import load_documents

    for d in load_documents(docs[0]):
        first = d.blocks[0]
        gold = d.replace(blocks=tuple(Block(b.start, b.end, "body") for b in d.blocks),
                         entities=(Entity(first.start, first.start + 4, "ORG", d.text[first.start:first.start + 4]),),
                         annotation=Annotation(blocks=Layer("gold"), entities=Layer("gold")))
        pred = gold.replace(blocks=tuple(Block(b.start, b.end, "navigation") for b in d.blocks), entities=())
        write_document(gold, gold_dir / "documents" / f"{d.id}.json")
        write_document(pred, pred_dir / f"{d.id}.json")
    assert main(["bench", str(gold_dir), "--blocks", f"m={pred_dir}", "--entities", f"m={pred_dir}",
                 "--format", "json", "--no-progress"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["blocks"]["m"]["accuracy"] == 0.0
    assert data["blocks"]["m"]["content"]["recall"] == 0.0
    assert data["entities"]["m"]["overall"]["strict"]["missed"] == 1
    from corpus.evaluate.entities import ENTITY_MODES

    assert set(data["entities"]["m"]["overall"]) == set(ENTITY_MODES)
    assert main(["bench", str(gold_dir), "--entities", f"m={pred_dir}", "--no-progress"]) == 0
    text = capsys.readouterr().out
    assert "entities: m (1 documents, 0 without a prediction)" in text
    for mode in ENTITY_MODES:
        assert f"  {mode:18}  0.000  0.000  0.000" in text
        assert f"  {'ORG ' + mode:18}  0.000  0.000  0.000" in text
    assert main(["bench", str(gold_dir), "--entities", f"m={pred_dir}", "--no-progress", "--format", "markdown"]) == 0
    md = capsys.readouterr().out
    assert "| overall | partial | 0.000 | 0.000 | 0.000 |" in md and "| ORG | bio |" in md
    # block scores: a table in text and in the leaderboard, not an empty extractor table or a JSON blob
    n_blocks = len(next(iter(load_documents(docs[0]))).blocks)
    assert main(["bench", str(gold_dir), "--blocks", f"m={pred_dir}", "--no-progress", "--out",
                 str(tmp_path / "lb")]) == 0
    text = capsys.readouterr().out
    assert "pages/CPU s" not in text and "system  version" not in text
    assert f"blocks: m (1 documents, 0 without a prediction, {n_blocks} labelled gold blocks): accuracy 0.000" in text
    assert re.search(rf"^body +0\.000 +0\.000 +0\.000 +{n_blocks}$", text, re.M), text
    assert re.search(r"^content \(vs boilerplate\) +0\.000 +0\.000 +0\.000", text, re.M), text
    md = (tmp_path / "lb" / "leaderboard.md").read_text()
    assert "```json" not in md and "| system | version |" not in md
    assert f"| body | 0.000 | 0.000 | 0.000 | {n_blocks} |" in md


def test_nothing_scorable_is_exit_1(tmp_path, capsys):
    corpus = tmp_path / "c"
    _small_corpus(corpus)
    for f in (corpus / "documents").glob("*.json"):  # keep the page without gold
        d = json.loads(f.read_text())
        if d["reference"] is not None or d["checks"].get("include"):
            f.unlink()
    assert main(["bench", str(corpus), "-e", "nothing", "-m", "aeb_shingle4", "--no-cache", "--no-progress"]) == 1
    captured = capsys.readouterr()
    assert "nothing was scored: aeb_shingle4: 0 of 1 documents have its gold" in captured.err
    # no metric chosen: none applies
    assert main(["bench", str(corpus), "-e", "nothing", "--no-cache", "--no-progress"]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""  # the reason only, not a table of empty rows before it
    assert "nothing was scored: no metric applies to this corpus (none of its 1 documents" in captured.err
    for fmt in ("json", "markdown"):
        assert main(["bench", str(corpus), "-e", "nothing", "--no-cache", "--no-progress", "-f", fmt]) == 1
        assert capsys.readouterr().out == ""
    # without anything to run, the message names the options that give it something
    assert main(["bench", str(corpus), "--no-progress"]) == 2
    assert "--extractor NAME (see corpus extractors)" in capsys.readouterr().err
    # predictions that match no document
    other = tmp_path / "other"
    other.mkdir()
    assert main(["bench", str(corpus), "--blocks", f"m={other}", "--no-progress"]) in (1, 2)


def test_bad_prediction_value_is_a_usage_error(tmp_path):
    corpus = tmp_path / "c"
    _small_corpus(corpus)
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"a": {"articleBody": ["not", "a", "string"]}}))
    assert main(["bench", str(corpus), "-p", f"x={bad}"]) == 2


def test_jsonl_corpus_and_raw_root(tmp_path, capsys):
    corpus = tmp_path / "c"
    _small_corpus(corpus)
    jsonl = tmp_path / "all.jsonl"
    jsonl.write_text("".join(json.dumps(json.loads(p.read_text())) + "\n"
                             for p in sorted((corpus / "documents").glob("*.json"))))
    assert main(["bench", str(jsonl), "-e", "everything", "-m", "trafilatura_segments", "--raw-root", str(corpus),
                 "--no-cache",
                 "--format", "json", "--no-progress", "--bootstrap", "0"]) == 0
    row = json.loads(capsys.readouterr().out)["results"][0]
    assert row["n_pages"] == 2 and row["n_failed"] == 0 and row["f1_std"] is None


def test_spacy_pipeline_entities_are_scored(tmp_path, monkeypatch):
    import types

    from corpus.evaluate import bench
    from corpus.model import Annotation, Entity, Layer

    text = "Angela Merkel visited Paris."
    gold = draft_document(text.encode(), raw_path="raw/x.txt").replace(
        entities=(Entity(0, 13, "PER", "Angela Merkel"), Entity(22, 27, "LOC", "Paris")),
        annotation=Annotation(entities=Layer("gold")))

    class Ent:
        def __init__(self, s, e, label):
            self.start_char, self.end_char, self.label_, self.text = s, e, label, text[s:e]

    fake = types.SimpleNamespace(load=lambda name: (lambda t: types.SimpleNamespace(
        ents=[Ent(0, 13, "PERSON"), Ent(22, 27, "GPE"), Ent(0, 6, "DATE")])))
    monkeypatch.setitem(__import__("sys").modules, "spacy", fake)
    preds = bench.spacy_entity_docs([gold], "fake_model")
    assert [(e.label, e.text) for e in preds[0].entities] == [("PER", "Angela Merkel"), ("LOC", "Paris")]
    from corpus.evaluate.entities import entity_scores

    assert entity_scores([gold], preds).overall["strict"]["f1"] == 1.0


# -- page-type breakdown --------------------------------------------------------------------------
TYPED_PAGES = {  # source_id: (page type, gold main_content, a system's output)
    "t1": ("article", "The cat sat on the mat", "the cat sat"),  # P 1, R 1/2, F1 2/3
    "t2": ("article", "Tides turn twice", "Menu tides turn twice"),  # P 3/4, R 1, F1 6/7
    "t3": ("forum", "First post and a reply", ""),  # empty output: 0
    "t4": (None, "", ""),  # no page type; empty gold and output: 1
}


def _typed_corpus(root: Path) -> Path:
    from dataclasses import replace

    preds = {}
    for sid, (page_type, gold, output) in TYPED_PAGES.items():
        raw = f"<html><body><p>{gold or 'x'} {sid}</p></body></html>".encode()
        rp = f"raw/{sid}.html"
        (root / "raw").mkdir(parents=True, exist_ok=True)
        (root / rp).write_bytes(raw)
        doc = draft_document(raw, raw_path=rp, url=f"https://{sid}.example.org/", source_dataset="wcxb",
                             source_id=sid)
        doc = doc.replace(source=replace(doc.source, page_type=page_type, split="dev"),
                          reference=Reference(gold, "wcxb-main_content"))
        write_document(doc, root / "documents" / f"{doc.id}.json")
        preds[sid] = {"articleBody": output}
    (root / "preds.json").write_text(json.dumps(preds))
    return root / "preds.json"


def test_bench_breaks_every_metric_down_by_page_type(tmp_path, capsys):
    corpus, out = tmp_path / "c", tmp_path / "out"
    preds = _typed_corpus(corpus)
    args = ["bench", str(corpus), "-p", f"sys={preds}", "-m", "wcxb_word_f1", "-m", "token_f1", "--no-progress",
            "--no-cache", "--bootstrap", "0"]
    assert main([*args, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    row = data["results"][[r["metric"] for r in data["results"]].index("wcxb_word_f1")]
    assert row["f1"] == pytest.approx((2 / 3 + 6 / 7 + 0 + 1) / 4) and row["n_pages"] == 4
    by_type = data["by_page_type"]["wcxb_word_f1"]["sys"]
    assert set(by_type) == {"article", "forum", "unknown"}
    assert by_type["article"] == pytest.approx({"n_pages": 2, "precision": (1 + 3 / 4) / 2, "recall": (1 / 2 + 1) / 2,
                                                "f1": (2 / 3 + 6 / 7) / 2})
    assert by_type["forum"] == {"n_pages": 1, "precision": 0.0, "recall": 0.0, "f1": 0.0}
    assert by_type["unknown"]["f1"] == 1.0
    assert set(data["by_page_type"]) == {"wcxb_word_f1", "token_f1"}  # every metric is broken down

    assert main([*args, "--format", "text"]) == 0
    text = capsys.readouterr().out
    assert "F1 by page type (wcxb_word_f1)" in text and "article (2)" in text and "forum (1)" in text
    line = next(x for x in text.splitlines()[text.splitlines().index("F1 by page type (wcxb_word_f1)") + 2:]
                if x.startswith("sys"))
    assert line.split()[1:] == [f"{(2 / 3 + 6 / 7) / 2:.3f}", "0.000", "1.000"]  # article, forum, unknown

    assert main([*args, "--format", "json", "--out", str(out)]) == 0
    capsys.readouterr()
    md = (out / "leaderboard.md").read_text()
    assert "## F1 by page type" in md and "| system | article (2) | forum (1) | unknown (1) |" in md
    assert json.loads((out / "results.json").read_text())["breakdown"]["page_type"]["wcxb_word_f1"]["sys"] == by_type


def test_bench_without_page_types_has_no_page_type_breakdown(tmp_path, capsys):
    corpus = tmp_path / "c"
    _small_corpus(corpus)
    assert main(["bench", str(corpus), "-e", "nothing", "-m", "wcxb_word_f1", "--format", "text", "--no-progress",
                 "--no-cache", "--bootstrap", "0"]) == 0
    assert "page type" not in capsys.readouterr().out
