"""Legal forms of every country, from ISO 20275 (GLEIF's Entity Legal Forms list), for names.

The ELF list gives, per country, each legal form's local name, its transliteration and its
abbreviations (株式会社 / 株, 주식회사 / ㈜, Gesellschaft mit beschränkter Haftung / GmbH,
société anonyme / SA...). Name normalization removes them so "トヨタ自動車株式会社" and
"トヨタ自動車" or "Siemens Aktiengesellschaft" and "Siemens AG" compare equal.
`conf/mappings/legal_forms.yaml` adds what the list lacks (romanized forms such as
Kabushiki Kaisha or K.K., katakana readings, simplified-Chinese spellings) and names the
words the list calls a legal form that are ordinary words of firm names ("Trust", "Bank").

Built once on the driver from files and handed to the readers as a plain picklable object:
Spark ships it to the Python workers with the reader, so no worker reads a file.
"""

from __future__ import annotations

import csv
import io
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from innolink.normalize import clean_text, fold_accents, has_east_asian, tokens_of

# The columns of GLEIF's ELF code list CSV that the vocabulary uses.
ELF_COLUMNS = {
    "code": "ELF Code",
    "country": "Country Code (ISO 3166-1)",
    "local": "Entity Legal Form name Local name",
    "language": "Language Code (ISO 639-1)",
    "transliterated": "Entity Legal Form name Transliterated name (per ISO 01-140-10)",
    "abbr_local": "Abbreviations Local language",
    "abbr_translit": "Abbreviations transliterated",
    "status": "ELF Status ACTV/INAC",
}


@dataclass(frozen=True)
class LegalForms:
    """The legal-form vocabulary: token sequences per country, East-Asian strings for all.

    latin[country] holds token tuples ("co", "ltd"), ("gmbh",); east_asian holds strings
    (株式会社, (株), 有限公司, 주식회사) matched at either end of a name without spaces;
    prefix_countries are the countries whose forms also come first ("AB Volvo", "PT Astra").
    """

    latin: Mapping[str, frozenset[tuple[str, ...]]]
    international: frozenset[tuple[str, ...]]
    east_asian: tuple[str, ...]
    prefix_countries: frozenset[str]
    names: Mapping[str, str] = field(default_factory=dict)  # ELF code -> local name
    version: str = ""
    _all: frozenset[tuple[str, ...]] = field(init=False, repr=False, compare=False)
    _prefix_all: frozenset[tuple[str, ...]] = field(init=False, repr=False, compare=False)
    _ea_pattern: re.Pattern = field(init=False, repr=False, compare=False)
    _longest: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        every = set(self.international)
        for forms in self.latin.values():
            every |= forms
        prefix: set[tuple[str, ...]] = set()
        for country in self.prefix_countries:
            prefix |= self.latin.get(country, frozenset())
        object.__setattr__(self, "_all", frozenset(every))
        object.__setattr__(self, "_prefix_all", frozenset(prefix))
        longest_first = sorted(set(self.east_asian), key=lambda s: (-len(s), s))
        alternation = "|".join(re.escape(s) for s in longest_first) or "(?!)"
        object.__setattr__(
            self, "_ea_pattern", re.compile(f"^(?:{alternation})|(?:{alternation})$")
        )
        object.__setattr__(self, "_longest", max((len(t) for t in every), default=1))

    def forms_of(self, country: str | None) -> frozenset[tuple[str, ...]]:
        """The token forms that apply to a name of that country: its own and the international
        ones (English forms, used by listed firms everywhere); every country's when unknown."""
        if not country:
            return self._all
        return self.latin.get(country, frozenset()) | self.international

    def strip_east_asian(self, text: str) -> str:
        """Legal forms removed from both ends of a name written without spaces, repeatedly
        ("株式会社トヨタ", "腾讯科技(深圳)有限公司", "(주)삼성")."""
        previous = None
        while previous != text:
            previous = text
            stripped = self._ea_pattern.sub("", text, count=1)
            # A name that is nothing but a legal form keeps it: it is the whole name.
            text = stripped.strip() or text
        return text

    def strip_tokens(self, tokens: list[str], country: str | None) -> list[str]:
        """Legal forms removed from the end (and, for prefix countries, the start) of a token
        list, longest form first, keeping at least one token."""
        forms = self.forms_of(country)
        if not country:
            prefix = self._prefix_all
        elif country in self.prefix_countries:
            prefix = self.latin.get(country, frozenset())
        else:
            prefix = frozenset()
        out = list(tokens)
        changed = True
        while changed and len(out) > 1:
            changed = False
            for n in range(min(self._longest, len(out) - 1), 0, -1):
                if tuple(out[-n:]) in forms:
                    del out[-n:]
                    changed = True
                    break
            if changed or len(out) < 2:
                continue
            for n in range(min(self._longest, len(out) - 1), 0, -1):
                if tuple(out[:n]) in prefix:
                    del out[:n]
                    changed = True
                    break
        return out

    def local_name(self, code: str | None) -> str | None:
        return self.names.get(code or "")


