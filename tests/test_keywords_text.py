"""Keywords stage without Spark: segmentation of real Japanese and Chinese patent text, the
vocabulary file, the labelled set and its scoring."""

from __future__ import annotations

from pathlib import Path

import pytest
from innolink.config import load_config
from innolink.errors import ConfigError
from innolink.keywords import evaluate as E
from innolink.keywords import segment as S
from innolink.keywords import vocabulary as V
from innolink.pages import kinds
from innolink.patents.readers import cnipa, jpo

from .conftest import ROOT, SHARED

JA_ZH = SHARED / "patents/ja_zh"
LABELS = ROOT / "tests/data/keywords_labels.yaml"
STOPWORDS = ROOT / "conf/mappings/stopwords.yaml"


def test_japanese_patent_words():
    # JP2021044377A (DISCO): Sudachi mode C keeps compounds (デバイスチップ is two words, as
    # the dictionary has it); particles (の, を) become boundary marks.
    doc = jpo.parse_document((JA_ZH / "jpo_gazette_xml/JP2021044377A.xml").read_bytes())
    assert doc.title == "ウェーハの加工方法"
    assert S.segment(doc.title, "ja") == "ウェーハ | 加工 方法"
    assert S.segment(doc.abstract, "ja").split()[:12] == [
        "|",
        "課題",
        "|",
        "品質",
        "|",
        "低下",
        "|",
        "こと",
        "|",
        "デバイス",
        "チップ",
        "|",
    ]


def test_chinese_patent_words():
    doc = cnipa.parse_document((JA_ZH / "cnipa_xml_old/CN104223352A.xml").read_bytes())
    assert doc.title == "一种甘草发酵所得烟用香料及其应用"
    assert S.segment(doc.title, "zh") == "一种 甘草 发酵 所得 烟用 香料 及其 应用"
    new = cnipa.parse_document((JA_ZH / "cnipa_xml_new/CN113781974A.xml").read_bytes())
    assert S.segment(new.title, "zh") == "显示 设备"


def test_normalize_and_surface():
    # Full-width letters and digits become ASCII, hyphens inside words go, blank lines go.
    assert S.normalize("Ｗｉ－Ｆｉ  know-how\n\n  ＬＥＤ照明 ") == "WiFi knowhow\nLED照明"
    assert S.segment("バッテリーパックや蓄電システム", "ja") == "バッテリーパック | 蓄電 システム"
    # Keywords are written as the language writes them, whatever the segmenter cut.
    assert S.surface("充电 桩", "zh") == "充电桩"
    assert S.surface("led 照明", "ja") == "led照明"
    assert S.surface("ai chip 用 基板", "ja") == "ai chip用基板"
    assert S.surface("industrial robots", "en") == "industrial robots"
    assert [S.language_key(c) for c in ("zh-Hant", "EN", None, "x-klingon")] == [
        "zh",
        "en",
        "und",
        "und",
    ]
    with pytest.raises(ValueError, match="split mode"):
        S.segment("テスト", "ja", "D")


def test_vocabulary_file():
    lists = V.read(STOPWORDS)
    ja = V.vocabulary(lists, "ja")
    assert {"当社", "前記", "請求項"} <= ja.stopwords
    assert {"お問い合わせ", "プライバシーポリシー", "copyright"} <= ja.boilerplate
    assert {"製品", "サービス", "holdings"} <= ja.generic
    assert "技術" in ja.technology_heads
    # Spark's English list joins the file's words when a loader is given.
    en = V.vocabulary(lists, "en", lambda name: ["the", "and"] if name == "english" else [])
    assert {"the", "and", "wherein", "proprietary"} <= en.stopwords
    assert "the" not in V.vocabulary(lists, "en").stopwords
    # A language the file does not list still gets the lists of `all`.
    assert V.vocabulary(lists, "ko").boilerplate == frozenset(lists["all"]["boilerplate"])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("languages:\n  en:\n    stopwords: [no, on]\n", "expected a list of strings"),
        ("languages:\n  en:\n    stop: [a]\n", "unknown lists"),
        ("words: [a]\n", "languages"),
    ],
)
def test_vocabulary_file_errors(tmp_path, text, message):
    path = tmp_path / "stopwords.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message):
        V.read(path)


def test_labelled_set():
    labels = E.read_labels(LABELS)
    assert len(labels) == 25
    languages = {}
    cfg = load_config(env="local", conf_dir=ROOT / "conf")
    rules = kinds.compile_rules([r.model_dump() for r in cfg.stages.pages.page_kinds])
    pages, firms = E.labelled_rows(labels, SHARED / "web", rules, tuple(cfg.stages.pages.languages))
    for page in pages:
        languages[page["language"]] = languages.get(page["language"], 0) + 1
    # 5 English, 15 German, 4 Japanese and 1 Chinese page (lingua's reading).
    assert languages == {"en": 5, "de": 15, "ja": 4, "zh": 1}
    trend = next(p for p in pages if "trendmicro" in p["url"] or "yahoo.co.jp/hl" in p["url"])
    assert trend["title"].startswith("トレンドマイクロ、公衆無線LANを安全に使うためのアプリ")
    # Firm names are keyed like the firms stage keys them (no punctuation).
    oetker = next(f for f in firms if f["domain"] == "oetker.de")
    assert oetker["name_keys"] == ["dr oetker"]


def test_labels_must_name_the_page(tmp_path):
    path = tmp_path / "labels.yaml"
    path.write_text("pages:\n  - {file: a.html, url: 'http://a', firm: A}\n")
    with pytest.raises(ConfigError, match="lacks"):
        E.read_labels(path)
    page = E.LabelledPage("missing.html", "http://a", "A", None, ("a",))
    with pytest.raises(ConfigError, match="missing"):
        E.labelled_rows([page], Path(tmp_path), (), ("en",))


def test_precision_at_k():
    labels = [
        E.LabelledPage("a", "u", "A", None, ("gemahlener kaffee", "espresso", "ghsetiketten")),
        E.LabelledPage("b", "u", "B", None, ("フリーwifiプロテクション",)),
    ]
    first, second = labels[0].firm_id, labels[1].firm_id
    ranked = {
        # exact (after normalization), partial (a word of a label), miss
        first: ["Gemahlener Kaffee", "kaffee", "GHS-Etiketten", "röstung"],
        # spaces between Japanese words do not matter
        second: ["フリー WiFi プロテクション", "通信"],
    }
    precision, partial, scores = E.precision_at_k(ranked, labels, 4)
    assert [(s.hits, s.partial_hits) for s in scores] == [(2, 3), (1, 1)]
    # (2 + 1) hits of 2 pages x 4; partial: (3 + 1) / 8.
    assert precision == pytest.approx(3 / 8)
    assert partial == pytest.approx(4 / 8)
    # A page without keywords scores 0, not an error.
    assert E.precision_at_k({}, labels, 10)[0] == 0.0
    assert E.lexicon_share({first: ["espresso", "tasse"]}, {"espresso"}, 10) == 0.5
