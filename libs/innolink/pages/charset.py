"""Bytes of a page -> text: the charset from the HTTP header, then the page, then detection.

Order (the HTML standard's, with one difference): a byte-order mark; the HTTP
`Content-Type` charset; a `<meta charset>` / `<meta http-equiv=Content-Type>` in the first
4 KB (only meta tags: a Wayback Machine page carries `charset="utf-8"` on a script tag before
its real `<meta ... charset=gb2312>`); an XML declaration's encoding (feeds); detection
(uchardet, through Resiliparse). The difference: a declared charset the bytes do not decode
in (a UTF-8 header on a Latin-1 page) is passed over for the next source instead of
producing replacement characters.

Labels are read as browsers read them: GB2312 and GBK as GB18030 (their superset, which
GB2312-labelled pages really use), Shift_JIS as Windows-31J (cp932, with the NEC and IBM
extensions Japanese sites use), Big5 as Big5-HKSCS, Latin-1 and ASCII as Windows-1252.
"""

from __future__ import annotations

import codecs
import re
from functools import lru_cache

from resiliparse.parse.encoding import detect_encoding

# label -> (Python codec, name reported in silver/pages.charset)
_LABELS: dict[str, tuple[str, str]] = {}
for _labels, _codec, _name in (
    ("utf-8 utf8 unicode-1-1-utf-8 unicode11utf8 unicode20utf8 x-unicode20utf8", "utf-8", "utf-8"),
    (
        "shift_jis shift-jis sjis x-sjis ms_kanji ms932 windows-31j cp932 csshiftjis",
        "cp932",
        "shift_jis",
    ),
    ("euc-jp euc_jp eucjp x-euc-jp cseucpkdfmtjapanese", "euc_jp", "euc-jp"),
    ("iso-2022-jp iso2022_jp csiso2022jp", "iso2022_jp", "iso-2022-jp"),
    (
        "gb2312 gb_2312 gb_2312-80 gbk x-gbk cp936 csgb2312 chinese csiso58gb231280 iso-ir-58",
        "gb18030",
        "gbk",
    ),
    ("gb18030", "gb18030", "gb18030"),
    ("big5 big5-hkscs big5hkscs cn-big5 csbig5 x-x-big5", "big5hkscs", "big5"),
    ("euc-kr euc_kr ks_c_5601-1987 windows-949 cp949 korean csksc56011987", "cp949", "euc-kr"),
    (
        "iso-8859-1 iso8859-1 latin1 l1 us-ascii ascii windows-1252 cp1252 x-cp1252",
        "cp1252",
        "windows-1252",
    ),
    ("utf-16le utf-16", "utf-16-le", "utf-16le"),
    ("utf-16be", "utf-16-be", "utf-16be"),
):
    for _label in _labels.split():
        _LABELS[_label] = (_codec, _name)

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16le"),
    (codecs.BOM_UTF16_BE, "utf-16be"),
)
_META = re.compile(rb"<meta\b[^>]*?charset\s*=\s*[\"']?\s*([A-Za-z0-9_.:-]+)", re.IGNORECASE)
_XML_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9_.:-]+)")
_PRESCAN_BYTES = 4096


@lru_cache(maxsize=256)
def codec_of(label: str | None) -> tuple[str, str] | None:
    """(Python codec, reported name) of a charset label, or None for an unknown label."""
    if not label:
        return None
    key = label.strip().strip("\"'").lower()
    if key in _LABELS:
        return _LABELS[key]
    try:
        info = codecs.lookup(key)
    except LookupError:
        return None
    name = info.name.replace("_", "-")
    # Python says cp1251, pages and browsers say windows-1251.
    if name.startswith("cp125"):
        name = "windows-" + name[2:]
    return info.name, name


def _try(data: bytes, label: str | None, source: str) -> tuple[str, str, str] | None:
    codec = codec_of(label)
    if codec is None:
        return None
    try:
        return data.decode(codec[0]), codec[1], source
    except (UnicodeDecodeError, LookupError):
        return None


def meta_charset(data: bytes) -> str | None:
    match = _META.search(data, 0, _PRESCAN_BYTES)
    return match.group(1).decode("ascii") if match else None


def xml_charset(data: bytes) -> str | None:
    match = _XML_DECLARATION.match(data[:512])
    return match.group(1).decode("ascii") if match else None


def decode(data: bytes, http_charset: str | None = None) -> tuple[str, str, str]:
    """(text, charset name, where the charset came from: bom/http/meta/xml/detected)."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            decoded = _try(data[len(bom) :], name, "bom")
            if decoded:
                return decoded
    for label, source in (
        (http_charset, "http"),
        (meta_charset(data), "meta"),
        (xml_charset(data), "xml"),
    ):
        if label:
            decoded = _try(data, label, source)
            if decoded:
                return decoded
    detected = detect_encoding(data) or "utf-8"
    decoded = _try(data, detected, "detected")
    if decoded:
        return decoded
    # Nothing decodes cleanly (mixed encodings in one page): the detected charset, with
    # replacement characters where the bytes do not fit.
    codec, name = codec_of(detected) or ("utf-8", "utf-8")
    return data.decode(codec, errors="replace"), name, "detected"
