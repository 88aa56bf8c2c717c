"""EPO full-text publications (`ep-patent-document`, DTD v1.0 to v1.5.1) -> PatentDoc.

One document per file, A (applications) and B (granted patents) kinds. What is read:

- number, kind, date and language from the root's `doc-number`, `kind`, `date-publ`, `lang`
  (SDOBI B110/B130/B140 when an attribute is missing); the `id` attribute is not used, it
  holds the application number in most files;
- application number and date (B210/B220), earliest priority date (B300/B320), grant date
  for B kinds (B450, the mention of the grant; a B2 is published later, on `date-publ`);
- title in the publication language and the English one (B540: B541 language, B542 title),
  the abstract, and the claims in the publication language (B documents carry claims in
  de, en and fr), the length of the description text;
- applicants (B711; the proprietors B731 of a granted patent, who hold it in the applicants'
  place) and inventors (B721) with street, city and country;
- IPC from B510 (B511 main, B512/B513 further; "7C 07C 29/44" edition prefix) or B510EP
  (IPCR texts whose position letter F marks the main class), CPC from B520EP;
- the citations of B560: B561 patent documents ("DE-A1- 2 159 042"), B562 literature.
"""

from __future__ import annotations

import re

from lxml import etree

from innolink.patents.document import Citation, Party, PatentDoc, Reject
from innolink.patents.readers.cjk import org_name_latin
from innolink.patents.readers.common import (
    earliest,
    ipc_code,
    iso_date,
    norm_ws,
    strip_number,
    text_of,
)
from innolink.patents.readers.support import (
    ClassList,
    claim_fields,
    doc_type_of,
    parse_complete,
)

SOURCE_FORMAT = "epo-xml"
_ROOT = "ep-patent-document"

_EDITION = re.compile(r"^\s*\d+\s*(?=[A-HY])")
# After an IPCR/CPC text's version date: level A/C (IPC only), then position F (first = main)
# or L: "19680901AFI20050322BHEP", "20130101 LA20210830BHEP".
_POSITION = re.compile(r"\d{8}\s*[AC]?([FL])[A-Z]")
_PATENT_TEXT = re.compile(r"^\s*([A-Z]{2})\s*-\s*([A-Z][0-9]?)\s*-\s*(.+?)\s*$")
_VERSION = re.compile(r"^(?P<name>.*?)-v(?P<version>\d[\d\-]*)$")
_PUBLIC_ID = re.compile(r"EP PATENT DOCUMENT\s+([\d.]+)", re.I)
_CARE_OF = re.compile(r"\s+c/o\s+", re.I)
_TITLE_WORD = re.compile(r"^(?:Dr|Prof|Dipl|Ing|Mag|Ph\.?\s?D|M\.?D|Sir|Dame)\b", re.I)


