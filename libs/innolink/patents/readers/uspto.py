"""USPTO full-text publications -> PatentDoc: every XML generation since 2001, and APS text.

Generations (root element, how the version is found, years):
- `PATDOC` (ST.32 "SGML-like" XML, DTD attribute 2.4/2.5): grants 2001-2004.
- `patent-application-publication` (pap DTD v1.5/v1.6 in the DOCTYPE): applications 2001-2004.
- `us-patent-grant` / `us-patent-application` (dtd-version attribute, v4.0 on): 2005 on.
- `sequence-cwu`: DNA sequence listings shipped inside the weekly files; not publications.
- APS "greenbook" fixed-field text (`PATN` records): grants 1976-2001, see `parse_aps`.

The weekly files (ipgYYMMDD, ipaYYMMDD, pgYYMMDD, paYYMMDD) are many `<?xml` documents
concatenated; `split_documents` cuts them without parsing, `parse_document` reads one.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterable, Iterator

from lxml import etree

from innolink.patents.document import Citation, Party, PatentClass, PatentDoc, Reject
from innolink.patents.readers.common import (
    earliest,
    ipc_code,
    iso_date,
    norm_ws,
    parse_xml,
    resolve_entities,
    strip_number,
    text_of,
)

SOURCE_FORMAT = "uspto-xml"
APS_SOURCE_FORMAT = "uspto-aps"
OFFICE = "US"

# ---------------------------------------------------------------------------------------
# Splitting a weekly file
# ---------------------------------------------------------------------------------------

# A declaration must be followed by white space, so `<?xml-stylesheet` inside a document
# does not start a new one.
_DECLARATION = re.compile(rb"<\?xml\s")
# Anything but white space or a UTF-8 byte order mark.
_CONTENT = re.compile(rb"[^\s\xef\xbb\xbf]")


def split_documents(data: bytes) -> Iterator[tuple[int, bytes]]:
    """(byte offset, bytes) of each document of a concatenated file, in order.

    Non-blank content before the first declaration is yielded too (offset 0), so the caller
    rejects it instead of losing it; a file without any declaration is one document."""
    starts = (m.start() for m in _DECLARATION.finditer(data))
    start = next(starts, None)
    head_end = len(data) if start is None else start
    if _CONTENT.search(data, 0, head_end):
        yield 0, data[:head_end]
    while start is not None:
        following = next(starts, None)
        yield start, data[start : len(data) if following is None else following]
        start = following


# ---------------------------------------------------------------------------------------
# One XML document
# ---------------------------------------------------------------------------------------


# Sequence listings run to hundreds of MB: recognised from their head, never parsed.
_HEAD_BYTES = 4096
_SEQUENCE_LISTING = re.compile(rb"<(?:!DOCTYPE\s+)?sequence-cwu[\s>\[]")
_HEAD_NUMBER = re.compile(rb"<doc-number>\s*([^<\s]+)")


def parse_document(doc: bytes) -> PatentDoc:
    """The publication in one XML document, or Reject for one that cannot be used."""
    if _SEQUENCE_LISTING.search(doc, 0, _HEAD_BYTES):
        raise Reject("document.sequence_listing", _head_number(doc))
    root = parse_xml(doc)
    if root.tag == "sequence-cwu":
        raise Reject("document.sequence_listing", _head_number(doc))
    parse = _GENERATIONS.get(root.tag)
    if parse is None:
        raise Reject("xml.unknown_dtd", str(root.tag)[:100])
    resolve_entities(root)
    return parse(root)


def _head_number(doc: bytes) -> str:
    """The number of the grant a sequence listing belongs to, for the reject's detail."""
    match = _HEAD_NUMBER.search(doc, 0, _HEAD_BYTES)
    return f"of {match.group(1).decode('ascii', 'replace')}" if match else ""


# ---------------------------------------------------------------------------------------
# Text
# ---------------------------------------------------------------------------------------


def _text(element: etree._Element | None, path: str) -> str | None:
    return text_of(element.find(path)) if element is not None else None


def _join(*parts: str | None) -> str | None:
    return norm_ws(" ".join(p for p in parts if p)) or None


# Headings of an abstract ("Abstract of Disclosure") label it; they are not its text.
_ABSTRACT_HEADINGS = frozenset({"heading", "H"})

# pap claims set the number in bold right before the text: "<bold>1.</bold>A method".
_CLAIM_LABEL = re.compile(r"^(\d+\.)(?=[^\s\d.])")


