"""PatentsView reader on bulk-table files written here to the published layout.

Values are real: the patents, names, places, application ids and CPC codes of
../shared/data/patents/patentsview/pv_assignee_sample_with_data.csv, and for the patents the
sample lacks (citations, references, multi-paragraph abstracts) grants of the USPTO full
text samples in ../shared/data/patents/uspto_fulltext_xml. PatentsView's opaque location
ids are in neither, so the locations here carry readable ids.
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import gzip
import io
import json
import zipfile
from functools import reduce
from pathlib import Path

import pytest
from innolink.patents.readers import common, patentsview
from innolink.patents.readers import frames as rules
from innolink.tables import PATENT_CITATIONS, PATENT_CLASSES, PATENT_PARTIES, PATENTS
from pyspark.sql import functions as F
from pyspark.sql.types import DateType

HEADERS = {
    "g_patent": "patent_id patent_type patent_date patent_title wipo_kind num_claims withdrawn filename",
    "g_patent_abstract": "patent_id patent_abstract",
    "g_application": "application_id patent_id patent_application_type filing_date series_code rule_47_flag",
    "g_inventor_disambiguated": "patent_id inventor_sequence inventor_id disambig_inventor_name_first disambig_inventor_name_last gender_code location_id",
    "g_location_disambiguated": "location_id disambig_city disambig_state disambig_country latitude longitude county state_fips county_fips",
    "g_assignee_disambiguated": "patent_id assignee_sequence assignee_id disambig_assignee_individual_name_first disambig_assignee_individual_name_last disambig_assignee_organization assignee_type location_id",
    "g_assignee_not_disambiguated": "patent_id assignee_sequence assignee_id raw_assignee_individual_name_first raw_assignee_individual_name_last raw_assignee_organization assignee_type rawlocation_id",
    "g_cpc_current": "patent_id cpc_sequence cpc_section cpc_class cpc_subclass cpc_group cpc_type",
    "g_us_patent_citation": "patent_id citation_sequence citation_patent_id citation_date record_name wipo_kind citation_category",
    "g_other_reference": "patent_id other_reference_sequence other_reference_text",
}

INKJET = "Inkjet printer and method for determining ink discharging timing"
INKJET_ABSTRACT = (
    "An inkjet printer is configured to acquire gap variation information related to a "
    "variation of a gap between a specific portion of an ink discharging surface and a "
    "recording sheet as a function of an inkjet head position, the specific portion located "
    "within a usage nozzle disposed area where usage nozzle rows to be actually used are "
    "disposed, determine representative gap variation information related to a variation, "
    "as a function of the inkjet head position, of a representative gap representing actual "
    "gaps between the usage nozzle rows and the recording sheet, by multiplying the gap "
    "variation information by a correction coefficient dependent on a width of the usage "
    "nozzle disposed area in a head moving direction and a wavelength of a wave shape of the "
    "recording sheet, and determine ink discharging timing based on the representative gap "
    "variation information, assuming that the actual gaps are equal to the representative gap."
)
PCIE = "End-to-end data integrity protection for PCI-Express based input/output adapter"
PCIE_ABSTRACT = (
    "Method, system and computer program product for protecting the integrity of data "
    "transferred between an input/output bus of a data processing system and an external "
    "network. A method for protecting the integrity of data transferred between an "
    "input/output bus and a network includes generating a Cyclic Redundancy Check (CRC) value "
    "on an interface between the input/output bus and an adapter for data being transferred "
    "from the input/output bus to the network, and checking a CRC value on the interface "
    "between the input/output bus and the adapter for data being transferred from the network "
    "to the input/output bus. By adding a CRC generator and a CRC checker on the interface "
    "between the input/output bus and the adapter, end-to-end data integrity protection is "
    "provided for data transferred between the input/output bus and the network."
)
TAPE_ABSTRACT = (
    "The adhesive tape of this application comprises a layer of polymeric material, "
    "particularly a polyvinyl chloride, having a Shore A Hardness of between 92 and 100 and a "
    "layer of adhesive material attached to a surface of the layer of polymeric material."
)
# Two paragraphs in the full text: the line break makes PatentsView quote the field.
IQ_PARAGRAPHS = (
    "An IQ modulator and method for modulating a signal in accordance with I and Q symbols "
    "using derivative FIR's operating at the symbol rate and programmable multi-accumulators "
    "for waveform generator.",
    "This provides advantages that reduced complexity is produced compared with traditional "
    "FIR's by a factor equal to the quotient of oversampling ratio and derivative order; "
    "programmability to Digital Very Low IF mode transmission is possible; the same circuit "
    "may perform interpolation for narrow band MA's; and reduced sets of coefficients enable "
    "implementation of two sets of coefficients for MA's, allowing fast handover between MA's "
    "such as EDGE and IS136.",
)
ZINC_ABSTRACT = (
    " Hydrometallurgical process for the recovery of copper arsenate from zinc plant cement "
    "copper residues and the use thereof in the purification of zinc electrolyte, with the "
    "attendant upgrading of the copper value in the treated cement copper residues. "
)
# 8088480's references, as its full text lists them (patent citations 1-18, then NPL).
TAPE_CITATIONS = [
    ("2559990", "1951-07-00", "Oace et al.", "A"),
    ("3895153", "1975-07-00", "Johnston et al.", "A"),
    ("4248762", "1981-02-00", "Hornibrook et al.", "A"),
    ("4343856", "1982-08-00", "Goswami et al.", "A"),
    ("4484574", "1984-11-00", "DeRusha et al.", "A"),
    ("5061559", "1991-10-00", "Ogusi et al.", "A"),
    ("5246773", "1993-09-00", "Mamish", "A"),
    ("5496636", "1996-03-00", "Gu et al.", "A"),
    ("5508084", "1996-04-00", "Reeves et al.", "A"),
    ("5686170", "1997-11-00", "Condon et al.", "A"),
    ("5839977", "1998-11-00", "Maurer et al.", "A"),
    ("6036997", "2000-03-00", "Ragland et al.", "A"),
    ("6245382", "2001-06-00", "Shvartsman et al.", "B1"),
    ("6277468", "2001-08-00", "Nakamoto et al.", "B1"),
    ("6440538", "2002-08-00", "Ungar", "B1"),
    ("6461715", "2002-10-00", "Guenther et al.", "B1"),
    ("6509084", "2003-01-00", "Sturtevant et al.", "B2"),
    ("6668504", "2003-12-00", "Hughart", "B2"),
]
TAPE_NPL = [
    "Merriam-Webster's Collegiate Dictionary, 1996, Merriam-Webster, Incorporated, Tenth "
    "Edition, pp. 335 and 1205.",
    "High Quality Tapes and Labels, Windmill Tapes\u2014Industrial PVC Tapes, "
    "http://www.windmilltapes.com Product Data Sheet.",
    "Handbook of Pressure Sensitive Adhesive Technology, 3d Edition, Satas & Associates, "
    "1999, Chapter 5\u2014Peel Adhesion, p. 79.",
]
# 6838391's second reference; its full text has typographic quotes, older PatentsView texts
# ASCII ones, which PatentsView doubles inside the quoted field.
SUGANO = 'Sugano, Hikaru, "Semiconductor Laser Manufacturing Method", Oct. 27, 1989, pp. 1-6.'

# (location_id, city, state, country)
LOCATIONS = [
    ("loc-kiyosu", "Kiyosu", None, "JP"),
    ("loc-nagoya", "Nagoya, Aichi", None, "JP"),
    ("loc-armonk", "Armonk", "NY", "US"),
    ("loc-austin", "Austin", "TX", "US"),
    ("loc-round-rock", "Round Rock", "TX", "US"),
    ("loc-red-hook", "Red Hook", "NY", "US"),
    ("loc-streetsboro", "Streetsboro", "OH", "US"),
    ("loc-solon", "Solon", "OH", "US"),
    ("loc-akron", "Akron", "OH", "US"),
    ("loc-mayfield", "Mayfield", "OH", "US"),
    ("loc-rocky-river", "Rocky River", "OH", "US"),
    ("loc-seoul", "Seoul", None, "KR"),
]
# (patent_id, sequence, first, last, location_id)
INVENTORS = [
    ("9162460", 0, "Kohei", "Terada", "loc-kiyosu"),
    ("7310766", 0, "James R.", "Gallagher", "loc-austin"),
    ("7310766", 1, "Binh K.", "Hua", "loc-austin"),
    ("7310766", 2, "Sivarama K.", "Kodukula", "loc-round-rock"),
    ("7310766", 3, "Bruce Henry", "Ratcliff", "loc-red-hook"),
    ("D670976", 0, "Sheldon H.", "Goodman", "loc-solon"),
    ("D670976", 1, "Phaysouk", "Xayoiphonh", "loc-akron"),
    ("D670976", 2, "Grace", "Lee", "loc-mayfield"),
    ("8088480", 0, "Thomas R.", "Goecke", "loc-rocky-river"),
    # A location this folder does not have: the party keeps no place.
    ("7158578", 0, "Nadim", "Khlat", "loc-cugnaux"),
    ("6838391", 0, "Volker", "H\u00e4rle", None),
    # Its g_patent row is malformed below: no publication to belong to.
    ("D682928", 0, "Min-Chul", "Kim", "loc-seoul"),
]
# (patent_id, sequence, cpc_group, cpc_type)
CPC = [
    ("9162460", 0, "B41J2/145", "inventional"),
    ("9162460", 1, "B41J2/07", "inventional"),
    ("9162460", 2, "B41J11/001", "inventional"),
    ("9162460", 3, "B41J11/005", "inventional"),
    ("9162460", 4, "B41J25/308", "inventional"),
    ("7310766", 0, "H03M13/09", "inventional"),
    ("7310766", 1, "H04L1/004", "inventional"),
    ("7310766", 2, "H04L1/0061", "inventional"),
    ("7310766", 3, "H04L2001/0094", "additional"),
    # The same code again: the table's key (patent, scheme, code) takes it once.
    ("7310766", 4, "H04L1/004", "inventional"),
]


def _inventor_id(first: str, last: str) -> str:
    """An id in the shape of PatentsView's disambiguated inventor ids ("fl:th_ln:goecke-1")."""
    return f"fl:{first[:2].lower()}_ln:{last.lower()}-1"


