"""The scoring model: logistic regression over the pair features (features.FEATURES), fitted
on the training split of the labelled sets (evaluate.py) and kept in conf as plain weights
(conf/mappings/link_model.yaml), so a run's scores follow from files under version control.

Fitted by Newton's method with a small L2 penalty: a few hundred labelled pairs and 17
features need nothing more, and the fit is deterministic.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import yaml

from innolink.link.features import FEATURES


@dataclass(frozen=True)
class LinkModel:
    weights: Mapping[str, float]
    intercept: float
    # The score from which a candidate is a link when the configuration does not override it.
    threshold: float = 0.5
    trained_on: Mapping[str, object] = field(default_factory=dict)

    def __post_init__(self) -> None:
        unknown = sorted(set(self.weights) - set(FEATURES))
        if unknown:
            raise ValueError(f"model weights for unknown features: {unknown}")

    def score(self, values: Mapping[str, float]) -> float:
        z = self.intercept + sum(w * float(values.get(k, 0.0)) for k, w in self.weights.items())
        return 1.0 / (1.0 + math.exp(-max(min(z, 40.0), -40.0)))

    def to_dict(self) -> dict:
        return {
            "features": list(FEATURES),
            "weights": {k: round(float(self.weights.get(k, 0.0)), 6) for k in FEATURES},
            "intercept": round(float(self.intercept), 6),
            "threshold": float(self.threshold),
            "trained_on": dict(self.trained_on),
        }


def load_model(path: str | Path) -> LinkModel:
    data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    return LinkModel(
        weights={k: float(v) for k, v in (data.get("weights") or {}).items()},
        intercept=float(data.get("intercept", 0.0)),
        threshold=float(data.get("threshold", 0.5)),
        trained_on=data.get("trained_on") or {},
    )


def save_model(model: LinkModel, path: str | Path, header: str = "") -> None:
    text = yaml.safe_dump(model.to_dict(), sort_keys=False, allow_unicode=True)
    Path(path).write_text(header + text, encoding="utf-8")


def fit(
    rows: Sequence[Sequence[float]],
    labels: Sequence[int],
    l2: float = 1.0,
    iterations: int = 50,
    sample_weight: Sequence[float] | None = None,
) -> tuple[dict[str, float], float]:
    """Weights and intercept of a logistic regression (Newton / IRLS, L2 on the weights)."""
    x = np.asarray(rows, dtype=float)
    y = np.asarray(labels, dtype=float)
    if x.ndim != 2 or x.shape[1] != len(FEATURES) or len(y) != len(x):
        raise ValueError(f"expected rows of {len(FEATURES)} features and one label per row")
    if len(set(y.tolist())) < 2:
        raise ValueError("the training pairs need both links and non-links")
    sw = np.ones(len(y)) if sample_weight is None else np.asarray(sample_weight, dtype=float)
    design = np.hstack([np.ones((len(x), 1)), x])
    beta = np.zeros(design.shape[1])
    penalty = np.eye(design.shape[1]) * l2
    penalty[0, 0] = 0.0  # the intercept is not shrunk
    for _ in range(iterations):
        z = np.clip(design @ beta, -40, 40)
        p = 1.0 / (1.0 + np.exp(-z))
        w = sw * p * (1 - p)
        gradient = design.T @ (sw * (y - p)) - penalty @ beta
        hessian = design.T @ (design * w[:, None]) + penalty
        step = np.linalg.solve(hessian, gradient)
        beta += step
        if np.max(np.abs(step)) < 1e-8:
            break
    return {name: float(b) for name, b in zip(FEATURES, beta[1:], strict=True)}, float(beta[0])
