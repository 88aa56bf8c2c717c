"""DataFrame -> DataFrame steps of the keywords stage: documents in, keywords and patent text out.

Pages become one document each (title parts and main text, the lines a firm repeats on most of
its pages removed); patents one document of title, abstract and first claim. After the Spark
NLP pipeline (innolink.keywords.pipeline), a firm's keywords are chosen in steps that each
drop one kind of non-product term:

1. candidates: YAKE's best n-grams of each page (stop words and punctuation end them);
2. vocabulary: boilerplate words, generic words alone, technology heads, the firm's own name;
3. technology context: terms seen mostly right before "technology" / 技術 / 技术;
4. site-wide and cross-firm vocabulary: terms on more than max_firm_share of a language's firms;
5. nested terms: "robots" goes when most of its occurrences are inside "industrial robots";
6. weight = firm-level tf-idf: occurrences on the firm's pages weighted by page kind (product
   pages count most, investor pages least) times the term's idf across the language's firms,
   times its YAKE relevance (best on the firm's pages, ** yake_exponent; 0: tf-idf alone).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from pyspark.sql import Column, DataFrame, SparkSession, Window
from pyspark.sql import functions as F
from pyspark.sql.types import ArrayType, DoubleType

from innolink.keywords.segment import CJK_SPACE_JAVA, SEGMENTED
from innolink.keywords.vocabulary import Vocabulary
from innolink.tables import PAGES, PATENTS

EMPTY = "text.empty"
SUPERSEDED = "page.superseded"
RARE_LANGUAGE = "language.too_few_documents"

# Title parts: "Products | Clear Glass Corp." -> two lines, so the firm-name part is a line
# the whole site repeats.
_TITLE_SEPARATORS = r"\s+[|｜•·–—-]\s+|\s*｜\s*|\s+::\s+"
_CJK = r"[\p{IsHan}\p{IsHiragana}\p{IsKatakana}]"


@dataclass(frozen=True)
class Selection:
    """How a firm's keywords are chosen (stages.keywords)."""

    top_k: int = 30
    # Longest keyword in words (YAKE's maxNGrams).
    max_ngram: int = 3
    page_kind_weights: dict[str, float] = field(
        default_factory=lambda: {
            "product_service": 1.0,
            "other": 0.7,
            "about": 0.5,
            "news": 0.4,
            "investor_relations": 0.2,
        }
    )
    template_share: float = 0.6
    template_min_pages: int = 4
    max_firm_share: float = 0.5
    min_firms_for_share: int = 10
    technology_share: float = 0.5
    fragment_share: float = 0.7
    subsumption_share: float = 0.6
    yake_exponent: float = 0.0
    max_source_urls: int = 10


def language_key(col: Column) -> Column:
    """innolink.keywords.segment.language_key in SQL: "zh-Hant" -> "zh", null -> "und"."""
    key = F.lower(F.split(F.regexp_replace(F.trim(col), "_", "-"), "-").getItem(0))
    return F.when(key.rlike("^[a-z]{2,3}$"), key).otherwise(F.lit("und"))


def _blank_to_null(col: Column) -> Column:
    return F.when(F.trim(col) != "", col)


def page_locator(url: Column, crawl_id: Column) -> Column:
    return F.concat_ws(" ", crawl_id, url)


# --- pages -------------------------------------------------------------------------------


def latest_pages(pages: DataFrame) -> tuple[DataFrame, DataFrame]:
    """(pages, rejects): one row per URL and firm, the latest crawl; older copies rejected."""
    order = Window.partitionBy("firm_id", "url").orderBy(
        F.col("fetch_time").desc_nulls_last(), F.col("crawl_id").desc()
    )
    ranked = pages.withColumn("_n", F.row_number().over(order))
    rejects = ranked.where(F.col("_n") > 1).select(
        F.lit(PAGES.id).alias("source"),
        page_locator(F.col("url"), F.col("crawl_id")).alias("locator"),
        F.lit(SUPERSEDED).alias("reason"),
        F.concat(F.lit("a later crawl of the page is used; "), F.col("url")).alias("excerpt"),
    )
    return ranked.where(F.col("_n") == 1).drop("_n"), rejects


