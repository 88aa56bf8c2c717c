"""The Spark NLP pipeline of one language: text -> words, keyword candidates, n-grams, vectors.

    Segmenter (NFKC; Sudachi / jieba words for Japanese / Chinese, in a pandas UDF)
    -> DocumentAssembler -> DocumentNormalizer (URLs, e-mail addresses out)
    -> SentenceDetector (line ends and 。 end a sentence too) -> Tokenizer
    -> Normalizer (lower case, letters only) -> StopWordsCleaner
    -> YakeKeywordExtraction (candidates of 1..n words, on the tokens: punctuation and
       Sudachi's boundary marks end a candidate) and NGramGenerator (1..n+1-grams of the
       tokens: how often a candidate occurs on each page, and what stands next to it)
    -> Word2Vec (trained on the language's pages and patents).

Only rule-based and trainable annotators: nothing is downloaded. The Segmenter is a Python
stage that saves and loads with the Spark NLP stages, so the logged PipelineModel takes raw
text like the stage does (tests/test_keywords_pipeline.py reloads it from MLflow).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from pyspark import keyword_only
from pyspark.ml import Pipeline, PipelineModel, Transformer
from pyspark.ml.param import Param, Params, TypeConverters
from pyspark.ml.param.shared import HasInputCol, HasOutputCol
from pyspark.ml.util import DefaultParamsReadable, DefaultParamsWritable
from pyspark.sql import DataFrame
from pyspark.sql import functions as F
from pyspark.sql.types import StringType

from innolink import nlp
from innolink.keywords import segment as S
from innolink.keywords.vocabulary import Vocabulary

# Spark NLP's annotators import the JVM side; innolink.nlp maps the Java packages a saved
# pipeline names (YAKE's), so a logged model reloads.
nlp.register_java_packages()

from sparknlp.annotator import (  # noqa: E402
    DocumentNormalizer,
    NGramGenerator,
    Normalizer,
    SentenceDetector,
    StopWordsCleaner,
    Tokenizer,
    Word2VecApproach,
    Word2VecModel,
    YakeKeywordExtraction,
)
from sparknlp.base import DocumentAssembler  # noqa: E402


# A DataType, not the "string" DDL: parsing DDL needs a session, and this runs at import.
@F.pandas_udf(StringType())
def _segment(text: pd.Series, language: pd.Series, mode: pd.Series) -> pd.Series:
    return pd.Series(
        [S.segment(t, lang, m) for t, lang, m in zip(text, language, mode, strict=True)]
    )


class Segmenter(
    Transformer, HasInputCol, HasOutputCol, DefaultParamsReadable, DefaultParamsWritable
):
    """Normalized text, words separated by spaces (Japanese: Sudachi, Chinese: jieba)."""

    language = Param(
        Params._dummy(), "language", "ISO 639-1 code of the text", TypeConverters.toString
    )
    splitMode = Param(
        Params._dummy(), "splitMode", "Sudachi split mode: A, B or C", TypeConverters.toString
    )

    @keyword_only
    def __init__(self, inputCol="text", outputCol="segmented", language="en", splitMode="C"):
        super().__init__()
        self._setDefault(inputCol="text", outputCol="segmented", language="en", splitMode="C")
        self._set(**self._input_kwargs)

    def getLanguage(self) -> str:
        return self.getOrDefault(self.language)

    def getSplitMode(self) -> str:
        return self.getOrDefault(self.splitMode)

    def _transform(self, dataset: DataFrame) -> DataFrame:
        return dataset.withColumn(
            self.getOutputCol(),
            _segment(
                F.col(self.getInputCol()), F.lit(self.getLanguage()), F.lit(self.getSplitMode())
            ),
        )


@dataclass(frozen=True)
class Settings:
    """What the pipeline needs from stages.keywords."""

    max_ngram: int = 3
    yake_keywords: int = 50
    vector_size: int = 32
    window: int = 5
    iterations: int = 1
    min_count: int = 2
    seed: int = 7
    split_mode: str = "C"


# Addresses say nothing about products, and their parts would become words.
_ADDRESSES = [r"(?:https?://|www\.)\S+", r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+"]
# Line ends separate headings, list items and table cells; 。 ends a Japanese or Chinese
# sentence (NFKC leaves it, unlike the full-width ! and ?).
_BOUNDS = ["\n", "。"]
# Letters of any script survive; digits (claim numbers, years, prices), punctuation and
# boundary marks go. YAKE never puts a digit in a keyword either.
_CLEANUP = [r"[^\pL]"]


def text_stages(language: str, vocabulary: Vocabulary, settings: Settings) -> list:
    """Every stage up to the cleaned words (the part applied to pages and patents alike;
    the Tokenizer is an estimator: fit it, with the rest, through a Pipeline)."""
    stop = sorted(vocabulary.stopwords)
    return [
        Segmenter(
            inputCol="text", outputCol="segmented", language=language, splitMode=settings.split_mode
        ),
        DocumentAssembler().setInputCol("segmented").setOutputCol("document"),
        DocumentNormalizer()
        .setInputCols(["document"])
        .setOutputCol("normalized")
        .setAction("clean")
        .setPatterns(_ADDRESSES)
        .setReplacement(" ")
        # "pretty" policies also collapse line ends, which end sentences here.
        .setPolicy("all"),
        SentenceDetector()
        .setInputCols(["normalized"])
        .setOutputCol("sentence")
        .setCustomBounds(_BOUNDS)
        # Abbreviation rules cost most of the detector's time and only keep "Corp." from
        # ending a sentence, which does not matter for keywords.
        .setUseAbbreviations(False)
        .setDetectLists(False),
        Tokenizer().setInputCols(["sentence"]).setOutputCol("token"),
        Normalizer()
        .setInputCols(["token"])
        .setOutputCol("normal")
        .setLowercase(True)
        .setCleanupPatterns(_CLEANUP),
        StopWordsCleaner()
        .setInputCols(["normal"])
        .setOutputCol("clean")
        .setStopWords(stop)
        .setCaseSensitive(False),
    ]


def keyword_stages(vocabulary: Vocabulary, settings: Settings) -> list:
    """YAKE candidates and n-gram counts (pages only: patents skip them)."""
    return [
        YakeKeywordExtraction()
        .setInputCols(["token"])
        .setOutputCol("keywords")
        .setMinNGrams(1)
        .setMaxNGrams(settings.max_ngram)
        .setNKeywords(settings.yake_keywords)
        .setStopWords(sorted(vocabulary.stopwords | vocabulary.boilerplate)),
        # On the tokens, not the normalized words: punctuation and Sudachi's boundary marks
        # stay, so an n-gram never joins words a comma or a particle separates.
        NGramGenerator()
        .setInputCols(["token"])
        .setOutputCol("ngrams")
        # One word longer than a keyword: which word most often extends it.
        .setN(settings.max_ngram + 1)
        .setEnableCumulative(True)
        .setDelimiter(" "),
    ]


def word2vec(settings: Settings, min_count: int | None = None) -> Word2VecApproach:
    return (
        Word2VecApproach()
        .setInputCols(["clean"])
        .setOutputCol("word_vec")
        .setVectorSize(settings.vector_size)
        .setWindowSize(settings.window)
        .setMaxIter(settings.iterations)
        .setMinCount(settings.min_count if min_count is None else min_count)
        .setSeed(settings.seed)
        .setNumPartitions(1)
    )


@dataclass
class Fitted:
    """One language's fitted pipeline and its output on the documents it was fitted on."""

    language: str
    # Every stage, raw text in: what is logged to MLflow.
    model: PipelineModel
    # The text stages' output (materialized: Word2Vec and every output read it).
    words: DataFrame
    # The stages after the cleaned words (YAKE, n-grams, Word2Vec), to apply to `words`.
    tail: PipelineModel
    vectors: Word2VecModel


