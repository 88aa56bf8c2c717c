"""Pure functions that turn raw identifiers into comparable ones: names, countries, ISINs, URLs.

They run inside Spark's Python workers (readers) and in tests; they never touch Spark.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pycountry

if TYPE_CHECKING:
    from innolink.legal_forms import LegalForms

_PUNCT = re.compile(r"[^\w\s&]+", re.UNICODE)
_SPACES = re.compile(r"\s+")
# Status prefixes on Chinese short names: special treatment, delisting, pre-2007 "PT".
_CN_STATUS = re.compile(r"^(?:\*?S\*?ST|\*?ST|PT|退市|退)")


def clean_text(value: str | None) -> str | None:
    """NFKC (full-width letters and spaces to ASCII), trimmed, inner spaces collapsed."""
    if value is None:
        return None
    text = _SPACES.sub(" ", unicodedata.normalize("NFKC", value)).strip()
    return text or None


def normalize_name(
    name: str | None, country: str | None = None, forms: LegalForms | None = None
) -> str | None:
    """A comparison key for firm names: case and accents folded, no punctuation, no legal form.

    The legal forms are those of ISO 20275 (`forms`, see innolink.legal_forms) for the
    name's country (its home or legal country) plus the international English ones; all
    countries' when the country is unknown. East-Asian forms (株式会社, 有限公司, 주식회사)
    are removed from either end of names in any country: a Chinese patent writes a Korean
    firm with 株式会社. Without `forms` no legal form is removed. With the ELF list,
    "Kyokuyo Co., Ltd." and "KYOKUYO CO.,LTD" (JP) are both "kyokuyo", and
    "株式会社　サカタのタネ" is "サカタのタネ".
    """
    text = clean_text(name)
    if text is None:
        return None
    text = fold_accents(text).casefold().replace("&", " and ")
    if has_east_asian(text):
        text = text.replace(" ", "")
        if forms is not None:
            text = forms.strip_east_asian(text)
    tokens = tokens_of(text)
    if forms is not None:
        tokens = forms.strip_tokens(tokens, country)
    while len(tokens) > 1 and tokens[0] == "the":
        tokens.pop(0)
    return " ".join(tokens) or None


def tokens_of(text: str) -> list[str]:
    """Words of a case-folded name: punctuation is a space, dotted initials are one word."""
    return _join_initials(_PUNCT.sub(" ", text).split())


# Latin letters with diacritics; other scripts keep their marks (a Japanese dakuten is a
# combining mark too, and が is not か).
_LATIN_MARKS = re.compile("[\u0300-\u036f]")


def fold_accents(text: str) -> str:
    """Latin letters without accents ("Société" -> "Societe"): registers and exchanges differ."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFD", text)
    return unicodedata.normalize("NFC", _LATIN_MARKS.sub("", decomposed))


def _join_initials(tokens: list[str]) -> list[str]:
    """["n", "v"] -> ["nv"]: dotted forms such as "N.V." or "S.A." lose their dots to _PUNCT."""
    out: list[str] = []
    initials = False  # whether out[-1] is a run of single letters
    for tok in tokens:
        single = len(tok) == 1 and tok.isascii() and tok.isalpha()
        if single and initials:
            out[-1] += tok
        else:
            out.append(tok)
            initials = single
    return out


def _is_cjk(text: str) -> bool:
    return any(
        "\u3040" <= ch <= "\u30ff" or "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf"
        for ch in text
    )


def has_east_asian(text: str) -> bool:
    """Kana, Han or Hangul: scripts whose names need no spaces between words."""
    return _is_cjk(text) or any(
        "\uac00" <= ch <= "\ud7af" or "\u1100" <= ch <= "\u11ff" for ch in text
    )


def script_of(text: str) -> str:
    """Rough script tag of a name: 'kana', 'han', 'latin' (for picking name variants)."""
    if any("\u30a0" <= ch <= "\u30ff" for ch in text) and not any(
        "\u4e00" <= ch <= "\u9fff" for ch in text
    ):
        return "kana"
    if _is_cjk(text):
        return "han"
    return "latin"


def clean_cn_short_name(name: str) -> tuple[str, bool]:
    """Chinese exchange short name without padding or status prefix; True if it marks delisting.

    >>> clean_cn_short_name("万  科Ａ")
    ('万科A', False)
    >>> clean_cn_short_name("退市海B")
    ('海B', True)
    """
    text = (clean_text(name) or "").replace(" ", "")
    match = _CN_STATUS.match(text)
    delisted = bool(match) and match.group(0).startswith("退")
    if match and len(text) > len(match.group(0)):
        text = text[match.end() :]
    return text, delisted


