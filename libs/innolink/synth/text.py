"""Text of the synthetic world: patent titles, abstracts and claims (en / ja / zh), applicant
name variants, and web page content.

Phrasing follows the patterns of real publications: USPTO abstracts and claims ("A ...
comprising: ...; and ..."), JPO gazettes (【課題】【解決手段】, 【請求項１】, 請求項１に記載の),
CNIPA publications (本发明涉及…, 一种…，其特征在于，包括：…). The words come from the
topic lexicons (lexicon/*.yaml): a patent's terms from its technology field, a page's
product keywords from the firm's product mixture.
"""

from __future__ import annotations

import random

from innolink.synth.world import Lexicon

EN, JA, ZH = 0, 1, 2

_EN_VERBS = ("control", "detect", "hold", "supply", "heat", "cool", "process", "measure", "drive")
_EN_GERUNDS = ("controlling", "detecting", "producing", "processing", "monitoring", "manufacturing")
_EN_QUALITY = ("efficiency", "reliability", "durability", "accuracy", "yield", "stability")
_EN_COST = ("manufacturing cost", "power consumption", "noise", "weight", "size", "maintenance")
_EN_LINKS = ("connected to", "coupled to", "disposed on", "arranged adjacent to", "mounted on")
_JA_VERBS = ("制御", "検出", "保持", "供給", "加熱", "冷却", "処理", "測定", "駆動")
_JA_QUALITY = ("信頼性", "耐久性", "生産性", "精度", "効率", "安定性")
_ZH_VERBS = ("控制", "检测", "保持", "供应", "加热", "冷却", "处理", "测量", "驱动")
_ZH_QUALITY = ("可靠性", "耐久性", "生产效率", "精度", "效率", "稳定性")
_ZH_COST = ("制造成本", "能耗", "噪音", "重量", "体积", "维护成本")
_FULLWIDTH_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _article(term: str) -> str:
    return f"an {term}" if term[:1].lower() in "aeiou" else f"a {term}"


class PatentText:
    """Title, abstract and claims of one patent about `field` (a WIPO field number)."""

    def __init__(self, lexicon: Lexicon, field: int, rng: random.Random):
        self.lex = lexicon
        self.field = lexicon.fields[field]
        self.rng = rng
        terms = list(self.field.terms)
        rng.shuffle(terms)
        # the subject first, then the parts: five distinct terms of the field
        self.t = terms[:5] if len(terms) >= 5 else (terms * 2)[:5]

    def texts(self, lang: str) -> dict[str, str | list[str]]:
        return {"en": self._en, "ja": self._ja, "zh": self._zh}[lang]()

    def _en(self) -> dict:
        rng, t = self.rng, [x[EN] for x in self.t]
        subject = t[0]
        title = rng.choice(
            (
                f"{_cap(subject)} and method for manufacturing the same",
                f"{_cap(subject)} having {_article(t[1])}",
                f"Method for {rng.choice(_EN_GERUNDS)} {_article(subject)}",
                f"{_cap(subject)}, {t[1]}, and {t[2]}",
                f"System and method for {rng.choice(_EN_GERUNDS)} {_article(t[1])}",
                _cap(subject),
            )
        )
        verb = rng.choice(_EN_VERBS)
        sentences = [
            rng.choice(
                (
                    f"{_cap(_article(subject))} includes {_article(t[1])}, {_article(t[2])}, and "
                    f"{_article(t[3])} {rng.choice(_EN_LINKS)} the {t[1]}.",
                    f"The present disclosure relates to {_article(subject)} in which "
                    f"{_article(t[1])} is {rng.choice(_EN_LINKS)} {_article(t[2])}.",
                    f"A method for {rng.choice(_EN_GERUNDS)} {_article(subject)} is disclosed, "
                    f"in which {_article(t[1])} and {_article(t[2])} are provided.",
                )
            ),
            f"The {t[2]} is configured to {verb} the {t[1]} based on {_article(t[4])}.",
        ]
        if self.field.derived and rng.random() < 0.7:
            derived = rng.choice(self.field.derived)
            sentences.append(
                f"In some embodiments, the {t[3]} further comprises {_article(derived)}."
            )
        sentences.append(
            f"This improves the {rng.choice(_EN_QUALITY)} of the {subject} while reducing "
            f"{rng.choice(_EN_COST)}."
        )
        claims = [
            f"1. {_cap(_article(subject))} comprising: {_article(t[1])}; {_article(t[2])} "
            f"configured to {verb} the {t[1]}; and {_article(t[3])} {rng.choice(_EN_LINKS)} "
            f"the {t[2]}."
        ]
        for n in range(2, rng.randint(3, 8) + 1):
            part = rng.choice(t[1:])
            claims.append(
                f"{n}. The {subject} according to claim {rng.randint(1, n - 1)}, wherein the "
                f"{part} {rng.choice(('comprises', 'includes', 'is formed of'))} "
                f"{_article(rng.choice(t[1:]))}."
            )
        return {"title": title, "abstract": " ".join(sentences), "claims": claims}

    def _ja(self) -> dict:
        rng, t = self.rng, [x[JA] for x in self.t]
        subject = t[0]
        title = rng.choice(
            (
                f"{subject}及びその製造方法",
                subject,
                f"{t[1]}を備えた{subject}",
                f"{subject}の制御方法",
            )
        )
        verb = rng.choice(_JA_VERBS)
        abstract = (
            f"【課題】{rng.choice(_JA_QUALITY)}に優れた{subject}を提供する。"
            f"【解決手段】{subject}は、{t[1]}と、{t[2]}と、{t[1]}に接続された{t[3]}とを備える。"
            f"{t[2]}は、{t[4]}に基づいて{t[1]}を{verb}する。【選択図】図１"
        )
        claims = [
            f"【請求項１】{t[1]}と、{t[2]}と、を備え、前記{t[2]}は、前記{t[1]}を{verb}する、{subject}。"
        ]
        for n in range(2, rng.randint(3, 8) + 1):
            ref = str(rng.randint(1, n - 1)).translate(_FULLWIDTH_DIGITS)
            num = str(n).translate(_FULLWIDTH_DIGITS)
            claims.append(
                f"【請求項{num}】前記{rng.choice(t[1:])}は、{rng.choice(t[1:])}を有する、"
                f"請求項{ref}に記載の{subject}。"
            )
        return {"title": title, "abstract": abstract, "claims": claims}

    def _zh(self) -> dict:
        rng, t = self.rng, [x[ZH] for x in self.t]
        subject = t[0]
        title = rng.choice(
            (
                f"一种{subject}及其制备方法",
                f"一种{subject}",
                f"{subject}的控制方法",
                f"一种包含{t[1]}的{subject}",
            )
        )
        verb = rng.choice(_ZH_VERBS)
        abstract = (
            f"本发明涉及{t[1]}技术领域，具体涉及一种{subject}。该{subject}包括{t[1]}、{t[2]}"
            f"和与{t[1]}连接的{t[3]}，所述{t[2]}根据{t[4]}对{t[1]}进行{verb}。"
            f"本发明提高了{subject}的{rng.choice(_ZH_QUALITY)}，降低了{rng.choice(_ZH_COST)}。"
        )
        claims = [
            f"1.一种{subject}，其特征在于，包括：{t[1]}；{t[2]}，所述{t[2]}用于{verb}所述{t[1]}；以及{t[3]}。"
        ]
        for n in range(2, rng.randint(3, 8) + 1):
            claims.append(
                f"{n}.根据权利要求{rng.randint(1, n - 1)}所述的{subject}，其特征在于，"
                f"所述{rng.choice(t[1:])}包括{rng.choice(t[1:])}。"
            )
        return {"title": title, "abstract": abstract, "claims": claims}


