"""Fit the link model on the training split of the labelled sets and write its weights.

    python -m innolink.link.train --warehouse WAREHOUSE [--out conf/mappings/link_model.yaml]

WAREHOUSE holds silver/firms (and GLEIF families) built from the firm lists the labels refer
to (`innolink run firms`; the synthetic world's firms for its truth). Every candidate the
blocking gives a training name is one example: a link when its firm is the name's true
firm. Held-out (`test`) names are never read here.
"""

from __future__ import annotations

import argparse
import logging
from collections import Counter
from pathlib import Path

from pyspark.sql import functions as F

from innolink.link import evaluate as E
from innolink.link.features import FEATURES
from innolink.link.model import LinkModel, fit, save_model

log = logging.getLogger(__name__)

HEADER = """\
# Stage link's scoring model: logistic regression over the pair features of
# innolink.link.features, fitted by `python -m innolink.link.train` on the *train* split of
# the labelled sets (innolink.link.evaluate); the held-out split was not used. Do not edit by
# hand: refit after changing the features, the vocabulary or the labels.
"""


def training_names(linker, labels):
    """The names the model is fitted on: the train split, names of the firm's own (not
    real_group), whose true firm is in the registry."""
    fitted = (F.col("split") == "train") & (F.col("set") != "real_group")
    train, _ = E.known_truth(labels.where(fitted), linker.refs)
    return train


def training_examples(linker, labels) -> tuple[list[list[float]], list[int], Counter]:
    """(feature rows, labels, counts) of every scored candidate of the training names."""
    train = training_names(linker, labels)
    analyzed = linker.analyzed_apps(train).localCheckpoint()
    scored = linker.scored(analyzed)
    rows = (
        scored.join(linker.refs.select("ref_id", "firm_id"), "ref_id")
        .join(analyzed.select("app_id", "set", "truth"), "app_id")
        .select(
            "set",
            "vector",
            "veto",
            F.array_contains("truth", F.col("firm_id")).alias("y"),
        )
        .collect()
    )
    x, y, counts = [], [], Counter()
    for row in rows:
        # Vetoed pairs are decided by their rule, not by the model.
        if row["veto"]:
            continue
        x.append(list(row["vector"]))
        y.append(int(row["y"]))
        counts[(row["set"], int(row["y"]))] += 1
    return x, y, counts


def train(linker, labels, l2: float = 1.0) -> LinkModel:
    x, y, counts = training_examples(linker, labels)
    names = training_names(linker, labels).groupBy("set").count().collect()
    weights, intercept = fit(x, y, l2=l2)
    return LinkModel(
        weights=weights,
        intercept=intercept,
        threshold=linker.cfg.threshold,
        trained_on={
            "names": {r["set"]: r["count"] for r in sorted(names, key=lambda r: r["set"])},
            "pairs": {
                f"{s}_{'link' if v else 'nonlink'}": n for (s, v), n in sorted(counts.items())
            },
            "l2": l2,
            "features": len(FEATURES),
        },
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--warehouse", required=True)
    parser.add_argument("--env", default="local")
    parser.add_argument("--conf-dir", default="conf")
    parser.add_argument("--out", default=None, help="default: stages.link.model")
    parser.add_argument("--l2", type=float, default=1.0)
    parser.add_argument("--set", action="append", default=[], dest="sets")
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )

    from innolink.config import load_config
    from innolink.link import transforms as T
    from innolink.link.linker import Linker, load_aliases
    from innolink.link.model import LinkModel as Model
    from innolink.session import build_session
    from innolink.tables import FIRM_FAMILY, FIRMS, LEGAL_ENTITIES, PATENT_PARTIES

    cfg = load_config(args.env, args.sets, args.conf_dir, extra={"warehouse": args.warehouse})
    spark = build_session(cfg)
    link = cfg.stages.link

    def read(spec):
        return spark.read.format("delta").load(spec.path(cfg.warehouse_uri))

    # Features do not depend on the weights: a neutral model scores while collecting them.
    neutral = Model(weights={}, intercept=0.0)
    linker = Linker.build(
        spark,
        cfg,
        read(FIRMS),
        read(FIRM_FAMILY),
        read(LEGAL_ENTITIES),
        load_aliases(cfg.resolve(link.aliases)),
        model=neutral,
    )
    labels = E.labelled_sets(spark, [cfg.resolve(p) for p in link.truth], cfg.resolve(link.labels))
    names = T.applicant_names(T.applicant_mentions(read(PATENT_PARTIES), link.roles))
    labels = E.with_countries(labels, names)
    model = train(linker, labels, args.l2)
    out = Path(args.out or cfg.resolve(link.model))
    save_model(model, out, HEADER)
    log.info("model written to %s: %s", out, model.to_dict())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
