"""CNIPA publication XML -> PatentDoc, in both formats the office has used:

- `cn-patent-document` (older full-text files, often with a UTF-8 BOM);
- `business:PatentDocumentAndRelated` (current; elements in the base:/business:
  namespaces, a DOCTYPE naming /DTDS/... and an xsi:schemaLocation, neither ever loaded).

What is read: publication number, kind and date, application number and date, the earliest
priority date (Paris and domestic priority claims), 发明名称 title, 摘要 abstract (without
the deposit data of biological material), 权利要求 claims, the description's length,
申请人 applicants with address, country (the document's code, else the country the address
starts with; a CNIPA address without a country is a Chinese one), province and city, 发明人
inventors (names only: CNIPA publishes no inventor address), and the IPC classes (the first
listed is the main class, as on the gazette's front page).
"""

from __future__ import annotations

import re

from lxml import etree

from innolink.patents.document import Party, PatentDoc, Reject
from innolink.patents.readers.cjk import (
    cjk_text,
    cn_region_city,
    country_of_address,
    is_organization_name,
)
from innolink.patents.readers.common import earliest, ipc_code, iso_date, norm_ws, strip_number
from innolink.patents.readers.support import (
    ClassList,
    claim_fields,
    doc_type_of,
    local_name,
    parse_complete,
)

SOURCE_FORMAT = "cnipa-xml"
_OLD = "cn-patent-document"
_NEW = "PatentDocumentAndRelated"
# Han text naming an administrative level; CNIPA writes foreign addresses from the country
# name on, so an address like this without a country is in China.
_CN_ADDRESS = re.compile(r"[\u4e00-\u9fff]+(?:省|自治区|市|区|县|镇|乡|村|路|街)")


def parse_document(doc: bytes) -> PatentDoc:
    """One CNIPA publication in either format; Reject when it cannot be used."""
    root = parse_complete(doc, (_OLD, _NEW))
    new = local_name(root) == _NEW
    # One set of paths for both formats: the namespaces carry no meaning the names lack.
    for element in root.iter():
        if isinstance(element.tag, str) and "}" in element.tag:
            element.tag = local_name(element)
    return _new(root) if new else _old(root)


def _old(root: etree._Element) -> PatentDoc:
    bib = _required(root.find("cn-bibliographic-data"))
    pub = bib.find("cn-publication-reference/document-id")
    app = bib.find("application-reference/document-id")
    body = root.find("application-body")
    priorities = [_text(p, "date") for p in bib.findall("priority-claims/priority-claim")]
    priorities += [
        _text(d, "date")
        for d in bib.findall("cn-related-documents/cn-domestic-priority-claims//document-id")
    ]
    classes = ClassList()
    for position, element in enumerate(bib.findall("classifications-ipcr/classification-ipcr"), 1):
        classes.add("IPC", ipc_code(_text(element, "text")), main=position == 1)
    parties = []
    for sequence, element in enumerate(bib.findall("cn-parties/cn-applicants/cn-applicant"), 1):
        book = element.find("addressbook")
        parties.append(
            _applicant(sequence, _text(book, "name"), _text(book, "address/text"), None, {})
        )
    for sequence, element in enumerate(bib.findall("cn-parties/cn-inventors/cn-inventor"), 1):
        parties.append(_inventor(sequence, _text(element, "name")))
    return _document(
        root,
        number=_text(pub, "doc-number"),
        kind=_text(pub, "kind"),
        publication_date=_text(pub, "date"),
        application=(_text(app, "doc-number"), _text(app, "date")),
        priorities=priorities,
        dtd=_OLD,
        title=bib.find("invention-title"),
        abstract=bib.find("abstract"),
        claims=body.findall("claims/claim") if body is not None else [],
        description=body.find("description") if body is not None else None,
        parties=parties,
        classes=classes,
    )


def _new(root: etree._Element) -> PatentDoc:
    bib = _required(root.find("BibliographicData"))
    pub = _original(bib, "PublicationReference")
    app = _original(bib, "ApplicationReference")
    classes = ClassList()
    for position, element in enumerate(
        bib.findall("ClassificationIPCRDetails/ClassificationIPCR"), 1
    ):
        parts = [_text(element, n) for n in ("Section", "MainClass", "Subclass", "MainGroup")]
        code = ipc_code(parts[0], *parts[1:], _text(element, "Subgroup"))
        classes.add("IPC", code or ipc_code(_text(element, "Text")), main=position == 1)
    parties = []
    applicants = bib.findall("Parties/ApplicantDetails/Applicant")
    for sequence, element in enumerate(applicants, 1):
        book = element.find("AddressBook")
        address = book.find("Address") if book is not None else None
        fields = {
            name: _value(address, name) for name in ("WIPOST3Code", "Province", "City", "County")
        }
        name = _text(book, "Name") or _text(book, "OrganizationName")
        text = _value(address, "Text")
        parties.append(_applicant(sequence, name, text, fields.get("WIPOST3Code"), fields))
    for sequence, element in enumerate(bib.findall("Parties/InventorDetails/Inventor"), 1):
        parties.append(_inventor(sequence, _text(element, "AddressBook/Name")))
    claims_el = root.find("Claims")
    version = root.get("xsdVersion")
    return _document(
        root,
        number=norm_ws(root.get("docNumber")) or _text(pub, "DocNumber"),
        kind=norm_ws(root.get("kind")) or _text(pub, "Kind"),
        publication_date=norm_ws(root.get("datePublication")) or _text(pub, "Date"),
        application=(_text(app, "DocNumber"), _text(app, "Date")),
        priorities=[_text(p, "Date") for p in bib.findall("PriorityDetails/Priority")],
        dtd=f"business:{_NEW} {version}" if version else f"business:{_NEW}",
        title=bib.find("InventionTitle"),
        abstract=root.find("Abstract"),
        claims=claims_el.findall("Claim") if claims_el is not None else [],
        description=root.find("Description"),
        parties=parties,
        classes=classes,
    )