# ---------------------------------------------------------------------------------------
# Applicant names as written on patents
# ---------------------------------------------------------------------------------------

_FULLWIDTH = {
    ord(c): ord(c) + 0xFEE0
    for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
}
_FULLWIDTH[ord(" ")] = 0x3000


def typo(name: str, rng: random.Random) -> str:
    """One keyboard slip in the first word of 4+ letters: a swap, a drop or a double
    (PatentsView's Microsoft cluster: Microsft, Micrsoft, Microsfot, Micrososft)."""
    words = name.split(" ")
    candidates = [i for i, w in enumerate(words) if len(w) >= 4 and w.isalpha()]
    if not candidates:
        return name
    i = candidates[0]
    w = words[i]
    pos = rng.randint(1, len(w) - 2)
    kind = rng.choice(("swap", "drop", "double"))
    if kind == "swap":
        w = w[:pos] + w[pos + 1] + w[pos] + w[pos + 2 :]
    elif kind == "drop":
        w = w[:pos] + w[pos + 1 :]
    else:
        w = w[:pos] + w[pos] + w[pos:]
    words[i] = w
    return " ".join(words)


def english_variant(firm: dict, cinfo: dict, rng: random.Random) -> tuple[str, str]:
    """(name as written, variant kind) of a listed firm on an English-language patent."""
    base = f"{firm['stem_en']} {firm['word_en']}"
    legal = firm["legal"]
    name = firm["name"]
    kind = rng.choices(
        ("exact", "legal_form", "upper", "punctuation", "typo", "subsidiary"),
        weights=(50, 18, 10, 7, 5, 10),
    )[0]
    if kind == "exact":
        return name, kind
    if kind == "legal_form":
        alt = rng.choice(cinfo["legal_variants"].get(legal, [legal]))
        return f"{base} {alt}", kind
    if kind == "upper":
        return name.upper(), kind
    if kind == "punctuation":
        return name.replace(",", "").replace(".", ""), kind
    if kind == "typo":
        return typo(name, rng), kind
    place = {
        "JP": ("America, Inc.", "Europe GmbH", "(Shanghai) Co., Ltd."),
        "CN": ("(Hong Kong) Limited", "USA Inc.", "Europe B.V."),
        "US": ("International, Inc.", "Japan K.K.", "GmbH"),
        "DE": ("Inc.", "GmbH", "Japan K.K."),
        "KR": ("America, Inc.", "Vina Co., Ltd.", "Europe GmbH"),
        "IN": ("Inc.", "Europe B.V.", "Pvt. Ltd."),
    }[firm["country"]]
    return f"{base} {rng.choice(place)}", kind


