"""Spark transforms of stage `link`: applicant names and firm names in, links out.

1. applicant_names: the distinct organisation names of applicants and assignees, per office.
2. reference_names: every name a listed firm goes by (its variants in every script, the GLEIF
   names of its entity and of its subsidiaries, conf's aliases).
3. analyze: each distinct name -> its forms (names.py) and blocking keys, once per name.
4. candidates: names sharing a blocking key, keys shared by more than `max_block` firm
   names left out (a word such as "electric" pairs nothing), the `top_k` best per applicant
   by the IDF of the keys they share. Cost grows with the number of names, never with
   names x firms.
5. score_candidates: features and the model's score of each candidate (features.py).
6. decide: the best firm per applicant, a link from the threshold on, else an unlinked row.
7. firm_patents: publications of each firm with the share of each firm among the
   publication's listed applicants.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterator, Sequence

import pandas as pd
from pyspark.sql import Column, DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql.types import (
    ArrayType,
    DoubleType,
    StringType,
    StructField,
    StructType,
)

from innolink.link.features import RefName, compare, vector
from innolink.link.model import LinkModel
from innolink.link.names import NameAnalyzer, info_from_json, info_to_json

log = logging.getLogger(__name__)

# Weight of a shared blocking key by its kind (names.blocking_keys), times its IDF.
KEY_WEIGHTS = {"x": 8.0, "d": 4.0, "p": 2.0, "t": 1.0, "b": 0.5}


def _office(pub_key: Column) -> Column:
    # pub_key is DOCDB-like, "<office>-<number>-<kind>" (tables.PATENTS).
    return F.substring_index(pub_key, "-", 1)


def applicant_mentions(parties: DataFrame, roles: Sequence[str]) -> DataFrame:
    """(pub_key, office, applicant, country, city) of every organisation among the
    publication's applicants/assignees; persons (is_organization false) are inventors or
    individual owners, never a listed firm."""
    return parties.where(
        F.col("role").isin(list(roles))
        & F.coalesce(F.col("is_organization"), F.lit(True))
        & (F.length(F.trim("name")) > 0)
    ).select(
        "pub_key",
        _office(F.col("pub_key")).alias("office"),
        F.col("name").alias("applicant"),
        F.upper("country").alias("country"),
        "city",
    )


def applicant_names(mentions: DataFrame) -> DataFrame:
    """One row per (applicant, office): the most frequent country and city given with the
    name, and the number of publications naming it."""
    counted = mentions.groupBy("applicant", "office", "country", "city").agg(
        F.countDistinct("pub_key").alias("n")
    )
    return counted.groupBy("applicant", "office").agg(
        # max_by of a struct: most publications first, then the value itself (deterministic).
        F.max(F.struct("n", F.col("country").isNotNull(), "country"))["country"].alias("country"),
        F.max(F.struct(F.col("city").isNotNull(), "n", "city"))["city"].alias("city"),
        F.sum("n").cast("int").alias("publications"),
    )


def _firm_attributes(firms: DataFrame) -> DataFrame:
    return firms.select(
        "firm_id",
        F.col("country").alias("firm_country"),
        F.coalesce(F.col("listing_country") == F.col("home_country"), F.lit(False)).alias(
            "home_listing"
        ),
    )


def reference_names(firms: DataFrame, family: DataFrame, entities: DataFrame) -> DataFrame:
    """(firm_id, ref_name, lang, source, kind, depth, firm_country, home_listing) of every
    name a listed firm goes by.

    source: firm (its name and variants in silver/firms), gleif (the GLEIF names of the
    firm's own entity), family (an unlisted entity of the firm's family, credited to the
    firm). A listed subsidiary is credited to itself, not to its parent: its names are its
    own firm's.
    """
    variants = firms.select("firm_id", F.explode("name_variants").alias("v")).select(
        "firm_id",
        F.col("v.name").alias("ref_name"),
        F.col("v.lang").alias("lang"),
        F.lit("firm").alias("source"),
        F.coalesce(F.col("v.kind"), F.lit("variant")).alias("kind"),
        F.lit(0).alias("depth"),
    )
    primary = firms.select(
        "firm_id",
        F.col("name").alias("ref_name"),
        F.lit(None).cast("string").alias("lang"),
        F.lit("firm").alias("source"),
        F.lit("primary").alias("kind"),
        F.lit(0).alias("depth"),
    )
    members = family.where(~F.col("listed") | (F.col("depth") == 0)).select(
        "firm_id", "lei", "depth"
    )
    named = members.join(
        entities.select("lei", "legal_name", "legal_name_lang", "other_names"), "lei"
    )
    legal = F.struct(F.col("legal_name").alias("name"), F.col("legal_name_lang").alias("lang"))
    others = F.transform(
        F.coalesce("other_names", F.array()),
        lambda o: F.struct(o["name"].alias("name"), o["lang"].alias("lang")),
    )
    entity_names = named.select(
        "firm_id", "depth", F.explode(F.concat(F.array(legal), others)).alias("n")
    ).select(
        "firm_id",
        F.col("n.name").alias("ref_name"),
        F.col("n.lang").alias("lang"),
        F.when(F.col("depth") == 0, "gleif").otherwise("family").alias("source"),
        F.lit("entity").alias("kind"),
        "depth",
    )
    refs = variants.unionByName(primary).unionByName(entity_names)
    refs = refs.where(F.col("ref_name").isNotNull() & (F.length(F.trim("ref_name")) > 0))
    # One row per (firm, name), analyzed once: the firm's own before GLEIF's, a shallower
    # family member first, the name as a variant of known language before the same name as
    # the firm's primary name.
    order = F.when(F.col("source") == "firm", 0).when(F.col("source") == "gleif", 1).otherwise(2)
    unknown = F.col("lang").isNull().alias("unknown")
    first = F.min(F.struct(order.alias("o"), "depth", unknown, "lang", "kind", "source"))
    deduped = refs.groupBy("firm_id", "ref_name").agg(first.alias("m"))
    return deduped.select("firm_id", "ref_name", "m.lang", "m.source", "m.kind", "m.depth").join(
        _firm_attributes(firms), "firm_id"
    )


def alias_names(resolved: DataFrame, firms: DataFrame) -> DataFrame:
    """conf's aliases (firm_id, ref_name) in the shape of reference_names (source alias)."""
    return resolved.select(
        "firm_id",
        "ref_name",
        F.lit(None).cast("string").alias("lang"),
        F.lit("alias").alias("source"),
        F.lit("alias").alias("kind"),
        F.lit(0).alias("depth"),
    ).join(_firm_attributes(firms), "firm_id")


