"""Inventor address -> first-level region, from the mapping of conf/mappings/regions.yaml.

The mapping becomes two small tables broadcast to every task: exact aliases (a state code,
a province, a city, compared after `place_key` normalisation) and aliases in Chinese or
Japanese script, found anywhere in the address text. Every match is a candidate with a
priority (state field first, then the city's comma-separated parts from the last, then the
last words of those parts, then script aliases by their place in the text, then the parts of
the address); the best candidate wins, refined to a city that is a region of its own when
that city lies in the winning province (docs: regions.yaml's header).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from pyspark.sql import Column, DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql.types import BooleanType, StringType, StructField, StructType

from innolink.errors import ConfigError

# Trailing words of Japanese and Chinese place names written in Latin letters.
_SUFFIX = r" (shi|ku|ken|to|fu|gun|cho|machi|city|province|prefecture|pref|sheng)$"
_DROP = r"[.'’`]"
_SPACE = r"[\d\-_/()#+]+"
# Han, kana, hangul: an alias in one of these scripts is found inside a text.
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]")

PRIORITY_STATE = 10
PRIORITY_CITY_PART = 20
PRIORITY_CITY_WORDS = 40
PRIORITY_SCRIPT = 60
PRIORITY_ADDRESS_PART = 80


def place_key(text: str | None) -> str | None:
    """The comparison form of a Latin place name: lower case, no punctuation or digits, no
    trailing -shi/-ku/City/Province word ("Minato-ku" -> "minato", "Xi'an" -> "xian")."""
    if text is None:
        return None
    out = re.sub(_DROP, "", text.lower())
    out = re.sub(r"\s+", " ", re.sub(_SPACE, " ", out)).strip()
    out = re.sub(_SUFFIX, "", out)
    return out or None


def place_key_col(col: Column) -> Column:
    """place_key as a Spark column expression."""
    out = F.regexp_replace(F.lower(col), _DROP, "")
    out = F.trim(F.regexp_replace(F.regexp_replace(out, _SPACE, " "), r"\s+", " "))
    out = F.regexp_replace(out, _SUFFIX, "")
    return F.when(out != "", out)


@dataclass(frozen=True)
class Region:
    id: str
    name: str
    country: str
    parent: str | None
    area: str | None


@dataclass(frozen=True)
class Alias:
    country: str
    key: str  # place_key of the alias, or the alias itself in Chinese/Japanese script
    region: str
    parent: str | None
    script: bool  # found inside texts rather than compared whole


@dataclass(frozen=True)
class RegionMap:
    regions: dict[str, Region]
    aliases: tuple[Alias, ...]

    @property
    def countries(self) -> frozenset[str]:
        return frozenset(r.country for r in self.regions.values())

    def name(self, region: str) -> str:
        found = self.regions.get(region)
        return found.name if found else region


def load_regions(path: str | Path) -> RegionMap:
    """The region map of a regions.yaml; an alias naming two regions is a ConfigError."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"stages.flows.regions: cannot read {path}: {exc}") from None
    regions: dict[str, Region] = {}
    seen: dict[tuple[str, str], str] = {}
    aliases: list[Alias] = []

    def add(country: str, alias: str, region: str) -> None:
        script = bool(_CJK.search(alias))
        key = alias if script else place_key(alias)
        if not key:
            raise ConfigError(
                f"{path}: {country} {region}: alias {alias!r} is empty once normalised"
            )
        other = seen.get((country, key))
        if other is not None and other != region:
            raise ConfigError(
                f"{path}: {country}: alias {alias!r} ({key!r}) names both {other} and {region}"
            )
        if other is None:
            seen[(country, key)] = region
            aliases.append(Alias(country, key, region, regions[region].parent, script))

    for country, spec in (data.get("countries") or {}).items():
        for rid, info in (spec.get("regions") or {}).items():
            regions[rid] = Region(rid, info["name"], country, info.get("parent"), info.get("area"))
        for rid, info in (spec.get("regions") or {}).items():
            if info.get("parent") and info["parent"] not in regions:
                raise ConfigError(f"{path}: {rid}: unknown parent {info['parent']!r}")
            for alias in [rid.split("-", 1)[1], info["name"], *info.get("aliases", [])]:
                add(country, str(alias), rid)
        for rid, cities in (spec.get("cities") or {}).items():
            if rid not in regions:
                raise ConfigError(f"{path}: cities of unknown region {rid!r}")
            for city in cities:
                add(country, str(city), rid)
    return RegionMap(regions, tuple(aliases))


_ALIAS_SCHEMA = StructType(
    [
        StructField("_country", StringType(), False),
        StructField("_key", StringType(), False),
        StructField("_region", StringType(), False),
        StructField("_parent", StringType()),
        StructField("_script", BooleanType(), False),
    ]
)


def _alias_table(spark: SparkSession, regions: RegionMap, script: bool) -> DataFrame:
    rows = [
        (a.country, a.key, a.region, a.parent, a.script)
        for a in regions.aliases
        if a.script == script
    ]
    return spark.createDataFrame(rows, _ALIAS_SCHEMA)


def region_table(spark: SparkSession, regions: RegionMap) -> DataFrame:
    """region, region_name, country, parent, area of every region of the map."""
    schema = StructType(
        [
            StructField("region", StringType(), False),
            StructField("region_name", StringType(), False),
            StructField("country", StringType(), False),
            StructField("parent", StringType()),
            StructField("area", StringType()),
        ]
    )
    rows = [(r.id, r.name, r.country, r.parent, r.area) for r in regions.regions.values()]
    return spark.createDataFrame(rows, schema)


