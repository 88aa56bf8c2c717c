import re

import pytest
from innolink.config import deep_merge, load_config, parse_set
from innolink.errors import ConfigError

from .conftest import ROOT


def test_layers_base_env_then_set():
    cfg = load_config(
        "local", conf_dir=ROOT / "conf", overrides=["stages.firms.reference_year=2020"]
    )
    assert cfg.spark.conf["spark.master"] == "local[2]"  # from env/local.yaml
    assert (
        cfg.spark.conf["spark.sql.extensions"] == "io.delta.sql.DeltaSparkSessionExtension"
    )  # base
    assert cfg.stages.firms.reference_year == 2020  # --set, parsed as an int
    assert cfg.env == "local"


def test_cluster_env_sets_no_master():
    cfg = load_config("cluster", conf_dir=ROOT / "conf")
    assert "spark.master" not in cfg.spark.conf
    assert cfg.warehouse.startswith("s3a://")
    assert cfg.runtime.jars_dir is None


def test_set_keeps_dotted_spark_keys_whole():
    assert parse_set("spark.conf.spark.sql.shuffle.partitions=4") == {
        "spark": {"conf": {"spark.sql.shuffle.partitions": 4}}
    }


def test_lists_are_replaced_not_merged():
    assert deep_merge({"a": [1, 2], "b": {"c": 1}}, {"a": [3], "b": {"d": 2}}) == {
        "a": [3],
        "b": {"c": 1, "d": 2},
    }


def test_unknown_key_names_the_key_and_allowed_keys():
    with pytest.raises(ConfigError) as err:
        load_config("local", conf_dir=ROOT / "conf", overrides=["mlflow.trackin_uri=x"])
    msg = str(err.value)
    assert "mlflow.trackin_uri" in msg
    assert "allowed here: artifact_root, experiment, tracking_uri" in msg


def test_bad_value_names_allowed_values():
    with pytest.raises(ConfigError) as err:
        load_config(
            "local", conf_dir=ROOT / "conf", overrides=["stages.firms.default_firm_type=giant"]
        )
    assert "stages.firms.default_firm_type" in str(err.value)
    assert "'startup', 'incumbent' or 'multinational'" in str(err.value)


def test_unknown_env_lists_envs():
    with pytest.raises(ConfigError, match="unknown env 'prod'; allowed: cluster, local"):
        load_config("prod", conf_dir=ROOT / "conf")


def test_no_credentials_in_conf():
    pattern = re.compile(r"\b(access[_.]?key|secret|password|token)\s*:", re.I)
    for path in (ROOT / "conf").rglob("*.yaml"):
        assert not pattern.search(path.read_text(encoding="utf-8")), path
