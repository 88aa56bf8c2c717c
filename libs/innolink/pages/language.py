"""The language of a page's text (lingua), as an ISO 639-1 code.

One detector per Python worker process, built on first use: building one loads the language
models (about half a second and 100 MB for every language, far less for a short list), so a
list of the languages firms' sites are written in is both faster and more accurate than all 75.
"""

from __future__ import annotations

from functools import lru_cache

from lingua import IsoCode639_1, LanguageDetectorBuilder


@lru_cache(maxsize=4)
def detector(languages: tuple[str, ...]):
    """A low-accuracy-mode detector (fast; accurate on texts of a sentence or more)."""
    if languages == ("all",):
        builder = LanguageDetectorBuilder.from_all_languages()
    else:
        builder = LanguageDetectorBuilder.from_iso_codes_639_1(
            *(getattr(IsoCode639_1, code.upper()) for code in languages)
        )
    return builder.with_low_accuracy_mode().build()


def check_languages(languages: tuple[str, ...]) -> list[str]:
    """The codes lingua does not know (for configuration errors)."""
    if languages == ("all",):
        return []
    return [code for code in languages if not hasattr(IsoCode639_1, code.upper())]


def sample_of(text: str, chars: int) -> str:
    """About `chars` characters of the text's sentence-length lines (menus and headings
    first on a page say little of its language); the text's start when it has none.

    Lingua's time grows with the sample: 300 characters of sentences decide as well as the
    whole page at a fifth of the cost of 1,000.
    """
    parts: list[str] = []
    size = 0
    for line in text.split("\n"):
        if len(line) >= 40 or (line and ord(line[0]) > 0x2E80 and len(line) >= 15):
            parts.append(line)
            size += len(line)
            if size >= chars:
                break
    return " ".join(parts)[:chars] if parts else text[:chars]


def detect(text: str, languages: tuple[str, ...], sample_chars: int) -> str | None:
    """ISO 639-1 code of the text's language, or None when lingua cannot tell."""
    sample = sample_of(text, sample_chars)
    if not sample.strip():
        return None
    language = detector(languages).detect_language_of(sample)
    return language.iso_code_639_1.name.lower() if language is not None else None
