"""A group's fitted linkage model as an MLflow pyfunc: patent tokens in, product vector out.

The artifact holds what prediction needs and nothing of Spark: the technology vocabulary with
its IDF, the product vocabulary, and the coefficients (ridge) or the training firms (kNN).
`mlflow.pyfunc.load_model(uri).predict(pd.DataFrame({"tokens": [[...], ...]}))` gives, per
row, the predicted weight of every product keyword (columns: the product vocabulary).
"""

from __future__ import annotations

import json
from pathlib import Path

import mlflow.pyfunc
import numpy as np
import pandas as pd
from scipy import sparse

from innolink.linkage import model as M


def tech_matrix(token_lists, terms: list[str], idf: np.ndarray) -> sparse.csr_matrix:
    """Token lists -> L2-normalized TF-IDF rows with the bias column, as in training."""
    index = {t: i for i, t in enumerate(terms)}
    rows_idx, rows_val = [], []
    for tokens in token_lists:
        counts: dict[int, float] = {}
        for tok in tokens if tokens is not None else []:
            i = index.get(tok)
            if i is not None:
                counts[i] = counts.get(i, 0.0) + 1.0
        idx = sorted(counts)
        val = np.asarray([counts[i] * idf[i] for i in idx])
        norm = np.linalg.norm(val)
        rows_idx.append(idx)
        rows_val.append(list(val / norm) if norm > 0 else [])
    return M.csr(rows_idx, rows_val, len(terms), bias=True)


def save_artifacts(
    folder: Path,
    kind: str,
    tech_terms: list[str],
    tech_idf: list[float],
    product_terms: list[str],
    params: dict,
    arrays: dict[str, np.ndarray],
) -> dict[str, str]:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "model.json").write_text(
        json.dumps(
            {
                "kind": kind,
                "tech_terms": tech_terms,
                "tech_idf": tech_idf,
                "product_terms": product_terms,
                "params": params,
            },
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    np.savez_compressed(folder / "arrays.npz", **arrays)
    return {"model": str(folder / "model.json"), "arrays": str(folder / "arrays.npz")}


class LinkageModel(mlflow.pyfunc.PythonModel):
    def load_context(self, context) -> None:
        meta = json.loads(Path(context.artifacts["model"]).read_text(encoding="utf-8"))
        self.kind = meta["kind"]
        self.tech_terms = meta["tech_terms"]
        self.tech_idf = np.asarray(meta["tech_idf"])
        self.product_terms = meta["product_terms"]
        self.params = meta["params"]
        with np.load(context.artifacts["arrays"]) as arrays:
            self.arrays = {k: arrays[k] for k in arrays.files}

    def predict(self, context, model_input: pd.DataFrame, params=None) -> pd.DataFrame:
        X = tech_matrix(model_input["tokens"], self.tech_terms, self.tech_idf)
        if self.kind == "ridge":
            pred = np.asarray(X @ self.arrays["coef"])
        else:
            X_train = sparse.csr_matrix(self.arrays["x_train"])
            Y_train = sparse.csr_matrix(self.arrays["y_train"])
            pred = M.knn_predict(X_train, Y_train, X, int(self.params["neighbours"]))
        return pd.DataFrame(pred, columns=self.product_terms)