def fit(
    docs: DataFrame, language: str, vocabulary: Vocabulary, settings: Settings
) -> Fitted | None:
    """Fit one language's pipeline on its documents (columns doc_id, text, ...); None when
    they have no word at all (nothing to train Word2Vec on).

    The text stages' output is materialized once (lineage cut) and Word2Vec is fitted on it,
    rather than letting Pipeline.fit compute it and transform compute it again.
    """
    # Pipeline.fit only builds the Tokenizer's rules here (no pass over the data).
    text = Pipeline(stages=text_stages(language, vocabulary, settings)).fit(docs)
    words = text.transform(docs).localCheckpoint()
    counts = (
        words.select(F.explode("clean.result").alias("w"))
        .groupBy("w")
        .count()
        .agg(
            F.count(F.lit(1)).alias("distinct"),
            F.count(F.when(F.col("count") >= settings.min_count, 1)).alias("frequent"),
        )
        .first()
    )
    if not counts["distinct"]:
        return None
    # A language with a page or two may have no word min_count times: then every word counts.
    vectors = word2vec(settings, None if counts["frequent"] else 1).fit(words)
    tail = PipelineModel(stages=[*keyword_stages(vocabulary, settings), vectors])
    model = PipelineModel(stages=[*text.stages, *tail.stages])
    return Fitted(language=language, model=model, words=words, tail=tail, vectors=vectors)
