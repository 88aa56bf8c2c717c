"""EPO full-text reader on the real publications in ../shared/data/patents/epo_fulltext_xml.

Expected values are read off the XML files: 19 applications (A1/A2) and 10 grants (B1/B2)
over DTD versions 1.0 to 1.5.1. Four of the files are hand-edited copies that are not
well-formed (a bare "&" in an agent's name, "<First Embodiment</heading>").
"""

from __future__ import annotations

from functools import cache

import pytest
from innolink.patents.document import Reject
from innolink.patents.readers import epo

from .conftest import SHARED

EPO = SHARED / "patents" / "epo_fulltext_xml"
USPTO = SHARED / "patents" / "uspto_fulltext_xml"


@cache
def read(name: str):
    return epo.parse_document((EPO / name).read_bytes())


# file, pub_key, dtd, publication date, (application number, date), grant date, priority,
# title, English title (None: same as title), abstract start, first-claim start, claims,
# applicant (name, country, city), inventor (name, country, city), first IPC (main).
CASES = [
    (
        "application__v1-0-A1.xml", "EP-1325900-A1", "ep-patent-document v1.0", "2003-07-09",
        ("01963450.0", "2001-09-05"), None, "2000-09-08",
        "PROCESS FOR PRODUCING FLUOROALKANOL", None,
        "A process for producing a fluoroalkanol which can easily be",
        "A process for producing a fluoroalkanol of the following formula 1,", 7,
        ("ASAHI GLASS COMPANY LTD.", "JP", "Tokyo 100-8405"),
        ("Toshihiko TOHMA", "JP", "Ichihara-shi, Chiba 290-8566"), "C07C 29/44",
    ),
    (
        "application__v1-0-A2.xml", "EP-1326188-A2", "ep-patent-document v1.0", "2003-07-09",
        ("02019404.9", "2002-08-30"), None, "2001-11-03",
        "Verfahren und System zur Ermittlung von infolge der Nutzung einer Anlage anfallenden "
        "Nutzungsgebühren",
        "Method and system for establishing the usage costs for the use of an apparatus",
        "Die Erfindung betrifft die Ermittlung von infolge der Nutzung",
        "Verfahren zur Ermittlung von infolge der Nutzung einer Anlage", 19,
        ("Phoenix Contact GmbH & Co. KG", "DE", "32825 Blomberg"),
        ("Volker Bibelhausen", "DE", "32760 Detmold"), "G06F 17/60",
    ),
    (
        "application__v1-01-A1.xml", "EP-1679948-A1", "ep-patent-document v1.01", "2006-07-19",
        ("04768329.7", "2004-09-02"), None, "2003-09-03",
        "WEB COVERS FOR CONVEYOR SCREENS", None, None, None, None,
        ("David Rankin", "GB", "Bangor BT19 7QT, County Down"),
        ("David Rankin", "GB", "Bangor BT19 7QT, County Down"), "A01D 17/10",
    ),
    (
        "application__v1-01-A2.xml", "EP-1680538-A2", "ep-patent-document v1.01", "2006-07-19",
        ("04794205.7", "2004-10-26"), None, "2003-10-28",
        "COMPOSITE YARN AND PRODUCTS MADE THEREFROM", None, None, None, None,
        ("Supreme Elastic Corporation", "US", "Conover, NC 28613"),
        ("Nathaniel KOLMES", "US", "Hickory, NC 28601"), "D02G 3/02",
    ),
    (
        "application__v1-1-A1.xml", "EP-2-A1", "ep-patent-document v1.1", "1978-12-20",
        ("78100007.0", "1978-06-01"), None, "1977-06-01",
        "Tetrahydrofuran-Derivate, Verfahren zu ihrer Herstellung sowie ihre Verwendung als "
        "Herbizide.",
        "Tetrahydrofurane derivatives, processes for their preparation and their use as "
        "herbicides",
        "Die vorliegende Erfindung betrifft neue Tetrahydrofuran-Derivate",
        "1.) Tetrahydrofuran-Derivate der Formel", 6,
        ("BAYER AG", "DE", "51368 Leverkusen"),
        ("Thomas Schmidt", "DE", "D-5600 Wuppertal 1"), "C07D 307/12",
    ),
    (
        "application__v1-1-A2.xml", "EP-1792486-A2", "ep-patent-document v1.1", "2007-06-06",
        ("04795906.9", "2004-10-19"), None, "2004-08-13",
        "SYSTEMS FOR UNIFYING HETEROGENEOUS MULTIMEDIA TUNERS", None, None, None, None,
        ("Microsoft Corporation", "US", "Redmond WA 98052"),
        ("Peter J. POTREBIC", "US", "Redmond, WA 98052"), "H04N 7/173",
    ),
    (
        "application__v1-2-A1.xml", "EP-1921219-A1", "ep-patent-document v1.2", "2008-05-14",
        ("06381048.5", "2006-11-08"), None, None,
        "Sound damping and fire restistant insulating panel and its manufacturing procedure",
        None,
        "Insulating panel which comprises a core implemented in silica fibre",
        "1. Sound damping and fire resistant insulating panel characterized in that", 11,
        ("Juan Lloveras Calvo", "ES", "Barcelona"),
        ("Juan Lloveras Calvo", "ES", "Barcelona"), "E04B 1/88",
    ),
    (
        "application__v1-2-A2.xml", "EP-1873405-A2", "ep-patent-document v1.2", "2008-01-02",
        ("07012363.3", "2007-06-25"), None, "2006-06-29",
        "Spanplattenschraube", "Chipboard screw",
        "Bei einer Spanplattenschraube wird vorgeschlagen",
        "Spanplattenschraube, mit 1.1 einem Schraubenkopf (1),", 17,
        ("SWG Schraubenwerk Gaisbach GmbH", "DE", "74638 Waldenburg"),
        ("Markus Heim", "DE", "74632 Neuenstein"), "F16B 25/10",
    ),
    (
        "application__v1-3-A1.xml", "EP-1981358-A1", "ep-patent-document v1.3", "2008-10-22",
        ("07704233.1", "2007-01-30"), None, "2006-01-31",
        "NUTRITIONAL COMPOSITION FOR LOW BIRTH WEIGHT INFANTS", None, None, None, None,
        ("Nestec S.A.", "CH", "1800 Vevey"),
        ("Ferdinand HASCHKE", "CH", "CH-1814 La Tour De Peilz"), "A23L 1/29",
    ),
    (
        "application__v1-3-A2.xml", "EP-2007181-A2", "ep-patent-document v1.3", "2008-12-24",
        ("07738344.6", "2007-03-13"), None, "2006-04-07",
        "CONTROLLER FOR INDUSTRIAL ROBOT", None,
        "a robot controller ensures the maintenance work property",
        "A controller for an industrial robot comprising: a first housing", 3,
        ("KABUSHIKI KAISHA YASKAWA DENKI", "JP", "Kitakyushu-shi, Fukuoka 806-0004"),
        ("Yoshitaka OHFUCHI", "JP", "Kitakyushu-shi, Fukuoka 806-0004"), "H05K 5/02",
    ),
    (
        "application__v1-4-A1-1.xml", "EP-560858-A1", "ep-patent-document v1.4", "1993-09-22",
        ("92900624.0", "1991-12-04"), None, "1990-12-04",
        "NOZZLE ASSEMBLY FOR PREVENTING BACK-FLOW", None, None, None, None,
        ("DMW (TECHNOLOGY) LIMITED", "GB", "Suffolk IP12 1RJ"),
        ("Stephen Terence DUNNE", "GB", "Ipswich, Suffolk IP9 1EX"), "B05B 7/00",
    ),
    (
        "application__v1-4-A1.xml", "EP-2055205-A1", "ep-patent-document v1.4", "2009-05-06",
        ("08018756.0", "2008-10-27"), None, "2007-11-01",
        "Bobby pin", None,
        "A bobby pin includes a clamping ribs unit (2) and a hair fork (3).",
        "A bobby pin comprising: A clamping rib unit consisting of", 6,
        ("Tsorng TA Enterprise Co., Ltd.", "TW", "Tainan City"),
        ("Jui-Ming Tu", "TW", "Tainan City"), "A45D 8/20",
    ),
    (
        "application__v1-4-A2.xml", "EP-2136607-A2", "ep-patent-document v1.4", "2009-12-23",
        ("09007746.2", "2009-06-12"), None, "2008-06-20",
        "Verfahren zum Betreiben einer Akku-Handlampe",
        "Method for operating a battery powered torch",
        "Verfahren zum Betreiben eine Akku-Handlampe (2) mit einer Beleuchtungsquelle (4)",
        "Verfahren zum Betreiben eine Akku-Handlampe (2) mit einer Beleuchtungsquelle (4)", 15,
        ("Metabowerke GmbH", "DE", "72622 Nürtingen"),
        ("Jochen Gräber", "DE", "73266 Bissingen"), "H05B 37/02",
    ),
    (
        "application__v1-5-1-A1-1.xml", "EP-4090146-A1", "ep-patent-document v1.5.1",
        "2022-11-23", ("21741385.5", "2021-01-14"), None, "2020-01-17",
        "POWER TAKEOFF CONTROL", None, None, None, None,
        ("Zimeno, Inc. DBA Monarch Tractor", "US", "Livemore, CA 94551"),
        ("Christopher Travis WHITNEY", "US", "Fremont, California 94538"), "A01B 71/02",
    ),
    (
        "application__v1-5-1-A1-2.xml", "EP-3889521-A1", "ep-patent-document v1.5.1",
        "2021-10-06", ("18867314.9", "2018-11-30"), None, None,
        "CONTROL DEVICE AND AIR CONDITIONING DEVICE", None,
        "A control device of an air-conditioning device including multiple outdoor units",
        "A control device of an air-conditioning device including multiple outdoor units", 17,
        ("Hitachi-Johnson Controls Air Conditioning, Inc.", "JP", "Tokyo 105-0022"),
        ("Hiroaki KANEKO", "JP", "Tokyo 105-0022"), "F25B 45/00",
    ),
    (
        "application__v1-5-1-A1.xml", "EP-3882239-A1", "ep-patent-document v1.5.1", "2021-09-22",
        ("19883405.3", "2019-11-14"), None, "2018-11-15",
        "1,3,4-OXADIAZOLONE COMPOUND AND MEDICINE", None,
        "The purpose of the present invention is to provide a compound having PIM",
        "A 1,3,4-oxadiazolone compound of the formula [1]: wherein X", 14,
        ("Nippon Shinyaku Co., Ltd.", "JP", "Kyoto-shi Kyoto 601-8550"),
        ("Hirotaka KAMITANI", "JP", "Kamakura-shi, Kanagawa 247-0056"), "C07D 271/113",
    ),
    (
        "application__v1-5-1-A2.xml", "EP-3882354-A2", "ep-patent-document v1.5.1", "2021-09-22",
        ("21165049.4", "2018-02-01"), None, "2017-02-03",
        "ENGINEERED GLYCOSYLTRANSFERASES AND STEVIOL GLYCOSIDE GLUCOSYLATION METHODS", None,
        "The present invention provides engineered glycosyltransferase (GT) enzymes",
        "An engineered sucrose synthase comprising a polypeptide sequence", 15,
        ("Codexis, Inc.", "US", "Redwood City, CA 94063"),
        ("Jonathan VROOM", "US", "Redwood City, California 94063"), "C12P 19/56",
    ),
    (
        "application__v1-5-A1.xml", "EP-3782854-A1", "ep-patent-document v1.5", "2021-02-24",
        ("18877305.5", "2018-10-29"), None, "2018-04-20",
        "VEHICLE-MOUNTED DISPLAY ASSEMBLY AND VEHICLE", None,
        "This disclosure relates to a vehicular display assembly and a vehicle,",
        "A vehicular display assembly, comprising: a storage box; and a display", 12,
        ("BOE TECHNOLOGY GROUP CO., LTD.", "CN", "Beijing 100015"),
        ("Yuhsiung FENG", "CN", "Beijing 100176"), "B60R 7/06",
    ),
    (
        "application__v1-5-A2.xml", "EP-3814387-A2", "ep-patent-document v1.5", "2021-05-05",
        ("19766069.9", "2019-06-26"), None, "2018-06-29",
        "RADIOPAQUE POLYMERS", None, None, None, None,
        ("Biocompatibles UK Limited", "GB", "Camberley, Surrey GU15 3YL"),
        ("Andrew Lennard LEWIS", "GB", "London Greater London EC4M 7RD"), "C08F 8/48",
    ),
    (
        "grant__v1-0-B1.xml", "EP-1442058-B1", "ep-patent-document v1.0", "2006-07-19",
        ("02779063.3", "2002-11-18"), "2006-07-19", "2001-11-16",
        "PEPTIDES EFFECTIVE IN THE TREATMENT OF TUMORS AND OTHER CONDITIONS REQUIRING THE "
        "REMOVAL OR DESTRUCTION OF CELLS",
        None, None, "An NTP-peptide consisting of an amino acid sequence", 3,
        ("NYMOX CORPORATION", "CA", "St. Laurent, Québec H4M 2V2"),
        ("Paul AVERBACK", "CA", "Beaconsfield, Québec H9W 4J1"), "C07K 14/47",
    ),
    (
        "grant__v1-0-B2.xml", "EP-874807-B2", "ep-patent-document v1.0", "2006-08-02",
        ("96939832.0", "1996-11-18"), "2002-02-20", "1995-11-29",
        "PROCESS FOR THE PREPARATION OF METHOXYMINOPHENYLGLYOXYLIC ACID DERIVATIVES", None,
        None, "A process for the preparation of an o-chloroinethylphenylinethoximinoglyoxylic",
        5, ("Bayer CropScience AG", "DE", "40789 Monheim"),
        ("Jean-Marie ASSERCQ", "CH", "CH-1870 Monthey"), "C07C 249/08",
    ),
    (
        "grant__v1-1-B1.xml", "EP-1019261-B1", "ep-patent-document v1.1", "2003-07-09",
        ("98948476.1", "1998-09-23"), "2003-07-09", "1997-09-30",
        "INTELLIGENT BRAKING SYSTEM FOR MATERIALS HANDLING VEHICLES", None,
        None, "A method for braking a materials handling vehicle (10) comprising", 29,
        ("CROWN EQUIPMENT CORPORATION", "US", "New Bremen, Ohio 45869"),
        ("Nicholas J. SHERMAN", "US", "Minster, OH 45865"), "B60L 7/26",
    ),
    (
        "grant__v1-1-B2.xml", "EP-546210-B2", "ep-patent-document v1.1", "2003-07-09",
        ("91121229.8", "1991-12-11"), "1997-10-01", None,
        "Method and apparatus for heat treating metal castings", None,
        None, "Apparatus (10, 110) for heat treating a metal casting having a sand core", 32,
        ("CONSOLIDATED ENGINEERING COMPANY, INC.", "US", "Kennesaw, Georgia 30144"),
        ("Scott P. Crafton", "US", "Kennesaw, Georgia 30144"), "B22D 29/00",
    ),
    (
        "grant__v1-2-B1.xml", "EP-610335-B1", "ep-patent-document v1.2", "2008-01-02",
        ("92922494.7", "1992-10-16"), "2008-01-02", "1991-10-16",
        "Methods for designing recombitope peptides", None,
        None, "A method for designing an isolated peptide having an amino terminus", 14,
        ("Merck Patent GmbH", "DE", "64293 Darmstadt"),
        ("Bruce L. ROGERS", "US", "Belmont, MA 02178"), "C12N 15/62",
    ),
    (
        "grant__v1-2-B2.xml", "EP-430402-B2", "ep-patent-document v1.2", "2008-03-05",
        ("90308718.7", "1990-08-08"), "1999-01-27", "1989-12-01",
        "Methods and compositions for chromosome-specific staining", None,
        None, "A method of staining targeted chromosomal material based upon nucleic acid", 4,
        ("The Regents of the University of California", "US", "Oakland, California 94612-3550"),
        ("Joe W. Gray", "US", "Livermore, CA 94550"), "C12Q 1/68",
    ),
    (
        "grant__v1-3-B1.xml", "EP-1654642-B1", "ep-patent-document v1.3", "2008-12-24",
        ("04777385.8", "2004-07-01"), "2008-12-24", "2003-08-01",
        "METHODS AND APPARATUS FOR VERIFYING CONTEXT PARTICIPANTS IN A CONTEXT MANAGEMENT "
        "SYSTEM IN A NETWORKED ENVIRONMENT",
        None, None, "A method for use in a system comprising at least one client (300),", 32,
        ("Sentillion, Inc.", "US", "Andover, MA 01810"),
        ("David FUSARI", "US", "Groton, MA 01450"), "G06F 9/455",
    ),
    (
        "grant__v1-3-B2.xml", "EP-1497510-B2", "ep-patent-document v1.3", "2008-12-24",
        ("03721225.5", "2003-04-22"), "2006-06-28", "2002-04-22",
        "FLOORING", None,
        None, "A flooring, which comprises rectangular floorboards (1) with a surface", 1,
        ("Välinge Innovation AB", "SE", "260 40 Viken"),
        ("Darko PERVAN", "SE", "S-260 40 Viken"), "E04F 15/04",
    ),
    (
        "grant__v1-4-B1.xml", "EP-449582-B1", "ep-patent-document v1.4", "2009-10-21",
        ("91302636.5", "1991-03-26"), "2009-10-21", "1990-03-27",
        "Measuring method and apparatus", None,
        None, "Apparatus for measuring superposing precision or alignment precision", 12,
        ("CANON KABUSHIKI KAISHA", "JP", "Tokyo"),
        ("Noriyuki Nose", "JP", "Ohta-ku, Tokyo"), "G03F 9/00",
    ),
    (
        "grant__v1-4-B2.xml", "EP-1451194-B2", "ep-patent-document v1.4", "2009-12-16",
        ("02776152.7", "2002-10-03"), "2006-10-04", "2001-10-03",
        "PREPARATION OF LEVOFLOXACIN HEMIHYDRATE", None,
        None, "A method for preparing levofloxacin hemihydrate comprising: maintaining", 9,
        ("TEVA PHARMACEUTICAL INDUSTRIES LTD.", "IL", "49131 Petah Tiqva"),
        ("Valerie NIDDAM-HILDESHEIM", "IL", "Ein Vered 40696"), "C07D 498/06",
    ),
]  # fmt: skip


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_every_shared_document(case):
    (
        name, pub_key, dtd, published, application, granted, priority, title, title_en,
        abstract, claim, claim_count, applicant, inventor, ipc,
    ) = case  # fmt: skip
    doc = read(name)
    kind = pub_key.rsplit("-", 1)[1]
    assert (doc.pub_key, doc.office, doc.kind, doc.dtd) == (pub_key, "EP", kind, dtd)
    assert doc.doc_type == ("utility" if kind.startswith("B") else "application")
    assert doc.publication_date == published
    assert (doc.application_number, doc.application_date) == application
    assert doc.grant_date == granted
    assert doc.priority_date == priority
    assert doc.title == title
    assert doc.title_en == (title_en or title)
    if abstract is None:
        assert doc.abstract is None
    else:
        assert doc.abstract.startswith(abstract)
    if claim is None:
        assert (doc.claims, doc.first_claim, doc.claim_count) == (None, None, None)
    else:
        assert doc.first_claim.startswith(claim)
        assert doc.claims.split("\n")[0] == doc.first_claim
        assert doc.claim_count == claim_count == doc.claims.count("\n") + 1
    first_applicant = next(p for p in doc.parties if p.role == "applicant")
    assert (first_applicant.name, first_applicant.country, first_applicant.city) == applicant
    first_inventor = next(p for p in doc.parties if p.role == "inventor")
    assert (first_inventor.name, first_inventor.country, first_inventor.city) == inventor
    assert not first_inventor.is_organization
    first_ipc = next(c for c in doc.classes if c.scheme == "IPC")
    assert (first_ipc.code, first_ipc.main, first_ipc.sequence) == (ipc, True, 1)


