"""Inventors' patents in time order -> moves between regions, and the flow tables.

A move is two consecutive located patents of one inventor (by date, then publication key)
whose regions differ; it happens in the year of the later patent and counts for that
patent's technology field. Patents whose inventor address gave no region are left out of the
sequence (a JPO publication without address between two USPTO grants does not break it).
"""

from __future__ import annotations

import pycountry
from pyspark.sql import DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql.types import StringType, StructField, StructType

from innolink.flows.regions import RegionMap, region_table


def located(inventor_patents: DataFrame) -> DataFrame:
    """inventor_id, pub_key, region, country, date, field: one row per inventor and located,
    dated publication (an inventor named twice on one publication counts once: its first
    place)."""
    first = Window.partitionBy("inventor_id", "pub_key").orderBy("sequence")
    return (
        inventor_patents.where(F.col("region").isNotNull() & F.col("date").isNotNull())
        .withColumn("_n", F.row_number().over(first))
        .where(F.col("_n") == 1)
        .select("inventor_id", "pub_key", "region", "country", "date", "field")
    )


def moves(located_patents: DataFrame) -> DataFrame:
    """inventor_id, pub_key, from_region, to_region, from_country, to_country, year, field."""
    order = Window.partitionBy("inventor_id").orderBy("date", "pub_key")
    return (
        located_patents.withColumn("from_region", F.lag("region").over(order))
        .withColumn("from_country", F.lag("country").over(order))
        .where(F.col("from_region").isNotNull() & (F.col("from_region") != F.col("region")))
        .select(
            "inventor_id",
            "pub_key",
            "from_region",
            F.col("region").alias("to_region"),
            F.coalesce("from_country", F.col("from_region")).alias("from_country"),
            F.coalesce("country", F.col("region")).alias("to_country"),
            F.year("date").alias("year"),
            "field",
        )
    )


def inventor_flows(move_rows: DataFrame, fields: DataFrame) -> DataFrame:
    """from_region, to_region, year, field, field_name, from_country, to_country, moves,
    inventors (distinct inventors making that move)."""
    return (
        move_rows.groupBy("from_region", "to_region", "year", "field")
        .agg(
            F.first("from_country").alias("from_country"),
            F.first("to_country").alias("to_country"),
            F.count(F.lit(1)).alias("moves"),
            F.countDistinct("inventor_id").alias("inventors"),
        )
        .join(F.broadcast(fields.select("field", "field_name")), "field", "left")
        .select(
            "from_region",
            "to_region",
            "year",
            "field",
            F.coalesce("field_name", F.lit("Unclassified")).alias("field_name"),
            "from_country",
            "to_country",
            "moves",
            "inventors",
        )
    )


def region_flows(move_rows: DataFrame, located_patents: DataFrame, names: DataFrame) -> DataFrame:
    """region, year, region_name, country, inflow, outflow, net, inventors: every region and
    year with a located patent or a move."""
    inflow = move_rows.groupBy(F.col("to_region").alias("region"), "year").agg(
        F.count(F.lit(1)).alias("inflow")
    )
    outflow = move_rows.groupBy(F.col("from_region").alias("region"), "year").agg(
        F.count(F.lit(1)).alias("outflow")
    )
    active = located_patents.groupBy("region", F.year("date").alias("year")).agg(
        F.countDistinct("inventor_id").alias("inventors"),
        F.first("country").alias("_country"),
    )
    joined = (
        active.join(inflow, ["region", "year"], "full")
        .join(outflow, ["region", "year"], "full")
        .join(F.broadcast(names), "region", "left")
    )
    inflow_c = F.coalesce("inflow", F.lit(0)).cast("long")
    outflow_c = F.coalesce("outflow", F.lit(0)).cast("long")
    return joined.select(
        "region",
        "year",
        F.coalesce("region_name", "region").alias("region_name"),
        F.coalesce("country", "_country", F.substring_index("region", "-", 1)).alias("country"),
        inflow_c.alias("inflow"),
        outflow_c.alias("outflow"),
        (inflow_c - outflow_c).alias("net"),
        F.coalesce("inventors", F.lit(0)).cast("long").alias("inventors"),
    )


def names_table(spark: SparkSession, regions: RegionMap) -> DataFrame:
    """region, region_name, country: the map's regions and every country as a region of its
    own (its English short name), for countries the map has no regions for."""
    schema = StructType(
        [
            StructField("region", StringType(), False),
            StructField("region_name", StringType(), False),
            StructField("country", StringType(), False),
        ]
    )
    countries = spark.createDataFrame(
        [(c.alpha_2, c.name, c.alpha_2) for c in pycountry.countries], schema
    )
    mapped = region_table(spark, regions).select("region", "region_name", "country")
    return mapped.unionByName(countries)