# Country names the ISO 3166 list (pycountry) spells otherwise.
_COUNTRY_ALIASES = {
    "falkland islands": "FK",
    "ivory coast": "CI",
    "macau": "MO",
    "macao": "MO",
    "russia": "RU",
    "turkey": "TR",
    "south korea": "KR",
    "korea": "KR",
    "taiwan": "TW",
    "usa": "US",
    "united states of america": "US",
    "uk": "GB",
    "england": "GB",
    "vietnam": "VN",
    "czech republic": "CZ",
    "hong kong sar": "HK",
}


@lru_cache(maxsize=4096)
def country_iso2(name: str | None) -> str | None:
    """ISO 3166-1 alpha-2 code for a country name or code; None if unknown."""
    text = clean_text(name)
    if not text:
        return None
    alias = _COUNTRY_ALIASES.get(text.casefold())
    if alias:
        return alias
    try:
        return pycountry.countries.lookup(text).alpha_2
    except LookupError:
        return None


US_STATES = frozenset(
    """Alabama Alaska Arizona Arkansas California Colorado Connecticut Delaware Florida Georgia
    Hawaii Idaho Illinois Indiana Iowa Kansas Kentucky Louisiana Maine Maryland Massachusetts
    Michigan Minnesota Mississippi Missouri Montana Nebraska Nevada Ohio Oklahoma Oregon
    Pennsylvania Tennessee Texas Utah Vermont Virginia Washington Wisconsin Wyoming""".split()
) | {
    "New Hampshire",
    "New Jersey",
    "New Mexico",
    "New York",
    "North Carolina",
    "North Dakota",
    "Rhode Island",
    "South Carolina",
    "South Dakota",
    "West Virginia",
    "District of Columbia",
    "D.C.",
    "Puerto Rico",
}


def country_of_location(location: str | None) -> str | None:
    """ISO-2 country of a 'City, State' (US) or 'City, Country' location string."""
    # Wikipedia-derived lists keep footnote marks: "West Falls Church, Virginia[2]".
    text = clean_text(re.sub(r"\[\w+\]", "", location or ""))
    if not text:
        return None
    last = text.rsplit(",", 1)[-1].strip()
    if last in US_STATES:
        return "US"
    return country_iso2(last)


_ISIN = re.compile(r"^[A-Z]{2}[A-Z0-9]{9}[0-9]$")


def isin_valid(isin: str) -> bool:
    """ISO 6166 format and check digit (Luhn over the letters-as-numbers expansion)."""
    if not _ISIN.match(isin):
        return False
    digits = "".join(str(int(ch, 36)) for ch in isin[:-1])
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return (10 - total % 10) % 10 == int(isin[-1])


class InvalidUrl(ValueError):
    pass


_HOST = re.compile(r"^[a-z0-9\-.]+$")


@lru_cache(maxsize=1)
def _extractor():
    import tldextract

    # suffix_list_urls=() : the Public Suffix List snapshot bundled with tldextract, no network.
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def normalize_website(url: str | None) -> tuple[str, str] | None:
    """(website URL, registered domain) or None for an empty value; InvalidUrl if malformed.

    >>> normalize_website("http://www.kyokuyo.co.jp")
    ('http://www.kyokuyo.co.jp', 'kyokuyo.co.jp')
    """
    text = (url or "").strip()
    if not text:
        return None
    if " " in text or "\t" in text:
        raise InvalidUrl(f"space in URL {text!r}")
    candidate = text if "://" in text else f"http://{text}"
    try:
        parts = urlsplit(candidate)
        port = parts.port  # raises ValueError for a non-numeric port
    except ValueError as exc:
        raise InvalidUrl(f"unparseable URL {text!r}: {exc}") from None
    del port
    if parts.scheme not in ("http", "https"):
        raise InvalidUrl(f"not a web URL {text!r}")
    host = (parts.hostname or "").rstrip(".")
    try:
        host = host.encode("idna").decode("ascii") if host and not host.isascii() else host
    except UnicodeError:
        raise InvalidUrl(f"bad host in {text!r}") from None
    if not host or not _HOST.match(host) or ".." in host:
        raise InvalidUrl(f"bad host in {text!r}")
    ext = _extractor()(host)
    if not ext.suffix or not ext.domain:
        raise InvalidUrl(f"no registrable domain in {text!r}")
    return candidate, f"{ext.domain}.{ext.suffix}"


_LEI = re.compile(r"^[A-Z0-9]{18}[0-9]{2}$")


def lei_valid(lei: str) -> bool:
    """ISO 17442 format and check digits (ISO 7064 MOD 97-10, as IBANs)."""
    if not _LEI.match(lei):
        return False
    return int("".join(str(int(ch, 36)) for ch in lei)) % 97 == 1
