"""GLEIF readers on the real records in ../shared/data/companies/gleif (no Spark)."""

import json
from collections import Counter

from innolink.config import load_config
from innolink.firms.gleif import chunk_records, split_points, whole_file_records, zip_records
from innolink.firms.stage import read_context

from .conftest import COMPANIES, ROOT

GLEIF = COMPANIES / "gleif"
API = GLEIF / "api_json/gleif-rs"
CTX = read_context(load_config("local", conf_dir=ROOT / "conf"))
TOYOTA, HINO = "5493006W3QUS5LMH6R84", "3538009ZU0PHKNHJM202"
MICROSOFT = "INR2EJN1ERAN0W5ZP974"


def read(fmt, path):
    return list(whole_file_records(fmt, str(path), path.read_bytes(), CTX))


def outcome(records):
    return Counter((r.get("reason") or r["role"]).split(":")[0] for r in records)


def test_api_record_of_toyota():
    recs = read("gleif-api", GLEIF / "api_json/whichlei/record-toyota.json")
    toyota = recs[0]
    assert {k: toyota[k] for k in ("lei", "legal_name", "legal_name_lang", "elf_code")} == {
        "lei": TOYOTA,
        "legal_name": "トヨタ自動車株式会社",
        "legal_name_lang": "ja",
        "elf_code": "T417",
    }
    assert (toyota["legal_form"], toyota["legal_country"], toyota["legal_city"]) == (
        "株式会社",  # T417's local name in the ELF list
        "JP",
        "愛知県 豊田市",
    )
    assert toyota["other_names"] == [
        {
            "name": "Toyota Motor Corporation",
            "lang": "en",
            "type": "ALTERNATIVE_LANGUAGE_LEGAL_NAME",
        }
    ]
    # Both names compare after their legal forms (株式会社, Corporation) are removed.
    assert toyota["name_keys"] == ["toyota motor", "トヨタ自動車"]
    assert (toyota["registration_authority"], toyota["registration_id"]) == (
        "RA000412",
        "1803-01-018771",
    )
    # Toyota reports no parent: its two reporting exceptions are kept as reasons.
    assert [r["reason"] for r in recs[1:]] == [
        "out_of_scope.reporting_exception: DIRECT_ACCOUNTING_CONSOLIDATION_PARENT NO_KNOWN_PERSON",
        "out_of_scope.reporting_exception: ULTIMATE_ACCOUNTING_CONSOLIDATION_PARENT NO_KNOWN_PERSON",
    ]


def test_api_children_and_relationships_of_microsoft():
    children = read("gleif-api", API / f"lei_records/direct-children_{MICROSOFT}.json")
    assert outcome(children) == {"entity": 12}  # 12 of 12 direct children on the page
    china = next(r for r in children if r["lei"] == "836800FXO82WAQQSJI94")
    assert (china["legal_name"], china["legal_country"], china["elf_code"], china["name_norm"]) == (
        "微软(中国)有限公司",
        "CN",
        "ECAK",
        "微软 中国",
    )
    links = read("gleif-api", API / f"relationships/direct-child-relationships_{MICROSOFT}.json")
    assert outcome(links) == {"relationship": 12}
    to_china = next(r for r in links if r["lei"] == "836800FXO82WAQQSJI94")
    assert to_china["parents"] == [
        {
            "parent_lei": MICROSOFT,
            "relationship": "direct",
            "status": "ACTIVE",
            "start_date": to_china["parents"][0]["start_date"],
            "end_date": None,
        }
    ]
    isins = read("gleif-api", API / f"isins/isins_{MICROSOFT}.json")
    assert outcome(isins) == {"isin": 15} and isins[0]["isin"] == "US59515FES56"


