"""Firm-level features of the linkage model, built in Spark: what a firm patents, what it sells.

Technology side (stages.linkage.tech_space): the tokens of a firm's patents (gold/patent_text
through gold/firm_patents), each publication weighted by the firm's applicant share, as TF-IDF
over a vocabulary of the terms most firms use; and the WIPO technology fields of the same
patents' IPC/CPC codes (silver/patent_classes, Schmoch's concordance), as TF-IDF over the 35
fields. `text+fields` joins the two, each L2-normalized, with `field_weight` of the row's
squared norm on the fields: the text says what the patent is about in detail, the fields say it
in one scheme for every office and language. Product side: the firm's product/service keywords (gold/firm_keywords)
with their weights, mapped to product concepts (conf/mappings/product_concepts.yaml) where a
concept names them, over a vocabulary of the terms most firms share. Both are L2-normalized
sparse rows, so a firm with many patents is not a larger target than one with few.

Why concepts and fields: patents and keywords are written in the firm's language, so without them a Chinese firm's
product columns are Chinese words that only the other Chinese firms' rows can teach a model.
A country with fewer firms (or a language fewer firms write) then gets a worse model, and a
lower score, for reasons that have nothing to do with its firms (docs/linkage.md). Japanese
and Chinese firms file most patents at home, in their language: their text columns are
learned from their compatriots only, while everyone's IPC codes share the fields' columns.

Vocabularies keep terms used by at least `min_df` firms: a term of one firm only carries no
information a model could learn from other firms, and it would let a firm be scored by its
own idiosyncratic words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from pyspark.sql import DataFrame, Window
from pyspark.sql import functions as F


@dataclass(frozen=True)
class Vocabulary:
    terms: list[str]
    idf: list[float]

    def __len__(self) -> int:
        return len(self.terms)


def tech_terms(firm_patents: DataFrame, patent_text: DataFrame) -> DataFrame:
    """(firm_id, term, tf): token counts of a firm's patents, each weighted by its share."""
    tokens = patent_text.select("pub_key", F.explode("tokens").alias("term")).where(
        F.length("term") > 0
    )
    return (
        firm_patents.select("firm_id", "pub_key", "share")
        .join(tokens, "pub_key")
        .groupBy("firm_id", "term")
        .agg(F.sum("share").alias("tf"))
    )


def field_terms(firm_patents: DataFrame, patent_classes: DataFrame) -> DataFrame:
    """(firm_id, term "field:<n>", tf): the WIPO technology fields of a firm's patents' IPC/CPC
    codes; a patent counts once per field its codes name, weighted by the firm's share.

    Codes the concordance does not cover name no field; a patent with none adds nothing.
    """
    from innolink.patents import wipo

    codes = patent_classes.where(F.col("scheme").isin("IPC", "CPC")).select("pub_key", "code")
    fields = (
        wipo.with_wipo_field(codes, "code")
        .where(F.col("field").isNotNull())
        .select("pub_key", F.concat(F.lit("field:"), F.col("field").cast("string")).alias("term"))
        .distinct()
    )
    return (
        firm_patents.select("firm_id", "pub_key", "share")
        .join(fields, "pub_key")
        .groupBy("firm_id", "term")
        .agg(F.sum("share").alias("tf"))
    )


def joined_rows(
    first: DataFrame, second: DataFrame, width_first: int, weight_first: float
) -> DataFrame:
    """(firm_id, x_idx, x_val): two blocks of L2-normalized rows side by side, the second's
    columns after the first's, with `weight_first` of the squared norm on the first block.

    A firm with one block only gets that block alone, at unit norm: it is not a smaller
    vector for lacking, say, classified patents.
    """
    a = first.select("firm_id", F.col("x_idx").alias("a_idx"), F.col("x_val").alias("a_val"))
    b = second.select("firm_id", F.col("x_idx").alias("b_idx"), F.col("x_val").alias("b_val"))
    wa, wb = float(weight_first) ** 0.5, (1.0 - float(weight_first)) ** 0.5
    empty_i, empty_d = F.array().cast("array<int>"), F.array().cast("array<double>")
    joined = a.join(b, "firm_id", "full").select(
        "firm_id",
        F.concat(
            F.coalesce("a_idx", empty_i),
            F.transform(F.coalesce("b_idx", empty_i), lambda i: i + F.lit(width_first)),
        ).alias("x_idx"),
        F.concat(
            F.transform(F.coalesce("a_val", empty_d), lambda v: v * F.lit(wa)),
            F.transform(F.coalesce("b_val", empty_d), lambda v: v * F.lit(wb)),
        ).alias("x_val"),
    )
    norm = F.sqrt(F.aggregate("x_val", F.lit(0.0), lambda acc, v: acc + v * v))
    return (
        joined.withColumn("_norm", norm)
        .where(F.col("_norm") > 0)
        .withColumn("x_val", F.transform("x_val", lambda v: v / F.col("_norm")))
        .drop("_norm")
    )