def page_documents(pages: DataFrame, max_chars: int) -> DataFrame:
    """doc_id, firm_id, url, crawl_id, language, page_kind, text (title parts, then main text)."""
    title = F.regexp_replace(F.coalesce(F.col("title"), F.lit("")), _TITLE_SEPARATORS, "\n")
    text = F.concat_ws("\n", title, F.coalesce(F.col("text"), F.lit("")))
    return pages.select(
        F.concat(F.lit("page "), page_locator(F.col("url"), F.col("crawl_id"))).alias("doc_id"),
        "firm_id",
        "url",
        "crawl_id",
        language_key(F.col("language")).alias("language"),
        F.coalesce(F.col("page_kind"), F.lit("other")).alias("page_kind"),
        F.substring(text, 1, max_chars).alias("text"),
    )


def drop_template_lines(docs: DataFrame, share: float, min_pages: int) -> DataFrame:
    """Lines a firm repeats on at least `share` of its pages in a language (logo text, title
    suffix, slogans, footers the extractor kept) are removed, when it has min_pages or more."""
    lines = docs.select(
        "doc_id",
        "firm_id",
        "language",
        F.posexplode(F.split("text", "\n")).alias("pos", "line"),
    ).withColumn("line", F.trim(F.regexp_replace("line", r"\s+", " ")))
    lines = lines.where(F.col("line") != "")
    pages = docs.groupBy("firm_id", "language").agg(F.count(F.lit(1)).alias("pages"))
    template = (
        lines.groupBy("firm_id", "language", "line")
        .agg(F.countDistinct("doc_id").alias("on_pages"))
        .join(pages, ["firm_id", "language"])
        .where((F.col("pages") >= min_pages) & (F.col("on_pages") >= F.col("pages") * share))
        .select("firm_id", "language", "line")
    )
    kept = lines.join(F.broadcast(template), ["firm_id", "language", "line"], "left_anti")
    text = kept.groupBy("doc_id").agg(
        F.array_join(
            F.transform(F.array_sort(F.collect_list(F.struct("pos", "line"))), lambda x: x["line"]),
            "\n",
        ).alias("text")
    )
    return (
        docs.drop("text")
        .join(text, "doc_id", "left")
        .withColumn("text", F.coalesce("text", F.lit("")))
    )


# --- patents -----------------------------------------------------------------------------


def patent_documents(
    patents: DataFrame, claims: str, max_claim_chars: int
) -> tuple[DataFrame, DataFrame]:
    """(documents, rejects): title, abstract and the first claim (claims="first"; all of them
    up to max_claim_chars when the source has no first claim) or every claim (claims="all")."""
    all_claims = F.substring(_blank_to_null(F.col("claims")), 1, max_claim_chars)
    claim = (
        F.coalesce(_blank_to_null(F.col("first_claim")), all_claims)
        if claims == "first"
        else F.coalesce(all_claims, _blank_to_null(F.col("first_claim")))
    )
    docs = patents.select(
        F.col("pub_key").alias("doc_id"),
        language_key(
            F.coalesce(
                _blank_to_null(F.col("abstract_lang")),
                _blank_to_null(F.col("claims_lang")),
                _blank_to_null(F.col("title_lang")),
            )
        ).alias("language"),
        F.concat_ws(
            "\n",
            _blank_to_null(F.col("title")),
            _blank_to_null(F.col("abstract")),
            claim,
        ).alias("text"),
    )
    empty = F.trim(F.col("text")) == ""
    rejects = docs.where(empty).select(
        F.lit(PATENTS.id).alias("source"),
        F.col("doc_id").alias("locator"),
        F.lit(EMPTY).alias("reason"),
        F.lit("no title, abstract or claims").alias("excerpt"),
    )
    return docs.where(~empty), rejects


def rare_language_rejects(docs: DataFrame, rare: list[str], counts: dict[str, int]) -> DataFrame:
    """Documents of languages with too few documents for a pipeline of their own."""
    sizes = F.create_map(*[x for lang in rare for x in (F.lit(lang), F.lit(counts[lang]))])
    return docs.where(F.col("language").isin(*rare)).select(
        "source",
        "locator",
        F.lit(RARE_LANGUAGE).alias("reason"),
        F.concat(
            F.lit("language "),
            F.col("language"),
            F.lit(": "),
            sizes[F.col("language")].cast("string"),
            F.lit(" documents"),
        ).alias("excerpt"),
    )


# --- after the pipeline ------------------------------------------------------------------


def word_count(words: DataFrame) -> Column:
    return F.size(F.col("clean.result"))


