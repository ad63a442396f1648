"""The learned labeller: model file, numpy inference, labels, drafts and the registered extractor."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest
from test_labeller import NEWS_PAGE, PARAGRAPHS

from corpus.annotate.preannotate import preannotate
from corpus.annotate.preannotate.labeller import _tokens
from corpus.annotate.preannotate.learned import (
    MODEL_PATH,
    default_model,
    label_blocks_learned,
    learned_tool,
    predict_page,
)
from corpus.annotate.preannotate.learned.features import CONTEXT_FEATURES, FEATURES, context_columns, page_features
from corpus.annotate.preannotate.learned.model import load_model, save_model
from corpus.errors import ConfigError
from corpus.ingestion.draft import draft_document
from corpus.ingestion.engine import draft_page
from corpus.ingestion.plan import IngestOptions
from corpus.labels import BLOCK_LABELS
from corpus.text.normalise import decode_raw
from corpus.text.normalise_v2 import normalise_html_v2
from corpus.validation import validate_document

DATA = Path(__file__).resolve().parents[2] / "data"


def _bundled_html() -> list[str]:
    pages = []
    for p in sorted((DATA / "documents").glob("*.json")):
        src = json.loads(p.read_text(encoding="utf-8"))["source"]
        if src["raw_format"] == "html":
            raw = (DATA / src["raw_path"]).read_bytes()
            pages.append(decode_raw(raw, "html", gzipped=src["raw_path"].endswith(".gz"),
                                    declared_charset=src["encoding"])[0])
    return pages


def test_shipped_model_loads_and_matches_its_training_record() -> None:
    model = default_model()
    meta = model.meta
    assert tuple(meta["features"]) == FEATURES
    assert model.digest() == meta["digest"]
    assert len(meta["data_digest"]) == 64 and meta["version"]
    assert MODEL_PATH.stat().st_size < 5_000_000  # ships inside the package
    assert learned_tool().startswith("corpus-labeller@2.0.0+gbt-" + meta["digest"][:12])


def test_damaged_model_file_is_a_config_error(tmp_path: Path) -> None:
    bad = tmp_path / "model.npz"
    bad.write_bytes(b"not a model")
    with pytest.raises(ConfigError):
        load_model(bad)
    model = default_model()
    save_model(model, tmp_path / "copy.npz")
    assert (tmp_path / "copy.npz").read_bytes() == MODEL_PATH.read_bytes()  # same model, same bytes
    tampered = dataclasses.replace(model, baseline=model.baseline + 1.0)  # fields only, not cached arrays
    save_model(tampered, tmp_path / "tampered.npz")
    with pytest.raises(ConfigError, match="digest"):
        load_model(tmp_path / "tampered.npz")


def test_numpy_inference_equals_scikit_learn() -> None:
    sklearn = pytest.importorskip("sklearn.ensemble")
    from corpus.annotate.preannotate.learned.model import from_sklearn

    rng = np.random.default_rng(0)
    X = rng.normal(size=(600, 5))
    X[:, 3] = rng.integers(0, 3, 600)  # ties on thresholds
    y = ((X[:, 0] + X[:, 1] * X[:, 3]) > 0.2).astype(int)
    est = sklearn.HistGradientBoostingClassifier(max_iter=30, random_state=0, early_stopping=False).fit(X, y)
    model = from_sklearn(est, {"features": ["a", "b", "c", "d", "e"]})
    Xt = rng.normal(size=(300, 5))
    Xt[:, 3] = rng.integers(0, 3, 300)
    np.testing.assert_allclose(model.predict_proba(Xt), est.predict_proba(Xt)[:, 1], rtol=1e-9, atol=1e-12)


def test_features_are_v2_blocks_and_deterministic() -> None:
    for html in _bundled_html()[:4]:
        pf = page_features(html)
        assert (pf.text, pf.blocks) == normalise_html_v2(html)
        assert pf.X.shape == (len(pf.blocks), len(FEATURES))
        assert np.isfinite(pf.X).all()
        again = page_features(html)
        assert np.array_equal(pf.X, again.X)
        p1 = default_model().predict_proba(pf.X)
        assert np.array_equal(p1, default_model().predict_proba(again.X))
        assert ((p1 >= 0) & (p1 <= 1)).all()


def test_labels_are_valid_and_find_the_article() -> None:
    for html in _bundled_html():
        pf, labels = predict_page(html)
        assert len(labels) == len(pf.blocks)
        assert set(labels) <= set(BLOCK_LABELS)
    raw = NEWS_PAGE.encode()
    html, _ = decode_raw(raw, "html")
    pf, labels = predict_page(html)
    body = [pf.text[b.start : b.end] for b, lab in zip(pf.blocks, labels, strict=True) if lab == "body"]
    assert sum(p in body for p in PARAGRAPHS) >= len(PARAGRAPHS) - 1
    assert labels.count("title") <= 1


def test_v2_draft_is_schema_valid_with_model_status() -> None:
    raw = NEWS_PAGE.encode()
    doc = draft_page(raw, raw_path="raw/news.html", raw_format="html", gzipped=False,
                     options=IngestOptions(normaliser="v2", ner="off"), preannotate=preannotate)
    assert doc.normalizer.version.startswith("2.")
    assert doc.annotation.blocks.status == "model"
    assert doc.annotation.blocks.tool == learned_tool()
    assert all(b.label in BLOCK_LABELS for b in doc.blocks)
    assert [p for p in validate_document(doc.to_dict()) if p.severity == "error"] == []
    # the same labels whether the features are passed in or computed again
    html, _ = decode_raw(raw, "html")
    plain = preannotate(doc.replace(blocks=tuple(b.__class__(b.start, b.end, None, b.tag, b.xpath)
                                                 for b in doc.blocks)), html=html, ner=False)
    assert plain.blocks == doc.blocks


def test_v1_draft_gets_the_labels_of_equal_v2_blocks() -> None:
    raw = NEWS_PAGE.encode()
    html, _ = decode_raw(raw, "html")
    draft = draft_document(raw, raw_format="html", gzipped=False)
    labels = label_blocks_learned(draft.text, draft.blocks, html)
    pf, v2_labels = predict_page(html)
    v2 = {pf.text[b.start : b.end]: lab for b, lab in zip(pf.blocks, v2_labels, strict=True)}
    for b, lab in zip(draft.blocks, labels, strict=True):
        t = draft.text[b.start : b.end]
        if t in v2:
            assert lab == v2[t]
    # another page: the blocks are labelled from their text
    other = label_blocks_learned(draft.text, draft.blocks, "<html><body><p>another page</p></body></html>")
    assert len(other) == len(draft.blocks) and set(other) <= set(BLOCK_LABELS)


def test_registered_extractor_gives_the_views() -> None:
    from corpus.evaluate.extractors import Page, build, system_names

    assert {"corpus-labeller", "corpus-labeller:article"} <= set(system_names())
    page = Page(raw=NEWS_PAGE.encode())
    body, article = build("corpus-labeller")(page), build("corpus-labeller:article")(page)
    assert PARAGRAPHS[0] in body and PARAGRAPHS[0] in article
    assert len(article) >= len(body)


def test_context_columns_see_repeated_siblings_and_prices() -> None:
    posts = "".join(f'<div class="post"><p>Reply number {i} says the part fits well and ships fast.</p></div>'
                    for i in range(4))
    html = (f"<html><body><h1>Thread</h1>{posts}<ul><li>Home</li><li>Shop</li></ul>"
            "<p>Price: $19.99</p><p>Plain words without any amount here at all.</p></body></html>")
    pf = page_features(html)
    col = {n: i for i, n in enumerate(FEATURES)}
    texts = [pf.text[b.start : b.end] for b in pf.blocks]
    ctx = slice(col[CONTEXT_FEATURES[0]], col[CONTEXT_FEATURES[-1]] + 1)
    assert FEATURES[ctx] == CONTEXT_FEATURES
    np.testing.assert_array_equal(context_columns(pf.X, texts), pf.X[:, ctx])
    replies = [i for i, t in enumerate(texts) if t.startswith("Reply")]
    assert len(replies) == 4
    words = np.array([len(_tokens(t)) for t in texts], float)
    for i in replies:
        assert pf.X[i, col["sig_count_log"]] == pytest.approx(np.log(4))
        assert pf.X[i, col["sig_word_share"]] == pytest.approx(words[replies].sum() / words.sum(), rel=1e-5)
        assert pf.X[i, col["sig_long_share"]] == 0.0  # ten words: not a long paragraph
        assert pf.X[i, col["heading_dist"]] == i  # the <h1> is block 0
    price = texts.index("Price: $19.99")
    assert pf.X[price, col["price_text"]] == 1.0
    assert pf.X[texts.index("Plain words without any amount here at all."), col["price_text"]] == 0.0
    assert pf.X[0, col["page_price_log"]] == pytest.approx(np.log(2))
    assert pf.X[0, col["page_li_share"]] == pytest.approx(2 / len(texts))
    assert pf.X[replies[1], col["words_before_share"]] == pytest.approx(words[: replies[1]].sum() / words.sum(),
                                                                        rel=1e-5)


@pytest.mark.parametrize(("text", "price"), [("Price: $19.99", 1.0), ("19,99 €", 1.0), ("Nur 5 € im Angebot", 1.0),
                                             ("ab 20 EUR", 1.0), ("£5 off", 1.0), ("Chapter 19 of 20", 0.0),
                                             ("The euro (€) is a currency.", 0.0)])
def test_price_text_finds_a_sign_before_or_after_the_amount(text: str, price: float) -> None:
    X = np.zeros((1, len(FEATURES)), np.float32)
    assert context_columns(X, [text])[0, CONTEXT_FEATURES.index("price_text")] == price


def test_code_characters_and_the_signature_groups_long_paragraphs() -> None:
    long = "This reply explains at some length why the part fits well, and it ends like a sentence."
    posts = "".join(f'<div class="post"><p>{long} Number {i}.</p></div>' for i in range(3))
    html = (f"<html><body><h1>Thread</h1>{posts}<pre>if (x) {{ y[0] = f(a_b); }}</pre>"
            "<p>Plain words without any code here at all.</p></body></html>")
    pf = page_features(html)
    col = {n: i for i, n in enumerate(FEATURES)}
    texts = [pf.text[b.start : b.end] for b in pf.blocks]
    code = next(i for i, t in enumerate(texts) if t.startswith("if (x)"))
    assert pf.X[code, col["code_char_ratio"]] == pytest.approx(11 / len(texts[code]), rel=1e-6)  # ( ) { [ ] = ( _ ) ; }
    assert pf.X[texts.index("Plain words without any code here at all."), col["code_char_ratio"]] == 0.0
    for i, t in enumerate(texts):
        if t.startswith("This reply"):
            assert pf.X[i, col["sig_long_count_log"]] == pytest.approx(np.log1p(3))
    assert pf.X[0, col["sig_long_count_log"]] == 0.0  # the heading's group has no long paragraph


def test_a_page_without_v2_blocks_needs_no_model(monkeypatch: pytest.MonkeyPatch) -> None:
    import corpus.annotate.preannotate.learned as learned

    def no_model():
        raise AssertionError("the model was loaded")

    monkeypatch.setattr(learned, "default_model", no_model)
    pf, labels = predict_page("<html><body><script>render()</script></body></html>")
    assert not pf.blocks and labels == []


def test_page_kind_columns_read_what_the_page_declares_about_itself() -> None:
    from corpus.annotate.preannotate.learned.page_kind import PAGE_KIND_FEATURES

    product = ('<html><head><link rel="canonical" href="https://shop.example/products/staple-tee">'
               '<meta property="og:type" content="product">'
               '<script type="application/ld+json">{"@context": "https://schema.org", "@type": "Product"}</script>'
               '</head><body><h1>Staple tee</h1><p>Heavyweight cotton, regular fit, a ribbed neck.</p></body></html>')
    article = ('<html><head><meta property="og:url" content="https://news.example/2026/05/a-story">'
               '</head><body><article itemscope itemtype="https://schema.org/NewsArticle"><h1>A story</h1>'
               '<p>It happened on Tuesday, and the town was told.</p></article></body></html>')
    col = {n: i for i, n in enumerate(FEATURES)}
    kinds = {}
    for name, html in (("product", product), ("article", article)):
        X = page_features(html).X
        assert (X[:, col[PAGE_KIND_FEATURES[0]]:] == X[0, col[PAGE_KIND_FEATURES[0]]:]).all()  # one per page
        kinds[name] = {k: float(X[0, col[k]]) for k in PAGE_KIND_FEATURES}
    assert kinds["product"]["sch_product"] == kinds["product"]["og_product"] == kinds["product"]["url_product"] == 1
    assert kinds["product"]["sch_article"] == kinds["product"]["url_year"] == 0
    assert kinds["product"]["url_depth"] == 2 and kinds["product"]["url_known"] == 1
    assert kinds["article"]["sch_article"] == kinds["article"]["url_year"] == 1
    assert kinds["article"]["sch_product"] == kinds["article"]["og_product"] == 0
    bare = page_features("<p>No head, no address.</p>").X[0]
    assert bare[col["url_known"]] == bare[col["url_depth"]] == 0