def test_every_api_file_is_read_or_rejected_with_a_reason():
    total = Counter()
    for path in sorted((GLEIF / "api_json/gleif-rs").rglob("*.json")):
        total += outcome(read("gleif-api", path))
    # 133 entity records, 121 relationship records, 50 ISINs; the reporting exceptions and
    # the first page of the ELF list (not an entity) are rejects with their reason.
    assert total == {
        "entity": 133,
        "relationship": 121,
        "isin": 50,
        "out_of_scope.reporting_exception": 17,
        "unsupported.resource": 10,
    }


def test_lei_cdf_xml_with_character_references():
    recs = read("gleif-lei-xml", GLEIF / "lei_cdf_xml/lei_data_query_response_2records.xml")
    fund = recs[0]
    assert (fund["lei"], fund["legal_name"], fund["legal_name_lang"], fund["elf_code"]) == (
        "353800023456EJMNXY28",
        # Written as &#x...; references in the file; NFKC turns full-width ＭＬＰ into MLP.
        "米国エネルギーMLPオープン(毎月決算型)為替ヘッジあり",
        "ja",
        "9999",
    )
    assert fund["legal_form"] is None  # 9999: no separate legal form
    assert [n["name"] for n in fund["other_names"]] == [
        "The Master Trust Bank of Japan, Ltd./T010148114",
        "MTBJ/T010148114",
    ]
    assert recs[1]["legal_name"] == "SociétéGénérale Effekten GmbH"  # as registered, no space
    top10 = read(
        "gleif-lei-xml", GLEIF / "lei_cdf_xml/20180901-gleif-concatenated-file-lei2-Top10.xml"
    )
    assert outcome(top10) == {"entity": 10}
    assert (top10[0]["legal_name"], top10[0]["legal_form"]) == (
        "AFRINVEST SECURITIES LIMITED",
        "LIMITED",  # 8888 (not yet coded): the record's own words
    )


def test_golden_copy_json_split_at_records_equals_whole_document():
    path = next((GLEIF / "golden_copy_json").glob("*.json"))
    data = path.read_bytes()
    split = read("gleif-lei-json", path)
    assert outcome(split) == {"entity": 200}
    first = split[0]
    assert (first["lei"], first["legal_name"], first["legal_country"], first["legal_form"]) == (
        "097900BID10000147476",
        "ALFA REY s.r.o.",
        "SK",
        "Spoločnosť s ručením obmedzeným",
    )
    # The same file without line breaks cannot be split: it is read as one document.
    compact = json.dumps(json.loads(data)).encode()
    whole = list(chunk_records("gleif-lei-json", "c.json", 0, compact.decode(), CTX))
    strip = ("locator", "source_file")
    assert [{k: v for k, v in r.items() if k not in strip} for r in whole] == [
        {k: v for k, v in r.items() if k not in strip} for r in split
    ]


def test_parents_csv_extract():
    recs = read("gleif-parents-csv", GLEIF / "derived/lei_direct_parent_selected.repackaged.csv")
    assert outcome(recs) == {"entity": 5690}
    hino = next(r for r in recs if r["lei"] == HINO)
    assert (hino["legal_name"], hino["name_norm"], hino["legal_country"]) == (
        "日野自動車株式会社",
        "日野自動車",
        "JP",
    )
    assert [p["parent_lei"] for p in hino["parents"]] == [TOYOTA]
    assert sum(1 for r in recs if r["parents"]) == 4609  # rows with a direct parent


