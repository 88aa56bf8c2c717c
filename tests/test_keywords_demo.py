"""Keywords of synthetic firm sites with planted products: the demo world's generator
(innolink.synth) writes each firm's pages from its product mix theta_p, with the shared
boilerplate (cookie banner, navigation, newsletter, footer), per-site templates and the
technology the firm builds on. The keywords must be the firm's products, not the rest."""

from __future__ import annotations

import re

import pytest
import yaml
from innolink.config import load_config
from innolink.keywords import evaluate as E
from innolink.keywords import extract as X
from innolink.keywords import vocabulary as V
from innolink.pages import kinds
from innolink.pages.text import extract_html
from innolink.synth.generate import site_pages
from innolink.synth.world import firm_of, scale_of, world_of
from innolink.tables import PATENTS

from .conftest import ROOT

LEXICON = ROOT / "libs/innolink/synth/lexicon"
FIRMS = 36


def _key(term: str) -> str:
    return E._key(term)


@pytest.fixture(scope="module")
def demo(spark):
    cfg = load_config(env="local", conf_dir=ROOT / "conf")
    scale = scale_of("demo")
    world = world_of(1, scale)
    firms = [f for f in (firm_of(1, scale, i) for i in range(FIRMS)) if f["website"]]
    rules = kinds.compile_rules([r.model_dump() for r in cfg.stages.pages.page_kinds])
    pages, names = [], []
    for firm in firms:
        for page in site_pages(world, firm):
            html = page["html"].replace("@@CHARSET@@", "").replace("@@URL@@", page["url"])
            ex = extract_html(html, page["url"])
            pages.append(
                (
                    page["url"],
                    "own",
                    firm["key"],
                    None,
                    page["lang"],
                    ex.title,
                    ex.text,
                    kinds.page_kind(page["url"], ex.title, ex.headings, rules),
                )
            )
        keys = {
            " ".join(re.sub(r"[^\w\s]", " ", n.lower()).split())
            for n in (firm["name"], firm["name_local"], firm["short_local"])
            if n
        }
        names.append((firm["key"], sorted(keys), firm["domain"]))
    pages_df = spark.createDataFrame(
        pages,
        "url string, crawl_id string, firm_id string, fetch_time timestamp, language string, "
        "title string, text string, page_kind string",
    )
    firms_df = spark.createDataFrame(
        names, "firm_id string, name_keys array<string>, domain string"
    )
    lists = V.read(ROOT / "conf/mappings/stopwords.yaml")
    outputs = X.extract(
        spark,
        pages_df,
        spark.createDataFrame([], PATENTS.schema),
        firms_df,
        lists,
        cfg.stages.keywords,
        "demo",
    )
    ranked: dict[str, list[str]] = {}
    for row in outputs.firm_keywords.orderBy("firm_id", "rank").collect():
        ranked.setdefault(row.firm_id, []).append(row.keyword)
    return firms, ranked, len(pages)


def _lexicon() -> dict[str, set[str]]:
    """Every product term of the synthetic world (en/ja/zh) -> its product categories."""
    products = yaml.safe_load((LEXICON / "products.yaml").read_text(encoding="utf-8"))
    terms: dict[str, set[str]] = {}
    for pid, product in products["products"].items():
        for term in [*product["name"], *(t for kw in product["keywords"] for t in kw)]:
            terms.setdefault(_key(term), set()).add(pid)
    return terms


def test_top_keywords_are_the_firms_products(demo):
    firms, ranked, pages = demo
    # The first 36 firms of the demo world: 35 have a site.
    assert len(firms) == 35 and pages == 325
    assert set(ranked) == {f["key"] for f in firms}
    lexicon = _lexicon()
    top = [(f, _key(kw)) for f in firms for kw in ranked[f["key"]][:10]]
    share = sum(kw in lexicon for _, kw in top) / len(top)
    # Share of top-10 keywords that are products of the firm's own product mix theta_p.
    own = sum(bool(lexicon.get(kw, set()) & set(f["theta_p"])) for f, kw in top) / len(top)
    print(f"\ntop-10 keywords: {share:.3f} product terms, {own:.3f} of the firm's own products")
    assert share >= 0.85
    assert own >= 0.85


def test_no_boilerplate_name_or_technology_in_top_keywords(demo):
    firms, ranked, _ = demo
    tech = yaml.safe_load((LEXICON / "tech.yaml").read_text(encoding="utf-8"))["fields"]
    lexicon = _lexicon()
    # Technology terms that are not part of a product term (肥料 is, of 化成肥料).
    technology = {
        t
        for t in (_key(t) for terms in tech.values() for row in terms for t in row)
        if not any(t in product for product in lexicon)
    }
    boilerplate = re.compile(
        r"cookie|newsletter|copyright|rights reserved|investor|annual report|メールマガジン|"
        r"お問い合わせ|株主|订阅|联系我们|投资者|版权"
    )
    for firm in firms:
        top = [_key(kw) for kw in ranked[firm["key"]][:10]]
        assert not [kw for kw in top if boilerplate.search(kw)], firm["name"]
        name_words = set(re.findall(r"\w+", firm["name"].lower()))
        assert not [kw for kw in top if set(kw.split()) <= name_words], firm["name"]
        # The technology named on product pages ("our proprietary X technology") stays out.
        assert not [kw for kw in top if kw in technology], (firm["name"], top)