def empty_rejects(words: DataFrame) -> DataFrame:
    """Documents left without a word once stop words, punctuation and templates are gone."""
    return words.where(word_count(words) == 0).select(
        F.col("source"),
        F.col("locator"),
        F.lit(EMPTY).alias("reason"),
        F.substring(F.col("text"), 1, 200).alias("excerpt"),
    )


@F.pandas_udf(ArrayType(DoubleType()))
def _mean_udf(vectors: pd.Series, size: pd.Series) -> pd.Series:
    out = []
    for rows, n in zip(vectors, size, strict=True):
        matrix = np.array([np.asarray(v, dtype=np.float64) for v in rows]).reshape(-1, n)
        matrix = matrix[np.any(matrix != 0, axis=1)]
        out.append(matrix.mean(axis=0) if len(matrix) else np.zeros(n))
    return pd.Series(out)


def mean_vector(word_vec: Column, size: int) -> Column:
    """The mean of the non-zero word vectors (Word2Vec gives zeros to words it did not keep);
    zeros when there is none, so every row has the same dimension."""
    return _mean(F.transform(word_vec, lambda a: a["embeddings"]), size)


def _mean(vectors: Column, size: int) -> Column:
    """Mean of an array of equal-length vectors, zero vectors left out (numpy in a pandas UDF:
    Spark's higher-order functions took twice as long)."""
    return _mean_udf(vectors, F.lit(size))


def patent_text(vectors: DataFrame, size: int, run_id: str) -> DataFrame:
    """gold/patent_text rows from the Word2Vec output of patent documents."""
    return vectors.select(
        F.col("doc_id").alias("pub_key"),
        "language",
        F.col("clean.result").alias("tokens"),
        mean_vector(F.col("word_vec"), size).alias("vector"),
        F.lit(run_id).alias("run_id"),
    )


def page_candidates(keywords: DataFrame) -> DataFrame:
    """doc_id, firm_id, language, gram, relevance: each page's YAKE keywords (words joined by
    spaces) with 1 for the page's best, falling linearly to 1/n for its n-th."""
    best = (
        keywords.select(
            "doc_id",
            "firm_id",
            "language",
            F.explode("keywords").alias("k"),
        )
        .select(
            "doc_id",
            "firm_id",
            "language",
            F.col("k.result").alias("gram"),
            F.col("k.metadata").getItem("score").cast("double").alias("score"),
        )
        .where(F.col("gram") != "")
        .groupBy("doc_id", "firm_id", "language", "gram")
        .agg(F.min("score").alias("score"))
    )
    page = Window.partitionBy("doc_id")
    rank = F.row_number().over(page.orderBy("score", "gram"))
    return best.withColumn("relevance", 1 - (rank - 1) / F.count(F.lit(1)).over(page)).drop("score")


def page_grams(keywords: DataFrame) -> DataFrame:
    """doc_id, firm_id, url, language, page_kind, gram, count: every 1..n-gram of each page's
    tokens, lower case (as YAKE writes its keywords)."""
    return (
        keywords.select(
            "doc_id",
            "firm_id",
            "url",
            "language",
            "page_kind",
            F.explode(F.transform("ngrams.result", F.lower)).alias("gram"),
        )
        .groupBy("doc_id", "firm_id", "url", "language", "page_kind", "gram")
        .count()
    )


def vocabulary_frame(spark: SparkSession, vocabularies: list[Vocabulary]) -> DataFrame:
    return spark.createDataFrame(
        [
            (
                v.language,
                sorted(v.stopwords),
                sorted(v.boilerplate),
                sorted(v.generic),
                sorted(v.technology_heads),
                sorted(v.joiners),
            )
            for v in vocabularies
        ],
        "language string, stopwords array<string>, boilerplate array<string>, "
        "generic array<string>, tech array<string>, joiners array<string>",
    )


def firm_names(firms: DataFrame) -> DataFrame:
    """firm_id, name_words (every word of every name key and of the domain's first label),
    name_strings (the name keys without spaces, for Japanese and Chinese keywords) and
    name_phrases (the name keys)."""
    label = F.regexp_extract(F.lower(F.coalesce("domain", F.lit(""))), r"^(?:www\.)?([^.]+)", 1)
    words = F.array_union(
        F.flatten(F.transform("name_keys", lambda k: F.split(k, r"[\s\-]+"))),
        F.split(label, "-"),
    )
    return firms.select(
        "firm_id",
        F.filter(words, lambda w: w != "").alias("name_words"),
        F.transform("name_keys", lambda k: F.regexp_replace(k, r"\s+", "")).alias("name_strings"),
        F.col("name_keys").alias("name_phrases"),
    )