def parse_document(doc: bytes) -> PatentDoc:
    """One EPO full-text publication; Reject when it cannot be used."""
    root = parse_complete(doc, (_ROOT,))
    sdobi = root.find("SDOBI")
    number = strip_number(norm_ws(root.get("doc-number")) or _text(sdobi, "B100/B110"))
    if not number:
        raise Reject("document.no_number", f"id={root.get('id')!r}")
    kind = (norm_ws(root.get("kind")) or _text(sdobi, "B100/B130") or "").upper()
    if not kind:
        raise Reject("document.no_kind", f"EP {number}")
    lang = (
        norm_ws(root.get("lang"))
        or (sdobi.get("lang") if sdobi is not None else None)
        or _text(sdobi, "B200/B260")
        or ""
    ).lower() or None
    granted = kind.startswith("B")

    titles = _titles(sdobi)
    title_lang = lang if lang in titles else next(iter(titles), None)
    abstract = _in_language(root.findall("abstract"), lang)
    claims_el = _in_language(root.findall("claims"), lang)
    claims, first_claim, claim_count = claim_fields(
        text_of(c) for c in (claims_el.findall("claim") if claims_el is not None else ())
    )
    description = text_of(root.find("description"))

    return PatentDoc(
        office="EP",
        doc_number=number,
        kind=kind,
        source_format=SOURCE_FORMAT,
        dtd=_dtd(root),
        doc_type=doc_type_of(kind),
        application_number=_text(sdobi, "B200/B210"),
        application_date=iso_date(_text(sdobi, "B200/B220/date")),
        publication_date=iso_date(root.get("date-publ"))
        or iso_date(_text(sdobi, "B100/B140/date"))
        or iso_date(_text(sdobi, "B400/B450/date" if granted else "B400/B430/date")),
        grant_date=iso_date(_text(sdobi, "B400/B450/date")) if granted else None,
        priority_date=earliest(
            iso_date(text_of(d))
            for d in (sdobi.findall("B300/B320/date") if sdobi is not None else ())
        ),
        title=titles.get(title_lang) if title_lang else None,
        title_lang=title_lang,
        title_en=titles.get("en"),
        abstract=text_of(abstract),
        abstract_lang=_lang_of(abstract, lang),
        claims=claims,
        claims_lang=_lang_of(claims_el, lang) if claims else None,
        first_claim=first_claim,
        claim_count=claim_count,
        description_length=len(description) if description else None,
        parties=_parties(sdobi),
        classes=_classes(sdobi),
        citations=_citations(sdobi),
    )


def _text(parent: etree._Element | None, path: str) -> str | None:
    return text_of(parent.find(path)) if parent is not None else None


def _dtd(root: etree._Element) -> str:
    version = root.get("dtd-version") or ""
    match = _VERSION.match(version.strip())
    if match:
        return f"{match.group('name')} v{match.group('version').replace('-', '.')}"
    public = _PUBLIC_ID.search(root.getroottree().docinfo.public_id or "")
    return f"{_ROOT} v{public.group(1)}" if public else _ROOT


def _titles(sdobi: etree._Element | None) -> dict[str, str]:
    """B540's titles by language: each B542 follows the B541 naming its language."""
    titles: dict[str, str] = {}
    b540 = sdobi.find("B500/B540") if sdobi is not None else None
    lang = None
    for child in b540 if b540 is not None else ():
        if child.tag == "B541":
            lang = (text_of(child) or "").lower() or None
        elif child.tag == "B542" and lang:
            title = text_of(child)
            if title and lang not in titles:
                titles[lang] = title
    return titles


def _in_language(elements: list[etree._Element], lang: str | None) -> etree._Element | None:
    for element in elements:
        if (element.get("lang") or "").lower() == lang:
            return element
    return elements[0] if elements else None


def _lang_of(element: etree._Element | None, default: str | None) -> str | None:
    if element is None:
        return None
    return (element.get("lang") or "").lower() or default


# --- parties ----------------------------------------------------------------------------


def _parties(sdobi: etree._Element | None) -> list[Party]:
    if sdobi is None:
        return []
    parties = []
    holders = sdobi.findall("B700/B710/B711") + sdobi.findall("B700/B730/B731")
    for sequence, element in enumerate(holders, 1):
        parties.append(_party(element, "applicant", sequence, inventor=False))
    for sequence, element in enumerate(sdobi.findall("B700/B720/B721"), 1):
        parties.append(_party(element, "inventor", sequence, inventor=True))
    return [p for p in parties if p.name]


def _party(element: etree._Element, role: str, sequence: int, inventor: bool) -> Party:
    written = text_of(element.find("snm")) or ""
    # "OHFUCHI, Yoshitaka c/o KABUSHIKI KAISHA YASKAWA DENKI": the c/o part is address.
    written, _, care_of = (p.strip() for p in _split_once(_CARE_OF, written))
    adr = element.find("adr")
    lines = [(text_of(c) or "").rstrip(" ,") for c in adr] if adr is not None else []
    address = ", ".join(x for x in ([f"c/o {care_of}"] if care_of else []) + lines if x)
    organization = not inventor and (org_name_latin(written) or "," not in written)
    first = last = None
    name = written
    if not organization:
        first, last = _person_parts(written)
        if last:
            name = f"{first} {last}" if first else last
    return Party(
        role=role,
        sequence=sequence,
        name=name,
        is_organization=organization,
        first_name=first,
        last_name=last,
        city=_text(adr, "city"),
        state=_text(adr, "state"),
        country=(_text(adr, "ctry") or "").upper() or None,
        address=address or None,
    )


