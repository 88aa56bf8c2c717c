"""The Common Crawl path end to end against an S3 server (moto) on 127.0.0.1: a tiny columnar
URL index over real WARC files, queried with Spark SQL over s3a, records fetched by range
with boto3. The same code reaches the real `commoncrawl` bucket in production."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import boto3
import mlflow
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from innolink.pages.firms import host_and_domain
from innolink.pages.readers import warc
from innolink.pages.readers.streams import S3Settings
from innolink.tables import PAGES, REJECTS
from moto.server import ThreadedMotoServer

from .conftest import SHARED, cli, last_run, table

WARCS = SHARED / "web" / "warc"
BUCKET = "commoncrawl"
INDEX = "cc-index/table/cc-main/warc"
FILES = {
    "corporate_and_firm_news_pages.repackaged.warc.gz": (
        "CC-MAIN-2099-01",
        "crawl-data/CC-MAIN-2099-01/segments/1/warc/CC-MAIN-2099-01-00000.warc.gz",
    ),
    "cjk_pages.repackaged.warc.gz": (
        "CC-MAIN-2099-01",
        "crawl-data/CC-MAIN-2099-01/segments/1/warc/CC-MAIN-2099-01-00001.warc.gz",
    ),
    "resiliparse_commoncrawl_sample.warc.gz": (
        "CC-MAIN-2020-34",
        "crawl-data/CC-MAIN-2020-34/segments/1/warc/CC-MAIN-2020-34-00000.warc.gz",
    ),
}
FIRMS = (
    "{lavazza.de: F-LAVAZZA, parallels.com: F-PARALLELS, prtimes.jp: F-HOUSECOM, "
    "udn.com: F-UDN, 01spb.ru: F-SPB, archive.org: F-ARCHIVE}"
)


def index_rows() -> dict[str, list[dict]]:
    """Index rows (by crawl) for every response record of the files, as Common Crawl
    writes them: offset and length of the record's gzip member in its file."""
    rows: dict[str, list[dict]] = {}
    for name, (crawl, key) in FILES.items():
        path = str(WARCS / name)
        size = (WARCS / name).stat().st_size
        records = list(warc.read_split(warc.Split(0, "warc", path, 0, size, None), 1 << 30, S3))
        for record in records:
            if record.record_type != "response":
                continue
            host, domain = host_and_domain(record.url)
            mime = (record.content_type or "").split(";")[0]
            rows.setdefault(crawl, []).append(
                {
                    "url": record.url,
                    "url_host_name": host,
                    "url_host_registered_domain": domain,
                    "warc_filename": key,
                    "warc_record_offset": record.position,
                    "warc_record_length": warc._member_end(path, record.position, S3)
                    - record.position,
                    "fetch_time": datetime(2099, 1, 1),
                    "fetch_status": record.status,
                    "content_mime_detected": mime,
                    "subset": "warc",
                }
            )
    lavazza = next(r for r in rows["CC-MAIN-2099-01"] if "lavazza.de" in r["url"])
    rows["CC-MAIN-2099-01"] += [
        # A record whose file is not in the bucket, and one whose offset is wrong.
        dict(lavazza, url="https://www.lavazza.de/missing", warc_filename="crawl-data/nope.gz"),
        dict(
            lavazza,
            url="https://www.lavazza.de/shifted",
            warc_record_offset=lavazza["warc_record_offset"] + 10,
        ),
        # Not chosen: a failed fetch, and a robots.txt-like diagnostics subset.
        dict(lavazza, url="https://www.lavazza.de/404", fetch_status=404),
        dict(lavazza, url="https://www.lavazza.de/diag", subset="crawldiagnostics"),
    ]
    # A crawl that is not configured.
    rows["CC-MAIN-2000-01"] = [dict(lavazza, url="https://www.lavazza.de/old")]
    return rows


S3 = S3Settings()


