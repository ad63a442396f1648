"""Entity scores equal nervaluate 1.2.1 (four schemas) and seqeval 1.2.2 (BIO view), per label and overall."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from corpus.cli import main
from corpus.evaluate.entities import (
    BIO,
    ENTITY_MODES,
    ENTITY_SCHEMAS,
    bio_tags,
    doc_spans,
    entity_scores,
)
from corpus.labels import CONLL4
from corpus.model import Annotation, Block, Document, Entity, Layer, Normalizer, Source
from corpus.store import write_documents
from corpus.text.tokens import block_tokens

nervaluate = pytest.importorskip("nervaluate", reason="nervaluate (the `test` extra) is the reference")
seqeval_metrics = pytest.importorskip("seqeval.metrics", reason="seqeval (the `test` extra) is the reference")

#: seqeval's weighted average over no label warns through NumPy; the figures compared are unaffected.
pytestmark = pytest.mark.filterwarnings("ignore:Mean of empty slice", "ignore:invalid value encountered")

COUNT_KEYS = ("correct", "incorrect", "partial", "missed", "spurious")


def _doc(text: str, spans, doc_id: str = "d1", label_set: str = "conll4") -> Document:
    ents = tuple(Entity(s, e, lab, text[s:e]) for s, e, lab in spans)
    return Document(id=doc_id, source=Source(), normalizer=Normalizer("n", "1"), text=text,
                    blocks=(Block(0, len(text), "body"),) if text else (), entities=ents,
                    annotation=Annotation(blocks=Layer("gold"), entities=Layer("gold"), entity_label_set=label_set))


def _surface(text: str, *picks):
    out = []
    for surface, label, *cut in picks:
        start = text.index(surface)
        out.append((start, start + (cut[0] if cut else len(surface)), label))
    return out


# -- the reference implementations ----------------------------------------------------------------
def _raw_spans(doc, conll_only=False):
    """The test documents' entities (CoNLL-4 label set), sorted, unfiltered unless ``conll_only``."""
    spans = sorted((e.start, e.end, e.label) for e in doc.entities if e.end > e.start)
    return [x for x in spans if x[2] in CONLL4] if conll_only else spans


def _nervaluate(pairs):
    """nervaluate's results for ``[(gold doc, pred doc)]`` (spans in our walk order, inclusive ends;
    nervaluate itself drops labels outside ``tags``)."""
    def dicts(doc):
        return [{"label": lab, "start": s, "end": e - 1} for s, e, lab in _raw_spans(doc)]

    ev = nervaluate.Evaluator([dicts(g) for g, _ in pairs], [dicts(p) for _, p in pairs], tags=list(CONLL4),
                              loader="dict")
    return ev.evaluate()


def _seqeval(pairs):
    true = [bio_tags(g.text, _raw_spans(g, conll_only=True)) for g, _ in pairs]
    pred = [bio_tags(g.text, _raw_spans(p, conll_only=True)) for g, p in pairs]
    overall = {"precision": seqeval_metrics.precision_score(true, pred, zero_division=0),
               "recall": seqeval_metrics.recall_score(true, pred, zero_division=0),
               "f1": seqeval_metrics.f1_score(true, pred, zero_division=0)}
    report = seqeval_metrics.classification_report(true, pred, output_dict=True, zero_division=0)
    return overall, report


def _assert_equal_to_references(pairs):
    ours = entity_scores([g for g, _ in pairs], [p for _, p in pairs])
    ref = _nervaluate(pairs)
    for schema in ENTITY_SCHEMAS:
        o, r = ours.overall[schema], ref["overall"][schema]
        assert [o[k] for k in COUNT_KEYS] == [getattr(r, k) for k in COUNT_KEYS], schema
        assert (o["precision"], o["recall"], o["f1"]) == (r.precision, r.recall, r.f1), schema
    assert set(ours.per_label) == set(ref["entities"])
    for lab, modes in ours.per_label.items():
        for schema in ENTITY_SCHEMAS:
            o, r = modes[schema], ref["entities"][lab][schema]
            assert [o[k] for k in COUNT_KEYS] == [getattr(r, k) for k in COUNT_KEYS], (lab, schema)
            assert (o["precision"], o["recall"], o["f1"]) == (r.precision, r.recall, r.f1), (lab, schema)
    overall, report = _seqeval(pairs)
    b = ours.overall[BIO]
    assert (b["precision"], b["recall"], b["f1"]) == pytest.approx(
        (overall["precision"], overall["recall"], overall["f1"]), abs=1e-12)
    for lab, modes in ours.per_label.items():
        b = modes[BIO]
        if lab in report:
            r = report[lab]
            assert (b["precision"], b["recall"], b["f1"], b["support"]) == pytest.approx(
                (r["precision"], r["recall"], r["f1-score"], r["support"]), abs=1e-12), lab
        else:  # no token-level chunk of this label on either side (e.g. every span claimed no token)
            assert (b["support"], b["predicted"]) == (0, 0), lab
    return ours


