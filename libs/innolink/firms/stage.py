"""Stage `firms`: published firm lists -> silver/firms (+ bronze/rejects)."""

from __future__ import annotations

from pathlib import Path

import yaml
from pyspark.sql import functions as F

from innolink.context import StageContext, StageResult
from innolink.firms import transforms as T
from innolink.tables import FIRMS


def run(ctx: StageContext) -> StageResult:
    cfg = ctx.cfg.stages.firms
    spark = ctx.spark
    inputs = [i.model_copy(update={"path": ctx.cfg.resolve(i.path)}) for i in cfg.inputs]
    ctx.run.artifact_dict({"inputs": [i.model_dump() for i in inputs]}, "inputs.json")
    exchanges = {k: v.model_dump() for k, v in cfg.exchanges.items()}
    mapping = yaml.safe_load(Path(ctx.cfg.resolve(cfg.industry_map)).read_text(encoding="utf-8"))

    # Parsing is the costly part (Python); cache it and count everything in one pass.
    records = T.with_record_id(T.read_records(spark, inputs, exchanges)).cache()
    counts = {
        (r["role"], r["rejected"]): r["n"]
        for r in records.groupBy("role", F.col("reason").isNotNull().alias("rejected"))
        .count()
        .withColumnRenamed("count", "n")
        .collect()
    }
    records_in = sum(counts.values())
    read_rejected = sum(n for (_, rejected), n in counts.items() if rejected)

    accepted = records.where(F.col("reason").isNull())
    primary = accepted.where(F.col("role") == "primary")
    variants = accepted.where(F.col("role") == "variant")

    clusters = T.connected_components(T.resolution_keys(primary), cfg.resolution_max_iterations)
    clustered = primary.join(clusters, "record_id")
    matched, unmatched = T.attach_variants(variants, clustered)
    matched, unmatched = matched.cache(), unmatched.cache()
    # Counted independently of the reader counts, so in == out + rejected really checks
    # that the joins neither lost nor duplicated a record.
    matched_count, unmatched_count = matched.count(), unmatched.count()
    primary_count = counts.get(("primary", False), 0)

    firms = T.assemble_firms(
        clustered,
        matched,
        T.industry_map_frame(spark, mapping),
        cfg.reference_year,
        cfg.multinational_patterns,
    )
    firms = T.assign_firm_type(
        firms, cfg.firm_type_rules, cfg.default_firm_type, cfg.reference_year
    )
    firms = firms.drop("listing_country_count").withColumn("run_id", F.lit(ctx.run.run_id))

    written = [ctx.writer.merge(FIRMS, firms)]
    rejects = T.rejects_of(records).unionByName(unmatched)
    written.append(ctx.writer.reject(rejects))

    for frame in (records, matched, unmatched):
        frame.unpersist()
    return StageResult(
        records_in=records_in,
        records_out=primary_count + matched_count,
        records_rejected=read_rejected + unmatched_count,
        written=written,
        metrics={
            "firms": written[0].rows,
            "firms_inserted": written[0].inserted,
            "firms_updated": written[0].updated,
            "variants_matched": matched_count,
            "variants_unmatched": unmatched_count,
        },
    )