@pytest.fixture(scope="module")
def commoncrawl(tmp_path_factory):
    """The bucket: the real WARC files under crawl-data/ and the index under cc-index/."""
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1")
    s3.create_bucket(Bucket=BUCKET)
    for name, (_, key) in FILES.items():
        s3.upload_file(str(WARCS / name), BUCKET, key)
    tmp = tmp_path_factory.mktemp("cc_index")
    for crawl, rows in index_rows().items():
        for subset in sorted({r["subset"] for r in rows}):
            part = [
                {k: v for k, v in r.items() if k != "subset"} for r in rows if r["subset"] == subset
            ]
            table = pa.Table.from_pylist(
                part,
                schema=pa.schema(
                    [
                        ("url", pa.string()),
                        ("url_host_name", pa.string()),
                        ("url_host_registered_domain", pa.string()),
                        ("warc_filename", pa.string()),
                        ("warc_record_offset", pa.int32()),
                        ("warc_record_length", pa.int32()),
                        ("fetch_time", pa.timestamp("us")),
                        ("fetch_status", pa.int16()),
                        ("content_mime_detected", pa.string()),
                    ]
                ),
            )
            local = tmp / f"{crawl}-{subset}.parquet"
            pq.write_table(table, local)
            s3.upload_file(
                str(local), BUCKET, f"{INDEX}/crawl={crawl}/subset={subset}/part-00000.parquet"
            )
    yield endpoint
    server.stop()


def settings(endpoint: str) -> list[str]:
    return [
        "--set",
        "stages.pages.inputs=[]",
        "--set",
        f"stages.pages.firm_domains={FIRMS}",
        "--set",
        "stages.pages.common_crawl={crawls: [CC-MAIN-2099-01, CC-MAIN-2020-34], "
        "max_pages_per_domain: 5, records_per_task: 4, "
        f"s3: {{endpoint: '{endpoint}', region: us-east-1, path_style_access: true, "
        "ssl_enabled: false}}",
    ]


@pytest.fixture(scope="module")
def fetched(spark, commoncrawl, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("cc_pages")
    # The `pages.common_crawl` section alone adds the Common Crawl input.
    assert cli(tmp, "run", "pages", *settings(commoncrawl)) == 0
    return tmp


def test_firms_pages_are_chosen_in_the_index_and_fetched_by_range(spark, fetched):
    pages = {
        r.url: (r.firm_id, r.crawl_id, r.charset, r.source_format, r.locator)
        for r in table(spark, fetched, PAGES).collect()
    }
    key = FILES["corporate_and_firm_news_pages.repackaged.warc.gz"][1]
    assert pages["https://www.parallels.com/products/desktop/"][:4] == (
        "F-PARALLELS",
        "CC-MAIN-2099-01",
        "utf-8",
        "cc-index",
    )
    # Located by the record's offset and length in the crawl's WARC file.
    assert pages["https://www.parallels.com/products/desktop/"][4] == "offset=457582;length=23620"
    assert set(pages) == {
        "https://www.lavazza.de/de/kaffee/gemahlener-kaffee/qualita-oro-250-g.html",
        "https://www.parallels.com/products/desktop/",
        "https://prtimes.jp/main/html/rd/p/000000088.000029713.html",
        "https://money.udn.com/money/story/5603/4909425",
        "https://web.archive.org/web/20120611024252/http://www.he.xinhuanet.com/news/"
        "2012-06/04/content_25340717.htm",
        "http://01spb.ru/company/",
    }
    assert pages["http://01spb.ru/company/"][1:3] == ("CC-MAIN-2020-34", "windows-1251")
    rejects = {
        (r.source.rsplit("/", 1)[-1], r.reason)
        for r in table(spark, fetched, REJECTS).where("stage = 'pages'").collect()
    }
    assert rejects == {
        ("nope.gz", "record.fetch_error"),
        (key.rsplit("/", 1)[-1], "record.decompression_error"),
    }
    run = last_run(fetched)
    # 8 index rows chosen (the 404, the diagnostics subset, the other crawl, feeds by their
    # MIME type and other domains are not): 6 pages, 2 rejects.
    assert (run.data.metrics["records_in"], run.data.metrics["records_out"]) == (8, 6)
    files = json.loads(
        Path(
            mlflow.artifacts.download_artifacts(run_id=run.info.run_id, artifact_path="files.json")
        ).read_text()
    )["files"]
    assert all(f["source"].startswith("s3://commoncrawl/crawl-data/") for f in files)


def test_the_index_named_on_the_command_line_gives_the_same_pages(spark, fetched, commoncrawl):
    before = sorted(tuple(r) for r in table(spark, fetched, PAGES).drop("run_id").collect())
    args = ["run", "pages", *settings(commoncrawl)]
    args += ["--input", f"s3a://{BUCKET}/{INDEX}/", "--format", "cc-index"]
    assert cli(fetched, *args) == 0
    assert sorted(tuple(r) for r in table(spark, fetched, PAGES).drop("run_id").collect()) == before