def product_terms(firm_keywords: DataFrame, concepts: DataFrame | None = None) -> DataFrame:
    """(firm_id, term, tf): a firm's keywords with their weights (non-positive ones dropped).

    With `concepts` (keyword, concept: the pairs of concept_terms), a keyword that names concepts
    becomes the term `concept:<id>`, its weight split over the concepts it names, and a
    firm's keywords of one concept add up; other keywords stay terms of their own.
    """
    kw = (
        firm_keywords.where(F.col("weight") > 0)
        .select("firm_id", F.col("keyword").alias("term"), F.col("weight").alias("tf"))
        .groupBy("firm_id", "term")
        .agg(F.max("tf").alias("tf"))
    )
    if concepts is None:
        return kw
    named = concepts.withColumn("n", F.count("*").over(Window.partitionBy("keyword")))
    return (
        kw.join(F.broadcast(named), kw["term"] == named["keyword"], "left")
        .select(
            "firm_id",
            F.coalesce(F.concat(F.lit("concept:"), "concept"), F.col("term")).alias("term"),
            (F.col("tf") / F.coalesce("n", F.lit(1))).alias("tf"),
        )
        .groupBy("firm_id", "term")
        .agg(F.sum("tf").alias("tf"))
    )


# What joins the parts of a compound category name: "Steel and metals", "鉄鋼・非鉄金属",
# "钢铁与有色金属", "Aerospace, rail and ships".
_PARTS = re.compile(r"\s*(?:,|、|・|/|&|\band\b|与)\s*")


def term_parts(term: str) -> list[str]:
    """The parts of a compound category name, each a name of the category too ([] if none).

    Pages and the keywords stage split such names where they are joined: a Japanese page's
    "鉄鋼・非鉄金属" becomes the keywords 鉄鋼 and 非鉄金属, which would otherwise match no
    concept. Japanese names are joined with "・" far more often than English ones with "and",
    so without the parts a Japanese firm's products map less completely, and it scores lower
    for a reason that has nothing to do with the firm.
    """
    parts = [x for x in _PARTS.split(term) if x]
    return parts if len(parts) > 1 else []


def concept_terms(path: str) -> list[tuple[str, str]]:
    """(keyword, concept) pairs of a concepts file, terms normalized as keywords are written.

    A term also stands for each part of it that a separator joins (term_parts): "Steel and
    metals" names the concept, and so do "steel" and "metals". An English (Latin-script) term
    also stands for its plural or singular with -s, since a page says "servo motors" where the
    file says "servo motor".
    """
    import yaml

    from innolink.errors import ConfigError
    from innolink.keywords.evaluate import norm

    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"stages.linkage.product_concepts: cannot read {path}: {exc}") from exc
    pairs: set[tuple[str, str]] = set()
    for cid, concept in (data.get("concepts") or {}).items():
        terms = (concept or {}).get("terms") if isinstance(concept, dict) else None
        if not isinstance(terms, list) or not terms:
            raise ConfigError(f"stages.linkage.product_concepts: concept {cid} has no terms list")
        for term in terms:
            for key in {norm(str(term)), *(norm(x) for x in term_parts(str(term)))}:
                if not key:
                    continue
                pairs.add((key, str(cid)))
                if key.isascii() and key[-1:].isalpha():
                    pairs.add((key[:-1] if key.endswith("s") else key + "s", str(cid)))
    return sorted(pairs)


def vocabulary(terms: DataFrame, firms: int, min_df: int, max_features: int) -> Vocabulary:
    """The max_features terms used by most firms (ties by term), with smoothed IDF.

    Ordered by document frequency, then term: the same data always gives the same columns,
    which is what makes a rerun's metrics identical.
    """
    rows = (
        terms.groupBy("term")
        .agg(F.countDistinct("firm_id").alias("df"))
        .where(F.col("df") >= min_df)
        .orderBy(F.col("df").desc(), F.col("term"))
        .limit(max_features)
        .collect()
    )
    import math

    return Vocabulary(
        terms=[r["term"] for r in rows],
        idf=[math.log((1 + firms) / (1 + r["df"])) + 1.0 for r in rows],
    )


def sparse_rows(terms: DataFrame, vocab: Vocabulary, prefix: str, use_idf: bool) -> DataFrame:
    """(firm_id, <prefix>_idx, <prefix>_val): L2-normalized (tf-)idf rows over `vocab`.

    Firms with no term in the vocabulary have no row.
    """
    spark = terms.sparkSession
    vocab_df = spark.createDataFrame(
        [(t, i, w) for i, (t, w) in enumerate(zip(vocab.terms, vocab.idf, strict=True))],
        "term string, idx int, idf double",
    )
    weighted = terms.join(F.broadcast(vocab_df), "term").withColumn(
        "w", F.col("tf") * (F.col("idf") if use_idf else F.lit(1.0))
    )
    norm = F.sqrt(F.sum(F.col("w") * F.col("w")).over(Window.partitionBy("firm_id")))
    entries = weighted.withColumn("w", F.col("w") / norm).where(F.col("w") > 0)
    ordered = F.array_sort(F.collect_list(F.struct("idx", "w")))
    return (
        entries.groupBy("firm_id")
        .agg(ordered.alias("e"))
        .select(
            "firm_id",
            F.col("e.idx").alias(f"{prefix}_idx"),
            F.col("e.w").alias(f"{prefix}_val"),
        )
    )