def _claim_text(claim: etree._Element) -> str | None:
    text = text_of(claim)
    return _CLAIM_LABEL.sub(r"\1 ", text) if text else None


def _texts(
    title: str | None,
    abstract: etree._Element | None,
    claims: list[etree._Element],
    description: etree._Element | None,
    lang: str = "en",
) -> dict:
    """The text fields of a PatentDoc from the title and the abstract/claims/description."""
    return _text_fields(
        title,
        text_of(abstract, _ABSTRACT_HEADINGS),
        [t for t in (_claim_text(c) for c in claims) if t],
        text_of(description),
        lang,
    )


def _text_fields(
    title: str | None,
    abstract_text: str | None,
    claim_texts: list[str],
    description_text: str | None,
    lang: str = "en",
) -> dict:
    return {
        "title": title,
        "title_lang": lang if title else None,
        "title_en": title if lang == "en" else None,
        "abstract": abstract_text,
        "abstract_lang": lang if abstract_text else None,
        "claims": "\n".join(claim_texts) or None,
        "claims_lang": lang if claim_texts else None,
        "first_claim": claim_texts[0] if claim_texts else None,
        "claim_count": len(claim_texts) or None,
        "description_length": len(description_text) if description_text else None,
    }


def _lang(root: etree._Element) -> str:
    lang = (root.get("lang") or "en").strip().lower()
    return lang if re.fullmatch(r"[a-z]{2}", lang) else "en"


# ---------------------------------------------------------------------------------------
# Class codes
# ---------------------------------------------------------------------------------------


def _fixed_field(value: str | None) -> str | None:
    """A fixed-width field as published; a pretty-printed copy (value on its own indented
    line) has lost its column padding, so only then is it stripped."""
    if value is None:
        return None
    value = value.strip() if "\n" in value else value.rstrip()
    return value or None


def uspc_code(value: str | None) -> str | None:
    """US class as published, from the fixed-width field (class in 3 columns, subclass in
    3, then a decimal or letter extension): "12340612" -> "123/406.12", "D 9434" ->
    "D9/434", " 68181 R" -> "68/181R", "002227000" -> "2/227", "  2 52" -> "2/52"."""
    value = _fixed_field(value)
    if not value or "-" in value:  # "280 87041- 87043" is a search range, not a class
        return None
    value = value.rjust(6)
    klass, rest = value[:3].replace(" ", ""), value[3:]
    if "." in rest:  # APS cross-references already carry the point: "224 42.03R"
        subclass, extension = rest.strip().split(".", 1)
        extension = "." + extension.replace(" ", "")
    else:
        subclass, extension = rest[:3].strip(), rest[3:].replace(" ", "")
        if extension.isdigit():
            extension = extension.rstrip("0")
            extension = f".{extension}" if extension else ""
    klass = _no_leading_zeros(klass)
    subclass = _no_leading_zeros(subclass)
    if not klass or not subclass:
        return None
    return f"{klass}/{subclass}{extension}"


def _no_leading_zeros(part: str) -> str:
    match = re.fullmatch(r"([A-Z]*)\s*0*(\d+)", part.strip())
    return f"{match.group(1)}{match.group(2)}" if match else part.strip()


def ipc_fixed(value: str | None) -> str | None:
    """IPC code from "A41D001/06" or the fixed-width form ("A45F  504" -> "A45F 5/04":
    subclass in 4 columns, main group in 3, subgroup after)."""
    value = _fixed_field(value)
    if not value:
        return None
    code = ipc_code(value)
    if code:
        return code
    match = re.fullmatch(r"([A-HY]\d\d[A-Z])([\d ]+)", value)
    if not match:
        return None
    subclass, rest = match.groups()
    if len(rest) >= 5:
        group, subgroup = rest[:3], rest[3:]
    else:  # padding lost: a subgroup has at least two digits
        digits = rest.replace(" ", "")
        group, subgroup = digits[:-2], digits[-2:]
    if not group.strip():
        return None
    return ipc_code(f"{subclass}{group.strip()}/{subgroup.strip()}")


def locarno_code(value: str | None) -> str | None:
    """Locarno class from its four digits: "1216" -> "12-16"."""
    digits = re.sub(r"\D", "", value or "")
    return f"{digits[:2]}-{digits[2:4]}" if len(digits) == 4 else None


