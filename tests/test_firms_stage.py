"""Stage `firms` end to end on real published lists, through the CLI as a user runs it."""

from collections import Counter

import mlflow
import pytest
from deltalake import DeltaTable as RustDeltaTable
from innolink.tables import ENTITY_PARENTS, FIRM_FAMILY, FIRMS, LEGAL_ENTITIES, REJECTS
from pyspark.sql import functions as F

from .conftest import COMPANIES, cli, input_args, last_run, table

INPUTS = [
    (COMPANIES / "financedatabase_equities/JPX.csv", "financedatabase"),
    (COMPANIES / "financedatabase_equities/GER.csv", "financedatabase"),
    (COMPANIES / "sp500_constituents.csv", "sp500"),
    (COMPANIES / "cjk/edinet_code_list_20261005.cp932.csv", "edinet"),
    (COMPANIES / "tse_all_stocks_ja.json", "jpx-names"),
    (COMPANIES / "financedatabase_equities/HKG.csv", "financedatabase"),
    # GLEIF: API pages (Microsoft and others), Toyota's record, the child -> parent extract,
    # LEI-CDF XML and golden copy JSON.
    (COMPANIES / "gleif/api_json/gleif-rs", "gleif-api"),
    (COMPANIES / "gleif/api_json/whichlei/record-toyota.json", "gleif-api"),
    (COMPANIES / "gleif/derived/lei_direct_parent_selected.repackaged.csv", "gleif-parents-csv"),
    (COMPANIES / "gleif/lei_cdf_xml", "gleif-lei-xml"),
    (COMPANIES / "gleif/golden_copy_json", "gleif-lei-json"),
]
TOYOTA, HINO, MICROSOFT = "5493006W3QUS5LMH6R84", "3538009ZU0PHKNHJM202", "INR2EJN1ERAN0W5ZP974"