def _write(path: Path, table: str, rows: list[list], raw_lines: tuple[str, ...] = ()) -> Path:
    """A table as PatentsView writes it: tab-separated, strings quoted (QUOTE_NONNUMERIC)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter="\t", quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n")
    writer.writerow(HEADERS[table].split())
    writer.writerows(rows)
    text = out.getvalue() + "".join(f"{line}\n" for line in raw_lines)
    if path.name.endswith(".gz"):
        with gzip.open(path, "wt", encoding="utf-8") as handle:
            handle.write(text)
    elif path.name.endswith(".zip"):
        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr(path.name.removesuffix(".zip"), text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def _patent_rows() -> list[list]:
    return [
        ["9162460", "utility", "2015-10-20", INKJET, "B2", None, 0, "ipg151020.xml"],
        ["7310766", "utility", "2007-12-18", PCIE, "B2", None, 0, "ipg071218.xml"],
        ["D670976", "design", "2012-11-20", "Napkin holder", "S1", None, 0, "ipg121120.xml"],
        ["8088480", "utility", "2012-01-03", "Adhesive tape", "B2", 13, 0, "ipg120103.xml"],
        [
            "7158578",
            "utility",
            "2007-01-02",
            "Quadrature modulator with pulse-shaping",
            "B2",
            16,
            0,
            "ipg070102.xml",
        ],
        [
            "6838391",
            "utility",
            "2005-01-04",
            "Method of semiconductor processing including fluoride",
            "B2",
            24,
            0,
            "ipg050104.xml",
        ],
    ]


# A row cut short after wipo_kind: 5 fields where the header has 8.
MALFORMED_PATENT = '"D682928"\t"design"\t"2013-05-21"\t"Printer"\t"S1"'


@pytest.fixture(scope="module", autouse=True)
def _interpreted(interpreted_spark):
    yield


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return write_folder(tmp_path_factory.mktemp("patentsview"))


def write_folder(root: Path) -> Path:
    """The PatentsView tables of the tests (real patents' values) as TSV files under root."""
    _write(root / "g_patent.tsv", "g_patent", _patent_rows(), raw_lines=(MALFORMED_PATENT,))
    _write(
        root / "g_patent_abstract.tsv",
        "g_patent_abstract",
        [
            ["9162460", INKJET_ABSTRACT],
            ["7310766", PCIE_ABSTRACT],
            ["8088480", TAPE_ABSTRACT],
            ["7158578", "\n".join(IQ_PARAGRAPHS)],
            ["4049514", ZINC_ABSTRACT],  # in the sample, but not in this g_patent
        ],
    )
    _write(
        root / "g_application.tsv",
        "g_application",
        [
            ["14/536178", "9162460", "utility", "2014-11-07", "14", 0],
            # The "<year>/<number>" ids of older releases (the sample's application_id).
            ["2004/10960607", "7310766", "utility", "2004-10-07", "10", 0],
            ["29/422698", "D670976", "design", "2012-05-23", "29", 0],
            ["10/674108", "8088480", "utility", "2003-09-29", "10", 0],
        ],
    )
    _write(
        root / "g_location_disambiguated.tsv",
        "g_location_disambiguated",
        [
            [lid, city, state, country, None, None, None, None, None]
            for lid, city, state, country in LOCATIONS
        ],
    )
    _write(
        root / "g_inventor_disambiguated.tsv.gz",
        "g_inventor_disambiguated",
        [
            [pid, seq, _inventor_id(first, last), first, last, None, loc]
            for pid, seq, first, last, loc in INVENTORS
        ],
    )
    _write(
        root / "g_assignee_disambiguated.tsv",
        "g_assignee_disambiguated",
        [
            ["9162460", 0, "717e8394-c25d-4ea6-b444-09d6036a4cde", None, None,
             "BROTHER KOGYO KABUSHIKI KAISHA", "3", "loc-nagoya"],
            ["7310766", 0, "5332f217-9472-48e0-8206-c1d1349f21cd", None, None,
             "International Business Machines Corporation", "2", "loc-armonk"],
            ["D670976", 0, "66f15ffb-b63f-41e3-96e8-57da244cca51", None, None,
             "Spectrum Diversified Designs, Inc.", "2", "loc-streetsboro"],
        ],
    )  # fmt: skip
    _write(
        root / "g_assignee_not_disambiguated.tsv",
        "g_assignee_not_disambiguated",
        [
            # Also disambiguated: merged into that party, whose name wins.
            ["9162460", 0, None, None, None, "Brother Kogyo Kabushiki Kaisha", "3", None],
            ["8088480", 0, None, None, None, "Shieldmark, Inc.", "2", None],
            ["7158578", 0, None, None, None, "Freescale Semiconductor, Inc.", "2", None],
            ["6838391", 0, None, None, None, "Osram Opto Semiconductors GmbH & Co. oHG", "3", None],
        ],
    )
    _write(
        root / "g_cpc_current.tsv.gz",
        "g_cpc_current",
        [[pid, seq, code[0], code[:3], code[:4], code, kind] for pid, seq, code, kind in CPC],
    )
    _write(
        root / "g_us_patent_citation.tsv",
        "g_us_patent_citation",
        [
            ["8088480", i, number, date, name, kind, "cited by examiner"]
            for i, (number, date, name, kind) in enumerate(TAPE_CITATIONS)
        ],
    )
    _write(
        root / "g_other_reference.tsv",
        "g_other_reference",
        [["8088480", i, text] for i, text in enumerate(TAPE_NPL)] + [["6838391", 1, SUGANO]],
    )
    return root


def collect_all(frames) -> dict[str, list[dict]]:
    """The rows of every frame, fetched in one Spark job: within one plan Spark computes the
    parts the frames share (file scans, patent keys, duplicate windows) once."""
    named = [(f.name, getattr(frames, f.name)) for f in dataclasses.fields(frames)]
    parts = [
        df.select(F.lit(name).alias("frame"), F.to_json(F.struct("*")).alias("row"))
        for name, df in named
        if df is not None
    ]
    out: dict[str, list[dict]] = {name: [] for name, _ in named}
    for row in reduce(lambda a, b: a.unionByName(b), parts).collect():
        out[row["frame"]].append(json.loads(row["row"]))
    for name, df in named:
        if df is None:
            continue
        dates = [f.name for f in df.schema.fields if isinstance(f.dataType, DateType)]
        for values in out[name]:
            for column in df.columns:
                values.setdefault(column, None)  # to_json leaves nulls out
            for column in dates:
                if values[column] is not None:
                    values[column] = dt.date.fromisoformat(values[column])
    return out


@pytest.fixture(scope="module")
def frames(spark, folder):
    return patentsview.read(spark, str(folder))


@pytest.fixture(scope="module")
def rows(frames):
    return collect_all(frames)


def _uri(folder: Path, name: str) -> str:
    return f"file:{folder / name}"


def _sorted(rows: list[dict], order: list[str]) -> list[dict]:
    return sorted(rows, key=lambda r: tuple(r[k] for k in order))


def _patent(pub_key: str, **values) -> dict:
    row = dict.fromkeys(c for c in PATENTS.columns if c != "run_id")
    office, number, kind = pub_key.split("-")
    row.update(pub_key=pub_key, office=office, doc_number=number, kind=kind)
    row.update(source_format="patentsview", dtd="patentsview granted tables")
    row.update(values)
    if row["title"]:
        row.update(title_lang="en", title_en=row["title"])
    if row["abstract"]:
        row["abstract_lang"] = "en"
    return row


def test_patents(frames, rows, folder):
    source = _uri(folder, "g_patent.tsv")
    day = dt.date.fromisoformat
    expected = [
        _patent(
            "US-6838391-B2",
            doc_type="utility",
            publication_date=day("2005-01-04"),
            grant_date=day("2005-01-04"),
            title="Method of semiconductor processing including fluoride",
            claim_count=24,
            source_file=source,
        ),
        _patent(
            "US-7158578-B2",
            doc_type="utility",
            publication_date=day("2007-01-02"),
            grant_date=day("2007-01-02"),
            title="Quadrature modulator with pulse-shaping",
            abstract=" ".join(IQ_PARAGRAPHS),
            claim_count=16,
            source_file=source,
        ),
        _patent(
            "US-7310766-B2",
            doc_type="utility",
            application_number="10960607",
            application_date=day("2004-10-07"),
            publication_date=day("2007-12-18"),
            grant_date=day("2007-12-18"),
            title=PCIE,
            abstract=PCIE_ABSTRACT,
            source_file=source,
        ),
        _patent(
            "US-8088480-B2",
            doc_type="utility",
            application_number="10674108",
            application_date=day("2003-09-29"),
            publication_date=day("2012-01-03"),
            grant_date=day("2012-01-03"),
            title="Adhesive tape",
            abstract=TAPE_ABSTRACT,
            claim_count=13,
            source_file=source,
        ),
        _patent(
            "US-9162460-B2",
            doc_type="utility",
            application_number="14536178",
            application_date=day("2014-11-07"),
            publication_date=day("2015-10-20"),
            grant_date=day("2015-10-20"),
            title=INKJET,
            abstract=INKJET_ABSTRACT,
            source_file=source,
        ),
        _patent(
            "US-D670976-S1",
            doc_type="design",
            application_number="29422698",
            application_date=day("2012-05-23"),
            publication_date=day("2012-11-20"),
            grant_date=day("2012-11-20"),
            title="Napkin holder",
            source_file=source,
        ),
    ]
    assert frames.patents.schema.fieldNames() == [c for c in PATENTS.columns if c != "run_id"]
    assert _sorted(rows["patents"], ["pub_key"]) == expected


def test_parties(frames, rows):
    places = {lid: (city, state, country) for lid, city, state, country in LOCATIONS}

    def party(pub_key, role, seq, name, org, first=None, last=None, location=None, party_id=None):
        city, state, country = places.get(location, (None, None, None))
        return dict(
            pub_key=pub_key,
            role=role,
            sequence=seq,
            name=name,
            is_organization=org,
            first_name=first,
            last_name=last,
            city=city,
            state=state,
            country=country,
            address=None,
            lang=None,
            party_id=party_id,
        )

    inventors = [
        party(
            f"US-{pid}-{kind}",
            "inventor",
            seq + 1,
            f"{first} {last}",
            False,
            first,
            last,
            loc,
            _inventor_id(first, last),
        )
        for pid, seq, first, last, loc in INVENTORS
        for kind in [{"D670976": "S1"}.get(pid, "B2")]
        if pid != "D682928"
    ]
    assignees = [
        party("US-9162460-B2", "assignee", 1, "BROTHER KOGYO KABUSHIKI KAISHA", True,
              location="loc-nagoya", party_id="717e8394-c25d-4ea6-b444-09d6036a4cde"),
        party("US-7310766-B2", "assignee", 1, "International Business Machines Corporation",
              True, location="loc-armonk", party_id="5332f217-9472-48e0-8206-c1d1349f21cd"),
        party("US-D670976-S1", "assignee", 1, "Spectrum Diversified Designs, Inc.", True,
              location="loc-streetsboro", party_id="66f15ffb-b63f-41e3-96e8-57da244cca51"),
        party("US-8088480-B2", "assignee", 1, "Shieldmark, Inc.", True),
        party("US-7158578-B2", "assignee", 1, "Freescale Semiconductor, Inc.", True),
        party("US-6838391-B2", "assignee", 1, "Osram Opto Semiconductors GmbH & Co. oHG", True),
    ]  # fmt: skip
    order = ["pub_key", "role", "sequence"]
    key = lambda p: tuple(p[k] for k in order)  # noqa: E731
    assert frames.parties.schema.fieldNames() == [
        c for c in PATENT_PARTIES.columns if c != "run_id"
    ]
    assert _sorted(rows["parties"], order) == sorted(inventors + assignees, key=key)


def test_classes(frames, rows):
    expected = [
        ("US-7310766-B2", "CPC", "H03M 13/09", True, 1),
        ("US-7310766-B2", "CPC", "H04L 1/004", False, 2),
        ("US-7310766-B2", "CPC", "H04L 1/0061", False, 3),
        ("US-7310766-B2", "CPC", "H04L 2001/0094", False, 4),
        ("US-9162460-B2", "CPC", "B41J 11/001", False, 3),
        ("US-9162460-B2", "CPC", "B41J 11/005", False, 4),
        ("US-9162460-B2", "CPC", "B41J 2/07", False, 2),
        ("US-9162460-B2", "CPC", "B41J 2/145", True, 1),
        ("US-9162460-B2", "CPC", "B41J 25/308", False, 5),
    ]
    assert frames.classes.schema.fieldNames() == [
        c for c in PATENT_CLASSES.columns if c != "run_id"
    ]
    classes = _sorted(rows["classes"], ["pub_key", "code"])
    assert [tuple(c[k] for k in frames.classes.columns) for c in classes] == expected


def test_citations_share_one_sequence_per_publication(frames, rows):
    day = dt.date.fromisoformat
    patents = [
        dict(
            pub_key="US-8088480-B2",
            sequence=i + 1,
            kind="patent",
            country="US",
            number=number,
            cited_kind=kind,
            cited_key=f"US-{number}-{kind}",
            # Day "00" (unknown) reads as the first of the month.
            date=day(date.replace("-00", "-01")),
            name=name,
            text=None,
            category="cited by examiner",
        )
        for i, (number, date, name, kind) in enumerate(TAPE_CITATIONS)
    ]
    npl = dict.fromkeys(("country", "number", "cited_kind", "cited_key", "date", "name"))
    others = [
        dict(pub_key="US-8088480-B2", sequence=len(TAPE_CITATIONS) + i + 1, kind="npl", **npl,
             text=text, category=None)
        for i, text in enumerate(TAPE_NPL)
    ] + [
        # No patent citation of 6838391 here: its references start the sequence.
        dict(pub_key="US-6838391-B2", sequence=2, kind="npl", **npl, text=SUGANO, category=None)
    ]  # fmt: skip
    assert frames.citations.schema.fieldNames() == [
        c for c in PATENT_CITATIONS.columns if c != "run_id"
    ]
    assert _sorted(rows["citations"], ["pub_key", "sequence"]) == sorted(
        patents + others, key=lambda c: (c["pub_key"], c["sequence"])
    )


def test_rejects_and_count_rule(rows, folder):
    rejects = {(r["source"], r["locator"], r["reason"], r["excerpt"]) for r in rows["rejects"]}
    inventor = INVENTORS[-1]
    assert rejects == {
        (_uri(folder, "g_patent.tsv"), "row 7", "patentsview.malformed_row", MALFORMED_PATENT),
        (
            _uri(folder, "g_patent_abstract.tsv"),
            "row 5",
            "patentsview.unknown_patent",
            f"4049514\t{ZINC_ABSTRACT}",
        ),
        (
            _uri(folder, "g_inventor_disambiguated.tsv.gz"),
            f"row {len(INVENTORS)}",
            "patentsview.unknown_patent",
            f"D682928\t0\t{_inventor_id('Min-Chul', 'Kim')}\tMin-Chul\tKim\t\t{inventor[4]}",
        ),
        (
            _uri(folder, "g_cpc_current.tsv.gz"),
            f"row {len(CPC)}",
            "patentsview.duplicate_key",
            "7310766\t4\tH\tH04\tH04L\tH04L1/004\tinventional",
        ),
    }

    records_in = {r["source"]: r["records"] for r in rows["records_in"]}
    used = {r["source"]: r["records"] for r in rows["records_used"]}
    rejected = {}
    for source, *_ in rejects:
        rejected[source] = rejected.get(source, 0) + 1
    sizes = {
        "g_patent.tsv": len(_patent_rows()) + 1,
        "g_patent_abstract.tsv": 5,
        "g_application.tsv": 4,
        "g_location_disambiguated.tsv": len(LOCATIONS),
        "g_inventor_disambiguated.tsv.gz": len(INVENTORS),
        "g_assignee_disambiguated.tsv": 3,
        "g_assignee_not_disambiguated.tsv": 4,
        "g_cpc_current.tsv.gz": len(CPC),
        "g_us_patent_citation.tsv": len(TAPE_CITATIONS),
        "g_other_reference.tsv": len(TAPE_NPL) + 1,
    }
    assert records_in == {_uri(folder, name): n for name, n in sizes.items()}
    for source, n in records_in.items():
        assert n == used.get(source, 0) + rejected.get(source, 0), source


def test_missing_optional_tables_and_a_zip(spark, tmp_path):
    _write(tmp_path / "g_patent.tsv", "g_patent", _patent_rows()[3:4])
    _write(
        tmp_path / "g_cpc_current.tsv.zip",
        "g_cpc_current",
        [["8088480", 0, "D", "D06", "D06N", "D06N7/04", "inventional"]],
    )
    (tmp_path / "g_foreign_citation.tsv").write_text("patent_id\n")  # not read
    rows = collect_all(patentsview.read(spark, str(tmp_path)))
    patents = rows["patents"]
    assert [(p["pub_key"], p["abstract"], p["application_number"]) for p in patents] == [
        ("US-8088480-B2", None, None)
    ]
    assert rows["parties"] == rows["classes"] == rows["citations"] == []
    zipped = _uri(tmp_path, "g_cpc_current.tsv.zip")
    assert [(r["source"], r["locator"], r["reason"]) for r in rows["rejects"]] == [
        (zipped, "file", "patentsview.zip_unsupported")
    ]
    assert _sorted(rows["records_in"], ["source"]) == [
        {"source": _uri(tmp_path, "g_cpc_current.tsv.zip"), "records": 1},
        {"source": _uri(tmp_path, "g_patent.tsv"), "records": 1},
    ]


def test_unreadable_g_patent_rejects_every_file(spark, tmp_path):
    header = HEADERS["g_patent"].replace(" wipo_kind", "")
    (tmp_path / "g_patent.tsv").write_text(
        "\t".join(f'"{c}"' for c in header.split())
        + '\n"8088480"\t"utility"\t"2012-01-03"\t"Adhesive tape"\t13\t0\t"ipg120103.xml"\n'
    )
    _write(tmp_path / "g_inventor_disambiguated.tsv", "g_inventor_disambiguated",
           [["8088480", 0, None, "Thomas R.", "Goecke", None, None]])  # fmt: skip
    rows = collect_all(patentsview.read(spark, str(tmp_path)))
    assert {(r["source"], r["locator"], r["reason"]) for r in rows["rejects"]} == {
        (_uri(tmp_path, "g_patent.tsv"), "file", "patentsview.bad_header"),
        (_uri(tmp_path, "g_inventor_disambiguated.tsv"), "file", "patentsview.no_patent_table"),
    }
    assert rows["patents"] == rows["parties"] == []
    assert sorted(r["records"] for r in rows["records_in"]) == [1, 1]


def test_empty_folder_is_one_rejected_input(spark, tmp_path):
    rows = collect_all(patentsview.read(spark, str(tmp_path)))
    assert [(r["source"], r["locator"], r["reason"]) for r in rows["rejects"]] == [
        (str(tmp_path), "input", "input.not_found")
    ]
    assert rows["records_in"] == [{"source": str(tmp_path), "records": 1}]
    assert rows["patents"] == rows["parties"] == rows["classes"] == rows["citations"] == []


def test_column_rules_agree_with_the_xml_readers(spark):
    """The Spark rules give what common.py gives the XML readers, on values of the samples."""
    numbers = ["08088102", "D0651432", "RE041234", "US 2005/0004437", "PP012345", "7861515"]
    dates = ["20050104", "19510700", "20050000", "20210230", "2015-10-20", "0", None]
    codes = [
        "A24B   15/18    (2006.01)",
        "H01M  10/54        20060101AFI20210219BHJP",
        "G09G    3/3208  (2016.01)",
        "H04L2001/0094",
        "4D004AA23",
        None,
    ]
    width = max(len(numbers), len(dates), len(codes))
    values = [
        tuple(column[i] if i < len(column) else None for column in (numbers, dates, codes))
        for i in range(width)
    ]
    df = spark.createDataFrame(values, "number string, date string, code string")
    got = df.select(
        rules.doc_number(F.col("number")),
        rules.iso_date(F.col("date")).cast("string"),
        rules.class_code(F.col("code")),
    ).collect()
    assert [tuple(r) for r in got] == [
        (common.strip_number(n), common.iso_date(d), common.ipc_code(c) if c else None)
        for n, d, c in values
    ]
