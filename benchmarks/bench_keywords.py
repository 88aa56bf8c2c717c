"""Stage `keywords` per language, pages and patents apart, against a raw single-process loop of
the same segmenter and a YAKE-like scoring.

The documents come from the synthetic world's generators (innolink.synth): firm sites (every
page kind, with the shared boilerplate and per-site templates; main text extracted as the
pages stage does) and patents (title, abstract, claims) in English, Japanese and Chinese,
BENCH_KEYWORDS_DOCS (default 2000) of each kind per language (BENCH_KEYWORDS_LANGS, default
en,ja,zh). For each language and kind a fresh warehouse holds only those documents in
silver/pages or silver/patents, and `innolink run keywords` runs on it in a new process
(local[2]: 2 cores): documents per second of the stage's MLflow run (no JVM start), with the
wall time and CPU seconds of the whole process. The raw loop does, in one process, what every
document needs at least: innolink.keywords.segment (NFKC; Sudachi / jieba) and the YAKE-like
scoring below, on the same texts: documents per CPU second. Run by benchmarks/run.py; prints
one JSON object.
"""

from __future__ import annotations

import json
import math
import os
import random
import re
import statistics
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from bench_pages import run_measured, stage_run
from harness import INNOLINK, ROOT


def pages_of(language: str, count: int) -> list[dict]:
    """`count` silver/pages rows of firm sites in `language`, from the synthetic world."""
    from innolink.pages.text import extract_html
    from innolink.synth.generate import site_pages
    from innolink.synth.world import firm_of, scale_of, world_of

    scale = scale_of("demo")
    world = world_of(1, scale)
    rows, index = [], 0
    while len(rows) < count:
        firm = firm_of(1, scale, index % scale.firms)
        index += 1
        if not firm["website"]:
            continue
        for page in site_pages(world, firm):
            if page["lang"] != language:
                break
            # A firm's site seen again (a later lap of the world) is another firm's.
            url = page["url"].replace("://www.", f"://w{index // scale.firms}.")
            html = page["html"].replace("@@CHARSET@@", "").replace("@@URL@@", url)
            ex = extract_html(html, url)
            rows.append(
                {
                    "url": url,
                    "crawl_id": "bench",
                    "firm_id": f"{firm['key']}-{index // scale.firms}",
                    "domain": url.split("/")[2],
                    "language": language,
                    "title": ex.title,
                    "headings": ex.headings,
                    "links": [],
                    "text": ex.text,
                    "text_hash": str(hash(ex.text)),
                    "page_kind": "product_service" if "/products/" in url else "other",
                    "charset": "utf-8",
                    "bytes": len(html),
                }
            )
        if index > 50 * scale.firms:
            raise SystemExit(f"the demo world has too few {language} sites")
    return rows[:count]


def patents_of(language: str, count: int) -> list[dict]:
    from innolink.synth import text
    from innolink.synth.world import scale_of, world_of

    world = world_of(1, scale_of("demo"))
    fields = sorted(world.lexicon.fields)
    rng = random.Random(7)
    office = {"en": "US", "ja": "JP", "zh": "CN"}[language]
    rows = []
    for n in range(count):
        body = text.PatentText(world.lexicon, rng.choice(fields), rng).texts(language)
        rows.append(
            {
                "pub_key": f"{office}-{n}-A",
                "office": office,
                "doc_number": str(n),
                "kind": "A",
                "title": body["title"],
                "title_lang": language,
                "abstract": body["abstract"],
                "abstract_lang": language,
                "claims": "\n".join(body["claims"]),
                "claims_lang": language,
                "first_claim": body["claims"][0],
            }
        )
    return rows


def write_warehouse(spark, warehouse: str, spec, rows: list[dict]) -> None:
    from innolink.writer import TableWriter
    from pyspark.sql.types import ArrayType, BooleanType, LongType, StringType

    empty = {StringType: "", LongType: 0, BooleanType: False, ArrayType: []}
    base = {"run_id": "bench", "source_format": "bench", "source_file": "bench", "locator": ""}
    full = [
        {
            f.name: {**base, **row}.get(f.name, None if f.nullable else empty[type(f.dataType)])
            for f in spec.schema.fields
        }
        for row in rows
    ]
    TableWriter(spark, warehouse, "bench", "bench").merge(
        spec, spark.createDataFrame(full, spec.schema)
    )


# --- the raw loop ---------------------------------------------------------------------

_TOKEN = re.compile(r"\w+|[^\w\s]")


