"""Stage `link`: patent applicants -> listed firms.

Records are the distinct applicant names per office (organisations among the applicants and
assignees of silver/patent_parties). Each becomes one row of silver/applicant_firm_links: its
listed firm, or none (method none: an audited outcome, not a reject); a name that normalizes to
nothing (punctuation only) is a reject (link.no_name). gold/firm_patents credits every
publication to the listed firms among its applicants, share 1 / their number.

The stage recomputes every link on each run (the model, the aliases or silver/firms may have
changed), so rows it no longer produces are deleted from both tables after the MERGE: a
publication whose applicant is no longer linked leaves no stale credit behind.
`--set stages.link.evaluate=true` also links the labelled sets (evaluate.py) with the same
linker and logs precision, recall and F1 per set and split to the MLflow run.
"""

from __future__ import annotations

import logging

from delta.tables import DeltaTable
from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from innolink.context import StageContext, StageResult
from innolink.link import evaluate as E
from innolink.link import transforms as T
from innolink.link.linker import Linker, load_aliases
from innolink.tables import (
    APPLICANT_FIRM_LINKS,
    FIRM_FAMILY,
    FIRM_PATENTS,
    FIRMS,
    LEGAL_ENTITIES,
    PATENT_PARTIES,
    TableSpec,
)
from innolink.writer import WriteResult

log = logging.getLogger(__name__)

METHODS = ("exact", "reading", "fuzzy", "family", "alias", "none")


def run(ctx: StageContext) -> StageResult:
    cfg = ctx.cfg.stages.link
    spark = ctx.spark
    run_id = F.lit(ctx.run.run_id)
    linker = Linker.build(
        spark,
        ctx.cfg,
        ctx.read(FIRMS),
        ctx.read(FIRM_FAMILY),
        ctx.read(LEGAL_ENTITIES),
        load_aliases(ctx.cfg.resolve(cfg.aliases)),
    )
    ctx.run.params(
        link_threshold=cfg.threshold,
        link_model=cfg.model,
        link_max_block=cfg.max_block,
        link_top_k=cfg.top_k,
    )
    mentions = T.applicant_mentions(ctx.read(PATENT_PARTIES), cfg.roles).localCheckpoint()
    names = T.applicant_names(mentions)
    links = linker.link(names).localCheckpoint()

    keyed = F.col("name_key").isNotNull()
    rows = links.where(keyed).withColumn("run_id", run_id)
    result = StageResult(records_in=0, records_out=0, records_rejected=0)
    written = ctx.writer.merge(APPLICANT_FIRM_LINKS, rows.select(*APPLICANT_FIRM_LINKS.columns))
    result.written.append(written)
    result.written += _delete_absent(ctx, APPLICANT_FIRM_LINKS, rows)

    rejects = links.where(~keyed).select(
        F.col("office").alias("source"),
        F.col("applicant").alias("locator"),
        F.lit("link.no_name: the name has no letter or digit").alias("reason"),
        F.col("applicant").alias("excerpt"),
    )
    rejected = rejects.count()
    if rejected:
        result.written.append(ctx.writer.reject(rejects))

    credits = T.firm_patents(mentions, rows).withColumn("run_id", run_id).localCheckpoint()
    patents = ctx.writer.merge(FIRM_PATENTS, credits, replace_by=("pub_key",))
    result.written.append(patents)
    result.written += _delete_absent(ctx, FIRM_PATENTS, credits)

    by_method = {
        r["method"]: r["n"] for r in rows.groupBy("method").agg(F.count("*").alias("n")).collect()
    }
    spread = credits.agg(
        F.countDistinct("pub_key").alias("pubs"), F.countDistinct("firm_id").alias("firms")
    ).first()
    result.records_in = written.rows + rejected
    result.records_out = written.rows
    result.records_rejected = rejected
    result.metrics.update(
        {
            "applicant_names": written.rows,
            "linked": written.rows - by_method.get("none", 0),
            **{f"method_{m}": by_method.get(m, 0) for m in METHODS},
            "firm_patents": patents.rows,
            "publications_linked": spread["pubs"],
            "firms_with_patents": spread["firms"],
            "reference_names": linker.ref_count,
            "aliases_unresolved": len(linker.unresolved_aliases),
        }
    )
    if cfg.evaluate:
        _evaluate(ctx, linker, names)
    return result


def _evaluate(ctx: StageContext, linker: Linker, names: DataFrame) -> None:
    cfg = ctx.cfg.stages.link
    labels = E.labelled_sets(
        ctx.spark, [ctx.cfg.resolve(p) for p in cfg.truth], ctx.cfg.resolve(cfg.labels)
    )
    labels = E.with_countries(labels, names)
    metrics, predicted = E.evaluate(linker, labels)
    ctx.run.counts(**metrics)
    # Every wrong pair, for the analyst: the name, its true firms, the link and why.
    wrong = (
        predicted.where(
            ~F.coalesce(F.array_contains("truth", F.col("firm_id")), F.lit(False))
            & (F.col("firm_id").isNotNull() | (F.size("truth") > 0))
        )
        .select("set", "split", "applicant", "office", "truth", "firm_id", "score", "evidence")
        .collect()
    )
    ctx.run.artifact_dict(
        {"metrics": metrics, "errors": [r.asDict() for r in wrong]}, "link_evaluation.json"
    )
    for key in sorted(k for k in metrics if k.endswith(("precision", "recall", "f1"))):
        log.info("%s = %.4f", key, metrics[key])


def _delete_absent(ctx: StageContext, spec: TableSpec, current: DataFrame) -> list[WriteResult]:
    """Delete the rows of `spec` whose key this run no longer produces (the stage recomputes
    all of them): a link gone with a changed model or alias leaves no stale row."""
    writer = ctx.writer
    if writer.version(spec) is None:
        return []
    target = DeltaTable.forPath(ctx.spark, writer.path(spec))
    stale = (
        target.toDF()
        .select(*spec.keys)
        .join(current.select(*spec.keys), list(spec.keys), "left_anti")
    )
    if stale.isEmpty():
        return []
    on = " AND ".join(f"t.`{k}` = s.`{k}`" for k in spec.keys)
    target.alias("t").merge(stale.alias("s"), on).whenMatchedDelete().execute()
    last = target.history(1).first()
    deleted = int((last["operationMetrics"] or {}).get("numTargetRowsDeleted", 0))
    log.info(
        "%s: deleted %d rows no longer produced -> version %d", spec.id, deleted, last["version"]
    )
    return [WriteResult(spec.id, last["version"], 0, 0, 0, deleted)]
