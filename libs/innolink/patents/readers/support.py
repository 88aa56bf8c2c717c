"""Helpers the EPO, JPO and CNIPA readers share on top of common.py: lenient parsing of
complete documents, class lists without duplicates, claim summaries."""

from __future__ import annotations

import re
from collections.abc import Iterable

from lxml import etree

from innolink.patents.document import PatentClass, Reject
from innolink.patents.readers.common import parse_xml

# A bare "&" that starts no entity or character reference.
_BARE_AMP = re.compile(rb"&(?!#[0-9]+;|#x[0-9A-Fa-f]+;|[A-Za-z_][\w.\-]*;)")
# A "<" that opens no tag: a name follows, but the next "<" comes before any ">"
# ("<First Embodiment</heading>" in hand-edited EPO files).
_STRAY_LT = re.compile(rb"<(?=[A-Za-z_][^<>]*<)")
_TAIL_JUNK = re.compile(rb"(?:\s|<!--.*?-->|<\?.*?\?>)*\Z", re.S)


def local_name(element: etree._Element) -> str:
    """The tag without its namespace; "" for comments and processing instructions."""
    tag = element.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1]


def parse_complete(data: bytes, roots: Iterable[str]) -> etree._Element:
    """The root element of a document whose root local name is one of `roots`.

    Well-formed input is parsed strictly. Some published copies were hand-edited and carry a
    bare "&" or "<" in text; a document that still ends with its root's closing tag is
    repaired (those two characters escaped), and if even that fails it is parsed in libxml2's
    recover mode. A document cut short is never recovered: Reject("xml.malformed").
    Wrong root: Reject("xml.unknown_dtd").
    """
    roots = tuple(roots)
    try:
        root = parse_xml(data)
    except Reject as exc:
        if exc.reason != "xml.malformed" or not _ends_with_root(data, roots):
            raise
        repaired = _STRAY_LT.sub(b"&lt;", _BARE_AMP.sub(b"&amp;", data))
        try:
            root = parse_xml(repaired)
        except Reject:
            root = parse_xml(repaired, recover=True)
    if local_name(root) not in roots:
        raise Reject("xml.unknown_dtd", f"root element {root.tag!r}")
    return root


def _ends_with_root(data: bytes, roots: tuple[str, ...]) -> bool:
    tail = data[-2048:]
    junk = _TAIL_JUNK.search(tail)
    body = tail[: junk.start()] if junk else tail
    return any(
        re.search(rb"</(?:[\w.\-]+:)?" + re.escape(name.encode()) + rb"\s*>\Z", body)
        for name in roots
    )


class ClassList:
    """Classes of one document in order, one row per (scheme, code): the table's key.

    A code listed twice (EPO lists an IPC once as inventive and once as additional) keeps
    its first position and is main if either listing is."""

    def __init__(self) -> None:
        self.classes: list[PatentClass] = []
        self._seen: dict[tuple[str, str], PatentClass] = {}

    def add(self, scheme: str, code: str | None, main: bool) -> None:
        if not code:
            return
        known = self._seen.get((scheme, code))
        if known is not None:
            known.main = known.main or main
            return
        sequence = 1 + sum(1 for c in self.classes if c.scheme == scheme)
        cls = PatentClass(scheme=scheme, code=code, main=main, sequence=sequence)
        self.classes.append(cls)
        self._seen[(scheme, code)] = cls


def claim_fields(texts: Iterable[str | None]) -> tuple[str | None, str | None, int | None]:
    """(claims joined with "\\n", first claim, claim count) from the texts of the claims."""
    kept = [t for t in texts if t]
    if not kept:
        return None, None, None
    return "\n".join(kept), kept[0], len(kept)


def doc_type_of(kind: str) -> str | None:
    """Document type from a kind code of EP, JP or CN: A* published applications, B* and
    C* granted invention patents, S* designs; utility models (U, Y) have no type here."""
    head = kind[:1].upper()
    if head == "A":
        return "application"
    if head in ("B", "C"):
        return "utility"
    if head == "S":
        return "design"
    return None
