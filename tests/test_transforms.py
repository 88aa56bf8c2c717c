"""Pure DataFrame transforms of the firm registry, on tiny inline data."""

from innolink.config import FirmTypeRule
from innolink.firms import transforms as T
from pyspark.sql import functions as F


def test_connected_components_follow_shared_keys(spark):
    keys = spark.createDataFrame(
        [("r1", "isin:X"), ("r2", "isin:X"), ("r2", "lk:B"), ("r3", "lk:B"), ("r4", "lk:D")],
        "record_id string, key string",
    )
    got = {r["record_id"]: r["cluster"] for r in T.connected_components(keys, 10).collect()}
    # r1-r2 share an ISIN, r2-r3 a listing: one firm labelled by its smallest id.
    assert got == {"r1": "r1", "r2": "r1", "r3": "r1", "r4": "r4"}


def primary(spark, rows):
    return spark.createDataFrame(
        rows,
        "record_id string, isin string, listing_key string, name_norm string, domain string, country string",
    )


def test_name_and_country_link_only_when_unambiguous(spark):
    recs = primary(
        spark,
        [
            ("sp", None, "US:AAPL", "apple", None, "US"),  # S&P list: no ISIN, no website
            ("ger", "US0378331005", "APC.DE", "apple", "apple.com", "US"),
            ("a1", None, "US:ACME", "acme", "acme.com", "US"),  # two different "Acme"s
            ("a2", None, "US:ACMX", "acme", "acme.io", "US"),
            ("a3", None, "US:ACMY", "acme", None, "US"),
        ],
    )
    clusters = {
        r["record_id"]: r["cluster"]
        for r in T.connected_components(T.resolution_keys(recs), 10).collect()
    }
    assert clusters["sp"] == clusters["ger"]
    # "acme" in the US has two domains: the name alone proves nothing, so no links.
    assert len({clusters["a1"], clusters["a2"], clusters["a3"]}) == 3


def test_name_plus_domain_links_across_countries(spark):
    recs = primary(
        spark,
        [
            ("x", None, "X.DE", "siemens", "siemens.com", "DE"),
            ("y", None, "Y.L", "siemens", "siemens.com", "GB"),
        ],
    )
    clusters = T.connected_components(T.resolution_keys(recs), 10)
    assert clusters.select("cluster").distinct().count() == 1


def test_founding_year_from_summary(spark):
    df = spark.createDataFrame(
        [
            ("The company was founded in 1937 and is based in Tokyo.",),
            ("Incorporated in 2015.",),
            ("It was founded in 2031.",),
            ("No year here.",),
            (None,),
        ],
        "summary string",
    )
    got = [r[0] for r in df.select(T.founded_from_summary(F.col("summary"), 2024)).collect()]
    assert got == [1937, 2015, None, None, None]  # a year after the reference year is a typo


def test_multinational_evidence(spark):
    df = spark.createDataFrame(
        [
            ("Sells in Japan and internationally.",),
            ("Operates in 40 countries worldwide.",),
            ("Local bakery.",),
        ],
        "summary string",
    )
    patterns = {
        "internationally": r"\binternationally\b",
        "worldwide": r"\bworld-?wide\b",
        "country_count": r"\b(?:[2-9]|[1-9][0-9]+) countries\b",
    }
    got = [r[0] for r in df.select(T.multinational_evidence(F.col("summary"), patterns)).collect()]
    assert got == [["internationally"], ["worldwide", "country_count"], []]


def test_firm_type_rules_first_match_wins(spark):
    rules = [
        FirmTypeRule(type="startup", founded_within_years=10),
        FirmTypeRule(type="multinational", multinational_signal=True, market_cap_in=["Large Cap"]),
    ]
    firms = spark.createDataFrame(
        [
            ("young", 2020, True, "Large Cap", 1),
            ("big", 1950, True, "Large Cap", 1),
            ("small", 1950, True, "Micro Cap", 1),
            ("unknown", None, False, None, 1),
            ("edge", 2014, False, None, 1),
        ],
        "firm_id string, founded_year int, multinational_signal boolean, market_cap string, listing_country_count int",
    )
    got = {
        r["firm_id"]: (r["firm_type"], r["firm_type_rule"])
        for r in T.assign_firm_type(firms, rules, "incumbent", 2024).collect()
    }
    assert got == {
        "young": ("startup", "rule 1: startup if founded_within_years=10"),
        "big": (
            "multinational",
            "rule 2: multinational if multinational_signal=True, market_cap_in=['Large Cap']",
        ),
        "small": ("incumbent", "default: incumbent"),  # abroad but small
        "unknown": ("incumbent", "default: incumbent"),  # no founding year: never a startup
        "edge": ("startup", "rule 1: startup if founded_within_years=10"),  # 2024 - 2014 = 10
    }
