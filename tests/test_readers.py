"""Readers on the real published files in ../shared/data/companies."""

from collections import Counter

import pytest
import yaml
from innolink.firms.readers import founded_from_column, listing_key, read_file

from .conftest import COMPANIES, ROOT

EXCHANGES = yaml.safe_load((ROOT / "conf/base.yaml").read_text())["stages"]["firms"]["exchanges"]


def read(fmt, path):
    return list(read_file(fmt, str(path), path.read_bytes(), EXCHANGES))


def outcome(records):
    return Counter((r.get("reason") or "ok").split(":")[0] for r in records)


def test_financedatabase_jpx():
    recs = read("financedatabase", COMPANIES / "financedatabase_equities/JPX.csv")
    # 3,061 rows in the file (SOURCES.md); 4 have no name.
    assert outcome(recs) == {"ok": 3057, "missing.name": 4}
    nissui = next(r for r in recs if r.get("ticker") == "1332.T")
    assert (nissui["name"], nissui["domain"], nissui["country"], nissui["listing_key"]) == (
        "Nissui Corporation",
        "nissui.co.jp",
        "JP",
        "1332.T",
    )


def test_edinet_cp932_registry():
    recs = read("edinet", COMPANIES / "cjk/edinet_code_list_20261005.cp932.csv")
    # 11,404 filers: 3,811 domestic listed firms; 5 foreign listed filers lack a country.
    assert outcome(recs) == {"ok": 3811, "out_of_scope.not_listed": 7588, "invalid.country": 5}
    sakata = next(r for r in recs if r.get("ticker") == "1377.T")
    assert [(n["name"], n["lang"]) for n in sakata["names"]] == [
        ("SAKATA SEED CORPORATION", "en"),
        ("株式会社 サカタのタネ", "ja"),
        ("カブシキガイシャ サカタノタネ", "ja-Kana"),
    ]
    assert (sakata["edinet_code"], sakata["corporate_number"]) == ("E00006", "6020001008662")


def test_sp500_founding_years_and_missing_headquarters():
    recs = read("sp500", COMPANIES / "sp500_constituents.csv")
    assert outcome(recs) == {"ok": 502, "invalid.country": 1}
    bad = next(r for r in recs if r.get("reason"))
    assert bad["excerpt"].startswith('XYZ,"Block, Inc."')  # headquarters "none" in the list
    abbv = next(r for r in recs if r.get("ticker") == "ABBV")
    assert abbv["founded_col"] == 1888  # "2013 (1888)": the origin, not the spin-off


def test_name_lists():
    jpx = read("jpx-names", COMPANIES / "tse_all_stocks_ja.json")
    assert outcome(jpx) == {"ok": 4626}
    assert (jpx[0]["listing_key"], jpx[0]["name"]) == ("1301.T", "極洋")
    cn = read("cn-names", COMPANIES / "cjk/adata_a_share_codes_zh.csv")
    assert outcome(cn) == {"ok": 5640}
    assert [(r["listing_key"], r["name"]) for r in cn[:2]] == [
        ("000001.SZ", "平安银行"),
        ("000002.SZ", "万科A"),
    ]


def test_broken_file_header_rejects_the_file_once():
    recs = list(read_file("financedatabase", "x.csv", b"symbol,name\n1,a\n", EXCHANGES))
    assert len(recs) == 1
    assert recs[0]["reason"].startswith("bad_header: missing columns ['summary'")


@pytest.mark.parametrize(
    ("ticker", "country", "key"),
    [
        ("1301.T", "JP", "1301.T"),
        ("AAPL", "US", "US:AAPL"),
        ("BRK.B", "US", "US:BRK-B"),
        ("APC.DE", "DE", "APC.DE"),
    ],
)
def test_listing_key(ticker, country, key):
    assert listing_key(ticker, country) == key


def test_founded_from_column():
    assert [founded_from_column(v) for v in ("1902", "2013 (1888)", "", "n/a")] == [
        1902,
        1888,
        None,
        None,
    ]
