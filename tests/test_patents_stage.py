"""Stage `patents` end to end on real publications of four offices, through the CLI."""

from __future__ import annotations

import gzip
import json
import re
import shutil
from datetime import date
from pathlib import Path

import mlflow
import pytest
from innolink.tables import PATENT_CITATIONS, PATENT_CLASSES, PATENT_PARTIES, PATENTS, REJECTS
from pyspark.sql import functions as F

from .conftest import SHARED, cli, input_args, last_run, table

PAT = SHARED / "patents"
WEEKLY = PAT / "uspto_fulltext_xml/ipg060103.sample25.xml"  # 25 grants + 2 sequence listings
APPLICATIONS = PAT / "uspto_fulltext_xml/ipa130117.sample2.xml"  # 2 applications
TABLES = (PATENTS, PATENT_PARTIES, PATENT_CLASSES, PATENT_CITATIONS)


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> list[tuple[Path, str]]:
    tmp = tmp_path_factory.mktemp("patent_inputs")
    packed = tmp / "ipa130117.xml.gz"
    packed.write_bytes(gzip.compress(APPLICATIONS.read_bytes()))
    bad = tmp / "bad"
    bad.mkdir()
    whole = WEEKLY.read_bytes()
    (bad / "truncated.xml").write_bytes(whole[:5000])  # the first grant, cut short
    (bad / "empty.xml").write_bytes(b"")
    (bad / "notes.xml").write_bytes(b"this is not a patent\n")
    return [
        (WEEKLY, "uspto-xml"),
        (packed, "uspto-xml"),
        (PAT / "uspto_format_variants/go-uspto/grant__v2-5-S1.xml", "uspto-xml"),
        (PAT / "epo_fulltext_xml/grant__v1-4-B1.xml", "epo-xml"),
        (PAT / "ja_zh/jpo_gazette_xml/JP2021044249A.xml", "jpo-xml"),
        (PAT / "ja_zh/cnipa_xml_new/CN115212463A.xml", "cnipa-xml"),
        (bad, "uspto-xml"),
        (tmp / "no-such-folder", "epo-xml"),
    ]


