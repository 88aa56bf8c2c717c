"""Stage `pages` end to end through the CLI: every record of the shared WARC/WET files and of
a folder of saved Japanese and Chinese pages lands in silver/pages or bronze/rejects."""

from __future__ import annotations

import json
from pathlib import Path

import mlflow
import pytest
from innolink.pages.readers.warc import response_record
from innolink.tables import FIRMS, PAGES, REJECTS
from innolink.writer import TableWriter
from pyspark.sql.types import ArrayType, BooleanType, StringType

from .conftest import SHARED, cli, last_run, table

WEB = SHARED / "web"
WARCS = WEB / "warc"

# firm_id -> registered domain, as the firms stage writes them.
FIRM_DOMAINS = {
    "F-LAVAZZA": "lavazza.de",
    "F-LIDL": "lidl.de",
    "F-PARALLELS": "parallels.com",
    "F-HOUSECOM": "prtimes.jp",
    "F-YAHOO": "yahoo.co.jp",
    "F-UDN": "udn.com",
    "F-ARCHIVE": "archive.org",
    "F-ACN": "acnnewswire.net",
    "F-KABU": "kabu-navi.com",
    "F-NEXT": "nextbeaut.com",
    "F-DW": "digitalwall.com",
    "F-SPB": "01spb.ru",
    "F-WIKI": "wikipedia.org",
    "F-EXAMPLE": "example.com",
    # Two firms giving one domain: their pages are ambiguous.
    "F-MOZ-1": "mozilla.org",
    "F-MOZ-2": "mozilla.org",
}


def _firm_row(firm_id: str, domain: str) -> dict:
    """A silver/firms row: the values that matter, type defaults for the other NOT NULLs."""
    given = {"firm_id": firm_id, "name": firm_id, "domain": domain, "website": f"https://{domain}"}
    row = {}
    for field in FIRMS.schema.fields:
        if field.name in given:
            row[field.name] = given[field.name]
        elif field.nullable:
            row[field.name] = None
        elif isinstance(field.dataType, ArrayType):
            row[field.name] = []
        elif isinstance(field.dataType, BooleanType):
            row[field.name] = False
        elif isinstance(field.dataType, StringType):
            row[field.name] = "x"
        else:
            raise AssertionError(f"no default for {field}")
    return row