def _classes(entries: Iterable[tuple[str, str | None, bool]]) -> list[PatentClass]:
    """PatentClass rows from (scheme, code, main) in document order: unparseable codes
    dropped, one row per scheme and code (a main mention wins), sequence per scheme."""
    rows: dict[tuple[str, str], PatentClass] = {}
    counts: dict[str, int] = {}
    for scheme, code, main in entries:
        if not code:
            continue
        existing = rows.get((scheme, code))
        if existing is not None:
            existing.main = existing.main or main
            continue
        counts[scheme] = counts.get(scheme, 0) + 1
        rows[(scheme, code)] = PatentClass(scheme, code, main, counts[scheme])
    return list(rows.values())


# ---------------------------------------------------------------------------------------
# Parties
# ---------------------------------------------------------------------------------------


def _country(value: str | None) -> str | None:
    value = (value or "").strip().upper()
    return value if re.fullmatch(r"[A-Z]{2}", value) else None


def _party(
    role: str,
    *,
    org: str | None = None,
    first: str | None = None,
    last: str | None = None,
    suffix: str | None = None,
    city: str | None = None,
    state: str | None = None,
    country: str | None = None,
    address: str | None = None,
) -> Party | None:
    """A party (sequence set later), or None when it has no name."""
    if org:
        return Party(role, 0, org, True, city=city, state=state, country=country, address=address)
    name = _join(first, last, suffix)
    if not name:
        return None
    return Party(
        role,
        0,
        name,
        False,
        first_name=first,
        last_name=last,
        city=city,
        state=state,
        country=country,
        address=address,
    )


def _numbered(parties: Iterable[Party | None]) -> list[Party]:
    """Parties with their 1-based sequence within their role, in document order."""
    out: list[Party] = []
    counts: dict[str, int] = {}
    for party in parties:
        if party is None:
            continue
        counts[party.role] = counts.get(party.role, 0) + 1
        party.sequence = counts[party.role]
        out.append(party)
    return out


# ---------------------------------------------------------------------------------------
# Shared assembly
# ---------------------------------------------------------------------------------------


def _doc_type_of(number: str, kind: str) -> str:
    """Grant type when the document does not name it, from the number prefix or kind."""
    prefix = re.match(r"[A-Z]*", number).group()
    by_prefix = {"D": "design", "PP": "plant", "RE": "reissue", "H": "sir"}
    if prefix in by_prefix:
        return by_prefix[prefix]
    by_kind = {"S": "design", "P": "plant", "E": "reissue", "H": "sir"}
    return by_kind.get(kind[:1], "utility")


def _make_doc(number: str | None, kind: str | None, dtd: str, **fields) -> PatentDoc:
    doc_number = strip_number(number)
    if not doc_number:
        raise Reject("document.no_number", dtd)
    kind = norm_ws(kind)
    if not kind:
        raise Reject("document.no_kind", f"{dtd} {doc_number}")
    return PatentDoc(
        office=OFFICE,
        doc_number=doc_number,
        kind=kind.upper(),
        source_format=fields.pop("source_format", SOURCE_FORMAT),
        dtd=dtd,
        **fields,
    )


def _compact_number(value: str | None) -> str | None:
    """An application number as written, without separators ("09/342,866" -> "09342866")."""
    return re.sub(r"[\s/,.\-]", "", value or "") or None


# ---------------------------------------------------------------------------------------
# v4.x: us-patent-grant / us-patent-application (2005 on)
# ---------------------------------------------------------------------------------------


def _v4_version(root: etree._Element) -> str | None:
    """The version from dtd-version ("v4.2 2006-08-23", "v40 2004-12-02" -> "v4.2", "v4.0")
    or else from the DOCTYPE's file name."""
    candidates = [root.get("dtd-version") or "", root.getroottree().docinfo.system_url or ""]
    for text in candidates:
        match = re.search(r"v(\d)\.?(\d+)", text)
        if match:
            return f"v{match.group(1)}.{match.group(2)}"
    return None


