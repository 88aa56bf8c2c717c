"""USPTO full-text reader on the real published documents in ../shared/data/patents.

Expected values are read off the XML (or APS text) of each document, not computed by the
reader: one document per DTD generation, plus a count of every document of every file.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest
from innolink.patents.document import PatentDoc, Reject
from innolink.patents.readers import uspto

from .conftest import SHARED

PATENTS = SHARED / "patents"
WEEKLY = PATENTS / "uspto_fulltext_xml"
GO = PATENTS / "uspto_format_variants/go-uspto"
PPD = PATENTS / "uspto_format_variants/uspto-patentpublicdata"


@cache
def outcomes(path: Path) -> tuple[PatentDoc | Reject, ...]:
    out: list[PatentDoc | Reject] = []
    for _, data in uspto.split_documents(path.read_bytes()):
        try:
            out.append(uspto.parse_document(data))
        except Reject as reject:
            out.append(reject)
    return tuple(out)


def doc(path: Path, pub_key: str | None = None) -> PatentDoc:
    docs = [d for d in outcomes(path) if isinstance(d, PatentDoc)]
    return docs[0] if pub_key is None else next(d for d in docs if d.pub_key == pub_key)


def parties(d: PatentDoc, role: str) -> list[tuple]:
    return [
        (p.sequence, p.name, p.is_organization, p.city, p.state, p.country)
        for p in d.parties
        if p.role == role
    ]


def classes(d: PatentDoc, scheme: str) -> list[tuple[str, bool]]:
    return [
        (c.code, c.main) for c in sorted(d.classes, key=lambda c: c.sequence) if c.scheme == scheme
    ]


def reject(data: bytes) -> Reject:
    with pytest.raises(Reject) as caught:
        uspto.parse_document(data)
    return caught.value


# --- every document of every file -------------------------------------------------------

# outcome per file: the detected generation of each PatentDoc, or the reject reason
# (document counts from SOURCES.md and the files' own <?xml declarations).
EXPECTED_OUTCOMES = {
    "uspto_fulltext_xml/ipa061228.sample1.xml": {"us-patent-application v4.1": 1},
    "uspto_fulltext_xml/ipa130117.sample2.xml": {"us-patent-application v4.3": 2},
    "uspto_fulltext_xml/ipg050104.sample25.xml": {"us-patent-grant v4.0": 25},
    "uspto_fulltext_xml/ipg060103.sample25.xml": {
        "us-patent-grant v4.1": 25,
        "document.sequence_listing": 2,
    },
    "uspto_fulltext_xml/ipg070102.sample25.xml": {
        "us-patent-grant v4.2": 25,
        "document.sequence_listing": 1,
    },
    "uspto_fulltext_xml/ipg080101.sample25.xml": {"us-patent-grant v4.2": 25},
    "uspto_fulltext_xml/ipg090106.sample25.xml": {"us-patent-grant v4.2": 25},
    "uspto_fulltext_xml/ipg100105.sample25.xml": {"us-patent-grant v4.2": 25},
    "uspto_fulltext_xml/ipg100824.sample_hyphenated.xml": {"us-patent-grant v4.2": 1},
    "uspto_fulltext_xml/ipg120103.sample25.xml": {"us-patent-grant v4.2": 25},
    "uspto_fulltext_xml/ipg120327.sample196.xml": {"us-patent-grant v4.2": 196},
    "uspto_fulltext_xml/pa040101.sample1.xml": {"patent-application-publication v1.6": 1},
    "uspto_format_variants/go-uspto/application__v1-5-A1_1.xml": {
        "patent-application-publication v1.5": 1
    },
    "uspto_format_variants/go-uspto/application__v1-5-A1_2.xml": {
        "patent-application-publication v1.5": 1
    },
    # no <?xml declaration: the whole file is the one document
    "uspto_format_variants/go-uspto/application__v4-0-A1.xml": {"us-patent-application v4.0": 1},
    "uspto_format_variants/go-uspto/application__v4-0-A2_1.xml": {"us-patent-application v4.0": 1},
    "uspto_format_variants/go-uspto/application__v4-4-A1.xml": {"us-patent-application v4.4": 1},
    "uspto_format_variants/go-uspto/application__v4-4-A2.xml": {"us-patent-application v4.4": 1},
    "uspto_format_variants/go-uspto/application__v4-5-A1.xml": {"us-patent-application v4.5": 1},
    "uspto_format_variants/go-uspto/application__v4-5-A2.xml": {"us-patent-application v4.5": 1},
    "uspto_format_variants/go-uspto/grant__v2-5-B1.xml": {"PATDOC v2.5": 1},
    "uspto_format_variants/go-uspto/grant__v2-5-B2.xml": {"PATDOC v2.5": 1},
    "uspto_format_variants/go-uspto/grant__v2-5-S1.xml": {"PATDOC v2.5": 1},
    "uspto_format_variants/go-uspto/grant__v4-0-B2.xml": {"us-patent-grant v4.0": 1},
    "uspto_format_variants/go-uspto/grant__v4-5-B1.xml": {"us-patent-grant v4.5": 1},
    "uspto_format_variants/go-uspto/grant__v4-5-B2.xml": {"us-patent-grant v4.5": 1},
    "uspto_format_variants/go-uspto/test.xml": {"us-patent-grant v4.5": 2},
    # no declaration, and an XHTML DOCTYPE instead of the pap one: version unknown
    "uspto_format_variants/uspto-patentpublicdata/pap__US20010000044A1.xml": {
        "patent-application-publication": 1
    },
    "uspto_format_variants/uspto-patentpublicdata/pap__US20010000943A1.xml": {
        "patent-application-publication v1.5": 1
    },
    "uspto_format_variants/uspto-patentpublicdata/pap__US20010009014A1.xml": {
        "patent-application-publication v1.5": 1
    },
    "uspto_format_variants/uspto-patentpublicdata/sgml__US06336130.xml": {"PATDOC v2.5": 1},
    "uspto_format_variants/uspto-patentpublicdata/sgml__US06337117.xml": {"PATDOC v2.5": 1},
    "uspto_format_variants/uspto-patentpublicdata/sgml__USD435854S1.xml": {"PATDOC v2.4": 1},
    "uspto_format_variants/uspto-patentpublicdata/xml2004__US06859910.xml": {
        "us-patent-grant v4.0": 1
    },
    "uspto_format_variants/uspto-patentpublicdata/xml2004__US06970935.xml": {
        "us-patent-grant v4.0": 1
    },
    "uspto_format_variants/uspto-patentpublicdata/xml2006__US07272630B2.xml": {
        "us-patent-grant v4.2": 1
    },
    "uspto_format_variants/uspto-patentpublicdata/xml2014__US08926509.xml": {
        "us-patent-grant v4.5": 1
    },
    "uspto_format_variants/uspto-patentpublicdata/xml2014__US08927118.xml": {
        "us-patent-grant v4.5": 1
    },
    "uspto_format_variants/uspto-patentpublicdata/xml2014__US08930553.xml": {
        "us-patent-grant v4.5": 1
    },
    "uspto_format_variants/uspto-patentpublicdata/xmlApp2004__US20050004437A1.xml": {
        "us-patent-application v4.0": 1
    },
    "uspto_format_variants/uspto-patentpublicdata/xmlApp2004__US20050004974A1.xml": {
        "us-patent-application v4.0": 1
    },
}


def test_every_shared_xml_file_is_counted():
    on_disk = {
        str(p.relative_to(PATENTS))
        for folder in ("uspto_fulltext_xml", "uspto_format_variants")
        for p in (PATENTS / folder).rglob("*.xml")
    }
    assert on_disk == set(EXPECTED_OUTCOMES)


@pytest.mark.parametrize("name", sorted(EXPECTED_OUTCOMES))
def test_every_document_parses_or_is_rejected(name):
    found = Counter(o.reason if isinstance(o, Reject) else o.dtd for o in outcomes(PATENTS / name))
    assert found == EXPECTED_OUTCOMES[name]


def test_sequence_listings_name_their_grant():
    rejects = [o for o in outcomes(WEEKLY / "ipg060103.sample25.xml") if isinstance(o, Reject)]
    assert [r.detail for r in rejects] == ["of 06982156", "of 06982248"]


def test_design_patents_are_kept():
    designs = [d for d in outcomes(WEEKLY / "ipg120327.sample196.xml")]
    assert Counter((d.doc_type, d.kind) for d in designs) == {("design", "S1"): 196}
    assert all(d.abstract is None for d in designs)
    assert all(classes(d, "LOCARNO")[0][1] for d in designs)


# --- PATDOC v2.4 / v2.5 grants (2001-2004) -------------------------------------------------


def test_patdoc_v25_utility_grant():
    d = doc(PPD / "sgml__US06336130.xml")
    assert (d.pub_key, d.dtd, d.doc_type) == ("US-6336130-B1", "PATDOC v2.5", "utility")
    assert (d.application_number, d.application_date) == ("09413215", "1999-10-05")
    assert (d.publication_date, d.grant_date, d.priority_date) == (
        "2002-01-01",
        "2002-01-01",
        "1997-04-08",
    )
    assert (
        d.title
        == d.title_en
        == ("Arrangement for improving availability of services in a communication system")
    )
    assert d.first_claim.startswith(
        "1. An arrangement in a network including a plurality of mobile terminals"
    )
    # <CLREF> inside the sentence: no stray space before the comma
    assert d.claims.split("\n")[1].startswith("2. The arrangement in claim 1, wherein")
    assert d.claim_count == 22
    assert d.abstract.startswith("A communications systems, e.g., a telecommunications system")
    assert parties(d, "inventor") == [(1, "Thanh Van Do", False, "Oslo", None, "NO")]
    assert parties(d, "assignee") == [
        (1, "Telefonaktiebolaget LM Ericsson (publ)", True, "Stockholm", None, "SE")
    ]
    assert classes(d, "IPC") == [("G06F 15/16", True), ("G06F 13/00", False)]
    assert classes(d, "USPC") == [("709/202", True), ("709/201", False)]
    assert len(d.citations) == 9
    first = d.citations[0]
    assert (first.kind, first.country, first.number, first.cited_kind, first.date) == (
        "patent",
        "US",
        "5825759",
        "A",
        "1998-10-01",
    )
    assert (first.name, first.category) == ("Liu", "cited by examiner")
    wo = d.citations[5]
    assert (wo.country, wo.number, wo.category) == ("WO", "96/25012", "cited by other")
    npl = d.citations[6]
    assert npl.kind == "npl"
    # &lsquo; &rsquo; &apos; are declared in the (never loaded) DTD
    assert npl.text.startswith(
        "S. Krause et al.; Mobile Service Agents Enabling \u2018Intelligence on Demand\u2019"
        " in Telecommunications; Globecom '96"
    )


def test_patdoc_v25_design_grant():
    d = doc(GO / "grant__v2-5-S1.xml")
    assert (d.pub_key, d.doc_type, d.dtd) == ("US-D452599-S1", "design", "PATDOC v2.5")
    assert (d.application_number, d.application_date) == ("29129833", "2000-09-22")
    assert (d.publication_date, d.priority_date) == ("2002-01-01", "2000-03-22")
    assert d.title == "Confection item in the form of a tied braid"
    assert d.abstract is None
    assert d.first_claim == (
        "The ornamental design for a confection item in the form of a tied braid,"
        " as shown and described."
    )
    assert d.claim_count == 1
    # Locarno class in the IPC field (B511 "0101"), US design class "D 1106"
    assert classes(d, "LOCARNO") == [("01-01", True)]
    assert classes(d, "USPC") == [("D1/106", True)]
    (inventor,) = [p for p in d.parties if p.role == "inventor"]
    assert (inventor.first_name, inventor.last_name, inventor.city, inventor.country) == (
        "Ute",
        "Rossi-Wolter",
        "74193 Schwaigern",
        "DE",
    )
    assert inventor.address == "Holderbuschweg 67, 74193 Schwaigern, DE"
    npl = d.citations[-1]
    assert (npl.kind, npl.category) == ("npl", "cited by examiner")
    assert npl.text.startswith("The Practical Encyclopedia of Baking, Barnes & Noble")


def test_patdoc_v24_design_grant_with_kind_s():
    d = doc(PPD / "sgml__USD435854S1.xml")
    assert (d.pub_key, d.doc_type, d.dtd) == ("US-D435854-S", "design", "PATDOC v2.4")
    assert classes(d, "LOCARNO") == [("14-02", True)]
    assert classes(d, "USPC") == [("D14/480", True)]
    assert parties(d, "assignee")[0][1:] == ("Hitachi Maxell, Ltd.", True, "Osaka-fu", None, "JP")
    assert (d.citations[0].number, d.citations[0].name) == ("D. 271298", "Fujimoto")


def test_patdoc_us_inventor_without_country_is_in_the_us():
    d = doc(GO / "grant__v2-5-B2.xml")
    # ST.32 omits CTRY for US addresses: <CITY>Williamsport</CITY><STATE>PA</STATE>
    assert ("Shop Vac Corporation", "Williamsport", "PA", "US") in [
        (p.name, p.city, p.state, p.country) for p in d.parties if p.role == "assignee"
    ]
    # " 153276" -> 15/327.6; padding of the fixed-width field kept
    assert classes(d, "USPC")[:2] == [("15/328", True), ("15/327.6", False)]
    assert classes(d, "IPC") == [("A47L 5/14", True)]


# --- pap v1.5 / v1.6 applications (2001-2004) ----------------------------------------------


def test_pap_v15_application():
    d = doc(PPD / "pap__US20010000943A1.xml")
    assert (d.pub_key, d.doc_type, d.dtd) == (
        "US-20010000943-A1",
        "application",
        "patent-application-publication v1.5",
    )
    assert (d.application_number, d.application_date) == ("09727454", "2000-12-04")
    assert (d.publication_date, d.grant_date, d.priority_date) == ("2001-05-10", None, "1999-04-05")
    assert d.title == "Organic electroluminescence device and method of manufacturing same"
    assert d.first_claim.startswith(
        "1. An organic electroluminescence device containing an organic layer formed between"
    )
    # &minus; &lt; &plus; inside the in-line formula of claim 1
    assert "Min\u221220 nm<t<Min +20 nm" in d.first_claim
    assert d.claim_count == 13
    assert parties(d, "inventor") == [
        (1, "Kenichi Fukuoka", False, "Sodegaura-shi", None, "JP"),
        (2, "Mitsura Eida", False, "Sodegaura-shi", None, "JP"),
    ]
    # authority-applicant INV: the inventors are the applicants
    assert [p[1] for p in parties(d, "applicant")] == ["Kenichi Fukuoka", "Mitsura Eida"]
    assert parties(d, "assignee") == [(1, "IDEMITSU KOSAN CO., LTD.", True, None, None, None)]
    assert classes(d, "IPC") == [("H01J 1/62", True)]
    assert classes(d, "USPC") == [("313/503", True), ("313/504", False)]
    assert d.citations == []


def test_pap_v16_application():
    d = doc(WEEKLY / "pa040101.sample1.xml")
    assert (d.pub_key, d.dtd) == ("US-20040000002-A1", "patent-application-publication v1.6")
    assert (d.application_number, d.application_date, d.publication_date) == (
        "10189364",
        "2002-06-27",
        "2004-01-01",
    )
    assert d.title == "Garment for preventing muscle strain"
    assert d.claim_count == 1
    assert parties(d, "inventor") == [(1, "Scott Hollander", False, "Tarzana", "CA", "US")]
    assert parties(d, "assignee")[0][1] == "Hill-Rom Services, Inc."
    assert classes(d, "USPC") == [("2/69", True)]


def test_pap_without_declaration_heading_and_bold_claim_number():
    d = doc(PPD / "pap__US20010000044A1.xml")
    assert d.pub_key == "US-20010000044-A1"
    # <heading>Abstract of Disclosure</heading> labels the abstract
    assert d.abstract.startswith("A business model / process is described for conducting")
    # <highlight><bold>1.</bold></highlight>A method ...
    assert d.first_claim.startswith("1. A method of doing business over a global communications")
    assert d.claim_count == 21
    (inventor,) = [p for p in d.parties if p.role == "inventor"]
    assert (inventor.first_name, inventor.last_name, inventor.city, inventor.country) == (
        "Wayne W",
        "Lin",
        "Irvine",
        "US",
    )


# --- v4.x grants ----------------------------------------------------------------------------


def test_v40_grant_weekly_file():
    d = doc(WEEKLY / "ipg050104.sample25.xml", "US-6836899-B1")
    assert (d.dtd, d.doc_type) == ("us-patent-grant v4.0", "utility")
    assert (d.application_number, d.application_date) == ("10339710", "2003-01-09")
    assert (d.publication_date, d.grant_date, d.priority_date) == (
        "2005-01-04",
        "2005-01-04",
        None,
    )
    assert d.title == "Device for detachably holding an absorbent napkin across the torso"
    assert d.first_claim.startswith(
        "1. A holding device for removably holding a napkin over the front of the body"
    )
    assert d.claim_count == 23
    # app-type="applicant-inventor": one applicant row and one inventor row
    assert (
        parties(d, "applicant")
        == parties(d, "inventor")
        == [(1, "Samuel G. Glasmire", False, "Bath", "PA", "US")]
    )
    inventor = next(p for p in d.parties if p.role == "inventor")
    assert inventor.address == "146 Bentwood Cir., Bath, PA, 18014-8224, US"
    # fixed-width classes: "A45F  504", "  2 52"
    assert classes(d, "IPC") == [("A45F 5/04", True)]
    assert classes(d, "USPC")[0] == ("2/52", True)
    assert len(d.citations) == 39
    c = d.citations[0]
    assert (c.kind, c.country, c.number, c.cited_kind, c.date, c.name, c.category) == (
        "patent",
        "US",
        "675108",
        "A",
        "1901-05-01",
        "Perkins",
        "cited by examiner",
    )


def test_v41_design_grant():
    d = doc(WEEKLY / "ipg060103.sample25.xml", "US-D513425-S1")
    assert (d.dtd, d.doc_type, d.kind) == ("us-patent-grant v4.1", "design", "S1")
    assert (d.application_number, d.application_date, d.publication_date) == (
        "29220973",
        "2005-01-07",
        "2006-01-03",
    )
    assert d.title == "Skateboard"
    assert d.abstract is None
    assert d.first_claim == "The ornamental design for a skateboard, as shown and described."
    assert classes(d, "LOCARNO") == [("21-02", True)]
    assert classes(d, "USPC") == [("D21/765", True)]
    assert parties(d, "inventor") == [(1, "Harald Kohl", False, "33560 Carbon Blanc", None, "FR")]
    c = d.citations[1]
    assert (c.number, c.cited_kind, c.date, c.name) == ("D382617", "S", "1997-08-01", "Oak")


def test_v41_plant_and_sir_grants():
    sir = doc(WEEKLY / "ipg060103.sample25.xml", "US-H2140-H1")
    assert (sir.doc_type, sir.title) == ("sir", "Bio-oxidation process and apparatus")
    plant = doc(WEEKLY / "ipg080101.sample25.xml", "US-PP18398-P2")
    assert (plant.doc_type, plant.application_number) == ("plant", "11440245")
    assert classes(plant, "USPC") == [("PLT/263", True)]


def test_v42_grant_weekly_file():
    d = doc(WEEKLY / "ipg120103.sample25.xml", "US-8087209-B2")
    assert d.dtd == "us-patent-grant v4.2"
    assert (d.application_number, d.application_date, d.priority_date) == (
        "12693349",
        "2010-01-25",
        "2009-01-27",
    )
    assert d.title == "Edging rail for a flooring"
    assert d.first_claim.startswith("1. Edging rail for a flooring having a thickness")
    assert d.claim_count == 4
    assert classes(d, "IPC") == [("E04C 2/38", True)]
    # " 527168" -> 52/716.8
    assert classes(d, "USPC")[0] == ("52/716.8", True)
    assert parties(d, "inventor")[0][1:] == ("David Sondermann", False, "Drolshagen", None, "DE")
    assert parties(d, "assignee")[0][1] == "Kueberit Profile Systems GmbH & Co. KG"
    c = d.citations[0]
    assert (c.number, c.cited_kind, c.date, c.name, c.category) == (
        "3732659",
        "A",
        "1973-05-01",
        "LaBarge",
        "cited by examiner",
    )


def test_v42_design_grant_weekly_file():
    d = doc(WEEKLY / "ipg120327.sample196.xml", "US-D656296-S1")
    assert (d.application_number, d.application_date, d.publication_date) == (
        "29381217",
        "2010-12-16",
        "2012-03-27",
    )
    assert d.title == "Ready to eat snack piece"
    assert classes(d, "LOCARNO") == [("01-01", True)]
    assert classes(d, "USPC") == [("D1/128", True), ("D1/106", False)]
    assert parties(d, "assignee") == [
        (1, "Frito-Lay North America, Inc.", True, "Plano", "TX", "US")
    ]
    assert parties(d, "inventor")[0] == (1, "Nicole Cavin", False, "Frisco", "TX", "US")


def test_v45_grant_cpc_and_assignee_applicant():
    d = doc(GO / "grant__v4-5-B1.xml")
    assert (d.pub_key, d.dtd, d.doc_type) == ("US-9358892-B1", "us-patent-grant v4.5", "utility")
    assert (d.application_number, d.application_date, d.publication_date) == (
        "14558596",
        "2014-12-02",
        "2016-06-07",
    )
    assert d.title == (
        "System and method for pre-charging a hybrid vehicle for improving reverse driving"
        " performance"
    )
    assert d.first_claim.startswith(
        "1. A pre-charging system for improving reverse direction hill climb performance"
    )
    assert d.claim_count == 20
    toyota = "Toyota Motor Engineering & Manufacturing North America, Inc."
    # applicant-authority-category="assignee" is still an applicant
    assert parties(d, "applicant") == [(1, toyota, True, "Erlanger", "KY", "US")]
    assert parties(d, "assignee") == [(1, toyota, True, "Erlanger", "KY", "US")]
    assert parties(d, "inventor") == [(1, "Geoffrey D. Gaither", False, "Nagoya", None, "JP")]
    assert classes(d, "CPC")[:2] == [("B60L 11/1809", True), ("B60K 35/00", False)]
    # the first IPCR is the one with symbol-position F
    assert classes(d, "IPC")[0] == ("B60L 9/00", True)
    assert len(d.citations) == 28
    c = d.citations[0]
    assert (c.number, c.cited_kind, c.date, c.name, c.category) == (
        "5856709",
        "A",
        "1999-01-01",
        "Ibaraki et al.",
        "cited by applicant",
    )
    npl = d.citations[24]
    assert (npl.kind, npl.category, npl.number) == ("npl", "cited by examiner", None)
    assert npl.text.startswith(
        "Route profile analysis to determine suitability of electric postal delivery vehicles"
    )


def test_v45_grants_concatenated():
    keys = [d.pub_key for d in outcomes(GO / "test.xml")]
    assert keys == ["US-11147202-B2", "US-11147203-B2"]


# --- v4.x applications ----------------------------------------------------------------------


def test_v40_application_priority_claim():
    d = doc(PPD / "xmlApp2004__US20050004437A1.xml")
    assert (d.pub_key, d.dtd, d.doc_type) == (
        "US-20050004437-A1",
        "us-patent-application v4.0",
        "application",
    )
    assert (d.application_number, d.application_date) == ("10830857", "2004-04-23")
    assert (d.publication_date, d.grant_date, d.priority_date) == ("2005-01-06", None, "2001-10-26")
    assert d.title == "Simulation device for playful evaluation and display of blood sugar levels"
    assert d.first_claim.startswith(
        "1. A simulation device for displaying and evaluating blood sugar readings"
    )
    assert d.claim_count == 10
    assert parties(d, "inventor") == [
        (1, "Heiner Kaufmann", False, "Bern", None, "CH"),
        (2, "Thomas Vering", False, "Bremgarten b. Bern", None, "CH"),
    ]
    assert classes(d, "IPC") == [("A61B 5/00", True)]
    assert classes(d, "USPC") == [("600/300", True), ("128/905", False), ("345/952", False)]


def test_v41_application_weekly_file():
    d = doc(WEEKLY / "ipa061228.sample1.xml")
    assert (d.pub_key, d.dtd) == ("US-20060288462-A1", "us-patent-application v4.1")
    assert (d.application_number, d.application_date, d.publication_date) == (
        "11197279",
        "2005-08-04",
        "2006-12-28",
    )
    assert d.title == "Garments composed of fabric panels incorporating edible cells"
    assert d.claim_count == 10
    assert parties(d, "inventor") == [(1, "Yvonne Schroeder", False, "Koln", None, "DE")]
    assert parties(d, "assignee")[0][1:] == (
        "AMERICAN EXPRESS TRAVEL RELATED SERVICES COMPANY, INC.",
        True,
        "New York",
        "NY",
        "US",
    )
    assert classes(d, "IPC") == [("A41D 31/00", True), ("A23G 1/50", False)]
    assert classes(d, "USPC") == [("2/1", True), ("426/104", False)]


def test_v43_application_inventors_listed_once():
    d = doc(WEEKLY / "ipa130117.sample2.xml", "US-20130014308-A1")
    assert d.dtd == "us-patent-application v4.3"
    assert (d.application_number, d.application_date, d.publication_date) == (
        "13181579",
        "2011-07-13",
        "2013-01-17",
    )
    assert d.title == "TYPING-MATE"
    assert d.claim_count == 12
    # applicant-inventor applicant AND an <inventors> list: one inventor row, not two
    person = (1, "Yennifer Feliciano", False, "Kissimmee", "FL", "US")
    assert parties(d, "applicant") == parties(d, "inventor") == parties(d, "assignee") == [person]
    assert classes(d, "IPC") == [("A41D 13/08", True)]
    assert classes(d, "USPC") == [("2/21", True)]


def test_v44_application_cpc():
    d = doc(GO / "application__v4-4-A1.xml")
    assert (d.pub_key, d.dtd) == ("US-20210267109-A1", "us-patent-application v4.4")
    assert (d.application_number, d.application_date, d.publication_date) == (
        "17173265",
        "2021-02-11",
        "2021-09-02",
    )
    assert d.title == "METHODS AND APPARATUS FOR YARD AND GARDEN DEBRIS COLLECTION"
    assert d.first_claim.startswith("1. An apparatus to clean a surface with debris comprising:")
    assert d.claim_count == 20
    assert parties(d, "inventor") == [(1, "Daniel O'Keefe", False, "Jefferson Valley", "NY", "US")]
    assert classes(d, "CPC") == [
        ("A01B 1/04", True),
        ("A01D 11/06", False),
        ("B08B 13/00", False),
        ("B08B 1/005", False),
    ]
    assert classes(d, "IPC")[0] == ("A01B 1/04", True)


def test_v45_application_organisation_applicant():
    d = doc(GO / "application__v4-5-A2.xml")
    assert (d.pub_key, d.dtd) == ("US-20220160114-A2", "us-patent-application v4.5")
    assert (d.application_number, d.application_date, d.publication_date) == (
        "17309147",
        "2019-11-05",
        "2022-05-26",
    )
    assert d.title == "CARRYING CASE WITH PIVOTING HOUSING"
    assert d.first_claim.startswith("1. A carrying case comprising: a housing having a top,")
    assert d.claim_count == 8
    assert parties(d, "applicant") == [(1, "BEVIS GEAR INC.", True, "VANCOUVER", None, "CA")]
    assert parties(d, "inventor") == [(1, "Matthew Bevis", False, "Vancouver", None, "CA")]
    assert classes(d, "CPC") == [("A45F 3/047", True), ("A45F 3/02", False)]
    assert classes(d, "IPC") == [("A45F 3/04", True), ("A45F 3/02", False)]


# --- splitting and rejects --------------------------------------------------------------------


def test_split_documents_offsets_and_bytes():
    data = (WEEKLY / "ipg060103.sample25.xml").read_bytes()
    parts = uspto.split_documents(data)
    assert isinstance(parts, Iterator)
    parts = list(parts)
    assert len(parts) == 27
    assert all(chunk.startswith(b"<?xml") for _, chunk in parts)
    assert all(data[offset : offset + len(chunk)] == chunk for offset, chunk in parts)
    assert b"".join(chunk for _, chunk in parts) == data


def test_split_documents_yields_junk_before_the_first_declaration():
    data = b"HEADER of a damaged file\n" + (GO / "test.xml").read_bytes()
    parts = list(uspto.split_documents(data))
    assert parts[0] == (0, b"HEADER of a damaged file\n")
    assert [offset for offset, _ in parts[1:]][0] == len(b"HEADER of a damaged file\n")
    assert len(parts) == 3
    assert reject(parts[0][1]).reason == "xml.malformed"


def test_split_documents_ignores_blank_and_byte_order_mark():
    data = (GO / "grant__v4-0-B2.xml").read_bytes()
    assert [o for o, _ in uspto.split_documents(b"\xef\xbb\xbf" + data)] == [3]
    assert [o for o, _ in uspto.split_documents(b"\n \n" + data)] == [3]
    assert list(uspto.split_documents(b"")) == []
    assert list(uspto.split_documents(b"  \n\n")) == []


def test_truncated_document_is_malformed():
    data = (GO / "grant__v4-5-B2.xml").read_bytes()
    assert reject(data[: len(data) // 2]).reason == "xml.malformed"


def test_unknown_root_is_rejected():
    epo = (PATENTS / "epo_fulltext_xml/application__v1-0-A1.xml").read_bytes()
    caught = reject(epo)
    assert (caught.reason, caught.detail) == ("xml.unknown_dtd", "ep-patent-document")


@pytest.mark.parametrize("data", [b"", b" \n\t\n"])
def test_empty_document(data):
    assert reject(data).reason == "document.empty"


def test_document_without_number_is_rejected():
    data = b'<?xml version="1.0"?><us-patent-grant dtd-version="v4.2 2006-08-23"/>'
    assert reject(data).reason == "document.no_bibliographic_data"
    data = (
        b'<?xml version="1.0"?><us-patent-grant><us-bibliographic-data-grant>'
        b"</us-bibliographic-data-grant></us-patent-grant>"
    )
    assert reject(data).reason == "document.no_number"


def test_external_dtd_is_never_loaded(tmp_path):
    # A DTD that exists and defines an entity: were it loaded, the title would say LOADED.
    dtd = tmp_path / "us-patent-grant-v42-2006-08-23.dtd"
    dtd.write_text('<!ENTITY probe "LOADED">')
    data = (WEEKLY / "ipg120103.sample25.xml").read_bytes()
    first = next(chunk for _, chunk in uspto.split_documents(data))
    first = first.replace(
        b'SYSTEM "us-patent-grant-v42-2006-08-23.dtd"', f'SYSTEM "{dtd.as_uri()}"'.encode()
    ).replace(b">Table base</invention-title>", b">Table base &probe;</invention-title>")
    assert dtd.as_uri().encode() in first
    d = uspto.parse_document(first)
    assert d.title == "Table base &probe;"


# --- class codes in the fixed-width fields ---------------------------------------------------


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("  2 52", "2/52"),  # ipg050104
        ("12340612", "123/406.12"),  # us-citation of grant__v4-5-B1
        ("180 6527", "180/65.27"),
        ("290 40 C", "290/40C"),
        ("D 9434", "D9/434"),
        (" D1106", "D1/106"),
        ("002227000", "2/227"),  # application__v4-0-A1
        ("623001160", "623/1.16"),  # application__v4-0-A2_1
        ("4675", "4/675"),  # grant__v2-5-B1, padding lost
        ("224 42.03R", "224/42.03R"),  # APS cross-reference
        ("280 87041- 87043", None),  # a search range
        ("", None),
    ],
)
def test_uspc_code(value, code):
    assert uspto.uspc_code(value) == code


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("A45F  504", "A45F 5/04"),
        ("G06F 1516", "G06F 15/16"),
        ("H04M 1100", "H04M 11/00"),
        ("E03C 104", "E03C 1/04"),  # padding lost
        ("A41D001/06", "A41D 1/06"),
        ("1402", None),
    ],
)
def test_ipc_fixed(value, code):
    assert uspto.ipc_fixed(value) == code


# --- APS greenbook text ------------------------------------------------------------------------


def aps(name: str) -> list[PatentDoc | Reject]:
    return list(uspto.parse_aps((PPD / name).read_bytes()))


def test_aps_grant():
    (d,) = aps("greenbook__US03937375.greenbook")
    assert (d.pub_key, d.doc_type, d.source_format) == ("US-3937375-A", "utility", "uspto-aps")
    # SRC 5 + APN 518454 (+ check digit 1)
    assert (d.application_number, d.application_date) == ("05518454", "1974-10-29")
    assert (d.publication_date, d.grant_date) == ("1976-02-10", "1976-02-10")
    assert d.title == "Bumper support for a boat loader"
    assert d.abstract.startswith("A unit mountable on a rear bumper of a vehicle, and which does")
    assert d.first_claim.startswith(
        "1. In a bumper support for a boat loader, the combination of a pair of spaced apart"
    )
    assert d.claim_count == 3
    assert parties(d, "inventor") == [(1, "Everette E. Daniels", False, "Des Moines", "IA", "US")]
    assert classes(d, "USPC") == [("224/42.07", True), ("214/450", False)]
    assert classes(d, "IPC") == [("B60R 9/00", True)]
    c = d.citations[0]
    assert (c.kind, c.country, c.number, c.date, c.name) == (
        "patent",
        "US",
        "2542907",
        "1951-02-01",
        "Dayton et al.",
    )
    assert len(d.citations) == 5


def test_aps_foreign_parties_and_priority():
    (d,) = aps("greenbook__US04347903.greenbook")
    assert (d.pub_key, d.priority_date, d.application_number) == (
        "US-4347903-A",
        "1978-07-10",
        "06192529",
    )
    assert parties(d, "inventor")[0] == (1, "Shozo Yano", False, "Kyoto", None, "JP")
    assert parties(d, "assignee") == [(1, "Shimadzu Corporation", True, "Kyoto", None, "JP")]


def test_aps_text_before_the_first_record_is_rejected():
    data = b"not an APS line\n" + (PPD / "greenbook__US03937375.greenbook").read_bytes()
    out = list(uspto.parse_aps(data))
    assert [type(o).__name__ for o in out] == ["Reject", "PatentDoc"]
    assert out[0].reason == "aps.no_record"
