"""Export-only training formats: the CoNLL-2003 BIO token view and spaCy DocBin."""

from __future__ import annotations

import sys

import pytest
from annotation_samples import news_doc, samples

from corpus.errors import MissingDependencyError
from corpus.formats import run_export
from corpus.text.tokens import conll_entities, token_rows, tokenize


def _sentences(path):
    docs, cur = [], None
    sent: list[tuple[str, str]] = []
    for line in path.read_text(encoding="utf-8").split("\n"):
        if line == "-DOCSTART- -X- -X- O":
            cur = []
            docs.append(cur)
        elif not line:
            if sent:
                cur.append(sent)
            sent = []
        else:
            tok, x, y, tag = line.split(" ")
            assert (x, y) == ("-X-", "_")
            sent.append((tok, tag))
    return docs


def _bio_entities(sentence):
    out, cur = [], None
    for tok, tag in sentence:
        if tag.startswith("B-") or (tag.startswith("I-") and cur is None):
            cur = [tag[2:], [tok]]
            out.append(cur)
        elif tag.startswith("I-"):
            cur[1].append(tok)
        else:
            cur = None
    return [(lab, toks) for lab, toks in out]


def test_conll_export_has_one_sentence_per_block_and_every_entity(tmp_path):
    assert run_export("conll2003", samples(), tmp_path) == 3
    docs = _sentences(tmp_path / "conll2003.txt")
    assert len(docs) == 3
    for doc, sents in zip(samples(), docs, strict=True):
        rows = list(token_rows(doc))
        assert [[t for t, _ in s] for s in sents] == [list(r.tokens) for r in rows]
        got = [e for s in sents for e in _bio_entities(s)]
        want = [(lab, [t for _, _, t in tokenize(doc.text[s:e])]) for s, e, lab in conll_entities(doc)]
        assert got == want


def test_adjacent_entities_start_with_b(tmp_path):
    doc = news_doc()
    run_export("conll2003", [doc], tmp_path)
    sents = _sentences(tmp_path / "conll2003.txt")[0]
    caption = next(s for s in sents if s[0][0] == "Rasmussen")
    assert caption == [("Rasmussen", "B-PER"), ("in", "O"), ("Brussels", "B-LOC")]


def test_spacy_export_reports_the_missing_extra(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "spacy", None)  # import spacy -> ImportError
    with pytest.raises(MissingDependencyError, match=r"webcorpus\[ner\]"):
        run_export("spacy", samples(), tmp_path)


def test_spacy_docbin_round_trip(tmp_path):
    spacy = pytest.importorskip("spacy", reason="spaCy (extra 'ner') is not installed")
    from spacy.tokens import DocBin

    assert run_export("spacy", samples(), tmp_path) == 3
    docs = list(DocBin().from_disk(tmp_path / "corpus.spacy").get_docs(spacy.blank("xx").vocab))
    for doc, sdoc in zip(samples(), docs, strict=True):
        assert sdoc.text == doc.text
        assert sdoc.user_data["id"] == doc.id
        assert [(e.start_char, e.end_char, e.label_) for e in sdoc.ents] == conll_entities(doc)
        assert [(s.start_char, s.end_char, s.label_) for s in sdoc.spans["blocks"]] == [
            (b.start, b.end, b.label) for b in doc.blocks if b.label is not None]
