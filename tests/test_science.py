"""Stage `science`: non-patent literature classified as science, on hand-made references and
on the real references of two USPTO weekly samples (classified by hand), through the CLI."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from innolink.patents.document import Reject
from innolink.patents.readers import uspto
from innolink.science import plots
from innolink.science.classify import classify, load_rules
from innolink.tables import (
    FIRM_PATENTS,
    FIRMS,
    NPL_CITATIONS,
    PATENT_CITATIONS,
    PATENT_CLASSES,
    PATENT_PARTIES,
    PATENTS,
    REJECTS,
    SCIENCE_LINKAGE,
    SCIENCE_SUMMARY,
)

from .conftest import ROOT, SHARED, cli, last_run, table
from .test_flows import write_silver

RULES = ROOT / "conf" / "mappings" / "science.yaml"
WEEKLY = [
    SHARED / "patents/uspto_fulltext_xml/ipg070102.sample25.xml",
    SHARED / "patents/uspto_fulltext_xml/ipg080101.sample25.xml",
]

REFERENCES = [
    # (text, class, scientific, doi, pmid, arxiv)
    ("Smith J. et al., Nature Methods 12, 2015. doi:10.1038/nmeth.3317.", "doi", True, "10.1038/nmeth.3317", None, None),
    ("Lee K. Tumour markers. Cancer Res. 2001; PMID: 11289123", "pmid", True, None, "11289123", None),
    ("Vaswani et al., Attention is all you need, arXiv:1706.03762v5 (2017)", "arxiv", True, None, None, "1706.03762"),
    ("C.W. Tang et al., Appl. Phys. Letts., vol. 51, No. 12, pp. 913-915 (1987).", "journal", True, None, None, None),
    ("Proc Int Soc Magn Reson Med 2003. Toronto, p. 48.", "journal", True, None, None, None),
    ("Bergin CJ. Lung parenchyma. Radiology 1991: 179: 771-781.", "journal", True, None, None, None),
    ("Piccola, Bolettino Chimico Farmaceutico, 1979, 118(5), 282-285.", "journal", True, None, None, None),
    # Office documents win over journal-like numbers.
    ("Patent Abstracts of Japan, vol. 2003, No. 06, Jun. 3, 2003.", "office_document", False, None, None, None),
    ("PCT/EP01/11563 International Search Report mailed Mar. 14, 2002.", "office_document", False, None, None, None),
    ("Baer et al., U.S. Appl. No. 60/622,208 filed Oct. 25, 2004.", "office_document", False, None, None, None),
    ("3GPP TS 36.211 V8.2.0, Physical channels and modulation, 2008.", "standard", False, None, None, None),
    ("Merrell Spring 2005 Catalog, pp. 51, 55, 64.", "commercial", False, None, None, None),
    ("Piracetam [7491-74-9] from ChemFinder.Com.", "commercial", False, None, None, None),
    ("Handbook of Pressure Sensitive Adhesive Technology, 3d Edition, 1999, p. 79.", "book", False, None, None, None),
    ("Panduit Corp. Coupler Customer Drawing, 1 page (Jul. 13, 2001).", "other", False, None, None, None),
]  # fmt: skip


def test_classify_references(spark):
    df = spark.createDataFrame([(i, r[0]) for i, r in enumerate(REFERENCES)], "i int, text string")
    got = {
        r["i"]: (r["text"], r["npl_class"], r["scientific"], r["doi"], r["pmid"], r["arxiv"])
        for r in classify(df, load_rules(RULES)).collect()
    }
    assert [got[i] for i in range(len(REFERENCES))] == REFERENCES


def test_a_rule_without_pattern_is_a_config_error(tmp_path):
    from innolink.errors import ConfigError

    bad = tmp_path / "science.yaml"
    bad.write_text("rules:\n  - {class: journal, scientific: true}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="lacks \\['pattern'\\]"):
        load_rules(bad)


# ---------------------------------------------------------------------------------------
# The stage on real references
# ---------------------------------------------------------------------------------------


def _iso(value):
    return dt.date.fromisoformat(value) if value else None


def _silver_rows(docs):
    patents, parties, classes, citations = [], [], [], []
    for p in docs:
        patents.append(
            {
                "pub_key": p.pub_key,
                "office": p.office,
                "doc_number": p.doc_number,
                "kind": p.kind,
                "application_date": _iso(p.application_date),
                "publication_date": _iso(p.publication_date),
                "grant_date": _iso(p.grant_date),
                "source_format": p.source_format,
                "source_file": "test",
            }
        )
        parties += [{"pub_key": p.pub_key, **vars(x)} for x in p.parties]
        classes += [{"pub_key": p.pub_key, **vars(c)} for c in p.classes]
        citations += [{"pub_key": p.pub_key, **vars(c), "date": None} for c in p.citations]
    return patents, parties, classes, citations


FIRM = {
    "firm_id": "F1",
    "name": "Example Holdings",
    "name_norm": "example",
    "name_variants": [],
    "name_keys": [],
    "country": "US",
    "home_country": "US",
    "listings": [],
    "multinational_signal": False,
    "multinational_evidence": [],
    "firm_type": "incumbent",
    "firm_type_rule": "default",
    "delisted": False,
    "sources": [],
}


@pytest.fixture(scope="module")
def warehouse(spark, tmp_path_factory):
    tmp = tmp_path_factory.mktemp("science")
    wh = tmp / "warehouse"
    docs = []
    for path in WEEKLY:
        for _, data in uspto.split_documents(path.read_bytes()):
            try:
                docs.append(uspto.parse_document(data))
            except Reject:
                pass  # the sequence listing of ipg070102
    patents, parties, classes, citations = _silver_rows(docs)
    # Unusable references: rejected with the reason, not counted.
    citations += [
        {"pub_key": "US-7158686-B2", "sequence": 900, "kind": "npl", "text": "See p."},
        {"pub_key": "US-7158686-B2", "sequence": 901, "kind": "npl", "text": "  "},
    ]
    write_silver(spark, wh, PATENTS, patents)
    write_silver(spark, wh, PATENT_PARTIES, parties)
    write_silver(spark, wh, PATENT_CLASSES, classes)
    write_silver(spark, wh, PATENT_CITATIONS, citations)
    write_silver(spark, wh, FIRMS, [FIRM])
    write_silver(
        spark,
        wh,
        FIRM_PATENTS,
        [
            {
                "firm_id": "F1",
                "pub_key": "US-7157516-B2",
                "share": 1.0,
                "score": 1.0,
                "method": "t",
            },
            {
                "firm_id": "F1",
                "pub_key": "US-7158629-B2",
                "share": 0.5,
                "score": 1.0,
                "method": "t",
            },
        ],
    )
    assert cli(tmp, "run", "science") == 0
    return tmp


# Classified by hand (reasons: tests/test_science.py's REFERENCES and docs/flows_science.md):
# publication -> (NPL references, scientific ones).
EXPECTED = {
    "US-D534340-S1": (1, 0),  # a catalog
    "US-7155908-B2": (2, 0),  # English abstracts of JP publications
    "US-7157421-B2": (8, 1),  # one journal article, seven ChemFinder.com pages
    "US-7157516-B2": (4, 4),  # J. Phys. Colloid Chem., Mol. Cryst., Macromolecules, J. Appl.
    "US-7158161-B2": (4, 2),  # Appl. Phys. Letts., a Society meeting; 2 Patent Abstracts of Japan
    "US-7158487-B1": (2, 2),  # IEEE
    "US-7158578-B2": (1, 0),  # a search report
    "US-7158629-B2": (6, 1),  # one journal, white papers and product web pages
    "US-7158686-B2": (1, 1),  # Journal of Electronic Imaging
    "US-7158706-B2": (4, 4),  # J. Lightwave Technology, Electronics Letters, Optics Comm.
    "US-D558806-S1": (1, 0),  # a catalog
    "US-7315289-B2": (6, 5),  # IEEE Trans., Electronics Letters...; a textbook
    "US-7315364-B2": (1, 0),  # a US application
    "US-7315680-B1": (11, 0),  # brochures, manuals, drawings
}


def test_science_linkage_per_publication(spark, warehouse):
    rows = {r.pub_key: r for r in table(spark, warehouse, SCIENCE_LINKAGE).collect()}
    # 25 + 25 grants (the sequence listing is no publication)
    assert len(rows) == 50
    got = {k: (r.npl, r.scientific) for k, r in rows.items() if r.npl}
    assert got == EXPECTED
    antenna = rows["US-7315289-B2"]
    assert (antenna.country, antenna.year, antenna.field, antenna.patent_citations) == (
        "ES",
        2005,
        3,
        28,
    )
    # design patents have Locarno classes only: no technology field
    assert (rows["US-D534340-S1"].field, rows["US-D534340-S1"].field_name) == (0, "Unclassified")


def test_science_summary(spark, warehouse):
    rows = {
        (r.level, r.key): (
            r.label,
            r.patents,
            r.npl,
            r.scientific,
            r.patents_with_science,
            r.scientific_per_patent,
            r.share_with_science,
        )
        for r in table(spark, warehouse, SCIENCE_SUMMARY).collect()
    }
    assert rows[("all", "*")] == ("All", 50.0, 52.0, 20.0, 8.0, 0.4, 0.16)
    # F1: all of US-7157516-B2 (4 NPL, 4 scientific), half of US-7158629-B2 (6, 1)
    assert rows[("firm", "F1")] == ("Example Holdings", 1.5, 7.0, 4.5, 1.5, 3.0, 1.0)
    assert rows[("country", "ES")] == ("ES", 1.0, 6.0, 5.0, 1.0, 5.0, 1.0)
    # 16 US publications: 30 NPL, 7 scientific in 4 of them
    assert rows[("country", "US")] == ("US", 16.0, 30.0, 7.0, 4.0, 7 / 16, 0.25)
    assert rows[("field", "3")] == ("Telecommunications", 3.0, 12.0, 6.0, 2.0, 2.0, 2 / 3)
    assert rows[("year", "2003")] == ("2003", 10.0, 10.0, 6.0, 2.0, 0.6, 0.2)
    assert {level for level, _ in rows} == {"all", "firm", "country", "field", "year"}


def test_counts_rejects_and_classes(spark, warehouse):
    run = last_run(warehouse)
    assert run.data.metrics["records_in"] == 54
    assert run.data.metrics["records_out"] == 52
    assert run.data.metrics["records_rejected"] == 2
    assert run.data.metrics["scientific"] == 20
    rejects = {
        (r.locator, r.reason)
        for r in table(spark, warehouse, REJECTS).where("stage = 'science'").collect()
    }
    assert rejects == {("US-7158686-B2#900", "npl.too_short"), ("US-7158686-B2#901", "npl.no_text")}
    classes = {
        r.npl_class: r["count"]
        for r in table(spark, warehouse, NPL_CITATIONS).groupBy("npl_class").count().collect()
    }
    assert classes == {"journal": 20, "office_document": 6, "commercial": 19, "other": 7}


def test_science_bars(spark, warehouse, tmp_path):
    pdf = table(spark, warehouse, SCIENCE_SUMMARY).toPandas()
    for level in ("country", "field", "year", "firm"):
        out = plots.science_bars(pdf, tmp_path / f"{level}.png", level=level)
        assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    empty = plots.science_bars(pd.DataFrame(columns=pdf.columns), tmp_path / "empty.png")
    assert empty.stat().st_size > 0
