"""Page text without Spark: main-text quality against trafilatura on real pages, charsets of
real Japanese and Chinese pages and feeds, feeds, page kinds, page -> firm, MinHash."""

from __future__ import annotations

import csv
import gzip
import json
import time

import pytest
from innolink.config import load_config
from innolink.pages import charset, dedup, firms, kinds
from innolink.pages.text import (
    clean,
    extract_feed,
    extract_html,
    feed_root,
    is_boilerplate,
    is_hidden,
)

from .conftest import ROOT, SHARED

WEB = SHARED / "web"
HTML = WEB / "html"
CJK = WEB / "html_cjk"


def _norm(text: str) -> str:
    return " ".join(text.split())


def _quality(extract) -> tuple[int, int, int, int, float]:
    """(must-include found, of, must-exclude absent, of, seconds) over the evaluation set."""
    expected = json.loads((HTML / "trafilatura_expected_text_snippets.json").read_text())
    found = found_of = absent = absent_of = 0
    seconds = 0.0
    for url, case in sorted(expected.items()):
        data = (HTML / "trafilatura" / case["file"]).read_bytes()
        html, _, _ = charset.decode(data)
        start = time.process_time()
        text = _norm(extract(html, url) or "")
        seconds += time.process_time() - start
        found += sum(_norm(s) in text for s in case["with"])
        found_of += len(case["with"])
        absent += sum(_norm(s) not in text for s in case["without"])
        absent_of += len(case["without"])
    return found, found_of, absent, absent_of, seconds


def test_main_text_quality_against_trafilatura():
    import trafilatura

    ours = _quality(lambda html, url: extract_html(html, url).text)
    reference = _quality(lambda html, url: trafilatura.extract(html, url=url))
    # 37 pages, 110 must-include and 107 must-exclude snippets (trafilatura's own evaluation
    # data). Figures of this run, printed for the report (pytest -s).
    print(f"\nours:        {ours[:4]} {37 / ours[4]:.0f} pages/s (CPU)")
    print(f"trafilatura: {reference[:4]} {37 / reference[4]:.0f} pages/s (CPU)")
    # Ours finds more of the pages' own text (108 against 99) and lets more boilerplate
    # through (13 snippets against 6): 202 of 217 right against trafilatura's 200. Most of the
    # boilerplate left sits inside the article containers (teasers, calls to action, a
    # cookie explainer opened by script), where no class or tag names it.
    assert ours[:4] == (108, 110, 94, 107)
    assert reference[:4] == (99, 110, 101, 107)
    # Resiliparse with our steps is several times faster than trafilatura's default.
    assert ours[4] * 4 < reference[4]


def test_boilerplate_words_are_whole_parts_of_class_tokens():
    assert is_boilerplate("share-bar")
    assert is_boilerplate("post-comments z")
    assert is_boilerplate("av-social-sharing-box")
    # A word inside another word, or in the middle of a token, names nothing.
    assert not is_boilerplate("commentary article")
    assert not is_boilerplate("content-sidebar-wrap")
    # WordPress taxonomy classes on the article itself.
    assert not is_boilerplate("post category-community tag-cookies")


def test_hidden_classes_are_judged_for_a_desktop_screen():
    assert is_hidden("x hidden")
    assert is_hidden("is-hidden")
    assert is_hidden("teaser hidden-lg")
    assert is_hidden("collapse-box a-u-hide-from-desktop")
    assert is_hidden("sr-only sr-only-focusable")
    # Hidden on phones or tablets only: a desktop shows them.
    assert not is_hidden("hidden-xs")
    assert not is_hidden("visible-md visible-lg hidden-sm")
    # A field whose label is hidden shows its text (Drupal).
    assert not is_hidden("field field--label-hidden field--item")


_ARTICLE = "<p>" + "Die Anlage trennt Lithium aus alten Akkus mit wenig Energie. " * 5 + "</p>"


def _text(body: str) -> str:
    # Nested: Resiliparse takes a list right under <body> for the site's navigation.
    page = f"<html><body><main><div><div>{_ARTICLE}{body}</div></div></main></body></html>"
    return extract_html(page).text


def test_hidden_blocks_skipped_and_figures_kept():
    assert "Dispatch" in _text('<ul class="hidden-xs"><li>Dispatch within 24 hours</li></ul>')
    assert "Dispatch" not in _text('<ul class="hidden"><li>Dispatch within 24 hours</li></ul>')
    assert "Heft" not in _text('<div class="hide-from-desktop"><p>Aus dem Heft 7</p></div>')
    assert "Skip" not in _text('<a class="sr-only" href="#c">Skip to content</a>')
    # Tables (and code, quotes) that CMSs wrap in figures; the images stay out.
    table = _text(
        '<figure class="wp-block-table"><table><tr><td>SEPA</td><td>0.15 EUR</td></tr>'
        '</table><img src="t.png" alt="Fee table"></figure>'
    )
    assert table.endswith("wenig Energie.\n\nSEPA 0.15 EUR")


