import pytest
import yaml
from innolink.io.csvrecords import iter_csv_records
from innolink.legal_forms import load_legal_forms
from innolink.normalize import (
    InvalidUrl,
    clean_cn_short_name,
    country_iso2,
    country_of_location,
    isin_valid,
    lei_valid,
    normalize_name,
    normalize_website,
)

from .conftest import ROOT

ELF = ROOT / "conf/mappings/elf_code_list_v1.6_2026-02-19.csv"
ADDITIONS = yaml.safe_load((ROOT / "conf/mappings/legal_forms.yaml").read_text(encoding="utf-8"))
FORMS = load_legal_forms(ELF.read_bytes(), ADDITIONS)
# The ELF list alone, without conf's additions: what the list itself gives.
ELF_ONLY = load_legal_forms(ELF.read_bytes(), {})


@pytest.mark.parametrize(
    ("raw", "country", "key"),
    [
        ("Kyokuyo Co., Ltd.", "JP", "kyokuyo"),
        ("KYOKUYO CO.,LTD.", "JP", "kyokuyo"),
        ("株式会社　サカタのタネ", "JP", "サカタのタネ"),  # full-width space, legal form first
        ("カブシキガイシャ　サカタノタネ", "JP", "サカタノタネ"),  # katakana reading of the same
        ("ＴＯＰＰＡＮホールディングス株式会社", "JP", "toppanホールディングス"),
        ("Vivoryon Therapeutics N.V.", "NL", "vivoryon therapeutics"),
        ("平安银行股份有限公司", "CN", "平安银行"),
        ("AT&T Inc.", "US", "at and t"),
        ("3M", "US", "3m"),
        # Unknown country: every country's forms.
        ("Kyokuyo Co., Ltd.", None, "kyokuyo"),
        ("Société Générale S.A.", None, "societe generale"),
    ],
)
def test_normalize_name(raw, country, key):
    assert normalize_name(raw, country, FORMS) == key


@pytest.mark.parametrize(
    ("country", "raw", "key"),
    [
        # Real names (EDINET, GLEIF, the exchange lists); each form is in the ELF list itself.
        ("JP", "トヨタ自動車株式会社", "トヨタ自動車"),  # T417 株式会社
        ("JP", "株式会社 日立製作所", "日立製作所"),
        ("JP", "(株)日立製作所", "日立製作所"),  # T417's abbreviation 株, in brackets
        ("CN", "微软(中国)有限公司", "微软 中国"),  # 有限公司: the HK and TW entries
        ("HK", "騰訊控股有限公司", "騰訊控股"),  # 254M/EPG7 有限公司
        ("TW", "台灣積體電路製造股份有限公司", "台灣積體電路製造"),  # TD8P 股份有限公司
        ("KR", "삼성전자 주식회사", "삼성전자"),  # 5RCH 주식회사
        ("KR", "㈜삼성", "삼성"),  # 5RCH's abbreviation ㈜
        ("US", "MICROSOFT CORPORATION", "microsoft"),
        ("US", "Apple Inc.", "apple"),
        ("DE", "Robert Bosch GmbH", "robert bosch"),  # 2HBR
        ("DE", "Siemens Aktiengesellschaft", "siemens"),  # 6QQB
        ("FR", "Capgemini SE", "capgemini"),
        ("NL", "Koninklijke Philips N.V.", "koninklijke philips"),
        ("SE", "Telefonaktiebolaget LM Ericsson", "telefonaktiebolaget lm ericsson"),
        ("SE", "Volvo Aktiebolag", "volvo"),
        ("IN", "Reliance Industries Ltd.", "reliance industries"),  # DDKQ, abbreviation Ltd.
    ],
)
def test_legal_forms_come_from_the_elf_list(country, raw, key):
    assert normalize_name(raw, country, ELF_ONLY) == key


def test_conf_adds_what_the_list_lacks():
    # The list transliterates Kunrei-style ("kabusikigaisya"); conf adds the usual spellings.
    assert normalize_name("Nippon Yusen Kabushiki Kaisha", "JP", ELF_ONLY) == (
        "nippon yusen kabushiki kaisha"
    )
    assert normalize_name("Nippon Yusen Kabushiki Kaisha", "JP", FORMS) == "nippon yusen"
    assert normalize_name("トヨタジドウシャカブシキカイシャ", "JP", FORMS) == "トヨタジドウシャ"
    # The Indian list has "Private Limited Company", names say "Private Limited".
    assert normalize_name("MICROSOFT RESEARCH LAB INDIA PRIVATE LIMITED", "IN", FORMS) == (
        "microsoft research lab india"
    )
    # Words the list calls a form but that name firms are kept.
    assert normalize_name("Sumitomo Mitsui Trust", "JP", FORMS) == "sumitomo mitsui trust"


def test_legal_forms_of_another_country_stay():
    # "AG" is German; a US firm whose name ends in it keeps it, an unknown country does not.
    assert normalize_name("Sun AG", "US", FORMS) == "sun ag"
    assert normalize_name("Sun AG", None, FORMS) == "sun"
    # One character alone is never a form: 合 (7QQ0's abbreviation) only in brackets.
    assert normalize_name("百合", "JP", FORMS) == "百合"
    # A name that is nothing but a legal form is left whole.
    assert normalize_name("株式会社", "JP", FORMS) == "株式会社"
    assert normalize_name("Kyokuyo Co., Ltd.", "JP") == "kyokuyo co ltd"  # no vocabulary given


def test_elf_list_is_checked():
    with pytest.raises(ValueError, match="not the ELF code list"):
        load_legal_forms(b"code,name\n1,x\n", {})


def test_lei_check_digits():
    assert lei_valid("5493006W3QUS5LMH6R84")  # Toyota Motor Corporation
    assert not lei_valid("5493006W3QUS5LMH6R85")
    assert not lei_valid("5493006W3QUS5LMH6R8")


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