def yake_like(text: str, stopwords: frozenset[str], max_ngram: int = 3, top: int = 50):
    """YAKE's single-document scoring, compact: word features (frequency, casing, position,
    spread over sentences, left/right diversity), candidates of 1..max_ngram words not
    starting or ending with a stop word; lower is better."""
    sentences = [
        [t for t in _TOKEN.findall(line)] for line in re.split(r"[\n。.!?]+", text) if line.strip()
    ]
    tf: dict[str, int] = defaultdict(int)
    upper: dict[str, int] = defaultdict(int)
    where: dict[str, list[int]] = defaultdict(list)
    left: dict[str, set] = defaultdict(set)
    right: dict[str, set] = defaultdict(set)
    for s, sentence in enumerate(sentences):
        for i, token in enumerate(sentence):
            word = token.lower()
            tf[word] += 1
            where[word].append(s)
            if token[:1].isupper() and i > 0:
                upper[word] += 1
            if i:
                left[word].add(sentence[i - 1].lower())
            if i + 1 < len(sentence):
                right[word].add(sentence[i + 1].lower())
    if not tf:
        return []
    freqs = [v for w, v in tf.items() if w not in stopwords] or [1]
    mean, sd, most = statistics.mean(freqs), statistics.pstdev(freqs), max(tf.values())
    score = {}
    for word, f in tf.items():
        casing = upper[word] / (1 + math.log(f))
        position = math.log(3 + statistics.median(where[word]))
        norm = f / (mean + sd)
        related = 1 + (len(left[word]) + len(right[word])) / f * f / most
        spread = len(set(where[word])) / len(sentences)
        score[word] = position * related / (casing + norm / related + spread / related)
    candidates: dict[str, float] = defaultdict(float)
    for sentence in sentences:
        words = [t.lower() for t in sentence]
        for n in range(1, max_ngram + 1):
            for i in range(len(words) - n + 1):
                gram = words[i : i + n]
                if gram[0] in stopwords or gram[-1] in stopwords:
                    continue
                if not all(g.isalpha() for g in gram):
                    continue
                candidates[" ".join(gram)] += 1
    ranked = []
    for gram, f in candidates.items():
        product = math.prod(score[w] for w in gram.split())
        ranked.append((product / (f * (1 + sum(score[w] for w in gram.split()))), gram))
    return sorted(ranked)[:top]


def raw_rate(texts: list[str], language: str, stopwords: frozenset[str]) -> float:
    from innolink.keywords.segment import segment

    t0 = time.process_time()
    for text in texts:
        yake_like(segment(text, language), stopwords)
    return len(texts) / (time.process_time() - t0)


def main() -> None:
    from innolink.config import load_config
    from innolink.keywords import vocabulary as V
    from innolink.session import build_session
    from innolink.tables import PAGES, PATENTS

    count = int(os.environ.get("BENCH_KEYWORDS_DOCS", "2000"))
    languages = os.environ.get("BENCH_KEYWORDS_LANGS", "en,ja,zh").split(",")
    cfg = load_config("local", conf_dir=ROOT / "conf")
    result: dict[str, object] = {"name": "keywords_stage", "documents_per_run": count}
    lists = V.read(ROOT / "conf/mappings/stopwords.yaml")
    with tempfile.TemporaryDirectory() as tmp:
        spark = build_session(cfg)
        jobs = []
        for language in languages:
            stop = V.vocabulary(lists, language, V.spark_stopwords).stopwords
            pages = pages_of(language, count)
            patents = patents_of(language, count)
            for kind, spec, rows, texts in (
                ("pages", PAGES, pages, [f"{r['title']}\n{r['text']}" for r in pages]),
                (
                    "patents",
                    PATENTS,
                    patents,
                    [f"{r['title']}\n{r['abstract']}\n{r['first_claim']}" for r in patents],
                ),
            ):
                warehouse = f"{tmp}/{language}-{kind}/warehouse"
                write_warehouse(spark, warehouse, spec, rows)
                result[f"raw_{language}_{kind}_docs_per_cpu_s"] = round(
                    raw_rate(texts, language, stop), 1
                )
                jobs.append((language, kind, warehouse))
        # Quality next to speed: precision@k of the stage's keywords on the hand-labelled
        # real pages (tests/data/keywords_labels.yaml), as `stages.keywords.evaluate` logs it.
        from innolink.keywords.stage import evaluate_labelled

        precision, partial, scores = evaluate_labelled(spark, cfg, lists)
        k = cfg.stages.keywords.evaluate_k
        result[f"labelled_precision_at_{k}"] = round(precision, 3)
        result[f"labelled_partial_precision_at_{k}"] = round(partial, 3)
        result["labelled_pages"] = len(scores)
        spark.stop()
        for language, kind, warehouse in jobs:
            run_dir = str(Path(warehouse).parent)
            wall, _peak, cpu, out = run_measured(
                [
                    INNOLINK,
                    "run",
                    "keywords",
                    "--warehouse",
                    warehouse,
                    "--set",
                    f"mlflow.tracking_uri=sqlite:///{run_dir}/mlflow.db",
                    "--set",
                    f"mlflow.artifact_root={run_dir}/artifacts",
                ]
            )
            if out.returncode != 0:
                raise SystemExit(out.stderr[-3000:])
            metrics, stage_s = stage_run(run_dir)
            done = metrics[f"{kind}_out"]
            result[f"{language}_{kind}_docs_s"] = round(done / stage_s, 1)
            result[f"{language}_{kind}_stage_s"] = round(stage_s, 1)
            result[f"{language}_{kind}_wall_s"] = round(wall, 1)
            result[f"{language}_{kind}_cpu_s"] = round(cpu, 1)
    result["how"] = (
        "innolink run keywords (local[2]) per language on BENCH_KEYWORDS_DOCS synthetic pages or "
        "patents, fresh warehouse each: documents / stage run seconds (incl. Word2Vec, "
        "writes, MLflow models); raw: segment + YAKE-like scoring in one process, per CPU second; "
        "labelled precision: the stage's top-k keywords of each hand-labelled real page "
        "(tests/data/keywords_labels.yaml) that are labels (partial: contain or are in one)"
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
