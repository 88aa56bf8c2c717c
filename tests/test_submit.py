"""`innolink submit`: the commands and API calls each target makes, against real protocol
servers where there is one (moto's S3 and EMR Serverless on 127.0.0.1)."""

from __future__ import annotations

import json
import stat
import sys
import tarfile
import zipfile
from pathlib import Path

import boto3
import pytest
import yaml
from botocore.stub import Stubber
from innolink.config import load_config
from innolink.submit import (
    Bundle,
    render_manifest,
    spark_submit_command,
    submit_emr,
    submit_emr_serverless,
    submit_k8s,
    upload_bundle,
)
from moto.server import ThreadedMotoServer

from .conftest import ROOT, cli

ROLE = "arn:aws:iam::123456789012:role/innolink-emr"


@pytest.fixture
def aws():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture
def bundle(tmp_path) -> Bundle:
    """A bundle of small stand-ins: the calls are the subject here, not the jars' bytes."""
    root = tmp_path / "bundle"
    root.mkdir()
    wheel = root / "innolink-0.1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("innolink/__init__.py", "")
    conf_zip = root / "conf.zip"
    with zipfile.ZipFile(conf_zip, "w") as archive:
        archive.writestr("base.yaml", "warehouse: ./warehouse\n")
    jars = root / "jars"
    jars.mkdir()
    for name in ("delta-spark_2.12-3.3.2.jar", "spark-nlp_2.12-5.5.3.jar"):
        (jars / name).write_bytes(b"PK\x03\x04" + name.encode())
    pyenv = root / "pyenv.tar.gz"
    with tarfile.open(pyenv, "w:gz") as archive:
        archive.add(wheel, arcname="bin/placeholder")
    return Bundle(root, wheel, conf_zip, ROOT / "jobs", tuple(sorted(jars.glob("*.jar"))), pyenv)


def config(*sets: str):
    return load_config(env="cluster", conf_dir=ROOT / "conf", overrides=list(sets))


def test_standalone_command_runs_the_entry_point_with_this_python(bundle):
    cfg = config("submit.standalone.master=spark://10.0.0.5:7077")
    local = Bundle(bundle.root, bundle.wheel, bundle.conf_zip, bundle.jobs, bundle.jars, None)
    command = spark_submit_command(cfg, local, "standalone", "firms", ["--env", "cluster"])
    assert command[0] == str(Path(sys.executable).parent / "spark-submit")
    assert command[1:7] == [
        "--name",
        "innolink-firms",
        "--master",
        "spark://10.0.0.5:7077",
        "--deploy-mode",
        "client",
    ]
    assert command[command.index("--jars") + 1] == ",".join(str(j) for j in bundle.jars)
    assert command[command.index("--py-files") + 1] == str(bundle.wheel)
    assert f"spark.pyspark.python={sys.executable}" in command
    assert command[-5:] == [
        str(ROOT / "jobs/firms.py"),
        "--conf-dir",
        str(ROOT / "conf"),
        "--env",
        "cluster",
    ]


def test_yarn_cluster_mode_ships_configuration_and_python(bundle):
    command = spark_submit_command(config(), bundle, "yarn", "all", [])
    assert command[command.index("--archives") + 1] == (
        f"{bundle.conf_zip}#conf,{bundle.python_env}#environment"
    )
    assert "spark.yarn.appMasterEnv.PYSPARK_PYTHON=./environment/bin/python" in command
    # In cluster mode the driver reads the configuration unpacked next to it.
    assert command[-2:] == ["--conf-dir", "conf"]


