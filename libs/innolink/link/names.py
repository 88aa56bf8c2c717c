"""Applicant and firm names as comparable forms, in every script they are written in.

A name becomes its key (innolink.normalize.normalize_name: the key silver/firms' name_keys
hold) and a few *forms*: token lists in one of two spaces, `lat` (Latin tokens, with Japanese
and Chinese names read into it) and `cjk` (the name in its own script, one string). Tokens are
canonical (Corp = Corporation, Mfg = Manufacturing, kogyo = 工業 = Industries, plurals
dropped), and the core of a form leaves out what qualifies a name without changing the firm
("... Japan K.K.", "(Shanghai)", "Holdings", 集团). トヨタ自動車株式会社, "TOYOTA JIDOSHA
KABUSHIKI KAISHA" and "Toyota Motor Corp." all have the form `lat: toyota motor`; the reading
トヨタジドウシャ has `toyotajidosha`, which is the *raw* compact form of the romanized one.

Pure Python: runs in Spark's Python workers (one analyzer per process) and in tests.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache

from innolink.legal_forms import LegalForms
from innolink.normalize import clean_text, fold_accents, has_east_asian, normalize_name, tokens_of

# Kana (hiragana, katakana and its phonetic extensions, half-width katakana after NFKC is gone).
_KANA = re.compile("[\u3040-\u30ff\u31f0-\u31ff]")
_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_HANGUL = re.compile("[\uac00-\ud7af\u1100-\u11ff]")
_ASCII_RUN = re.compile(r"[a-z0-9]+")
# "Insitu Inc., a subsidiary of The Boeing Company": the parent named in the name itself.
_SUBSIDIARY_OF = re.compile(
    r"[,(]?\s*\(?\s*(?:a\s+)?(?:wholly[- ]owned\s+)?(?:subsidiary|division)\s+of\s+", re.I
)
# Romanized Japanese long vowels, written ou / oo / uu / aa / ii (Hepburn with or without
# macrons): kougyou = kogyo, jidousha = jidosha; m before b/p is the n of Hepburn's variants.
_LONG_VOWELS = (("ou", "o"), ("oo", "o"), ("uu", "u"), ("aa", "a"), ("ii", "i"))
_M_BP = re.compile(r"m(?=[bp])")

MAX_DELETION_KEY_CHARS = 40


def fold_romaji(text: str) -> str:
    for long, short in _LONG_VOWELS:
        text = text.replace(long, short)
    return _M_BP.sub("n", text)


@dataclass(frozen=True)
class Vocabulary:
    """conf/mappings/link_names.yaml, ready to use (see the file for what each part means)."""

    synonyms: Mapping[str, str]
    qualifiers: frozenset[str]
    leading_qualifiers: frozenset[str]
    stopwords: frozenset[str]
    listing_suffixes: frozenset[str]
    institution_words: tuple[tuple[str, ...], ...]
    institution_cjk: tuple[str, ...]
    legal_classes: Mapping[tuple[str, ...], str]
    leading_forms: tuple[tuple[str, ...], ...]
    foreign_forms: tuple[tuple[str, ...], ...]
    ja_glossary: tuple[tuple[str, str], ...]
    zh_glossary: tuple[tuple[str, str], ...]
    zh_regions: tuple[str, ...]
    cjk_qualifiers: tuple[str, ...]
    _longest_class: int = field(init=False, repr=False, compare=False)
    _long_words: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "_longest_class", max((len(k) for k in self.legal_classes), default=1)
        )
        # Synonyms long enough to be recognized through one typo (names.MIN_TYPO_SYNONYM).
        long_words = tuple(sorted(k for k in self.synonyms if len(k) >= 7))
        object.__setattr__(self, "_long_words", long_words)


def _words(values: Iterable) -> list[str]:
    return [str(v).strip() for v in values or [] if str(v).strip()]


def _latin_tokens(text: str) -> tuple[str, ...]:
    return tuple(tokens_of(fold_accents(clean_text(text) or "").casefold()))


def load_vocabulary(data: Mapping) -> Vocabulary:
    synonyms: dict[str, str] = {}
    for canonical, variants in (data.get("synonyms") or {}).items():
        for word in [canonical, *_words(variants)]:
            tokens = _latin_tokens(word)
            if len(tokens) == 1:
                synonyms[tokens[0]] = str(canonical)
                synonyms.setdefault(fold_romaji(tokens[0]), str(canonical))
    classes: dict[tuple[str, ...], str] = {}
    for name, forms in (data.get("legal_form_classes") or {}).items():
        for form in _words(forms):
            classes[_latin_tokens(form)] = str(name)

    def glossary(key: str) -> tuple[tuple[str, str], ...]:
        entries = {clean_text(str(k)): str(v) for k, v in (data.get(key) or {}).items()}
        return tuple(sorted(((k, v) for k, v in entries.items() if k), key=lambda e: -len(e[0])))

    def cjk(key: str) -> tuple[str, ...]:
        return tuple(sorted({clean_text(w) for w in _words(data.get(key))}, key=lambda w: -len(w)))

    return Vocabulary(
        synonyms=synonyms,
        qualifiers=frozenset(t for w in _words(data.get("qualifiers")) for t in _latin_tokens(w)),
        leading_qualifiers=frozenset(
            t for w in _words(data.get("leading_qualifiers")) for t in _latin_tokens(w)
        ),
        stopwords=frozenset(_words(data.get("stopwords"))),
        listing_suffixes=frozenset(_words(data.get("listing_suffix_words"))),
        institution_words=tuple(
            t for t in (_latin_tokens(w) for w in _words(data.get("institution_words"))) if t
        ),
        institution_cjk=cjk("institution_cjk"),
        legal_classes=classes,
        foreign_forms=tuple(
            sorted(
                {t for t in (_latin_tokens(w) for w in _words(data.get("foreign_forms"))) if t},
                key=lambda t: -len(t),
            )
        ),
        leading_forms=tuple(
            sorted(
                {
                    t
                    for t in (_latin_tokens(w) for w in _words(data.get("leading_legal_forms")))
                    if t
                },
                key=lambda t: -len(t),
            )
        ),
        ja_glossary=glossary("ja_glossary"),
        zh_glossary=glossary("zh_glossary"),
        zh_regions=cjk("zh_regions"),
        cjk_qualifiers=cjk("cjk_qualifiers"),
    )


@dataclass(frozen=True)
class Form:
    """One way of writing a name: `space` lat or cjk; `tokens` the canonical core tokens;
    `compact` them joined; `raw` the core before synonyms, joined, long vowels folded;
    `kind` how it was made (name, region: a leading region left out, reading: romanized
    Japanese or Chinese, parent: the parent named in "X, a subsidiary of Y")."""

    space: str
    tokens: tuple[str, ...]
    compact: str
    raw: str
    kind: str
    qualified: bool  # qualifiers were removed from the end (a subsidiary abroad, a holding)


@dataclass(frozen=True)
class NameInfo:
    key: str | None
    forms: tuple[Form, ...]
    legal_class: str | None
    institution: bool
    script: str  # latin | ja | zh | cjk (Han only, language unknown) | ko

    def blocking_keys(self) -> set[str]:
        return blocking_keys(self.forms)


def blocking_keys(forms: Iterable[Form]) -> set[str]:
    """Keys two names share when they may be the same: the compact form (x:), its variants
    with one character deleted (d:, so one typo, drop, double or swap still meets), tokens
    (t:), adjacent token pairs (p:) and, in the native script, character bigrams (b:)."""
    keys: set[str] = set()
    for form in forms:
        s = form.space
        if not form.compact:
            continue
        keys.add(f"x:{s}:{form.compact}")
        if form.raw and form.raw != form.compact:
            keys.add(f"x:{s}:{form.raw}")
        minimum = 3 if s == "cjk" else 5
        if minimum <= len(form.compact) <= MAX_DELETION_KEY_CHARS:
            # Symmetric deletion: the name and its one-deletion variants on both sides, so a
            # letter dropped, doubled, swapped or replaced on either side still meets.
            c = form.compact
            keys.add(f"d:{s}:{c}")
            keys.update(f"d:{s}:{c[:i]}{c[i + 1 :]}" for i in range(len(c)))
        if s == "cjk":
            c = form.compact
            keys.update(f"b:{c[i : i + 2]}" for i in range(len(c) - 1))
            continue
        keys.update(f"t:{t}" for t in form.tokens if len(t) >= 2)
        keys.update(f"p:{a} {b}" for a, b in zip(form.tokens, form.tokens[1:], strict=False))
    return keys


MIN_TYPO_SYNONYM = 8


def _typo_synonym(token: str, vocab: Vocabulary) -> str | None:
    from rapidfuzz import process
    from rapidfuzz.distance import OSA

    found = process.extractOne(token, vocab._long_words, scorer=OSA.distance, score_cutoff=1)
    return vocab.synonyms[found[0]] if found else None


@lru_cache(maxsize=1)
def _kakasi():
    import pykakasi

    return pykakasi.kakasi()


def _pinyin(text: str) -> str:
    from pypinyin import lazy_pinyin

    return "".join(lazy_pinyin(text)).casefold()


def _romaji(text: str) -> list[str]:
    """Hepburn words of a Japanese string (pykakasi's segmentation), long vowels folded."""
    out = []
    for item in _kakasi().convert(text):
        word = fold_romaji(item["hepburn"].casefold())
        out += _latin_tokens(word) if word.strip() else []
    return out


class NameAnalyzer:
    """Names -> NameInfo with the legal forms of silver/firms (ISO 20275 + conf) and the
    vocabulary of stage link. Picklable: Spark ships it to the workers."""

    def __init__(self, forms: LegalForms, vocab: Vocabulary):
        self.forms = forms
        self.vocab = vocab
        # A region is a word of its own in a Chinese name (深圳瑞和 -> shenzhen ruihe).
        regions = tuple((r, _pinyin(r)) for r in vocab.zh_regions)
        zh_words = tuple(sorted(vocab.zh_glossary + regions, key=lambda e: -len(e[0])))
        # One alternation per language, longest word first: the leftmost, longest glossary
        # word wins, in one pass over the name.
        self._glossaries = {
            "ja": (dict(vocab.ja_glossary), _alternation(vocab.ja_glossary)),
            "zh": (dict(zh_words), _alternation(zh_words)),
        }

    # -- public ---------------------------------------------------------------------------

    def analyze(
        self, name: str | None, country: str | None = None, lang: str | None = None
    ) -> NameInfo | None:
        text = clean_text(name)
        if text is None:
            return None
        # "X, a subsidiary of Y": both X and Y are names of the applicant's group.
        parts = _SUBSIDIARY_OF.split(text, maxsplit=1)
        own = parts[0].strip(" ,()") or text
        # The legal forms of the name's country (ISO 20275) as silver/firms' keys have them;
        # forms used across borders go in _latin_forms.
        key = normalize_name(own, country, self.forms)
        if key is None:
            return None
        forms: list[Form] = []
        script = self._script(own, country, lang)
        if script == "latin":
            forms += self._latin_forms(key, "name")
        else:
            forms += self._cjk_forms(key, script, country, lang)
        if len(parts) > 1:
            parent = normalize_name(parts[1].strip(" ,()"), country, self.forms)
            if parent:
                forms += [
                    Form(f.space, f.tokens, f.compact, f.raw, "parent", f.qualified)
                    for f in self._latin_forms(parent, "parent")
                ]
        return NameInfo(
            key=key,
            forms=tuple(_unique(forms)),
            legal_class=self.legal_class(own, country),
            institution=self.is_institution(text),
            script=script,
        )

    def legal_class(self, name: str, country: str | None = None) -> str | None:
        """The class of the English legal form a Latin-script name ends with (inc, ltd,
        corporation, gmbh...), None when it has none or one of no class (Kabushiki Kaisha
        names every class)."""
        text = clean_text(name) or ""
        if has_east_asian(text):
            return None
        tokens = tokens_of(fold_accents(text).casefold().replace("&", " and "))
        while tokens and tokens[-1] in self.vocab.stopwords:
            tokens.pop()
        for n in range(min(self.vocab._longest_class, len(tokens) - 1), 0, -1):
            found = self.vocab.legal_classes.get(tuple(tokens[-n:]))
            if found:
                return found
        return None

    def is_institution(self, name: str) -> bool:
        text = clean_text(name) or ""
        if has_east_asian(text) and any(w in text for w in self.vocab.institution_cjk):
            return True
        tokens = tokens_of(fold_accents(text).casefold())
        present = set(tokens)
        for words in self.vocab.institution_words:
            if words[0] not in present:
                continue
            n = len(words)
            if any(tuple(tokens[i : i + n]) == words for i in range(len(tokens) - n + 1)):
                return True
        return False

    # -- scripts --------------------------------------------------------------------------

    @staticmethod
    def _script(text: str, country: str | None, lang: str | None) -> str:
        if not has_east_asian(text):
            return "latin"
        if _KANA.search(text) or (lang or "").startswith("ja"):
            return "ja"
        if (lang or "").startswith("zh"):
            return "zh"
        if _HANGUL.search(text) or (lang or "").startswith("ko"):
            return "ko"
        if country == "JP":
            return "ja"
        if country in ("CN", "TW", "HK", "MO"):
            return "zh"
        return "cjk"

    # -- Latin ------------------------------------------------------------------------------

    def canonical(self, token: str) -> str:
        syn = self.vocab.synonyms
        found = syn.get(token) or syn.get(fold_romaji(token))
        if found:
            return found
        if len(token) >= MIN_TYPO_SYNONYM:
            # A typo in a common word ("Indutsries") is still that word.
            close = _typo_synonym(token, self.vocab)
            if close:
                return close
        if len(token) > 4 and token.endswith("s") and not token.endswith("ss"):
            return token[:-1]
        return token

    def _latin_forms(self, key: str, kind: str) -> list[Form]:
        raw = [t for t in key.split() if t not in self.vocab.stopwords and t != "com"]
        # What an exchange adds to a listing's name ("Alphabet Inc. (Class A)", "XEROX HLDGS
        # CORP. DL 1") is not part of the firm's name.
        suffixes = self.vocab.listing_suffixes
        while len(raw) > 2 and (raw[-1] in suffixes or raw[-1].isdigit()):
            raw.pop()
        # A number before the name is a register's or a scan's artefact ("501 TDK
        # Corporation"); a long one is the name itself ("7225059 Canada Inc.").
        if len(raw) > 1 and raw[0].isdigit() and len(raw[0]) <= 3:
            raw = raw[1:]
        # A legal form hidden behind "The" or ".com" ("Boeing Company, The"), or of another
        # country than the name's ("Everridge Motors GmbH" of a US group).
        changed = True
        while changed and len(raw) > 1:
            changed = False
            for form in self.vocab.foreign_forms:
                n = len(form)
                if len(raw) > n and _is_form(raw[-n:], form):
                    del raw[-n:]
                    changed = True
                    break
        for form in self.vocab.leading_forms:
            if len(raw) > len(form) and _is_form(raw[: len(form)], form):
                raw = raw[len(form) :]
                break
        return self._forms_of(raw, kind)

    def _forms_of(self, raw: list[str], kind: str, space: str = "lat") -> list[Form]:
        pairs = [(r, self.canonical(r)) for r in raw if r]
        if not pairs:
            return []
        qualified = False
        while len(pairs) > 1 and pairs[-1][1] in self.vocab.qualifiers:
            pairs.pop()
            qualified = True
        forms = [_form(space, pairs, kind, qualified)]
        lead = 0
        while lead < len(pairs) - 2 and pairs[lead][1] in self.vocab.leading_qualifiers:
            lead += 1
        if lead:
            forms.append(_form(space, pairs[lead:], "region", qualified))
        return forms

    # -- Japanese, Chinese ------------------------------------------------------------------

    def _cjk_core(self, key: str) -> tuple[str, bool]:
        """The name in its script without spaces and without trailing qualifiers (集团, 日本,
        a region in brackets: 腾讯科技(深圳) -> 腾讯科技)."""
        text = key.replace(" ", "")
        qualified = False
        changed = True
        while changed:
            changed = False
            for word in (*self.vocab.cjk_qualifiers, *self.vocab.zh_regions):
                if text.endswith(word) and len(text) - len(word) >= 2:
                    text = text[: -len(word)]
                    qualified = changed = True
                    break
        return text, qualified

    def _cjk_forms(
        self, key: str, script: str, country: str | None, lang: str | None
    ) -> list[Form]:
        core, qualified = self._cjk_core(key)
        forms = [Form("cjk", (core,), core, core, "name", qualified)]
        for region in self.vocab.zh_regions:
            if core.startswith(region) and len(core) - len(region) >= 2:
                rest = core[len(region) :]
                forms.append(Form("cjk", (rest,), rest, rest, "region", qualified))
                break
        languages = {"ja": ["ja"], "zh": ["zh"], "cjk": ["ja", "zh"]}.get(script, [])
        for language in languages:
            raw = self._read(key.replace(" ", ""), language)
            forms += [
                Form(f.space, f.tokens, f.compact, f.raw, "reading", f.qualified)
                for f in self._forms_of(raw, "reading")
            ]
        return forms

    def _read(self, text: str, language: str) -> list[str]:
        """A Japanese or Chinese name as Latin tokens: glossary words where they occur
        (自動車 -> motor), the rest romanized (Hepburn) or in pinyin, one token per run."""
        meanings, pattern = self._glossaries["ja" if language == "ja" else "zh"]
        out: list[str] = []
        position = 0
        for match in pattern.finditer(text):
            if match.start() > position:
                out.extend(self._romanize(text[position : match.start()], language))
            out.extend(_latin_tokens(meanings[match.group(0)]))
            position = match.end()
        if position < len(text):
            out.extend(self._romanize(text[position:], language))
        return [t for t in out if t]

    def _romanize(self, chunk: str, language: str) -> list[str]:
        out: list[str] = []
        # Latin letters and digits inside a CJK name ("JX金属", "DMG森精機") stay as they are.
        for piece in re.split(r"([a-z0-9]+)", chunk):
            if not piece:
                continue
            if _ASCII_RUN.fullmatch(piece):
                out.append(piece)
            elif language == "ja":
                words = _romaji(piece)
                # One kana run (a reading, a katakana word) is one token; kanji words by
                # pykakasi's segmentation.
                out.extend(words)
            else:
                text = "".join(ch for ch in piece if _HAN.match(ch))
                if text:
                    out.append(fold_accents(_pinyin(text)))
        return out


def _alternation(entries: Iterable[tuple[str, str]]) -> re.Pattern:
    words = sorted({w for w, _ in entries}, key=lambda w: (-len(w), w))
    return re.compile("|".join(re.escape(w) for w in words) or "(?!)")


def _is_form(tokens: list[str], form: tuple[str, ...]) -> bool:
    """Tokens that are the legal form, or a form of several words misspelt in a long word
    before its last ("Kabushika Kaisha", "Habushiki Kaisha": scanned registers)."""
    if tuple(tokens) == form:
        return True
    if len(form) < 2 or tokens[-1] != form[-1]:
        return False
    from rapidfuzz.distance import OSA

    return all(
        t == f or (len(f) >= 6 and OSA.distance(t, f, score_cutoff=2) <= 2)
        for t, f in zip(tokens[:-1], form[:-1], strict=True)
    )


def _form(space: str, pairs: list[tuple[str, str]], kind: str, qualified: bool) -> Form:
    tokens = tuple(c for _, c in pairs)
    return Form(
        space=space,
        tokens=tokens,
        compact="".join(tokens),
        raw=fold_romaji("".join(r for r, _ in pairs)),
        kind=kind,
        qualified=qualified,
    )


def _unique(forms: Iterable[Form]) -> list[Form]:
    seen: set[tuple[str, str, str]] = set()
    out = []
    for form in forms:
        marker = (form.space, form.compact, form.raw)
        if form.compact and marker not in seen:
            seen.add(marker)
            out.append(form)
    return out


def info_to_json(info: NameInfo) -> str:
    """A NameInfo as one JSON string column (compact: the forms as lists)."""
    import json

    return json.dumps(
        {
            "k": info.key,
            "c": info.legal_class,
            "i": info.institution,
            "s": info.script,
            "f": [
                [f.space, list(f.tokens), f.compact, f.raw, f.kind, f.qualified] for f in info.forms
            ],
        },
        ensure_ascii=False,
        separators=(",", ":"),
    )


def info_from_json(text: str) -> NameInfo:
    import json

    data = json.loads(text)
    return NameInfo(
        key=data["k"],
        forms=tuple(Form(s, tuple(t), c, r, k, bool(q)) for s, t, c, r, k, q in data["f"]),
        legal_class=data["c"],
        institution=bool(data["i"]),
        script=data["s"],
    )
