"""How good the keywords are: precision@k on hand-labelled real pages, and lexicon share.

The labelled set (stages.keywords.labels, YAML) lists real firm pages by file under
stages.keywords.label_pages, each with the firm's name and the product and service terms a
reader finds on it. The pages are read with the pages stage's own extraction (charset,
Resiliparse main text or feed items, lingua language, page kind), each page as one firm, and
go through the same keyword steps as the stage.

A keyword is a hit when it is one of the page's labelled terms (exact, after NFKC and lower
case); the partial score also counts a keyword that contains a labelled term or is contained
in one, word by word (character by character in Japanese and Chinese): "gemahlener kaffee"
against the label "kaffee".
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from innolink.errors import ConfigError
from innolink.keywords.segment import normalize, surface
from innolink.pages import charset, kinds, language
from innolink.pages import text as page_text

log = logging.getLogger(__name__)

LABELLED_CRAWL = "labelled"


@dataclass(frozen=True)
class LabelledPage:
    file: str
    url: str
    firm: str
    domain: str | None
    keywords: tuple[str, ...]

    @property
    def firm_id(self) -> str:
        return "L" + hashlib.sha256(self.file.encode("utf-8")).hexdigest()[:16]


def norm(term: str) -> str:
    """A term as the stage writes keywords: NFKC, hyphens inside words removed, lower case."""
    return " ".join(normalize(term).lower().split())


def read_labels(path: str | Path) -> list[LabelledPage]:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"stages.keywords.labels: cannot read {path}: {exc}") from exc
    out = []
    for i, entry in enumerate(data.get("pages") or []):
        missing = [k for k in ("file", "url", "firm", "keywords") if not entry.get(k)]
        if missing:
            raise ConfigError(f"{path}: pages[{i}] lacks {missing}")
        out.append(
            LabelledPage(
                file=entry["file"],
                url=entry["url"],
                firm=entry["firm"],
                domain=entry.get("domain"),
                keywords=tuple(dict.fromkeys(norm(str(k)) for k in entry["keywords"])),
            )
        )
    return out


def page_row(page: LabelledPage, root: Path, kind_rules, languages: tuple[str, ...]) -> dict:
    """A silver/pages-like row of a labelled page, read as the pages stage reads pages."""
    data = (root / page.file).read_bytes()
    if page.file.endswith(".gz"):
        data = gzip.decompress(data)
    decoded, _charset, _source = charset.decode(data)
    if page.file.endswith(".xml") and page_text.feed_root(decoded):
        extracted = page_text.extract_feed(decoded)
    else:
        extracted = page_text.extract_html(decoded, page.url)
    return {
        "url": page.url,
        "crawl_id": LABELLED_CRAWL,
        "firm_id": page.firm_id,
        "fetch_time": None,
        "language": language.detect(extracted.text, languages, 300),
        "title": extracted.title,
        "headings": extracted.headings,
        "text": extracted.text,
        "page_kind": kinds.page_kind(page.url, extracted.title, extracted.headings, kind_rules),
    }


def labelled_rows(
    labels: list[LabelledPage], root: Path, kind_rules, languages: tuple[str, ...]
) -> tuple[list[dict], list[dict]]:
    """(page rows, firm rows: firm_id, name_keys, domain) of the labelled pages."""
    pages, firms = [], []
    for page in labels:
        path = root / page.file
        if not path.is_file():
            raise ConfigError(f"labelled page {path} is missing (stages.keywords.label_pages)")
        pages.append(page_row(page, root, kind_rules, languages))
        firms.append(
            {
                "firm_id": page.firm_id,
                # As the firms stage keys names: words only, no punctuation.
                "name_keys": [" ".join(re.sub(r"[^\w\s]", " ", norm(page.firm)).split())],
                "domain": page.domain,
            }
        )
    return pages, firms


def _words(term: str) -> list[str]:
    return term.split()


_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]")


def _inside(short: str, long: str) -> bool:
    if _CJK.search(short) or _CJK.search(long):
        return len(short) >= 2 and short.replace(" ", "") in long.replace(" ", "")
    s, t = _words(short), _words(long)
    return any(t[i : i + len(s)] == s for i in range(len(t) - len(s) + 1))


def _key(term: str) -> str:
    """Japanese and Chinese terms are compared as the stage writes them: without the spaces
    a segmenter or a labeller put between words ("SUINA スイナウォータル")."""
    term = norm(term)
    return surface(term, "ja") if _CJK.search(term) else term


def is_hit(keyword: str, labels: tuple[str, ...], partial: bool = False) -> bool:
    keyword = _key(keyword)
    keys = [_key(label) for label in labels]
    if keyword in keys:
        return True
    return partial and any(_inside(keyword, lab) or _inside(lab, keyword) for lab in keys)


@dataclass(frozen=True)
class PageScore:
    file: str
    keywords: tuple[str, ...]
    hits: int
    partial_hits: int


def precision_at_k(
    ranked: dict[str, list[str]], labels: list[LabelledPage], k: int
) -> tuple[float, float, list[PageScore]]:
    """(mean precision@k, mean partial precision@k, per page). ranked: firm_id -> keywords
    best first. A page with fewer than k keywords is scored over k all the same."""
    scores = []
    for page in labels:
        top = tuple(ranked.get(page.firm_id, [])[:k])
        scores.append(
            PageScore(
                file=page.file,
                keywords=top,
                hits=sum(is_hit(kw, page.keywords) for kw in top),
                partial_hits=sum(is_hit(kw, page.keywords, partial=True) for kw in top),
            )
        )
    if not scores:
        return 0.0, 0.0, []
    n = len(scores) * k
    return (
        sum(s.hits for s in scores) / n,
        sum(s.partial_hits for s in scores) / n,
        scores,
    )


def lexicon_share(ranked: dict[str, list[str]], lexicon: set[str], k: int) -> float:
    """Share of the firms' top-k keywords that are terms of a product lexicon (exact)."""
    top = [norm(kw) for kws in ranked.values() for kw in kws[:k]]
    return sum(kw in lexicon for kw in top) / len(top) if top else 0.0