@pytest.fixture(scope="module")
def registry(spark, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("firms")
    assert cli(tmp, "run", "firms", *input_args(INPUTS)) == 0
    return tmp


def firms(spark, tmp, spec=FIRMS):
    return spark.read.format("delta").load(spec.path(str(tmp / "warehouse")))


def test_one_row_per_firm_across_lists(spark, registry):
    df = firms(spark, registry)
    nissui = df.where(F.col("ticker") == "1332.T").collect()
    assert len(nissui) == 1
    n = nissui[0]
    # JPX list (English name, website, summary) + EDINET (Japanese, katakana) + JPX names.
    assert sorted((v["name"], v["lang"]) for v in n["name_variants"]) == [
        ("Nissui Corporation", "en"),
        ("Nissui Corporation", "en"),
        ("カブシキガイシャニッスイ", "ja-Kana"),
        ("ニッスイ", "ja"),
        ("株式会社ニッスイ", "ja"),
    ]
    assert (n["country"], n["domain"], n["founded_year"], n["founded_year_source"]) == (
        "JP",
        "nissui.co.jp",
        1911,
        "summary",  # "The company was founded in 1911"
    )
    assert (n["sector"], n["edinet_code"], n["firm_type"]) == (
        "Consumer Staples",
        "E00014",
        "incumbent",
    )
    assert n["sources"] == ["edinet", "financedatabase", "jpx-names"]


def test_cross_listing_and_index_join_into_one_firm(spark, registry):
    apple = firms(spark, registry).where(F.col("name") == "Apple Inc.").collect()
    assert len(apple) == 1
    a = apple[0]
    # Xetra listing (ISIN, website) + S&P 500 row (founding year), joined by name and country.
    assert sorted(listing["ticker"] for listing in a["listings"]) == ["AAPL", "APC.DE"]
    assert (a["isin"], a["domain"], a["founded_year"], a["founded_year_source"]) == (
        "US0378331005",
        "apple.com",
        1977,
        "column",
    )
    assert a["firm_type"] == "multinational"
    assert a["multinational_evidence"] == ["listed_in:DE,US", "worldwide"]


def test_all_firm_types_present_and_ids_unique(spark, registry):
    df = firms(spark, registry)
    assert df.count() == df.select("firm_id").distinct().count()
    types = {r["firm_type"] for r in df.select("firm_type").distinct().collect()}
    assert types == {"startup", "incumbent", "multinational"}


def test_counts_add_up_and_mlflow_has_lineage(spark, registry):
    mlflow.set_tracking_uri(f"sqlite:///{registry}/mlflow.db")
    run = mlflow.search_runs(experiment_names=["innolink"], output_format="list")[-1]
    m, tags = run.data.metrics, run.data.tags
    # Records: JPX 3,061 + GER 1,189 + S&P 503 + EDINET 11,404 (rows) + JPX names 4,626
    # + HKG 1,625; GLEIF: API pages 331 resources, Toyota 3, CSV extract 5,690 rows,
    # XML 10 + 2 records, golden copy JSON 200 records.
    assert m["records_in"] == 3061 + 1189 + 503 + 11404 + 4626 + 1625 + 331 + 3 + 5690 + 12 + 200
    assert m["records_in"] == m["records_out"] + m["records_rejected"]
    assert len(tags["git.commit"]) == 40
    assert tags["delta.written.silver/firms"] == "1"
    assert tags["innolink.stage"] == "firms" and tags["innolink.env"] == "local"
    rejects = spark.read.format("delta").load(REJECTS.path(str(registry / "warehouse")))
    assert rejects.count() == m["records_rejected"]


def test_readable_by_another_delta_engine(registry):
    table = RustDeltaTable(str(registry / "warehouse/silver/firms"))
    data = table.to_pyarrow_table(columns=["firm_id", "country"])
    assert set(data.column("country").to_pylist()) >= {"JP", "US", "DE"}


def test_rerun_changes_nothing(spark, registry):
    specs = (FIRMS, LEGAL_ENTITIES, ENTITY_PARENTS, FIRM_FAMILY)

    def snapshot():
        return [
            firms(spark, registry, spec).drop("run_id").sort(*spec.keys).collect() for spec in specs
        ]

    before = snapshot()
    assert cli(registry, "run", "firms", *input_args(INPUTS)) == 0
    assert snapshot() == before


def test_home_and_listing_country_of_cross_listed_firms(spark, registry):
    df = firms(spark, registry)
    apple = df.where(F.col("isin") == "US0378331005").first()
    # A US firm listed on Xetra stays a US firm; the Xetra listing keeps its own country.
    assert (apple["country"], apple["home_country"], apple["listing_country"]) == ("US", "US", "US")
    xetra = next(x for x in apple["listings"] if x["ticker"] == "APC.DE")
    assert (xetra["country"], xetra["mic"], xetra["exchange_name"]) == ("DE", "XETR", "XETRA")
    tencent = df.where(F.col("ticker") == "0700.HK").first()
    # Headquarters in Shenzhen, listed in Hong Kong only.
    assert (tencent["country"], tencent["home_country"], tencent["listing_country"]) == (
        "CN",
        "CN",
        "HK",
    )


def test_legal_entity_of_toyota_from_its_gleif_record(spark, registry):
    toyota = firms(spark, registry, LEGAL_ENTITIES).where(F.col("lei") == TOYOTA).first()
    # The API record speaks over the CSV extract's row of the same LEI.
    assert (toyota["legal_name"], toyota["legal_name_lang"], toyota["elf_code"]) == (
        "トヨタ自動車株式会社",
        "ja",
        "T417",
    )
    assert (toyota["legal_form"], toyota["source_format"], toyota["name_keys"]) == (
        "株式会社",
        "gleif-api",
        ["toyota motor", "トヨタ自動車"],
    )


def family_of(spark, registry, ticker):
    firm_id = firms(spark, registry).where(F.col("ticker") == ticker).first()["firm_id"]
    rows = firms(spark, registry, FIRM_FAMILY).where(F.col("firm_id") == firm_id).collect()
    return {r["lei"]: r for r in rows}


def test_subsidiaries_roll_up_to_their_listed_parent(spark, registry):
    toyota = family_of(spark, registry, "7203.T")
    own = toyota[TOYOTA]
    assert (own["depth"], own["link"], own["legal_name"]) == (0, "name", "トヨタ自動車株式会社")
    hino = toyota[HINO]
    # 日野自動車 -> トヨタ自動車 (GLEIF direct parent). Hino's 7205.T row in the JPX list has
    # only its English name, which no GLEIF name of Hino carries (EDINET lists it unlisted
    # since the Mitsubishi Fuso merger): not a listed firm's entity, so it counts for Toyota.
    assert (hino["legal_name"], hino["depth"], hino["path"], hino["link"], hino["listed"]) == (
        "日野自動車株式会社",
        1,
        [HINO, TOYOTA],
        "direct",
        False,
    )
    assert toyota["353800V2F8HPSGF0M011"]["legal_name"] == "ダイハツ工業株式会社"
    microsoft = family_of(spark, registry, "MSFT")
    china = microsoft["836800FXO82WAQQSJI94"]
    assert (china["legal_name"], china["legal_country"], china["depth"]) == (
        "微软(中国)有限公司",
        "CN",
        1,
    )
    # Microsoft's own entity, its 12 direct subsidiaries of the API page, and two LinkedIn
    # entities whose direct parent is in no input: their ultimate parent takes them.
    assert Counter(r["link"] for r in microsoft.values()) == {
        "name": 1,
        "direct": 12,
        "ultimate": 2,
    }
    linkedin = microsoft["549300I3UEC4HXUCH839"]
    assert (linkedin["legal_name"], linkedin["path"]) == (
        "LinkedIn Singapore Pte. Ltd.",
        ["549300I3UEC4HXUCH839", MICROSOFT],
    )


BROKEN = (
    "symbol,name,summary,currency,sector,industry_group,industry,exchange,mic,market,country,state,"
    "city,zipcode,website,market_cap,isin,cusip,figi,composite_figi,shareclass_figi,delisted\n"
    '9991.T,Good One Co.,"Makes widgets. It was founded in 2019 and is based in Osaka, Japan.",JPY,'
    "Industrials,Capital Goods,Machinery,JPX,XJPX,Tokyo Stock Exchange,Japan,,Osaka,,"
    "http://www.goodone.co.jp,Micro Cap,,,,,,False\n"
    '9992.T,"Broken Quote Co.,Summary,JPY,Industrials,Capital Goods,Machinery,JPX,XJPX,Tokyo,Japan,,'
    "Osaka,,http://www.broken.co.jp,Micro Cap,,,,,,False\n"
    "9993.T,Nowhere Inc.,Summary,JPY,Industrials,Capital Goods,Machinery,JPX,XJPX,Tokyo,Atlantis,,"
    "Osaka,,http://www.nowhere.co.jp,Micro Cap,,,,,,False\n"
    "9994.T,Bad Url Co.,Summary,JPY,Industrials,Capital Goods,Machinery,JPX,XJPX,Tokyo,Japan,,"
    "Osaka,,http://bad url,Micro Cap,,,,,,False\n"
    "9995.T,,Summary,JPY,Industrials,Capital Goods,Machinery,JPX,XJPX,Tokyo,Japan,,"
    "Osaka,,http://www.noname.co.jp,Micro Cap,,,,,,False\n"
    "9996.T,Good Two KK,Summary,JPY,Industrials,Capital Goods,Machinery,JPX,XJPX,Tokyo,Japan,,"
    "Osaka,,,Micro Cap,,,,,,False\n"
)


def test_broken_rows_go_to_rejects_with_reasons(spark, tmp_path):
    broken = tmp_path / "broken.csv"
    broken.write_text(BROKEN, encoding="utf-8")
    assert cli(tmp_path, "run", "firms", "--input", str(broken), "--format", "financedatabase") == 0
    rejects = spark.read.format("delta").load(REJECTS.path(str(tmp_path / "warehouse")))
    got = sorted((r["locator"], r["reason"]) for r in rejects.collect())
    assert got == [
        ("line 3", "bad_csv.unbalanced_quote"),
        ("line 4", "invalid.country: 'Atlantis'"),
        ("line 5", "invalid.url: space in URL 'http://bad url'"),
        ("line 6", "missing.name"),
    ]
    ok = sorted(r["ticker"] for r in firms(spark, tmp_path).collect())
    assert ok == ["9991.T", "9996.T"]  # the rows around the broken ones all made it
    good = firms(spark, tmp_path).where(F.col("ticker") == "9991.T").first()
    assert (good["founded_year"], good["firm_type"]) == (2019, "startup")


def test_missing_input_is_a_reject_not_a_crash(spark, tmp_path):
    # Bad input never crashes a job: a path naming no file is one rejected record.
    missing = tmp_path / "nope.csv"
    args = ["--input", str(missing), "--format", "financedatabase"]
    args += ["--input", str(COMPANIES / "sp500_constituents.csv"), "--format", "sp500"]
    assert cli(tmp_path, "run", "firms", *args) == 0
    rejects = [
        (r.source, r.locator, r.reason)
        for r in table(spark, tmp_path, REJECTS).where("reason = 'input.not_found'").collect()
    ]
    assert rejects == [(str(missing), "input", "input.not_found")]
    assert last_run(tmp_path).data.metrics["records_rejected"] >= 1


def test_unknown_format_is_a_config_error(tmp_path):
    code = cli(tmp_path, "run", "firms", "--input", str(tmp_path / "x.csv"), "--format", "xlsx")
    assert code == 2


def test_tables_lists_row_counts_and_versions(spark, registry, capsys):
    assert cli(registry, "tables") == 0
    out = capsys.readouterr().out
    firms_line = next(line for line in out.splitlines() if "silver/firms" in line)
    count = firms(spark, registry).count()
    assert f"{count}" in firms_line
    assert "bronze/rejects" in out
