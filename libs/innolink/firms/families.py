"""DataFrame steps from GLEIF records to corporate families. I/O only in `read_entity_records`.

Order: GLEIF records (entities, parent links, ISIN -> LEI; split off rejects) -> one row
per legal entity / link / ISIN -> listed firm <-> LEI (by ISIN, else by an unambiguous name
in the firm's home country) -> every entity that rolls up to a listed firm (direct parents
walked to the first listed ancestor; the ultimate parent when the direct chain does not get
there), with depth and path.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from pyspark import RDD
from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F

from innolink.config import InputSpec
from innolink.firms.gleif import (
    DELIMITERS,
    ENTITY_RECORD_SCHEMA,
    as_row,
    chunk_records,
    reject,
    whole_file_records,
    zip_records,
)
from innolink.firms.records import ReadContext
from innolink.io.files import list_files

log = logging.getLogger(__name__)

# Which record speaks for an entity met in several inputs (lower wins): the API and the
# golden copy are GLEIF's own records; the CSV extract is a third party's crawl of them.
ENTITY_PRIORITY = {"gleif-api": 0, "gleif-lei-json": 1, "gleif-lei-xml": 1, "gleif-parents-csv": 2}
# Links walked up a family: a branch belongs to its head office like a subsidiary.
WALKED = ("direct", "branch")


def read_entity_records(
    spark: SparkSession,
    inputs: Sequence[InputSpec],
    ctx: ReadContext,
    split_bytes: int | None = None,
) -> DataFrame:
    """Every GLEIF record of the inputs (ENTITY_RECORD_SCHEMA), parsed in Python workers.

    Golden copy XML/JSON and ISIN files are read with Hadoop's TextInputFormat split at
    record boundaries (gzip streamed), so a file of gigabytes spreads over all tasks and
    no task holds more than a record; zip archives and small formats are read per file.
    Empty files are answered here: Hadoop skips them without a trace.
    """
    sc = spark.sparkContext
    # Broadcast once: the legal-form vocabulary would otherwise ride in every task.
    shared = sc.broadcast(ctx)
    parts: list[RDD] = []
    empty: list[tuple] = []
    for spec in inputs:
        fmt = spec.format
        files = list_files(spark, spec.path)
        if not files:
            raise FileNotFoundError(f"input {spec.path} ({fmt}): no such file")
        for f in files:
            if f.size == 0:
                empty.append(as_row(reject(fmt, f.path, "file", "file.empty", "")))
        files = [f for f in files if f.size > 0]
        split = [f for f in files if fmt in DELIMITERS and not f.path.lower().endswith(".zip")]
        whole = [f for f in files if f not in split]
        conf = {"textinputformat.record.delimiter": DELIMITERS.get(fmt, "\n")}
        if split_bytes:
            conf["mapreduce.input.fileinputformat.split.maxsize"] = str(split_bytes)
        for f in split:
            pairs = sc.newAPIHadoopFile(
                f.path,
                "org.apache.hadoop.mapreduce.lib.input.TextInputFormat",
                "org.apache.hadoop.io.LongWritable",
                "org.apache.hadoop.io.Text",
                conf=conf,
            )
            parts.append(
                pairs.flatMap(
                    lambda kv, fmt=fmt, path=f.path: (
                        as_row(r) for r in chunk_records(fmt, path, kv[0], kv[1], shared.value)
                    )
                )
            )
        if whole:
            blobs = sc.binaryFiles(",".join(f.path for f in whole))
            parts.append(
                blobs.flatMap(
                    lambda kv, fmt=fmt: (
                        as_row(r)
                        for r in (
                            zip_records(fmt, kv[0], kv[1], shared.value)
                            if kv[0].lower().endswith(".zip")
                            else whole_file_records(fmt, kv[0], kv[1], shared.value)
                        )
                    )
                )
            )
    if empty:
        parts.append(sc.parallelize(empty, 1))
    rdd = sc.union(parts) if len(parts) > 1 else (parts[0] if parts else sc.emptyRDD())
    return spark.createDataFrame(rdd, ENTITY_RECORD_SCHEMA)


def legal_entities(records: DataFrame) -> DataFrame:
    """One row per LEI: the best record's fields (GLEIF's own over the crawl, then the
    latest update), with the name keys of every record of it (one source may carry the
    Japanese legal name, another the English one)."""
    entities = records.where((F.col("reason").isNull()) & (F.col("role") == "entity"))
    prio = F.lit(9)
    for fmt, rank in ENTITY_PRIORITY.items():
        prio = F.when(F.col("source_format") == fmt, F.lit(rank)).otherwise(prio)
    best = Window.partitionBy("lei").orderBy(
        prio, F.col("last_update").desc_nulls_last(), "source_file", "locator"
    )
    keys = entities.groupBy("lei").agg(
        F.array_sort(F.array_distinct(F.flatten(F.collect_list("name_keys")))).alias("all_keys")
    )
    return (
        entities.withColumn("_rank", F.row_number().over(best))
        .where(F.col("_rank") == 1)
        .join(keys, "lei")
        .select(
            "lei",
            "legal_name",
            "legal_name_lang",
            "name_norm",
            F.coalesce(
                "other_names", F.array().cast("array<struct<name:string,lang:string,type:string>>")
            ).alias("other_names"),
            F.col("all_keys").alias("name_keys"),
            "legal_country",
            "legal_city",
            "hq_country",
            "hq_city",
            "jurisdiction",
            "elf_code",
            "legal_form",
            "entity_category",
            "entity_status",
            "registration_status",
            "registration_authority",
            "registration_id",
            "last_update",
            "source_format",
            "source_file",
        )
    )


def entity_parents(records: DataFrame) -> DataFrame:
    """One row per (child, relationship, parent): a relationship record over the CSV
    extract's bare link (it has status and period)."""
    links = records.where(F.col("reason").isNull() & (F.size("parents") > 0)).select(
        F.col("lei").alias("child_lei"),
        F.explode("parents").alias("p"),
        "source_format",
    )
    best = Window.partitionBy("child_lei", "relationship", "parent_lei").orderBy(
        F.col("status").isNull(), F.col("start_date").desc_nulls_last(), "source_format"
    )
    return (
        links.select(
            "child_lei",
            F.col("p.relationship").alias("relationship"),
            F.col("p.parent_lei").alias("parent_lei"),
            F.col("p.status").alias("status"),
            F.col("p.start_date").alias("start_date"),
            F.col("p.end_date").alias("end_date"),
            "source_format",
        )
        .withColumn("_rank", F.row_number().over(best))
        .where(F.col("_rank") == 1)
        .drop("_rank")
    )


