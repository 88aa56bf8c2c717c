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


def test_family_walks_direct_parents_to_the_first_listed_ancestor(spark):
    from innolink.firms.families import firm_family

    parents = spark.createDataFrame(
        [
            ("SUB", "direct", "MID", "ACTIVE"),
            ("MID", "direct", "TOP", "ACTIVE"),
            ("LSUB", "direct", "TOP", "ACTIVE"),  # a listed subsidiary
            ("GRAND", "direct", "LSUB", "ACTIVE"),  # ... whose own subsidiary stops at it
            ("ORPH", "ultimate", "TOP", "ACTIVE"),  # only the ultimate parent is known
            ("SOLD", "direct", "TOP", "INACTIVE"),  # sold: not walked
            ("C1", "direct", "C2", None),  # a cycle that reaches no listed firm
            ("C2", "direct", "C1", None),
        ],
        "child_lei string, relationship string, parent_lei string, status string",
    )
    links = spark.createDataFrame(
        [("F1", "TOP", "isin"), ("F2", "LSUB", "name")], "firm_id string, lei string, link string"
    )
    entities = spark.createDataFrame(
        [("TOP", "Top KK", "JP")], "lei string, legal_name string, legal_country string"
    )
    got = sorted(
        (r["firm_id"], r["lei"], r["depth"], r["path"], r["link"], r["listed"])
        for r in firm_family(links, parents, entities, 5).collect()
    )
    assert got == [
        ("F1", "LSUB", 1, ["LSUB", "TOP"], "direct", True),
        ("F1", "MID", 1, ["MID", "TOP"], "direct", False),
        ("F1", "ORPH", 1, ["ORPH", "TOP"], "ultimate", False),
        ("F1", "SUB", 2, ["SUB", "MID", "TOP"], "direct", False),
        ("F1", "TOP", 0, ["TOP"], "isin", True),
        ("F2", "GRAND", 1, ["GRAND", "LSUB"], "direct", False),
        ("F2", "LSUB", 0, ["LSUB"], "name", True),
    ]


def test_firm_links_by_isin_then_unambiguous_name(spark):
    from innolink.firms.families import firm_links

    firms = spark.createDataFrame(
        [
            ("F1", "JP3633400001", [], "JP", ["toyota motor"]),
            ("F2", None, [("JP3788600009",)], "JP", ["hitachi", "日立製作所"]),
            ("F3", None, [], "US", ["acme"]),  # two US entities are "acme": no link
            ("F4", None, [], "CN", ["tencent"]),  # only a Hong Kong "tencent": no link
        ],
        "firm_id string, isin string, listings array<struct<isin:string>>, home_country string,"
        " name_keys array<string>",
    )
    entities = spark.createDataFrame(
        [
            ("L1", ["toyota motor"], "JP", "JP", "ACTIVE"),
            ("L2", ["日立製作所"], "JP", "JP", "ACTIVE"),
            ("L3", ["acme"], "US", "US", "ACTIVE"),
            ("L4", ["acme"], "US", "US", None),
            ("L5", ["tencent"], "HK", "HK", "ACTIVE"),
        ],
        "lei string, name_keys array<string>, legal_country string, hq_country string,"
        " entity_status string",
    )
    isins = spark.createDataFrame([("JP3633400001", "L1")], "isin string, lei string")
    got = sorted(tuple(r) for r in firm_links(firms, entities, isins).collect())
    assert got == [("F1", "L1", "isin"), ("F2", "L2", "name")]


def test_study_country_is_home_unless_configured(spark):
    from innolink.firms.records import RECORD_SCHEMA, as_row

    # Apple's Xetra row of GER.csv: headquarters in the US, listed in Germany.
    xetra = {
        "source_format": "financedatabase",
        "source_file": "GER.csv",
        "locator": "line 95",
        "role": "primary",
        "exchange": "GER",
        "mic": "XETR",
        "operating_mic": "XETR",
        "exchange_name": "XETRA",
        "exchange_country": "DE",
        "ticker": "APC.DE",
        "listing_key": "APC.DE",
        "isin": "US0378331005",
        "name": "Apple Inc.",
        "name_norm": "apple",
        "names": [("Apple Inc.", "en", "primary", "financedatabase")],
        "name_keys": ["apple"],
        "country": "US",
    }
    clustered = spark.createDataFrame([as_row(xetra)], RECORD_SCHEMA).withColumn(
        "cluster", F.lit("c1")
    )
    industries = T.industry_map_frame(spark, {"sectors": [], "schemes": {}})
    got = [
        tuple(
            T.assemble_firms(clustered, clustered.limit(0), industries, 2024, {}, study)
            .select("country", "home_country", "listing_country")
            .first()
        )
        for study in ("home", "listing")
    ]
    assert got == [("US", "US", "DE"), ("DE", "US", "DE")]
