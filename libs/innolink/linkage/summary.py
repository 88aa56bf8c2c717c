"""Stage `summary`: the comparison analysts read, from gold/firm_scores.

For every model, country x firm type x industry and each margin ("*": all values of that
dimension): n, mean, SD, median, a percentile bootstrap 95% CI of the mean, the shuffle
baseline's mean, and whether the cell is small (fewer than summary.small_group firms: read
its mean with care). The bootstrap of a cell is seeded by (seed, the cell's key), so the same
scores always give the same intervals, whatever order the cells are computed in.

Records: score rows read; each is used (out) or, with a null score, rejected.
"""

from __future__ import annotations

import hashlib
import itertools
import tempfile
from pathlib import Path

import mlflow
import numpy as np
import pandas as pd
from pyspark.sql import functions as F

from innolink.context import StageContext, StageResult
from innolink.linkage.plots import industry_heatmap, summary_plot
from innolink.tables import FIRM_SCORES, SCORE_SUMMARY

DIMENSIONS = ("country", "firm_type", "industry")


def _cell_seed(seed: int, key: tuple[str, ...]) -> int:
    digest = hashlib.sha256("\x1f".join((str(seed), *key)).encode()).digest()
    return int.from_bytes(digest[:8], "little")


def bootstrap_ci(values: np.ndarray, draws: int, seed: int) -> tuple[float, float]:
    """Percentile 95% interval of the mean over `draws` resamples (NaN if not computable)."""
    if draws == 0 or len(values) < 2:
        return float("nan"), float("nan")
    rng = np.random.default_rng(seed)
    means = values[rng.integers(0, len(values), size=(draws, len(values)))].mean(axis=1)
    low, high = np.percentile(means, [2.5, 97.5])
    return float(low), float(high)


def summarize(scores: pd.DataFrame, draws: int, seed: int, small_group: int) -> pd.DataFrame:
    """One row per model and cell of country x firm type x industry, margins included."""
    rows = []
    for model, by_model in scores.groupby("model", sort=True):
        for margin in itertools.product((False, True), repeat=len(DIMENSIONS)):
            frame = by_model.assign(
                **{d: "*" for d, is_margin in zip(DIMENSIONS, margin, strict=True) if is_margin}
            )
            for key, cell in frame.groupby(list(DIMENSIONS), sort=True):
                values = cell["score"].to_numpy(dtype=float)
                low, high = bootstrap_ci(values, draws, _cell_seed(seed, (model, *key)))
                rows.append(
                    {
                        "model": model,
                        **dict(zip(DIMENSIONS, key, strict=True)),
                        "n": len(values),
                        "mean": float(values.mean()),
                        "sd": float(values.std(ddof=1)) if len(values) > 1 else float("nan"),
                        "median": float(np.median(values)),
                        "ci_low": low,
                        "ci_high": high,
                        "shuffle_mean": float(cell["shuffle_score"].mean())
                        if cell["shuffle_score"].notna().any()
                        else float("nan"),
                        "small": len(values) < small_group,
                    }
                )
    out = pd.DataFrame(rows)
    return out.replace({np.nan: None}) if len(out) else out


def run(ctx: StageContext) -> StageResult:
    cfg = ctx.cfg.stages.summary
    scores = ctx.read(FIRM_SCORES)
    records_in = scores.count()
    rejects = scores.where(F.col("score").isNull() | F.isnan("score")).select(
        F.lit(FIRM_SCORES.id).alias("source"),
        F.concat_ws("/", "model", "firm_id").alias("locator"),
        F.lit("summary.no_score").alias("reason"),
        F.lit(None).cast("string").alias("excerpt"),
    )
    pdf = (
        scores.where(F.col("score").isNotNull() & ~F.isnan("score"))
        .select("model", *DIMENSIONS, "firm_id", "score", "shuffle_score")
        .orderBy("model", "firm_id")
        .toPandas()
    )
    written = [ctx.writer.reject(rejects)]
    rejected = records_in - len(pdf)
    ctx.run.params(bootstrap=cfg.bootstrap, seed=cfg.seed, small_group=cfg.small_group)
    if len(pdf):
        summary = summarize(pdf, cfg.bootstrap, cfg.seed, cfg.small_group)
        sdf = ctx.spark.createDataFrame(
            summary,
            "model string, country string, firm_type string, industry string, n int, "
            "mean double, sd double, median double, ci_low double, ci_high double, "
            "shuffle_mean double, small boolean",
        ).withColumn("run_id", F.lit(ctx.run.run_id))
        # The summary is recomputed whole: cells that no longer exist are removed.
        written.insert(0, ctx.writer.merge(SCORE_SUMMARY, sdf, replace_by=("model",)))
        mlflow.log_text(summary.to_csv(index=False), "score_summary.csv")
        with tempfile.TemporaryDirectory() as tmp:
            for model, part in summary.groupby("model"):
                for name, plot in (
                    ("by_country_type", summary_plot),
                    ("industry", industry_heatmap),
                ):
                    path = Path(tmp) / f"{name}_{model}.png"
                    plot(part, path)
                    mlflow.log_artifact(str(path), "plots")
    return StageResult(
        records_in=records_in,
        records_out=len(pdf),
        records_rejected=rejected,
        written=written,
        metrics={"cells": written[0].rows if len(pdf) else 0},
    )