def test_languages_follow_the_publication():
    german = read("application__v1-0-A2.xml")
    assert (german.title_lang, german.abstract_lang, german.claims_lang) == ("de", "de", "de")
    assert german.title_en.startswith("Method and system for establishing")
    # Grants carry the claims in de, en and fr; the English publication keeps the English.
    grant = read("grant__v1-2-B1.xml")
    assert grant.claims_lang == "en"
    assert "Verfahren" not in grant.claims and grant.claim_count == 14
    assert grant.description_length > 90_000


def test_parties_roles_and_names():
    doc = read("application__v1-1-A1.xml")
    assert [(p.role, p.sequence) for p in doc.parties] == [
        ("applicant", 1),
        ("inventor", 1),
        ("inventor", 2),
        ("inventor", 3),
        ("inventor", 4),
    ]
    # "Schmidt, Thomas, Dr.": surname, forenames, title (dropped).
    schmidt = doc.parties[1]
    assert (schmidt.last_name, schmidt.first_name) == ("Schmidt", "Thomas")
    assert schmidt.address == "Wormser strasse 23, D-5600 Wuppertal 1, DE"
    # Person applicants ("Rankin, David") are not organisations; companies are.
    rankin = read("application__v1-01-A1.xml").parties[0]
    assert (rankin.is_organization, rankin.first_name, rankin.last_name) == (
        False,
        "David",
        "Rankin",
    )
    assert read("application__v1-4-A1.xml").parties[0].is_organization
    # "OHFUCHI, Yoshitaka c/o KABUSHIKI KAISHA YASKAWA DENKI": c/o goes to the address.
    ohfuchi = next(p for p in read("application__v1-3-A2.xml").parties if p.role == "inventor")
    assert ohfuchi.address.startswith("c/o KABUSHIKI KAISHA YASKAWA DENKI, 2-1, Kurosaki")
    # A grant's proprietors (B731) stand in the applicants' place.
    assert [p.name for p in read("grant__v1-3-B2.xml").parties if p.role == "applicant"] == [
        "Välinge Innovation AB"
    ]