# -- fixed cases ----------------------------------------------------------------------------------
def test_hamilton_split_prediction_counts_the_second_half_as_spurious():
    text = "Alexander Hamilton met Aaron Burr"
    gold = _doc(text, [(0, 18, "PER"), (23, 33, "PER")])
    pred = _doc(text, [(0, 9, "PER"), (10, 18, "PER"), (23, 33, "PER")])
    s = _assert_equal_to_references([(gold, pred)]).overall
    assert (s["strict"]["precision"], s["strict"]["recall"], s["strict"]["f1"]) == pytest.approx((1 / 3, 0.5, 0.4))
    assert (s["ent_type"]["precision"], s["ent_type"]["recall"], s["ent_type"]["f1"]) == pytest.approx(
        (2 / 3, 1.0, 0.8))
    assert (s["strict"]["incorrect"], s["strict"]["spurious"], s["strict"]["missed"]) == (1, 1, 0)
    assert (s[BIO]["precision"], s[BIO]["recall"]) == pytest.approx((1 / 3, 1 / 2))


def test_exact_partial_and_types():
    text = "Alice joined Google Inc in Rome."
    gold = _doc(text, _surface(text, ("Alice", "PER"), ("Google Inc", "ORG")))
    pred = _doc(text, _surface(text, ("Alice", "PER"), ("Google Inc", "ORG", 6), ("Rome", "LOC")))
    s = _assert_equal_to_references([(gold, pred)]).overall
    assert (s["strict"]["precision"], s["strict"]["recall"]) == pytest.approx((1 / 3, 1 / 2))
    assert (s["partial"]["precision"], s["partial"]["recall"]) == pytest.approx((0.5, 0.75))
    assert (s["ent_type"]["precision"], s["ent_type"]["recall"]) == pytest.approx((2 / 3, 1.0))


def test_ontonotes_labels_are_mapped_and_per_label_counts_split():
    text = "Paris is nice."
    gold = _doc(text, [(0, 5, "LOC")])
    s = entity_scores([gold], [_doc(text, [(0, 5, "GPE")], label_set="ontonotes18")])  # GPE -> LOC
    assert s.overall["strict"]["f1"] == 1.0 and s.per_label["LOC"]["strict"]["f1"] == 1.0
    s2 = _assert_equal_to_references([(gold, _doc(text, [(0, 5, "PER")]))])
    assert s2.overall["strict"]["f1"] == 0.0 and s2.overall["exact"]["f1"] == 1.0
    assert s2.per_label["PER"]["strict"]["spurious"] == 1 and s2.per_label["LOC"]["strict"]["missed"] == 1


def test_one_prediction_over_two_gold_spans_and_a_tiny_overlap_of_a_long_span():
    text = "New York and Boston are cities " + "x" * 300
    gold = _doc(text, [(0, 8, "LOC"), (13, 19, "LOC"), (31, 331, "MISC")])
    pred = _doc(text, [(0, 19, "LOC"), (329, 331, "MISC")])  # 2 of 300 characters: under nervaluate's 1 %
    s = _assert_equal_to_references([(gold, pred)]).overall
    assert (s["strict"]["incorrect"], s["strict"]["missed"], s["strict"]["spurious"]) == (1, 2, 1)


def test_a_missing_prediction_document_counts_every_gold_span_as_missed():
    text = "Alice met Bob."
    gold = [_doc(text, [(0, 5, "PER"), (10, 13, "PER")]), _doc(text, [(0, 5, "PER")], doc_id="d2")]
    s = entity_scores(gold, [_doc(text, [(0, 5, "PER"), (10, 13, "PER")])])
    assert s.n_missing_docs == 1 and s.overall["strict"]["missed"] == 1
    _assert_equal_to_references([(gold[0], gold[0]), (gold[1], _doc(text, [], doc_id="d2"))])


def test_bio_tags_are_the_ner_tokens_view_for_flat_spans(data_dir):
    from corpus.documents import load_documents

    docs = [d for d in load_documents(data_dir) if d.entities]
    assert docs
    for d in docs:
        view = [t for _, words, tags in block_tokens(d) for t in (tags or ["O"] * len(words))]
        mine = bio_tags(d.text, doc_spans(d))
        assert [t for t in mine if t != "O"] == [t for t in view if t != "O"], d.id


def test_bio_tags_later_overlapping_spans_claim_only_unclaimed_tokens():
    text = "Alexander Hamilton met Aaron Burr"
    assert bio_tags(text, [(0, 9, "PER"), (0, 18, "ORG"), (23, 25, "LOC"), (24, 33, "PER")]) == [
        "B-PER", "B-ORG", "O", "B-LOC", "B-PER"]
    assert bio_tags(text, [(0, 18, "PER"), (5, 9, "ORG")]) == ["B-PER", "I-PER", "O", "O", "O"]


