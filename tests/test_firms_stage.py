"""Stage `firms` end to end on real published lists, through the CLI as a user runs it."""

import mlflow
import pytest
from deltalake import DeltaTable as RustDeltaTable
from innolink.tables import FIRMS, REJECTS
from pyspark.sql import functions as F

from .conftest import COMPANIES, cli, input_args

INPUTS = [
    (COMPANIES / "financedatabase_equities/JPX.csv", "financedatabase"),
    (COMPANIES / "financedatabase_equities/GER.csv", "financedatabase"),
    (COMPANIES / "sp500_constituents.csv", "sp500"),
    (COMPANIES / "cjk/edinet_code_list_20261005.cp932.csv", "edinet"),
    (COMPANIES / "tse_all_stocks_ja.json", "jpx-names"),
]


@pytest.fixture(scope="module")
def registry(spark, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("firms")
    assert cli(tmp, "run", "firms", *input_args(INPUTS)) == 0
    return tmp


def firms(spark, tmp):
    return spark.read.format("delta").load(FIRMS.path(str(tmp / "warehouse")))


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
    # Records: JPX 3,061 + GER 1,189 + S&P 503 + EDINET 11,404 (rows) + JPX names 4,626.
    assert m["records_in"] == 3061 + 1189 + 503 + 11404 + 4626
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
    before = firms(spark, registry).drop("run_id").sort("firm_id").collect()
    assert cli(registry, "run", "firms", *input_args(INPUTS)) == 0
    after = firms(spark, registry).drop("run_id").sort("firm_id").collect()
    assert after == before


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


def test_missing_input_file_fails_with_clear_exit_code(tmp_path):
    assert (
        cli(
            tmp_path,
            "run",
            "firms",
            "--input",
            str(tmp_path / "nope.csv"),
            "--format",
            "financedatabase",
        )
        == 1
    )


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
