"""A page's main text, title, headings and outgoing links (Resiliparse), or a feed's items.

Main text is Resiliparse's `extract_plain_text` on its lexbor DOM with steps of our own
around it. Resiliparse's main-content mode alone keeps much of the boilerplate that
trafilatura removes and loses whole articles on some layouts; trafilatura is several times
slower. The figures are in innolink.pages (docstring) and asserted by
tests/test_pages_text.py.

1. Blocks whose class or id names boilerplate (sharing, newsletter, cookie banners, related
   articles, author boxes, ratings, comment sections...: trafilatura's discard vocabulary),
   and nav/aside/footer/form elements, are skipped.
2. Blocks hidden on a desktop screen are skipped: by attribute (hidden, aria-hidden, display:
   none, Resiliparse's own rule), by class (Resiliparse's rule less its responsive variants,
   "hidden-xs" being shown on desktops; "hide-from-desktop"), and screen-reader-only text.
3. Media are skipped, but not figures: CMSs wrap tables, code and quotes in <figure>.
4. Resiliparse's main-content mode decides the rest; when it keeps almost nothing (it
   misjudged the layout), the whole page less the skipped blocks is read instead.
5. A label closing the text ("Darstellung:") is dropped: its block was boilerplate.
6. Blogger post templates (<script type="text/template">) are read as HTML.

Costs are kept near Resiliparse's own: class and id values are judged once per distinct value
(lru_cache: a site's pages share their templates) from the page source with literal-prefix
regular expressions, and Resiliparse skips the boilerplate by exact attribute selectors, so
no Python loop visits the DOM's elements. (An article-container step like trafilatura's
BODY_XPATH was measured and left out, twice: it lost more must-include text than it removed
boilerplate, and the boilerplate left is mostly inside the article containers anyway.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import urljoin, urlsplit

from resiliparse.extract.html2text import extract_plain_text
from resiliparse.parse.html import HTMLTree

# A class token (or id) whose first or last dash/underscore-separated part is one of these
# names a boilerplate block ("share", "share-bar", "comments_area", "post-comments"). Only
# first or last: "commentary" articles and the "content-sidebar-wrap" holding an article
# must stay.
BOILERPLATE_WORDS = frozenset(
    """share sharing social newsletter cookie cookies consent sidebar breadcrumb breadcrumbs
    byline author authors related upsell crosssell recommendations rating ratings review
    reviews comment comments promo advert banner subscribe signup pagination tooltip
    disclosure navbar navigation menu footer modal popup overlay teaser cta aside widget
    gadget gadgets community slider caption meta dateline""".split()
)
# Parts that name boilerplate wherever they stand in a token ("av-social-sharing-box").
BOILERPLATE_PARTS = frozenset(
    """share sharing social newsletter cookie consent breadcrumb related byline upsell
    crosssell disclosure tooltip pagination""".split()
)
# WordPress and similar builders put the post's taxonomy on the article itself
# ("category-community", "tag-cookies"): such tokens say nothing about the block.
_TAXONOMY_PREFIXES = ("category-", "tag-", "postid-", "keyword-", "format-", "type-")
_TOKEN_SPLIT = re.compile(r"[-_]+")
# A class that hides its block: Resiliparse's own rule less the responsive classes that hide a
# block on phones or tablets only ("hidden-xs", "hidden-sm": Bootstrap 3). A desktop shows
# those blocks, and Resiliparse's rule dropped product feature lists and comparison tables
# with them. Its class rule is turned off (hidden_elements=True) and this one applied by skip
# selectors instead.
_HIDDEN_CLASS = re.compile(
    r"(?:^|\s)(?:(?:is|visually)[_-])?"
    r"(?:display-none|hidden|invisible|collapsed|h-0|nocontent|expandable)"
    r"(?:-lg|-2?xl)?(?:$|\s)"
)
# Spelled out: hidden on desktops ("hide-from-desktop", "hidden-desktop"; the same as
# "hidden-lg"), or shown to screen readers only (skip links, "opens in a new window").
_HIDE_PARTS = frozenset(("hide", "hidden"))
_SCREEN_READER_ONLY = frozenset(
    ("sr-only", "screen-reader-text", "screen-reader-only", "visuallyhidden", "screenreader-only")
)

# Attribute values in the page source. Each pattern starts with a literal, which Python's
# regex engine finds with a fast scan; a pattern over every tag costs ten times more.
_ATTRIBUTE_VALUES = {
    "class": re.compile(r"""class=["']([^"']*)"""),
    "id": re.compile(r"""id=["']([^"']*)"""),
}
# Links are read from the body only: the head's <link href> are stylesheets and icons.
_HREF = re.compile(r"""href=["']([^"']*)""")
# Blogger (blogspot) pages, corporate blogs among them, ship the post body as an HTML template
# inside <script type="text/template">; a parser skips scripts, so the article would be lost.
_TEMPLATE_SCRIPT = re.compile(
    r"""<script\s+type\s*=\s*["']text/template["'][^>]*>(.*?)</script>""",
    re.IGNORECASE | re.DOTALL,
)

