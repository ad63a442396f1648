"""A gradient-boosted tree ensemble stored as flat numpy arrays, evaluated with numpy alone.

The model file (``.npz``, written by :func:`save_model`) holds the concatenated nodes of every tree
(``feature``, ``threshold``, ``left``, ``right``, ``is_leaf``, ``value``), the first node of each tree,
the baseline score and a JSON ``meta`` record (version, feature names, training data digest,
parameters, decision threshold). A second ensemble may ride along (:func:`with_stack`): its arrays
are stored under ``stack.``-prefixed names and its metadata, digest included, in the first one's
``meta["stack"]``, so the first model's digest covers both. Inference walks all trees at once,
level by level, so it costs ``depth`` vectorised steps per page whatever the number of trees. A
node sends a row left when ``x[feature] <= threshold`` (scikit-learn's convention for numeric
splits), so the exported model gives the probabilities the trained one does.
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from corpus.errors import ConfigError
from corpus.store import atomic_write

_ARRAYS = ("feature", "threshold", "left", "right", "is_leaf", "value", "roots", "baseline")
#: Fixed timestamp of the zip members, so the same arrays give the same file bytes.
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
#: Name prefix of the second stage's members in the model file.
_STACK_PREFIX = "stack."


@dataclass(frozen=True, eq=False)
class TreeModel:
    """Flat tree arrays plus metadata; :meth:`predict_proba` gives P(positive class) per row."""

    feature: np.ndarray  # int32, per node (0 for leaves)
    threshold: np.ndarray  # float64
    left: np.ndarray  # int32, absolute node index
    right: np.ndarray  # int32, absolute node index
    is_leaf: np.ndarray  # bool
    value: np.ndarray  # float64, leaf contributions to the raw score
    roots: np.ndarray  # int32, first node of each tree
    baseline: float
    depth: int
    meta: dict[str, Any]
    #: The second-stage ensemble (``corpus.annotate.preannotate.learned.stack``), if any.
    stack: TreeModel | None = None

    @property
    def features(self) -> tuple[str, ...]:
        return tuple(self.meta["features"])

    @functools.cached_property
    def _packed(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``(feature, threshold, children)`` with leaves made self-loops (threshold +inf), so every
        row can take ``depth`` steps without a leaf test; ``children[2 * node + went_right]``."""
        thr = np.where(self.is_leaf, np.inf, self.threshold)
        idx = np.arange(len(self.feature), dtype=np.int64)
        children = np.empty(2 * len(idx), np.int64)
        children[0::2] = np.where(self.is_leaf, idx, self.left)
        children[1::2] = np.where(self.is_leaf, idx, self.right)
        return self.feature.astype(np.int64), thr, children

    def raw_score(self, X: np.ndarray) -> np.ndarray:
        """Baseline plus the sum of every tree's leaf value, per row of ``X``."""
        X = np.ascontiguousarray(X, dtype=np.float64)
        n, width = X.shape
        if n == 0:
            return np.zeros(0)
        feature, thr, children = self._packed
        flat = X.ravel()
        base = (np.arange(n, dtype=np.int64) * width)[:, None]
        node = np.repeat(self.roots.astype(np.int64)[None, :], n, axis=0)
        for _ in range(self.depth):
            right = flat.take(base + feature.take(node)) > thr.take(node)
            node = children.take(2 * node + right)
        return self.baseline + self.value.take(node).sum(axis=1)

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        return 1.0 / (1.0 + np.exp(-self.raw_score(X)))

    def digest(self) -> str:
        """sha256 of the arrays and the metadata (the model's identity)."""
        return model_digest({k: getattr(self, k) for k in _ARRAYS[:-1]}, self.baseline, self.meta)


def model_digest(arrays: dict[str, np.ndarray], baseline: float, meta: dict[str, Any]) -> str:
    h = hashlib.sha256()
    for k in _ARRAYS[:-1]:
        a = np.ascontiguousarray(arrays[k])
        h.update(k.encode() + str(a.dtype).encode() + str(a.shape).encode() + a.tobytes())
    h.update(np.float64(baseline).tobytes())
    h.update(json.dumps({k: v for k, v in meta.items() if k != "digest"}, sort_keys=True).encode())
    return h.hexdigest()


