"""The command line as a user meets it."""

import subprocess
import sys
from pathlib import Path

import pytest
from innolink.cli import main
from innolink.errors import SetupError
from innolink.session import find_jars

from .conftest import ROOT, test_config

INNOLINK = str(Path(sys.executable).parent / "innolink")


@pytest.mark.parametrize(
    "command",
    [
        [],
        ["run"],
        ["submit"],
        ["generate"],
        ["tables"],
        ["stages"],
        ["ui"],
        ["report"],
        ["runs", "compare"],
    ],
)
def test_help(command):
    out = subprocess.run([INNOLINK, *command, "--help"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "Usage: innolink" in out.stdout


def test_run_help_documents_the_contract():
    out = subprocess.run(
        [INNOLINK, "run", "--help"], capture_output=True, text=True, timeout=60
    ).stdout
    for option in ("--env", "--set", "--warehouse", "--input", "--format"):
        assert option in out


def test_unknown_stage_exits_non_zero(capsys):
    assert main(["run", "nosuch", "--conf-dir", str(ROOT / "conf")]) == 1
    assert (
        "unknown stage(s) ['nosuch']; known: firms, patents, pages, link, keywords, linkage, "
        "summary, flows, science or all" in capsys.readouterr().err.replace("\n", "")
    )


def test_missing_jars_say_run_make_setup(tmp_path):
    cfg = test_config(tmp_path, f"runtime.jars_dir={tmp_path}/empty")
    with pytest.raises(SetupError, match="missing jars .* Run `make setup`"):
        find_jars(cfg)
    code = main(
        [
            "run",
            "firms",
            "--conf-dir",
            str(ROOT / "conf"),
            "--set",
            f"runtime.jars_dir={tmp_path}/empty",
        ]
    )
    assert code == 3


def test_stages_lists_firms():
    out = subprocess.run([INNOLINK, "stages"], capture_output=True, text=True, timeout=60).stdout
    assert out.startswith("firms\t")


def test_no_pretrained_models_anywhere():
    needle = ".pretrained" + "("
    for path in [*ROOT.glob("libs/**/*.py"), *ROOT.glob("jobs/*.py"), *ROOT.glob("tests/*.py")]:
        assert needle not in path.read_text(encoding="utf-8"), path