def _split_once(pattern: re.Pattern, text: str) -> tuple[str, str, str]:
    match = pattern.search(text)
    if not match:
        return text, "", ""
    return text[: match.start()], match.group(0), text[match.end() :]


def _person_parts(written: str) -> tuple[str | None, str | None]:
    """(first, last) of an EPO person name: "Surname, Forenames[, Title]", or family name in
    capitals first without a comma ("KAMITANI Hirotaka"); (None, None) when neither."""
    if "," in written:
        last, *rest = (p.strip() for p in written.split(","))
        given = [p for p in rest if p and not _TITLE_WORD.match(p)]
        return (" ".join(given) or None), (last or None)
    words = written.split()
    caps = 0
    while caps < len(words) and words[caps].isupper() and len(words[caps]) > 1:
        caps += 1
    if 0 < caps < len(words) and not any(w.isupper() for w in words[caps:]):
        return " ".join(words[caps:]), " ".join(words[:caps])
    return None, None


# --- classes and citations --------------------------------------------------------------


def _classes(sdobi: etree._Element | None):
    found = ClassList()
    if sdobi is None:
        return found.classes
    b510 = sdobi.find("B500/B510")
    for child in b510 if b510 is not None else ():
        if child.tag in ("B511", "B512", "B513"):
            code = ipc_code(_EDITION.sub("", text_of(child) or ""))
            found.add("IPC", code, main=child.tag == "B511")
    for scheme, path in (
        ("IPC", "B500/B510EP/classification-ipcr"),
        ("CPC", "B500/B520EP/classifications-cpc/classification-cpc"),
    ):
        for position, element in enumerate(sdobi.findall(path), 1):
            text = text_of(element.find("text")) or text_of(element) or ""
            flag = _POSITION.search(text)
            # Old IPC texts ("B05B 7/ 00 A I") have no position: the first one is main.
            main = flag.group(1) == "F" if flag else position == 1
            found.add(scheme, ipc_code(text), main)
    return found.classes


def _citations(sdobi: etree._Element | None) -> list[Citation]:
    b560 = sdobi.find("B500/B560") if sdobi is not None else None
    citations: list[Citation] = []
    for child in b560 if b560 is not None else ():
        if child.tag == "B561":
            citations.append(_patent_citation(child, len(citations) + 1))
        elif child.tag == "B562":
            text = text_of(child.find("text")) or text_of(child)
            if text:
                citations.append(Citation(sequence=len(citations) + 1, kind="npl", text=text))
    return citations


def _patent_citation(element: etree._Element, sequence: int) -> Citation:
    dnum = element.find("dnum")
    if dnum is not None and dnum.find("pnum") is not None:
        pnum = text_of(dnum.find("pnum")) or ""
        country = pnum[:2] if re.match(r"[A-Z]{2}\d", pnum) else _text(element, "ctry")
        return Citation(
            sequence=sequence,
            kind="patent",
            country=country,
            number=pnum[2:] if country and pnum.startswith(country) else pnum or None,
            cited_kind=_text(element, "kind"),
            date=iso_date(_text(element, "date")),
            name=_text(element, "snm"),
            text=text_of(element),
        )
    text = text_of(element.find("text")) or text_of(element)
    match = _PATENT_TEXT.match(text or "")
    if not match:
        return Citation(sequence=sequence, kind="patent", text=text)
    country, kind, number = match.groups()
    # EPO typesets numbers in groups of three ("2 159 042"); the spaces are not the number.
    return Citation(
        sequence=sequence,
        kind="patent",
        country=country,
        number=number.replace(" ", ""),
        cited_kind=kind,
        text=text,
    )