def from_sklearn(est, meta: dict[str, Any]) -> TreeModel:
    """Export a fitted binary ``HistGradientBoostingClassifier`` (numeric features only)."""
    feats, thrs, lefts, rights, leaves, values, roots = [], [], [], [], [], [], []
    offset = 0
    depth = 0
    for stage in est._predictors:
        (pred,) = stage  # binary: one tree per iteration
        nodes = pred.nodes
        roots.append(offset)
        feats.append(nodes["feature_idx"].astype(np.int32))
        thrs.append(nodes["num_threshold"].astype(np.float64))
        lefts.append(nodes["left"].astype(np.int32) + offset)
        rights.append(nodes["right"].astype(np.int32) + offset)
        leaves.append(nodes["is_leaf"].astype(bool))
        values.append(np.where(nodes["is_leaf"], nodes["value"], 0.0).astype(np.float64))
        depth = max(depth, int(nodes["depth"].max()))
        offset += len(nodes)
    baseline = float(np.asarray(est._baseline_prediction).ravel()[0])
    arrays = {"feature": np.concatenate(feats), "threshold": np.concatenate(thrs), "left": np.concatenate(lefts),
              "right": np.concatenate(rights), "is_leaf": np.concatenate(leaves), "value": np.concatenate(values),
              "roots": np.asarray(roots, np.int32)}
    meta = dict(meta, depth=depth)
    meta["digest"] = model_digest(arrays, baseline, meta)
    return TreeModel(**arrays, baseline=baseline, depth=depth, meta=meta)


def with_stack(model: TreeModel, stack: TreeModel) -> TreeModel:
    """``model`` with ``stack`` as its second stage (its metadata, digest included, recorded in the first's)."""
    meta = dict(model.meta, stack=stack.meta)
    meta["digest"] = model_digest({k: getattr(model, k) for k in _ARRAYS[:-1]}, model.baseline, meta)
    return replace(model, meta=meta, stack=stack)


def _members(model: TreeModel, prefix: str = "") -> dict[str, np.ndarray]:
    members = {prefix + k: getattr(model, k) for k in _ARRAYS[:-1]}
    members[prefix + "baseline"] = np.asarray([model.baseline], np.float64)
    return members


def save_model(model: TreeModel, path: Path) -> None:
    """Write ``model`` (and its second stage) as a zip of ``.npy`` members with fixed timestamps (same
    model, same bytes)."""
    members = _members(model)
    if model.stack is not None:
        members.update(_members(model.stack, _STACK_PREFIX))
    members["meta"] = np.frombuffer(json.dumps(model.meta, sort_keys=True).encode(), np.uint8)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name in sorted(members):
            arr = io.BytesIO()
            np.save(arr, np.ascontiguousarray(members[name]), allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=_ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, arr.getvalue())
    atomic_write(Path(path), buf.getvalue())


def load_model(path: Path) -> TreeModel:
    """Read a model file; :class:`ConfigError` when it is missing, malformed or fails its digest."""
    try:
        with np.load(path, allow_pickle=False) as z:
            meta = json.loads(bytes(z["meta"]).decode())
            arrays = {k: z[k] for k in _ARRAYS}
            stack = {k: z[_STACK_PREFIX + k] for k in _ARRAYS} if "stack" in meta else None
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as exc:
        raise ConfigError(f"labeller model {path}: cannot read it ({exc})") from exc
    second = None if stack is None else _checked(stack, meta["stack"], path)
    model = _checked(arrays, meta, path)
    return model if second is None else replace(model, stack=second)


def _checked(arrays: dict[str, np.ndarray], meta: dict[str, Any], path: Path) -> TreeModel:
    arrays = dict(arrays)
    baseline = float(arrays.pop("baseline")[0])
    if model_digest(arrays, baseline, meta) != meta.get("digest"):
        raise ConfigError(f"labeller model {path}: digest mismatch (the file is damaged)")
    return TreeModel(**arrays, baseline=baseline, depth=int(meta["depth"]), meta=meta)
