"""Text before Spark NLP: Unicode normalization, and words for the languages written without spaces.

Spark NLP's Tokenizer splits on spaces, so Japanese and Chinese text is segmented first:
Japanese with SudachiPy (core dictionary, split mode C: the longest units, so バッテリーパック
stays one word), Chinese with jieba. The segmenters are loaded once per Python process (a
Spark Python worker is reused across tasks) and the words are joined with spaces; after that
the Spark NLP pipeline is the same for every language.

Japanese words that cannot be part of a product name (particles, auxiliary verbs, verbs,
adverbs, symbols: Sudachi's part of speech says so) become a boundary mark, which ends a
keyword candidate and is removed with the punctuation; Chinese function words are stop words
(conf/mappings/stopwords.yaml), since jieba's part-of-speech mode costs several times its
plain segmentation.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from functools import lru_cache

log = logging.getLogger(__name__)

# Ends a keyword candidate (YAKE tags a token without letters or digits as unparsable and
# never puts it inside a candidate) and is removed by the Normalizer.
BOUNDARY = "|"

SEGMENTED = frozenset({"ja", "zh"})

# Sudachi parts of speech a product name is made of: nouns (incl. verbal nouns 開発, 製造),
# prefixes and suffixes (産業用, 充電器), na-adjective stems (高精度), and unknown words.
_JA_CONTENT = frozenset({"名詞", "接頭辞", "接尾辞", "形状詞", "記号"})
# Sudachi tags letters and digits it does not know ("EV", "5") as 記号 or 名詞/数詞 with a
# 記号 subtype: a token of them is content, other 記号 tokens (・, ※) are not.
_ALNUM = re.compile(r"^[\w]+$")

_SPLIT_MODES = ("A", "B", "C")


def language_key(code: str | None) -> str:
    """The pipeline a page or patent goes to: ISO 639-1 ("zh-Hant" -> "zh"), "und" if unknown."""
    if not code:
        return "und"
    key = code.strip().lower().replace("_", "-").split("-", 1)[0]
    return key if re.fullmatch(r"[a-z]{2,3}", key) else "und"


# A hyphen inside a word goes ("Wi-Fi" -> "WiFi", "know-how" -> "knowhow"): one spelling
# for every page, and a word YAKE can use (it skips tokens mixing letters and punctuation).
_INNER_HYPHEN = re.compile(r"(?<=[^\W_])[-\u2010\u2011](?=[^\W_])")


def normalize(text: str | None) -> str:
    """NFKC (full-width letters and digits become ASCII), hyphens inside words removed, spaces
    collapsed within lines, blank lines dropped."""
    if not text:
        return ""
    text = _INNER_HYPHEN.sub("", unicodedata.normalize("NFKC", text))
    lines = (" ".join(line.split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


@lru_cache(maxsize=4)
def _sudachi(mode: str):
    from sudachipy import Dictionary, SplitMode

    log.info("loading the Sudachi core dictionary (split mode %s)", mode)
    return Dictionary(dict="core").tokenizer(mode=getattr(SplitMode, mode))


@lru_cache(maxsize=1)
def _jieba():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


def japanese_words(line: str, mode: str = "C") -> list[str]:
    """Sudachi's words of one line; function words replaced by BOUNDARY."""
    out: list[str] = []
    for morpheme in _sudachi(mode).tokenize(line):
        surface = morpheme.surface().strip()
        pos = morpheme.part_of_speech()[0]
        # A space between Japanese words separates phrases: a boundary too.
        if surface and pos in _JA_CONTENT and (pos != "記号" or _ALNUM.match(surface)):
            out.append(surface)
        elif not out or out[-1] != BOUNDARY:
            out.append(BOUNDARY)
    return out


def chinese_words(line: str) -> list[str]:
    return [w for w in (t.strip() for t in _jieba().lcut(line)) if w]


def segment(text: str | None, language: str, split_mode: str = "C") -> str:
    """Normalized text; Japanese and Chinese with words separated by spaces, line by line."""
    if split_mode not in _SPLIT_MODES:
        raise ValueError(f"Sudachi split mode must be one of {_SPLIT_MODES}, not {split_mode!r}")
    text = normalize(text)
    if language == "ja":
        return "\n".join(" ".join(japanese_words(line, split_mode)) for line in text.split("\n"))
    if language == "zh":
        return "\n".join(" ".join(chinese_words(line)) for line in text.split("\n"))
    return text


# A space between two words is kept in Japanese and Chinese keywords only between Latin
# letters or digits ("LED 照明" -> "LED照明", "AI chip" stays): the keyword is then written
# as the language writes it, whatever the segmenter's choice of word boundaries.
_CJK_SPACE = re.compile(r"(?<=[^A-Za-z0-9]) | (?=[^A-Za-z0-9])")


def surface(words: str, language: str) -> str:
    """How a keyword made of space-separated words is written in its language."""
    if language in SEGMENTED:
        return _CJK_SPACE.sub("", words)
    return words


# The same rule as a Java regular expression, for Spark SQL (regexp_replace).
CJK_SPACE_JAVA = r"(?<=[^A-Za-z0-9]) | (?=[^A-Za-z0-9])"