def _parse_v4(root: etree._Element) -> PatentDoc:
    grant = root.tag == "us-patent-grant"
    bib = root.find("us-bibliographic-data-grant" if grant else "us-bibliographic-data-application")
    version = _v4_version(root)
    dtd = f"{root.tag} {version}" if version else root.tag
    if bib is None:
        raise Reject("document.no_bibliographic_data", dtd)
    pub = bib.find("publication-reference/document-id")
    app = bib.find("application-reference")
    number, kind = _text(pub, "doc-number"), _text(pub, "kind")
    pub_date = iso_date(_text(pub, "date"))
    appl_type = norm_ws(app.get("appl-type")) if app is not None else None
    if not grant:
        doc_type = "application"
    elif appl_type:
        doc_type = appl_type.lower()
    else:
        doc_type = _doc_type_of(strip_number(number) or "", kind or "")
    return _make_doc(
        number,
        kind,
        dtd,
        doc_type=doc_type,
        application_number=_compact_number(_text(app, "document-id/doc-number")),
        application_date=iso_date(_text(app, "document-id/date")),
        publication_date=pub_date,
        grant_date=pub_date if grant else None,
        priority_date=earliest(
            iso_date(_text(p, "date")) for p in bib.iterfind("priority-claims/priority-claim")
        ),
        **_texts(
            _text(bib, "invention-title"),
            root.find("abstract"),
            root.findall("claims/claim"),
            root.find("description"),
            _lang(root),
        ),
        parties=_v4_parties(bib),
        classes=_classes(_v4_classes(bib)),
        citations=_v4_citations(bib),
    )


def _v4_classes(bib: etree._Element) -> Iterator[tuple[str, str | None, bool]]:
    for group, main in (("main-cpc", True), ("further-cpc", False)):
        # direct children only: combination sets are indexing codes, not classes
        for cpc in bib.iterfind(f"classifications-cpc/{group}/classification-cpc"):
            yield "CPC", _parts_code(cpc), main
    for ipcr in bib.iterfind("classifications-ipcr/classification-ipcr"):
        yield "IPC", _parts_code(ipcr), _text(ipcr, "symbol-position") == "F"
    yield from _main_further("IPC", bib.find("classification-ipc"), ipc_fixed)
    yield from _main_further("USPC", bib.find("classification-national"), uspc_code)
    yield from _main_further("LOCARNO", bib.find("classification-locarno"), locarno_code)


def _parts_code(element: etree._Element) -> str | None:
    return ipc_code(
        *(_text(element, tag) for tag in ("section", "class", "subclass", "main-group", "subgroup"))
    )


def _main_further(
    scheme: str, element: etree._Element | None, code: Callable[[str | None], str | None]
) -> Iterator[tuple[str, str | None, bool]]:
    if element is None:
        return
    for child in element:
        if child.tag in ("main-classification", "further-classification"):
            yield scheme, code(child.text), child.tag == "main-classification"


def _v4_parties(bib: etree._Element) -> list[Party]:
    applicants = bib.findall("us-parties/us-applicants/us-applicant") or bib.findall(
        "parties/applicants/applicant"
    )
    inventors = bib.findall("us-parties/inventors/inventor") or bib.findall(
        "parties/inventors/inventor"
    )
    parties = [_addressbook_party("applicant", a) for a in applicants]
    if inventors:
        parties += [_addressbook_party("inventor", i) for i in inventors]
    else:  # before 2012 the inventors are the applicants marked applicant-inventor
        parties += [
            _addressbook_party("inventor", a)
            for a in applicants
            if a.get("app-type") == "applicant-inventor"
        ]
    parties += [_addressbook_party("assignee", a) for a in bib.iterfind("assignees/assignee")]
    return _numbered(parties)


_STREET_TAGS = ("street", "address-1", "address-2", "address-3", "address-4", "address-5")


def _addressbook_party(role: str, holder: etree._Element) -> Party | None:
    book = holder.find("addressbook")
    if book is None:
        book = holder
    address = book.find("address")
    country = _country(_text(address, "country")) or _country(_text(holder, "residence/country"))
    return _party(
        role,
        org=_text(book, "orgname"),
        first=_join(_text(book, "first-name"), _text(book, "middle-name")),
        last=_text(book, "last-name"),
        suffix=_text(book, "suffix"),
        city=_text(address, "city"),
        state=_text(address, "state"),
        country=country,
        address=_full_address(address, _STREET_TAGS),
    )


def _full_address(address: etree._Element | None, street_tags: tuple[str, ...]) -> str | None:
    """All lines of an address, when it has more than city/state/country."""
    if address is None or not any(address.find(t) is not None for t in street_tags):
        return None
    lines = (text_of(child) for child in address if isinstance(child.tag, str))
    return ", ".join(line for line in lines if line) or None


def _v4_citations(bib: etree._Element) -> list[Citation]:
    refs = bib.find("us-references-cited")
    if refs is None:
        refs = bib.find("references-cited")
    if refs is None:
        return []
    out: list[Citation] = []
    for entry in refs:
        citation = _v4_citation(entry, len(out) + 1)
        if citation is not None:
            out.append(citation)
    return out


