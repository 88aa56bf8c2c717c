"""JPO gazette reader on the real gazettes in ../shared/data/patents/ja_zh/jpo_gazette_xml.

The shared copies are UTF-8 without an XML declaration; the office's originals are EUC-JP
or Shift_JIS, which the tests rebuild from the copies. Expected values are read off the XML.
"""

from __future__ import annotations

import dataclasses
from functools import cache

import pytest
from innolink.patents.document import Reject
from innolink.patents.readers import jpo

from .conftest import SHARED

JPO = SHARED / "patents" / "ja_zh" / "jpo_gazette_xml"
USPTO = SHARED / "patents" / "uspto_fulltext_xml"
FILES = sorted(p.name for p in JPO.glob("*.xml"))


@cache
def read(name: str):
    return jpo.parse_document((JPO / name).read_bytes())


def test_shared_files():
    assert FILES == ["JP2021044249A.xml", "JP2021044377A.xml", "JP2021509175A.xml"]


def test_lithium_ion_battery_recycling():
    doc = read("JP2021044249A.xml")
    assert (doc.pub_key, doc.office, doc.kind, doc.doc_type) == (
        "JP-2021044249-A",
        "JP",
        "A",
        "application",
    )
    assert doc.dtd == "jp-official-gazette v1.0"
    assert (doc.publication_date, doc.application_number, doc.application_date) == (
        "2021-03-18",
        "2020185474",
        "2020-11-06",
    )
    assert doc.priority_date == "2016-07-07"  # US 62/359,703
    assert (doc.title, doc.title_lang, doc.title_en) == (
        "リチウムイオン電池のリサイクル方法",
        "ja",
        None,
    )
    assert doc.abstract.startswith(
        "【課題】廃リチウムイオン電池から電極材料をリサイクルするための迅速で効率的な低コストの"
        "方法を提供する。【解決手段】方法は、"
    )
    # 20 claims as filed, replaced in full (全文) by an amendment of 17: number-of-claims 17.
    assert doc.claim_count == 17
    assert doc.first_claim.startswith(
        "リチウムイオン電池をリサイクルする方法であって、ａ）前記リチウムイオン電池を放電させる"
        "ステップ、"
    )
    # The amended wording, its underlined changes joined without spaces: "約<u>１５</u>分".
    assert "前記異成分混合物を約１５分\u301c約２時間の機械的かき混ぜ" in doc.first_claim
    assert "前記極性溶媒が、約６\u301c約８のｐＨを有する緩衝溶液であり、" in doc.first_claim
    assert doc.claims_lang == "ja"
    applicant = doc.parties[0]
    assert (applicant.role, applicant.name, applicant.is_organization) == (
        "applicant",
        "ジーアールエスティー・インターナショナル・リミテッド",
        True,
    )
    # "中華人民共和国、ホンコン、...": Hong Kong has its own ISO code.
    assert applicant.country == "HK"
    assert applicant.address.startswith(
        "中華人民共和国、ホンコン、ニュー・テリトリーズ、シャティン"
    )
    inventors = [p for p in doc.parties if p.role == "inventor"]
    assert [(p.name, p.country) for p in inventors] == [
        ("ホ、カム・ピウ", "HK"),
        ("ワン、ランシ", "HK"),
        ("シェン、ペイフア", "CN"),  # 中華人民共和国、カントン ５１１３４０、...
    ]
    assert (inventors[0].last_name, inventors[0].first_name) == ("ホ", "カム・ピウ")
    assert inventors[2].address.startswith("中華人民共和国、カントン ５１１３４０、カンゾウ")
    ipc = [(c.code, c.main) for c in doc.classes if c.scheme == "IPC"]
    assert ipc == [("H01M 10/54", True), ("B09B 3/00", False)]
    fi = [(c.code, c.main) for c in doc.classes if c.scheme == "FI"]
    assert fi == [("H01M10/54", True), ("B09B3/00 304H", False)]
    fterms = [c.code for c in doc.classes if c.scheme == "FTERM"]
    assert (len(fterms), fterms[0], fterms[-1]) == (18, "4D004AA23", "5H031RR02")
    assert doc.citations == []