# Elements that never hold the main text. Media are listed here rather than left to
# Resiliparse's alt_texts=False, which also drops every <figure>: the tables, code and quotes
# that CMSs wrap in figures ("wp-block-table") are main text.
SKIP_ELEMENTS = (
    "nav",
    "aside",
    "footer",
    "form",
    "button",
    "select",
    "figcaption",
    "img",
    "area",
    "svg",
    "object",
    "embed",
    "video",
    "audio",
    "[role=navigation]",
    "[role=complementary]",
    "[role=contentinfo]",
)
# Hidden by attribute: Resiliparse's main-content mode skips these itself, its reading of the
# whole page (the fallback when main content is too short) does not.
_HIDDEN_ATTRIBUTES = ", ".join(
    (
        "[hidden]",
        "[aria-hidden=true]",
        '[style*="display:none"]',
        '[style*="display: none"]',
        '[style*="visibility:hidden"]',
        '[style*="visibility: hidden"]',
    )
)
# Never skipped for their class ("category-news" on <article>, "menu-open" on <body>).
_KEEP = ":not(main):not(article):not(body)"

# Main-content results shorter than this (characters) mean Resiliparse misjudged the layout.
_MAIN_MIN_CHARS = 200
_MAX_HEADINGS = 50
# A line ending with a colon and no longer than this is a label, not a sentence.
_MAX_LABEL_CHARS = 60
# Media are skipped by SKIP_ELEMENTS (alt_texts=False would drop figures) and hidden classes by
# _HIDDEN_CLASS (hidden_elements=True turns off Resiliparse's class rule only).
_EXTRACT_OPTIONS = {"comments": False, "alt_texts": True, "hidden_elements": True}
_HEADING_TAGS = "h1, h2, h3"


@dataclass(frozen=True)
class Extracted:
    title: str | None
    text: str
    headings: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)


def clean(text: str | None) -> str:
    """Spaces collapsed within lines (any Unicode space), runs of blank lines made one."""
    if not text:
        return ""
    out: list[str] = []
    blank = True
    for line in text.split("\n"):
        line = " ".join(line.split())
        if line:
            out.append(line)
            blank = False
        elif not blank:
            out.append("")
            blank = True
    if out and out[-1] == "":
        out.pop()
    return "\n".join(out)


@lru_cache(maxsize=1 << 16)
def is_boilerplate(value: str) -> bool:
    """Whether a class attribute (or an id) names a boilerplate block."""
    for token in value.lower().split():
        if token.startswith(_TAXONOMY_PREFIXES):
            continue
        parts = [p for p in _TOKEN_SPLIT.split(token) if p]
        if not parts:
            continue
        if parts[0] in BOILERPLATE_WORDS or parts[-1] in BOILERPLATE_WORDS:
            return True
        if any(p in BOILERPLATE_PARTS for p in parts):
            return True
    return False