def _v4_citation(entry: etree._Element, sequence: int) -> Citation | None:
    category = _text(entry, "category")
    patent = entry.find("patcit")
    if patent is not None:
        doc_id = patent.find("document-id")
        return Citation(
            sequence,
            "patent",
            country=_country(_text(doc_id, "country")),
            number=_text(doc_id, "doc-number"),
            cited_kind=_text(doc_id, "kind"),
            date=iso_date(_text(doc_id, "date")),
            name=_text(doc_id, "name"),
            category=category,
        )
    npl = entry.find("nplcit")
    if npl is not None:
        text = _text(npl, "othercit") or text_of(npl)
        return Citation(sequence, "npl", text=text, category=category) if text else None
    return None


# ---------------------------------------------------------------------------------------
# pap v1.x: patent-application-publication (2001-2004)
# ---------------------------------------------------------------------------------------


def _parse_pap(root: etree._Element) -> PatentDoc:
    match = re.search(r"pap-v(\d)(\d)", root.getroottree().docinfo.system_url or "")
    dtd = f"{root.tag} v{match.group(1)}.{match.group(2)}" if match else root.tag
    bib = root.find("subdoc-bibliographic-information")
    if bib is None:
        raise Reject("document.no_bibliographic_data", dtd)
    tech = bib.find("technical-information")
    filing = bib.find("domestic-filing-data")
    return _make_doc(
        _text(bib, "document-id/doc-number"),
        _text(bib, "document-id/kind-code"),
        dtd,
        doc_type="application",
        application_number=_compact_number(_text(filing, "application-number/doc-number")),
        application_date=iso_date(_text(filing, "filing-date")),
        publication_date=iso_date(_text(bib, "document-id/document-date")),
        priority_date=earliest(
            iso_date(_text(p, "filing-date")) for p in bib.iterfind("foreign-priority-data")
        ),
        **_texts(
            _text(tech, "title-of-invention"),
            root.find("subdoc-abstract"),
            root.findall("subdoc-claims/claim"),
            root.find("subdoc-description"),
        ),
        parties=_pap_parties(bib),
        classes=_classes(_pap_classes(tech)),
    )


def _pap_classes(tech: etree._Element | None) -> Iterator[tuple[str, str | None, bool]]:
    if tech is None:
        return
    for path, main in (
        ("classification-ipc-primary", True),
        ("classification-ipc-secondary", False),
    ):
        for ipc in tech.iterfind(f"classification-ipc/{path}/ipc"):
            yield "IPC", ipc_fixed(ipc.text), main
    for path, main in (("classification-us-primary", True), ("classification-us-secondary", False)):
        for uspc in tech.iterfind(f"classification-us/{path}/uspc"):
            klass = (uspc.findtext("class") or "").strip().rjust(3)
            yield "USPC", uspc_code(klass + (uspc.findtext("subclass") or "").strip()), main


def _pap_parties(bib: etree._Element) -> list[Party]:
    inventors = [
        i for i in bib.iterfind("inventors/*") if i.tag in ("first-named-inventor", "inventor")
    ]
    # authority-applicant INV: the inventor files the application himself
    applicants = [i for i in inventors if _text(i, "authority-applicant") == "INV"]
    return _numbered(
        [_pap_person("applicant", a) for a in applicants]
        + [_pap_person("inventor", i) for i in inventors]
        + [_pap_assignee(a) for a in bib.iterfind("assignee")]
    )


def _pap_person(role: str, holder: etree._Element) -> Party | None:
    name = holder.find("name")
    residence = holder.find("residence/residence-us")
    if residence is None:
        residence = holder.find("residence/residence-non-us")
    return _party(
        role,
        first=_join(_text(name, "given-name"), _text(name, "middle-name")),
        last=_text(name, "family-name"),
        suffix=_text(name, "name-suffix"),
        city=_text(residence, "city"),
        state=_text(residence, "state"),
        country=_country(_text(residence, "country-code")),
        address=_pap_address(holder.find("address")),
    )


def _pap_address(address: etree._Element | None) -> str | None:
    if address is None:
        return None
    lines = (
        text_of(child)
        for child in address
        if isinstance(child.tag, str) and child.tag not in ("email", "telephone", "fax")
    )
    return ", ".join(line for line in lines if line) or None


