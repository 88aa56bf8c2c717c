"""Stage `science`: non-patent literature cited by each publication -> science linkage.

Reads silver/patent_citations (kind "npl", as every patent reader writes it), silver/patents,
silver/patent_parties (the applicant's country), silver/patent_classes (technology field),
gold/firm_patents (publications of listed firms, with shares; empty before the link stage has
run) and silver/firms (firm names). Writes gold/npl_citations (each reference classified),
gold/science_linkage (per publication) and gold/science_summary (by firm, country, field,
filing year, and all publications).

Record: one NPL citation. It is classified into gold/npl_citations, or rejected as
npl.no_text (no text) or npl.too_short (fewer than stages.science.min_text_chars characters).
"""

from __future__ import annotations

import logging

from pyspark.sql import Column, DataFrame, Window
from pyspark.sql import functions as F

from innolink.context import StageContext, StageResult
from innolink.patents import wipo
from innolink.science.classify import classify, load_rules
from innolink.tables import (
    FIRM_PATENTS,
    FIRMS,
    NPL_CITATIONS,
    PATENT_CITATIONS,
    PATENT_CLASSES,
    PATENT_PARTIES,
    PATENTS,
    SCIENCE_LINKAGE,
    SCIENCE_SUMMARY,
)

log = logging.getLogger(__name__)

SOURCE = PATENT_CITATIONS.id
UNKNOWN = "unknown"
DATES = {
    "application": ("application_date", "priority_date", "publication_date", "grant_date"),
    "priority": ("priority_date", "application_date", "publication_date", "grant_date"),
    "publication": ("publication_date", "grant_date", "application_date", "priority_date"),
}
ROLE_ORDER = {"applicant": 0, "assignee": 1, "inventor": 2}


def npl_records(citations: DataFrame, min_chars: int) -> DataFrame:
    """NPL citations + _reason (null: usable)."""
    text = F.trim(F.col("text"))
    return (
        citations.where(F.col("kind") == "npl")
        .select("pub_key", "sequence", "text")
        .withColumn(
            "_reason",
            F.when(text.isNull() | (text == ""), F.lit("npl.no_text")).when(
                F.length(text) < min_chars, F.lit("npl.too_short")
            ),
        )
    )


def patent_country(parties: DataFrame) -> DataFrame:
    """pub_key, country: of the first applicant with a country, else assignee, else inventor."""
    rank = F.coalesce(
        *[F.when(F.col("role") == role, F.lit(n)) for role, n in ROLE_ORDER.items()], F.lit(9)
    )
    first = Window.partitionBy("pub_key").orderBy(rank, "sequence")
    return (
        parties.where(F.col("country").isNotNull())
        .withColumn("_n", F.row_number().over(first))
        .where(F.col("_n") == 1)
        .select("pub_key", "country")
    )


def linkage(
    patents: DataFrame,
    citations: DataFrame,
    classified: DataFrame,
    countries: DataFrame,
    fields: DataFrame,
    basis: str,
) -> DataFrame:
    """One row per publication: office, country, year, field, field_name, patent_citations,
    npl, scientific (publications without references count 0)."""
    refs = classified.groupBy("pub_key").agg(
        F.count(F.lit(1)).alias("npl"),
        F.sum(F.col("scientific").cast("int")).alias("scientific"),
    )
    cited = (
        citations.where(F.col("kind") == "patent")
        .groupBy("pub_key")
        .agg(F.count(F.lit(1)).alias("patent_citations"))
    )
    names = F.broadcast(wipo.field_table(patents.sparkSession).select("field", "field_name"))
    return (
        patents.select("pub_key", "office", F.year(F.coalesce(*DATES[basis])).alias("year"))
        .join(countries, "pub_key", "left")
        .join(fields, "pub_key", "left")
        .join(refs, "pub_key", "left")
        .join(cited, "pub_key", "left")
        .withColumn("field", F.coalesce("field", F.lit(wipo.UNCLASSIFIED)))
        .join(names, "field", "left")
        .select(
            "pub_key",
            "office",
            "country",
            "year",
            "field",
            "field_name",
            F.coalesce("patent_citations", F.lit(0)).cast("int").alias("patent_citations"),
            F.coalesce("npl", F.lit(0)).cast("int").alias("npl"),
            F.coalesce("scientific", F.lit(0)).cast("int").alias("scientific"),
        )
    )


def _measures(weight: Column) -> list[Column]:
    return [
        F.sum(weight).alias("patents"),
        F.sum(weight * F.col("npl")).alias("npl"),
        F.sum(weight * F.col("scientific")).alias("scientific"),
        F.sum(F.when(F.col("scientific") > 0, weight).otherwise(F.lit(0.0))).alias(
            "patents_with_science"
        ),
    ]