def lei_isins(records: DataFrame) -> DataFrame:
    """ISIN -> LEI; an ISIN names one issuer (the smallest LEI if sources disagree)."""
    return (
        records.where(F.col("reason").isNull() & (F.col("role") == "isin"))
        .groupBy("isin")
        .agg(F.min("lei").alias("lei"))
    )


def firm_links(firms: DataFrame, entities: DataFrame, isins: DataFrame) -> DataFrame:
    """(firm_id, lei, link): a listed firm's own legal entity.

    By ISIN first (any listing's ISIN in the ISIN -> LEI map): it is the issuer itself.
    Else by name within the firm's home country (the entity's legal or headquarters
    country), only where that is one-to-one: the name key names one LEI there and the
    firm matches one LEI and the LEI one firm. A namesake never links.
    """
    firm_isins = firms.select(
        "firm_id",
        F.explode(
            F.array_distinct(
                F.array_compact(F.concat(F.array(F.col("isin")), F.col("listings.isin")))
            )
        ).alias("isin"),
    )
    by_isin = (
        firm_isins.join(isins, "isin")
        .select("firm_id", "lei")
        .distinct()
        .withColumn("link", F.lit("isin"))
    )
    firm_keys = firms.select(
        "firm_id",
        F.col("home_country").alias("country"),
        F.explode("name_keys").alias("key"),
    )
    entity_keys = (
        entities.where(F.coalesce(F.col("entity_status"), F.lit("ACTIVE")) != "INACTIVE")
        .select(
            "lei",
            F.explode(
                F.array_distinct(F.array_compact(F.array("legal_country", "hq_country")))
            ).alias("country"),
            F.explode("name_keys").alias("key"),
        )
        .distinct()
    )
    unique_keys = (
        entity_keys.groupBy("key", "country")
        .agg(F.count_distinct("lei").alias("n"))
        .where(F.col("n") == 1)
        .drop("n")
    )
    pairs = (
        firm_keys.join(
            entity_keys.join(unique_keys, ["key", "country"], "left_semi"), ["key", "country"]
        )
        .select("firm_id", "lei")
        .distinct()
        .join(by_isin.select("firm_id"), "firm_id", "left_anti")
        .join(by_isin.select("lei"), "lei", "left_anti")
    )
    one_to_one = pairs.join(
        pairs.groupBy("firm_id").count().where("count = 1").select("firm_id"),
        "firm_id",
        "left_semi",
    ).join(pairs.groupBy("lei").count().where("count = 1").select("lei"), "lei", "left_semi")
    return by_isin.unionByName(one_to_one.withColumn("link", F.lit("name")))


