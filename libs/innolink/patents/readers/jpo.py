"""JPO gazette XML (`jp-official-gazette`) -> PatentDoc.

The office publishes these files in EUC-JP or Shift_JIS; copies are often UTF-8 without a
declaration. cjk.decode_xml reads all three (Reject "encoding.undecodable" otherwise).

What is read, from `bibliographic-data` unless said otherwise:
- publication number and date (publication-reference), kind from the root's `kind-of-st16`
  (WIPO ST.16: a 公表 "T" gazette is an "A" publication), application number and date,
  earliest priority claim;
- 発明の名称 (invention-title), 要約 (abstract, or its correction when the gazette has one),
  特許請求の範囲 (claims) and the description length. A written amendment filed before
  publication that replaces the claims or the description in full (手続補正書, item 全文)
  supersedes the text as filed: the gazette's number-of-claims counts the amended claims;
- 出願人 applicants and 発明者 inventors with the address as written; the country comes from
  the address (its country, prefecture or province), else from the English addressbook;
  prefecture and municipality of Japanese addresses;
- IPC (main-clsf is main), FI (classification-national, as published), F-terms;
- the patent and non-patent literature of the description's citation list.
"""

from __future__ import annotations

import re
import unicodedata

from lxml import etree

from innolink.patents.document import Citation, Party, PatentDoc, Reject
from innolink.patents.readers.cjk import (
    cjk_text,
    country_of_address,
    country_of_english_address,
    decode_xml,
    is_organization_name,
    jp_region_city,
)
from innolink.patents.readers.common import earliest, ipc_code, iso_date, norm_ws, strip_number
from innolink.patents.readers.support import (
    ClassList,
    claim_fields,
    doc_type_of,
    local_name,
    parse_complete,
)

SOURCE_FORMAT = "jpo-xml"
_ROOT = "jp-official-gazette"
_JP = "http://www.jpo.go.jp"
_NS = {"jp": _JP}
_FULL_TEXT = "全文"
# Publication-type words around a number ("特開2021-044249", "特許第6151557号").
_NUMBER_WORDS = re.compile(r"^[^\dA-Z]+|[^\dA-Z]+$")
_JP_CITED = re.compile(r"^(?:特開|特表|特許|特公|実開|実登|実公|再表|再公表|意匠登録)")
_CITED_NUMBER = re.compile(r"\d[\d,/\-]*\d|\d")
_NAME_SEPARATOR = re.compile(r"[ 、,，]")


def parse_document(doc: bytes) -> PatentDoc:
    """One JPO gazette; Reject when it cannot be used."""
    if not doc.strip():
        raise Reject("document.empty")
    root = parse_complete(decode_xml(doc), (_ROOT,))
    bib = root.find("bibliographic-data")
    if bib is None:
        raise Reject("document.no_bibliographic_data", _ROOT)
    pub = bib.find("publication-reference/document-id")
    number = _number(_text(pub, "doc-number"))
    if not number:
        raise Reject("document.no_number", "publication-reference has no doc-number")
    kind = (norm_ws(root.get("kind-of-st16")) or norm_ws(root.get("kind-of-jp")) or "").upper()
    if not kind:
        raise Reject("document.no_kind", f"JP {number}")
    lang = (norm_ws(root.get("lang")) or "ja").lower()

    title_el = bib.find("invention-title")
    abstract_el = _abstract(root)
    claims_el = _replaced(root, "claims")
    if claims_el is None:
        claims_el = root.find("claims")
    description_el = _replaced(root, "description")
    if description_el is None:
        description_el = root.find("description")
    claims, first_claim, claim_count = claim_fields(
        cjk_text(c) for c in (claims_el.findall("claim") if claims_el is not None else ())
    )
    description = cjk_text(description_el)
    title = cjk_text(title_el)
    abstract = cjk_text(abstract_el)
    app = bib.find("application-reference/document-id")

    return PatentDoc(
        office="JP",
        doc_number=number,
        kind=kind,
        source_format=SOURCE_FORMAT,
        dtd=f"{_ROOT} v{root.get('dtd-version')}" if root.get("dtd-version") else _ROOT,
        doc_type=doc_type_of(kind),
        application_number=_text(app, "doc-number"),
        application_date=iso_date(_text(app, "date")),
        publication_date=iso_date(_text(pub, "date")),
        priority_date=earliest(
            iso_date(_text(p, "date")) for p in bib.findall("priority-claims/priority-claim")
        ),
        title=title,
        title_lang=_lang(title_el, lang) if title else None,
        abstract=abstract,
        abstract_lang=_lang(abstract_el, lang) if abstract else None,
        claims=claims,
        claims_lang=_lang(claims_el, lang) if claims else None,
        first_claim=first_claim,
        claim_count=claim_count,
        description_length=len(description) if description else None,
        parties=_parties(bib),
        classes=_classes(bib),
        citations=_citations(description_el),
    )


def _text(parent: etree._Element | None, path: str) -> str | None:
    if parent is None:
        return None
    element = parent.find(path, _NS)
    return norm_ws("".join(element.itertext())) if element is not None else None