def _document(
    root: etree._Element,
    *,
    number,
    kind,
    publication_date,
    application,
    priorities,
    dtd,
    title,
    abstract,
    claims,
    description,
    parties,
    classes,
) -> PatentDoc:
    doc_number = strip_number(number)
    if not doc_number:
        raise Reject("document.no_number", "no publication number")
    kind = (kind or "").upper()
    if not kind:
        raise Reject("document.no_kind", f"CN {doc_number}")
    lang = (norm_ws(root.get("lang")) or "zh").lower()
    title_text = cjk_text(title)
    abstract_text = cjk_text(abstract, skip=frozenset({"bio-deposit", "AbstractFigure"}))
    claims_text, first_claim, claim_count = claim_fields(cjk_text(c) for c in claims)
    description_text = cjk_text(description, skip=frozenset({"invention-title", "InventionTitle"}))
    return PatentDoc(
        office="CN",
        doc_number=doc_number,
        kind=kind,
        source_format=SOURCE_FORMAT,
        dtd=dtd,
        doc_type=doc_type_of(kind),
        application_number=application[0],
        application_date=iso_date(application[1]),
        publication_date=iso_date(publication_date),
        priority_date=earliest(iso_date(p) for p in priorities),
        title=title_text,
        title_lang=_lang(title, lang) if title_text else None,
        abstract=abstract_text,
        abstract_lang=_lang(abstract, lang) if abstract_text else None,
        claims=claims_text,
        claims_lang=lang if claims_text else None,
        first_claim=first_claim,
        claim_count=claim_count,
        description_length=len(description_text) if description_text else None,
        parties=[p for p in parties if p is not None],
        classes=classes.classes,
    )


def _required(element: etree._Element | None) -> etree._Element:
    if element is None:
        raise Reject("document.no_bibliographic_data", "cnipa")
    return element


def _text(parent: etree._Element | None, path: str) -> str | None:
    if parent is None:
        return None
    element = parent.find(path)
    return norm_ws("".join(element.itertext())) if element is not None else None


def _value(parent: etree._Element | None, path: str) -> str | None:
    """A field of the current format, where "0" stands for "not given"."""
    value = _text(parent, path)
    return None if value in (None, "0", "00000000") else value


def _original(bib: etree._Element, name: str) -> etree._Element | None:
    """The document-id of the reference as the office wrote it (not its "standard" form)."""
    references = bib.findall(name)
    chosen = next((r for r in references if r.get("dataFormat") == "original"), None)
    if chosen is None and references:
        chosen = references[0]
    return chosen.find("DocumentID") if chosen is not None else None


def _lang(element: etree._Element | None, default: str) -> str:
    value = element.get("lang") if element is not None else None
    return (value or default).lower()


def _applicant(
    sequence: int,
    name: str | None,
    address: str | None,
    written_country: str | None,
    fields: dict[str, str | None],
) -> Party | None:
    if not name:
        return None
    country = (written_country or "").upper() or country_of_address(address)
    if country is None and address and _CN_ADDRESS.search(address):
        country = "CN"
    state = city = None
    if country == "CN":
        state, city = cn_region_city(address)
        state = fields.get("Province") or state
        city = fields.get("City") or city
    organization = is_organization_name(name)
    first, last = (None, None) if organization else _person_parts(name)
    return Party(
        role="applicant",
        sequence=sequence,
        name=name,
        is_organization=organization,
        first_name=first,
        last_name=last,
        city=city,
        state=state,
        country=country,
        address=address,
        lang="zh",
    )


def _inventor(sequence: int, name: str | None) -> Party | None:
    if not name:
        return None
    first, last = _person_parts(name)
    return Party(
        role="inventor",
        sequence=sequence,
        name=name,
        is_organization=False,
        first_name=first,
        last_name=last,
        lang="zh",
    )


def _person_parts(name: str) -> tuple[str | None, str | None]:
    """(given, family) of a transliterated foreign name ("J-P·索玛迪西"); a Chinese name
    has no separator to split on, so (None, None)."""
    given, dot, family = name.rpartition("·")
    if dot and given and family:
        return given, family
    return None, None