def test_wafer_processing():
    doc = read("JP2021044377A.xml")
    assert doc.pub_key == "JP-2021044377-A"
    assert (doc.publication_date, doc.application_number, doc.application_date) == (
        "2021-03-18",
        "2019165329",
        "2019-09-11",
    )
    assert doc.priority_date is None
    assert doc.title == "ウェーハの加工方法"
    assert doc.abstract.startswith("【課題】品質を低下させることなくデバイスチップを形成する。")
    assert doc.claim_count == 6
    assert doc.first_claim.startswith(
        "複数のデバイスが、分割予定ラインによって区画された表面の各領域に形成されたウェーハを"
    )
    assert doc.first_claim.endswith("を備えることを特徴とするウェーハの加工方法。")
    applicant = doc.parties[0]
    assert (applicant.name, applicant.country, applicant.state, applicant.city) == (
        "株式会社ディスコ",
        "JP",
        "東京都",
        "大田区",
    )
    assert applicant.address == "東京都大田区大森北二丁目１３番１１号"
    inventors = [p for p in doc.parties if p.role == "inventor"]
    assert len(inventors) == 10
    harada = inventors[0]
    assert (harada.name, harada.last_name, harada.first_name) == ("原田 成規", "原田", "成規")
    assert (harada.country, harada.city, harada.is_organization) == ("JP", "大田区", False)
    assert harada.address == "東京都大田区大森北二丁目１３番１１号 株式会社ディスコ内"
    first_ipc = doc.classes[0]
    assert (first_ipc.scheme, first_ipc.code, first_ipc.main) == ("IPC", "H01L 21/301", True)
    assert [c.code for c in doc.classes if c.scheme == "FI"][:2] == ["H01L21/78 M", "H01L21/78 B"]
    assert [(c.kind, c.country, c.number, c.text) for c in doc.citations] == [
        ("patent", "JP", "6151557", "特許第６１５１５５７号公報"),
        ("patent", "JP", "3076179", "特許第３０７６１７９号公報"),
    ]


def test_translated_pct_application():
    doc = read("JP2021509175A.xml")
    # kind-of-jp "T" (公表), ST.16 kind "A".
    assert (doc.pub_key, doc.kind) == ("JP-2021509175-A", "A")
    assert (doc.publication_date, doc.application_number, doc.application_date) == (
        "2021-03-18",
        "2020536678",
        "2018-12-27",
    )
    assert doc.priority_date == "2018-01-03"
    assert (
        doc.title == "着脱式体積測定装置、これを含む組織拡張装置及びこれを利用した胸の体積測定方法"
    )
    assert doc.abstract.startswith(
        "本発明は着脱式体積測定装置およびこれを含む組織拡張装置に関することで"
    )
    assert doc.claim_count == 20
    assert doc.first_claim.startswith(
        "ドームの内部に陰圧を発生させる吸引器を含む組織拡張装置に装着される体積測定装置として、"
    )
    applicant = doc.parties[0]
    assert (applicant.name, applicant.country, applicant.is_organization) == (
        "シージー バイオ カンパニー，リミテッド",
        "KR",
        True,
    )
    kim = next(p for p in doc.parties if p.role == "inventor")
    assert (kim.name, kim.country) == ("キム インホ", "KR")
    assert kim.address.startswith("大韓民国 １７８０９ キョンギ−ド ピョンテク−シ")
    assert (doc.classes[0].code, doc.classes[0].main) == ("G01F 17/00", True)
    assert [c.code for c in doc.classes if c.scheme == "FI" and c.main] == ["G01F17/00 C"]


@pytest.mark.parametrize("name", FILES)
@pytest.mark.parametrize(
    "encoding, declaration",
    [
        ("cp932", None),
        ("euc_jp", None),
        ("cp932", "Shift_JIS"),
        ("euc_jp", "EUC-JP"),
        ("utf-8-sig", None),
    ],
)
def test_legacy_encodings_read_the_same(name, encoding, declaration):
    text = (JPO / name).read_text(encoding="utf-8")
    if declaration:
        text = f'<?xml version="1.0" encoding="{declaration}"?>\n{text}'
    data = text.encode(encoding)
    if encoding != "utf-8-sig":
        with pytest.raises(UnicodeDecodeError):
            data.decode("utf-8")  # the test bytes really are not UTF-8
    doc = jpo.parse_document(data)
    assert doc.title == read(name).title
    # cp932's own code points for 〜 and − are mapped back: every field is the same.
    assert dataclasses.asdict(doc) == dataclasses.asdict(read(name))


def test_rejects():
    data = (JPO / "JP2021044377A.xml").read_bytes()
    for cut in (len(data) // 2, len(data) // 2 + 1, len(data) // 2 + 2):
        with pytest.raises(Reject) as truncated:
            jpo.parse_document(data[:cut])
        assert truncated.value.reason == "xml.malformed"
    with pytest.raises(Reject) as empty:
        jpo.parse_document(b"")
    assert empty.value.reason == "document.empty"
    with pytest.raises(Reject) as noise:
        jpo.parse_document(bytes((i * 151 + 17) % 256 for i in range(4000)))
    assert noise.value.reason == "encoding.undecodable"
    with pytest.raises(Reject) as uspto:
        jpo.parse_document((USPTO / "ipa061228.sample1.xml").read_bytes())
    assert uspto.value.reason == "xml.unknown_dtd"
    without_number = data.replace(b"<doc-number>2021044377</doc-number>", b"")
    with pytest.raises(Reject) as no_number:
        jpo.parse_document(without_number)
    assert no_number.value.reason == "document.no_number"
