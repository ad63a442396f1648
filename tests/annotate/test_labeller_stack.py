"""The learned labeller's second stage: its context columns, the stacked model file and its inference."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from corpus.annotate.preannotate.learned import article_proba, default_model
from corpus.annotate.preannotate.learned.features import FEATURES, page_features
from corpus.annotate.preannotate.learned.model import load_model, save_model, with_stack
from corpus.annotate.preannotate.learned.stack import STACK_FEATURES, stack_columns, stack_rows
from corpus.errors import ConfigError

_S = {n: i for i, n in enumerate(STACK_FEATURES)}


def _thread() -> np.ndarray:
    long = "This reply explains at some length why the part fits well, and it ends like a sentence."
    posts = "".join(f'<div class="post"><p>{long} Number {i}.</p></div>' for i in range(4))
    html = f"<html><body><nav><a href='/'>Home</a></nav><h1>Thread</h1>{posts}<footer>Legal</footer></body></html>"
    return page_features(html).X


def test_stack_columns_read_neighbours_groups_and_positions() -> None:
    X = _thread()
    n = len(X)
    p = np.linspace(0.05, 0.95, n)
    p[0] = 0.9  # an article-like first block: the span of article blocks starts there
    S = stack_columns(X, p)
    assert S.shape == (n, len(STACK_FEATURES)) and np.isfinite(S).all()
    np.testing.assert_allclose(S[1:, _S["s_m1"]], p[:-1])
    assert S[0, _S["s_m1"]] == -1.0 and S[-1, _S["s_p1"]] == -1.0  # nothing beyond the page's ends
    posts = slice(2, 6)  # the four posts share a signature group
    np.testing.assert_allclose(S[posts, _S["s_sig_mean"]], p[posts].mean())
    np.testing.assert_allclose(S[posts, _S["s_sig_max"]], p[posts].max())
    assert S[0, _S["s_inside"]] == 1.0 and (S[:, _S["s_page_max"]] == p.max()).all()
    assert S[p.argmax(), _S["s_rank"]] == pytest.approx(1 - 0.5 / n)
    rows = stack_rows(X, p)
    assert rows.shape == (n, len(FEATURES) + len(STACK_FEATURES))
    np.testing.assert_array_equal(rows[:, len(FEATURES):], S)


def test_shipped_model_has_a_second_stage_on_the_stack_columns() -> None:
    model = default_model()
    assert model.stack is not None
    assert tuple(model.stack.meta["features"]) == FEATURES + STACK_FEATURES
    assert model.meta["stack"]["digest"] == model.stack.digest()
    X = _thread()
    first = model.predict_proba(X)
    np.testing.assert_array_equal(article_proba(model, X), model.stack.predict_proba(stack_rows(X, first)))


def test_stacked_model_file_round_trips_and_checks_both_stages(tmp_path: Path) -> None:
    model = default_model()
    save_model(model, tmp_path / "m.npz")
    again = load_model(tmp_path / "m.npz")
    assert again.digest() == model.digest() and again.stack is not None
    assert again.stack.digest() == model.stack.digest()
    X = _thread()
    np.testing.assert_array_equal(article_proba(again, X), article_proba(model, X))
    bad_stack = replace(model.stack, baseline=model.stack.baseline + 1.0)
    save_model(replace(model, stack=bad_stack), tmp_path / "tampered.npz")  # the stack's arrays changed
    with pytest.raises(ConfigError, match="digest"):
        load_model(tmp_path / "tampered.npz")
    renamed = replace(bad_stack, meta={**bad_stack.meta, "digest": bad_stack.digest()})
    relinked = with_stack(replace(model, stack=None), renamed)
    assert relinked.digest() != model.digest()  # the first stage's digest covers the second's
    save_model(replace(model, stack=renamed), tmp_path / "relinked.npz")  # a new stack under the old digest
    with pytest.raises(ConfigError, match="digest"):
        load_model(tmp_path / "relinked.npz")