def firm_family(
    links: DataFrame, parents: DataFrame, entities: DataFrame, max_depth: int
) -> DataFrame:
    """(firm_id, lei, legal_name, legal_country, depth, path, link, listed).

    Depth 0 is the firm's own entity. From every entity with a parent, direct parents are
    followed until the first one that is a listed firm's entity (a listed subsidiary stops
    the walk for the entities below it, and is itself a member of its parent's family);
    entities whose chain does not reach a listed firm join their ultimate parent's family,
    when that is listed (path: the entity and the ultimate parent). Inactive links (a sold
    subsidiary) are not walked.
    """
    active = F.coalesce(F.col("status"), F.lit("ACTIVE")) == "ACTIVE"
    edges = (
        parents.where(active & F.col("relationship").isin(*WALKED))
        .select("child_lei", "parent_lei")
        .distinct()
        .localCheckpoint()
    )
    listed = links.select(F.col("lei").alias("at"), "firm_id").distinct()
    own = links.select(
        "firm_id",
        "lei",
        F.lit(0).alias("depth"),
        F.array("lei").alias("path"),
        "link",
    )
    frontier = edges.select(
        F.col("child_lei").alias("origin"),
        F.col("parent_lei").alias("at"),
        F.lit(1).alias("depth"),
        F.array("child_lei", "parent_lei").alias("path"),
    )
    found = []
    frontier = frontier.localCheckpoint()
    for depth in range(1, max_depth + 1):
        found.append(
            frontier.join(listed, "at").select(
                "firm_id",
                F.col("origin").alias("lei"),
                "depth",
                "path",
                F.lit("direct").alias("link"),
            )
        )
        step = (
            frontier.join(listed.select("at"), "at", "left_anti")
            .join(edges.withColumnRenamed("child_lei", "at"), "at")
            .where(~F.array_contains("path", F.col("parent_lei")))
            .select(
                "origin",
                F.col("parent_lei").alias("at"),
                (F.col("depth") + 1).alias("depth"),
                F.concat("path", F.array("parent_lei")).alias("path"),
            )
        ).localCheckpoint()
        if step.isEmpty():
            break
        frontier = step
        if depth == max_depth:
            log.warning("family walk stopped at depth %d with chains still open", max_depth)
    direct = found[0]
    for frame in found[1:]:
        direct = direct.unionByName(frame)
    direct = direct.localCheckpoint()
    ultimate = (
        parents.where(active & (F.col("relationship") == "ultimate"))
        .join(direct.select(F.col("lei").alias("child_lei")), "child_lei", "left_anti")
        .join(listed.withColumnRenamed("at", "parent_lei"), "parent_lei")
        .select(
            "firm_id",
            F.col("child_lei").alias("lei"),
            F.lit(1).alias("depth"),
            F.array("child_lei", "parent_lei").alias("path"),
            F.lit("ultimate").alias("link"),
        )
    )
    members = own.unionByName(direct).unionByName(ultimate)
    # One row per (firm, entity): the shortest way up (two parents can lead to one firm).
    shortest = Window.partitionBy("firm_id", "lei").orderBy("depth", "link", "path")
    listed_leis = links.select(F.col("lei"), F.lit(True).alias("listed")).distinct()
    return (
        members.withColumn("_rank", F.row_number().over(shortest))
        .where(F.col("_rank") == 1)
        .drop("_rank")
        .join(listed_leis, "lei", "left")
        .join(
            entities.select("lei", "legal_name", "legal_country"),
            "lei",
            "left",
        )
        .select(
            "firm_id",
            "lei",
            "legal_name",
            "legal_country",
            "depth",
            "path",
            "link",
            F.coalesce("listed", F.lit(False)).alias("listed"),
        )
    )
