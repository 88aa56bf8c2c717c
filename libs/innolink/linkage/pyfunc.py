"""A group's fitted linkage model as an MLflow pyfunc: a patent's tokens and IPC codes in,
product vector out.

The artifact holds what prediction needs and nothing of Spark: the technology vocabulary with
its IDF (WIPO field columns "field:<n>" first, then text tokens, as the stage's tech_space
built them), the product vocabulary, and the coefficients (ridge) or the training firms (kNN).
`mlflow.pyfunc.load_model(uri).predict(pd.DataFrame({"tokens": [[...], ...], "ipc": [[...],
...]}))` gives, per row, the predicted weight of every product column (concepts or keywords).
A row is one patent, or the patents of one firm; a model of tech_space `text` needs only
`tokens`, one of `fields` only `ipc` ("H01M 10/0525" or "H01M10/0525"; each field the codes
name counts once per row).
"""

from __future__ import annotations

import json
from pathlib import Path

import mlflow.pyfunc
import numpy as np
import pandas as pd
from scipy import sparse

from innolink.linkage import model as M


def _block(bags, terms: list[str], idf: np.ndarray) -> tuple[list[list[int]], list[np.ndarray]]:
    """Bags of terms -> L2-normalized TF-IDF (indices, values) over `terms`."""
    index = {t: i for i, t in enumerate(terms)}
    rows_idx, rows_val = [], []
    for bag in bags:
        counts: dict[int, float] = {}
        for term in bag:
            i = index.get(term)
            if i is not None:
                counts[i] = counts.get(i, 0.0) + 1.0
        idx = sorted(counts)
        val = np.asarray([counts[i] * idf[i] for i in idx])
        norm = np.linalg.norm(val)
        rows_idx.append(idx)
        rows_val.append(val / norm if norm > 0 else np.zeros(0))
    return rows_idx, rows_val


def _fields_of(codes) -> list[str]:
    from innolink.patents.wipo import ipc_to_wipo_field

    fields = {ipc_to_wipo_field(c) for c in (codes if codes is not None else [])}
    return sorted(f"field:{f}" for f in fields if f is not None)


def tech_matrix(
    model_input: pd.DataFrame,
    terms: list[str],
    idf: np.ndarray,
    field_count: int = 0,
    field_weight: float = 1.0,
) -> sparse.csr_matrix:
    """Rows of tokens and/or IPC codes -> the technology rows of training, with the bias.

    The first field_count terms are WIPO fields, the rest text tokens; with both blocks a
    row is the fields block (field_weight of its squared norm) beside the text block, at unit
    norm, as features.joined_rows builds it.
    """
    n = len(model_input)
    text_terms, field_terms = terms[field_count:], terms[:field_count]
    blocks = []
    if field_terms:
        codes = model_input["ipc"] if "ipc" in model_input else [None] * n
        blocks.append(
            (
                0,
                field_weight if text_terms else 1.0,
                _block([_fields_of(c) for c in codes], field_terms, idf[:field_count]),
            )
        )
    if text_terms:
        tokens = model_input["tokens"] if "tokens" in model_input else [None] * n
        bags = [list(t) if t is not None else [] for t in tokens]
        blocks.append(
            (
                field_count,
                1.0 - field_weight if field_terms else 1.0,
                _block(bags, text_terms, idf[field_count:]),
            )
        )
    rows_idx, rows_val = [], []
    for r in range(n):
        idx, val = [], []
        for offset, weight, (b_idx, b_val) in blocks:
            idx.extend(i + offset for i in b_idx[r])
            val.extend(np.sqrt(weight) * b_val[r])
        norm = np.linalg.norm(val) if val else 0.0
        rows_idx.append(idx if norm > 0 else [])
        rows_val.append(list(np.asarray(val) / norm) if norm > 0 else [])
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
        X = tech_matrix(
            model_input,
            self.tech_terms,
            self.tech_idf,
            sum(t.startswith("field:") for t in self.tech_terms),
            float(self.params.get("field_weight", 1.0)),
        )
        if self.kind == "ridge":
            pred = np.asarray(X @ self.arrays["coef"])
        else:
            X_train = sparse.csr_matrix(self.arrays["x_train"])
            Y_train = sparse.csr_matrix(self.arrays["y_train"])
            pred = M.knn_predict(X_train, Y_train, X, int(self.params["neighbours"]))
        return pd.DataFrame(pred, columns=self.product_terms)