def test_ipc_and_cpc():
    edition = read("application__v1-1-A1.xml")  # B511/B512/B513 with edition "2" prefix
    assert [(c.scheme, c.code, c.main) for c in edition.classes] == [
        ("IPC", "C07D 307/12", True),
        ("IPC", "C07D 407/12", False),
        ("IPC", "C07D 307/42", False),
        ("IPC", "A01N 43/08", False),
    ]
    # "B05B 7/ 00 A I": IPCR text without position letter; the first one is main.
    old = read("application__v1-4-A1-1.xml")
    assert [(c.code, c.main) for c in old.classes][:2] == [
        ("B05B 7/00", True),
        ("B05B 1/00", False),
    ]
    # C07D 498/06 is listed as AFI and again as ALN: one class row, main.
    twice = [c for c in read("grant__v1-4-B2.xml").classes if c.code == "C07D 498/06"]
    assert [(c.main, c.sequence) for c in twice] == [(True, 1)]
    cpc = [c for c in read("application__v1-5-1-A1-1.xml").classes if c.scheme == "CPC"]
    assert [c.code for c in cpc][:4] == [
        "B60K 17/28",
        "B60W 30/1888",
        "F16D 48/06",
        "F16D 2500/10437",
    ]
    assert [c.code for c in cpc if c.main] == ["F16D 48/06"]  # "20130101 FI20211026BHEP"


