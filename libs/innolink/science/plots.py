"""Science-linkage plots for the report (matplotlib's object API: no display, no pyplot state)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure


def science_bars(
    pdf: pd.DataFrame, path: str | Path, level: str = "country", top: int = 20
) -> Path:
    """Two bar charts of gold/science_summary rows of one level (country, field, year or
    firm): scientific references per patent, and the share of patents citing science; the
    `top` keys with the most patents, written as a PNG at `path`."""
    path = Path(path)
    rows = pdf[pdf["level"] == level] if not pdf.empty else pdf
    fig = Figure(figsize=(11, max(3.0, 0.32 * min(top, len(rows)) + 1.8)))
    left, right = fig.subplots(1, 2, sharey=True)
    if rows.empty:
        for ax in (left, right):
            ax.set_axis_off()
        left.text(0.5, 0.5, f"no publications by {level}", ha="center", va="center")
    else:
        rows = rows.sort_values(["patents", "key"], ascending=[False, True], kind="stable").head(
            top
        )
        if level == "year":
            rows = rows.sort_values("key", kind="stable")
        labels = [
            f"{label} ({key})" if level == "field" else str(label)
            for key, label in zip(rows["key"], rows["label"], strict=True)
        ]
        y = np.arange(len(rows))[::-1]
        left.barh(y, rows["scientific_per_patent"].to_numpy(), color="tab:blue")
        left.set_yticks(y, labels)
        left.set_xlabel("scientific references per patent")
        right.barh(y, 100 * rows["share_with_science"].to_numpy(), color="tab:green")
        right.set_xlabel("patents citing science (%)")
        for yy, n in zip(y, rows["patents"], strict=True):
            right.text(0, yy, f" n={n:,.0f}", va="center", fontsize=7)
    fig.suptitle(f"Science linkage by {level}")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    return path