def test_emr_serverless_uploads_the_bundle_and_follows_the_run(aws, bundle):
    s3 = boto3.client("s3", endpoint_url=aws, region_name="us-east-1")
    s3.create_bucket(Bucket="innolink-stage")
    emr = boto3.client("emr-serverless", endpoint_url=aws, region_name="us-east-1")
    app = emr.create_application(name="innolink", releaseLabel="emr-7.5.0", type="SPARK")
    cfg = config(
        "submit.staging=s3://innolink-stage/runs",
        f"submit.emr_serverless.application_id={app['applicationId']}",
        f"submit.emr_serverless.execution_role_arn={ROLE}",
        "submit.poll_seconds=0.1",
    )
    args = ["--env", "cluster", "--warehouse", "s3a://innolink-stage/warehouse"]
    assert submit_emr_serverless(cfg, bundle, "patents", args, wait=True, clients=(s3, emr)) == 0

    keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket="innolink-stage")["Contents"])
    assert keys == sorted(
        [
            "runs/code/conf.zip",
            "runs/code/innolink-0.1.0-py3-none-any.whl",
            "runs/code/pyenv.tar.gz",
            "runs/jars/delta-spark_2.12-3.3.2.jar",
            "runs/jars/spark-nlp_2.12-5.5.3.jar",
            *[f"runs/code/jobs/{p.name}" for p in (ROOT / "jobs").glob("*.py")],
        ]
    )
    (run,) = emr.list_job_runs(applicationId=app["applicationId"])["jobRuns"]
    detail = emr.get_job_run(applicationId=app["applicationId"], jobRunId=run["id"])["jobRun"]
    driver = detail["jobDriver"]["sparkSubmit"]
    assert driver["entryPoint"] == "s3://innolink-stage/runs/code/jobs/patents.py"
    assert driver["entryPointArguments"] == ["--conf-dir", "conf", *args]
    params = driver["sparkSubmitParameters"]
    assert (
        "spark.archives=s3://innolink-stage/runs/code/pyenv.tar.gz#environment,"
        "s3://innolink-stage/runs/code/conf.zip#conf" in params
    )
    assert "spark.jars=s3://innolink-stage/runs/jars/delta-spark_2.12-3.3.2.jar," in params
    assert detail["executionRole"] == ROLE
    assert detail["configurationOverrides"]["monitoringConfiguration"] == {
        "s3MonitoringConfiguration": {"logUri": "s3://innolink-stage/runs/logs/"}
    }


def test_a_failed_job_run_fails_the_submission(aws, bundle):
    s3 = boto3.client("s3", endpoint_url=aws, region_name="us-east-1")
    s3.create_bucket(Bucket="innolink-stage")
    emr = boto3.client("emr-serverless", region_name="us-east-1")
    cfg = config(
        "submit.staging=s3://innolink-stage",
        "submit.emr_serverless.application_id=00fabcd",
        f"submit.emr_serverless.execution_role_arn={ROLE}",
        "submit.poll_seconds=0.01",
    )
    run = {
        "applicationId": "00fabcd",
        "jobRunId": "run1",
        "arn": "arn:aws:emr-serverless:us-east-1:123456789012:/applications/00fabcd/jobruns/run1",
    }
    with Stubber(emr) as stub:
        stub.add_response("start_job_run", run)
        for state in ("PENDING", "RUNNING", "FAILED"):
            stub.add_response(
                "get_job_run",
                {"jobRun": _job_run(state)},
                {"applicationId": "00fabcd", "jobRunId": "run1"},
            )
        assert submit_emr_serverless(cfg, bundle, "firms", [], True, clients=(s3, emr)) == 1


def _job_run(state: str) -> dict:
    return {
        "applicationId": "00fabcd",
        "jobRunId": "run1",
        "arn": "arn:aws:emr-serverless:us-east-1:123456789012:/applications/00fabcd/jobruns/run1",
        "createdBy": "arn:aws:iam::123456789012:user/analyst",
        "createdAt": 0,
        "updatedAt": 0,
        "executionRole": ROLE,
        "state": state,
        "stateDetails": f"job run {state.lower()}",
        "releaseLabel": "emr-7.5.0",
        "jobDriver": {"sparkSubmit": {"entryPoint": "s3://x/y.py"}},
    }


def test_emr_step_is_a_cluster_mode_spark_submit(aws, bundle):
    s3 = boto3.client("s3", endpoint_url=aws, region_name="us-east-1")
    s3.create_bucket(Bucket="innolink-stage")
    emr = boto3.client("emr", endpoint_url=aws, region_name="us-east-1")
    cluster = emr.run_job_flow(
        Name="innolink",
        ReleaseLabel="emr-7.5.0",
        Instances={
            "MasterInstanceType": "m5.xlarge",
            "InstanceCount": 1,
            "KeepJobFlowAliveWhenNoSteps": True,
        },
        JobFlowRole="EMR_EC2_DefaultRole",
        ServiceRole="EMR_DefaultRole",
    )["JobFlowId"]
    cfg = config("submit.staging=s3://innolink-stage", f"submit.emr.cluster_id={cluster}")
    assert (
        submit_emr(cfg, bundle, "firms", ["--env", "cluster"], wait=False, clients=(s3, emr)) == 0
    )
    (step,) = emr.list_steps(ClusterId=cluster)["Steps"]
    args = step["Config"]["Args"]
    assert args[:3] == ["spark-submit", "--deploy-mode", "cluster"]
    assert args[-4:] == ["--conf-dir", "conf", "--env", "cluster"]
    assert "s3://innolink-stage/code/jobs/firms.py" in args


