"""Pages, patents and firms in; firm keywords, patent text and vectors out (no I/O).

The stage (innolink.keywords.stage) reads the silver tables, calls `extract` and writes what
it returns; the evaluation on labelled pages calls it on pages read from files.
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from pyspark.ml import PipelineModel
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from innolink.config import KeywordsConfig
from innolink.keywords import pipeline as P
from innolink.keywords import transforms as T
from innolink.keywords import vocabulary as V
from innolink.tables import FIRM_KEYWORDS, PAGES, PATENTS

log = logging.getLogger(__name__)

PAGE = PAGES.id
PATENT = PATENTS.id


def settings_of(cfg: KeywordsConfig) -> P.Settings:
    return P.Settings(
        max_ngram=cfg.max_ngram,
        yake_keywords=cfg.yake_keywords,
        vector_size=cfg.vector_size,
        window=cfg.word2vec_window,
        iterations=cfg.word2vec_iterations,
        min_count=cfg.word2vec_min_count,
        seed=cfg.seed,
        split_mode=cfg.japanese_split_mode,
    )


def selection_of(cfg: KeywordsConfig) -> T.Selection:
    return T.Selection(
        top_k=cfg.top_k,
        max_ngram=cfg.max_ngram,
        page_kind_weights=dict(cfg.page_kind_weights),
        template_share=cfg.template_share,
        template_min_pages=cfg.template_min_pages,
        max_firm_share=cfg.max_firm_share,
        min_firms_for_share=cfg.min_firms_for_share,
        technology_share=cfg.technology_share,
        fragment_share=cfg.fragment_share,
        subsumption_share=cfg.subsumption_share,
        yake_exponent=cfg.yake_exponent,
    )


@dataclass
class Outputs:
    # gold/firm_keywords columns (+ gram: the keyword's words, for its vector).
    firm_keywords: DataFrame
    patent_text: DataFrame
    keyword_vectors: DataFrame
    # source, locator, reason, excerpt.
    rejects: DataFrame
    # language -> fitted pipeline (raw text in).
    models: dict[str, PipelineModel]
    pages_out: int
    patents_out: int


def documents(
    pages: DataFrame, patents: DataFrame, cfg: KeywordsConfig
) -> tuple[DataFrame, DataFrame]:
    """(documents, rejects): one row per page (latest crawl) and patent with text."""
    latest, superseded = T.latest_pages(pages)
    page_docs = T.drop_template_lines(
        T.page_documents(latest, cfg.max_page_chars), cfg.template_share, cfg.template_min_pages
    ).select(
        "doc_id",
        F.lit(PAGE).alias("source"),
        T.page_locator(F.col("url"), F.col("crawl_id")).alias("locator"),
        "language",
        "text",
        "firm_id",
        "url",
        "page_kind",
    )
    patent_docs, empty = T.patent_documents(patents, cfg.patent_claims, cfg.max_claim_chars)
    patent_docs = patent_docs.select(
        "doc_id",
        F.lit(PATENT).alias("source"),
        F.col("doc_id").alias("locator"),
        "language",
        "text",
        F.lit(None).cast("string").alias("firm_id"),
        F.lit(None).cast("string").alias("url"),
        F.lit(None).cast("string").alias("page_kind"),
    )
    return page_docs.unionByName(patent_docs), superseded.unionByName(empty)


def extract(
    spark: SparkSession,
    pages: DataFrame,
    patents: DataFrame,
    firms: DataFrame,
    lists: dict[str, dict[str, list[str]]],
    cfg: KeywordsConfig,
    run_id: str,
) -> Outputs:
    started = time.monotonic()
    settings = settings_of(cfg)
    docs, rejects = documents(pages, patents, cfg)
    # Materialized with its lineage cut (localCheckpoint), here and below: every later plan
    # then starts from the stored rows, not from the plans before them. Planning a join on
    # top of four languages' Spark NLP pipelines took longer than running it.
    docs = docs.localCheckpoint()
    counts = {r["language"]: r["count"] for r in docs.groupBy("language").count().collect()}
    languages = sorted(lang for lang, n in counts.items() if n >= cfg.min_language_documents)
    rare = sorted(set(counts) - set(languages))
    if rare:
        rejects = rejects.unionByName(T.rare_language_rejects(docs, rare, counts))
    log.info("keywords: documents by language %s (%.1f s)", counts, time.monotonic() - started)
    vocabularies = {lang: V.vocabulary(lists, lang, V.spark_stopwords) for lang in languages}

    page_parts, patent_parts, empty_parts = [], [], []
    models: dict[str, PipelineModel] = {}

    def fit(lang: str) -> P.Fitted | None:
        fitted = P.fit(docs.where(F.col("language") == lang), lang, vocabularies[lang], settings)
        log.info("keywords: %s pipeline fitted (%.1f s)", lang, time.monotonic() - started)
        return fitted

    # The languages' pipelines are fitted side by side: each is a chain of small Spark jobs
    # that leaves cores idle on its own (Spark runs jobs of several threads at once).
    with ThreadPoolExecutor(
        max_workers=max(1, min(cfg.parallel_languages, len(languages)))
    ) as pool:
        fits = dict(zip(languages, pool.map(fit, languages), strict=True))
    for lang in languages:
        fitted = fits[lang]
        if fitted is None:
            # Not a word in any document of the language: every one of them is empty.
            empty_parts.append(
                docs.where(F.col("language") == lang).select(
                    "source",
                    "locator",
                    F.lit(T.EMPTY).alias("reason"),
                    F.substring("text", 1, 200).alias("excerpt"),
                )
            )
            continue
        models[lang] = fitted.model
        words = fitted.words
        has_words = T.word_count(words) > 0
        page_parts.append(
            fitted.tail.transform(words.where((F.col("source") == PAGE) & has_words)).select(
                "doc_id", "firm_id", "url", "language", "page_kind", "keywords", "ngrams"
            )
        )
        patent_parts.append(
            fitted.vectors.transform(words.where((F.col("source") == PATENT) & has_words)).select(
                "doc_id", "language", "clean", "word_vec"
            )
        )
        empty_parts.append(T.empty_rejects(words))

    page_kw = _union(page_parts, spark, _PAGE_KW).localCheckpoint()
    patent_rows = T.patent_text(
        _union(patent_parts, spark, _PATENT_VEC), cfg.vector_size, run_id
    ).localCheckpoint()
    empties = _union(empty_parts, spark, _REJECT).localCheckpoint()
    pages_out = page_kw.count()
    patents_out = patent_rows.count()
    log.info(
        "keywords: %d pages, %d patents through the pipelines (%.1f s)",
        pages_out,
        patents_out,
        time.monotonic() - started,
    )

    grams = T.page_grams(page_kw).localCheckpoint()
    candidates = T.page_candidates(page_kw)
    # Small, and joined in several places: materialized once rather than once per join.
    vocab_frame = T.vocabulary_frame(spark, list(vocabularies.values())).localCheckpoint()
    names = T.firm_names(firms).localCheckpoint()
    keywords = T.firm_keywords(
        candidates, grams, vocab_frame, names, selection_of(cfg), run_id
    ).localCheckpoint()
    log.info("keywords: firm keywords chosen (%.1f s)", time.monotonic() - started)
    vectors = T.keyword_vectors(keywords, _word_vectors(spark, models), cfg.vector_size, run_id)
    log.info("keywords: keyword vectors planned (%.1f s)", time.monotonic() - started)

    all_rejects = rejects.unionByName(empties)
    return Outputs(
        firm_keywords=keywords,
        patent_text=patent_rows,
        keyword_vectors=vectors,
        rejects=all_rejects,
        models=models,
        pages_out=pages_out,
        patents_out=patents_out,
    )


_PAGE_KW = (
    "doc_id string, firm_id string, url string, language string, page_kind string, "
    "keywords array<struct<annotatorType:string,begin:int,end:int,result:string,"
    "metadata:map<string,string>,embeddings:array<float>>>, "
    "ngrams array<struct<annotatorType:string,begin:int,end:int,result:string,"
    "metadata:map<string,string>,embeddings:array<float>>>"
)
_PATENT_VEC = (
    "doc_id string, language string, "
    "clean array<struct<annotatorType:string,begin:int,end:int,result:string,"
    "metadata:map<string,string>,embeddings:array<float>>>, "
    "word_vec array<struct<annotatorType:string,begin:int,end:int,result:string,"
    "metadata:map<string,string>,embeddings:array<float>>>"
)
_REJECT = "source string, locator string, reason string, excerpt string"


def _union(frames: list[DataFrame], spark: SparkSession, schema: str) -> DataFrame:
    if not frames:
        return spark.createDataFrame([], schema)
    out = frames[0]
    for frame in frames[1:]:
        out = out.unionByName(frame)
    return out


def _word_vectors(spark: SparkSession, models: dict[str, PipelineModel]) -> DataFrame:
    """language, word, vector of every language's Word2Vec vocabulary."""
    frames = [
        model.stages[-1]
        .getVectors()
        .select(F.lit(lang).alias("language"), "word", F.col("vector").cast("array<double>"))
        for lang, model in sorted(models.items())
    ]
    return _union(frames, spark, "language string, word string, vector array<double>")


def firm_keyword_rows(outputs: Outputs) -> DataFrame:
    return outputs.firm_keywords.select(*FIRM_KEYWORDS.columns)
