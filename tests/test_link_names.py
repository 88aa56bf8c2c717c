"""Stage link without Spark: names in every script to comparable forms, pair features and the
rules no score overrides, the model's fit, the labelled sets' metrics."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from innolink.legal_forms import load_legal_forms
from innolink.link import evaluate as E
from innolink.link.features import RefName, align, compare
from innolink.link.model import LinkModel, fit, load_model, save_model
from innolink.link.names import (
    NameAnalyzer,
    blocking_keys,
    info_from_json,
    info_to_json,
    load_vocabulary,
)

ROOT = Path(__file__).resolve().parents[1]
CONF = ROOT / "conf" / "mappings"


@pytest.fixture(scope="module")
def analyzer() -> NameAnalyzer:
    forms = load_legal_forms(
        (CONF / "elf_code_list_v1.6_2026-02-19.csv").read_bytes(),
        yaml.safe_load((CONF / "legal_forms.yaml").read_text(encoding="utf-8")),
    )
    vocab = load_vocabulary(yaml.safe_load((CONF / "link_names.yaml").read_text(encoding="utf-8")))
    return NameAnalyzer(forms, vocab)


def lat(info) -> set[str]:
    return {f.compact for f in info.forms if f.space == "lat"}


def test_kanji_romanized_and_english_names_of_toyota_meet(analyzer):
    romanized = analyzer.analyze("TOYOTA JIDOSHA KABUSHIKI KAISHA", "JP")
    kanji = analyzer.analyze("トヨタ自動車株式会社", "JP")
    english = analyzer.analyze("Toyota Motor Corp.", "US")
    reading = analyzer.analyze("トヨタジドウシャ", "JP", "ja-Kana")
    # Jidosha is Motor (vocabulary), 自動車 too (glossary), the legal forms are gone.
    assert lat(romanized) == lat(kanji) == lat(english) == {"toyotamotor"}
    # The katakana reading meets the romanized name before its words are translated.
    assert {f.raw for f in reading.forms if f.space == "lat"} == {"toyotajidosha"}
    assert {f.raw for f in romanized.forms} == {"toyotajidosha"}
    # The native script keeps its own form, without 株式会社.
    assert [f.compact for f in kanji.forms if f.space == "cjk"] == ["トヨタ自動車"]


def test_chinese_names_read_in_pinyin_with_regions_apart(analyzer):
    info = analyzer.analyze("深圳瑞和建筑装饰股份有限公司", "CN")
    forms = {(f.space, f.tokens) for f in info.forms}
    assert ("lat", ("shenzhen", "ruihe", "construction", "decoration")) in forms
    # Without its leading region the name is the firm's Chinese short name's start.
    assert ("cjk", ("瑞和建筑装饰",)) in forms
    traditional = analyzer.analyze("華為技術有限公司", "CN")
    simplified = analyzer.analyze("华为技术有限公司", None, "zh")
    assert lat(traditional) == lat(simplified) == {"huaweitechnology"}


def test_qualifiers_of_subsidiaries_and_legal_forms_are_left_out(analyzer):
    parent = analyzer.analyze("Apex Electronics Corp.", "US")
    for name, country in [
        ("Apex Electronics Japan K.K.", "JP"),
        ("APEX ELECTRONICS (SHANGHAI) CO., LTD.", "CN"),
        ("Apex Electronics Europe GmbH", "US"),
        ("Apex Electronics North America, Inc.", "US"),
    ]:
        info = analyzer.analyze(name, country)
        assert lat(info) == lat(parent) == {"apexelectronic"}, name
        assert info.forms[0].qualified
    assert not parent.forms[0].qualified
    # Legal forms before the name, misspelt by a scanner, and a listing's share class.
    assert lat(analyzer.analyze("Habushiki Kaisha Toshiba")) == {"toshiba"}
    assert lat(analyzer.analyze("Alphabet Inc. (Class A)", "US")) == {"alphabet"}
    assert lat(analyzer.analyze("XEROX HLDGS CORP. DL 1", "US")) == {"xerox"}
    # "Works" is a word of the name, not a qualifier: another company of the same stem.
    assert lat(analyzer.analyze("Ilil Engineering Works Co., Ltd.", "KR")) == {
        "ililengineeringworks"
    }


def test_legal_form_classes_and_institutions(analyzer):
    assert analyzer.legal_class("Family Co., Ltd.") == "ltd"
    assert analyzer.legal_class("Family Inc.") == "inc"
    assert analyzer.legal_class("Keihin Corporation") == "corporation"
    # Kabushiki Kaisha translates every English form; a local form is no English one.
    assert analyzer.legal_class("Canon Kabushiki Kaisha") is None
    assert analyzer.legal_class("KONE Oyj") is None
    assert analyzer.analyze("The Regents of the University of California", "US").institution
    assert analyzer.analyze("東京大学", "JP").institution
    assert analyzer.analyze("Fraunhofer-Gesellschaft zur Förderung e.V.", "DE").institution
    assert not analyzer.analyze("Toyota Motor Corporation", "JP").institution


def test_blocking_keys_meet_through_one_typo(analyzer):
    def shared(a, b):
        return blocking_keys(analyzer.analyze(a, "US").forms) & blocking_keys(
            analyzer.analyze(b, "US").forms
        )

    # A swapped, a dropped and a doubled letter still share a one-deletion key.
    for typo in ("Micrsoft Corporation", "Mircosoft Corporation", "Microosft Corp."):
        assert any(k.startswith("d:") for k in shared(typo, "Microsoft")), typo
    assert "x:lat:microsoft" in shared("MICROSOFT CORP", "Microsoft Corporation")
    assert not shared("Clearridge Services Inc.", "Granite Devices Inc.")


def test_json_round_trip(analyzer):
    info = analyzer.analyze("トヨタ自動車株式会社", "JP")
    assert info_from_json(info_to_json(info)) == info


def test_alignment_counts_words_one_side_lacks():
    assert align(("ilil", "engineering", "works"), ("ilil", "engineering"))["unmatched_a"] == 1.0
    typo = align(("aepx", "electronic"), ("apex", "electronic"))
    assert (typo["unmatched_a"], typo["fuzzy"], typo["substitution"]) == (0.0, 1.0, 0.0)
    replaced = align(("saeil", "material"), ("daeil", "material"))
    assert (replaced["fuzzy"], replaced["substitution"]) == (1.0, 1.0)
    # A short one-word name must be equal: Aichi is not Daichi (Daiichi, long vowel folded).
    assert align(("aichi",), ("daichi",))["unmatched_a"] == 1.0
    assert align(("micrsoft",), ("microsoft",))["fuzzy"] == 1.0
    # Words split or joined differently are one word.
    assert align(("micro", "soft"), ("microsoft",))["unmatched_r"] == 0.0


def test_rules_no_score_overrides(analyzer):
    def ref(name, country="JP", source="firm"):
        return RefName(analyzer.analyze(name, country), source, "primary", country)

    family = compare(analyzer.analyze("Family Co., Ltd.", "JP"), "JP", ref("Family Inc."))
    assert family.veto == "legal_form_conflict"
    same_form = compare(analyzer.analyze("FAMILY INC.", "JP"), "JP", ref("Family Inc."))
    assert same_form.veto is None and same_form.values["exact"] == 1.0
    # A translation of the form is no conflict: KONE Oyj is Kone Corporation.
    kone = compare(analyzer.analyze("Kone Corporation", "FI"), "FI", ref("KONE Oyj", "FI"))
    assert kone.veto is None
    university = compare(analyzer.analyze("Tokai University", "JP"), "JP", ref("Tokai Corporation"))
    assert university.veto == "institution"
    # The firm's own English form counts for its reading, which has none.
    reading = RefName(
        analyzer.analyze("ケイヒン", "JP", "ja-Kana"), "firm", "reading", "JP", frozenset({"ltd"})
    )
    keihin = compare(analyzer.analyze("Keihin Corporation", "JP"), "JP", reading)
    assert keihin.veto == "legal_form_conflict"


def test_model_fit_score_and_file(tmp_path):
    from innolink.link.features import FEATURES

    def row(**values):
        return [values.get(f, 0.0) for f in FEATURES]

    x = [row(exact=1, jw=1), row(exact=1, jw=0.95), row(jw=0.6, unmatched_a=1)] * 5
    x += [row(jw=0.5, unmatched_a=2, unmatched_r=1)] * 5
    y = [1, 1, 0] * 5 + [0] * 5
    weights, intercept = fit(x, y, l2=1.0)
    assert weights["exact"] > 0 > weights["unmatched_a"]
    model = LinkModel(weights, intercept, threshold=0.6, trained_on={"pairs": 20})
    assert model.score({"exact": 1, "jw": 1}) > 0.6 > model.score({"jw": 0.6, "unmatched_a": 1})
    path = tmp_path / "model.yaml"
    save_model(model, path, "# header\n")
    loaded = load_model(path)
    assert loaded.threshold == 0.6 and loaded.weights == pytest.approx(model.weights, abs=1e-6)
    with pytest.raises(ValueError, match="both links and non-links"):
        fit(x[:2], [1, 1])
    with pytest.raises(ValueError, match="unknown features"):
        LinkModel({"no_such_feature": 1.0}, 0.0)


def test_metrics_and_label_file(tmp_path):
    rows = [{"set": "real", "split": "test", "names": 10, "tp": 6, "fp": 1, "fn": 2, "tn": 2}]
    m = E.metrics(rows)
    # precision 6/7, recall 6/8, F1 their harmonic mean 12/15.
    assert (m["eval_real_test_precision"], m["eval_real_test_recall"]) == (0.8571, 0.75)
    assert m["eval_real_test_f1"] == 0.8
    labels = tmp_path / "labels.csv"
    labels.write_text(
        "# comment\napplicant,office,country,firm_ids,split,scope\n"
        "Toyota Jidosha KK,US,JP,F1,train,name\nToyota Elevator,US,JP,F1;F2,test,group\n"
        "Tokyo University,JP,,,test,name\n",
        encoding="utf-8",
    )
    got = E.read_label_rows(labels)
    assert [(r["set"], r["split"], r["truth"]) for r in got] == [
        ("real", "train", ["F1"]),
        ("real_group", "test", ["F1", "F2"]),
        ("real", "test", []),
    ]
    labels.write_text("applicant,split\nX,validation\n", encoding="utf-8")
    with pytest.raises(ValueError, match="split of train or test"):
        E.read_label_rows(labels)