def _surface(gram: Column, language: Column) -> Column:
    return F.when(
        language.isin(*sorted(SEGMENTED)), F.regexp_replace(gram, CJK_SPACE_JAVA, "")
    ).otherwise(gram)


def _kind_weight(weights: dict[str, float]) -> Column:
    mapping = F.create_map(*[x for k, w in sorted(weights.items()) for x in (F.lit(k), F.lit(w))])
    return F.coalesce(mapping[F.col("page_kind")], F.lit(weights.get("other", 1.0)))


def _any_word(max_words: int, test) -> Column:
    """test(word) holds for a word of `tokens` (an array of at most max_words)."""
    out = F.lit(False)
    for i in range(1, max_words + 1):
        out = out | ((F.size("tokens") >= i) & test(F.element_at("tokens", i)))
    return out


def _all_words(max_words: int, test) -> Column:
    """test(word) holds for every word of `tokens` (an array of at most max_words)."""
    out = F.lit(True)
    for i in range(1, max_words + 1):
        out = out & ((F.size("tokens") < i) | test(F.element_at("tokens", i)))
    return out


def _extensions(firm_grams: DataFrame, vocabulary: DataFrame, keys: DataFrame) -> DataFrame:
    """firm_id, language, gram, ext_tf: how often the gram occurs with the one word (not a stop
    word) that most often follows it, or precedes it, on the firm's pages (grams of `keys`
    only: firm_id, language, gram)."""
    tokens = F.split("gram", " ")
    n = F.size(tokens)
    longer = firm_grams.where(n >= 2)
    sides = longer.select(
        "firm_id",
        "language",
        "tf",
        F.array(
            F.struct(
                F.lit("right").alias("side"),
                F.array_join(F.slice(tokens, 1, n - 1), " ").alias("inner"),
                F.element_at(tokens, -1).alias("word"),
            ),
            F.struct(
                F.lit("left").alias("side"),
                F.array_join(F.slice(tokens, 2, n - 1), " ").alias("inner"),
                F.element_at(tokens, 1).alias("word"),
            ),
        ).alias("sides"),
    ).select("firm_id", "language", "tf", F.explode("sides").alias("s"))
    return (
        sides.select(
            "firm_id",
            "language",
            "tf",
            F.col("s.inner").alias("gram"),
            F.col("s.side").alias("side"),
            F.col("s.word").alias("word"),
        )
        .join(keys, ["firm_id", "language", "gram"], "left_semi")
        .join(F.broadcast(vocabulary.select("language", "stopwords")), "language")
        # Punctuation, digits and boundary marks are not words that extend a phrase.
        .where(~F.array_contains("stopwords", F.col("word")) & F.col("word").rlike(r"\pL"))
        .groupBy("firm_id", "language", "gram", "side", "word")
        .agg(F.sum("tf").alias("ext_tf"))
        .groupBy("firm_id", "language", "gram")
        .agg(F.max("ext_tf").alias("ext_tf"))
    )


def _technology_context(firm_grams: DataFrame, vocabulary: DataFrame, keys: DataFrame) -> DataFrame:
    """firm_id, language, gram, tech_tf: occurrences of the gram right before a technology
    head, a function word or punctuation mark between them allowed ("reactor technology",
    導波管技術, 導波管のノウハウ)."""
    tokens = F.split("gram", " ")
    n = F.size(tokens)
    before = F.element_at(tokens, -2)
    skip = (n >= 3) & (F.array_contains("stopwords", before) | ~before.rlike(r"\pL"))
    prefix = F.when(skip, F.slice(tokens, 1, n - 2)).otherwise(F.slice(tokens, 1, n - 1))
    return (
        firm_grams.where(n >= 2)
        .join(F.broadcast(vocabulary.select("language", "tech", "stopwords")), "language")
        .where(F.array_contains("tech", F.element_at(tokens, -1)))
        .select("firm_id", "language", F.array_join(prefix, " ").alias("gram"), "tf")
        .join(keys, ["firm_id", "language", "gram"], "left_semi")
        .groupBy("firm_id", "language", "gram")
        .agg(F.sum("tf").alias("tech_tf"))
    )