def local_variant(firm: dict, rng: random.Random) -> tuple[str, str]:
    """(name as written, variant kind) on a JPO / CNIPA publication, in Japanese / Chinese."""
    local = firm["name_local"]
    if firm["country"] == "JP":
        kind = rng.choices(
            ("exact", "fullwidth_space", "legal_form", "fullwidth_latin"), (65, 15, 15, 5)
        )[0]
        short = firm["short_local"]
        if kind == "exact":
            return local, kind
        if kind == "fullwidth_space":
            return local.replace("株式会社", "株式会社　") if local.startswith(
                "株式会社"
            ) else local.replace("株式会社", "　株式会社"), kind
        if kind == "legal_form":
            return (
                f"{short}株式会社" if local.startswith("株式会社") else f"株式会社{short}"
            ), kind
        return f"{firm['stem_en']} {firm['word_en']} {firm['legal']}".translate(_FULLWIDTH), kind
    kind = rng.choices(("exact", "legal_form", "without_region", "short"), (65, 15, 12, 8))[0]
    if kind == "exact":
        return local, kind
    if kind == "legal_form":
        return local.replace("股份有限公司", "有限公司"), kind
    if kind == "without_region":
        stem = firm["stem_local"]
        return local.replace(stem, stem[2:]) if len(stem) > 2 else local, kind
    return firm["short_local"], kind


def harmonized(name: str) -> str:
    """Google's harmonized spelling: upper case, no punctuation, single spaces."""
    out = "".join(ch if ch.isalnum() or ch == " " else " " for ch in name.upper())
    return " ".join(out.split())


# ---------------------------------------------------------------------------------------
# Web pages
# ---------------------------------------------------------------------------------------

NAV = {
    "en": ("Home", "Products", "About us", "Investor relations", "News", "Contact", "Careers"),
    "ja": ("ホーム", "製品情報", "企業情報", "IR情報", "ニュース", "お問い合わせ", "採用情報"),
    "zh": ("首页", "产品中心", "关于我们", "投资者关系", "新闻中心", "联系我们", "人才招聘"),
}
COOKIE = {
    "en": "We use cookies to improve your experience on our website. By continuing to browse, you agree to our use of cookies.",
    "ja": "当サイトでは、利便性向上のためにCookieを使用しています。引き続き閲覧することで、Cookieの使用に同意したものとみなされます。",
    "zh": "本网站使用Cookie以改善您的浏览体验。继续浏览即表示您同意我们使用Cookie。",
}
NEWSLETTER = {
    "en": "Subscribe to our newsletter",
    "ja": "メールマガジン登録",
    "zh": "订阅我们的新闻通讯",
}


def product_mentions(theta_p: dict[str, float], n: int, rng: random.Random) -> list[str]:
    """n product topics drawn from the firm's product mixture (with repetition)."""
    items = sorted(theta_p)
    return rng.choices(items, weights=[theta_p[p] for p in items], k=n)


def keyword(lex: Lexicon, pid: str, lang: str, rng: random.Random) -> str:
    return rng.choice(lex.products[pid].keywords)[{"en": EN, "ja": JA, "zh": ZH}[lang]]


def sentence_products(lex, firm_name, pids, lang, rng) -> str:
    kws = []
    for p in pids:
        k = keyword(lex, p, lang, rng)
        if k not in kws:
            kws.append(k)
    if lang == "ja":
        return f"{firm_name}は、{'、'.join(kws)}などの製品・サービスを提供しています。"
    if lang == "zh":
        return f"{firm_name}专注于{'、'.join(kws)}等产品的研发、生产和销售。"
    listed = ", ".join(kws[:-1]) + (f" and {kws[-1]}" if len(kws) > 1 else kws[0])
    return rng.choice(
        (
            f"{firm_name} develops, manufactures and sells {listed}.",
            f"Our portfolio covers {listed} for customers in many industries.",
            f"We offer {listed}, backed by decades of engineering experience.",
        )
    )


def product_paragraphs(lex, firm, pids, lang, rng) -> list[str]:
    out = []
    for p in dict.fromkeys(pids):
        product = lex.products[p]
        name = product.name[{"en": EN, "ja": JA, "zh": ZH}[lang]]
        kws = [k[{"en": EN, "ja": JA, "zh": ZH}[lang]] for k in product.keywords]
        rng.shuffle(kws)
        if lang == "ja":
            out.append(
                f"<h2>{name}</h2><p>{kws[0]}や{kws[1]}をはじめ、用途に応じた{kws[2]}をご用意しています。</p>"
            )
        elif lang == "zh":
            out.append(
                f"<h2>{name}</h2><p>我们提供{kws[0]}、{kws[1]}以及满足不同应用需求的{kws[2]}。</p>"
            )
        else:
            out.append(
                f"<h2>{name}</h2><p>Our {kws[0]} and {kws[1]} product lines are complemented by "
                f"{kws[2]} for demanding applications.</p>"
            )
    return out
