"""DataFrame -> DataFrame steps of the firm registry. No I/O here except `read_records`.

The order: read listing records -> split off rejects -> resolve which listings are one firm
(ISIN, listing, name+domain, unambiguous name+country) -> attach name-only records by listing
-> assemble one row per firm -> map industries -> derive founding year, multinational signal
and firm type.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Literal

from pyspark.sql import Column, DataFrame, SparkSession
from pyspark.sql import functions as F

from innolink.config import FirmTypeRule, InputSpec
from innolink.firms.readers import read_file
from innolink.firms.records import RECORD_SCHEMA, ReadContext, as_row
from innolink.io.files import list_files

log = logging.getLogger(__name__)

# Which source speaks first when listings of one firm disagree (lower wins): the exchange
# lists carry websites and summaries, EDINET is the regulator's registry, the S&P list is
# an index compiled from secondary sources.
SOURCE_PRIORITY = {"financedatabase": 0, "edinet": 1, "sp500": 2}

_NAMES_TYPE = "array<struct<name:string,lang:string,kind:string,source:string>>"


def read_records(spark: SparkSession, inputs: Sequence[InputSpec], ctx: ReadContext) -> DataFrame:
    """Every listing record of the input files, parsed in Spark's Python workers.

    A whole file is one binaryFile row: firm lists are megabytes, not gigabytes, and a
    file-at-a-time reader is what lets a broken quote be isolated to its own record.
    """
    by_format: dict[str, list[str]] = defaultdict(list)
    for spec in inputs:
        by_format[spec.format].append(spec.path)
    # Broadcast once: the legal-form vocabulary would otherwise ride in every task.
    shared = spark.sparkContext.broadcast(ctx)
    frames = []
    missing = []
    for fmt, paths in sorted(by_format.items()):
        # A path naming no file is a reject, not a failed run (Spark's reader would raise).
        present = [p for p in paths if list_files(spark, p)]
        missing += [
            as_row(
                {
                    "source_format": fmt,
                    "source_file": p,
                    "locator": "input",
                    "reason": "input.not_found",
                    "excerpt": "",
                }
            )
            for p in paths
            if p not in present
        ]
        if not present:
            continue
        paths = present
        files = (
            spark.read.format("binaryFile")
            .option("recursiveFileLookup", "true")
            .load(paths)
            .select("path", "content")
        )
        rows = files.rdd.flatMap(
            lambda f, fmt=fmt: (
                as_row(r) for r in read_file(fmt, f.path, bytes(f.content), shared.value)
            )
        )
        frames.append(spark.createDataFrame(rows, RECORD_SCHEMA))
    if missing:
        frames.append(spark.createDataFrame(missing, RECORD_SCHEMA))
    out = frames[0]
    for frame in frames[1:]:
        out = out.unionByName(frame)
    return out


def rejects_of(records: DataFrame) -> DataFrame:
    return records.where(F.col("reason").isNotNull()).select(
        F.col("source_file").alias("source"), "locator", "reason", "excerpt"
    )


def with_record_id(records: DataFrame) -> DataFrame:
    return records.withColumn("record_id", F.sha2(F.concat_ws("#", "source_file", "locator"), 256))


def resolution_keys(primary: DataFrame) -> DataFrame:
    """(record_id, key) pairs: two records sharing a key are listings of one firm.

    name+country links only where that name in that country is unambiguous (at most one
    website domain and one ISIN among its records): it is what joins the S&P 500 list, which
    has neither, to the exchange lists, without merging namesakes.
    """
    nc = F.concat(F.lit("nc:"), F.col("country"), F.lit("|"), F.col("name_norm"))
    safe_nc = (
        primary.groupBy(nc.alias("key"))
        .agg(
            F.count_distinct("domain").alias("domains"),
            F.count_distinct("isin").alias("isins"),
        )
        .where((F.col("domains") <= 1) & (F.col("isins") <= 1))
        .select("key")
    )
    keys = primary.select(
        "record_id",
        F.explode(
            F.array_compact(
                F.array(
                    F.concat(F.lit("isin:"), F.col("isin")),
                    F.concat(F.lit("lk:"), F.col("listing_key")),
                    F.when(
                        F.col("domain").isNotNull(),
                        F.concat(F.lit("nd:"), F.col("name_norm"), F.lit("|"), F.col("domain")),
                    ),
                    nc,
                )
            )
        ).alias("key"),
    )
    is_nc = F.col("key").startswith("nc:")
    return keys.where(~is_nc).unionByName(keys.where(is_nc).join(safe_nc, "key", "left_semi"))


def connected_components(keys: DataFrame, max_iterations: int) -> DataFrame:
    """(record_id, cluster): records linked through shared keys, by min-label propagation.

    Each round gives every key the smallest label among its records, then every record the
    smallest label among its keys. Firm-list graphs are shallow (a firm has a handful of
    listings), so this settles in two or three rounds.
    """
    keys = keys.localCheckpoint()
    labels = keys.select("record_id").distinct().withColumn("cluster", F.col("record_id"))
    for iteration in range(1, max_iterations + 1):
        key_min = keys.join(labels, "record_id").groupBy("key").agg(F.min("cluster").alias("kmin"))
        new = (
            keys.join(key_min, "key")
            .groupBy("record_id")
            .agg(F.min("kmin").alias("cluster"))
            .localCheckpoint()
        )
        changed = (
            new.join(labels.withColumnRenamed("cluster", "old"), "record_id")
            .where(F.col("cluster") != F.col("old"))
            .count()
        )
        labels = new
        log.info("entity resolution round %d: %d records relabelled", iteration, changed)
        if changed == 0:
            return labels
    raise RuntimeError(f"entity resolution did not settle in {max_iterations} rounds")


def attach_variants(variants: DataFrame, clustered: DataFrame) -> tuple[DataFrame, DataFrame]:
    """(variants with the cluster of the firm they name, rejects for those naming none)."""
    by_listing = clustered.select("listing_key", "cluster").distinct()
    joined = variants.join(by_listing, "listing_key", "left")
    matched = joined.where(F.col("cluster").isNotNull())
    unmatched = joined.where(F.col("cluster").isNull()).select(
        F.col("source_file").alias("source"),
        "locator",
        F.concat(F.lit("unmatched.listing: no listed firm with ticker "), F.col("ticker")).alias(
            "reason"
        ),
        "excerpt",
    )
    return matched, unmatched


def founded_from_summary(summary: Column, reference_year: int) -> Column:
    """Year from phrases like 'was founded in 1937' / 'incorporated in 2015'."""
    year = F.regexp_extract(
        summary,
        r"(?i)\b(?:founded|incorporated|established|organized|formed)\s+in\s+(1[5-9]\d\d|20\d\d)\b",
        1,
    )
    return F.when((year != "") & (year.cast("int") <= reference_year), year.cast("int"))


def multinational_evidence(summary: Column, patterns: Mapping[str, str]) -> Column:
    """Names of the configured patterns that match the summary (empty array if none)."""
    hits = [F.when(summary.rlike(f"(?i){regex}"), F.lit(name)) for name, regex in patterns.items()]
    return F.array_compact(F.array(*hits)) if hits else F.array().cast("array<string>")


def industry_map_frame(spark: SparkSession, mapping: Mapping) -> DataFrame:
    rows = [
        (scheme, label, target.get("sector"), target.get("industry_group"))
        for scheme, labels in mapping["schemes"].items()
        for label, target in labels.items()
    ]
    sectors = set(mapping["sectors"])
    bad = sorted({r[2] for r in rows} - sectors)
    if bad:
        raise ValueError(f"industry map targets unknown sectors {bad}")
    return spark.createDataFrame(
        rows, "industry_scheme string, sector_raw string, map_sector string, map_group string"
    )


def _ordering() -> Column:
    """Which listing speaks for the firm: home-market, live, most trusted source, then ticker."""
    prio = F.lit(9)
    for source, rank in sorted(SOURCE_PRIORITY.items(), key=lambda kv: -kv[1]):
        prio = F.when(F.col("source_format") == source, F.lit(rank)).otherwise(prio)
    return F.struct(
        (F.col("exchange_country") != F.col("country")).cast("int").alias("abroad"),
        F.coalesce(F.col("delisted"), F.lit(False)).cast("int").alias("delisted"),
        prio.alias("prio"),
        F.col("listing_key").alias("listing_key"),
    )


def _first_non_null(value: Column, present: Column) -> Column:
    """The value from the best-ordered record where `present` holds."""
    return F.min_by(value, F.struct((~present).alias("missing"), F.col("_order").alias("order")))


def assemble_firms(
    clustered: DataFrame,
    variants: DataFrame,
    industry_map: DataFrame,
    reference_year: int,
    patterns: Mapping[str, str],
    study_country: Literal["home", "listing"] = "home",
) -> DataFrame:
    """One row per cluster from its primary listings (attributes) and variants (names).

    home_country is the headquarters of the listing that speaks for the firm (its home
    market listing first), listing_country that listing's market; `country` is the one
    the study uses (study_country).
    """
    primary = (
        clustered.join(F.broadcast(industry_map), ["industry_scheme", "sector_raw"], "left")
        .withColumn("_order", _ordering())
        .withColumn("_founded_summary", founded_from_summary(F.col("summary"), reference_year))
        .withColumn(
            "_evidence", multinational_evidence(F.coalesce(F.col("summary"), F.lit("")), patterns)
        )
    )
    listing = F.struct(
        F.col("exchange"),
        F.col("mic"),
        F.col("ticker"),
        F.col("isin"),
        F.col("exchange_country").alias("country"),
        F.col("delisted"),
        F.col("source_format").alias("source"),
        F.col("operating_mic"),
        F.col("exchange_name"),
    )
    head = F.min_by(
        F.struct(
            "name",
            "name_norm",
            "country",
            "exchange_country",
            "exchange",
            "ticker",
            "isin",
            "city",
            "market_cap",
        ),
        F.col("_order"),
    )
    firms = primary.groupBy("cluster").agg(
        head.alias("head"),
        F.min("isin").alias("any_isin"),
        F.coalesce(F.min("isin"), F.min("listing_key")).alias("anchor"),
        _first_non_null(F.struct("website", "domain"), F.col("domain").isNotNull()).alias("web"),
        _first_non_null(
            F.struct(
                F.col("map_sector").alias("sector"),
                F.coalesce(F.col("industry_group_raw"), F.col("map_group")).alias("industry_group"),
                F.col("industry_raw").alias("industry"),
                F.col("industry_scheme").alias("scheme"),
            ),
            F.col("map_sector").isNotNull(),
        ).alias("ind"),
        F.min("founded_col").alias("founded_col"),
        _first_non_null(F.col("_founded_summary"), F.col("_founded_summary").isNotNull()).alias(
            "founded_summary"
        ),
        _first_non_null(F.col("market_cap"), F.col("market_cap").isNotNull()).alias("best_cap"),
        F.array_sort(F.array_distinct(F.flatten(F.collect_list("_evidence")))).alias(
            "summary_evidence"
        ),
        F.array_sort(F.array_distinct(F.collect_list("exchange_country"))).alias(
            "listing_countries"
        ),
        F.array_sort(F.collect_set(listing)).alias("listings"),
        F.bool_and(F.coalesce(F.col("delisted"), F.lit(False))).alias("delisted"),
        F.max("cik").alias("cik"),
        F.max("edinet_code").alias("edinet_code"),
        F.max("corporate_number").alias("corporate_number"),
        F.flatten(F.collect_list("names")).alias("primary_names"),
        F.flatten(F.collect_list("name_keys")).alias("primary_keys"),
        F.collect_set("source_format").alias("primary_sources"),
    )
    variant_names = variants.groupBy("cluster").agg(
        F.flatten(F.collect_list("names")).alias("variant_names"),
        F.flatten(F.collect_list("name_keys")).alias("variant_keys"),
        F.collect_set("source_format").alias("variant_sources"),
    )
    cross_listed = F.size("listing_countries") >= 2
    evidence = F.array_sort(
        F.array_union(
            F.col("summary_evidence"),
            F.when(
                cross_listed,
                F.array(F.concat(F.lit("listed_in:"), F.array_join("listing_countries", ","))),
            ).otherwise(F.array().cast("array<string>")),
        )
    )
    founded = F.coalesce(F.col("founded_col"), F.col("founded_summary"))
    return firms.join(variant_names, "cluster", "left").select(
        F.concat(F.lit("F"), F.substring(F.sha2(F.col("anchor"), 256), 1, 16)).alias("firm_id"),
        F.col("head.name").alias("name"),
        F.col("head.name_norm").alias("name_norm"),
        F.array_sort(
            F.array_distinct(
                F.concat(
                    F.col("primary_names"),
                    F.coalesce(F.col("variant_names"), F.array().cast(_NAMES_TYPE)),
                )
            )
        ).alias("name_variants"),
        F.array_sort(
            F.array_distinct(
                F.concat(
                    F.coalesce(F.col("primary_keys"), F.array().cast("array<string>")),
                    F.coalesce(F.col("variant_keys"), F.array().cast("array<string>")),
                )
            )
        ).alias("name_keys"),
        (
            F.col("head.exchange_country") if study_country == "listing" else F.col("head.country")
        ).alias("country"),
        F.col("head.country").alias("home_country"),
        F.col("head.exchange_country").alias("listing_country"),
        F.col("head.exchange").alias("exchange"),
        F.col("head.ticker").alias("ticker"),
        F.coalesce(F.col("head.isin"), F.col("any_isin")).alias("isin"),
        F.col("listings"),
        F.col("web.website").alias("website"),
        F.col("web.domain").alias("domain"),
        F.col("ind.sector").alias("sector"),
        F.col("ind.industry_group").alias("industry_group"),
        F.col("ind.industry").alias("industry"),
        F.col("ind.scheme").alias("industry_scheme"),
        founded.alias("founded_year"),
        F.when(F.col("founded_col").isNotNull(), F.lit("column"))
        .when(F.col("founded_summary").isNotNull(), F.lit("summary"))
        .alias("founded_year_source"),
        F.coalesce(F.col("best_cap"), F.col("head.market_cap")).alias("market_cap"),
        (F.size(evidence) > 0).alias("multinational_signal"),
        evidence.alias("multinational_evidence"),
        F.size("listing_countries").alias("listing_country_count"),
        F.col("delisted"),
        F.col("head.city").alias("city"),
        F.col("cik"),
        F.col("edinet_code"),
        F.col("corporate_number"),
        F.array_sort(
            F.array_union(
                F.col("primary_sources"),
                F.coalesce(F.col("variant_sources"), F.array().cast("array<string>")),
            )
        ).alias("sources"),
    )


def _rule_condition(rule: FirmTypeRule, reference_year: int) -> Column:
    cond = F.lit(True)
    if rule.founded_within_years is not None:
        cond = (
            cond
            & F.col("founded_year").isNotNull()
            & (F.lit(reference_year) - F.col("founded_year") <= rule.founded_within_years)
        )
    if rule.multinational_signal is not None:
        cond = cond & (F.col("multinational_signal") == F.lit(rule.multinational_signal))
    if rule.market_cap_in is not None:
        cond = cond & F.col("market_cap").isin(list(rule.market_cap_in))
    if rule.min_listing_countries is not None:
        cond = cond & (F.col("listing_country_count") >= rule.min_listing_countries)
    return cond


def describe_rule(index: int, rule: FirmTypeRule) -> str:
    conds = rule.model_dump(exclude_none=True, exclude={"type"})
    parts = ", ".join(f"{k}={v}" for k, v in conds.items())
    return f"rule {index}: {rule.type} if {parts}" if parts else f"rule {index}: {rule.type}"


def assign_firm_type(
    firms: DataFrame, rules: Sequence[FirmTypeRule], default: str, reference_year: int
) -> DataFrame:
    """firm_type from the first matching rule, and firm_type_rule saying which one."""
    ftype: Column = F.lit(default)
    which: Column = F.lit(f"default: {default}")
    for index in range(len(rules), 0, -1):
        rule = rules[index - 1]
        cond = _rule_condition(rule, reference_year)
        ftype = F.when(cond, F.lit(rule.type)).otherwise(ftype)
        which = F.when(cond, F.lit(describe_rule(index, rule))).otherwise(which)
    return firms.withColumn("firm_type", ftype).withColumn("firm_type_rule", which)