def _css_string(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\a ")


@lru_cache(maxsize=1 << 16)
def is_hidden(value: str) -> bool:
    """Whether a class attribute hides its block on a desktop screen."""
    value = value.lower()
    if _HIDDEN_CLASS.search(value):
        return True
    for token in value.split():
        if token in _SCREEN_READER_ONLY:
            return True
        parts = set(_TOKEN_SPLIT.split(token))
        if "desktop" in parts and not parts.isdisjoint(_HIDE_PARTS):
            return True
    return False


def boilerplate_values(html: str) -> dict[str, set[str]]:
    """The class and id values of the page that name boilerplate (or, classes, hide a block)."""
    return {
        "class": {
            v
            for v in set(_ATTRIBUTE_VALUES["class"].findall(html))
            if v and (is_boilerplate(v) or is_hidden(v))
        },
        "id": {v for v in set(_ATTRIBUTE_VALUES["id"].findall(html)) if v and is_boilerplate(v)},
    }


def skip_selectors(bad: dict[str, set[str]]) -> list[str]:
    return [_skip_selector(frozenset(bad["class"]), frozenset(bad["id"]))]


@lru_cache(maxsize=4096)
def _skip_selector(classes: frozenset[str], ids: frozenset[str]) -> str:
    """One selector list (a site's pages share their templates, so most calls are hits)."""
    selectors = list(SKIP_ELEMENTS)
    for attribute, values in (("class", classes), ("id", ids)):
        selectors += [f'[{attribute}="{_css_string(v)}"]{_KEEP}' for v in sorted(values)]
    return ", ".join(selectors)


def links_of(html: str, base_url: str | None, limit: int) -> list[str]:
    """Absolute http(s) targets of the page's <a href>, first occurrence order, no fragments.

    Read from the source (a Python walk over the DOM's anchors costs more than the
    extraction); absolute and root-relative links, most of a page's, skip urljoin.
    """
    base = urlsplit(base_url) if base_url else None
    origin = f"{base.scheme}://{base.netloc}" if base and base.netloc else None
    out: dict[str, None] = {}
    body = max(html.find("<body"), html.find("<BODY"), 0)
    # Menus repeat the same links: each distinct href is looked at once.
    for href in dict.fromkeys(_HREF.findall(html, body)):
        if not href or href[0] == "#":
            continue
        if href.startswith(("http://", "https://")):
            url = href
        elif href.startswith("//") and base:
            url = f"{base.scheme}:{href}"
        elif href[0] == "/" and origin:
            url = origin + href
        elif base_url and not href.startswith(("javascript:", "mailto:", "tel:", "data:")):
            try:
                url = urljoin(base_url, href)
            except ValueError:
                continue
            if not url.startswith(("http://", "https://")):
                continue
        else:
            continue
        if "#" in url:
            url = url.split("#", 1)[0]
        if "&amp;" in url:
            url = url.replace("&amp;", "&")
        if url not in out:
            out[url] = None
            if len(out) >= limit:
                break
    return list(out)


def _drop_dangling_label(text: str) -> str:
    """The text less a closing label ("Darstellung:", "Read more about:").

    A label introduces a block; when it ends the text, its block (a link list, a settings
    switch) was left out as boilerplate and the label is the block's last remnant.
    """
    while text.endswith(":"):
        start = text.rfind("\n") + 1
        if len(text) - start > _MAX_LABEL_CHARS:
            break
        text = text[:start].rstrip()
    return text


def extract_html(html: str, base_url: str | None = None, max_links: int = 500) -> Extracted:
    """Title, headings (h1-h3 outside boilerplate), outgoing links and main text of a page."""
    if "text/template" in html:
        html = _TEMPLATE_SCRIPT.sub(r"<div>\1</div>", html)
    bad = boilerplate_values(html)
    skip = skip_selectors(bad)
    tree = HTMLTree.parse(html)
    title = clean(tree.title) or None
    links = links_of(html, base_url, max_links)
    if tree.body is None:
        return Extracted(title=title, text="", links=links)
    heading_nodes = tree.body.query_selector_all(_HEADING_TAGS).values()
    heading_texts = [(node.tag, " ".join((node.text or "").split())) for node in heading_nodes]
    text = extract_plain_text(tree, main_content=True, skip_elements=skip, **_EXTRACT_OPTIONS)
    if len(text) < _MAIN_MIN_CHARS:
        text = extract_plain_text(
            tree, skip_elements=[*skip, _HIDDEN_ATTRIBUTES], **_EXTRACT_OPTIONS
        )
    text = _drop_dangling_label(clean(text))
    # The page's own headings: the first h1, and those the main text kept (a walk up every
    # heading's ancestors to test for boilerplate would cost a third of the extraction).
    headings: list[str] = []
    for tag, heading in heading_texts:
        if heading and (heading in text or (tag == "h1" and not headings)):
            if heading not in headings:
                headings.append(heading)
            if len(headings) >= _MAX_HEADINGS:
                break
    return Extracted(title=title, text=text, headings=headings, links=links)


# Feeds (RSS 0.9x/2.0, RSS 1.0 RDF, Atom): firms publish press releases and product news
# this way. Elements are matched by local name, whatever the namespace.
_FEED_ROOTS = {"rss", "feed", "RDF"}
_FEED_ITEMS = {"item", "entry"}
_FEED_TEXTS = ("description", "summary", "content", "encoded")
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def feed_root(text: str) -> bool:
    """Whether an XML document is a feed (its root element is rss, feed or rdf:RDF)."""
    head = text.lstrip()[:4096]
    while head.startswith(("<?", "<!--", "<!")):
        end = head.find(">")
        if end < 0:
            return False
        head = head[end + 1 :].lstrip()
    match = re.match(r"<([A-Za-z_][\w.:-]*)", head)
    return bool(match) and match.group(1).rsplit(":", 1)[-1] in _FEED_ROOTS


def _html_text(fragment: str) -> str:
    """Plain text of an HTML fragment (feed descriptions carry escaped HTML)."""
    if "<" not in fragment and "&" not in fragment:
        return fragment
    return extract_plain_text(HTMLTree.parse(fragment), alt_texts=False)


def extract_feed(text: str, max_links: int = 500) -> Extracted:
    """Feed title, item titles as headings, item links, and title + text of every item."""
    from lxml import etree

    parser = etree.XMLParser(
        recover=True, resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    # lxml refuses a str that still declares its (already decoded) encoding.
    root = etree.fromstring(_XML_DECLARATION.sub("", text, count=1).encode("utf-8"), parser)
    if root is None:
        return Extracted(title=None, text="")
    title = None
    for element in root.iter():
        if _local(element.tag) == "title":
            title = clean(element.text) or None
            break
    headings: list[str] = []
    links: list[str] = []
    blocks: list[str] = []
    for item in root.iter():
        if _local(item.tag) not in _FEED_ITEMS:
            continue
        item_title, body = "", ""
        for child in item:
            name = _local(child.tag)
            if name == "title" and not item_title:
                item_title = clean("".join(child.itertext()))
            elif name == "link" and len(links) < max_links:
                href = child.get("href") or (child.text or "").strip()
                if href.startswith(("http://", "https://")) and href not in links:
                    links.append(href)
            elif name in _FEED_TEXTS and not body:
                body = clean(_html_text("".join(child.itertext())))
        if item_title:
            headings.append(item_title)
        blocks.append("\n".join(part for part in (item_title, body) if part))
    return Extracted(
        title=title,
        text="\n\n".join(b for b in blocks if b),
        headings=headings[:_MAX_HEADINGS],
        links=links,
    )