def test_a_label_closing_the_text_is_dropped():
    text = _text("<div><span>Darstellung:</span></div>")
    assert text.endswith("wenig Energie.")
    # A label with its block, or a sentence ending in a colon, stays.
    assert _text("<p>Zutaten:</p><p>200 g Mehl</p>").endswith("Zutaten:\n\n200 g Mehl")
    long_line = "Die Anlage wurde in diesem Jahr in Betrieb genommen und leistet heute Folgendes:"
    assert _text(f"<p>{long_line}</p>").endswith(long_line)


def test_clean_collapses_spaces_and_blank_lines():
    assert clean("  a \u3000 b\n\n\n\nc \u00a0\n  \n") == "a b\n\nc"


def _cjk_page(name: str) -> tuple[str, str, str]:
    data = (CJK / name).read_bytes()
    if name.endswith(".gz"):
        data = gzip.decompress(data)
    return charset.decode(data)


@pytest.mark.parametrize(
    "name, charset_name, source, title, snippet",
    [
        (
            "htmldate/prtimes.jp.housecom.html",
            "utf-8",
            "meta",
            "賃貸仲介のハウスコム、7月1日に駅近エリア出店となる「岐阜駅前店」をオープン！"
            "｜ハウスコム株式会社のプレスリリース",
            "2020年7月1日に岐阜県で岐阜店に続いて2店舗目となる岐阜駅前店（岐阜県岐阜市）を新規オープン",
        ),
        (
            "htmldate/money.udn.com.sony-kioxia-huawei.html",
            "utf-8",
            "meta",
            "索尼、鎧俠業績遭波及 已向美申請供貨華為 | 兩岸焦點 | 兩岸 | 經濟日報",
            "已經向美國華府申請繼續為大陸電訊設備生產商華為提供設備",
        ),
        (
            "readability/yahoo-4.trendmicro.source.html",
            "utf-8",
            "meta",
            "トレンドマイクロ、公衆無線LANを安全に使うためのアプリ「フリーWi-Fiプロテクション」"
            " （CNET Japan） - Yahoo!ニュース",
            "1年版ライセンスは2900円（税込）で、2年版ライセンスは5000円（税込）",
        ),
        ("jsoup/yahoo-jp.html.gz", "utf-8", "meta", "Yahoo! JAPAN", "オークション"),
        (
            # GB2312 bytes; the file's first `charset=` (on a script tag) says utf-8.
            "trafilatura/archive.org.he.xinhuanet.com.25340717.gb2312.html",
            "gbk",
            "meta",
            "话剧《约定无期限》河北各市巡演结束",
            "一个约定，信守15年，感人至深；一段真情，延续15年，催人泪下。",
        ),
    ],
)
def test_japanese_and_chinese_pages_decode(name, charset_name, source, title, snippet):
    text, found, where = _cjk_page(name)
    assert (found, where) == (charset_name, source)
    page = extract_html(text, "http://example.org/")
    assert page.title == title
    assert snippet in page.text
    assert "\ufffd" not in page.text


@pytest.mark.parametrize(
    "name, charset_name, title, item, snippet",
    [
        (
            "chardet/acnnewswire.net.gb2312.xml",
            "gbk",
            "Asia Corporate Press via ACNNewswire.net",
            "JCB 与中国银联（China UnionPay）完成ATM网关协议的签订；"
            "CUP持卡者得以第一次在日本享受使用ATM网络的权利",
            "唯一以亚洲为基地的国际付款品牌JCB很高兴地宣布",
        ),
        (
            "chardet/blog.kabu-navi.com.atom.euc-jp.xml",
            "euc-jp",
            "「負けない」投資家の日記",
            "鉄鋼３社、株式の持ち合い強化検討 敵対的買収に対応",
            "IPO神話破れたり。",
        ),
        (
            "chardet/nextbeaut.com.shift_jis.xml",
            "shift_jis",
            "ダイエットサプリメント通販ブログ【コエンザイムＱ１０・αリポ酸・Ｌ－カルニチン】",
            "SUINA スイナウォータル",
            "特許成分、特許技術を使ったＷ特許の全く新しい化粧水！",
        ),
        (
            "chardet/digitalwall.com.big5.xml",
            "big5",
            "《個人．家庭．數位化 - 數位之牆》",
            "再談軟體與媒體的典範轉移",
            "筆者發表文章「軟體與媒體的典範轉移」",
        ),
    ],
)
def test_legacy_encoded_feeds_decode(name, charset_name, title, item, snippet):
    text, found, where = _cjk_page(name)
    # The XML declaration names the encoding; expat could not read these multi-byte ones.
    assert (found, where) == (charset_name, "xml")
    assert feed_root(text)
    feed = extract_feed(text)
    assert feed.title == title
    assert item in feed.headings
    assert snippet in feed.text