def _number(value: str | None) -> str | None:
    if not value:
        return None
    return strip_number(_NUMBER_WORDS.sub("", unicodedata.normalize("NFKC", value)))


def _lang(element: etree._Element | None, default: str) -> str:
    return ((element.get("lang") if element is not None else None) or default).lower()


def _abstract(root: etree._Element) -> etree._Element | None:
    correction = root.find("jp:abstract-correction", _NS)
    if correction is not None and cjk_text(correction):
        return correction
    return root.find("abstract")


def _replaced(root: etree._Element, part: str) -> etree._Element | None:
    """The `part` ("claims", "description") of the last amendment replacing it in full."""
    latest = None
    for group in root.iterfind(
        "jp:written-amendment-group/jp:written-amendment/jp:amendment-article/jp:amendment-group",
        _NS,
    ):
        if norm_ws(group.findtext("jp:item-of-amendment", "", _NS)) != _FULL_TEXT:
            continue
        for contents in group.iterfind("jp:contents-of-amendment", _NS):
            found = contents.find(part)
            if found is not None:
                latest = found
    return latest


# --- parties ----------------------------------------------------------------------------


def _parties(bib: etree._Element) -> list[Party]:
    parties = []
    parties_el = bib.find("parties")
    if parties_el is None:
        return parties
    for sequence, element in enumerate(parties_el.iter("applicant"), 1):
        party = _party(element, "applicant", sequence)
        if party:
            parties.append(party)
    for sequence, element in enumerate(parties_el.iter("inventor"), 1):
        party = _party(element, "inventor", sequence)
        if party:
            parties.append(party)
    return parties


def _party(element: etree._Element, role: str, sequence: int) -> Party | None:
    books = element.findall("addressbook")
    japanese = next((b for b in books if (b.get("lang") or "ja").lower() == "ja"), None)
    english = next((b for b in books if (b.get("lang") or "").lower() == "en"), None)
    named = next((b for b in (japanese, english) if b is not None and _text(b, "name")), None)
    if named is None:
        return None
    name = _text(named, "name")
    address = _text(japanese, "address") if japanese is not None else None
    english_address = _text(english, "address") if english is not None else None
    written_country = next(
        (c for b in (japanese, english) if b is not None for c in _country_codes(b)), None
    )
    country = (
        written_country
        or country_of_address(address)
        or country_of_english_address(english_address)
    )
    state, city = jp_region_city(address) if country == "JP" else (None, None)
    organization = role != "inventor" and is_organization_name(name)
    first = last = None
    if not organization:
        parts = _NAME_SEPARATOR.split(name, maxsplit=1)
        if len(parts) == 2 and all(p.strip() for p in parts):
            last, first = (p.strip() for p in parts)
    return Party(
        role=role,
        sequence=sequence,
        name=name,
        is_organization=organization,
        first_name=first,
        last_name=last,
        city=city,
        state=state,
        country=country,
        address=address or english_address,
        lang="ja" if named is japanese else "en",
    )


def _country_codes(book: etree._Element) -> list[str]:
    codes = [norm_ws(c.text) for c in book.iter("country")]
    return [c.upper() for c in codes if c and re.fullmatch(r"[A-Za-z]{2}", c)]


# --- classes and citations --------------------------------------------------------------


def _classes(bib: etree._Element):
    found = ClassList()
    ipc = bib.find("classification-ipc")
    for element in ipc if ipc is not None else ():
        if local_name(element) in ("main-clsf", "further-clsf"):
            text = unicodedata.normalize("NFKC", "".join(element.itertext()))
            found.add("IPC", ipc_code(text), main=local_name(element) == "main-clsf")
    national = bib.find("classification-national")
    for element in national if national is not None else ():
        if local_name(element) in ("main-clsf", "further-clsf"):
            code = norm_ws(unicodedata.normalize("NFKC", "".join(element.itertext())))
            found.add("FI", code, main=local_name(element) == "main-clsf")
    for element in bib.iterfind("jp:f-term-info/jp:f-term", _NS):
        found.add("FTERM", norm_ws(element.text), main=False)
    return found.classes


def _citations(description: etree._Element | None) -> list[Citation]:
    """The description's citation list (特許文献, 非特許文献): literature the applicant cites."""
    citations: list[Citation] = []
    if description is None:
        return citations
    for element in description.iterfind("citation-list//*"):
        name = local_name(element)
        if name not in ("patcit", "nplcit"):
            continue
        text = cjk_text(element)
        if not text:
            continue
        sequence = len(citations) + 1
        if name == "nplcit":
            citations.append(Citation(sequence, "npl", text=text, category="cited by applicant"))
            continue
        plain = unicodedata.normalize("NFKC", text)
        number = _CITED_NUMBER.search(plain)
        country = "JP" if _JP_CITED.match(plain) else country_of_address(plain)
        citations.append(
            Citation(
                sequence,
                "patent",
                country=country,
                number=number.group(0) if number else None,
                text=text,
                category="cited by applicant",
            )
        )
    return citations
