"""Helpers every patent XML reader shares: safe parsing, text, dates, numbers, class codes."""

from __future__ import annotations

import re
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


def text_of(element: etree._Element | None) -> str | None:
    """All text below an element (tags dropped, tails kept), whitespace-normalised."""
    if element is None:
        return None
    return norm_ws(" ".join(element.itertext()))


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
