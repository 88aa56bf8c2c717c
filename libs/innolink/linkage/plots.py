"""Plots of the linkage scores (matplotlib, Agg: no display needed on a cluster driver)."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402


def group_scores_plot(scores: pd.DataFrame, path: Path) -> None:
    """Scores of every firm by group (dots), with the group mean and the shuffle baseline."""
    groups = sorted(scores["group_key"].unique())
    fig, ax = plt.subplots(figsize=(max(6, 0.6 * len(groups) + 2), 4))
    for i, g in enumerate(groups):
        s = scores[scores["group_key"] == g]
        jitter = (np.arange(len(s)) % 7 - 3) * 0.04
        ax.scatter(i + jitter, s["score"], s=8, alpha=0.5, color="tab:blue")
        ax.hlines(s["score"].mean(), i - 0.3, i + 0.3, color="tab:blue", lw=2)
        ax.hlines(s["shuffle_score"].mean(), i - 0.3, i + 0.3, color="tab:gray", lw=2, ls="--")
    ax.set_xticks(range(len(groups)), groups, rotation=45, ha="right")
    ax.set_ylabel("technology -> product score (cosine)")
    ax.set_title("Firm scores by group (line: mean; dashed: shuffle baseline)")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def summary_plot(summary: pd.DataFrame, path: Path) -> None:
    """Mean score with bootstrap 95% CI by country, one marker per firm type."""
    rows = summary[(summary["industry"] == "*") & (summary["country"] != "*")]
    rows = rows[rows["firm_type"] != "*"]
    countries = sorted(rows["country"].unique())
    types = sorted(rows["firm_type"].unique())
    fig, ax = plt.subplots(figsize=(max(5, 1.2 * len(countries) + 2), 4))
    for k, t in enumerate(types):
        r = rows[rows["firm_type"] == t].set_index("country").reindex(countries)
        x = np.arange(len(countries)) + (k - (len(types) - 1) / 2) * 0.2
        err = np.vstack([r["mean"] - r["ci_low"], r["ci_high"] - r["mean"]])
        ax.errorbar(x, r["mean"], yerr=np.nan_to_num(err), fmt="o", capsize=3, label=t)
    ax.set_xticks(range(len(countries)), countries)
    ax.set_ylabel("mean score (95% CI)")
    ax.legend(title="firm type")
    ax.set_title("Technology -> product score by country and firm type")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def industry_heatmap(summary: pd.DataFrame, path: Path) -> None:
    """Mean score by industry (rows) and country (columns)."""
    rows = summary[
        (summary["firm_type"] == "*") & (summary["country"] != "*") & (summary["industry"] != "*")
    ]
    table = rows.pivot(index="industry", columns="country", values="mean").sort_index()
    fig, ax = plt.subplots(
        figsize=(max(5, 0.9 * table.shape[1] + 3), max(3, 0.35 * table.shape[0] + 1.5))
    )
    im = ax.imshow(table.to_numpy(dtype=float), cmap="viridis", aspect="auto", vmin=0, vmax=1)
    ax.set_xticks(range(table.shape[1]), table.columns)
    ax.set_yticks(range(table.shape[0]), table.index)
    for (i, j), v in np.ndenumerate(table.to_numpy(dtype=float)):
        if np.isfinite(v):
            ax.text(j, i, f"{v:.2f}", ha="center", va="center", color="w", fontsize=8)
    fig.colorbar(im, ax=ax, label="mean score")
    ax.set_title("Mean score by industry and country")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
