"""Stage `link` end to end through the CLI, on a small registry of real firms (as the firms
stage writes them from EDINET, the S&P 500 list and GLEIF) and the applicants of a few
publications: kanji against romanized names, misspellings, a subsidiary of GLEIF, an alias,
hard negatives, an applicant of no listed firm."""

from __future__ import annotations

import json

import mlflow
import pytest
from innolink.tables import (
    APPLICANT_FIRM_LINKS,
    FIRM_FAMILY,
    FIRM_PATENTS,
    FIRMS,
    LEGAL_ENTITIES,
    PATENT_PARTIES,
    REJECTS,
)
from innolink.writer import TableWriter
from pyspark.sql.types import ArrayType, BooleanType, IntegerType, StringType

from .conftest import cli, last_run, table

TOYOTA, HINO_LEI, TOYOTA_LEI = "F-TOYOTA", "5493000000000000HINO", "5493000000000TOYOTA0"
FIRM_NAMES = {
    # firm_id: (country, name, [(variant, lang, kind)])
    TOYOTA: (
        "JP",
        "Toyota Motor Corporation",
        [
            ("TOYOTA MOTOR CORPORATION", "en", "registered"),
            ("トヨタ自動車株式会社", "ja", "registered"),
            ("トヨタジドウシャ", "ja-Kana", "reading"),
        ],
    ),
    "F-TOYOTA-IND": ("JP", "Toyota Industries Corporation", []),
    "F-MSFT": ("US", "Microsoft", []),
    "F-AMZN": ("US", "Amazon", []),
    "F-FAMILY": ("JP", "Family Inc.", [("ファミリー", "ja-Kana", "reading")]),
    "F-RUIHE": (
        "CN",
        "Shenzhen Ruihe Construction Decoration Co., Ltd.",
        [("瑞和股份", "zh-Hans", "short")],
    ),
}
# pub_key -> [(role, name, is_organization, country)]
PUBLICATIONS = {
    "US-1-B2": [
        ("applicant", "Toyota Jidosha Kabushiki Kaisha", True, "JP"),
        ("assignee", "TOYOTA JIDOSHA KABUSHIKI KAISHA", True, "JP"),
        ("assignee", "Microsoft Corporation", True, "US"),
        ("inventor", "Taro Yamada", False, "JP"),
    ],
    "JP-2-A": [("assignee", "トヨタ自動車株式会社", None, "JP")],
    "JP-3-A": [("assignee", "日野自動車株式会社", None, "JP")],
    "US-4-B1": [("assignee", "Micrsoft Corporation", True, "US")],
    "US-5-B1": [("assignee", "Amazon Technologies, Inc.", True, "US")],
    "US-6-B1": [("assignee", "Family Co., Ltd.", True, "JP")],
    # A university founded by Toyota is no firm of it.
    "US-7-B1": [("assignee", "Toyota Technological Institute", True, "JP")],
    "CN-8-A": [
        ("assignee", "華為技術有限公司", None, "CN"),
        ("assignee", "深圳瑞和建筑装饰股份有限公司", None, "CN"),
    ],
    "US-9-B1": [("assignee", "Toyota Industries Corporation", True, "JP")],
    "US-10-B1": [("assignee", "—", True, "US")],
}


def _row(spec, given: dict) -> dict:
    """A row of the table: the values that matter, type defaults for the other NOT NULLs."""
    row = {}
    for field in spec.schema.fields:
        if field.name in given:
            row[field.name] = given[field.name]
        elif field.nullable:
            row[field.name] = None
        elif isinstance(field.dataType, ArrayType):
            row[field.name] = []
        elif isinstance(field.dataType, BooleanType):
            row[field.name] = False
        elif isinstance(field.dataType, IntegerType):
            row[field.name] = 0
        elif isinstance(field.dataType, StringType):
            row[field.name] = "x"
        else:
            raise AssertionError(f"no default for {field}")
    return row


def _firm(firm_id: str) -> dict:
    country, name, variants = FIRM_NAMES[firm_id]
    listing = {"US": "US", "JP": "JP", "CN": "CN"}[country]
    return _row(
        FIRMS,
        {
            "firm_id": firm_id,
            "name": name,
            "name_norm": name.casefold(),
            "name_variants": [
                {"name": n, "lang": lang, "kind": kind, "source": "test"}
                for n, lang, kind in [(name, "en", "primary"), *variants]
            ],
            "country": country,
            "home_country": country,
            "listing_country": listing,
        },
    )