ANALYZED = StructType(
    [
        StructField("name_key", StringType()),
        StructField("info", StringType()),
        StructField("keys", ArrayType(StringType())),
    ]
)


def analyze(
    spark: SparkSession,
    df: DataFrame,
    analyzer: NameAnalyzer,
    name: str,
    country: str,
    lang: str | None = None,
) -> DataFrame:
    """df with name_key, info (NameInfo as JSON) and keys (blocking keys), in the Python
    workers, row by row (the rows are distinct names already: applicants per office, firm
    names per firm). A name that normalizes to nothing (punctuation only) gets null info and
    no keys."""
    shared = spark.sparkContext.broadcast(analyzer)
    schema = StructType([*df.schema.fields, *ANALYZED.fields])

    def run(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        a = shared.value
        for batch in batches:
            keys, infos, blocks = [], [], []
            langs = batch[lang] if lang else [None] * len(batch)
            for n, c, lg in zip(batch[name], batch[country], langs, strict=True):
                info = a.analyze(n, c or None, lg or None)
                keys.append(info.key if info else None)
                infos.append(info_to_json(info) if info else None)
                blocks.append(sorted(info.blocking_keys()) if info else [])
            yield batch.assign(name_key=keys, info=infos, keys=blocks)

    return df.mapInPandas(run, schema)


def candidates(
    apps: DataFrame, refs: DataFrame, max_block: int, top_k: int, firms: int
) -> DataFrame:
    """(app_id, ref_id, block_score): the top_k firm names per applicant by the weighted IDF
    of the blocking keys they share. apps: app_id, keys; refs: ref_id, firm_id, keys; firms:
    the number of firms (for the IDF)."""
    ref_keys = refs.select("ref_id", "firm_id", F.explode("keys").alias("key"))
    total = max(firms, 1)
    sizes = ref_keys.groupBy("key").agg(
        F.count(F.lit(1)).alias("refs"), F.countDistinct("firm_id").alias("firms")
    )
    kind = F.substring_index(F.col("key"), ":", 1)
    weight = F.lit(1.0)
    for k, w in KEY_WEIGHTS.items():
        weight = F.when(kind == k, F.lit(w)).otherwise(weight)
    usable = sizes.where(F.col("refs") <= max_block).select(
        "key", (weight * F.log(F.lit(1.0 + total) / F.col("firms"))).alias("w")
    )
    blocked = ref_keys.join(usable, "key").select("key", "ref_id", "w")
    app_keys = apps.select("app_id", F.explode("keys").alias("key"))
    pairs = (
        app_keys.join(blocked, "key")
        .groupBy("app_id", "ref_id")
        .agg(F.sum("w").alias("block_score"))
    )
    w = Window.partitionBy("app_id").orderBy(F.desc("block_score"), "ref_id")
    return pairs.withColumn("_r", F.row_number().over(w)).where(F.col("_r") <= top_k).drop("_r")


SCORED = StructType(
    [
        StructField("app_id", StringType()),
        StructField("ref_id", StringType()),
        StructField("score", DoubleType()),
        StructField("closeness", DoubleType()),
        StructField("veto", StringType()),
        StructField("features", StringType()),
        StructField("vector", ArrayType(DoubleType())),
        StructField("a_form", StringType()),
        StructField("r_form", StringType()),
    ]
)


def token_idf(refs: DataFrame, firms: int) -> dict[str, float]:
    """IDF of every Latin token of the firm names, over firms: ln(firms / firms with it)."""
    tokens = refs.select(
        "firm_id", F.explode(F.filter("keys", lambda k: k.startswith("t:"))).alias("key")
    )
    rows = tokens.groupBy("key").agg(F.countDistinct("firm_id").alias("n")).collect()
    total = max(firms, 1)
    return {r["key"][2:]: math.log(total / r["n"]) + 1.0 for r in rows}


def score_candidates(
    spark: SparkSession,
    pairs: DataFrame,
    model: LinkModel,
    idf: dict[str, float],
    legal_conflicts: bool = True,
) -> DataFrame:
    """pairs: app_id, app_info, app_country, ref_id, ref_info, source, kind, firm_country,
    firm_classes -> SCORED rows (the closest forms of the pair, its features as text, the score; a
    vetoed pair scores 0)."""
    shared = spark.sparkContext.broadcast((model, idf))
    cols = ["app_id", "app_info", "app_country", "ref_id", "ref_info", "source", "kind"]
    cols += ["firm_country", "firm_classes"]

    def run(batches: Iterator[pd.DataFrame]) -> Iterator[pd.DataFrame]:
        m, weights = shared.value
        cache: dict[str, object] = {}

        def info(text: str):
            found = cache.get(text)
            if found is None:
                if len(cache) > 50_000:
                    cache.clear()
                found = cache[text] = info_from_json(text)
            return found

        for batch in batches:
            out = []
            for row in zip(*(batch[c] for c in cols), strict=True):
                app_id, a_info, a_country, ref_id, r_info, source, kind, r_country, classes = row
                classes = frozenset(classes) if classes is not None else frozenset()
                ref = RefName(info(r_info), source, kind, r_country or None, classes)
                found = compare(info(a_info), a_country or None, ref, legal_conflicts, weights)
                if found is None:
                    continue
                score = 0.0 if found.veto else m.score(found.values)
                features = " ".join(f"{k}={v:.3g}" for k, v in found.values.items() if v)
                out.append(
                    (
                        app_id,
                        ref_id,
                        score,
                        found.closeness,
                        found.veto,
                        features,
                        vector(found.values),
                        f"{found.a_form.space}:{' '.join(found.a_form.tokens)}",
                        f"{found.r_form.space}:{' '.join(found.r_form.tokens)}",
                    )
                )
            yield pd.DataFrame(out, columns=SCORED.fieldNames())

    return pairs.select(*cols).mapInPandas(run, SCORED)


def _method(source: Column, features: Column) -> Column:
    exact = features.rlike(r"(^| )(raw_)?exact=1")
    reading = features.rlike(r"(^| )reading=1")
    return (
        F.when(source == "alias", "alias")
        .when(source == "family", "family")
        .when(exact & ~reading, "exact")
        .when(exact, "reading")
        .otherwise("fuzzy")
    )


def decide(apps: DataFrame, scored: DataFrame, refs: DataFrame, threshold: float) -> DataFrame:
    """One row per applicant: the best firm from the threshold on, else no firm (method
    none) with the best candidate's score and why in the evidence.

    Among equal scores: a name of the firm itself before its family's, the firm of the
    applicant's country, the firm listed at home (a firm listed twice in the registry,
    Amazon on Nasdaq and on Xetra, gets one firm's publications, not half of each), firm_id.
    """
    ranked = scored.join(
        refs.select(
            "ref_id", "firm_id", "ref_name", "source", "depth", "firm_country", "home_listing"
        ),
        "ref_id",
    ).join(apps.select("app_id", "app_country"), "app_id")
    per_firm = Window.partitionBy("app_id", "firm_id").orderBy(
        F.desc("score"),
        F.col("features").rlike(r"(^| )reading=1"),
        F.desc("closeness"),
        "depth",
        "ref_id",
    )
    best_of_firm = ranked.withColumn("_r", F.row_number().over(per_firm)).where(F.col("_r") == 1)
    # A name matched in its own script before one matched through a reading.
    via_reading = F.col("features").rlike(r"(^| )reading=1")
    w = Window.partitionBy("app_id").orderBy(
        F.desc("score"),
        via_reading,
        F.desc("closeness"),
        "depth",
        F.desc(F.coalesce(F.col("firm_country") == F.col("app_country"), F.lit(False))),
        F.desc("home_listing"),
        "firm_id",
    )
    ordered = best_of_firm.withColumn("_r", F.row_number().over(w))
    best = ordered.where(F.col("_r") == 1).drop("_r")
    second = ordered.where(F.col("_r") == 2).select(
        "app_id",
        F.col("firm_id").alias("second_firm"),
        F.col("ref_name").alias("second_name"),
        F.col("score").alias("second_score"),
    )
    linked = F.col("score") >= F.lit(threshold)
    evidence = F.concat_ws(
        "; ",
        F.concat(
            F.lit("matched '"),
            F.col("ref_name"),
            F.lit("' ("),
            F.col("source"),
            F.lit(") as "),
            F.col("r_form"),
            F.lit(" ~ "),
            F.col("a_form"),
        ),
        F.when(F.col("veto").isNotNull(), F.concat(F.lit("veto: "), F.col("veto"))),
        F.concat(F.lit("features: "), F.col("features")),
        F.when(
            F.col("second_firm").isNotNull(),
            F.concat(
                F.lit("next: "),
                F.col("second_firm"),
                F.lit(" '"),
                F.col("second_name"),
                F.lit("' "),
                F.format_number("second_score", 3),
            ),
        ),
    )
    return (
        apps.join(best.drop("app_country"), "app_id", "left")
        .join(second, "app_id", "left")
        .select(
            "app_id",
            F.when(linked, F.col("firm_id")).alias("firm_id"),
            F.coalesce(F.col("score"), F.lit(0.0)).alias("score"),
            F.when(linked, _method(F.col("source"), F.col("features")))
            .otherwise("none")
            .alias("method"),
            F.col("ref_name").alias("matched_name"),
            F.when(F.col("ref_id").isNull(), F.lit("no candidate"))
            .otherwise(evidence)
            .alias("evidence"),
        )
    )


def firm_patents(mentions: DataFrame, links: DataFrame) -> DataFrame:
    """(firm_id, pub_key, share, score, method, applicant): a publication counts once per
    listed firm among its applicants (an applicant and an assignee naming the same firm, or
    two of its subsidiaries, are one), each firm's share 1 / that number of firms."""
    linked = mentions.join(
        links.where(F.col("firm_id").isNotNull()).select(
            "applicant", "office", "firm_id", "score", "method"
        ),
        ["applicant", "office"],
    )
    w = Window.partitionBy("firm_id", "pub_key").orderBy(F.desc("score"), "applicant")
    best = linked.withColumn("_r", F.row_number().over(w)).where(F.col("_r") == 1).drop("_r")
    firms_per_pub = Window.partitionBy("pub_key")
    return best.select(
        "firm_id",
        "pub_key",
        (F.lit(1.0) / F.count(F.lit(1)).over(firms_per_pub)).alias("share"),
        "score",
        "method",
        "applicant",
    )
