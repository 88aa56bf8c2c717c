"""CNIPA reader on the real publications in ../shared/data/patents/ja_zh/cnipa_xml_old (the
`cn-patent-document` format, three of the four with a UTF-8 BOM) and cnipa_xml_new (the
namespaced `business:PatentDocumentAndRelated` format). Expected values are read off the XML.
"""

from __future__ import annotations

from functools import cache

import pytest
from innolink.patents.document import Reject
from innolink.patents.readers import cnipa

from .conftest import SHARED

CN = SHARED / "patents" / "ja_zh"
USPTO = SHARED / "patents" / "uspto_fulltext_xml"
OLD_DTD = "cn-patent-document"
NEW_DTD = "business:PatentDocumentAndRelated V2.2.1"


@cache
def read(path: str):
    return cnipa.parse_document((CN / path).read_bytes())


# file, pub_key, dtd, publication date, (application number, date), priority, title,
# abstract start, first-claim start, claims, applicant (name, country, state, city),
# first inventor, first IPC (main).
CASES = [
    (
        "cnipa_xml_new/CN113781974A.xml", "CN-113781974-A", NEW_DTD, "2021-12-10",
        ("202111286633.X", "2017-04-24"), "2016-05-23", "显示设备",
        "公开了一种显示设备。显示设备包括排列成多行和多列的多个像素",
        "1.显示设备，包括：显示面板，所述显示面板包括：多个像素，", 17,
        ("三星显示有限公司", "KR", None, None), "金驲柱", "G09G 3/36",
    ),
    (
        "cnipa_xml_new/CN113784721A.xml", "CN-113784721-A", NEW_DTD, "2021-12-10",
        ("202180002433.9", "2021-02-24"), "2020-02-27", "抗COVID-19的高活性化合物",
        "本发明是以有效量施用的嘌呤核苷酸氨基磷酸酯或其药学上可接受的盐",
        "1.一种在有需要的宿主中治疗或预防由SARS-CoV-2病毒引起的COVID-19的方法，", 111,
        ("阿堤亚制药公司", "US", None, None), "J-P·索玛迪西", "A61K 31/7076",
    ),
    (
        "cnipa_xml_new/CN115212463A.xml", "CN-115212463-A", NEW_DTD, "2022-10-21",
        ("201510481495.9", "2015-08-07"), None, "一种医用放射治疗装置",
        "本发明提供一种医用放射治疗装置，涉及加速器放射治疗技术领域，",
        "1.一种医用放射治疗装置，其特征在于，包括：机体(1)；", 12,
        ("北京大基康明医疗设备有限公司", "CN", "北京市", "北京市"), "曹凯", "A61N 5/00",
    ),
    (
        "cnipa_xml_old/CN103492414A.xml", "CN-103492414-A", OLD_DTD, "2014-01-01",
        ("200880114428.1", "2008-10-29"), "2007-11-02", "抗HEPCIDIN抗体及其用途",
        "提供了选择性结合人hepcidin-25的单克隆抗体，",
        "1.选择性结合人hepcidin-25的抗体，其通过在25℃表面等离振子共振(SPR)确定，", 44,
        ("伊莱利利公司", "US", None, None), "Y·A·蔡", "C07K 16/18",
    ),
    (
        "cnipa_xml_old/CN104223352A.xml", "CN-104223352-A", OLD_DTD, "2014-12-24",
        ("201410408762.5", "2014-08-19"), None, "一种甘草发酵所得烟用香料及其应用",
        "本发明公开了一种甘草发酵所得烟用香料及其应用。",
        "1.一种甘草发酵所得烟用香料，其特征在于：将甘草片或甘草粉与水按1:5～1:50的质量比", 3,
        ("云南中烟工业有限责任公司", "CN", "云南省", "昆明市"), "段焰青", "A24B 15/18",
    ),
    (
        "cnipa_xml_old/CN104223590A.xml", "CN-104223590-A", OLD_DTD, "2014-12-24",
        ("201410513187.5", "2014-09-29"), "2013-12-24", "脚型量具",
        "本发明公开了一种脚型量具，其不仅能够定量地测量脚部的宽度，",
        "1.一种脚型量具，其特征在于：该脚型量具呈鞋状，包括鞋底和帮面，", 10,
        ("叶建鑫", "CN", "浙江省", "温州市"), "叶建鑫", "A43D 1/02",
    ),
    (
        "cnipa_xml_old/CN104245143A.xml", "CN-104245143-A", OLD_DTD, "2014-12-24",
        ("201480000986.0", "2014-03-28"), "2013-03-28",
        "用于对包含于人造草坪的填充材料进行重复利用的筛选方法及筛选装置",
        "本发明涉及一种用于从人造草坪包括的填充材料筛选出至少两种物质而进行重复利用的方法",
        "1.一种用于对包含于人造草坪的填充材料进行重复利用的筛选方法，该方法为用于从人造草坪"
        "包括的填充材料筛选出至少两种物质而进行重复利用的方法，包括：第1次筛选步骤，", 43,
        ("可隆科技特株式会社", "KR", None, None), "朴建洙", "B03B 5/04",
    ),
]  # fmt: skip


def test_shared_files():
    shared = sorted(f"{p.parent.name}/{p.name}" for p in CN.glob("cnipa_xml_*/*.xml"))
    assert shared == sorted(c[0] for c in CASES)