def _pap_assignee(holder: etree._Element) -> Party | None:
    name = holder.find("name")
    address = holder.find("address")
    return _party(
        "assignee",
        org=_text(holder, "organization-name"),
        first=_join(_text(name, "given-name"), _text(name, "middle-name")),
        last=_text(name, "family-name"),
        city=_text(address, "city"),
        state=_text(address, "state"),
        country=_country(_text(address, "country/country-code")),
        address=_pap_address(address),
    )


# ---------------------------------------------------------------------------------------
# ST.32 PATDOC v2.4/v2.5 grants (2001-2004)
# ---------------------------------------------------------------------------------------


def _parse_patdoc(root: etree._Element) -> PatentDoc:
    dtd = f"PATDOC v{root.get('DTD')}" if root.get("DTD") else "PATDOC"
    bib = root.find("SDOBI")
    if bib is None:
        raise Reject("document.no_bibliographic_data", dtd)
    number, kind = _text(bib, "B100/B110"), _text(bib, "B100/B130")
    pub_date = iso_date(_text(bib, "B100/B140"))
    return _make_doc(
        number,
        kind,
        dtd,
        doc_type=_doc_type_of(strip_number(number) or "", kind or ""),
        application_number=_compact_number(_text(bib, "B200/B210")),
        application_date=iso_date(_text(bib, "B200/B220")),
        publication_date=pub_date,
        grant_date=pub_date,
        priority_date=earliest(iso_date(_text(p, "B320")) for p in bib.iterfind("B300")),
        **_texts(
            _text(bib, "B500/B540"),
            root.find("SDOAB"),
            root.findall("SDOCL/CL/CLM"),
            root.find("SDODE"),
        ),
        parties=_patdoc_parties(bib),
        classes=_classes(_patdoc_classes(bib)),
        citations=_patdoc_citations(bib),
    )


def _patdoc_classes(bib: etree._Element) -> Iterator[tuple[str, str | None, bool]]:
    for tag, main in (("B511", True), ("B512", False)):
        for element in bib.iterfind(f"B500/B510/{tag}"):
            value = _fixed_field(element.findtext("PDAT"))
            # design patents carry their Locarno class in the IPC field ("1402")
            if value and re.fullmatch(r"\d{4}", value.strip()):
                yield "LOCARNO", locarno_code(value), main
            else:
                yield "IPC", ipc_fixed(value), main
    for tag, main in (("B521", True), ("B522", False)):
        for element in bib.iterfind(f"B500/B520/{tag}"):
            yield "USPC", uspc_code(element.findtext("PDAT")), main


def _patdoc_parties(bib: etree._Element) -> list[Party]:
    return _numbered(
        [_patdoc_party("inventor", p) for p in bib.iterfind("B700/B720/B721/*")]
        + [_patdoc_party("assignee", p) for p in bib.iterfind("B700/B730/B731/*")]
    )


def _patdoc_party(role: str, party: etree._Element) -> Party | None:
    address = party.find("ADR")
    state = _text(address, "STATE")
    # ST.32 US documents give CTRY only for addresses outside the United States
    country = _country(_text(address, "CTRY")) or ("US" if state else None)
    return _party(
        role,
        org=_text(party, "NAM/ONM"),
        first=_text(party, "NAM/FNM"),
        last=_text(party, "NAM/SNM"),
        suffix=_text(party, "NAM/SFX"),
        city=_text(address, "CITY"),
        state=state,
        country=country,
        address=_full_address(address, ("STR", "OMC", "PBOX")),
    )


_PATDOC_CATEGORIES = {"CITED-BY-EXAMINER": "cited by examiner", "CITED-BY-OTHER": "cited by other"}


def _patdoc_citations(bib: etree._Element) -> list[Citation]:
    out: list[Citation] = []
    for entry in bib.iterfind("B500/B560/*"):
        category = next(
            (_PATDOC_CATEGORIES[c.tag] for c in entry if c.tag in _PATDOC_CATEGORIES), None
        )
        citation = _patdoc_citation(entry, len(out) + 1, category)
        if citation is not None:
            out.append(citation)
    return out


def _patdoc_citation(entry: etree._Element, sequence: int, category: str | None) -> Citation | None:
    if entry.tag == "B561":
        doc = entry.find("PCIT/DOC")
        number = _text(doc, "DNUM")
        if not number:
            return None
        return Citation(
            sequence,
            "patent",
            # a cited document without CTRY is a US patent (ST.32)
            country=_country(_text(doc, "CTRY")) or "US",
            number=number,
            cited_kind=_text(doc, "KIND"),
            date=iso_date(_text(doc, "DATE")),
            name=_text(entry, "PCIT/PARTY-US/NAM"),
            category=category,
        )
    if entry.tag == "B562":
        text = _text(entry, "NCIT")
        return Citation(sequence, "npl", text=text, category=category) if text else None
    return None


