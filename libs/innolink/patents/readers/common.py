"""Helpers every patent XML reader shares: safe parsing, text, dates, numbers, class codes."""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from datetime import date

from lxml import etree

from innolink.patents.document import Reject

# Never fetch a DTD or schema (USPTO and CNIPA documents reference external ones), never
# expand external entities; huge_tree for the rare multi-hundred-MB sequence document.
_PARSER_OPTIONS = dict(
    resolve_entities=False,
    load_dtd=False,
    no_network=True,
    dtd_validation=False,
    huge_tree=True,
)


def parse_xml(data: bytes, recover: bool = False) -> etree._Element:
    """The root element of one XML document, or Reject("xml.malformed")."""
    if not data.strip():
        raise Reject("document.empty")
    parser = etree.XMLParser(recover=recover, **_PARSER_OPTIONS)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        raise Reject("xml.malformed", str(exc)[:200]) from None
    if root is None:
        raise Reject("xml.malformed", "no root element")
    return root


_WS = re.compile(r"\s+")


def norm_ws(text: str | None) -> str | None:
    """Runs of white space -> one space, stripped; None or empty -> None."""
    if text is None:
        return None
    out = _WS.sub(" ", text).strip()
    return out or None


def iso_date(value: str | None) -> str | None:
    """ "20050104" -> "2005-01-04"; unknown day ("20050100"/"20050000") -> first of month /
    None; anything else -> None."""
    if not value:
        return None
    digits = re.sub(r"\D", "", value)
    if len(digits) != 8:
        return None
    year, month, day = int(digits[:4]), int(digits[4:6]), int(digits[6:8])
    if not 1 <= month <= 12:
        return None
    if day == 0:
        day = 1
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def strip_number(number: str | None) -> str | None:
    """Publication number without separators and leading zeros of its digits:
    "08088102" -> "8088102", "D0651432" -> "D651432", "2005/0004437" -> "20050004437",
    "RE041234" -> "RE41234"."""
    if not number:
        return None
    compact = re.sub(r"[\s/,.\-]", "", number).upper()
    match = re.fullmatch(r"([A-Z]*)(\d+)([A-Z]?)", compact)
    if not match:
        return compact or None
    prefix, digits, suffix = match.groups()
    return f"{prefix}{digits.lstrip('0') or '0'}{suffix}"


_IPC = re.compile(r"^\s*([A-HY])\s*(\d{2})\s*([A-Z])\s*(\d{1,4})\s*/\s*(\d{1,6})")


def ipc_code(section_or_text: str | None, *parts: str | None) -> str | None:
    """IPC/CPC code as "H01M 10/0525" from a text ("A24B   15/18    (2006.01)") or from its
    parts (section, class, subclass, main group, subgroup); None when not a code."""
    if parts:
        if not all(parts[:4]) or not section_or_text:
            return None
        text = f"{section_or_text}{parts[0]}{parts[1]}{parts[2]}/{parts[3]}"
    else:
        text = section_or_text or ""
    match = _IPC.match(text.upper())
    if not match:
        return None
    section, klass, subclass, group, subgroup = match.groups()
    return f"{section}{klass}{subclass} {int(group)}/{subgroup.rstrip() or '00'}"


# Markup inside a run of text: no word break at its boundaries ("H<sub>2</sub>O",
# "claim<claim-ref>1</claim-ref>,"). Every other element is a block and is set off by a
# space, so paragraphs, claim steps and table cells never run together.
_INLINE = frozenset(
    # v4.x and pap
    "b i u o sub sup sub2 sup2 smallcaps bold italic underline superscript subscript highlight"
    " claim-ref claim-reference dependent-claim-reference figref cross-reference crossref"
    # ST.32 (PATDOC)
    " PDAT STEXT PTEXT HIL BOLD ITALIC ULINE SB SP SMCP OL CLREF FGREF".split()
)

# ISO 8879 Greek entity names (ISOgrk1) that the ST.32 and pap documents use (&mgr; = mu);
# the rest of their entities are HTML 5 names (&lsqb;, &deg;, &plusmn;).
_GREEK_NAMES = "a b g d e z ee th i k l m n x o p r sf s t u ph kh ps oh".split()
_GREEK = {f"{n}gr": chr(0x3B1 + i) for i, n in enumerate(_GREEK_NAMES)} | {
    f"{n.upper()}gr": chr(0x391 + i) for i, n in enumerate(_GREEK_NAMES) if n != "sf"
}


def _entity_text(name: str) -> str | None:
    return _GREEK.get(name) or html.entities.html5.get(f"{name};")


def resolve_entities(root: etree._Element) -> None:
    """Replace named character entities by their characters.

    The documents declare them in their external DTD, which is never loaded, so lxml keeps
    them as entity nodes; an unknown name stays as written ("&name;")."""
    for entity in list(root.iter(etree.Entity)):
        text = _entity_text(entity.name)
        if text is None:
            continue
        parent = entity.getparent()
        replacement = text + (entity.tail or "")
        previous = entity.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + replacement
        else:
            parent.text = (parent.text or "") + replacement
        parent.remove(entity)


def text_of(element: etree._Element | None, skip: frozenset[str] = frozenset()) -> str | None:
    """Whitespace-normalised text of an element, words of inline markup kept together;
    elements named in `skip` are left out (with their text, not their tail)."""
    if element is None:
        return None
    parts: list[str] = []
    _collect_text(element, parts, skip)
    return norm_ws("".join(parts))


def _collect_text(element: etree._Element, parts: list[str], skip: frozenset[str]) -> None:
    if element.text:
        parts.append(element.text)
    for child in element:
        if isinstance(child.tag, str):
            block = child.tag not in _INLINE
            if block:
                parts.append(" ")
            if child.tag not in skip:
                _collect_text(child, parts, skip)
            if block:
                parts.append(" ")
        elif child.tag is etree.Entity:
            parts.append(child.text or "")
        else:  # comments and processing instructions (<?BRFSUM ...?>) separate blocks
            parts.append(" ")
        if child.tail:
            parts.append(child.tail)


def earliest(dates: Iterable[str | None]) -> str | None:
    """The earliest of ISO dates, ignoring None."""
    return min((d for d in dates if d), default=None)
