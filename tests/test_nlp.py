"""Spark NLP on the project's classpath: every annotator innolink uses, on real patent text.

The abstracts are the 22 utility grants of a real USPTO weekly-file fragment (the 3 design
patents in it have no abstract).
"""

from __future__ import annotations

import re
import sys

import mlflow
import mlflow.spark
import pytest
from innolink import nlp
from lxml import etree
from pyspark.ml import Pipeline, PipelineModel
from sparknlp.annotator import (
    Doc2VecApproach,
    NGramGenerator,
    Normalizer,
    SentenceDetector,
    StopWordsCleaner,
    Tokenizer,
    Word2VecApproach,
    YakeKeywordExtraction,
)
from sparknlp.base import DocumentAssembler

from .conftest import SHARED

WEEKLY_FILE = SHARED / "patents/uspto_fulltext_xml/ipg120103.sample25.xml"


def abstracts() -> dict[str, str]:
    """doc-number -> abstract text of every grant with an abstract in the weekly fragment."""
    parser = etree.XMLParser(resolve_entities=False, load_dtd=False, no_network=True)
    out = {}
    for doc in re.split(rb"(?=<\?xml )", WEEKLY_FILE.read_bytes()):
        if not doc.strip():
            continue
        root = etree.fromstring(doc, parser)
        abstract = root.find(".//abstract")
        if abstract is not None:
            number = root.findtext(".//publication-reference/document-id/doc-number")
            out[number] = " ".join(" ".join(abstract.itertext()).split())
    return out


def text_pipeline() -> Pipeline:
    """The annotators of the keyword and patent-text stages, in the order they use them."""
    return Pipeline(
        stages=[
            DocumentAssembler().setInputCol("text").setOutputCol("document"),
            SentenceDetector().setInputCols(["document"]).setOutputCol("sentence"),
            Tokenizer().setInputCols(["sentence"]).setOutputCol("token"),
            Normalizer().setInputCols(["token"]).setOutputCol("normal").setLowercase(True),
            StopWordsCleaner().setInputCols(["normal"]).setOutputCol("clean"),
            NGramGenerator().setInputCols(["clean"]).setOutputCol("ngram").setN(2),
            YakeKeywordExtraction()
            .setInputCols(["token"])
            .setOutputCol("keyword")
            .setMinNGrams(1)
            .setMaxNGrams(3)
            .setNKeywords(5),
            Word2VecApproach()
            .setInputCols(["clean"])
            .setOutputCol("word_vec")
            .setVectorSize(8)
            .setMinCount(1)
            .setSeed(7),
            Doc2VecApproach()
            .setInputCols(["clean"])
            .setOutputCol("doc_vec")
            .setVectorSize(8)
            .setMinCount(1)
            .setSeed(7),
        ]
    )


@pytest.fixture(scope="module")
def corpus(spark):
    texts = abstracts()
    # One partition: Word2Vec's result depends on how the corpus is partitioned.
    return spark.createDataFrame(sorted(texts.items()), "id string, text string").coalesce(1)


@pytest.fixture(scope="module")
def fitted(corpus):
    return text_pipeline().fit(corpus)


@pytest.fixture(scope="module")
def new_text(spark):
    # Text the model never saw, incl. a word outside the Word2Vec vocabulary ("graphene").
    return spark.createDataFrame(
        [("n1", "A stent delivery catheter with a graphene coated balloon. It tracks two wires.")],
        "id string, text string",
    )


def outputs(model: PipelineModel, df) -> list[tuple]:
    rows = model.transform(df).selectExpr(
        "id",
        "clean.result",
        "ngram.result",
        "keyword.result",
        "transform(word_vec, a -> a.embeddings)",
        "transform(doc_vec, a -> a.embeddings)",
    )
    return [tuple(r) for r in rows.sort("id").collect()]


def test_stack_versions(spark):
    assert spark.version == "3.5.9"
    assert nlp.jar_version(spark) == "5.5.3"
    assert nlp.python_version() == "5.5.3"


def test_the_corpus_is_the_real_fragment():
    texts = abstracts()
    assert len(texts) == 22
    assert texts["08088102"].startswith(
        "The present invention provides a dilatation and stent delivery device which tracks "
        "over two guidewires."
    )