# -- generated cases ------------------------------------------------------------------------------
WORDS = ["Ab", "Cde", "f", "Ghijk", "lmnopqrstu", "V", "wx", "Yz-Q", "é", "42", ",", "."]


@st.composite
def cases(draw):
    """Random texts; flat gold spans; predictions that copy, split, shift, relabel, drop, add and overlap."""
    words = draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=40))
    text = " ".join(words)
    n = len(text)
    # flat gold: sorted disjoint cut points
    cuts = sorted(draw(st.sets(st.integers(0, n), max_size=12)))
    gold = []
    for s, e in zip(cuts[::2], cuts[1::2], strict=False):
        if e > s:
            gold.append((s, e, draw(st.sampled_from(CONLL4))))
    pred = []
    for s, e, lab in gold:
        op = draw(st.sampled_from(["copy", "split", "shift", "relabel", "drop", "overlap", "widen"]))
        if op == "copy":
            pred.append((s, e, lab))
        elif op == "split" and e - s >= 2:
            m = draw(st.integers(s + 1, e - 1))
            gap = draw(st.integers(0, 1)) if e - m > 1 else 0
            pred += [(s, m, lab), (m + gap, e, draw(st.sampled_from([lab, *CONLL4])))]
        elif op == "shift":
            d = draw(st.integers(-3, 3))
            ps, pe = max(0, s + d), min(n, e + draw(st.integers(-3, 3)))
            if pe > ps:
                pred.append((ps, pe, lab))
        elif op == "relabel":
            pred.append((s, e, draw(st.sampled_from([x for x in CONLL4 if x != lab]))))
        elif op == "overlap":
            pred += [(s, e, lab), (max(0, s - 1), e, draw(st.sampled_from(CONLL4)))]
        elif op == "widen":
            pred.append((max(0, s - draw(st.integers(0, 20))), min(n, e + draw(st.integers(0, 20))), lab))
    for _ in range(draw(st.integers(0, 4))):  # spurious (possibly overlapping anything)
        s = draw(st.integers(0, n - 1))
        pred.append((s, draw(st.integers(s + 1, n)), draw(st.sampled_from([*CONLL4, "DATE"]))))  # DATE: not CoNLL-4
    return text, gold, pred


@settings(max_examples=200, deadline=None, derandomize=True)
@given(st.lists(cases(), min_size=1, max_size=3))
def test_generated_cases_equal_nervaluate_and_seqeval(docs):
    pairs = [(_doc(text, gold, f"d{i}"), _doc(text, pred, f"d{i}")) for i, (text, gold, pred) in enumerate(docs)]
    _assert_equal_to_references(pairs)


# -- corpus agree, end to end ---------------------------------------------------------------------
def test_agree_cli_reports_nervaluate_figures(tmp_path, capsys):
    t1 = "Alexander Hamilton met Aaron Burr in New York."
    t2 = "Reuters said Angela Merkel visited Paris and Lyon."
    a = [_doc(t1, _surface(t1, ("Alexander Hamilton", "PER"), ("Aaron Burr", "PER"), ("New York", "LOC")), "p1"),
         _doc(t2, _surface(t2, ("Reuters", "ORG"), ("Angela Merkel", "PER"), ("Paris", "LOC"), ("Lyon", "LOC")),
              "p2")]
    b = [_doc(t1, _surface(t1, ("Alexander", "PER"), ("Hamilton", "PER"),   # split
                           ("Aaron Burr in", "PER"),                          # shifted end
                           ("New York", "ORG")), "p1"),                       # relabelled
         _doc(t2, _surface(t2, ("Reuters", "ORG"), ("Angela Merkel", "PER"),  # Paris missed
                           ("Lyon", "LOC"), ("visited", "MISC")), "p2")]      # spurious
    write_documents(a, tmp_path / "a")
    write_documents(b, tmp_path / "b")
    ref = _nervaluate(list(zip(a, b, strict=True)))["overall"]
    # by hand: strict COR 3 (Reuters, Merkel, Lyon), INC 3 (Alexander, Aaron Burr in, New York ORG),
    # MIS 1 (Paris), SPU 2 (Hamilton, visited): P 3/8, R 3/7
    assert (ref["strict"].precision, ref["strict"].recall) == pytest.approx((3 / 8, 3 / 7))
    assert main(["agree", str(tmp_path / "a"), str(tmp_path / "b"), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)["entities"]
    for schema in ("strict", "partial"):
        got = data["overall"][schema]
        assert (got["precision"], got["recall"], got["f1"]) == (
            ref[schema].precision, ref[schema].recall, ref[schema].f1), schema
    assert main(["agree", str(tmp_path / "a"), str(tmp_path / "b")]) == 0
    out = capsys.readouterr().out
    for mode in ENTITY_MODES:
        s = ref[mode] if mode != BIO else None
        line = next(x for x in out.splitlines() if x.split()[:1] == [mode])
        if s is not None:
            assert line.split()[1:] == [f"{s.precision:.3f}", f"{s.recall:.3f}", f"{s.f1:.3f}"], mode