def firm_keywords(
    candidates: DataFrame,
    grams: DataFrame,
    vocabulary: DataFrame,
    names: DataFrame,
    selection: Selection,
    run_id: str,
) -> DataFrame:
    """Each firm's top_k product and service keywords: gold/firm_keywords columns and gram
    (the keyword's words as the pipeline cut them, for its vector)."""
    # A candidate's YAKE relevance for the firm: its best on any of the firm's pages.
    firm_cands = (
        candidates.groupBy("firm_id", "language", "gram")
        .agg(F.max("relevance").alias("relevance"))
        .localCheckpoint()
    )
    keys = F.broadcast(firm_cands.select("firm_id", "language", "gram"))
    # Every n-gram's count per firm (extensions and technology context read it).
    firm_grams = (
        grams.groupBy("firm_id", "language", "gram").agg(F.sum("count").alias("tf"))
    ).localCheckpoint()
    # How often, and on which pages, each candidate occurs on the firm's pages.
    stats = (
        grams.join(
            firm_cands.select("firm_id", "language", "gram"),
            ["firm_id", "language", "gram"],
            "left_semi",
        )
        .withColumn("w", _kind_weight(selection.page_kind_weights) * F.col("count"))
        .groupBy("firm_id", "language", "gram")
        .agg(
            F.sum("w").alias("tf_w"),
            F.sum("count").alias("tf"),
            F.array_sort(F.collect_set("url")).alias("urls"),
        )
        .join(firm_cands, ["firm_id", "language", "gram"])
        .withColumn("tokens", F.split("gram", " "))
        .withColumn("surface", _surface(F.col("gram"), F.col("language")))
        .join(F.broadcast(vocabulary), "language")
        .join(names, "firm_id", "left")
    )

    # 2. vocabulary and the firm's own name.
    cjk = F.col("surface").rlike(_CJK)
    # Word tests unrolled over a keyword's (at most max_ngram) words: array_contains on the
    # vocabulary arrays is generated code; inside exists/forall lambdas it is interpreted,
    # and took most of the stage's selection time.
    boilerplate = _any_word(selection.max_ngram, lambda t: F.array_contains("boilerplate", t)) | (
        cjk & F.exists("boilerplate", lambda b: (F.length(b) >= 2) & F.col("surface").contains(b))
    )
    generic_only = _all_words(
        selection.max_ngram,
        lambda t: F.array_contains("generic", t) | F.array_contains("stopwords", t),
    )
    # A stop word inside a keyword must be a joiner ("paints and coatings").
    bad_inner = _any_word(
        selection.max_ngram,
        lambda t: F.array_contains("stopwords", t) & ~F.array_contains("joiners", t),
    )
    tech_headed = F.array_contains("tech", F.element_at("tokens", -1)) | (
        cjk & F.exists("tech", lambda h: F.col("surface").endswith(h))
    )
    # Made of the name's words (and legal forms), or holding the whole name: "sakura",
    # "sakura electric corp", 平和家電, 华万医疗股份.
    padded = F.concat(F.lit(" "), F.col("gram"), F.lit(" "))
    own_name = F.coalesce(
        (
            _any_word(selection.max_ngram, lambda t: F.array_contains("name_words", t))
            & _all_words(
                selection.max_ngram,
                lambda t: F.array_contains("name_words", t) | F.array_contains("generic", t),
            )
        )
        | (
            cjk
            & F.exists(
                "name_strings",
                lambda n: (
                    (F.length(n) >= 2)
                    & (n.contains(F.col("surface")) | F.col("surface").contains(n))
                ),
            )
        )
        | F.exists("name_phrases", lambda n: padded.contains(F.concat(F.lit(" "), n, F.lit(" ")))),
        F.lit(False),
    )
    kept = stats.where(
        ~boilerplate
        & ~generic_only
        & ~bad_inner
        & ~tech_headed
        & ~own_name
        & (F.length("surface") >= 2)
    )

    # 3. technology context, and fragments of longer phrases: a term mostly seen before a
    # technology head, or mostly with the same word next to it ("storage" of "energy
    # storage", "charger and energy" of "charger and energy storage").
    kept = (
        kept.join(
            _technology_context(firm_grams, vocabulary, keys),
            ["firm_id", "language", "gram"],
            "left",
        )
        .join(_extensions(firm_grams, vocabulary, keys), ["firm_id", "language", "gram"], "left")
        .where(
            (F.coalesce("tech_tf", F.lit(0)) < F.col("tf") * F.lit(selection.technology_share))
            & (F.coalesce("ext_tf", F.lit(0)) < F.col("tf") * F.lit(selection.fragment_share))
        )
        .drop("tech_tf", "ext_tf")
        # Read twice below (cross-firm counts, then the join back): materialized once,
        # lineage cut, instead of planning and computing every step again.
        .localCheckpoint()
    )

    # 4. vocabulary of too many firms of the language.
    firms_per_language = grams.groupBy("language").agg(F.countDistinct("firm_id").alias("n_firms"))
    df = (
        firm_grams.select(
            "firm_id", "language", _surface(F.col("gram"), F.col("language")).alias("surface")
        )
        .join(kept.select("language", "surface").distinct(), ["language", "surface"], "left_semi")
        .groupBy("language", "surface")
        .agg(F.countDistinct("firm_id").alias("df"))
        .join(firms_per_language, "language")
    )
    share_ok = (F.col("n_firms") < selection.min_firms_for_share) | (
        F.col("df") <= F.col("n_firms") * F.lit(selection.max_firm_share)
    )
    kept = kept.join(df.where(share_ok), ["language", "surface"]).localCheckpoint()

    # 5. nested terms: a term whose occurrences are mostly inside longer kept terms
    # ("robots" inside "industrial robots", "paints" inside "paints and coatings", 処理 inside
    # 水処理 and 排煙処理): the most frequent longer term that holds it, or all the terms
    # one word longer together.
    n = F.size("tokens")
    inner = F.filter(
        F.flatten(
            F.transform(
                F.sequence(F.lit(1), F.greatest(n - 1, F.lit(1))),
                lambda length: F.transform(
                    F.sequence(F.lit(1), n - length + 1),
                    lambda start: F.struct(
                        F.array_join(F.slice("tokens", start, length), " ").alias("gram"),
                        (length == n - 1).alias("next"),
                    ),
                ),
            )
        ),
        lambda x: x["gram"] != F.col("gram"),
    )
    longer = (
        kept.where(n >= 2)
        .select("firm_id", "language", "tf", F.explode(F.array_distinct(inner)).alias("x"))
        .groupBy("firm_id", "language", F.col("x.gram").alias("gram"))
        .agg(
            F.greatest(F.max("tf"), F.sum(F.when(F.col("x.next"), F.col("tf")).otherwise(0))).alias(
                "long_tf"
            )
        )
    )
    kept = (
        kept.join(longer, ["firm_id", "language", "gram"], "left")
        .where(F.coalesce("long_tf", F.lit(0)) < F.col("tf") * F.lit(selection.subsumption_share))
        .drop("long_tf")
    )

    # 6. firm-level tf-idf; one row per keyword as written (segmentations merged).
    idf = F.log((F.col("n_firms") + 1) / (F.col("df") + 1)) + 1
    relevance = F.pow(F.col("relevance"), F.lit(selection.yake_exponent))
    scored = kept.withColumn("weight", F.col("tf_w") * idf * relevance)
    per_keyword = scored.groupBy("firm_id", F.col("surface").alias("keyword")).agg(
        F.sum("weight").alias("weight"),
        F.max_by("language", "weight").alias("language"),
        F.max_by("gram", "weight").alias("gram"),
        F.array_sort(F.array_distinct(F.flatten(F.collect_list("urls")))).alias("urls"),
    )
    order = Window.partitionBy("firm_id").orderBy(F.col("weight").desc(), F.col("keyword"))
    return (
        per_keyword.withColumn("rank", F.row_number().over(order))
        .where(F.col("rank") <= selection.top_k)
        .select(
            "firm_id",
            "keyword",
            "language",
            "weight",
            "rank",
            F.slice("urls", 1, selection.max_source_urls).alias("source_urls"),
            F.lit(run_id).alias("run_id"),
            "gram",
        )
    )


def keyword_vectors(
    keywords: DataFrame, word_vectors: DataFrame, size: int, run_id: str
) -> DataFrame:
    """gold/keyword_vectors: the mean vector of each keyword's words (keywords: language,
    keyword, gram; word_vectors: language, word, vector)."""
    words = keywords.select(
        "language", "keyword", F.explode(F.split("gram", " ")).alias("word")
    ).distinct()
    joined = words.join(word_vectors, ["language", "word"], "left")
    return (
        joined.groupBy("language", "keyword")
        .agg(F.collect_list("vector").alias("vectors"))
        .select(
            "language",
            "keyword",
            _mean(F.col("vectors"), size).alias("vector"),
            F.lit(run_id).alias("run_id"),
        )
    )