def test_charset_order_and_fallbacks():
    gbk = "<html><head><meta charset=gb2312></head><body>中文</body></html>".encode("gbk")
    # The HTTP header wins over the page ...
    assert charset.decode("<p>é</p>".encode("cp1252"), "iso-8859-1")[1:] == (
        "windows-1252",
        "http",
    )
    # ... unless the bytes do not decode in it: the page's own declaration is next.
    assert charset.decode(gbk, "utf-8") == (gbk.decode("gb18030"), "gbk", "meta")
    # No declaration anywhere: detection.
    assert charset.decode("これは日本語の文章です。".encode("euc_jp") * 5)[1:] == (
        "euc-jp",
        "detected",
    )
    # A byte-order mark beats everything.
    assert charset.decode(b"\xef\xbb\xbfabc", "shift_jis") == ("abc", "utf-8", "bom")


def _kind_rules():
    cfg = load_config("local", conf_dir=ROOT / "conf").stages.pages
    return kinds.compile_rules([r.model_dump() for r in cfg.page_kinds])


@pytest.mark.parametrize(
    "url, title, headings, kind",
    [
        ("https://www.parallels.com/products/desktop/", "Parallels Desktop", [], "product_service"),
        ("https://www.toyota.co.jp/jpn/investors/", "Toyota", [], "investor_relations"),
        ("https://www.sony.com/en/SonyInfo/CorporateInfo/", "Corporate", [], "other"),
        ("https://www.fairkom.eu/about", "fairkom", [], "about"),
        ("https://www.siemens.com/press/2024/01/x", "Siemens", [], "news"),
        ("https://www.disco.co.jp/jp/", "DISCO", ["会社概要"], "about"),
        ("https://www.example.co.jp/", "製品情報 | Example", [], "product_service"),
        ("https://www.example.com/x", "Hello", ["Welcome"], "other"),
    ],
)
def test_page_kind(url, title, headings, kind):
    assert kinds.page_kind(url, title, headings, _kind_rules()) == kind


def test_page_to_firm_by_host_then_registered_domain():
    keys = {"lavazza.de": ("F1",), "shop.lavazza.com": ("F2",), "lavazza.com": ("F1",)}
    assert firms.match("https://www.lavazza.de/de/kaffee", keys) == ("F1", "lavazza.de", "")
    assert firms.match("http://shop.lavazza.com/a", keys) == ("F2", "lavazza.com", "")
    assert firms.match("https://eu.lavazza.com/", keys) == ("F1", "lavazza.com", "")
    # Registered domains of multi-part public suffixes, offline.
    assert firms.match("https://www.kyokuyo.co.jp/", {"kyokuyo.co.jp": ("K",)})[:2] == (
        "K",
        "kyokuyo.co.jp",
    )
    assert firms.match("http://foo.org/", keys) == (None, "foo.org", "firm.unmatched")
    assert firms.match("http://127.0.0.1/x", keys) == (None, None, "firm.unmatched")
    assert firms.match("http://x.co.jp/", {"x.co.jp": ("A", "B")}) == (
        None,
        "x.co.jp",
        "firm.ambiguous_domain",
    )


def _shingles(text: str) -> set[str]:
    text = " ".join(text.lower().split())
    return {text[i : i + dedup.SHINGLE_CHARS] for i in range(len(text) - dedup.SHINGLE_CHARS + 1)}


def test_minhash_estimates_jaccard_and_is_stable():
    rows = list(csv.DictReader((HTML / "url_index.csv").open(encoding="utf-8")))
    text = extract_html(charset.decode((HTML / rows[0]["file"]).read_bytes())[0]).text
    half = text[: len(text) * 4 // 5]

    def agree(a, b):
        return sum(x == y for x, y in zip(a, b, strict=True)) / dedup.PERMUTATIONS

    a, b = dedup.signature(text), dedup.signature(half)
    truth = len(_shingles(text) & _shingles(half)) / len(_shingles(text) | _shingles(half))
    assert abs(agree(a, b) - truth) < 0.12
    assert agree(a, dedup.signature(text)) == 1.0
    other = extract_html(charset.decode((HTML / rows[1]["file"]).read_bytes())[0]).text
    assert agree(a, dedup.signature(other)) < 0.05
    # The same text gives the same signature in every process (no salted hash()).
    assert dedup.signature("Produkte und Leistungen")[:2] == [
        7036592351902187963,
        -5064628627435515116,
    ]
