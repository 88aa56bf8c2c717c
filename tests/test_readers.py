"""Readers on the real published files in ../shared/data/companies."""

from collections import Counter

import pytest
from innolink.config import load_config
from innolink.firms.exchanges import ExchangeResolver
from innolink.firms.readers import founded_from_column, listing_key, read_file
from innolink.firms.records import ReadContext
from innolink.firms.stage import read_context

from .conftest import COMPANIES, ROOT

CTX = read_context(load_config("local", conf_dir=ROOT / "conf"))
# No exchange table at all: every market must be placed by its MIC (ISO 10383).
BARE = ReadContext(ExchangeResolver({}), CTX.forms)


def read(fmt, path, ctx=CTX):
    return list(read_file(fmt, str(path), path.read_bytes(), ctx))


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
    recs = list(read_file("financedatabase", "x.csv", b"symbol,name\n1,a\n", CTX))
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


def test_every_financedatabase_file_without_an_exchange_table():
    """Acceptance of issue 9: with `exchanges:` empty, no record is an unknown exchange."""
    total = Counter()
    for path in sorted((COMPANIES / "financedatabase_equities").glob("*.csv")):
        total += outcome(read("financedatabase", path, BARE))
    # 11 files, 16,808 rows (SOURCES.md); the rejects are rows without a name and one URL.
    assert total == {"ok": 16715, "missing.name": 92, "invalid.url": 1}


def test_home_and_listing_country_of_cross_listed_firms():
    ger = read("financedatabase", COMPANIES / "financedatabase_equities/GER.csv", BARE)
    apple = next(r for r in ger if r.get("ticker") == "APC.DE")
    # A US firm listed on Xetra: home US (headquarters), listing DE (the market's country).
    assert (apple["country"], apple["exchange_country"], apple["mic"], apple["exchange_name"]) == (
        "US",
        "DE",
        "XETR",
        "XETRA",
    )
    hkg = read("financedatabase", COMPANIES / "financedatabase_equities/HKG.csv", BARE)
    tencent = next(r for r in hkg if r.get("ticker") == "0700.HK")
    # Shenzhen headquarters, Cayman ISIN, Hong Kong listing.
    assert (tencent["country"], tencent["exchange_country"], tencent["isin"]) == (
        "CN",
        "HK",
        "KYG875721634",
    )


HEADER = (
    "symbol,name,summary,currency,sector,industry_group,industry,exchange,mic,market,country,"
    "state,city,zipcode,website,market_cap,isin,cusip,figi,composite_figi,shareclass_figi,delisted\n"
)


def _row(symbol, name, exchange, mic, country):
    return f"{symbol},{name},S,EUR,Industrials,,,{exchange},{mic},,{country},,,,,Small Cap,,,,,,False\n"


def test_exchanges_never_declared_are_placed_by_their_mic():
    data = (
        HEADER
        + _row("ASML.AS", "ASML Holding N.V.", "AMS", "XAMS", "Netherlands")
        + _row("VOLV-B.ST", "AB Volvo (publ)", "STO", "XSTO", "Sweden")
        + _row("247540.KQ", "EcoPro BM. Co. Ltd.", "KOE", "XKOS", "South Korea")
        + _row("5347.TWO", "Vanguard International Semiconductor", "TWO", "ROCO", "Taiwan")
        + _row("X.XX", "Nowhere Exchange Inc.", "XXX", "QQQQ", "Japan")
    ).encode()
    recs = list(read_file("financedatabase", "new.csv", data, BARE))
    got = [(r.get("exchange"), r.get("operating_mic"), r.get("exchange_country")) for r in recs]
    assert got[:4] == [
        ("AMS", "XAMS", "NL"),
        ("STO", "XSTO", "SE"),
        ("KOE", "XKRX", "KR"),
        ("TWO", "ROCO", "TW"),
    ]
    assert [r["name_norm"] for r in recs[:4]] == [
        "asml holding",
        "volvo",  # AB before and (publ) after the name: Swedish forms both
        "ecopro bm",
        "vanguard international semiconductor",
    ]
    assert recs[4]["reason"] == (
        "unknown.exchange: 'XXX' with MIC 'QQQQ' (not in ISO 10383; declare it in stages.firms.exchanges)"
    )


def test_exchange_override_by_source_code():
    recs = read("financedatabase", COMPANIES / "financedatabase_equities/NGM.csv")
    # FinanceDatabase gives Nasdaq's operating MIC; conf names the segment, ISO 10383 the rest.
    assert {
        (r["mic"], r["operating_mic"], r["exchange_name"]) for r in recs if not r.get("reason")
    } == {("XNMS", "XNAS", "NASDAQ/NMS (GLOBAL MARKET)")}