def test_citations():
    assert all(not read(c[0]).citations for c in CASES if "-A" in c[1])
    flooring = read("grant__v1-3-B2.xml").citations
    assert len(flooring) == 14 and all(c.kind == "patent" for c in flooring)
    assert (flooring[0].country, flooring[0].number, flooring[0].cited_kind) == (
        "WO",
        "00/20705",
        "A1",
    )
    utility_model = next(c for c in flooring if c.cited_kind == "U1")
    assert (utility_model.country, utility_model.number, utility_model.text) == (
        "DE",
        "29618318",
        "DE-U1- 29 618 318",
    )
    braking = read("grant__v1-1-B1.xml").citations
    assert [c.kind for c in braking] == ["patent"] * 5 + ["npl"]
    assert braking[-1].sequence == 6
    assert braking[-1].text.startswith(
        "PATENT ABSTRACTS OF JAPAN vol. 097, no. 006, 30 June 1997 & JP"
    )
    assert [len(read(n).citations) for n in ("grant__v1-2-B1.xml", "grant__v1-2-B2.xml")] == [
        11,
        10,
    ]


def test_hand_edited_documents_are_repaired():
    data = (EPO / "application__v1-2-A2.xml").read_bytes()
    edited = data.replace(b"<B542>Chipboard screw</B542>", b"<B542>Chipboard & <wood screw</B542>")
    assert epo.parse_document(edited).title_en == "Chipboard & <wood screw"
    # The shared copy with "<First Embodiment</heading>" in its description still reads.
    assert read("application__v1-5-1-A1-2.xml").description_length > 40_000