_GENERATIONS: dict[str, Callable[[etree._Element], PatentDoc]] = {
    "us-patent-grant": _parse_v4,
    "us-patent-application": _parse_v4,
    "patent-application-publication": _parse_pap,
    "PATDOC": _parse_patdoc,
}


# ---------------------------------------------------------------------------------------
# APS "greenbook" fixed-field text (grants 1976-2001)
# ---------------------------------------------------------------------------------------
# A record starts with a line "PATN"; segments are 4-letter lines (INVT, ASSG, CLAS, UREF,
# ABST, CLMS ...); fields are "TAG  value" with the tag in columns 1-4 and the value from
# column 6; a line starting with blanks continues the previous field.

APS_DTD = "APS greenbook"

# APT (application type) -> (kind, doc_type); APS predates kind codes, these are the
# DOCDB kinds of the same grants.
_APS_TYPES = {
    "1": ("A", "utility"),
    "2": ("E", "reissue"),
    "4": ("S", "design"),
    "6": ("P", "plant"),
    "7": ("H", "sir"),
}
_APS_DESCRIPTION = ("GOVT", "PARN", "BSUM", "DRWD", "DETD")
# weekly APS files open with one "HHHHHT  APS1 ..." line before the first record
_APS_FILE_HEADER = "HHHHHT"

_Segment = tuple[str, list[list[str]]]


def parse_aps(data: bytes) -> Iterator[PatentDoc | Reject]:
    """Every PATN record of an APS file as a PatentDoc, or a Reject in its place."""
    for record in _aps_records(data):
        if isinstance(record, Reject):
            yield record
            continue
        try:
            yield _aps_doc(record)
        except Reject as reject:
            yield reject


def _aps_records(data: bytes) -> Iterator[list[_Segment] | Reject]:
    """The records of a file as segments of [tag, value] fields, line by line; text before
    the first record (other than the file header) comes back as one Reject."""
    segments: list[_Segment] = []
    stray: list[str] = []
    # line by line from the bytes: a weekly APS file is hundreds of MB
    for raw in io.TextIOWrapper(io.BytesIO(data), encoding="latin-1"):
        line = raw.rstrip()
        if line == "PATN":
            if stray:
                yield Reject("aps.no_record", stray[0][:100])
                stray = []
            if segments:
                yield segments
            segments = [("PATN", [])]
        elif segments:
            if line:
                _aps_line(segments, line)
        elif line and not line.startswith(_APS_FILE_HEADER):
            stray.append(line)
    if stray:
        yield Reject("aps.no_record", stray[0][:100])
    if segments:
        yield segments


def _aps_line(segments: list[_Segment], line: str) -> None:
    fields = segments[-1][1]
    if line[0] == " ":
        if fields:
            fields[-1][1] = f"{fields[-1][1]} {line.strip()}"
    elif len(line) == 4 and line.isalpha() and line.isupper():
        segments.append((line, []))
    else:
        fields.append([line[:4].strip(), line[5:].strip()])


def _aps_value(fields: list[list[str]], tag: str) -> str | None:
    return next((norm_ws(v) for t, v in fields if t == tag), None)


def _aps_segments(record: list[_Segment], *names: str) -> list[list[list[str]]]:
    return [fields for name, fields in record if name in names]


def _aps_text(segments: list[list[list[str]]]) -> str | None:
    return norm_ws(" ".join(value for fields in segments for _, value in fields))


def _aps_doc(record: list[_Segment]) -> PatentDoc:
    patn = record[0][1]
    wku = _aps_value(patn, "WKU") or ""
    # the ninth character of WKU is a check digit
    number = wku[:-1] if len(wku) == 9 else wku
    kind, doc_type = _APS_TYPES.get(_aps_value(patn, "APT") or "", (None, None))
    if number and kind is None:
        raise Reject("document.no_kind", f"{APS_DTD} {number} APT={_aps_value(patn, 'APT')}")
    issued = iso_date(_aps_value(patn, "ISD"))
    return _make_doc(
        number,
        kind,
        APS_DTD,
        source_format=APS_SOURCE_FORMAT,
        doc_type=doc_type,
        application_number=_aps_application_number(patn),
        application_date=iso_date(_aps_value(patn, "APD")),
        publication_date=issued,
        grant_date=issued,
        priority_date=earliest(
            iso_date(_aps_value(f, "APD")) for f in _aps_segments(record, "PRIR")
        ),
        **_text_fields(
            _aps_value(patn, "TTL"),
            _aps_text(_aps_segments(record, "ABST")),
            _aps_claims(record),
            _aps_text(_aps_segments(record, *_APS_DESCRIPTION)),
        ),
        parties=_aps_parties(record),
        classes=_classes(_aps_classes(record)),
        citations=_aps_citations(record),
    )


