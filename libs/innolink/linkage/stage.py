"""Stage `linkage`: per group (country x firm type), a technology -> product model, and every
firm's out-of-fold score: the cosine of its predicted and actual product vectors.

Records are the listed firms of silver/firms. A firm is scored when its patents describe its
technology in the space of `tech_space` (text: gold/firm_patents + gold/patent_text; WIPO
fields: gold/firm_patents + silver/patent_classes; either, by default) and it has product
keywords (gold/firm_keywords), and its group has at least `min_firms` such firms; otherwise it
is a reject with the reason (`linkage.no_patent_text`: nothing in that space), so the firms
the comparison leaves out can be counted by cause.

MLflow: the stage's run is the analysis' parent run (stages.linkage.experiment names the
experiment); each group gets a nested run with its params, metrics (n, mean, SD of scores,
out-of-fold R^2, the shuffle baseline and the gap to it) and its model as a pyfunc.
"""

from __future__ import annotations

import logging
import tempfile
from pathlib import Path

import mlflow
import numpy as np
import pandas as pd
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from innolink.context import StageContext, StageResult
from innolink.linkage import features as FE
from innolink.linkage import model as M
from innolink.linkage.plots import group_scores_plot
from innolink.tables import (
    FIRM_KEYWORDS,
    FIRM_PATENTS,
    FIRM_SCORES,
    FIRMS,
    PATENT_CLASSES,
    PATENT_TEXT,
)
from innolink.tracking import model_pip_requirements

log = logging.getLogger(__name__)

SOURCE = "silver/firms"


def firm_rows(ctx: StageContext) -> tuple[DataFrame, DataFrame, FE.Vocabulary, FE.Vocabulary]:
    """(all firms with their group and reason, eligible firms' feature rows, vocabularies)."""
    cfg = ctx.cfg.stages.linkage
    firms = ctx.read(FIRMS).select(
        "firm_id",
        "country",
        "firm_type",
        F.coalesce(F.col(cfg.industry), F.lit("unknown")).alias("industry"),
    )
    spaces = {"text+fields": ("text", "fields"), "text": ("text",), "fields": ("fields",)}
    blocks = spaces[cfg.tech_space]
    terms = {}
    if "text" in blocks:
        terms["text"] = FE.tech_terms(ctx.read(FIRM_PATENTS), ctx.read(PATENT_TEXT))
    if "fields" in blocks:
        terms["fields"] = FE.field_terms(ctx.read(FIRM_PATENTS), ctx.read(PATENT_CLASSES))
    # A firm has technology features when any block of the space describes it.
    tech_ids = None
    for frame in terms.values():
        ids = frame.select("firm_id")
        tech_ids = ids if tech_ids is None else tech_ids.unionByName(ids)
    concepts = None
    if cfg.product_space == "concepts":
        concepts = ctx.spark.createDataFrame(
            FE.concept_terms(ctx.cfg.resolve(cfg.product_concepts)),
            "keyword string, concept string",
        )
    products = FE.product_terms(ctx.read(FIRM_KEYWORDS), concepts)
    counts = (
        firms.join(
            ctx.read(FIRM_PATENTS).groupBy("firm_id").agg(F.countDistinct("pub_key").alias("np")),
            "firm_id",
            "left",
        )
        .join(
            ctx.read(FIRM_KEYWORDS).groupBy("firm_id").agg(F.count("*").alias("nk")),
            "firm_id",
            "left",
        )
        .join(tech_ids.distinct().withColumn("has_text", F.lit(True)), "firm_id", "left")
        .fillna({"np": 0, "nk": 0, "has_text": False})
    )
    eligible_ids = counts.where(F.col("has_text") & (F.col("nk") > 0)).select("firm_id")
    products = products.join(eligible_ids, "firm_id").persist()
    n = eligible_ids.count()
    vocabs, xs = [], []
    for block in blocks:
        tech = terms[block].join(eligible_ids, "firm_id").persist()
        # The fields are 35: every one a firm shares with another is a column.
        limit = cfg.patent_features if block == "text" else 1 << 10
        vocabs.append(FE.vocabulary(tech, n, cfg.min_df, limit))
        xs.append(FE.sparse_rows(tech, vocabs[-1], "x", use_idf=True))
    if len(blocks) == 2:
        # Fields first: their columns keep the same indices whatever the text vocabulary.
        x = FE.joined_rows(xs[1], xs[0], len(vocabs[1]), cfg.field_weight)
        tech_vocab = FE.Vocabulary(vocabs[1].terms + vocabs[0].terms, vocabs[1].idf + vocabs[0].idf)
    else:
        x, tech_vocab = xs[0], vocabs[0]
    prod_vocab = FE.vocabulary(products, n, cfg.min_df, cfg.product_features)
    y = FE.sparse_rows(products, prod_vocab, "y", use_idf=True)
    group_key = F.concat_ws("/", *[F.col(c) for c in cfg.group_by])
    fold = F.pmod(F.xxhash64(F.col("firm_id"), F.lit(cfg.seed)), F.lit(cfg.folds)).cast("int")
    firms_all = counts.withColumn("group_key", group_key)
    rows = (
        firms_all.join(x, "firm_id")
        .join(y, "firm_id")
        .withColumn("fold", fold)
        .select(
            "firm_id",
            "country",
            "firm_type",
            "industry",
            "group_key",
            "fold",
            "np",
            "nk",
            "x_idx",
            "x_val",
            "y_idx",
            "y_val",
        )
    )
    return firms_all, rows, tech_vocab, prod_vocab