def form_tokens(form: str) -> tuple[str, ...]:
    """A legal form's tokens, by the same steps a name goes through (normalize.tokens_of)."""
    text = clean_text(form) or ""
    return tuple(tokens_of(fold_accents(text).casefold().replace("&", " and ")))


def _east_asian_variants(form: str, abbreviation: bool) -> list[str]:
    """株式会社 as written; a one-character abbreviation (株) only in brackets, the way it
    is written in names ("(株)トヨタ", "㈱" becomes "(株)" under NFKC): bare, one character
    would cut real names."""
    text = (clean_text(form) or "").casefold().replace(" ", "")
    if not text:
        return []
    if abbreviation and len(text) == 1:
        return [f"({text})"]
    return [text]


def _split(value: str) -> list[str]:
    return [v.strip() for v in (value or "").split(";") if v.strip()]


def parse_elf_csv(data: bytes) -> list[dict[str, str]]:
    """The ELF code list CSV (GLEIF's layout, UTF-8) as rows keyed like ELF_COLUMNS."""
    reader = csv.DictReader(io.StringIO(data.decode("utf-8-sig")))
    missing = [c for c in ELF_COLUMNS.values() if c not in (reader.fieldnames or [])]
    if missing:
        raise ValueError(f"not the ELF code list: missing columns {missing}")
    return [{k: (row.get(col) or "").strip() for k, col in ELF_COLUMNS.items()} for row in reader]


def build_legal_forms(
    elf_rows: Iterable[Mapping[str, str]], additions: Mapping, version: str = ""
) -> LegalForms:
    """The vocabulary from the ELF rows (active forms only) and conf's additions.

    additions: {"international": [country, ...], "prefix_countries": [...],
    "forms": {country or "*": [form, ...]}, "not_forms": [word, ...]}.
    """
    ignore = {form_tokens(w) for w in additions.get("not_forms", [])}
    latin: dict[str, set[tuple[str, ...]]] = defaultdict(set)
    east_asian: set[str] = set()
    names: dict[str, str] = {}

    def add(country: str, form: str, abbreviation: bool) -> None:
        # NFKC first: "㈜" is "(주)" and only then Hangul.
        if has_east_asian(clean_text(form) or ""):
            east_asian.update(_east_asian_variants(form, abbreviation))
            return
        tokens = form_tokens(form)
        if tokens and tokens not in ignore:
            latin[country].add(tokens)

    for row in elf_rows:
        code, country = row.get("code", ""), row.get("country", "")
        if code and row.get("local") and code not in names:
            names[code] = row["local"]
        # Inactive forms are gone from the registers; special codes 8888/9999 have no country.
        if row.get("status") != "ACTV" or not country:
            continue
        for form in (row.get("local", ""), row.get("transliterated", "")):
            if form:
                add(country, form, False)
        for form in _split(row.get("abbr_local", "")) + _split(row.get("abbr_translit", "")):
            add(country, form, True)
    for country, forms in (additions.get("forms") or {}).items():
        for form in forms:
            add(str(country), str(form), len(str(form)) <= 1)
    international: set[tuple[str, ...]] = set(latin.pop("*", set()))
    for country in additions.get("international", []):
        international |= latin.get(country, set())
    return LegalForms(
        latin={c: frozenset(f) for c, f in latin.items()},
        international=frozenset(international),
        east_asian=tuple(sorted(east_asian)),
        prefix_countries=frozenset(additions.get("prefix_countries", [])),
        names=names,
        version=version,
    )


def load_legal_forms(elf_list: bytes, additions: Mapping, version: str = "") -> LegalForms:
    return build_legal_forms(parse_elf_csv(elf_list), additions, version)
