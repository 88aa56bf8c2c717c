"""Firm-level features of the linkage model, built in Spark: what a firm patents, what it sells.

Technology side: the tokens of a firm's patents (gold/patent_text through gold/firm_patents),
each publication weighted by the firm's applicant share, as TF-IDF over a vocabulary of the
terms most firms use. Product side: the firm's product/service keywords (gold/firm_keywords)
with their weights, mapped to product concepts (conf/mappings/product_concepts.yaml) where a
concept names them, over a vocabulary of the terms most firms share. Both are L2-normalized
sparse rows, so a firm with many patents is not a larger target than one with few.

Why concepts: keywords are written in the firm's language, so without them a Chinese firm's
product columns are Chinese words that only the other Chinese firms' rows can teach a model.
A country with fewer firms (or a language fewer firms write) then gets a worse model, and a
lower score, for reasons that have nothing to do with its firms (docs/linkage.md).

Vocabularies keep terms used by at least `min_df` firms: a term of one firm only carries no
information a model could learn from other firms, and it would let a firm be scored by its
own idiosyncratic words.
"""

from __future__ import annotations

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


def concept_terms(path: str) -> list[tuple[str, str]]:
    """(keyword, concept) pairs of a concepts file, terms normalized as keywords are written.

    An English (Latin-script) term also stands for its plural or singular with -s, since a
    page says "servo motors" where the file says "servo motor".
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
            key = norm(str(term))
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
