"""What a page is about, from its URL path and headings: the rules of `pages.page_kinds`.

Rules are tried in order; a rule matches when one of its URL patterns matches the URL's path
(and query), or one of its text patterns matches the title or a heading. URL patterns are
tried for every rule before any text pattern: a URL names a page's section more reliably than
a heading, which may mention products on an investor page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

OTHER = "other"


@dataclass(frozen=True)
class KindRule:
    kind: str
    # Each rule's patterns as one alternation: one search per text instead of one per pattern.
    url: re.Pattern | None
    text: re.Pattern | None


def _either(patterns: list[str]) -> re.Pattern | None:
    if not patterns:
        return None
    return re.compile("|".join(f"(?:{p})" for p in patterns), re.IGNORECASE)


def compile_rules(rules: list[dict]) -> tuple[KindRule, ...]:
    """Rules from configuration ({kind, url: [regex], text: [regex]}), case-insensitive."""
    return tuple(
        KindRule(kind=r["kind"], url=_either(r.get("url", [])), text=_either(r.get("text", [])))
        for r in rules
    )


def page_kind(url: str, title: str | None, headings: list[str], rules: tuple[KindRule, ...]) -> str:
    parts = urlsplit(url)
    where = parts.path + ("?" + parts.query if parts.query else "")
    for rule in rules:
        if rule.url is not None and rule.url.search(where):
            return rule.kind
    texts = "\n".join(t for t in (title, *headings[:5]) if t)
    for rule in rules:
        if rule.text is not None and rule.text.search(texts):
            return rule.kind
    return OTHER
