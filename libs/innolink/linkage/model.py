"""Technology -> product models: multi-output ridge (shrunk toward the pooled model) and kNN.

A firm's technology vector x (TF-IDF of its patents' tokens and WIPO fields, plus a bias)
predicts its product vector y (its keyword or concept weights). Within a group (country x
firm type) the ridge model is

    W_g = argmin ||Y_g - X_g W||^2 + alpha ||W - pooling * W_pool||^2

W_pool is the ridge model of every firm of every group, from normal equations X'X and X'Y
accumulated in Spark over the firms (the O(firms x features^2) part of the work). A group has
tens to a few thousand firms, so its model is solved on the driver in the dual (kernel) form,
O(n_g^3), which needs no features x features matrix per group and fold:

    y_hat(x) = x W_pool' + k(x, X_T) (K_TT + alpha I)^-1 (Y_T - X_T W_pool')

with W_pool' = pooling * W_pool. pooling = 0 gives independent per-group ridge models; with
few firms per group, shrinking toward what all firms share is what keeps a small group's
model from fitting noise (see docs/linkage.md for the measurement on the synthetic world).

Scores are out of fold: firms are split into k folds by a seeded hash of firm_id, and a firm's
prediction comes from models (pooled and group) fitted without its fold.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import numpy as np
from scipy import sparse

# The bias column is barely penalized: the mean product mix is not something to shrink.
BIAS_PENALTY = 1e-6


@dataclass
class Design:
    """A set of firms as matrices: X (n x (d+1), last column the bias), Y (n x p)."""

    firm_ids: list[str]
    X: sparse.csr_matrix
    Y: sparse.csr_matrix
    fold: np.ndarray


def csr(indices: Iterable, values: Iterable, width: int, bias: bool) -> sparse.csr_matrix:
    """Rows of (indices, values) -> CSR with `width` columns (+1 bias column of ones)."""
    indptr, cols, data = [0], [], []
    for idx, val in zip(indices, values, strict=True):
        idx = list(idx or [])
        val = list(val or [])
        if bias:
            idx.append(width)
            val.append(1.0)
        cols.extend(idx)
        data.extend(val)
        indptr.append(len(cols))
    return sparse.csr_matrix(
        (np.asarray(data, dtype=np.float64), np.asarray(cols, dtype=np.int64), indptr),
        shape=(len(indptr) - 1, width + (1 if bias else 0)),
    )


def partition_gramians(
    rows: Iterator, d: int, p: int, folds: int
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Per fold X'X and X'Y of one partition's firms (a Spark mapPartitions function)."""
    rows = list(rows)
    xtx = np.zeros((folds, d + 1, d + 1))
    xty = np.zeros((folds, d + 1, p))
    if rows:
        fold = np.asarray([r["fold"] for r in rows])
        X = csr([r["x_idx"] for r in rows], [r["x_val"] for r in rows], d, bias=True)
        Y = csr([r["y_idx"] for r in rows], [r["y_val"] for r in rows], p, bias=False)
        for f in np.unique(fold):
            m = fold == f
            xtx[f] = (X[m].T @ X[m]).toarray()
            xty[f] = (X[m].T @ Y[m]).toarray()
    yield xtx, xty


def pooled_models(xtx: np.ndarray, xty: np.ndarray, alpha: float) -> np.ndarray:
    """Ridge coefficients per held-out fold from per-fold normal equations: (folds, d+1, p).

    Model f is fitted on every fold but f; index `folds` holds the model of all firms.
    """
    folds = xtx.shape[0]
    total_xtx, total_xty = xtx.sum(axis=0), xty.sum(axis=0)
    penalty = np.full(total_xtx.shape[0], alpha)
    penalty[-1] = BIAS_PENALTY
    out = []
    for f in [*range(folds), None]:
        a = total_xtx - (xtx[f] if f is not None else 0)
        b = total_xty - (xty[f] if f is not None else 0)
        out.append(np.linalg.solve(a + np.diag(penalty), b))
    return np.stack(out)


