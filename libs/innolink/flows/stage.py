"""Stage `flows`: inventor records -> persons and regions -> moves between regions.

Reads silver/patent_parties (inventors), silver/patents (dates), silver/patent_classes
(technology field) and gold/firm_patents (firms as evidence that two records are one person;
empty before the link stage has run). Writes gold/inventor_patents (every inventor record
with the person and region found), gold/inventor_flows and gold/region_flows.

Record: one inventor row of silver/patent_parties. It is written to gold/inventor_patents,
or rejected: inventor.unknown_publication (its publication is not in silver/patents),
inventor.no_name (nothing of the name is left to compare).
"""

from __future__ import annotations

import logging

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from innolink.context import StageContext, StageResult
from innolink.flows import identity, moves
from innolink.flows.regions import load_regions, locate, place_key_col
from innolink.patents import wipo
from innolink.tables import (
    FIRM_PATENTS,
    INVENTOR_FLOWS,
    INVENTOR_PATENTS,
    PATENT_CLASSES,
    PATENT_PARTIES,
    PATENTS,
    REGION_FLOWS,
)

log = logging.getLogger(__name__)

SOURCE = PATENT_PARTIES.id
DATES = {
    "application": ("application_date", "priority_date", "publication_date", "grant_date"),
    "priority": ("priority_date", "application_date", "publication_date", "grant_date"),
    "publication": ("publication_date", "grant_date", "application_date", "priority_date"),
}


def patent_dates(patents: DataFrame, basis: str) -> DataFrame:
    return patents.select("pub_key", F.coalesce(*DATES[basis]).alias("date"))


def inventor_records(parties: DataFrame) -> DataFrame:
    """The inventor rows with a record id and party_id (null when the table has none)."""
    inventors = parties.where(F.col("role") == "inventor")
    if "party_id" not in inventors.columns:
        inventors = inventors.withColumn("party_id", F.lit(None).cast("string"))
    return inventors.select(
        F.concat_ws("#", "pub_key", F.col("sequence").cast("string")).alias("_rid"),
        "pub_key",
        "sequence",
        "name",
        "first_name",
        "last_name",
        "city",
        "state",
        "country",
        "address",
        "party_id",
    )


def identify(
    records: DataFrame,
    parties: DataFrame,
    firm_patents: DataFrame,
    evidence: list[str],
    rare_name_expected: float,
    min_name_chars: int,
    city_evidence_expected: float = float("inf"),
) -> DataFrame:
    """records with name_key (non-null) -> + inventor_id, id_method."""
    coinventors = records.groupBy("pub_key").agg(F.collect_set("name_key").alias("_names"))
    with_evidence = (
        records.join(identity.patent_firms(parties, firm_patents), "pub_key", "left")
        .join(coinventors, "pub_key", "left")
        .withColumn("_coinventors", F.expr("array_remove(_names, name_key)"))
        .withColumn("_firms", F.coalesce("_firms", F.array().cast("array<string>")))
        .withColumn(
            "_city",
            F.when(
                place_key_col(F.col("city")).isNotNull(),
                F.concat_ws(":", F.coalesce("country", F.lit("")), place_key_col(F.col("city"))),
            ),
        )
    )
    ids = identity.resolve(
        with_evidence, evidence, rare_name_expected, min_name_chars, city_evidence_expected
    )
    return records.join(ids, "_rid")


def run(ctx: StageContext) -> StageResult:
    cfg = ctx.cfg.stages.flows
    spark = ctx.spark
    regions = load_regions(ctx.cfg.resolve(cfg.regions))
    parties = ctx.read(PATENT_PARTIES)
    patents = ctx.read(PATENTS)
    classes = ctx.read(PATENT_CLASSES)
    firm_patents = ctx.read(FIRM_PATENTS)

    # One pass over the inventor rows: name key, the publication's date, known or not.
    dates = patent_dates(patents, cfg.date).withColumn("_known", F.lit(True))
    records = (
        identity.with_name_key(inventor_records(parties))
        .join(dates, "pub_key", "left")
        .localCheckpoint()
    )
    rejects = records.where(F.col("_known").isNull() | F.col("name_key").isNull()).select(
        F.lit(SOURCE).alias("source"),
        F.col("_rid").alias("locator"),
        F.when(F.col("_known").isNull(), F.lit("inventor.unknown_publication"))
        .otherwise(F.lit("inventor.no_name"))
        .alias("reason"),
        F.col("name").alias("excerpt"),
    )
    named = records.where(F.col("_known") & F.col("name_key").isNotNull())
    # Checkpointed (here and below): the grouped Python step runs once, not once per branch,
    # and every later plan starts from the rows instead of re-planning the whole lineage.
    identified = identify(
        named,
        parties,
        firm_patents,
        cfg.evidence,
        cfg.rare_name_expected,
        cfg.min_name_chars,
        cfg.city_evidence_expected,
    ).localCheckpoint()
    placed = (
        locate(identified, regions)
        .join(wipo.patent_fields(classes), "pub_key", "left")
        .select(
            "pub_key",
            "sequence",
            "inventor_id",
            "id_method",
            "name_key",
            "country",
            "region",
            "region_source",
            "date",
            F.coalesce("field", F.lit(wipo.UNCLASSIFIED)).alias("field"),
        )
        .localCheckpoint()
    )
    run_id = F.lit(ctx.run.run_id)
    written = [
        ctx.writer.merge(
            INVENTOR_PATENTS, placed.withColumn("run_id", run_id), replace_by=("pub_key",)
        )
    ]
    sequence = moves.located(placed).localCheckpoint()
    move_rows = moves.moves(sequence).localCheckpoint()
    flows = moves.inventor_flows(move_rows, wipo.field_table(spark))
    written.append(
        ctx.writer.merge(
            INVENTOR_FLOWS, flows.withColumn("run_id", run_id), replace_by=("from_region",)
        )
    )
    by_region = moves.region_flows(move_rows, sequence, moves.names_table(spark, regions))
    written.append(
        ctx.writer.merge(
            REGION_FLOWS, by_region.withColumn("run_id", run_id), replace_by=("region",)
        )
    )
    written.append(ctx.writer.reject(rejects))

    tally = placed.groupBy("id_method", "region_source").count().collect()
    methods: dict[str, int] = {}
    sources: dict[str, int] = {}
    for r in tally:
        methods[r["id_method"]] = methods.get(r["id_method"], 0) + r["count"]
        source = r["region_source"] or "none"
        sources[source] = sources.get(source, 0) + r["count"]
    ctx.run.artifact_dict({"id_methods": methods, "region_sources": sources}, "flows_counts.json")
    summary = move_rows.agg(F.count(F.lit(1)).alias("moves")).first()
    records_in = records.count()
    out = written[0].rows
    rejected = written[-1].rows
    metrics = {
        "inventor_records": out,
        "inventors": placed.select("inventor_id").distinct().count(),
        "located_records": out - sources.get("none", 0),
        "moves": int(summary["moves"]),
        "flow_rows": written[1].rows,
        "region_rows": written[2].rows,
        **{f"ids_{k}": v for k, v in methods.items()},
    }
    log.info("flows: %s", metrics)
    return StageResult(
        records_in=records_in,
        records_out=out,
        records_rejected=rejected,
        written=written,
        metrics=metrics,
    )
