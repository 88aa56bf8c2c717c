"""Stage `flows`: regions of inventor addresses, inventor identity, moves and flow tables on a
small hand-made set of publications whose moves are known, through the CLI."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest
from innolink.flows import identity, plots
from innolink.flows.regions import load_regions, locate, place_key
from innolink.patents import wipo
from innolink.tables import (
    INVENTOR_FLOWS,
    INVENTOR_PATENTS,
    PATENT_CLASSES,
    PATENT_PARTIES,
    PATENTS,
    REGION_FLOWS,
    REJECTS,
)
from innolink.writer import TableWriter

from .conftest import ROOT, cli, last_run, table

REGIONS = ROOT / "conf" / "mappings" / "regions.yaml"


def write_silver(spark, warehouse: Path, spec, rows: list[dict]) -> None:
    """rows (the columns they name; the others null) as the table `spec` of `warehouse`."""
    full = [{c: r.get(c) for c in spec.columns} | {"run_id": "test"} for r in rows]
    df = spark.createDataFrame(full, spec.schema)
    TableWriter(spark, str(warehouse), "test", "test").merge(spec, df)


# ---------------------------------------------------------------------------------------
# Pieces
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "code,field",
    [
        ("H01L 21/00", 8),
        ("H04N 5/225", 2),  # a main-group pattern of H04N
        ("H04N 21/44", 4),
        ("H04N 1/00", 3),
        ("G01N 33/50", 11),  # G01N 33/ is biology, the rest of G01N measurement
        ("G01N 21/00", 10),
        ("A61K 8/00", 14),
        ("A61K 31/00", 16),
        ("H04L2001/0094", 4),  # CPC indexing group: its subclass decides
        ("Z99Z 1/00", None),
        ("not a code", None),
    ],
)
def test_ipc_to_wipo_field(code, field):
    assert wipo.ipc_to_wipo_field(code) == field


def test_wipo_fields_in_spark_match_the_python_mapping(spark):
    codes = ["H04N 5/225", "H04N 21/44", "G01N 33/50", "G01N 21/00", "A61K 31/00", "Z99Z 1/00"]
    df = spark.createDataFrame([(c,) for c in codes], "code string")
    got = {r["code"]: r["field"] for r in wipo.with_wipo_field(df, "code").collect()}
    assert got == {c: wipo.ipc_to_wipo_field(c) for c in codes}
    assert wipo.field_name(4) == "Digital communication" and wipo.field_name(0) == "Unclassified"


def test_place_key():
    assert [place_key(t) for t in ("Minato-ku", "Xi'an", "Chiba 290-8566", "Shenzhen City")] == [
        "minato",
        "xian",
        "chiba",
        "shenzhen",
    ]


def test_a_duplicate_alias_is_a_config_error(tmp_path):
    from innolink.errors import ConfigError

    bad = tmp_path / "regions.yaml"
    bad.write_text(
        "countries:\n  JP:\n    regions:\n      JP-Osaka: {name: Osaka, aliases: [Osaka]}\n"
        "      JP-Ibaraki: {name: Ibaraki, aliases: [Ibaraki]}\n"
        "    cities:\n      JP-Osaka: [Ibaraki-shi]\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match="names both JP-Ibaraki and JP-Osaka"):
        load_regions(bad)


ADDRESSES = [
    # (country, state, city, address) -> region, source
    (("US", "CA", "San Jose", None), ("US-CA", "state")),
    (("US", None, "Redmond WA 98052", None), ("US-WA", "city_words")),
    (("US", None, "Kansas City, MO", None), ("US-MO", "city")),
    (("US", None, "Hickory, North Carolina", None), ("US-NC", "city")),
    (("CN", None, "Shenzhen, Guangdong", None), ("CN-Shenzhen", "city")),
    (("CN", None, "Dongguan, Guangdong", None), ("CN-Guangdong", "city")),
    (("CN", "Guangdong", "Guangzhou", None), ("CN-Guangzhou", "city")),
    (("CN", None, None, "518057 广东省深圳市南山区科技园"), ("CN-Shenzhen", "address")),
    (("CN", None, None, "上海市浦东新区深圳路1号"), ("CN-Shanghai", "address")),
    (("JP", "東京都", "大田区", "東京都大田区大森北二丁目１３番１１号"), ("JP-Tokyo", "address")),
    # 東京都 contains 京都 (Kyoto): the earliest match wins.
    (("JP", None, None, "東京都港区京都ビル"), ("JP-Tokyo", "address")),
    (("JP", None, "Ichihara-shi, Chiba 290-8566", None), ("JP-Chiba", "city")),
    (("JP", None, "Kadoma-shi", None), ("JP-Osaka", "city")),
    (("DE", None, "Munich", None), ("DE", "country")),
    # A country with regions but an unknown place, and no country: not located.
    (("JP", None, "Nowhere-mura", None), (None, None)),
    ((None, "CA", "San Jose", None), (None, None)),
]


def test_locate_addresses(spark):
    regions = load_regions(REGIONS)
    rows = [(str(i), *a) for i, (a, _) in enumerate(ADDRESSES)]
    df = spark.createDataFrame(
        rows, "_rid string, country string, state string, city string, address string"
    )
    got = {r["_rid"]: (r["region"], r["region_source"]) for r in locate(df, regions).collect()}
    assert got == {str(i): expected for i, (_, expected) in enumerate(ADDRESSES)}


def test_name_keys(spark):
    rows = [
        ("Thomas R. Goecke", "Thomas R.", "Goecke"),
        ("GOECKE, Thomas R.", None, None),
        ("Thomas Goecke", None, None),
        ("Min-Chul Kim", "Min-Chul", "Kim"),
        ("Volker Härle", "Volker", "Härle"),
        ("原田　成規", None, None),
        ("王亮", None, None),
        ("--", None, None),
    ]
    df = spark.createDataFrame(rows, "name string, first_name string, last_name string")
    got = [(r["name_key"], r["_family"], r["_given"]) for r in identity.with_name_key(df).collect()]
    assert got == [
        ("goecke|thomas r", "goecke", "thomas r"),
        ("goecke|thomas r", "goecke", "thomas r"),
        # without the middle initial: another key (the limit of this light rule)
        ("goecke|thomas", "goecke", "thomas"),
        ("kim|minchul", "kim", "minchul"),
        ("harle|volker", "harle", "volker"),
        ("原田成規", "原田", "成規"),
        ("王亮", "王", "亮"),
        (None, None, None),
    ]


def test_cluster_by_evidence_and_rare_names():
    pdf = pd.DataFrame(
        {
            "_rid": ["a", "b", "c", "d", "e"],
            "name_key": ["quimby|bob"] * 5,
            "country": ["US", "US", "US", "CA", "US"],
            "_date": ["2018-01-05", "2019-03-01", "2021-02-01", "2020-01-01", "2020-06-01"],
            "_at": ["US-1/1", "US-2/1", "US-3/2", "US-4/1", "US-5/1"],
            "_firms": [["n:beta"], ["n:beta"], ["n:gamma"], ["n:delta"], ["n:zeta"]],
            "_city": ["US:boston", None, "US:seattle", None, "US:austin"],
            "_coinventors": [[], [], [], [], ["lee|john"]],
            "_expected": [0.05] * 5,
        }
    )
    rare = identity.cluster(pdf, rare_name_expected=0.1, min_name_chars=4)
    # a-b share a firm (2018-2019); e (2020) and c (2021) follow them in time: one person by
    # the rare name; d is in another country.
    assert rare["inventor_id"].tolist() == ["nm:quimby|bob@US-1/1"] * 3 + [
        "nm:quimby|bob@US-4/1",
        "nm:quimby|bob@US-1/1",
    ]
    assert rare["id_method"].tolist() == ["rare_name"] * 3 + ["single", "rare_name"]
    # e at work in 2019 beside a-b: a namesake, not the same person
    overlapping = pdf.assign(
        _date=["2018-01-05", "2019-03-01", "2021-02-01", "2020-01-01", "2018-06-01"]
    )
    ids = identity.cluster(overlapping, rare_name_expected=0.1, min_name_chars=4)["inventor_id"]
    assert ids.tolist() == [
        "nm:quimby|bob@US-1/1",
        "nm:quimby|bob@US-1/1",
        "nm:quimby|bob@US-1/1",
        "nm:quimby|bob@US-4/1",
        "nm:quimby|bob@US-5/1",
    ]
    strict = identity.cluster(pdf, rare_name_expected=0, min_name_chars=4)
    assert strict["inventor_id"].tolist() == [
        "nm:quimby|bob@US-1/1",
        "nm:quimby|bob@US-1/1",
        "nm:quimby|bob@US-3/2",
        "nm:quimby|bob@US-4/1",
        "nm:quimby|bob@US-5/1",
    ]
    assert strict["id_method"].tolist() == ["evidence", "evidence", "single", "single", "single"]
    # a short name is never merged by rarity
    short = identity.cluster(pdf.assign(name_key="li|al"), rare_name_expected=0.1, min_name_chars=5)
    assert short["id_method"].tolist() == ["evidence", "evidence", "single", "single", "single"]


# ---------------------------------------------------------------------------------------
# The stage on hand-made publications
# ---------------------------------------------------------------------------------------

# pub_key -> (application date, main IPC, applicant, [(name, first, last, city, state, country, address)])
PUBLICATIONS = {
    "US-1-B2": ("2019-03-01", "H01L 21/00", "Acme Corp.", [
        ("Alice Smith", "Alice", "Smith", "San Jose", "CA", "US", None)]),
    "JP-2020000001-A": ("2020-01-15", "G06F 1/00", "Acme Corp.", [
        # Google's export: no address, so not located; it does not break Alice's sequence.
        ("Alice Smith", None, None, None, None, "US", None),
        ("原田 成規", None, None, "大田区", "東京都", "JP", "東京都大田区大森北二丁目１３番１１号")]),
    "US-2-B2": ("2020-05-01", "H04L 9/00", "ACME CORPORATION", [
        ("Alice Smith", "Alice", "Smith", "Austin", "TX", "US", None)]),
    "US-9-B2": ("2021-02-01", "G06F 3/00", "Acme Corp", [
        ("Alice Smith", "Alice", "Smith", "San Jose", "CA", "US", None)]),
    "US-4-B2": ("2018-02-01", "C07D 213/00", "Huaxing Technology Co., Ltd.", [
        ("Wei Zhang", "Wei", "Zhang", "Shenzhen", None, "CN", None)]),
    "US-3-B2": ("2020-07-01", "C07D 401/04", "HUAXING TECHNOLOGY CO LTD", [
        ("Wei Zhang", "Wei", "Zhang", "Guangzhou, Guangdong", None, "CN", None)]),
    # Bob Quimby changes firm and city: only his rare name joins the two.
    "US-5-B2": ("2019-04-01", "A61K 9/00", "Beta Inc.", [
        ("Bob Quimby", "Bob", "Quimby", "Boston", "MA", "US", None),
        ("John Lee", "John", "Lee", "Boston", "MA", "US", None)]),
    "US-6-B2": ("2021-06-01", "A61K 31/00", "Gamma LLC", [
        ("Bob Quimby", "Bob", "Quimby", "Seattle", "WA", "US", None)]),
    # Two John Smiths at two firms in two cities: a common name, two people, no move.
    "US-7-B2": ("2019-08-01", "B65D 81/00", "Delta Co.", [
        ("John Smith", "John", "Smith", "Denver", "CO", "US", None),
        ("Mary Smith", "Mary", "Smith", "Denver", "CO", "US", None)]),
    "US-8-B2": ("2020-09-01", "B65G 1/00", "Epsilon Co.", [
        ("John Smith", "John", "Smith", "Chicago", "IL", "US", None),
        ("John Brown", "John", "Brown", "Chicago", "IL", "US", None)]),
    # From Germany (a country without regions: the country is the region) to California.
    "US-10-B2": ("2019-01-10", "F16H 3/00", "Zeta AG", [
        ("Hans Gruber", "Hans", "Gruber", "Munich", None, "DE", None)]),
    "US-11-B2": ("2021-03-01", "F16H 1/00", "Zeta AG", [
        ("Hans Gruber", "Hans", "Gruber", "San Jose", "CA", "US", None),
        ("--", None, None, "San Jose", "CA", "US", None)]),
    # PatentsView's inventor id makes Pat and Patrick Xu one person (another firm, city).
    "US-12-B2": ("2019-05-01", "G01N 21/00", "Omega Inc.", [
        ("Pat Xu", "Pat", "Xu", "Portland", "OR", "US", None)]),
    "US-13-B2": ("2020-11-01", "G01N 33/50", "Sigma LLC", [
        ("Patrick Xu", "Patrick", "Xu", "Atlanta", "GA", "US", None)]),
}  # fmt: skip
PARTY_IDS = {("US-12-B2", 1): "fl:pa_ln:xu-1", ("US-13-B2", 1): "fl:pa_ln:xu-1"}
ORPHAN = {"pub_key": "US-99-B2", "role": "inventor", "sequence": 1, "name": "Nobody Known"}


@pytest.fixture(scope="module")
def warehouse(spark, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("flows")
    wh = tmp / "warehouse"
    patents, parties, classes = [], [], []
    for pub_key, (date, ipc, applicant, inventors) in PUBLICATIONS.items():
        office, number, kind = pub_key.split("-")
        patents.append(
            {
                "pub_key": pub_key,
                "office": office,
                "doc_number": number,
                "kind": kind,
                "application_date": dt.date.fromisoformat(date),
                "source_format": "test",
                "source_file": "test",
            }
        )
        classes.append(
            {"pub_key": pub_key, "scheme": "IPC", "code": ipc, "main": True, "sequence": 1}
        )
        parties.append({"pub_key": pub_key, "role": "applicant", "sequence": 1, "name": applicant})
        for seq, (name, first, last, city, state, country, address) in enumerate(inventors, 1):
            parties.append(
                {
                    "pub_key": pub_key,
                    "role": "inventor",
                    "sequence": seq,
                    "name": name,
                    "first_name": first,
                    "last_name": last,
                    "city": city,
                    "state": state,
                    "country": country,
                    "address": address,
                    "party_id": PARTY_IDS.get((pub_key, seq)),
                }
            )
    write_silver(spark, wh, PATENTS, patents)
    write_silver(spark, wh, PATENT_PARTIES, [*parties, ORPHAN])
    write_silver(spark, wh, PATENT_CLASSES, classes)
    # Six US name keys: Quimby|bob's expected namesakes are 1 x 1 / 6, rare under 0.2.
    assert cli(tmp, "run", "flows", "--set", "stages.flows.rare_name_expected=0.2") == 0
    return tmp


def test_inventor_flows(spark, warehouse):
    rows = {
        (
            r.from_region,
            r.to_region,
            r.year,
            r.field,
            r.field_name,
            r.from_country,
            r.to_country,
            r.moves,
            r.inventors,
        )
        for r in table(spark, warehouse, INVENTOR_FLOWS).collect()
    }
    assert rows == {
        # Alice: California -> Texas -> California (the JPO record between has no place)
        ("US-CA", "US-TX", 2020, 4, "Digital communication", "US", "US", 1, 1),
        ("US-TX", "US-CA", 2021, 6, "Computer technology", "US", "US", 1, 1),
        # Wei Zhang: Shenzhen -> Guangzhou (both cities are regions of their own)
        ("CN-Shenzhen", "CN-Guangzhou", 2020, 14, "Organic fine chemistry", "CN", "CN", 1, 1),
        # Bob Quimby, by his rare name
        ("US-MA", "US-WA", 2021, 16, "Pharmaceuticals", "US", "US", 1, 1),
        ("DE", "US-CA", 2021, 31, "Mechanical elements", "DE", "US", 1, 1),
        ("US-OR", "US-GA", 2020, 11, "Analysis of biological materials", "US", "US", 1, 1),
    }  # fmt: skip


def test_region_flows(spark, warehouse):
    rows = {
        (r.region, r.year, r.inflow, r.outflow, r.net, r.inventors)
        for r in table(spark, warehouse, REGION_FLOWS).collect()
    }
    assert rows == {
        ("US-CA", 2019, 0, 0, 0, 1),
        ("US-CA", 2020, 0, 1, -1, 0),
        ("US-CA", 2021, 2, 0, 2, 2),  # Alice back from Texas, Hans from Germany
        ("US-TX", 2020, 1, 0, 1, 1),
        ("US-TX", 2021, 0, 1, -1, 0),
        ("CN-Shenzhen", 2018, 0, 0, 0, 1),
        ("CN-Shenzhen", 2020, 0, 1, -1, 0),
        ("CN-Guangzhou", 2020, 1, 0, 1, 1),
        ("US-MA", 2019, 0, 0, 0, 2),
        ("US-MA", 2021, 0, 1, -1, 0),
        ("US-WA", 2021, 1, 0, 1, 1),
        ("US-CO", 2019, 0, 0, 0, 2),
        ("US-IL", 2020, 0, 0, 0, 2),
        ("DE", 2019, 0, 0, 0, 1),
        ("DE", 2021, 0, 1, -1, 0),
        ("JP-Tokyo", 2020, 0, 0, 0, 1),
        ("US-OR", 2019, 0, 0, 0, 1),
        ("US-OR", 2020, 0, 1, -1, 0),
        ("US-GA", 2020, 1, 0, 1, 1),
    }
    names = {r.region: r.region_name for r in table(spark, warehouse, REGION_FLOWS).collect()}
    assert (names["CN-Shenzhen"], names["DE"], names["US-CA"]) == (
        "Shenzhen",
        "Germany",
        "California",
    )


def test_inventor_identities(spark, warehouse):
    rows = table(spark, warehouse, INVENTOR_PATENTS).collect()
    people = {}
    for r in rows:
        people.setdefault(r.inventor_id, set()).add(r.pub_key)
    by_key = {(r.pub_key, r.sequence): r for r in rows}
    alice = by_key[("US-1-B2", 1)]
    assert people[alice.inventor_id] == {"US-1-B2", "JP-2020000001-A", "US-2-B2", "US-9-B2"}
    assert alice.id_method == "evidence"
    assert by_key[("JP-2020000001-A", 1)].region is None
    assert by_key[("US-6-B2", 1)].id_method == "rare_name"
    smiths = {by_key[("US-7-B2", 1)].inventor_id, by_key[("US-8-B2", 1)].inventor_id}
    assert len(smiths) == 2
    assert {by_key[("US-7-B2", 1)].id_method, by_key[("US-8-B2", 1)].id_method} == {"single"}
    xu = {by_key[("US-12-B2", 1)], by_key[("US-13-B2", 1)]}
    assert {(r.inventor_id, r.id_method) for r in xu} == {("pv:fl:pa_ln:xu-1", "party_id")}
    # 19 inventor rows + 1 orphan: 18 identified, the nameless one and the orphan rejected
    assert len(rows) == 18


def test_counts_and_rejects(spark, warehouse):
    run = last_run(warehouse)
    assert run.data.metrics["records_in"] == 20
    assert run.data.metrics["records_out"] == 18
    assert run.data.metrics["records_rejected"] == 2
    assert run.data.metrics["moves"] == 6
    rejects = {
        (r.locator, r.reason)
        for r in table(spark, warehouse, REJECTS).where("stage = 'flows'").collect()
    }
    assert rejects == {
        ("US-99-B2#1", "inventor.unknown_publication"),
        ("US-11-B2#2", "inventor.no_name"),
    }


def test_rerun_changes_nothing(spark, warehouse):
    before = table(spark, warehouse, INVENTOR_FLOWS).count()
    assert cli(warehouse, "run", "flows", "--set", "stages.flows.rare_name_expected=0.2") == 0
    assert table(spark, warehouse, INVENTOR_FLOWS).count() == before
    history = spark.sql(
        f"DESCRIBE HISTORY delta.`{INVENTOR_FLOWS.path(str(warehouse / 'warehouse'))}`"
    )
    # the second MERGE matched every row unchanged: no row was rewritten
    last = history.orderBy("version", ascending=False).first()
    assert int(last.operationMetrics.get("numTargetRowsUpdated", "0")) == 0


def test_flow_heatmap(spark, warehouse, tmp_path):
    pdf = table(spark, warehouse, INVENTOR_FLOWS).toPandas()
    matrix = plots.flow_matrix(pdf)
    assert matrix.loc["US-CA", "US-TX"] == 1 and matrix.loc["US-TX", "US-CA"] == 1
    assert int(matrix.to_numpy().sum()) == 6
    out = plots.flow_heatmap(pdf, tmp_path / "flows.png")
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    empty = plots.flow_heatmap(pdf.iloc[0:0], tmp_path / "empty.png")
    assert empty.stat().st_size > 0
    net = plots.net_inflow_bars(
        table(spark, warehouse, REGION_FLOWS).toPandas(), tmp_path / "net.png"
    )
    assert net.read_bytes()[:4] == b"\x89PNG"