@pytest.fixture(scope="module")
def loaded(spark, inputs, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("patents")
    assert cli(tmp, "run", "patents", *input_args(inputs)) == 0
    return tmp


def test_every_document_is_a_row_or_a_reject(loaded):
    run = last_run(loaded)
    # 27 + 2 + 1 + 1 + 1 + 1 documents, 3 bad files, 1 missing input.
    assert run.data.metrics["records_in"] == 37
    assert run.data.metrics["records_out"] == 31
    assert run.data.metrics["records_rejected"] == 6
    files = json.loads(
        Path(
            mlflow.artifacts.download_artifacts(run_id=run.info.run_id, artifact_path="files.json")
        ).read_text()
    )["files"]
    by_name = {f["source"].rsplit("/", 1)[-1]: f for f in files}
    assert by_name["ipg060103.sample25.xml"] == {
        "source": by_name["ipg060103.sample25.xml"]["source"],
        "records_in": 27,
        "out": 25,
        "rejected": 2,
    }
    assert all(f["records_in"] == f["out"] + f["rejected"] for f in files)


def test_rejects_say_why_and_where(spark, loaded):
    rejects = {
        (r.source.rsplit("/", 1)[-1], r.locator, r.reason)
        for r in table(spark, loaded, REJECTS).where("stage = 'patents'").collect()
    }
    offsets = [m.start() for m in re.finditer(rb"<\?xml ", WEEKLY.read_bytes())]
    sequence_listings = {
        ("ipg060103.sample25.xml", f"offset={o}", "document.sequence_listing")
        for o in offsets
        if b"<sequence-cwu" in WEEKLY.read_bytes()[o : o + 400]
    }
    assert len(sequence_listings) == 2
    assert rejects == sequence_listings | {
        # Weekly-file format: a bad file's document is located by its byte offset.
        ("truncated.xml", "offset=0", "xml.malformed"),
        ("empty.xml", "file", "file.empty"),
        ("notes.xml", "offset=0", "document.not_xml"),
        ("no-such-folder", "input", "input.not_found"),
    }


def test_a_grant_with_its_parties_classes_and_citations(spark, loaded):
    grant = table(spark, loaded, PATENTS).where("pub_key = 'US-6981431-B2'").first()
    assert (grant.office, grant.doc_number, grant.kind, grant.doc_type) == (
        "US",
        "6981431",
        "B2",
        "utility",
    )
    assert grant.title == (
        "Cork extractor for corks of bottles of champagne, sparkling wine, prosecco, cider "
        "or the like"
    )
    assert (grant.application_number, grant.application_date) == ("10679435", date(2003, 10, 7))
    assert (grant.publication_date, grant.grant_date) == (date(2006, 1, 3), date(2006, 1, 3))
    assert grant.priority_date == date(2002, 10, 7)
    assert grant.claim_count == 8 and grant.dtd == "us-patent-grant v4.1"

    parties = [
        (p.role, p.sequence, p.name, p.city, p.country)
        for p in table(spark, loaded, PATENT_PARTIES)
        .where("pub_key = 'US-6981431-B2'")
        .orderBy("role", "sequence")
        .collect()
    ]
    assert parties == [
        ("applicant", 1, "Ralph Krämer", "Saarbrucken", "DE"),
        ("assignee", 1, "Fackelmann GmbH + Co.", "Hersbruck", "DE"),
        ("inventor", 1, "Ralph Krämer", "Saarbrucken", "DE"),
    ]
    classes = {
        (c.scheme, c.code, c.main)
        for c in table(spark, loaded, PATENT_CLASSES).where("pub_key = 'US-6981431-B2'").collect()
    }
    assert classes == {
        ("USPC", "81/3.56", True),
        ("USPC", "81/3.37", False),
        ("IPC", "B67B 7/16", True),
    }
    first = (
        table(spark, loaded, PATENT_CITATIONS)
        .where("pub_key = 'US-6981431-B2' AND sequence = 1")
        .first()
    )
    # <date>19560900</date>: day unknown -> first of the month.
    assert (first.cited_key, first.date, first.name, first.category) == (
        "US-2761338-A",
        date(1956, 9, 1),
        "Hardy",
        "cited by other",
    )


def test_offices_and_languages(spark, loaded):
    rows = {
        r.pub_key: r
        for r in table(spark, loaded, PATENTS)
        .where(F.col("office") != "US")
        .select("pub_key", "title", "title_lang", "abstract_lang", "publication_date")
        .collect()
    }
    assert set(rows) == {"EP-449582-B1", "JP-2021044249-A", "CN-115212463-A"}
    assert rows["JP-2021044249-A"].title == "リチウムイオン電池のリサイクル方法"
    assert rows["CN-115212463-A"].title == "一种医用放射治疗装置"
    assert (rows["CN-115212463-A"].title_lang, rows["CN-115212463-A"].abstract_lang) == ("zh", "zh")
    assert rows["EP-449582-B1"].publication_date == date(2009, 10, 21)
    design = table(spark, loaded, PATENTS).where("pub_key = 'US-D452599-S1'").first()
    assert (design.doc_type, design.abstract) == ("design", None)
    applicant = (
        table(spark, loaded, PATENT_PARTIES)
        .where("pub_key = 'CN-115212463-A' AND role = 'applicant'")
        .first()
    )
    assert (applicant.name, applicant.city, applicant.country) == (
        "北京大基康明医疗设备有限公司",
        "北京市",
        "CN",
    )


def snapshot(spark, tmp) -> dict[str, list]:
    return {
        spec.id: sorted(
            tuple(r) for r in table(spark, tmp, spec).drop("run_id", "source_file").collect()
        )
        for spec in (*TABLES, REJECTS)
    }


def test_rerun_changes_nothing(spark, loaded, inputs):
    def contents():
        out = snapshot(spark, loaded)
        out[REJECTS.id] = [r[:4] for r in out[REJECTS.id]]  # without run_id/ts
        return out

    before = contents()
    assert cli(loaded, "run", "patents", *input_args(inputs)) == 0
    assert contents() == before


def test_a_corrected_publication_replaces_the_old_one(spark, loaded, tmp_path):
    text = APPLICATIONS.read_text(encoding="utf-8")
    second = text.index("<?xml", 1)
    corrected = text[second:].replace(
        "TACTICAL MIXED MARTIAL ARTS GLOVE", "MIXED MARTIAL ARTS GLOVE (CORRECTED)"
    )
    # Drop the second inventor: the corrected record names only Christopher Mechling.
    corrected = re.sub(
        r'<inventor sequence="01".*?</inventor>\n', "", corrected, count=1, flags=re.S
    )
    path = tmp_path / "ipa130117-corrected.xml"
    path.write_text(corrected, encoding="utf-8")
    assert cli(loaded, "run", "patents", "--input", str(path), "--format", "uspto-xml") == 0

    row = table(spark, loaded, PATENTS).where("pub_key = 'US-20130014306-A1'").first()
    assert row.title == "MIXED MARTIAL ARTS GLOVE (CORRECTED)"
    inventors = [
        (p.sequence, p.name)
        for p in table(spark, loaded, PATENT_PARTIES)
        .where("pub_key = 'US-20130014306-A1' AND role = 'inventor'")
        .orderBy("sequence")
        .collect()
    ]
    assert inventors == [(1, "Christopher Mechling")]
    # The other publications of the earlier load are untouched.
    assert table(spark, loaded, PATENTS).where("pub_key = 'US-20130014308-A1'").count() == 1
    shutil.rmtree(tmp_path)


def test_table_formats_and_full_text_in_one_run(spark, tmp_path):
    """PatentsView and Google Patents exports next to the full text: the weekly file, given
    last, supersedes their copies of US 8,088,480; every input row is accounted for (the
    stage's own check would fail the run otherwise)."""
    from .test_patents_google import write_export
    from .test_patents_patentsview import write_folder

    (tmp_path / "patentsview").mkdir()
    (tmp_path / "google").mkdir()
    pv = write_folder(tmp_path / "patentsview")
    google = write_export(tmp_path / "google")
    weekly = PAT / "uspto_fulltext_xml/ipg120103.sample25.xml"
    inputs = [(pv, "patentsview"), (google, "google-patents"), (weekly, "uspto-xml")]
    assert cli(tmp_path, "run", "patents", *input_args(inputs)) == 0

    run = last_run(tmp_path)
    assert run.data.metrics["records_in"] == (
        run.data.metrics["records_out"] + run.data.metrics["records_rejected"]
    )
    tape = table(spark, tmp_path, PATENTS).where("pub_key = 'US-8088480-B2'").first()
    assert tape.source_format == "uspto-xml" and tape.source_file.endswith("ipg120103.sample25.xml")
    superseded = (
        table(spark, tmp_path, REJECTS)
        .where("stage = 'patents' AND reason = 'document.superseded'")
        .collect()
    )
    # The Google export holds it too (its US fixture): two earlier copies, both superseded.
    assert sorted((r.source.rsplit("/", 1)[-1], r.excerpt) for r in superseded) == [
        ("g_patent.tsv", "pub_key=US-8088480-B2"),
        ("publications-000000000001.parquet", "pub_key=US-8088480-B2"),
    ]
    jp = table(spark, tmp_path, PATENTS).where("pub_key = 'JP-2021044249-A'").first()
    assert (jp.title, jp.source_format) == ("リチウムイオン電池のリサイクル方法", "google-patents")