@pytest.mark.parametrize("case", CASES, ids=[c[0].split("/")[1] for c in CASES])
def test_every_shared_document(case):
    (
        path, pub_key, dtd, published, application, priority, title, abstract, claim,
        claim_count, applicant, inventor, ipc,
    ) = case  # fmt: skip
    doc = read(path)
    assert (doc.pub_key, doc.office, doc.kind, doc.doc_type, doc.dtd) == (
        pub_key,
        "CN",
        "A",
        "application",
        dtd,
    )
    assert doc.publication_date == published
    assert (doc.application_number, doc.application_date) == application
    assert doc.priority_date == priority
    assert (doc.title, doc.title_lang, doc.title_en) == (title, "zh", None)
    assert doc.abstract.startswith(abstract) and doc.abstract_lang == "zh"
    assert doc.first_claim.startswith(claim)
    assert doc.claim_count == claim_count == doc.claims.count("\n") + 1
    assert doc.claims_lang == "zh" and doc.description_length > 3000
    first = next(p for p in doc.parties if p.role == "applicant")
    assert (first.name, first.country, first.state, first.city) == applicant
    assert first.lang == "zh"
    assert next(p for p in doc.parties if p.role == "inventor").name == inventor
    first_ipc = doc.classes[0]
    assert (first_ipc.scheme, first_ipc.code, first_ipc.main) == ("IPC", ipc, True)
    assert all(not c.main for c in doc.classes[1:])
    assert doc.citations == []


def test_text_and_parties_details():
    # Layout line breaks inside words are not spaces: "共\n<br/>振" is "共振".
    hepcidin = read("cnipa_xml_old/CN103492414A.xml")
    assert hepcidin.first_claim == (
        "1.选择性结合人hepcidin-25的抗体，其通过在25℃表面等离振子共振(SPR)确定，"
        "具有约800pM或更低的KD。"
    )
    assert [p.name for p in hepcidin.parties if p.role == "inventor"][:3] == [
        "Y·A·蔡",
        "D·P·盖特利",
        "L·何",
    ]
    cai = next(p for p in hepcidin.parties if p.role == "inventor")
    assert (cai.first_name, cai.last_name, cai.address, cai.country) == ("Y·A", "蔡", None, None)
    # The deposit of the yeast strain is not part of the abstract's text.
    tobacco = read("cnipa_xml_old/CN104223352A.xml")
    assert tobacco.abstract.endswith("整个生产工艺简单、实用，具有良好的应用前景。")
    assert "2012.10.08" not in tobacco.abstract
    assert [c.code for c in tobacco.classes] == [
        "A24B 15/18",
        "C11B 9/00",
        "C12P 1/02",
        "C12R 1/645",
    ]
    yunnan = tobacco.parties[0]
    assert yunnan.address == "650231 云南省昆明市五华区红锦路367号云烟科技园C区"
    assert yunnan.is_organization
    assert len([p for p in tobacco.parties if p.role == "inventor"]) == 8
    # A person applicant; the second applicant of CN104245143A has an empty address.
    assert not read("cnipa_xml_old/CN104223590A.xml").parties[0].is_organization
    turf = [p for p in read("cnipa_xml_old/CN104245143A.xml").parties if p.role == "applicant"]
    assert [(p.name, p.country, p.address) for p in turf] == [
        ("可隆科技特株式会社", "KR", "韩国京畿道果川市"),
        ("盛源立赛科株式会社", None, None),
    ]
    # The new format's "0" placeholders are no values; subscripts join: "R<Sup>1</Sup>".
    covid = read("cnipa_xml_new/CN113784721A.xml")
    assert covid.parties[0].address == "美国马萨诸塞州"
    assert "R1选自C1-C6烷基、C3-C6环烷基和-C(O)C1-C6烷基" in covid.first_claim
    ipc = [c.code for c in covid.classes]
    assert ipc == ["A61K 31/7076", "A61P 31/14", "C07H 19/207"]
    display = [c.code for c in read("cnipa_xml_new/CN113781974A.xml").classes]
    assert display == ["G09G 3/36", "G09G 3/3208", "G09G 3/34"]


def test_no_dtd_schema_or_external_entity_is_loaded(tmp_path):
    (tmp_path / "ipphdb-entities.dtd").write_text('<!ENTITY loaded "FROM-DTD">')
    (tmp_path / "secret.txt").write_text("SECRET")
    text = (CN / "cnipa_xml_new/CN115212463A.xml").read_text(encoding="utf-8")
    hostile = text.replace(
        'SYSTEM "/DTDS/ExternalStandards/ipphdb-entities.dtd"[]',
        f'SYSTEM "{tmp_path}/ipphdb-entities.dtd"'
        f'[<!ENTITY xxe SYSTEM "file://{tmp_path}/secret.txt">]',
    ).replace("一种医用放射治疗装置<", "一种医用放射治疗装置&loaded;&xxe;<", 1)
    assert hostile != text
    doc = cnipa.parse_document(hostile.encode("utf-8"))
    assert doc.title == "一种医用放射治疗装置"


def test_rejects():
    data = (CN / "cnipa_xml_old/CN104223352A.xml").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    with pytest.raises(Reject) as truncated:
        cnipa.parse_document(data[: len(data) * 2 // 3])
    assert truncated.value.reason == "xml.malformed"
    with pytest.raises(Reject) as empty:
        cnipa.parse_document(b"")
    assert empty.value.reason == "document.empty"
    with pytest.raises(Reject):
        cnipa.parse_document(bytes((i * 151 + 17) % 256 for i in range(4000)))
    with pytest.raises(Reject) as uspto:
        cnipa.parse_document((USPTO / "ipa061228.sample1.xml").read_bytes())
    assert uspto.value.reason == "xml.unknown_dtd"
    without_number = data.replace(b"<doc-number>104223352</doc-number>", b"")
    with pytest.raises(Reject) as no_number:
        cnipa.parse_document(without_number)
    assert no_number.value.reason == "document.no_number"
