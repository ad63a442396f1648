"""The learned labeller's feature values on real pages, pinned: the shipped model was trained on them.

Each digest covers one page's feature matrix (dtype, shape, values of every column), its per-block
structural cues and its title block, as computed by the features the model file was trained with.
Making the features faster must leave them unchanged; a deliberate change of a feature (or a new
column) retrains the model and recomputes these digests.
"""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pytest

from corpus.annotate.preannotate.labeller import element_cue
from corpus.annotate.preannotate.learned.features import FEATURES, page_features
from corpus.text.normalise import decode_raw
from tests.conftest import SHARED, require_shared

BENCH = SHARED / "benchmarks"
PINNED = (
    ("trafilatura-eval-dev/pages/0a12df42d1764095989ab078ee0f940b.html", "d01739233fb394784a2296f54af52146"),
    ("trafilatura-eval-dev/pages/archive.org.przepisy.pl.pierogi.html", "0e965a195a1ff5907135371494fbdeaf"),
    ("trafilatura-eval-dev/pages/journelles.de.westwing.html", "cd595e3ca368bb7e1e648c53364617cc"),
    ("wcxb-dev/dev/html/0004.html.gz", "b183ac2397bbd344250fb9b66178c497"),
    ("wcxb-dev/dev/html/0406.html.gz", "727571aa7d98d314a23c45a24b5f534d"),
    ("wcxb-dev/dev/html/4381.html.gz", "b9ded2e6c396f01ce2c1ac27769b2209"),
)


def _digest(X: np.ndarray, cues: tuple, title_index: int | None) -> str:
    X = np.ascontiguousarray(X)
    h = hashlib.sha256(f"{X.dtype}{X.shape}".encode())
    h.update(X.tobytes())
    h.update(json.dumps([list(cues), title_index]).encode())
    return h.hexdigest()[:32]


@pytest.mark.parametrize(("rel", "expected"), PINNED, ids=[r.rsplit("/", 1)[-1] for r, _ in PINNED])
def test_feature_matrix_of_a_real_page_is_pinned(rel: str, expected: str) -> None:
    path = require_shared(BENCH / rel)
    html = decode_raw(path.read_bytes(), "html", gzipped=rel.endswith(".gz"))[0]
    pf = page_features(html)
    assert pf.X.dtype == np.float32 and pf.X.shape == (len(pf.blocks), len(FEATURES))
    assert _digest(pf.X, pf.cues, pf.title_index) == expected


class _El:
    def __init__(self, tag: str, **attrs: str) -> None:
        self.tag, self.attrs = tag, attrs

    def get(self, key: str) -> str | None:
        return self.attrs.get(key)


@pytest.mark.parametrize(("attrs", "cue"), [
    ({"class": "sidebar  entry-content"}, "body"),  # a body hint anywhere wins over an earlier cue word
    ({"class": "mostRead widget", "id": "x"}, "related"),  # camel case split, first cue word wins
    ({"class": "commentary share-bar"}, "social"),  # a prefix exception does not stop the scan
    ({"class": "foo", "id": "article-body"}, "body"),
    ({"class": "foo bar"}, None),
])
def test_element_cue_reads_class_and_id_token_by_token(attrs: dict, cue: str | None) -> None:
    assert element_cue(_El("div", **attrs)) == cue