def ridge_dual_predict(
    X_train: sparse.csr_matrix,
    Y_train: sparse.csr_matrix,
    X_test: sparse.csr_matrix,
    prior: np.ndarray,
    alpha: float,
) -> np.ndarray:
    """Predictions of the ridge model shrunk toward `prior` (kernel form, see module doc)."""
    base_test = np.asarray(X_test @ prior)
    if X_train.shape[0] == 0:
        return base_test
    resid = Y_train.toarray() - np.asarray(X_train @ prior)
    K = (X_train @ X_train.T).toarray()
    dual = np.linalg.solve(K + alpha * np.eye(K.shape[0]), resid)
    return base_test + (X_test @ X_train.T).toarray() @ dual


def ridge_primal(
    X: sparse.csr_matrix, Y: sparse.csr_matrix, prior: np.ndarray, alpha: float
) -> np.ndarray:
    """The same model's coefficients (d+1, p), for the logged artifact."""
    resid = Y.toarray() - np.asarray(X @ prior)
    K = (X @ X.T).toarray()
    dual = np.linalg.solve(K + alpha * np.eye(K.shape[0]), resid)
    return prior + np.asarray(X.T @ dual)


def knn_predict(
    X_train: sparse.csr_matrix,
    Y_train: sparse.csr_matrix,
    X_test: sparse.csr_matrix,
    k: int,
) -> np.ndarray:
    """Similarity-weighted mean product vector of the k most similar training firms.

    Similarity is the cosine of the technology vectors (bias column left out); a firm with
    no similar training firm gets the training firms' mean product vector.
    """
    Yd = Y_train.toarray()
    mean = Yd.mean(axis=0) if Yd.shape[0] else np.zeros(Y_train.shape[1])
    out = np.tile(mean, (X_test.shape[0], 1))
    if X_train.shape[0] == 0:
        return out
    sims = (X_test[:, :-1] @ X_train[:, :-1].T).toarray()
    k = min(k, sims.shape[1])
    for i, row in enumerate(sims):
        # Stable ordering: ties are broken by training-row order, so reruns agree.
        top = np.argsort(-row, kind="stable")[:k]
        w = np.clip(row[top], 0, None)
        if w.sum() > 0:
            out[i] = w @ Yd[top] / w.sum()
    return out


def cosine_rows(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Row-wise cosine; 0 where either row is all zeros."""
    num = (a * b).sum(axis=1)
    den = np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1)
    return np.divide(num, den, out=np.zeros_like(num), where=den > 0)


def out_of_fold(
    design: Design,
    model: str,
    pooled: np.ndarray,
    alpha: float,
    pooling: float,
    neighbours: int,
) -> np.ndarray:
    """Out-of-fold predicted product vectors of a group's firms (n x p)."""
    pred = np.zeros(design.Y.shape)
    for f in np.unique(design.fold):
        test = design.fold == f
        train = ~test
        if model == "ridge":
            pred[test] = ridge_dual_predict(
                design.X[train], design.Y[train], design.X[test], pooling * pooled[f], alpha
            )
        else:
            pred[test] = knn_predict(design.X[train], design.Y[train], design.X[test], neighbours)
    return pred


def shuffle_partners(firm_ids: list[str], industries: list[str], seed: int) -> list[int | None]:
    """For each firm, the index of a random other firm of the same industry (None if alone).

    Drawn from a generator seeded by `seed` over firms sorted by id, so it is reproducible.
    """
    rng = np.random.default_rng(seed)
    by_industry: dict[str, list[int]] = {}
    for i, ind in enumerate(industries):
        by_industry.setdefault(ind, []).append(i)
    out: list[int | None] = [None] * len(firm_ids)
    for i in sorted(range(len(firm_ids)), key=lambda j: firm_ids[j]):
        others = [j for j in by_industry[industries[i]] if j != i]
        if others:
            out[i] = others[int(rng.integers(len(others)))]
    return out


def r2(Y: np.ndarray, pred: np.ndarray) -> float:
    """1 - SSE / SST over all outputs (the share of product-vector variance explained)."""
    sst = ((Y - Y.mean(axis=0)) ** 2).sum()
    return float(1 - ((Y - pred) ** 2).sum() / sst) if sst > 0 else 0.0