@pytest.fixture(scope="module")
def made_inputs(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("made_warcs")
    bad, site = tmp / "damaged", tmp / "site"
    bad.mkdir()
    site.mkdir()
    data = (WARCS / "corporate_and_firm_news_pages.repackaged.warc.gz").read_bytes()
    (bad / "cut.warc.gz").write_bytes(data[:500_000])  # 26 records, the last one cut short
    (bad / "corrupt.warc.gz").write_bytes(data[:230_000] + b"\0" * 100 + data[230_100:])
    (bad / "empty.warc.gz").write_bytes(b"")
    (bad / "notes.warc").write_bytes(b"this is not a WARC file\n")
    # One firm's site: a page, its exact copy at a longer URL, a near copy (its heading
    # changed), and a 12 MB page above the 10 MB limit.
    lidl = (WEB / "html" / "trafilatura" / "lidl.de-nachhaltigkeit.html").read_bytes()
    near = lidl.replace(b"Nachhaltigkeit im Onlineshop</h1>", b"Nachhaltigkeit online</h1>", 1)
    assert near != lidl
    big = b"<html><body>" + b"<p>Kaffee und Espresso</p>" * (12 * 2**20 // 26) + b"</body></html>"
    (site / "site.warc.gz").write_bytes(
        response_record("https://www.lidl.de/nachhaltigkeit", lidl)
        + response_record("https://www.lidl.de/nachhaltigkeit?ref=home", lidl)
        + response_record("https://www.lidl.de/nachhaltigkeit-online", near)
        + response_record("https://www.lavazza.de/de/kaffee/gross", big)
    )
    return tmp


def inputs(made: Path) -> str:
    """The inputs as configuration: each crawl apart, so the copies of the corporate WARC
    among the damaged files do not stand for its pages."""
    return (
        f"stages.pages.inputs=[{{path: {WARCS}, format: warc}}, "
        f"{{path: {made / 'damaged'}, format: warc, crawl: damaged}}, "
        f"{{path: {made / 'site'}, format: warc, crawl: site}}, "
        f"{{path: {made / 'no-such-file.wet.gz'}, format: wet}}]"
    )


HTML_DIR = f"{{path: {WEB / 'html_cjk'}, format: html-dir, crawl: saved-html}}"


@pytest.fixture(scope="module")
def loaded(spark, made_inputs, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("pages")
    writer = TableWriter(spark, str(tmp / "warehouse"), "firms", "test")
    rows = [_firm_row(f, d) for f, d in FIRM_DOMAINS.items()]
    writer.merge(FIRMS, spark.createDataFrame(rows, FIRMS.schema))
    assert cli(tmp, *run_args(made_inputs)) == 0
    return tmp


def run_args(made: Path) -> list[str]:
    return [
        "run",
        "pages",
        "--set",
        inputs(made),
        # A host of a firm's domain given to another firm (Yahoo! News is not the portal).
        "--set",
        "stages.pages.firm_domains={headlines.yahoo.co.jp: F-YAHOO-NEWS}",
    ]


def artifact(run, name: str) -> dict:
    path = mlflow.artifacts.download_artifacts(run_id=run.info.run_id, artifact_path=name)
    return json.loads(Path(path).read_text())


def test_every_record_is_a_page_or_a_reject(loaded):
    run = last_run(loaded)
    files = {Path(f["source"]).name: f for f in artifact(run, "files.json")["files"]}
    counts = {name: (f["records_in"], f["out"], f["rejected"]) for name, f in files.items()}
    # records in = every WARC record of each shared file (../shared/data/SOURCES.md).
    assert counts["cjk_pages.repackaged.warc.gz"] == (10, 9, 1)
    assert counts["commoncrawl_whirlwind.warc.gz"] == (4, 1, 3)
    assert counts["commoncrawl_whirlwind.warc.wat.gz"] == (2, 0, 2)
    # The WET text of the Wikipedia page gives way to its HTML from the WARC.
    assert counts["commoncrawl_whirlwind.warc.wet.gz"] == (2, 0, 2)
    # lavazza.de, lidl.de, parallels.com; mozilla.org is two firms' domain.
    assert counts["corporate_and_firm_news_pages.repackaged.warc.gz"] == (39, 3, 36)
    assert counts["ia_web_commons_IAH-urls-wget.warc.gz"] == (36, 2, 34)
    assert counts["resiliparse_commoncrawl_sample.warc.gz"] == (50, 1, 49)
    assert counts["warcio_example.warc.gz"] == (6, 1, 5)
    # Copies of the corporate WARC in one crawl: the pages of cut.warc.gz (the later file)
    # supersede those of corrupt.warc.gz, which lost the lidl.de record to the damage.
    assert counts["cut.warc.gz"] == (26, 3, 23)
    assert counts["corrupt.warc.gz"] == (39, 0, 39)
    assert counts["site.warc.gz"] == (4, 1, 3)
    assert all(f["records_in"] == f["out"] + f["rejected"] for f in files.values())
    metrics = run.data.metrics
    assert metrics["records_in"] == sum(f["records_in"] for f in files.values())
    assert metrics["records_in"] == metrics["records_out"] + metrics["records_rejected"]


def test_rejects_say_why_and_where(spark, loaded):
    rejects = table(spark, loaded, REJECTS).where("stage = 'pages'")
    by_reason = {r.reason: r["count"] for r in rejects.groupBy("reason").count().collect()}
    found = {(Path(r.source).name, r.locator, r.reason) for r in rejects.collect()}
    assert {
        ("cut.warc.gz", "offset=491151", "record.truncated"),
        ("corrupt.warc.gz", "offset=229572", "record.decompression_error"),
        ("empty.warc.gz", "file", "file.empty"),
        ("notes.warc", "offset=0", "record.malformed"),
        ("no-such-file.wet.gz", "input", "input.not_found"),
        ("warcio_example.warc.gz", "offset=2621", "record.revisit"),
        ("commoncrawl_whirlwind.warc.wet.gz", "offset=466", "page.superseded"),
    } <= found
    assert by_reason == {
        # 11 warcinfo, 36 request and 18 metadata records.
        "record.not_response": 65,
        "record.revisit": 1,
        # Hosts no firm has (the Common Crawl sample's random sites, news sites).
        "firm.unmatched": 103,
        "firm.ambiguous_domain": 3,
        "http.redirect": 9,
        # Images, robots.txt and wget's log records.
        "page.not_html": 7,
        "page.superseded": 4,
        "page.duplicate": 1,
        "page.near_duplicate": 1,
        "page.too_large": 1,
        "record.truncated": 1,
        "record.decompression_error": 1,
        "record.malformed": 1,
        "file.empty": 1,
        "input.not_found": 1,
    }


def test_duplicates_within_a_site(spark, loaded):
    rows = (
        table(spark, loaded, REJECTS)
        .where("stage = 'pages' AND source LIKE '%site.warc.gz'")
        .select("locator", "reason", "excerpt")
        .collect()
    )
    by_reason = {r.reason: r.excerpt for r in rows}
    assert set(by_reason) == {"page.duplicate", "page.near_duplicate", "page.too_large"}
    assert by_reason["page.duplicate"] == (
        "url=https://www.lidl.de/nachhaltigkeit?ref=home same text as "
        "https://www.lidl.de/nachhaltigkeit"
    )
    assert by_reason["page.near_duplicate"].startswith(
        "url=https://www.lidl.de/nachhaltigkeit-online near copy of "
        "https://www.lidl.de/nachhaltigkeit (similarity"
    )
    kept = table(spark, loaded, PAGES).where("domain = 'lidl.de'").collect()
    # Duplicates are judged within one crawl: the same page in other crawls stays.
    assert sorted((r.crawl_id, r.url) for r in kept) == [
        ("damaged", "https://www.lidl.de/c/nachhaltigkeit-im-onlineshop/s10009344"),
        ("own", "https://www.lidl.de/c/nachhaltigkeit-im-onlineshop/s10009344"),
        ("site", "https://www.lidl.de/nachhaltigkeit"),
    ]


def test_japanese_and_chinese_pages_without_charset_headers(spark, loaded):
    rows = {
        r.url: r
        for r in table(spark, loaded, PAGES)
        .where("source_file LIKE '%cjk_pages.repackaged.warc.gz'")
        .collect()
    }
    got = {url: (r.firm_id, r.charset, r.language, r.title) for url, r in rows.items()}
    assert got == {
        "https://prtimes.jp/main/html/rd/p/000000088.000029713.html": (
            "F-HOUSECOM",
            "utf-8",
            "ja",
            "賃貸仲介のハウスコム、7月1日に駅近エリア出店となる「岐阜駅前店」をオープン！"
            "｜ハウスコム株式会社のプレスリリース",
        ),
        "https://money.udn.com/money/story/5603/4909425": (
            "F-UDN",
            "utf-8",
            "zh",
            "索尼、鎧俠業績遭波及 已向美申請供貨華為 | 兩岸焦點 | 兩岸 | 經濟日報",
        ),
        "http://headlines.yahoo.co.jp/hl?a=20170309-35097838-cnetj-sci": (
            "F-YAHOO-NEWS",
            "utf-8",
            "ja",
            "トレンドマイクロ、公衆無線LANを安全に使うためのアプリ「フリーWi-Fiプロテクション」"
            " （CNET Japan） - Yahoo!ニュース",
        ),
        "http://www.yahoo.co.jp/": ("F-YAHOO", "utf-8", "ja", "Yahoo! JAPAN"),
        "https://web.archive.org/web/20120611024252/http://www.he.xinhuanet.com/news/"
        "2012-06/04/content_25340717.htm": (
            "F-ARCHIVE",
            "gbk",
            "zh",
            "话剧《约定无期限》河北各市巡演结束",
        ),
        "http://www.acnnewswire.net/rss2/press_rss_20c.asp": (
            "F-ACN",
            "gbk",
            "zh",
            "Asia Corporate Press via ACNNewswire.net",
        ),
        "http://www.kabu-navi.com/mt/atom.xml": (
            "F-KABU",
            "euc-jp",
            "ja",
            "「負けない」投資家の日記",
        ),
        "http://www.nextbeaut.com/mt/atom.xml": (
            "F-NEXT",
            "shift_jis",
            "ja",
            "ダイエットサプリメント通販ブログ【コエンザイムＱ１０・αリポ酸・Ｌ－カルニチン】",
        ),
        "http://www.digitalwall.com/rss20/rss_cht.xml": (
            "F-DW",
            "big5",
            "zh",
            "《個人．家庭．數位化 - 數位之牆》",
        ),
    }
    xinhua = rows[
        "https://web.archive.org/web/20120611024252/http://www.he.xinhuanet.com/news/"
        "2012-06/04/content_25340717.htm"
    ]
    assert "一个约定，信守15年，感人至深；一段真情，延续15年，催人泪下。" in xinhua.text
    assert (
        "筆者發表文章「軟體與媒體的典範轉移」"
        in rows["http://www.digitalwall.com/rss20/rss_cht.xml"].text
    )
    assert all("\ufffd" not in r.text for r in rows.values())


def test_a_page_row(spark, loaded):
    copies = table(spark, loaded, PAGES).where(
        "url = 'https://www.parallels.com/products/desktop/'"
    )
    # The page is in the corporate WARC and in its damaged copy: one row per crawl (the
    # table's key is url + crawl), in whatever order the files hold them.
    assert sorted(r.crawl_id for r in copies.collect()) == ["damaged", "own"]
    page = copies.where("crawl_id = 'own'").first()
    assert (page.firm_id, page.domain, page.crawl_id, page.page_kind) == (
        "F-PARALLELS",
        "parallels.com",
        "own",
        "product_service",
    )
    assert (page.language, page.charset, page.bytes) == ("en", "utf-8", 194149)
    assert page.title == "Run Windows on Mac - Parallels Desktop 15 Virtual Machine for Mac"
    assert str(page.fetch_time) == "2000-01-01 00:00:00"
    assert len(page.text_hash) == 32 and page.links and page.headings
    cc = table(spark, loaded, PAGES).where("domain = '01spb.ru'").first()
    # Common Crawl names its crawl in the file's warcinfo record.
    assert (cc.crawl_id, cc.charset, cc.language, cc.page_kind) == (
        "CC-MAIN-2020-34",
        "windows-1251",
        "ru",
        "about",
    )


def snapshot(spark, tmp) -> dict[str, list]:
    pages = sorted(tuple(r) for r in table(spark, tmp, PAGES).drop("run_id").collect())
    rejects = sorted(
        tuple(r)[:5] for r in table(spark, tmp, REJECTS).where("stage = 'pages'").collect()
    )
    return {"pages": pages, "rejects": rejects}


def test_rerun_changes_nothing(spark, loaded, made_inputs):
    before = snapshot(spark, loaded)
    version = table(spark, loaded, PAGES).count()
    assert cli(loaded, *run_args(made_inputs)) == 0
    assert snapshot(spark, loaded) == before
    assert table(spark, loaded, PAGES).count() == version


def test_html_dir_with_its_manifest(spark, loaded):
    assert cli(loaded, "run", "pages", "--set", f"stages.pages.inputs=[{HTML_DIR}]") == 0
    rows = {
        Path(r.source_file).name: (r.url, r.charset, r.title)
        for r in table(spark, loaded, PAGES).where("crawl_id = 'saved-html'").collect()
    }
    assert rows["nextbeaut.com.shift_jis.xml"][1:] == (
        "shift_jis",
        "ダイエットサプリメント通販ブログ【コエンザイムＱ１０・αリポ酸・Ｌ－カルニチン】",
    )
    assert rows["yahoo-jp.html.gz"] == ("http://www.yahoo.co.jp/", "utf-8", "Yahoo! JAPAN")
    run = last_run(loaded)
    reasons = artifact(run, "rejects.json")["reasons"]
    # The expected-output file shares its URL with the page (superseded, the later file
    # name wins), and the metadata JSON is no page.
    assert reasons == {"page.superseded": 1, "page.not_html": 1}
    assert run.data.metrics["records_in"] == 11 and run.data.metrics["records_out"] == 9


def test_bad_configuration_fails_before_reading(spark, tmp_path):
    firms = "--set", "stages.pages.firm_domains={example.com: F-EXAMPLE}"
    hdfs = "stages.pages.inputs=[{path: 'hdfs://namenode/crawl', format: warc}]"
    # Workers stream the files themselves: local paths and S3 only.
    assert cli(tmp_path, "run", "pages", *firms, "--set", hdfs) == 2
    local = f"stages.pages.inputs=[{{path: {WARCS}, format: warc}}]"
    assert (
        cli(
            tmp_path, "run", "pages", *firms, "--set", local, "--set", "stages.pages.languages=[xx]"
        )
        == 2
    )
    # No silver/firms and no configured domains: nothing could be given to a firm.
    assert cli(tmp_path, "run", "pages", "--set", local) == 1
    # A Common Crawl input needs the crawls to query.
    cc = "stages.pages.inputs=[{path: 's3a://commoncrawl/cc-index/table/cc-main/warc/', format: cc-index}]"
    assert cli(tmp_path, "run", "pages", *firms, "--set", cc) == 2