def summary(rows: DataFrame, firm_patents: DataFrame, firms: DataFrame) -> DataFrame:
    """level, key, label, patents, npl, scientific, patents_with_science,
    scientific_per_patent, share_with_science: by firm (fractional by gold/firm_patents
    share), country, field, filing year, and all publications (level "all", key "*")."""
    one = F.lit(1.0)
    country = F.coalesce("country", F.lit(UNKNOWN))
    year = F.coalesce(F.col("year").cast("string"), F.lit(UNKNOWN))
    by_country = rows.groupBy(country.alias("key")).agg(*_measures(one))
    by_field = rows.groupBy(F.col("field").cast("string").alias("key"), "field_name").agg(
        *_measures(one)
    )
    by_year = rows.groupBy(year.alias("key")).agg(*_measures(one))
    overall = rows.agg(*_measures(one)).where(F.col("patents") > 0)
    by_firm = (
        rows.join(firm_patents.select("firm_id", "pub_key", "share"), "pub_key")
        .groupBy(F.col("firm_id").alias("key"))
        .agg(*_measures(F.col("share")))
        .join(firms.select(F.col("firm_id").alias("key"), F.col("name")), "key", "left")
    )
    levels = [
        by_firm.select("*", F.lit("firm").alias("level"), F.coalesce("name", "key").alias("label")),
        by_country.select("*", F.lit("country").alias("level"), F.col("key").alias("label")),
        by_field.select("*", F.lit("field").alias("level"), F.col("field_name").alias("label")),
        by_year.select("*", F.lit("year").alias("level"), F.col("key").alias("label")),
        overall.select(
            "*", F.lit("all").alias("level"), F.lit("*").alias("key"), F.lit("All").alias("label")
        ),
    ]
    columns = ["level", "key", "label", "patents", "npl", "scientific", "patents_with_science"]
    out = levels[0].select(*columns)
    for level in levels[1:]:
        out = out.unionByName(level.select(*columns))
    return out.select(
        *columns,
        (F.col("scientific") / F.col("patents")).alias("scientific_per_patent"),
        (F.col("patents_with_science") / F.col("patents")).alias("share_with_science"),
    ).where(F.col("patents") > 0)


def run(ctx: StageContext) -> StageResult:
    cfg = ctx.cfg.stages.science
    rules = load_rules(ctx.cfg.resolve(cfg.patterns))
    citations = ctx.read(PATENT_CITATIONS)
    patents = ctx.read(PATENTS)
    parties = ctx.read(PATENT_PARTIES)
    classes = ctx.read(PATENT_CLASSES)
    firm_patents = ctx.read(FIRM_PATENTS)
    firms = ctx.read(FIRMS)

    # Checkpointed: later plans start from these rows instead of re-planning their lineage.
    records = npl_records(citations, cfg.min_text_chars).localCheckpoint()
    rejects = records.where(F.col("_reason").isNotNull()).select(
        F.lit(SOURCE).alias("source"),
        F.concat_ws("#", "pub_key", F.col("sequence").cast("string")).alias("locator"),
        F.col("_reason").alias("reason"),
        F.col("text").alias("excerpt"),
    )
    classified = classify(records.where(F.col("_reason").isNull()), rules).localCheckpoint()
    run_id = F.lit(ctx.run.run_id)
    written = [
        ctx.writer.merge(
            NPL_CITATIONS,
            classified.select(
                "pub_key",
                "sequence",
                "scientific",
                "npl_class",
                "doi",
                "pmid",
                "arxiv",
                run_id.alias("run_id"),
            ),
            replace_by=("pub_key",),
        )
    ]
    rows = linkage(
        patents,
        citations,
        classified,
        patent_country(parties),
        wipo.patent_fields(classes),
        cfg.date,
    ).localCheckpoint()
    written.append(ctx.writer.merge(SCIENCE_LINKAGE, rows.withColumn("run_id", run_id)))
    written.append(
        ctx.writer.merge(
            SCIENCE_SUMMARY,
            summary(rows, firm_patents, firms).withColumn("run_id", run_id),
            replace_by=("level",),
        )
    )
    written.append(ctx.writer.reject(rejects))

    tally = classified.groupBy("npl_class", "scientific").count().collect()
    ctx.run.artifact_dict(
        {"npl_classes": {r["npl_class"]: r["count"] for r in tally}}, "science_counts.json"
    )
    totals = rows.agg(
        F.count(F.lit(1)).alias("publications"),
        F.sum((F.col("npl") > 0).cast("int")).alias("with_npl"),
        F.sum((F.col("scientific") > 0).cast("int")).alias("with_science"),
    ).first()
    records_in = records.count()
    out, rejected = written[0].rows, written[-1].rows
    metrics = {
        "npl": out,
        "scientific": sum(r["count"] for r in tally if r["scientific"]),
        "publications": int(totals["publications"]),
        "publications_with_npl": int(totals["with_npl"] or 0),
        "publications_with_science": int(totals["with_science"] or 0),
        "summary_rows": written[2].rows,
    }
    log.info("science: %s", metrics)
    return StageResult(
        records_in=records_in,
        records_out=out,
        records_rejected=rejected,
        written=written,
        metrics=metrics,
    )