def test_broken_records_are_rejected_with_reasons():
    bad_lei = '\n    "LEI": {"$": "5493006W3QUS5LMH6R85"}, "Entity": {"LegalName": {"$": "X"}}\n},'
    assert next(chunk_records("gleif-lei-json", "f", 14, bad_lei, CTX))["reason"] == (
        "invalid.lei: '5493006W3QUS5LMH6R85'"
    )
    broken = '\n    "LEI": {"$": "5493006W3QUS5LMH6R84", \n},'
    assert next(chunk_records("gleif-lei-json", "f", 14, broken, CTX))["reason"].startswith(
        "bad_json: "
    )
    unclosed = "<lei:LEI>5493006W3QUS5LMH6R84</lei:LEI>"
    assert next(chunk_records("gleif-lei-xml", "f", 9, unclosed, CTX))["reason"] == (
        "bad_record: no </lei:LEIRecord>"
    )
    nameless = f"<lei:LEI>{TOYOTA}</lei:LEI><lei:Entity/></lei:LEIRecord>"
    assert next(chunk_records("gleif-lei-xml", "f", 9, nameless, CTX))["reason"] == "missing.name"
    assert [r["reason"] for r in whole_file_records("gleif-api", "f", b"{]", CTX)][0].startswith(
        "bad_json"
    )
    isin = b"LEI,ISIN\n5493006W3QUS5LMH6R84,JP3633400001\n5493006W3QUS5LMH6R84,JP3633400002\n"
    got = [
        (r.get("isin"), r.get("reason"))
        for r in whole_file_records("gleif-isin-csv", "f", isin, CTX)
    ]
    assert got == [("JP3633400001", None), (None, "invalid.isin: 'JP3633400002'")]


def test_zip_members_are_streamed(tmp_path):
    import zipfile

    src = GLEIF / "lei_cdf_xml/20180901-gleif-concatenated-file-lei2-Top10.xml"
    archive = tmp_path / "golden.xml.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as z:
        z.write(src, "golden.xml")
    recs = list(zip_records("gleif-lei-xml", str(archive), archive.read_bytes(), CTX))
    assert outcome(recs) == {"entity": 10}
    assert recs[0]["source_file"].endswith("golden.xml.zip!golden.xml")
    assert list(zip_records("gleif-lei-xml", "x.zip", b"PK\x03\x04broken", CTX))[0][
        "reason"
    ].startswith("archive.corrupt")


def test_split_points_cut_like_hadoop():
    assert list(split_points(b"head<D>one<D>two", "<D>", chunk=2)) == [
        (0, "head"),
        (7, "one"),
        (13, "two"),
    ]


def test_golden_copy_files_split_across_tasks_lose_no_record(spark, tmp_path):
    """Files of several splits (1 MB each here, a block in production) are cut at record
    boundaries: every record is read once, whichever split it starts in."""
    from innolink.config import InputSpec
    from innolink.firms.families import read_entity_records

    records = json.loads(next((GLEIF / "golden_copy_json").glob("*.json")).read_bytes())["records"]
    pretty = ",\n".join(json.dumps(r, indent=4, ensure_ascii=False) for r in records * 12)
    big_json = tmp_path / "golden.json"
    big_json.write_text('{"records":[\n' + pretty + "\n]}", encoding="utf-8")
    xml = (GLEIF / "lei_cdf_xml/20180901-gleif-concatenated-file-lei2-Top10.xml").read_text()
    head, rest = xml.split("<lei:LEIRecords>", 1)
    body, tail = rest.rsplit("</lei:LEIRecords>", 1)
    big_xml = tmp_path / "golden.xml"
    big_xml.write_text(head + "<lei:LEIRecords>" + body * 90 + "</lei:LEIRecords>" + tail)
    assert big_json.stat().st_size > 6 << 20 and big_xml.stat().st_size > 2 << 20
    df = read_entity_records(
        spark,
        [
            InputSpec(path=str(big_json), format="gleif-lei-json"),
            InputSpec(path=str(big_xml), format="gleif-lei-xml"),
        ],
        CTX,
        split_bytes=1 << 20,
    )
    assert df.rdd.getNumPartitions() == 7 + 3  # 6.6 MB and 2.5 MB in splits of 1 MB
    got = {
        (r["source_format"], r["role"], r["reason"]): r["count"]
        for r in df.groupBy("source_format", "role", "reason").count().collect()
    }
    assert got == {
        ("gleif-lei-json", "entity", None): 200 * 12,
        ("gleif-lei-xml", "entity", None): 900,
    }
