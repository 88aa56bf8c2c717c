"""The keywords stage's Spark NLP pipelines on real Japanese and Chinese patents (JPO and
CNIPA full text): Sudachi / jieba inside Spark, YAKE candidates, Word2Vec, and a logged
model that reloads from MLflow and gives the same output on text it never saw."""

from __future__ import annotations

import re
from pathlib import Path

import mlflow
import mlflow.spark
import pytest
from innolink import nlp
from innolink.keywords import pipeline as P
from innolink.keywords import vocabulary as V
from innolink.patents.readers import cnipa, jpo
from innolink.tracking import log_spark_model
from pyspark.ml import PipelineModel

from .conftest import ROOT, SHARED

JA_ZH = SHARED / "patents/ja_zh"
SETTINGS = P.Settings(vector_size=8, min_count=1, seed=7)


def _text(doc) -> str:
    return "\n".join(x for x in (doc.title, doc.abstract, doc.first_claim) if x)


def _fit(spark, language: str, rows: list[tuple[str, str]]) -> P.Fitted:
    lists = V.read(ROOT / "conf/mappings/stopwords.yaml")
    vocabulary = V.vocabulary(lists, language, V.spark_stopwords)
    # One partition: Word2Vec's result depends on how the corpus is partitioned.
    docs = spark.createDataFrame(rows, "doc_id string, text string").coalesce(1)
    fitted = P.fit(docs, language, vocabulary, SETTINGS)
    assert fitted is not None
    return fitted


@pytest.fixture(scope="module")
def japanese(spark):
    rows = [
        (path.stem, _text(jpo.parse_document(path.read_bytes())))
        for path in sorted((JA_ZH / "jpo_gazette_xml").glob("*.xml"))
    ]
    return _fit(spark, "ja", rows), rows


@pytest.fixture(scope="module")
def chinese(spark):
    rows = [
        (path.stem, _text(cnipa.parse_document(path.read_bytes())))
        for path in sorted((JA_ZH / "cnipa_xml_old").glob("CN10422*.xml"))
    ]
    return _fit(spark, "zh", rows), rows


def _best(annotations, n: int) -> list[str]:
    """YAKE's n best keywords (lower score = better), ties by keyword."""
    scored = sorted({(float(a.metadata["score"]), a.result) for a in annotations})
    return [k for _, k in scored[:n]]


def outputs(model: PipelineModel, df) -> list[tuple]:
    rows = model.transform(df).selectExpr(
        "doc_id",
        "segmented",
        "clean.result",
        "keywords.result",
        "ngrams.result",
        "transform(word_vec, a -> a.embeddings)",
    )
    return [tuple(r) for r in rows.orderBy("doc_id").collect()]


def test_japanese_patent(japanese, spark):
    fitted, rows = japanese
    assert [r[0] for r in rows] == ["JP2021044249A", "JP2021044377A", "JP2021509175A"]
    out = {
        r.doc_id: r
        for r in fitted.model.transform(spark.createDataFrame(rows, "doc_id string, text string"))
        .select("doc_id", "clean", "keywords", "word_vec")
        .collect()
    }
    disco = out["JP2021044377A"]
    # Segmented by Sudachi in Spark's Python workers; particles gone, 該 (patent language) too.
    assert [a.result for a in disco.clean][:8] == [
        "ウェーハ",
        "加工",
        "方法",
        "品質",
        "低下",
        "デバイス",
        "チップ",
        "形成",
    ]
    assert "該" not in {a.result for a in disco.clean}
    # The wafer-processing claim's compound term is YAKE's best, whole.
    assert _best(disco.keywords, 3) == ["ポリオレフィン 系 シート", "ウェーハ", "ポリオレフィン 系"]
    assert _best(out["JP2021044249A"].keywords, 2) == ["電極 材料", "材料"]
    # One 8-dimensional Word2Vec vector per cleaned word (digits are not words).
    assert len(disco.word_vec) == len(disco.clean) == 181
    assert {len(a.embeddings) for a in disco.word_vec} == {8}


def test_chinese_patent(chinese, spark):
    fitted, rows = chinese
    out = {
        r.doc_id: r
        for r in fitted.model.transform(spark.createDataFrame(rows, "doc_id string, text string"))
        .select("doc_id", "clean", "keywords")
        .collect()
    }
    licorice = out["CN104223352A"]
    # jieba in Spark; 一种 and 其特征在于-style claim words are stop words.
    assert [a.result for a in licorice.clean][:6] == [
        "甘草",
        "发酵",
        "所得",
        "烟用",
        "香料",
        "应用",
    ]
    assert "一种" not in {a.result for a in licorice.clean}
    assert "烟用 香料" in _best(licorice.keywords, 5)
    # No Japanese words or stop words leak in: a Chinese pipeline has its own vocabulary.
    assert _best(out["CN104223590A"].keywords, 2) == ["开缝", "脚型 量具"]


@pytest.fixture(scope="module")
def new_text(spark):
    # Text the model never saw, incl. words outside its Word2Vec vocabulary.
    return spark.createDataFrame(
        [
            ("n1", "当社のバッテリーパックや蓄電システムをご用意しています。"),
            ("n2", "ウェーハの加工方法と、ポリオレフィン系シートを用いたデバイスチップの形成。"),
        ],
        "doc_id string, text string",
    )


def test_saved_pipeline_reloads_identically(japanese, new_text, tmp_path):
    fitted, _ = japanese
    path = str(tmp_path / "model")
    fitted.model.write().overwrite().save(path)
    reloaded = nlp.load_pipeline(path)
    before = outputs(fitted.model, new_text)
    assert outputs(reloaded, new_text) == before
    # The Python segmenter is a stage of the saved model, with its language.
    assert isinstance(reloaded.stages[0], P.Segmenter)
    assert reloaded.stages[0].getLanguage() == "ja"
    assert before[0][1] == "当社 | バッテリーパック | 蓄電 システム | ご 用意 |"
    # 当社 and ご are stop words; YAKE marks every occurrence of its candidates.
    assert before[0][2] == ["バッテリーパック", "蓄電", "システム", "用意"]
    assert before[0][3] == ["バッテリーパック", "蓄電", "システム", "用意", "蓄電 システム"]


def test_mlflow_round_trip(japanese, new_text, tmp_path):
    fitted, _ = japanese
    mlflow.set_tracking_uri(f"sqlite:///{tmp_path}/mlflow.db")
    exp = mlflow.create_experiment("kw", artifact_location=(tmp_path / "artifacts").as_uri())
    with mlflow.start_run(experiment_id=exp):
        info = log_spark_model(fitted.model, "keywords_ja")
    reloaded = mlflow.spark.load_model(info.model_uri)
    assert outputs(reloaded, new_text) == outputs(fitted.model, new_text)


def test_no_pretrained_models_anywhere():
    # Spark NLP's pretrained models are downloads; nothing of innolink may ask for one.
    calls = [
        f"{path.relative_to(ROOT)}:{n}"
        for folder in ("libs", "jobs", "tests", "benchmarks")
        for path in sorted((ROOT / folder).rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if re.search(r"\.pretrained\(", line) and path != Path(__file__)
    ]
    assert calls == []