def test_rejects(tmp_path):
    grant = (EPO / "grant__v1-0-B1.xml").read_bytes()
    with pytest.raises(Reject) as truncated:
        epo.parse_document(grant[: len(grant) // 2])
    assert truncated.value.reason == "xml.malformed"
    with pytest.raises(Reject) as uspto:
        epo.parse_document((USPTO / "ipa061228.sample1.xml").read_bytes())
    assert uspto.value.reason == "xml.unknown_dtd"
    with pytest.raises(Reject) as us_grant:
        epo.parse_document(b"<us-patent-grant><us-bibliographic-data-grant/></us-patent-grant>")
    assert us_grant.value.reason == "xml.unknown_dtd"
    with pytest.raises(Reject) as empty:
        epo.parse_document(b"")
    assert empty.value.reason == "document.empty"
    with pytest.raises(Reject):
        epo.parse_document(bytes(range(256)) * 20)
    with pytest.raises(Reject) as no_number:
        epo.parse_document(b'<ep-patent-document kind="A1"><SDOBI/></ep-patent-document>')
    assert no_number.value.reason == "document.no_number"


def test_no_dtd_or_external_entity_is_loaded(tmp_path):
    (tmp_path / "ep.dtd").write_text('<!ENTITY loaded "FROM-DTD">')
    (tmp_path / "secret.txt").write_text("SECRET")
    data = (EPO / "application__v1-2-A2.xml").read_text(encoding="utf-8")
    doctype = data[data.index("<!DOCTYPE") : data.index(">", data.index("<!DOCTYPE")) + 1]
    hostile = data.replace(
        doctype,
        f'<!DOCTYPE ep-patent-document SYSTEM "{tmp_path}/ep.dtd" '
        f'[<!ENTITY xxe SYSTEM "file://{tmp_path}/secret.txt">]>',
    ).replace("<B542>Chipboard screw</B542>", "<B542>Chipboard screw&loaded;&xxe;</B542>")
    title = epo.parse_document(hostile.encode()).title_en
    # The references stay unexpanded: neither the DTD nor the file was read.
    assert title.startswith("Chipboard screw")
    assert "FROM-DTD" not in title and "SECRET" not in title


def test_inline_markup_keeps_formulas_together():
    # <sub> and <sup> inside a word ("CHR<sub>1</sub>R<sub>2</sub>OH") are not word breaks.
    doc = epo.parse_document((EPO / "application__v1-0-A1.xml").read_bytes())
    assert "CHR1R2OH, a radical initiator and CF2=CFRf are continuously supplied" in doc.abstract