def _design(pdf: pd.DataFrame, d: int, p: int) -> M.Design:
    return M.Design(
        firm_ids=list(pdf["firm_id"]),
        X=M.csr(pdf["x_idx"], pdf["x_val"], d, bias=True),
        Y=M.csr(pdf["y_idx"], pdf["y_val"], p, bias=False),
        fold=pdf["fold"].to_numpy(),
    )


def run(ctx: StageContext) -> StageResult:
    cfg = ctx.cfg.stages.linkage
    spark = ctx.spark
    firms_all, rows, tech_vocab, prod_vocab = firm_rows(ctx)
    firms_all = firms_all.persist()
    records_in = firms_all.count()
    rows = rows.persist()
    d, p = len(tech_vocab), len(prod_vocab)
    ctx.run.params(
        model=cfg.model,
        group_by=",".join(cfg.group_by),
        min_firms=cfg.min_firms,
        folds=cfg.folds,
        seed=cfg.seed,
        alpha=cfg.alpha,
        pooling=cfg.pooling,
        neighbours=cfg.neighbours,
        patent_features=d,
        product_features=p,
        product_space=cfg.product_space,
        tech_space=cfg.tech_space,
        field_weight=cfg.field_weight,
        min_df=cfg.min_df,
        industry=cfg.industry,
    )

    # Rows in firm_id order: the solves below then see the same matrices on every rerun.
    pdf = rows.orderBy("firm_id").toPandas()
    sizes = pdf.groupby("group_key").size()
    fitted_groups = sorted(g for g, n in sizes.items() if n >= cfg.min_firms)

    scores: list[pd.DataFrame] = []
    group_metrics: list[dict] = []
    if d and p and fitted_groups:
        pooled = None
        if cfg.model == "ridge":
            xtx, xty = (
                rows.select("fold", "x_idx", "x_val", "y_idx", "y_val")
                .rdd.mapPartitions(lambda it: M.partition_gramians(it, d, p, cfg.folds))
                .treeReduce(lambda a, b: (a[0] + b[0], a[1] + b[1]))
            )
            pooled = M.pooled_models(xtx, xty, cfg.alpha)
        for group in fitted_groups:
            gdf = pdf[pdf["group_key"] == group].reset_index(drop=True)
            scored, metrics = _fit_group(ctx, group, gdf, d, p, pooled, tech_vocab, prod_vocab)
            scores.append(scored)
            group_metrics.append(metrics)

    written = []
    scored_ids: set[str] = set()
    if scores:
        all_scores = pd.concat(scores, ignore_index=True)
        scored_ids = set(all_scores["firm_id"])
        sdf = spark.createDataFrame(
            all_scores,
            "firm_id string, group_key string, country string, firm_type string, "
            "industry string, score double, shuffle_score double, fold int, patents int, "
            "keywords int",
        ).withColumns({"model": F.lit(cfg.model), "run_id": F.lit(ctx.run.run_id)})
        # A rerun replaces the model's scores as a whole: a firm no longer scored leaves no row.
        written.append(ctx.writer.merge(FIRM_SCORES, sdf, replace_by=("model",)))
        _log_parent(ctx, all_scores, group_metrics)

    rejects = _rejects(firms_all, pdf, fitted_groups, cfg.min_firms)
    rejected = rejects.count()
    written.append(ctx.writer.reject(rejects))
    for frame in (firms_all, rows):
        frame.unpersist()
    return StageResult(
        records_in=records_in,
        records_out=len(scored_ids),
        records_rejected=rejected,
        written=written,
        metrics={"groups_fitted": len(fitted_groups), "firms_eligible": len(pdf)},
    )


