"""The words that are never, or never alone, a product keyword: conf/mappings/stopwords.yaml.

The file's header says what each list does. Words are compared after NFKC and lower-casing,
the form every text has after innolink.keywords.segment and Spark NLP's Normalizer.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

from innolink.errors import ConfigError

# Languages Spark ships a stop-word list for (StopWordsRemover.loadDefaultStopWords).
SPARK_STOPWORD_LISTS = {
    "da": "danish",
    "nl": "dutch",
    "en": "english",
    "fi": "finnish",
    "fr": "french",
    "de": "german",
    "hu": "hungarian",
    "it": "italian",
    "nb": "norwegian",
    "no": "norwegian",
    "pt": "portuguese",
    "ru": "russian",
    "es": "spanish",
    "sv": "swedish",
    "tr": "turkish",
}
LISTS = ("stopwords", "patent", "boilerplate", "generic", "technology_heads", "joiners")
ALL = "all"
MIXED_WITH_ENGLISH = frozenset({"ja", "zh", "ko"})


@dataclass(frozen=True)
class Vocabulary:
    language: str
    # Removed from every text and never at the edge of a candidate (function words, patent
    # claim language).
    stopwords: frozenset[str]
    boilerplate: frozenset[str]
    generic: frozenset[str]
    technology_heads: frozenset[str]
    # The only stop words a keyword may have inside it ("paints and coatings"); others
    # ("chemicals for customers") end it.
    joiners: frozenset[str] = frozenset()


def _norm(word: str) -> str:
    return unicodedata.normalize("NFKC", str(word)).strip().lower()


def read(path: str | Path) -> dict[str, dict[str, list[str]]]:
    """language -> list name -> words, as the file has them (validated)."""
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"stages.keywords.stopwords: cannot read {path}: {exc}") from exc
    languages = data.get("languages")
    if not isinstance(languages, dict):
        raise ConfigError(f"{path}: expected a `languages` mapping")
    for language, lists in languages.items():
        if not isinstance(lists, dict):
            raise ConfigError(f"{path}: languages.{language}: expected a mapping of lists")
        unknown = sorted(set(lists) - set(LISTS))
        if unknown:
            raise ConfigError(
                f"{path}: languages.{language}: unknown lists {unknown}; allowed: {list(LISTS)}"
            )
        for name, words in lists.items():
            # YAML reads a bare `no` or `on` as a boolean: such a word must be quoted.
            if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
                raise ConfigError(
                    f"{path}: languages.{language}.{name}: expected a list of strings "
                    "(quote words YAML reads as booleans or numbers)"
                )
    return languages


def vocabulary(
    languages: dict[str, dict[str, list[str]]],
    language: str,
    builtin: Callable[[str], list[str]] | None = None,
) -> Vocabulary:
    """The vocabulary of one language: its lists, those of `all`, and Spark's stop words.

    builtin: Spark's list by name (StopWordsRemover.loadDefaultStopWords); None leaves it out
    (tests of the lists alone).
    """
    own = languages.get(language, {})
    shared = languages.get(ALL, {})

    def words(name: str) -> frozenset[str]:
        return frozenset(_norm(w) for w in (*shared.get(name, []), *own.get(name, [])) if w)

    stop = set(words("stopwords") | words("patent"))
    if builtin is not None and language in SPARK_STOPWORD_LISTS:
        stop |= {_norm(w) for w in builtin(SPARK_STOPWORD_LISTS[language])}
    if builtin is not None and language in MIXED_WITH_ENGLISH:
        # Japanese and Chinese pages carry English words and phrases ("R and D", product
        # names): their stop words are stop words there too.
        stop |= {_norm(w) for w in builtin("english")}
    return Vocabulary(
        language=language,
        stopwords=frozenset(stop),
        boilerplate=words("boilerplate"),
        generic=words("generic"),
        technology_heads=words("technology_heads"),
        joiners=words("joiners"),
    )


def spark_stopwords(name: str) -> list[str]:
    from pyspark.ml.feature import StopWordsRemover

    return StopWordsRemover.loadDefaultStopWords(name)
