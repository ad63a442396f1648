"""Inter-annotator agreement: kappa, entity P/R/F1 and metadata agreement between two sets."""

from __future__ import annotations

import json

import pytest
from annotation_samples import news_doc, samples, text_doc, unlabelled_doc

from corpus.cli import main
from corpus.evaluate.agree import agreement, format_text, kappa
from corpus.evaluate.entities import ENTITY_MODES
from corpus.model import Annotation, Block, Entity, Layer, Metadata
from corpus.store import write_documents


def test_a_set_agrees_perfectly_with_itself():
    r = agreement(samples(), samples())
    assert r.paired == 3 and not r.only_a and not r.only_b
    assert r.blocks["kappa"] == 1.0 and r.blocks["content_kappa"] == 1.0 and r.blocks["accuracy"] == 1.0
    for mode in ENTITY_MODES:
        s = r.entities["overall"][mode]
        assert (s["precision"], s["recall"], s["f1"]) == (1.0, 1.0, 1.0)
    assert all(v["share"] in (1.0, None) for v in r.metadata.values())
    assert r.metadata["title"]["share"] == 1.0


def test_single_document_and_single_category():
    doc = text_doc()
    r = agreement([doc], [doc])
    assert r.blocks["kappa"] == 1.0 and r.entities["overall"]["strict"]["f1"] == 1.0
    one_cat = doc.replace(blocks=tuple(Block(b.start, b.end, "body", b.tag, b.xpath) for b in doc.blocks))
    assert agreement([one_cat], [one_cat]).blocks["kappa"] == 1.0  # one category, identical: defined as 1
    assert kappa(["body", "body"], ["body", "body"]) == 1.0
    assert kappa([], []) is None
    # no entities on either side: nothing to disagree on
    bare = doc.replace(entities=())
    assert agreement([bare], [bare]).entities["overall"]["strict"]["f1"] == 1.0


def test_disagreements_lower_the_scores_with_a_as_reference():
    a = news_doc()
    labels = [b.label for b in a.blocks]
    labels[1] = "related"      # navigation -> related (both boilerplate)
    labels[7] = "footer"       # caption -> footer (content -> boilerplate)
    blocks = tuple(Block(b.start, b.end, lab, b.tag, b.xpath) for b, lab in zip(a.blocks, labels, strict=True))
    ents = list(a.entities)
    dropped = ents.pop(0)                                  # a missed entity
    tripoli = next(i for i, e in enumerate(ents) if e.text == "Tripoli")
    e = ents[tripoli]
    ents[tripoli] = Entity(e.start, e.end - 1, "LOC", e.text[:-1])  # boundary disagreement
    b = a.replace(blocks=blocks, entities=tuple(ents), metadata=Metadata(title=a.metadata.title, language="fr"))
    r = agreement([a], [b])
    assert r.blocks["compared"] == 9
    assert r.blocks["accuracy"] == pytest.approx(7 / 9)
    assert 0 < r.blocks["kappa"] < 1 and 0 < r.blocks["content_kappa"] < 1
    assert r.blocks["confusion"]["caption"] == {"footer": 1}
    n = len(a.entities)
    assert r.entities["overall"]["strict"]["recall"] == pytest.approx((n - 2) / n)
    assert r.entities["overall"]["strict"]["precision"] == pytest.approx((n - 2) / (n - 1))
    assert r.entities["overall"]["ent_type"]["recall"] == pytest.approx((n - 1) / n)
    assert dropped.text == "Harbour Courier"
    assert r.metadata["title"]["share"] == 1.0
    assert r.metadata["language"]["share"] == 0.0
    assert r.metadata["authors"] == {"compared": 1, "equal": 0, "share": 0.0}


def test_unpaired_pages_and_changed_text_are_reported():
    a = [news_doc(), text_doc()]
    changed = text_doc().replace(text=text_doc().text.replace("Rain", "Snow"))
    b = [news_doc(), changed, unlabelled_doc()]
    r = agreement(a, b)
    assert r.paired == 1
    assert r.only_b == [unlabelled_doc().id] and r.only_a == []
    assert r.text_differs == [text_doc().id]


def test_cli_text_and_json(tmp_path, capsys):
    write_documents(samples(), tmp_path / "a")
    write_documents(samples()[:2], tmp_path / "b")
    assert main(["agree", str(tmp_path / "a"), str(tmp_path / "b")]) == 0
    out = capsys.readouterr().out
    assert "kappa (all labels)              1.000" in out
    assert f"only in A (1): {unlabelled_doc().id}" in out
    assert main(["agree", str(tmp_path / "a"), str(tmp_path / "b"), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["blocks"]["kappa"] == 1.0 and data["entities"]["overall"]["strict"]["f1"] == 1.0
    assert data["only_a"] == [unlabelled_doc().id]
    assert main(["agree", str(tmp_path / "a"), str(tmp_path / "nope")]) == 2
    assert main(["agree", str(tmp_path / "a"), str(tmp_path / "b"), "--format", "xml"]) == 2


def test_entities_annotated_on_one_side_only_are_not_scored_as_missed():
    a = news_doc()
    assert a.entities and a.annotation.entities.status != "none"
    b = a.replace(entities=(), annotation=Annotation(blocks=a.annotation.blocks, entities=Layer("none"),
                                                     metadata=a.annotation.metadata))
    res = agreement([a], [b])
    assert res.entities["pages"] == 0 and res.entities["pages_one_side"] == 1 and res.entities["n_a"] == 0
    text = format_text(res)
    assert "entities: no page has entity annotations on both sides, 1 page(s) annotated on one side only" in text
    assert "strict" not in text
    # annotated on both sides: scored, with the page count
    both = agreement([a], [a])
    assert both.entities["pages"] == 1 and both.entities["overall"]["strict"]["f1"] == 1.0
    assert "entities (A as reference, 1 page(s) annotated on both sides): A " in format_text(both)
