"""Google Patents reader on export shards written here as BigQuery writes them.

The publications are real: JP2021044249A and CN113781974A from the JPO and CNIPA samples in
../shared/data/patents/ja_zh, EP1873405A2 from ../shared/data/patents/epo_fulltext_xml and
US8088480B2 from ../shared/data/patents/uspto_fulltext_xml (titles, abstracts, claims,
parties, classes, dates and references as those documents give them). What only Google
adds (harmonized names, citation types) is written in Google's style from those documents.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from innolink.patents.readers import google_patents
from innolink.tables import PATENT_CITATIONS, PATENT_CLASSES, PATENT_PARTIES, PATENTS

from .test_patents_patentsview import TAPE_ABSTRACT, TAPE_CITATIONS, TAPE_NPL, collect_all

JP_TITLE = "リチウムイオン電池のリサイクル方法"
JP_ABSTRACT = (
    "【課題】廃リチウムイオン電池から電極材料をリサイクルするための迅速で効率的な低コストの"
    "方法を提供する。 【解決手段】方法は、処理された異成分混合物をふるい分けして、極性溶媒及び"
    "より微細な電極材料からなる懸濁物を提供し懸濁物中のより微細な電極材料を極性溶媒から単離"
    "させる。 【選択図】図１"
)
JP_DESCRIPTION = "本発明は、リチウムイオン電池をリサイクルする方法に関する。"
CN_ABSTRACT = (
    "公开了一种显示设备。显示设备包括排列成多行和多列的多个像素、处于第一方向且连接至像素的"
    "多条栅线以及连接至像素的多条数据线。一定数量的数据线处于一行中的像素之间以及处于第一区域"
    "中的每个中，第一区域与位于第一列和最后一列中的一个列中的像素的一侧相邻。"
)
EP_ABSTRACT = (
    "Bei einer Spanplattenschraube wird vorgeschlagen, innerhalb des ein Spanplattengewinde "
    "aufweisenden Teils (4b) des Schafts (4) den Schaft selbst zwischen den Windungen des "
    "Gewindes mit einer von einer Kreisform abweichenden Querschnittsform zu versehen."
)
EP_CLAIMS = (
    "Spanplattenschraube, mit\n1.1 einem Schraubenkopf (1),\n1.2 einem Schraubenschaft (4),\n"
    "1.3 einer Schraubenspitze (6) und\n1.4 einem sich über mindestens einen Teil (4b) des "
    "Schafts (4) erstreckenden Gewinde (5), sowie mit\n1.5 einer Rückdrehsicherung.\n"
    "Spanplattenschraube nach Anspruch 1, bei der die Rückdrehsicherung am Schaft (4) der "
    "Schraube ausgebildet ist."
)
EP_DESCRIPTION = "Die Erfindung betrifft eine Spanplattenschraube."
US_CLAIMS = (
    "1. An adhesive tape comprising:\na polymer having a Shore A Hardness of between 92 and "
    "100; and\na layer of pressure sensitive adhesive comprising a first side and an opposed "
    "second side, the first side being in direct and uninterrupted contact with the polymer "
    "layer where the adhesive tape comprises an average thickness between 65 mil and 69 mil."
)


def _texts(*pairs: tuple[str, str], truncated: bool = False) -> list[dict]:
    return [{"text": t, "language": lang, "truncated": truncated} for t, lang in pairs]


def _codes(*codes: str) -> list[dict]:
    """Classification entries, the first one marked `first` as Google does."""
    return [
        {"code": c, "inventive": True, "first": i == 0, "tree": []} for i, c in enumerate(codes)
    ]


JP = {
    "publication_number": "JP-2021044249-A",
    "application_number": "JP-2020185474-A",
    "country_code": "JP",
    "kind_code": "A",
    "application_kind": "A",
    "application_number_formatted": "JP2020185474",
    # BigQuery writes INT64 as JSON strings.
    "publication_date": "20210318",
    "filing_date": "20201106",
    "grant_date": "0",
    "priority_date": "20160707",
    "title_localized": _texts((JP_TITLE, "ja")),
    "abstract_localized": _texts((JP_ABSTRACT, "ja")),
    "description_localized": _texts((JP_DESCRIPTION, "ja"), truncated=True),
    "inventor": ["ホ、カム・ピウ", "ワン、ランシ", "シェン、ペイフア"],
    "inventor_harmonized": [],
    "assignee": ["ジーアールエスティー・インターナショナル・リミテッド"],
    "assignee_harmonized": [{"name": "GRST INTERNATIONAL LTD", "country_code": "HK"}],
    # H01M10/54 listed again as a further class: one class row.
    "ipc": _codes("H01M10/54", "B09B3/00", "H01M10/54"),
    "fi": _codes("H01M10/54"),
    "fterm": [{**c, "first": False} for c in _codes("4D004AA23", "4D004AB05", "5H031BB09")],
}
CN = {
    "publication_number": "CN-113781974-A",
    "application_number": "CN-202111286633-A",
    "country_code": "CN",
    "kind_code": "A",
    "application_kind": "A",
    "application_number_formatted": "CN202111286633.X",
    # Other tools write the INT64 columns as numbers: read as well.
    "publication_date": 20211210,
    "filing_date": 20170424,
    "grant_date": 0,
    "priority_date": 20160523,
    "title_localized": _texts(("显示设备", "zh")),
    "abstract_localized": _texts((CN_ABSTRACT, "zh")),
    "inventor": ["金驲柱", "田武经", "李安洙"],
    "assignee": ["三星显示有限公司"],
    "assignee_harmonized": [{"name": "SAMSUNG DISPLAY CO LTD", "country_code": "KR"}],
    "ipc": _codes("G09G3/36", "G09G3/3208", "G09G3/34"),
}
EP = {
    "publication_number": "EP-1873405-A2",
    "application_number": "EP-07012363-A",
    "country_code": "EP",
    "kind_code": "A2",
    "application_kind": "A",
    "application_number_formatted": "EP07012363",
    "publication_date": "20080102",
    "filing_date": "20070625",
    "grant_date": "0",
    "priority_date": "20060629",
    # English first: the German description says which one is the publication's.
    "title_localized": _texts(
        ("Chipboard screw", "en"),
        ("Spanplattenschraube", "de"),
        ("Vis pour panneau aggloméré", "fr"),
    ),
    "abstract_localized": _texts((EP_ABSTRACT, "de")),
    "claims_localized": _texts((EP_CLAIMS, "de")),
    "description_localized": _texts((EP_DESCRIPTION, "de"), truncated=True),
    "inventor": ["Heim, Markus"],
    "inventor_harmonized": [{"name": "HEIM MARKUS", "country_code": "DE"}],
    "assignee": ["SWG Schraubenwerk Gaisbach GmbH"],
    "assignee_harmonized": [{"name": "SWG SCHRAUBENWERK GAISBACH GMBH", "country_code": "DE"}],
    "ipc": _codes("F16B25/10", "F16B35/06"),
}
# Google marks citations by the examiner "SEA" (search), the others "APP".
US_CITED = [
    {
        "publication_number": f"US-{number}-{kind}",
        "application_number": "",
        "npl_text": "",
        "type": "SEA",
        "category": "",
        "filing_date": 0,
    }
    for number, _, _, kind in TAPE_CITATIONS
] + [
    {
        "publication_number": "",
        "application_number": "",
        "npl_text": text,
        "type": "SEA" if i < 2 else "APP",
        "category": "",
        "filing_date": 0,
    }
    for i, text in enumerate(TAPE_NPL)
]
US = {
    "publication_number": "US-8088480-B2",
    "application_number": "US-10674108-A",
    "country_code": "US",
    "kind_code": "B2",
    "application_kind": "A",
    "application_number_formatted": "US10674108",
    "publication_date": 20120103,
    "filing_date": 20030929,
    "grant_date": 20120103,
    "priority_date": 20030929,
    "title_localized": _texts(("Adhesive tape", "en")),
    "abstract_localized": _texts((TAPE_ABSTRACT, "en")),
    "claims_localized": _texts((US_CLAIMS, "en")),
    "inventor": ["Thomas R. Goecke"],
    "inventor_harmonized": [{"name": "GOECKE THOMAS R", "country_code": "US"}],
    "assignee": ["Shieldmark, Inc."],
    "assignee_harmonized": [{"name": "SHIELDMARK INC", "country_code": "US"}],
    "ipc": _codes("D06N7/04", "C09J7/02", "B32B7/12"),
    "uspc": _codes("428/343", "428/141", "428/332", "428/337", "428/906"),
    "citation": US_CITED,
    "art_unit": "1788",
}
# A line cut short, and a line numbering the publication the office's way.
BROKEN_LINE = '{"publication_number": "CN-113784721-A", "title_localized": [{"text": "抗COVID-19'
OFFICE_NUMBER_LINE = json.dumps(
    {
        "publication_number": "CN113784721A",
        "title_localized": _texts(("抗COVID-19的高活性化合物", "zh")),
    },
    ensure_ascii=False,
)
JSON_LINES = [
    json.dumps(JP, ensure_ascii=False),
    json.dumps(CN, ensure_ascii=False),
    "",
    json.dumps(EP, ensure_ascii=False),
    BROKEN_LINE,
    OFFICE_NUMBER_LINE,
]
JSON_NAME = "publications-000000000000.json.gz"
PARQUET_NAME = "publications-000000000001.parquet"


def _as_parquet(doc: dict) -> dict:
    """A publication as the Parquet export types it: INT64 dates as integers. The empty
    `tree` lists are left out: pyarrow cannot type a list that never holds a value."""
    dates = ("publication_date", "filing_date", "grant_date", "priority_date")
    out = {k: int(v) if k in dates else v for k, v in doc.items()}
    for scheme in ("cpc", "ipc", "uspc", "fi", "fterm", "locarno"):
        if scheme in out:
            out[scheme] = [{k: v for k, v in c.items() if k != "tree"} for c in out[scheme]]
    return out


@pytest.fixture(scope="module", autouse=True)
def _interpreted(interpreted_spark):
    yield


@pytest.fixture(scope="module")
def export(tmp_path_factory) -> Path:
    # A space in the path: Spark names files URL-encoded, the frames must not.
    return write_export(tmp_path_factory.mktemp("google export"))


def write_export(root: Path) -> Path:
    """A JSONL shard and a Parquet shard of the publications table under root."""
    with gzip.open(root / JSON_NAME, "wt", encoding="utf-8") as handle:
        handle.write("\n".join(JSON_LINES) + "\n")
    # The second row repeats the JP publication of the JSON shard.
    rows = [_as_parquet(US), {**_as_parquet(JP), "inventor_harmonized": None}]
    pq.write_table(pa.Table.from_pylist(rows), root / PARQUET_NAME)
    (root / "README.txt").write_text("export of patents-public-data.patents.publications\n")
    return root


@pytest.fixture(scope="module")
def frames(spark, export):
    return google_patents.read(spark, str(export))


@pytest.fixture(scope="module")
def rows(frames):
    return collect_all(frames)


def _uri(root: Path, name: str) -> str:
    return f"file:{root / name}"


def _sorted(rows: list[dict], order: list[str]) -> list[dict]:
    return sorted(rows, key=lambda r: tuple(r[k] for k in order))


def _patent(pub_key: str, source: str, **values) -> dict:
    row = dict.fromkeys(c for c in PATENTS.columns if c != "run_id")
    office, number, kind = pub_key.split("-")
    row.update(pub_key=pub_key, office=office, doc_number=number, kind=kind)
    row.update(source_format="google-patents", source_file=source)
    row["dtd"] = "patents-public-data.patents.publications ({})".format(
        "parquet" if source.endswith(".parquet") else "jsonl"
    )
    row.update(values)
    return row


def test_patents_in_the_office_language(frames, rows, export):
    day = dt.date.fromisoformat
    shard, parquet = _uri(export, JSON_NAME), _uri(export, PARQUET_NAME)
    expected = [
        _patent(
            "CN-113781974-A",
            shard,
            doc_type="application",
            application_number="202111286633X",
            application_date=day("2017-04-24"),
            publication_date=day("2021-12-10"),
            priority_date=day("2016-05-23"),
            title="显示设备",
            title_lang="zh",
            abstract=CN_ABSTRACT,
            abstract_lang="zh",
        ),
        _patent(
            "EP-1873405-A2",
            shard,
            doc_type="application",
            application_number="07012363",
            application_date=day("2007-06-25"),
            publication_date=day("2008-01-02"),
            priority_date=day("2006-06-29"),
            title="Spanplattenschraube",
            title_lang="de",
            title_en="Chipboard screw",
            abstract=EP_ABSTRACT,
            abstract_lang="de",
            claims=EP_CLAIMS,
            claims_lang="de",
            description_length=len(EP_DESCRIPTION),
        ),
        _patent(
            "JP-2021044249-A",
            shard,
            doc_type="application",
            application_number="2020185474",
            application_date=day("2020-11-06"),
            publication_date=day("2021-03-18"),
            priority_date=day("2016-07-07"),
            title=JP_TITLE,
            title_lang="ja",
            abstract=JP_ABSTRACT,
            abstract_lang="ja",
            description_length=len(JP_DESCRIPTION),
        ),
        _patent(
            "US-8088480-B2",
            parquet,
            doc_type="utility",
            application_number="10674108",
            application_date=day("2003-09-29"),
            publication_date=day("2012-01-03"),
            grant_date=day("2012-01-03"),
            priority_date=day("2003-09-29"),
            title="Adhesive tape",
            title_lang="en",
            title_en="Adhesive tape",
            abstract=TAPE_ABSTRACT,
            abstract_lang="en",
            claims=US_CLAIMS,
            claims_lang="en",
        ),
    ]
    assert frames.patents.columns == [c for c in PATENTS.columns if c != "run_id"]
    assert _sorted(rows["patents"], ["pub_key"]) == expected


def test_parties(frames, rows):
    def party(pub_key, role, seq, name, country=None):
        return dict(
            pub_key=pub_key,
            role=role,
            sequence=seq,
            name=name,
            is_organization=False if role == "inventor" else None,
            first_name=None,
            last_name=None,
            city=None,
            state=None,
            country=country,
            address=None,
            lang=None,
            party_id=None,
        )

    expected = [
        party("CN-113781974-A", "assignee", 1, "三星显示有限公司", "KR"),
        *[party("CN-113781974-A", "inventor", i + 1, n) for i, n in enumerate(CN["inventor"])],
        party("EP-1873405-A2", "assignee", 1, "SWG Schraubenwerk Gaisbach GmbH", "DE"),
        party("EP-1873405-A2", "inventor", 1, "Heim, Markus", "DE"),
        party("JP-2021044249-A", "assignee", 1, JP["assignee"][0], "HK"),
        *[party("JP-2021044249-A", "inventor", i + 1, n) for i, n in enumerate(JP["inventor"])],
        party("US-8088480-B2", "assignee", 1, "Shieldmark, Inc.", "US"),
        party("US-8088480-B2", "inventor", 1, "Thomas R. Goecke", "US"),
    ]
    assert frames.parties.columns == [c for c in PATENT_PARTIES.columns if c != "run_id"]
    assert _sorted(rows["parties"], ["pub_key", "role", "sequence"]) == expected


def test_classes(frames, rows):
    def listed(pub_key, scheme, *codes):
        return [(pub_key, scheme, code, i == 0, i + 1) for i, code in enumerate(codes)]

    expected = [
        *listed("CN-113781974-A", "IPC", "G09G 3/36", "G09G 3/3208", "G09G 3/34"),
        *listed("EP-1873405-A2", "IPC", "F16B 25/10", "F16B 35/06"),
        *listed("JP-2021044249-A", "FI", "H01M10/54"),
        *[
            (key, scheme, code, False, seq)
            for key, scheme, code, _, seq in listed(
                "JP-2021044249-A", "FTERM", "4D004AA23", "4D004AB05", "5H031BB09"
            )
        ],
        *listed("JP-2021044249-A", "IPC", "H01M 10/54", "B09B 3/00"),
        *listed("US-8088480-B2", "IPC", "D06N 7/04", "C09J 7/02", "B32B 7/12"),
        *listed("US-8088480-B2", "USPC", "428/343", "428/141", "428/332", "428/337", "428/906"),
    ]
    assert frames.classes.columns == [c for c in PATENT_CLASSES.columns if c != "run_id"]
    got = _sorted(rows["classes"], ["pub_key", "scheme", "sequence"])
    assert [tuple(c[k] for k in frames.classes.columns) for c in got] == expected


def test_citations(frames, rows):
    npl = dict.fromkeys(("country", "number", "cited_kind", "cited_key", "date", "name"))
    expected = [
        dict(
            pub_key="US-8088480-B2",
            sequence=i + 1,
            kind="patent",
            country="US",
            number=number,
            cited_kind=kind,
            cited_key=f"US-{number}-{kind}",
            date=None,
            name=None,
            text=None,
            category="SEA",
        )
        for i, (number, _, _, kind) in enumerate(TAPE_CITATIONS)
    ] + [
        dict(
            pub_key="US-8088480-B2",
            sequence=len(TAPE_CITATIONS) + i + 1,
            kind="npl",
            **npl,
            text=text,
            category="SEA" if i < 2 else "APP",
        )
        for i, text in enumerate(TAPE_NPL)
    ]
    assert frames.citations.columns == [c for c in PATENT_CITATIONS.columns if c != "run_id"]
    assert _sorted(rows["citations"], ["pub_key", "sequence"]) == expected


def test_rejects_and_count_rule(rows, export):
    shard, parquet = _uri(export, JSON_NAME), _uri(export, PARQUET_NAME)
    rejects = {(r["source"], r["locator"], r["reason"], r["excerpt"]) for r in rows["rejects"]}
    duplicate = {
        "publication_number": JP["publication_number"],
        "application_number": JP["application_number"],
        "publication_date": int(JP["publication_date"]),
    }
    assert rejects == {
        (shard, "line 5", "google.malformed_json", BROKEN_LINE),
        (shard, "line 6", "google.bad_publication_number", OFFICE_NUMBER_LINE),
        (
            parquet,
            "row 2",
            "google.duplicate_publication",
            json.dumps(duplicate, separators=(",", ":")),
        ),
    }
    records_in = {r["source"]: r["records"] for r in rows["records_in"]}
    used = {r["source"]: r["records"] for r in rows["records_used"]}
    # A record is a non-blank line or a Parquet row; the README is no input file.
    assert records_in == {shard: len([line for line in JSON_LINES if line]), parquet: 2}
    for source, n in records_in.items():
        rejected = sum(1 for r in rejects if r[0] == source)
        assert n == used.get(source, 0) + rejected, source


def test_no_export_files(spark, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "publications.csv").write_text("publication_number\n")
    for folder, reason in ((empty, "input.not_found"), (tmp_path / "other", "google.no_files")):
        frames = google_patents.read(spark, str(folder))
        assert [(r.source, r.locator, r.reason) for r in frames.rejects.collect()] == [
            (str(folder), "input", reason)
        ]
        assert [tuple(r) for r in frames.records_in.collect()] == [(str(folder), 1)]