def test_annotators_on_a_real_abstract(fitted, corpus):
    row = (
        fitted.transform(corpus.where("id = '08088102'"))
        .selectExpr(
            "sentence.result as sentences",
            "token.result as tokens",
            "clean.result as clean",
            "ngram.result as ngrams",
            "keyword.result as keywords",
            "word_vec",
            "doc_vec",
        )
        .first()
    )
    assert row.sentences == [
        "The present invention provides a dilatation and stent delivery device which tracks "
        "over two guidewires.",
        "One guidewire is disposed in each branch vessel of a bifurcation.",
        "The present invention provides a dilatation and stent delivery device which enables "
        "efficient and accurate stent deployment and dilatation of bifurcation lesions.",
    ]
    assert row.tokens[:6] == ["The", "present", "invention", "provides", "a", "dilatation"]
    # Normalizer lower-cases and drops the full stop; StopWordsCleaner drops the/a/and/which.
    assert row.clean[:7] == [
        "present",
        "invention",
        "provides",
        "dilatation",
        "stent",
        "delivery",
        "device",
    ]
    assert not {"the", "a", "and", "which", "over", "."} & set(row.clean)
    assert len(row.clean) == 31
    # Bigrams run within a document over the cleaned tokens, across sentence ends.
    assert row.ngrams[:3] == ["present invention", "invention provides", "provides dilatation"]
    assert "guidewires one" not in row.ngrams and "one guidewire" in row.ngrams
    # YAKE marks each occurrence of its five best candidates (unigrams win on this text).
    assert sorted(set(row.keywords)) == ["delivery", "dilatation", "invention", "provides", "stent"]
    # One 8-dimensional vector per cleaned token, and (tokens come from sentences) one
    # Doc2Vec vector per sentence.
    assert len(row.word_vec) == len(row.clean)
    assert {len(a.embeddings) for a in row.word_vec} == {8}
    assert [len(a.embeddings) for a in row.doc_vec] == [8, 8, 8]


def test_yake_needs_the_package_mapping(fitted, tmp_path):
    # sparknlp 5.5.3 does not map YAKE's Java package to a module: without innolink.nlp's
    # mapping, the reload fails. If a later sparknlp maps it, this test says the shim can go.
    path = str(tmp_path / "model")
    fitted.save(path)
    package = "com.johnsnowlabs.nlp.annotators.keyword.yake"
    saved = sys.modules.pop(package)
    try:
        with pytest.raises(ModuleNotFoundError, match="keyword"):
            PipelineModel.load(path)
    finally:
        sys.modules[package] = saved
    assert isinstance(nlp.load_pipeline(path), PipelineModel)


def test_saved_pipeline_reloads_identically(fitted, new_text, tmp_path):
    path = str(tmp_path / "model")
    fitted.write().overwrite().save(path)
    reloaded = nlp.load_pipeline(path)
    before = outputs(fitted, new_text)
    assert outputs(reloaded, new_text) == before
    # The unseen word gets a zero vector rather than an error.
    words = before[0][1]
    assert words == [
        "stent",
        "delivery",
        "catheter",
        "graphene",
        "coated",
        "balloon",
        "tracks",
        "two",
        "wires",
    ]
    assert before[0][3] == ["delivery", "catheter", "graphene", "coated", "balloon"]
    assert len(before[0][4]) == len(words)


def test_mlflow_round_trip(fitted, new_text, tmp_path):
    mlflow.set_tracking_uri(f"sqlite:///{tmp_path}/mlflow.db")
    exp = mlflow.create_experiment("nlp", artifact_location=(tmp_path / "artifacts").as_uri())
    from innolink.tracking import log_spark_model

    with mlflow.start_run(experiment_id=exp):
        info = log_spark_model(fitted, "text_pipeline")

    reloaded = mlflow.spark.load_model(info.model_uri)
    assert outputs(reloaded, new_text) == outputs(fitted, new_text)
    requirements = next((tmp_path / "artifacts").glob("**/requirements.txt")).read_text()
    assert "spark-nlp==5.5.3" in requirements and "pyspark==3.5.9" in requirements
