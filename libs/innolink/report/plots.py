"""The report's own figures (matplotlib, Agg: no display, same pixels everywhere).

Each function takes the rows of gold/score_summary as pandas and writes one PNG.
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402 - after choosing the backend
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

# The study's firm types first, in the order the paper discusses them; others after, sorted.
TYPE_ORDER = ("startup", "incumbent", "multinational")
TYPE_COLOURS = ("#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02")
DPI = 110


def ordered_types(types) -> list[str]:
    present = set(types)
    return [t for t in TYPE_ORDER if t in present] + sorted(present - set(TYPE_ORDER))


def _nan_to_zero(values) -> np.ndarray:
    arr = np.asarray(values, dtype=float)
    return np.where(np.isnan(arr), 0.0, arr)


def score_points(groups: pd.DataFrame, path: Path, small_group: int) -> None:
    """Mean score with its 95% CI per country (x) and firm type (colour); the shuffle
    baseline as a grey bar; groups below `small_group` firms as open markers."""
    countries = sorted(groups["country"].unique())
    types = ordered_types(groups["firm_type"].unique())
    width = 0.8 / max(len(types), 1)
    fig, ax = plt.subplots(figsize=(max(6.0, 1.1 * len(countries) + 3), 4.2), dpi=DPI)
    for i, firm_type in enumerate(types):
        rows = groups[groups["firm_type"] == firm_type]
        x = np.array([countries.index(c) for c in rows["country"]]) - 0.4 + width * (i + 0.5)
        mean = rows["mean"].to_numpy(dtype=float)
        yerr = np.vstack(
            [
                _nan_to_zero(mean - rows["ci_low"].to_numpy(dtype=float)),
                _nan_to_zero(rows["ci_high"].to_numpy(dtype=float) - mean),
            ]
        )
        colour = TYPE_COLOURS[i % len(TYPE_COLOURS)]
        small = rows["small"].to_numpy(dtype=bool)
        for mask, face in ((~small, colour), (small, "white")):
            if mask.any():
                ax.errorbar(
                    x[mask],
                    mean[mask],
                    yerr=yerr[:, mask],
                    fmt="o",
                    color=colour,
                    markerfacecolor=face,
                    markersize=7,
                    capsize=3,
                    linewidth=1.2,
                )
        shuffle = rows["shuffle_mean"].to_numpy(dtype=float)
        ax.scatter(x, shuffle, marker="_", s=160, color="#777777", linewidths=2, zorder=3)
    ax.set_xticks(range(len(countries)))
    ax.set_xticklabels(countries)
    ax.set_xlim(-0.6, len(countries) - 0.4)
    ax.set_ylabel("technology → product score\n(mean cosine, out of fold)")
    ax.grid(axis="y", color="#e5e5e5")
    ax.set_axisbelow(True)
    handles = [
        plt.Line2D([], [], marker="o", linestyle="", color=TYPE_COLOURS[i % len(TYPE_COLOURS)])
        for i in range(len(types))
    ]
    labels = list(types)
    handles.append(plt.Line2D([], [], marker="_", linestyle="", color="#777777", markersize=12))
    labels.append("shuffle baseline")
    handles.append(plt.Line2D([], [], marker="o", linestyle="", color="black", mfc="white"))
    labels.append(f"fewer than {small_group} firms")
    ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
    fig.tight_layout()
    fig.savefig(path, dpi=DPI)
    plt.close(fig)


def industry_heatmap(cells: pd.DataFrame, column: str, path: Path) -> None:
    """Mean score per industry (rows) and `column` (country, or country / firm type); each
    cell shows the mean and n. Small groups are faded, with grey text: at the demo's scale
    most cells are small, and hatching them all would bury the numbers."""
    rows = sorted(cells["industry"].unique())
    cols = sorted(cells[column].unique())
    grid = np.full((len(rows), len(cols)), np.nan)
    counts = np.zeros((len(rows), len(cols)), dtype=int)
    small = np.zeros((len(rows), len(cols)), dtype=bool)
    for r in cells.itertuples(index=False):
        i, j = rows.index(r.industry), cols.index(getattr(r, column))
        grid[i, j] = np.nan if r.mean is None else float(r.mean)
        counts[i, j] = int(r.n)
        small[i, j] = bool(r.small)
    fig, ax = plt.subplots(
        figsize=(max(5.0, 1.0 * len(cols) + 4), max(2.5, 0.45 * len(rows) + 1.6)), dpi=DPI
    )
    finite = grid[np.isfinite(grid)]
    vmin, vmax = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    if math.isclose(vmin, vmax):
        vmin, vmax = vmin - 0.05, vmax + 0.05
    shown = dict(cmap="viridis", vmin=vmin, vmax=vmax, aspect="auto", interpolation="nearest")
    image = ax.imshow(np.ma.masked_where(~np.isfinite(grid) | small, grid), **shown)
    ax.imshow(np.ma.masked_where(~np.isfinite(grid) | ~small, grid), alpha=0.3, **shown)
    mid = (vmin + vmax) / 2
    for i in range(len(rows)):
        for j in range(len(cols)):
            if not counts[i, j]:
                continue
            value = grid[i, j]
            label = ("–" if np.isnan(value) else f"{value:.2f}") + f"\nn={counts[i, j]}"
            if small[i, j]:
                colour = "#555555"
            else:
                colour = "black" if not np.isnan(value) and value > mid else "white"
            ax.text(j, i, label, ha="center", va="center", fontsize=8, color=colour)
    ax.set_xticks(range(len(cols)))
    ax.set_xticklabels(
        cols, rotation=45 if len(cols) > 6 else 0, ha="right" if len(cols) > 6 else "center"
    )
    ax.set_yticks(range(len(rows)))
    ax.set_yticklabels(rows)
    ax.set_facecolor("#f6f6f6")
    bar = fig.colorbar(image, ax=ax, fraction=0.04, pad=0.02)
    bar.set_label("mean score")
    fig.tight_layout()
    fig.savefig(path, dpi=DPI)
    plt.close(fig)