def _fit_group(
    ctx: StageContext,
    group: str,
    gdf: pd.DataFrame,
    d: int,
    p: int,
    pooled: np.ndarray | None,
    tech_vocab: FE.Vocabulary,
    prod_vocab: FE.Vocabulary,
) -> tuple[pd.DataFrame, dict]:
    cfg = ctx.cfg.stages.linkage
    design = _design(gdf, d, p)
    prior = pooled if pooled is not None else np.zeros((cfg.folds + 1, d + 1, p))
    pred = M.out_of_fold(design, cfg.model, prior, cfg.alpha, cfg.pooling, cfg.neighbours)
    Y = design.Y.toarray()
    score = M.cosine_rows(pred, Y)
    partners = M.shuffle_partners(design.firm_ids, list(gdf["industry"]), cfg.seed)
    shuffle = np.asarray(
        [
            M.cosine_rows(pred[[i]], Y[[j]])[0] if j is not None else np.nan
            for i, j in enumerate(partners)
        ]
    )
    scored = pd.DataFrame(
        {
            "firm_id": design.firm_ids,
            "group_key": group,
            "country": gdf["country"],
            "firm_type": gdf["firm_type"],
            "industry": gdf["industry"],
            "score": score,
            "shuffle_score": shuffle,
            "fold": gdf["fold"].astype("int32"),
            "patents": gdf["np"].astype("int32"),
            "keywords": gdf["nk"].astype("int32"),
        }
    )
    shuffle_mean = float(np.nanmean(shuffle)) if np.isfinite(shuffle).any() else float("nan")
    metrics = {
        "n": float(len(score)),
        "mean": float(score.mean()),
        "sd": float(score.std(ddof=1)) if len(score) > 1 else 0.0,
        "median": float(np.median(score)),
        "oof_r2": M.r2(Y, pred),
        "shuffle_mean": shuffle_mean,
        "gap_to_shuffle": float(score.mean()) - shuffle_mean,
    }
    with mlflow.start_run(
        run_name=f"linkage {group}",
        nested=True,
        experiment_id=ctx.run.experiment_id or None,
        tags={"innolink.stage": "linkage.group", "innolink.group": group},
    ):
        mlflow.log_params(
            {
                "group": group,
                "model": cfg.model,
                "features": f"patent {cfg.tech_space} tf-idf -> product {cfg.product_space} tf-idf",
                "patent_features": d,
                "product_features": p,
                "alpha": cfg.alpha,
                "pooling": cfg.pooling,
                "neighbours": cfg.neighbours,
                "folds": cfg.folds,
                "seed": cfg.seed,
            }
        )
        mlflow.log_metrics({k: v for k, v in metrics.items() if np.isfinite(v)})
        _log_model(ctx, design, pooled, tech_vocab, prod_vocab)
    return scored, {"group": group, **metrics}