def _parts(col: Column, priority: int) -> Column:
    """(text, priority) of each comma-separated part of col, the last part first."""
    parts = F.split(F.coalesce(col, F.lit("")), r"[,，、;]")
    n = F.size(parts)
    return F.transform(
        parts,
        lambda p, i: F.struct(
            place_key_col(p).alias("text"), (F.lit(priority) + n - 1 - i).alias("priority")
        ),
    )


def _last_words(col: Column) -> Column:
    """(text, priority) of the last word and last two words of each part ("Redmond WA 98052"
    -> "wa"; "Raleigh, North Carolina" -> "north carolina")."""
    parts = F.split(F.coalesce(col, F.lit("")), r"[,，、;]")
    n = F.size(parts)

    def words(p: Column, i: Column) -> Column:
        tokens = F.split(F.coalesce(place_key_col(p), F.lit("")), " ")
        size = F.size(tokens)
        base = F.lit(PRIORITY_CITY_WORDS) + (n - 1 - i) * 2
        bigram = F.when(
            size >= 2,
            F.concat_ws(" ", F.element_at(tokens, -2), F.element_at(tokens, -1)),
        )
        return F.array(
            F.struct(bigram.alias("text"), base.alias("priority")),
            F.struct(
                F.when(size >= 2, F.element_at(tokens, -1)).alias("text"),
                (base + 1).alias("priority"),
            ),
        )

    return F.flatten(F.transform(parts, words))


def locate(records: DataFrame, regions: RegionMap) -> DataFrame:
    """records (with _rid, country, state, city, address) + region, region_source.

    region: the best matching region; the country itself for a country the map has no
    regions for; null when the country has regions but none matched, or is unknown.
    """
    spark = records.sparkSession
    base = records.select("_rid", "country", "state", "city", "address")
    candidates = base.select(
        "_rid",
        "country",
        F.explode(
            F.concat(
                F.array(
                    F.struct(
                        place_key_col(F.col("state")).alias("text"),
                        F.lit(PRIORITY_STATE).alias("priority"),
                    )
                ),
                _parts(F.col("city"), PRIORITY_CITY_PART),
                _last_words(F.col("city")),
                _parts(F.col("address"), PRIORITY_ADDRESS_PART),
            )
        ).alias("c"),
    ).where(F.col("c.text").isNotNull() & F.col("country").isNotNull())
    exact = candidates.join(
        F.broadcast(_alias_table(spark, regions, script=False)),
        (F.col("country") == F.col("_country")) & (F.col("c.text") == F.col("_key")),
    ).select(
        "_rid",
        "_region",
        "_parent",
        F.col("c.priority").alias("_priority"),
        F.length("_key").alias("_len"),
        F.when(F.col("c.priority") == PRIORITY_STATE, F.lit("state"))
        .when(F.col("c.priority") < PRIORITY_CITY_WORDS, F.lit("city"))
        .when(F.col("c.priority") < PRIORITY_SCRIPT, F.lit("city_words"))
        .otherwise(F.lit("address"))
        .alias("_source"),
    )
    text = F.concat_ws(" ", F.col("state"), F.col("city"), F.col("address"))
    scripted = (
        base.where(F.col("country").isNotNull())
        .select("_rid", "country", text.alias("_text"))
        .join(
            F.broadcast(_alias_table(spark, regions, script=True)),
            (F.col("country") == F.col("_country")) & (F.expr("instr(_text, _key)") > 0),
        )
        .select(
            "_rid",
            "_region",
            "_parent",
            (F.lit(PRIORITY_SCRIPT) + F.least(F.expr("instr(_text, _key)") - 1, F.lit(19)))
            .cast("int")
            .alias("_priority"),
            F.length("_key").alias("_len"),
            F.lit("address").alias("_source"),
        )
    )
    matches = exact.unionByName(scripted)
    order = Window.partitionBy("_rid").orderBy("_priority", F.desc("_len"), "_region")
    ranked = matches.withColumn("_n", F.row_number().over(order))
    best = ranked.where(F.col("_n") == 1).select(
        "_rid", F.col("_region").alias("_best"), F.col("_source").alias("_best_source")
    )
    # A city that is a region of its own beats the province it lies in.
    refined = (
        ranked.join(best, "_rid")
        .where(F.col("_parent") == F.col("_best"))
        .withColumn("_m", F.row_number().over(order))
        .where(F.col("_m") == 1)
        .select("_rid", F.col("_region").alias("_city"), F.col("_source").alias("_city_source"))
    )
    mapped = list(regions.countries) or [""]
    return (
        records.join(best, "_rid", "left")
        .join(refined, "_rid", "left")
        .withColumn(
            "region",
            F.when(F.col("country").isNull(), F.lit(None).cast("string"))
            .when(~F.col("country").isin(mapped), F.col("country"))
            .otherwise(F.coalesce("_city", "_best")),
        )
        .withColumn(
            "region_source",
            F.when(F.col("region").isNull(), F.lit(None).cast("string"))
            .when(~F.col("country").isin(mapped), F.lit("country"))
            .otherwise(F.coalesce("_city_source", "_best_source")),
        )
        .drop("_best", "_best_source", "_city", "_city_source")
    )
