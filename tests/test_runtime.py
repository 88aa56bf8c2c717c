"""The JVM half of the stack: Delta on s3a:// through a real S3 protocol server, Spark NLP."""

import boto3
import pytest
from innolink.config import S3aConfig
from innolink.session import apply_s3a, has_spark_nlp
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


def test_spark_nlp_tokenizer_pipeline(spark):
    if not has_spark_nlp(spark):
        pytest.skip(
            "Spark NLP jar absent: com.johnsnowlabs.nlp:spark-nlp_2.13 is not served by this "
            "machine's Maven Central (see deploy/pom.xml); `make setup SPARK_NLP=1` where it is"
        )
    from pyspark.ml import Pipeline
    from sparknlp.annotator import Tokenizer
    from sparknlp.base import DocumentAssembler

    df = spark.createDataFrame([("Lithium-ion battery separators and coatings.",)], "text string")
    pipeline = Pipeline(
        stages=[
            DocumentAssembler().setInputCol("text").setOutputCol("document"),
            Tokenizer().setInputCols(["document"]).setOutputCol("token"),
        ]
    )
    tokens = pipeline.fit(df).transform(df).selectExpr("token.result").first()[0]
    assert tokens == ["Lithium-ion", "battery", "separators", "and", "coatings", "."]