def _log_model(ctx, design, pooled, tech_vocab, prod_vocab) -> None:
    from innolink.linkage.pyfunc import LinkageModel, save_artifacts

    cfg = ctx.cfg.stages.linkage
    if cfg.model == "ridge":
        coef = M.ridge_primal(design.X, design.Y, cfg.pooling * pooled[cfg.folds], cfg.alpha)
        arrays = {"coef": coef.astype(np.float32)}
    else:
        arrays = {
            "x_train": design.X.toarray().astype(np.float32),
            "y_train": design.Y.toarray().astype(np.float32),
        }
    with tempfile.TemporaryDirectory() as tmp:
        artifacts = save_artifacts(
            Path(tmp),
            cfg.model,
            tech_vocab.terms,
            tech_vocab.idf,
            prod_vocab.terms,
            {
                "neighbours": cfg.neighbours,
                "alpha": cfg.alpha,
                "pooling": cfg.pooling,
                "tech_space": cfg.tech_space,
                "field_weight": cfg.field_weight,
            },
            arrays,
        )
        # MLflow warns on every model that a Python object is pickled (ours is this installed
        # package's class, not foreign code) and that pandas type hints give no signature:
        # 18 groups, 36 lines of noise per run.
        quiet = logging.getLogger("mlflow.pyfunc")
        level = quiet.level
        quiet.setLevel(logging.ERROR)
        try:
            mlflow.pyfunc.log_model(
                name="model",
                python_model=LinkageModel(),
                artifacts=artifacts,
                pip_requirements=[*model_pip_requirements(), "scipy"],
            )
        finally:
            quiet.setLevel(level)


def _log_parent(ctx: StageContext, scores: pd.DataFrame, group_metrics: list[dict]) -> None:
    table = pd.DataFrame(group_metrics)
    ctx.run.artifact_dict({"groups": group_metrics}, "groups.json")
    mlflow.log_text(table.to_csv(index=False), "groups.csv")
    mlflow.log_metrics(
        {
            "firms_scored": float(len(scores)),
            "score_mean": float(scores["score"].mean()),
            "score_sd": float(scores["score"].std(ddof=1)) if len(scores) > 1 else 0.0,
            "shuffle_mean": float(scores["shuffle_score"].mean()),
        }
    )
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "scores_by_group.png"
        group_scores_plot(scores, path)
        mlflow.log_artifact(str(path), "plots")


def _rejects(
    firms_all: DataFrame, pdf: pd.DataFrame, fitted: list[str], min_firms: int
) -> DataFrame:
    """Firms left out of the comparison, by cause."""
    eligible = firms_all.sparkSession.createDataFrame(
        pd.DataFrame({"firm_id": pdf["firm_id"], "fitted": pdf["group_key"].isin(fitted)})
        if len(pdf)
        else pd.DataFrame(
            {"firm_id": pd.Series([], dtype=str), "fitted": pd.Series([], dtype=bool)}
        ),
        "firm_id string, fitted boolean",
    )
    reason = (
        F.when(F.col("fitted").isNull() & (F.col("np") == 0), F.lit("linkage.no_patents"))
        .when(F.col("fitted").isNull() & ~F.col("has_text"), F.lit("linkage.no_patent_text"))
        .when(F.col("fitted").isNull() & (F.col("nk") == 0), F.lit("linkage.no_keywords"))
        .when(F.col("fitted").isNull(), F.lit("linkage.no_shared_terms"))
        .when(~F.col("fitted"), F.lit(f"linkage.small_group: fewer than {min_firms} firms"))
    )
    return (
        firms_all.join(eligible, "firm_id", "left")
        .withColumn("reason", reason)
        .where(F.col("reason").isNotNull())
        .select(
            F.lit(SOURCE).alias("source"),
            F.col("firm_id").alias("locator"),
            "reason",
            F.concat_ws(
                " ", F.lit("group"), "group_key", F.lit("patents"), "np", F.lit("keywords"), "nk"
            ).alias("excerpt"),
        )
    )
