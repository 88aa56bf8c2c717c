"""Similarity features of an applicant name and one name of a candidate firm, and the rules
that no score overrides (an institution is not a firm; a one-word name with another legal
form is another company).

Every form of the applicant is compared with every form of the firm's name in the same
space (Latin tokens, or the native script); the closest pair gives the features. Pure Python
(RapidFuzz): called on the candidate pairs of one Spark partition at a time.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA, JaroWinkler, Levenshtein

from innolink.link.names import Form, NameInfo

# The order of the model's weights (model.py); every value is in [0, 1] or a small count.
FEATURES = (
    "exact",
    "raw_exact",
    "jw",
    "tset",
    "unmatched_a",
    "unmatched_r",
    "idf_missing_a",
    "idf_missing_r",
    "fuzzy",
    "substitution",
    "short_fuzzy",
    "short_prefix",
    "country_agree",
    "country_differ",
    "lf_conflict",
    "family",
    "qualified",
    "one_token",
)


@dataclass(frozen=True)
class RefName:
    """A name of a candidate firm: the firm's own variant, a GLEIF entity of its family
    (depth >= 1: a subsidiary), or an alias of conf."""

    info: NameInfo
    source: str  # firm | gleif | family | alias
    kind: str  # the variant kind (primary, registered, reading, short...) or entity
    country: str | None
    # The English legal-form classes of all the firm's own names ("Family Inc." -> inc):
    # a reading or a short name of the firm carries none itself.
    classes: frozenset[str] = frozenset()

    @property
    def legal_classes(self) -> frozenset[str]:
        if self.source in ("firm", "gleif") and self.classes:
            return self.classes
        own = self.info.legal_class
        return frozenset([own]) if own else frozenset()


@dataclass(frozen=True)
class Comparison:
    values: dict[str, float]
    a_form: Form
    r_form: Form
    veto: str | None  # a rule's reason why this pair is no link whatever its score

    @property
    def closeness(self) -> float:
        """How alike the names are as written (before synonyms): breaks ties between firms
        the model scores alike ("Yamato Industries" is closer to "Yamato Industries
        Holdings" than to "Yamato Kogyo")."""
        return JaroWinkler.normalized_similarity(self.a_form.raw, self.r_form.raw)


MIN_ONE_WORD_TYPO = 6

# IDF of a token no firm name has (a typo, a word of the applicant only).
UNSEEN_IDF = 8.0


def _allowed_edits(length: int) -> int:
    # One typo in a word of 3+ letters, two in a long word; shorter words must be equal.
    if length >= 9:
        return 2
    return 1 if length >= 3 else 0


def _token_match(a: str, r: str) -> tuple[bool, bool]:
    """(matches within the allowed edits, the edit is a substitution rather than a letter
    dropped, doubled or two letters swapped)."""
    shortest = min(len(a), len(r))
    allowed = _allowed_edits(shortest)
    if not allowed:
        return False, False
    distance = OSA.distance(a, r, score_cutoff=allowed)
    if distance > allowed:
        return False, False
    lev = Levenshtein.distance(a, r)
    substitution = lev == distance and any(op.tag == "replace" for op in Levenshtein.editops(a, r))
    # In a word of three letters only a letter dropped or doubled ("Maa" for "Maha") is a
    # typo; another letter makes another word ("Ari", "Arv").
    if shortest == 3 and substitution:
        return False, False
    return True, substitution


def align(
    a: tuple[str, ...], r: tuple[str, ...], idf: Mapping[str, float] | None = None
) -> dict[str, float]:
    """Tokens of the applicant matched to the firm's: equal first, then within a typo.
    unmatched_a / unmatched_r: words one side has and the other lacks ("Works", "Services",
    "Shoji": another company of the same stem)."""
    rest_a = list(a)
    rest_r = list(r)
    for token in a:
        if token in rest_r:
            rest_r.remove(token)
            rest_a.remove(token)
    fuzzy = substitution = short = 0
    # A one-word name with a typo must be long to be recognized: "Micrsoft" is Microsoft,
    # "Aichi" is not "Daiichi".
    one_short_word = len(a) == len(r) == 1 and min(len(a[0]), len(r[0])) < MIN_ONE_WORD_TYPO
    if rest_a and rest_r and not one_short_word:
        for token in list(rest_a):
            best = None
            for other in rest_r:
                ok, sub = _token_match(token, other)
                if ok and (best is None or (best[1] and not sub)):
                    best = (other, sub)
            if best is not None:
                rest_a.remove(token)
                rest_r.remove(best[0])
                fuzzy += 1
                substitution |= best[1]
                short |= min(len(token), len(best[0])) <= 5
        # "Micro Soft" / "Microsoft", "Nippon Seika" / "nipponseika": the rest, joined, is
        # one word.
        if rest_a and rest_r:
            ja, jr = "".join(rest_a), "".join(rest_r)
            ok, sub = (True, False) if ja == jr else _token_match(ja, jr)
            if ok:
                fuzzy += 1 if ja != jr else 0
                substitution |= sub
                short |= min(len(ja), len(jr)) <= 5 and ja != jr
                rest_a, rest_r = [], []
    weight = (lambda t: idf.get(t, UNSEEN_IDF)) if idf is not None else (lambda t: 1.0)

    def missing(rest: list[str], tokens: tuple[str, ...]) -> float:
        total = sum(weight(t) for t in tokens)
        return sum(weight(t) for t in rest) / total if total else 0.0

    return {
        "unmatched_a": float(min(len(rest_a), 3)),
        "unmatched_r": float(min(len(rest_r), 3)),
        # The share of each name's information (IDF over the firm names) the other lacks:
        # "West Services" lacks the rare word of "West Pharmaceutical Services".
        "idf_missing_a": missing(rest_a, a),
        "idf_missing_r": missing(rest_r, r),
        "fuzzy": float(min(fuzzy, 3)),
        "substitution": float(substitution),
        "short_fuzzy": float(short),
    }


def _short_prefix(a: str, r: str) -> float:
    """A Chinese short name (瑞和, 晶盛机电) begins the applicant's name (1), or its characters
    come in the name in order from its first (0.5)."""
    if len(r) < 2 or len(a) <= len(r):
        return 0.0
    if a.startswith(r):
        return 1.0
    if a[0] != r[0]:
        return 0.0
    position = 0
    for ch in r:
        position = a.find(ch, position)
        if position < 0:
            return 0.0
        position += 1
    return 0.5


def compare_forms(
    a: Form, r: Form, r_kind: str, idf: Mapping[str, float] | None = None
) -> dict[str, float]:
    exact = a.compact == r.compact
    raw_exact = not exact and bool(a.raw) and a.raw == r.raw
    values = {
        "exact": float(exact),
        "raw_exact": float(raw_exact),
        "jw": JaroWinkler.normalized_similarity(a.compact, r.compact),
        "tset": fuzz.token_set_ratio(" ".join(a.tokens), " ".join(r.tokens)) / 100.0,
        "short_prefix": 0.0,
        "reading": float(a.kind == "reading" or r.kind == "reading"),
        "qualified": float(a.qualified and not r.qualified),
        # A one-word name says little ("Family", "Daiichi"); a name in its own script is one
        # string, not one word.
        "one_token": float(a.space == "lat" and (len(a.tokens) == 1 or len(r.tokens) == 1)),
    }
    if exact or raw_exact:
        values.update(unmatched_a=0.0, unmatched_r=0.0, fuzzy=0.0, substitution=0.0)
        values.update(short_fuzzy=0.0, idf_missing_a=0.0, idf_missing_r=0.0)
    elif a.space == "cjk":
        # Characters, not words: the share of characters is the share of information.
        values.update(align(tuple(a.compact), tuple(r.compact)))
        if r_kind == "short":
            values["short_prefix"] = _short_prefix(a.compact, r.compact)
            if values["short_prefix"]:
                values.update(unmatched_a=0.0, unmatched_r=0.0)
                values.update(idf_missing_a=0.0, idf_missing_r=0.0)
    else:
        values.update(align(a.tokens, r.tokens, idf))
    return values


def _rank(values: dict[str, float]) -> tuple:
    matched = values["exact"] or values["raw_exact"]
    return (
        matched,
        values["short_prefix"],
        -(values["unmatched_a"] + values["unmatched_r"]),
        -values["fuzzy"],
        -values["reading"],
        values["jw"],
    )


def compare(
    applicant: NameInfo,
    applicant_country: str | None,
    ref: RefName,
    legal_conflicts: bool = True,
    idf: Mapping[str, float] | None = None,
) -> Comparison | None:
    """The closest pair of forms of the two names, or None when no form shares a space."""
    best: tuple | None = None
    for a in applicant.forms:
        for r in ref.info.forms:
            if a.space != r.space:
                continue
            values = compare_forms(a, r, ref.kind, idf)
            rank = _rank(values)
            if best is None or rank > best[0]:
                best = (rank, values, a, r)
    if best is None:
        return None
    _, values, a_form, r_form = best
    both = applicant_country and ref.country
    values["country_agree"] = float(bool(both) and applicant_country == ref.country)
    values["country_differ"] = float(bool(both) and applicant_country != ref.country)
    classes = ref.legal_classes
    conflict = (
        legal_conflicts
        and applicant.legal_class is not None
        and bool(classes)
        and applicant.legal_class not in classes
    )
    values["lf_conflict"] = float(conflict)
    values["family"] = float(ref.source == "family")
    veto = None
    if applicant.institution and not ref.info.institution:
        veto = "institution"
    elif conflict and a_form.space == "lat" and len(a_form.tokens) == len(r_form.tokens) == 1:
        veto = "legal_form_conflict"
    return Comparison(values=values, a_form=a_form, r_form=r_form, veto=veto)


def vector(values: dict[str, float]) -> list[float]:
    return [float(values[name]) for name in FEATURES]
