"""The JVM half of the stack: Delta on s3a:// through a real S3 protocol server, with Spark NLP."""

import boto3
import pytest
from innolink.config import S3aConfig
from innolink.session import apply_s3a
from moto.server import ThreadedMotoServer


@pytest.fixture
def s3_endpoint():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def test_delta_round_trip_on_s3a(spark, s3_endpoint):
    bucket = "innolink-test"
    boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1").create_bucket(
        Bucket=bucket
    )
    # The production code path: per-bucket s3a settings, credentials from the default chain
    # (the test's environment variables), none in configuration.
    apply_s3a(
        spark,
        S3aConfig(
            endpoint=s3_endpoint, region="us-east-1", path_style_access=True, ssl_enabled=False
        ),
        bucket=bucket,
    )
    path = f"s3a://{bucket}/warehouse/silver/things"
    spark.createDataFrame([(1, "a"), (2, "b")], "id int, v string").write.format("delta").save(path)
    spark.createDataFrame([(3, "c")], "id int, v string").write.format("delta").mode("append").save(
        path
    )
    assert sorted(tuple(r) for r in spark.read.format("delta").load(path).collect()) == [
        (1, "a"),
        (2, "b"),
        (3, "c"),
    ]
    assert spark.read.format("delta").option("versionAsOf", 0).load(path).count() == 2
    keys = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1").list_objects_v2(
        Bucket=bucket, Prefix="warehouse/silver/things/_delta_log/"
    )["Contents"]
    assert [k["Key"].rsplit("/", 1)[1] for k in keys if k["Key"].endswith(".json")] == [
        "00000000000000000000.json",
        "00000000000000000001.json",
    ]


def test_spark_nlp_to_delta_on_s3a(spark, s3_endpoint):
    """One session: Spark NLP annotates, Delta writes over s3a to an S3 server, reads back.

    Proves the trimmed classpath (deploy/pom.xml) holds one working AWS SDK for s3a next to
    Spark NLP, and that annotations (arrays of structs) survive a Delta round trip.
    """
    from pyspark.ml import Pipeline
    from sparknlp.annotator import Normalizer, Tokenizer, YakeKeywordExtraction
    from sparknlp.base import DocumentAssembler

    bucket = "innolink-nlp"
    boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1").create_bucket(
        Bucket=bucket
    )
    apply_s3a(
        spark,
        S3aConfig(
            endpoint=s3_endpoint, region="us-east-1", path_style_access=True, ssl_enabled=False
        ),
        bucket=bucket,
    )
    # Sentences of the abstract of US 8,088,102 (../shared/data, ipg120103 fragment).
    df = spark.createDataFrame(
        [
            ("08088102-1", "One guidewire is disposed in each branch vessel of a bifurcation."),
            ("08088102-2", "The dilatation and stent delivery device tracks over two guidewires."),
        ],
        "id string, text string",
    )
    pipeline = Pipeline(
        stages=[
            DocumentAssembler().setInputCol("text").setOutputCol("document"),
            Tokenizer().setInputCols(["document"]).setOutputCol("token"),
            Normalizer().setInputCols(["token"]).setOutputCol("normal").setLowercase(True),
            YakeKeywordExtraction().setInputCols(["token"]).setOutputCol("keyword"),
        ]
    )
    path = f"s3a://{bucket}/warehouse/silver/annotated"
    pipeline.fit(df).transform(df).write.format("delta").save(path)

    back = spark.read.format("delta").load(path)
    rows = {r.id: r for r in back.selectExpr("id", "token", "normal.result as words").collect()}
    assert rows["08088102-1"].words == [
        "one",
        "guidewire",
        "is",
        "disposed",
        "in",
        "each",
        "branch",
        "vessel",
        "of",
        "a",
        "bifurcation",
    ]
    first = rows["08088102-1"].token[0]
    assert (first.annotatorType, first.begin, first.end, first.result) == ("token", 0, 2, "One")
    keys = boto3.client("s3", endpoint_url=s3_endpoint, region_name="us-east-1").list_objects_v2(
        Bucket=bucket, Prefix="warehouse/silver/annotated/"
    )["Contents"]
    assert any(k["Key"].endswith("_delta_log/00000000000000000000.json") for k in keys)
    assert any(k["Key"].endswith(".parquet") for k in keys)