def _aps_application_number(patn: list[list[str]]) -> str | None:
    """Series code + the six-digit serial (APN carries a check digit): "06192529"."""
    apn, series = _aps_value(patn, "APN"), _aps_value(patn, "SRC")
    if not apn:
        return None
    serial = apn[:6] if len(apn) == 7 and apn.isdigit() else apn
    return f"{int(series):02d}{serial}" if series and series.isdigit() else serial


def _aps_claims(record: list[_Segment]) -> list[str]:
    """Claims of CLMS (each starts at a NUM field) and DCLM (a design's single claim)."""
    claims: list[list[str]] = []
    for name, fields in record:
        if name == "DCLM":
            claims.append([v for t, v in fields if t != "STM"])
        elif name == "CLMS":
            for tag, value in fields:
                if tag == "NUM":
                    claims.append([])
                elif tag != "STM" and claims:
                    claims[-1].append(value)
    texts = (norm_ws(" ".join(parts)) for parts in claims)
    return [t for t in texts if t]


def _aps_country(value: str | None) -> str | None:
    """APS writes WIPO ST.3 codes with an X ("JPX"); US addresses carry a state instead."""
    value = (value or "").strip()
    return _country(value[:2] if len(value) == 3 and value.endswith("X") else value)


def _aps_parties(record: list[_Segment]) -> list[Party]:
    return _numbered(
        [_aps_party("inventor", f) for f in _aps_segments(record, "INVT")]
        + [_aps_party("assignee", f) for f in _aps_segments(record, "ASSG")]
    )


def _aps_party(role: str, fields: list[list[str]]) -> Party | None:
    name = _aps_value(fields, "NAM")
    state = _aps_value(fields, "STA")
    country = _aps_country(_aps_value(fields, "CNT")) or ("US" if state else None)
    place = {
        "city": _aps_value(fields, "CTY"),
        "state": state,
        "country": country,
        "address": _aps_address(fields, country),
    }
    if name and ";" in name:  # persons are "Last; First"
        last, first = (norm_ws(p) for p in name.split(";", 1))
        return _party(role, first=first, last=last, **place)
    return _party(role, org=name, **place)


def _aps_address(fields: list[list[str]], country: str | None) -> str | None:
    """The address lines, when the record has a street."""
    if not _aps_value(fields, "STR"):
        return None
    lines = [_aps_value(fields, tag) for tag in ("STR", "CTY", "STA", "ZIP")] + [country]
    return ", ".join(line for line in lines if line)


def _aps_classes(record: list[_Segment]) -> Iterator[tuple[str, str | None, bool]]:
    for fields in _aps_segments(record, "CLAS"):
        for tag, value in fields:
            if tag in ("OCL", "XCL"):
                yield "USPC", uspc_code(value), tag == "OCL"
        # the first ICL is the main one; design grants put their Locarno class there
        icls = [v for t, v in fields if t == "ICL"]
        for position, value in enumerate(icls):
            if re.fullmatch(r"\d{4}", value.strip()):
                yield "LOCARNO", locarno_code(value), position == 0
            else:
                yield "IPC", ipc_fixed(value), position == 0


def _aps_citations(record: list[_Segment]) -> list[Citation]:
    out: list[Citation] = []
    for name, fields in record:
        citation = _aps_citation(name, fields, len(out) + 1)
        if citation is not None:
            out.append(citation)
    return out


def _aps_citation(name: str, fields: list[list[str]], sequence: int) -> Citation | None:
    if name in ("UREF", "FREF") and _aps_value(fields, "PNO"):
        return Citation(
            sequence,
            "patent",
            country="US" if name == "UREF" else _aps_country(_aps_value(fields, "CNT")),
            number=_aps_value(fields, "PNO"),
            date=iso_date(_aps_value(fields, "ISD")),
            name=_aps_value(fields, "NAM"),
        )
    if name == "OREF":
        text = _aps_text([fields])
        return Citation(sequence, "npl", text=text) if text else None
    return None