def test_aws_targets_refuse_this_machines_python(bundle):
    local = Bundle(bundle.root, bundle.wheel, bundle.conf_zip, bundle.jobs, bundle.jars, None)
    with pytest.raises(Exception, match="python_env=local cannot run on AWS"):
        upload_bundle(local, "s3://b/p", s3=_NoS3())


class _NoS3:
    class exceptions:
        ClientError = Exception

    def head_object(self, **_):
        raise Exception("absent")

    def upload_file(self, *args):
        return None


def fake_kubectl(tmp_path: Path, final_state: str) -> Path:
    """A kubectl that records its calls and reports the application RUNNING, then final."""
    script = tmp_path / "kubectl"
    calls = tmp_path / "calls.txt"
    count = tmp_path / "count"
    script.write_text(
        f"""#!/usr/bin/env bash
echo "$@" >> {calls}
if [ "$1" = get ]; then
  n=$(cat {count} 2>/dev/null || echo 0); echo $((n+1)) > {count}
  if [ "$n" -lt 1 ]; then echo -n RUNNING; else echo -n {final_state}; fi
fi
"""
    )
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return script


@pytest.mark.parametrize("final_state, code", [("COMPLETED", 0), ("FAILED", 1)])
def test_k8s_applies_a_spark_application_and_follows_it(aws, bundle, tmp_path, final_state, code):
    s3 = boto3.client("s3", endpoint_url=aws, region_name="us-east-1")
    s3.create_bucket(Bucket="innolink-stage")
    kubectl = fake_kubectl(tmp_path, final_state)
    cfg = config(
        "submit.staging=s3://innolink-stage",
        f"submit.k8s.kubectl={kubectl}",
        "submit.k8s.namespace=analytics",
        "submit.poll_seconds=0.01",
    )
    assert submit_k8s(cfg, bundle, "patents", ["--env", "cluster"], wait=True, s3=s3) == code
    calls = (tmp_path / "calls.txt").read_text().splitlines()
    assert calls[0].startswith("apply -n analytics -f ")
    manifest = yaml.safe_load(Path(calls[0].split()[-1]).read_text())
    assert manifest["kind"] == "SparkApplication"
    assert manifest["metadata"]["namespace"] == "analytics"
    assert manifest["spec"]["mainApplicationFile"] == "s3://innolink-stage/code/jobs/patents.py"
    assert manifest["spec"]["arguments"] == ["--conf-dir", "conf", "--env", "cluster"]
    assert manifest["spec"]["deps"]["archives"] == ["s3://innolink-stage/code/conf.zip#conf"]
    assert calls[1].startswith(f"get sparkapplication {manifest['metadata']['name']} -n analytics")


def test_manifest_template_fields_are_all_filled():
    cfg = config()
    uris = {
        "jobs": {"all": "s3://b/code/jobs/all.py"},
        "jars": ["s3://b/jars/a.jar"],
        "wheel": "s3://b/code/w.whl",
        "conf": "s3://b/code/conf.zip",
    }
    text = render_manifest(cfg, uris, "all", [], "innolink-all-1")
    assert "${" not in text
    assert json.loads(json.dumps(yaml.safe_load(text)))["spec"]["deps"]["jars"] == [
        "s3://b/jars/a.jar"
    ]


def test_cli_submit_to_emr_serverless_end_to_end(aws, bundle, tmp_path):
    """The command as a user types it: builds the real wheel, uploads, submits, follows."""
    s3 = boto3.client("s3", endpoint_url=aws, region_name="us-east-1")
    s3.create_bucket(Bucket="innolink-stage")
    emr = boto3.client("emr-serverless", endpoint_url=aws, region_name="us-east-1")
    app = emr.create_application(name="innolink", releaseLabel="emr-7.5.0", type="SPARK")
    jars = bundle.jars[0].parent
    code = cli(
        tmp_path,
        "submit",
        "firms",
        "--target",
        "emr-serverless",
        "--env",
        "cluster",
        "--set",
        "submit.staging=s3://innolink-stage/cli",
        "--set",
        f"submit.aws_endpoint_url={aws}",
        "--set",
        f"submit.emr_serverless.application_id={app['applicationId']}",
        "--set",
        f"submit.emr_serverless.execution_role_arn={ROLE}",
        "--set",
        f"submit.python_env={bundle.python_env}",
        "--set",
        f"submit.jars_dir={jars}",
        "--set",
        "submit.poll_seconds=0.1",
    )
    assert code == 0
    keys = {o["Key"] for o in s3.list_objects_v2(Bucket="innolink-stage")["Contents"]}
    assert "cli/code/innolink-0.1.0-py3-none-any.whl" in keys
    (run,) = emr.list_job_runs(applicationId=app["applicationId"])["jobRuns"]
    assert run["state"] == "SUCCESS"
