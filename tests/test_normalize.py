import pytest
from innolink.io.csvrecords import iter_csv_records
from innolink.normalize import (
    InvalidUrl,
    clean_cn_short_name,
    country_iso2,
    country_of_location,
    isin_valid,
    normalize_name,
    normalize_website,
)


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("Kyokuyo Co., Ltd.", "kyokuyo"),
        ("KYOKUYO CO.,LTD.", "kyokuyo"),
        ("株式会社　サカタのタネ", "サカタのタネ"),  # full-width space, legal form first
        ("カブシキガイシャ　サカタノタネ", "サカタノタネ"),  # katakana reading of the same
        ("ＴＯＰＰＡＮホールディングス株式会社", "toppanホールディングス"),
        ("Vivoryon Therapeutics N.V.", "vivoryon therapeutics"),
        ("平安银行股份有限公司", "平安银行"),
        ("AT&T Inc.", "at and t"),
        ("3M", "3m"),
    ],
)
def test_normalize_name(raw, key):
    assert normalize_name(raw) == key


def test_cn_short_names_lose_padding_and_status():
    assert clean_cn_short_name("万  科Ａ") == ("万科A", False)
    assert clean_cn_short_name("退市海B") == ("海B", True)
    assert clean_cn_short_name("*ST金泰") == ("金泰", False)


def test_countries():
    assert [country_iso2(c) for c in ("Japan", "Taiwan", "Macau", "Russia", "Atlantis", "")] == [
        "JP",
        "TW",
        "MO",
        "RU",
        None,
        None,
    ]
    assert country_of_location("West Falls Church, Virginia[2]") == "US"
    assert country_of_location("Dublin, Ireland") == "IE"
    assert country_of_location("none") is None


def test_isin_check_digit():
    assert isin_valid("US0378331005")  # Apple
    assert not isin_valid("US0378331006")  # wrong check digit
    assert not isin_valid("US037833100")  # too short


def test_websites():
    assert normalize_website("http://www.kyokuyo.co.jp") == (
        "http://www.kyokuyo.co.jp",
        "kyokuyo.co.jp",
    )
    assert normalize_website("www.apple.com") == ("http://www.apple.com", "apple.com")
    assert normalize_website("https://sub.example.co.uk/x") == (
        "https://sub.example.co.uk/x",
        "example.co.uk",
    )
    assert normalize_website("") is None
    for bad in (
        "htp//bad",
        "http://exa mple.com",
        "http://localhost",
        "ftp://x.com",
        "http://a..com",
    ):
        with pytest.raises(InvalidUrl):
            normalize_website(bad)


def test_csv_broken_quote_rejects_only_its_record():
    data = b'a,b,c\n1,"x\ny",3\n2,"broken,3\n4,5,6\n7,8\n\xff\xfe,1,2\n9,"ok",10\n'
    got = [(r.locator, r.fields, r.error) for r in iter_csv_records(data)]
    assert got == [
        ("line 1", ["a", "b", "c"], None),
        ("lines 2-3", ["1", "x\ny", "3"], None),  # a quoted field spanning lines is fine
        ("line 4", None, "bad_csv.unbalanced_quote"),
        ("line 5", ["4", "5", "6"], None),  # the row after the broken one survives
        ("line 6", None, "bad_csv.field_count: 2 fields, expected 3"),
        ("line 7", None, "bad_encoding: not utf-8"),
        ("line 8", ["9", "ok", "10"], None),
    ]


def test_csv_unclosed_quote_at_end_of_file():
    got = [(r.locator, r.error) for r in iter_csv_records(b'a,b\n1,2\n3,"never closed\n')]
    assert got == [("line 1", None), ("line 2", None), ("line 3", "bad_csv.unbalanced_quote")]
