"""Plots of inventor flows for the report (matplotlib's object API: no display, no pyplot
state shared between callers)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

OTHER = "other"


def flow_matrix(flows: pd.DataFrame, top: int = 20) -> pd.DataFrame:
    """Moves from (rows) -> to (columns), summed over years and fields; regions beyond the
    `top` with the most moves in or out are summed as "other"."""
    if flows.empty:
        return pd.DataFrame(dtype="int64")
    totals = (
        flows.groupby("from_region")["moves"]
        .sum()
        .add(flows.groupby("to_region")["moves"].sum(), fill_value=0)
    ).sort_values(ascending=False, kind="stable")
    keep = set(totals.index[:top])
    frame = flows.assign(
        src=flows["from_region"].where(flows["from_region"].isin(keep), OTHER),
        dst=flows["to_region"].where(flows["to_region"].isin(keep), OTHER),
    )
    matrix = frame.pivot_table(index="src", columns="dst", values="moves", aggfunc="sum").fillna(0)
    order = sorted(set(matrix.index) | set(matrix.columns), key=lambda r: (r == OTHER, r))
    return matrix.reindex(index=order, columns=order, fill_value=0).astype("int64")


def flow_heatmap(
    pdf: pd.DataFrame, path: str | Path, top: int = 20, title: str | None = None
) -> Path:
    """A heatmap of inventor moves (rows: from, columns: to) of gold/inventor_flows rows
    (columns from_region, to_region, moves), written as a PNG at `path`."""
    path = Path(path)
    matrix = flow_matrix(pdf, top)
    n = max(len(matrix), 1)
    size = min(4 + 0.45 * n, 16)
    fig = Figure(figsize=(size + 1.5, size))
    ax = fig.add_subplot()
    if matrix.empty:
        ax.text(0.5, 0.5, "no inventor moves", ha="center", va="center")
        ax.set_axis_off()
    else:
        values = matrix.to_numpy()
        image = ax.imshow(np.log1p(values), cmap="viridis", aspect="equal")
        ax.set_xticks(range(len(matrix.columns)), matrix.columns, rotation=60, ha="right")
        ax.set_yticks(range(len(matrix.index)), matrix.index)
        ax.set_xlabel("to region")
        ax.set_ylabel("from region")
        if n <= 25:
            high = np.log1p(values.max()) * 0.6
            for i in range(values.shape[0]):
                for j in range(values.shape[1]):
                    if values[i, j]:
                        color = "black" if np.log1p(values[i, j]) > high else "white"
                        ax.text(
                            j,
                            i,
                            str(values[i, j]),
                            ha="center",
                            va="center",
                            fontsize=7,
                            color=color,
                        )
        bar = fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
        bar.set_label("moves (log scale)")
        ticks = [v for v in (1, 10, 100, 1000, 10000) if v <= max(values.max(), 1)]
        bar.set_ticks(np.log1p(ticks), labels=[str(t) for t in ticks])
    total = int(pdf["moves"].sum()) if not pdf.empty else 0
    ax.set_title(title or f"Inventor moves between regions ({total:,} moves)")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    return path


def net_inflow_bars(pdf: pd.DataFrame, path: str | Path, top: int = 25) -> Path:
    """Net inflow (inflow - outflow, all years) of the regions with the largest absolute net
    flow, from gold/region_flows rows (columns region, net)."""
    path = Path(path)
    fig = Figure(figsize=(8, max(3, 0.3 * min(top, len(pdf)) + 1.5)))
    ax = fig.add_subplot()
    if pdf.empty or not pdf["net"].abs().sum():
        ax.text(0.5, 0.5, "no inventor moves", ha="center", va="center")
        ax.set_axis_off()
    else:
        net = pdf.groupby("region")["net"].sum()
        net = net[net != 0]
        net = net.reindex(net.abs().sort_values(ascending=False, kind="stable").index[:top])
        net = net.sort_values(kind="stable")
        colors = ["tab:red" if v < 0 else "tab:blue" for v in net]
        ax.barh(net.index, net.to_numpy(), color=colors)
        ax.axvline(0, color="black", lw=0.8)
        ax.set_xlabel("net inflow of inventors (in - out)")
    ax.set_title("Net inventor inflow by region")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    return path