@pytest.fixture(scope="module")
def warehouse(spark, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("link")
    writer = TableWriter(spark, str(tmp / "warehouse"), "test", "seed")
    writer.merge(FIRMS, spark.createDataFrame([_firm(f) for f in FIRM_NAMES], FIRMS.schema))
    entities = [
        _row(LEGAL_ENTITIES, {"lei": TOYOTA_LEI, "legal_name": "トヨタ自動車株式会社"}),
        _row(LEGAL_ENTITIES, {"lei": HINO_LEI, "legal_name": "日野自動車株式会社"}),
    ]
    writer.merge(LEGAL_ENTITIES, spark.createDataFrame(entities, LEGAL_ENTITIES.schema))
    family = [
        _row(FIRM_FAMILY, {"firm_id": TOYOTA, "lei": TOYOTA_LEI, "depth": 0, "link": "name"}),
        _row(
            FIRM_FAMILY,
            {"firm_id": TOYOTA, "lei": HINO_LEI, "depth": 1, "link": "direct", "listed": False},
        ),
    ]
    writer.merge(FIRM_FAMILY, spark.createDataFrame(family, FIRM_FAMILY.schema))
    parties = [
        _row(
            PATENT_PARTIES,
            {
                "pub_key": pub,
                "role": role,
                "sequence": i,
                "name": name,
                "is_organization": org,
                "country": country,
            },
        )
        for pub, rows in PUBLICATIONS.items()
        for i, (role, name, org, country) in enumerate(rows, start=1)
    ]
    writer.merge(PATENT_PARTIES, spark.createDataFrame(parties, PATENT_PARTIES.schema))
    assert cli(tmp, "run", "link", "--set", "stages.link.truth=[]") == 0
    return tmp


def links(spark, tmp) -> dict[str, tuple]:
    rows = table(spark, tmp, APPLICANT_FIRM_LINKS).collect()
    return {r.applicant: (r.firm_id, r.method) for r in rows}


def test_hard_names_link_to_their_firm_or_to_none(spark, warehouse):
    assert links(spark, warehouse) == {
        # Romanized Japanese (Jidosha = Motor), upper case, kanji: all Toyota Motor.
        "Toyota Jidosha Kabushiki Kaisha": (TOYOTA, "exact"),
        "TOYOTA JIDOSHA KABUSHIKI KAISHA": (TOYOTA, "exact"),
        "トヨタ自動車株式会社": (TOYOTA, "exact"),
        # A GLEIF subsidiary of Toyota (not listed itself) is credited to it.
        "日野自動車株式会社": (TOYOTA, "family"),
        # Another listed Toyota company stays itself.
        "Toyota Industries Corporation": ("F-TOYOTA-IND", "exact"),
        "Microsoft Corporation": ("F-MSFT", "exact"),
        "Micrsoft Corporation": ("F-MSFT", "fuzzy"),
        # conf/mappings/applicant_aliases.yaml: what GLEIF lacks.
        "Amazon Technologies, Inc.": ("F-AMZN", "alias"),
        # The Chinese name read into the firm's English one (the short name 瑞和股份 is
        # only its start).
        "深圳瑞和建筑装饰股份有限公司": ("F-RUIHE", "reading"),
        # Hard negatives: another company's legal form on a one-word name, a university,
        # a large applicant of no listed firm here.
        "Family Co., Ltd.": (None, "none"),
        "Toyota Technological Institute": (None, "none"),
        "華為技術有限公司": (None, "none"),
    }


def test_evidence_and_scores(spark, warehouse):
    rows = {r.applicant: r for r in table(spark, warehouse, APPLICANT_FIRM_LINKS).collect()}
    family = rows["Family Co., Ltd."]
    assert "veto: legal_form_conflict" in family.evidence and family.score == 0.0
    assert family.matched_name in ("Family Inc.", "ファミリー")
    assert "veto: institution" in rows["Toyota Technological Institute"].evidence
    hino = rows["日野自動車株式会社"]
    assert hino.matched_name == "日野自動車株式会社" and hino.score >= 0.5
    assert rows["Micrsoft Corporation"].country == "US"
    assert rows["Toyota Jidosha Kabushiki Kaisha"].publications == 1
    # Every linked row is at or above the threshold, every unlinked one below it.
    for r in rows.values():
        assert (r.firm_id is not None) == (r.score >= 0.5), r.applicant


def test_firm_patents_share_a_publication_among_its_firms(spark, warehouse):
    rows = {
        (r.firm_id, r.pub_key): (r.share, r.method)
        for r in table(spark, warehouse, FIRM_PATENTS).collect()
    }
    assert rows == {
        # Applicant and assignee both Toyota: one credit, shared with Microsoft.
        (TOYOTA, "US-1-B2"): (0.5, "exact"),
        ("F-MSFT", "US-1-B2"): (0.5, "exact"),
        (TOYOTA, "JP-2-A"): (1.0, "exact"),
        (TOYOTA, "JP-3-A"): (1.0, "family"),
        ("F-MSFT", "US-4-B1"): (1.0, "fuzzy"),
        ("F-AMZN", "US-5-B1"): (1.0, "alias"),
        ("F-RUIHE", "CN-8-A"): (1.0, "reading"),
        ("F-TOYOTA-IND", "US-9-B1"): (1.0, "exact"),
    }


def test_counts_and_the_name_of_nothing(spark, warehouse):
    metrics = last_run(warehouse).data.metrics
    # 13 organisation names (per office); "—" normalizes to nothing: a reject.
    assert (metrics["records_in"], metrics["records_out"], metrics["records_rejected"]) == (
        13,
        12,
        1,
    )
    assert (metrics["linked"], metrics["method_none"], metrics["firm_patents"]) == (9, 3, 8)
    rejects = table(spark, warehouse, REJECTS).where("stage = 'link'").collect()
    assert [(r.source, r.locator, r.reason.split(":")[0]) for r in rejects] == [
        ("US", "—", "link.no_name")
    ]


def test_a_lost_alias_leaves_no_stale_credit_then_evaluation(spark, warehouse, tmp_path):
    def snapshot():
        return [
            sorted(tuple(r) for r in table(spark, warehouse, spec).drop("run_id").collect())
            for spec in (APPLICANT_FIRM_LINKS, FIRM_PATENTS)
        ]

    before = snapshot()
    empty = tmp_path / "aliases.yaml"
    empty.write_text("aliases: []\n", encoding="utf-8")
    no_alias = ["--set", "stages.link.truth=[]", "--set", f"stages.link.aliases={empty}"]
    assert cli(warehouse, "run", "link", *no_alias) == 0
    assert links(spark, warehouse)["Amazon Technologies, Inc."] == (None, "none")
    credits = {(r.firm_id, r.pub_key) for r in table(spark, warehouse, FIRM_PATENTS).collect()}
    assert ("F-AMZN", "US-5-B1") not in credits and len(credits) == 7

    # Again with the aliases, evaluating on labelled names: the tables are as they were
    # (the run is reproducible; evaluating writes nothing).
    labels = tmp_path / "labels.csv"
    labels.write_text(
        "applicant,office,country,firm_ids,split,scope\n"
        "TOYOTA MOTOR CORP.,US,JP,F-TOYOTA,test,name\n"
        "Microsfot Corporation,US,US,F-MSFT,test,name\n"
        "FAMILY CO LTD,US,JP,,test,name\n"
        # Labelled wrong on purpose: a false positive and a false negative.
        "Toyota Industries Corp.,US,JP,F-TOYOTA,test,name\n"
        "Sony Corporation,US,JP,F-SONY,test,name\n",
        encoding="utf-8",
    )
    evaluate = ["--set", "stages.link.evaluate=true", "--set", f"stages.link.labels={labels}"]
    assert cli(warehouse, "run", "link", "--set", "stages.link.truth=[]", *evaluate) == 0
    assert snapshot() == before
    run = last_run(warehouse)
    metrics = run.data.metrics
    # tp 2 (Toyota, Microsoft), fp 1 (Toyota Industries, labelled Toyota Motor) and fn 1 for
    # it too; Sony is not in the registry: counted apart, not scored.
    assert (metrics["eval_real_test_tp"], metrics["eval_real_test_fp"]) == (2.0, 1.0)
    assert metrics["eval_real_test_fn"] == 1.0
    assert metrics["eval_real_test_precision"] == pytest.approx(0.6667)
    assert metrics["eval_real_test_recall"] == pytest.approx(0.6667)
    assert metrics["eval_real_test_truth_missing"] == 1.0
    path = mlflow.artifacts.download_artifacts(
        run_id=run.info.run_id, artifact_path="link_evaluation.json"
    )
    with open(path, encoding="utf-8") as f:
        errors = json.load(f)["errors"]
    assert [e["applicant"] for e in errors] == ["Toyota Industries Corp."]
