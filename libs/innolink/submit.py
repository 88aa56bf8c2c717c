"""`innolink submit`: run stages on a cluster with the same code and configuration.

One bundle for every target: the innolink wheel, the configuration folder as a zip, the
spark-submit entry points (jobs/*.py), the JVM jars `make setup` fetched, and the executors'
Python (this machine's interpreter, or a packed virtualenv). A target turns the bundle into
a spark-submit command (local, standalone, yarn), a SparkApplication for the Kubernetes
Spark operator (k8s), or AWS API calls (emr, emr-serverless: code uploaded to S3 with
boto3, credentials from the default chain), then follows the job until it ends and returns
its exit code: 0 succeeded, 1 failed, 124 still running at the timeout.
"""

from __future__ import annotations

import json
import logging
import os
import string
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from innolink.config import Config
from innolink.errors import ConfigError, InnolinkError

log = logging.getLogger(__name__)

TARGETS = ("local", "standalone", "yarn", "k8s", "emr", "emr-serverless")
TIMED_OUT = 124


class SubmitError(InnolinkError):
    exit_code = 1


@dataclass(frozen=True)
class Bundle:
    root: Path
    wheel: Path
    conf_zip: Path
    jobs: Path
    jars: tuple[Path, ...]
    # None: the executors use this machine's interpreter.
    python_env: Path | str | None


def build_bundle(cfg: Config, out_dir: Path) -> Bundle:
    """Wheel, configuration zip, jars and Python of a submission, under out_dir."""
    root = Path(cfg.project_root)
    out_dir.mkdir(parents=True, exist_ok=True)
    for old in out_dir.glob("innolink-*.whl"):
        old.unlink()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "-w",
            str(out_dir),
            str(root),
        ],
        check=True,
    )
    wheel = next(out_dir.glob("innolink-*.whl"))
    conf_zip = out_dir / "conf.zip"
    _zip_folder(root / "conf", conf_zip)
    jars_dir = Path(cfg.resolve(cfg.submit.jars_dir))
    jars = tuple(sorted(jars_dir.glob("*.jar")))
    if not jars:
        raise ConfigError(f"submit.jars_dir: no jars in {jars_dir}; run `make setup`")
    return Bundle(out_dir, wheel, conf_zip, root / "jobs", jars, _python_env(cfg, out_dir))


def _zip_folder(folder: Path, target: Path) -> None:
    # Entries are relative to the folder: unpacked as `#conf`, it is the conf folder itself.
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                archive.write(path, path.relative_to(folder).as_posix())


def _python_env(cfg: Config, out_dir: Path) -> Path | str | None:
    choice = cfg.submit.python_env
    if choice == "local":
        return None
    if choice == "pack":
        target = out_dir / "pyenv.tar.gz"
        venv_pack = Path(sys.executable).parent / "venv-pack"
        subprocess.run([str(venv_pack), "-p", sys.prefix, "-o", str(target), "--force"], check=True)
        return target
    return choice if "://" in choice else Path(cfg.resolve(choice))


def entry_point(bundle: Bundle, stage: str) -> Path:
    path = bundle.jobs / f"{stage}.py"
    if not path.is_file():
        raise ConfigError(f"no entry point {path} for stage {stage!r}")
    return path


def spark_submit_command(
    cfg: Config, bundle: Bundle, target: str, stage: str, app_args: list[str]
) -> list[str]:
    """The spark-submit command of a local, standalone or yarn submission."""
    command = [str(Path(sys.executable).parent / "spark-submit"), "--name", f"innolink-{stage}"]
    confs: list[str] = []
    archives: list[str] = []
    conf_dir = str(Path(cfg.project_root) / "conf")
    if target == "local":
        command += ["--master", "local[2]"]
    elif target == "standalone":
        command += ["--master", cfg.submit.standalone.master, "--deploy-mode", "client"]
    elif target == "yarn":
        yarn = cfg.submit.yarn
        command += ["--master", "yarn", "--deploy-mode", yarn.deploy_mode, "--queue", yarn.queue]
        if yarn.deploy_mode == "cluster":
            # The driver runs in a container: the configuration goes with it.
            archives.append(f"{bundle.conf_zip}#conf")
            conf_dir = "conf"
    else:
        raise ConfigError(f"target {target!r} is not submitted with spark-submit")
    if bundle.python_env is not None:
        archives.append(f"{bundle.python_env}#environment")
        confs.append("spark.pyspark.python=./environment/bin/python")
        if target == "yarn":
            confs.append("spark.yarn.appMasterEnv.PYSPARK_PYTHON=./environment/bin/python")
    else:
        confs += [
            f"spark.pyspark.python={sys.executable}",
            f"spark.pyspark.driver.python={sys.executable}",
        ]
    if archives:
        command += ["--archives", ",".join(archives)]
    command += ["--jars", ",".join(str(j) for j in bundle.jars), "--py-files", str(bundle.wheel)]
    for conf in confs:
        command += ["--conf", conf]
    command.append(str(entry_point(bundle, stage)))
    return [*command, "--conf-dir", conf_dir, *app_args]


def _run(command: list[str], env: dict[str, str] | None = None) -> int:
    log.info("running %s", " ".join(command[:6]) + " ...")
    return subprocess.run(command, env=env).returncode


def _wait(
    state_of: Callable[[], str],
    done: dict[str, int],
    cfg: Config,
    what: str,
) -> int:
    """Poll `state_of` until it names a final state: that state's exit code."""
    deadline = time.monotonic() + cfg.submit.timeout_minutes * 60
    last = None
    while True:
        state = state_of()
        if state != last:
            log.info("%s: %s", what, state)
            last = state
        if state in done:
            return done[state]
        if time.monotonic() > deadline:
            log.error("%s still %s after %.0f minutes", what, state, cfg.submit.timeout_minutes)
            return TIMED_OUT
        time.sleep(cfg.submit.poll_seconds)


# --- AWS ------------------------------------------------------------------------------


def _split_s3(uri: str) -> tuple[str, str]:
    if not uri.startswith("s3://"):
        raise ConfigError(f"submit.staging must be an s3:// URI, got {uri!r}")
    bucket, _, prefix = uri[len("s3://") :].partition("/")
    return bucket, prefix.strip("/")


def upload_bundle(bundle: Bundle, staging: str, s3) -> dict[str, object]:
    """Copy the bundle to S3; jars already there with the same size are not sent again."""
    bucket, prefix = _split_s3(staging)

    def put(path: Path, key: str) -> str:
        full = f"{prefix}/{key}" if prefix else key
        try:
            head = s3.head_object(Bucket=bucket, Key=full)
            if key.startswith("jars/") and head["ContentLength"] == path.stat().st_size:
                return f"s3://{bucket}/{full}"
        except s3.exceptions.ClientError:
            pass
        s3.upload_file(str(path), bucket, full)
        return f"s3://{bucket}/{full}"

    uris: dict[str, object] = {
        "wheel": put(bundle.wheel, f"code/{bundle.wheel.name}"),
        "conf": put(bundle.conf_zip, "code/conf.zip"),
        "jobs": {p.stem: put(p, f"code/jobs/{p.name}") for p in sorted(bundle.jobs.glob("*.py"))},
        "jars": [put(j, f"jars/{j.name}") for j in bundle.jars],
    }
    env = bundle.python_env
    if isinstance(env, Path):
        uris["python_env"] = put(env, f"code/{env.name}")
    elif isinstance(env, str):
        uris["python_env"] = env
    else:
        raise ConfigError(
            "submit.python_env=local cannot run on AWS: use pack, or a packed env built for "
            "the cluster (deploy/Dockerfile)"
        )
    return uris


def _cluster_submit_params(uris: dict, cfg: Config) -> list[str]:
    """spark-submit parameters of a job whose code is on S3 (EMR, EMR Serverless)."""
    python = "./environment/bin/python"
    confs = [
        f"spark.archives={uris['python_env']}#environment,{uris['conf']}#conf",
        f"spark.submit.pyFiles={uris['wheel']}",
        f"spark.jars={','.join(uris['jars'])}",
        f"spark.pyspark.python={python}",
        f"spark.pyspark.driver.python={python}",
        f"spark.emr-serverless.driverEnv.PYSPARK_PYTHON={python}",
        f"spark.executorEnv.PYSPARK_PYTHON={python}",
    ]
    out: list[str] = []
    for conf in confs:
        out += ["--conf", conf]
    return out


def _boto(cfg: Config, service: str):
    import boto3

    return boto3.client(
        service, region_name=cfg.submit.aws_region, endpoint_url=cfg.submit.aws_endpoint_url
    )


def submit_emr_serverless(
    cfg: Config, bundle: Bundle, stage: str, app_args: list[str], wait: bool, clients=None
) -> int:
    target = cfg.submit.emr_serverless
    if not (target.application_id and target.execution_role_arn and cfg.submit.staging):
        raise ConfigError(
            "emr-serverless needs submit.emr_serverless.application_id, "
            "submit.emr_serverless.execution_role_arn and submit.staging"
        )
    s3, emr = clients or (_boto(cfg, "s3"), _boto(cfg, "emr-serverless"))
    uris = upload_bundle(bundle, cfg.submit.staging, s3)
    log_uri = f"{cfg.submit.staging.rstrip('/')}/logs/"
    run = emr.start_job_run(
        applicationId=target.application_id,
        executionRoleArn=target.execution_role_arn,
        name=f"innolink-{stage}",
        jobDriver={
            "sparkSubmit": {
                "entryPoint": uris["jobs"][stage],
                "entryPointArguments": ["--conf-dir", "conf", *app_args],
                "sparkSubmitParameters": " ".join(_cluster_submit_params(uris, cfg)),
            }
        },
        configurationOverrides={
            "monitoringConfiguration": {"s3MonitoringConfiguration": {"logUri": log_uri}}
        },
    )
    job_run_id = run["jobRunId"]
    log.info(
        "emr-serverless job run %s on application %s; logs under %s%s/jobs/%s/",
        job_run_id,
        target.application_id,
        log_uri,
        target.application_id,
        job_run_id,
    )
    if not wait:
        return 0

    def state() -> str:
        return emr.get_job_run(applicationId=target.application_id, jobRunId=job_run_id)["jobRun"][
            "state"
        ]

    return _wait(state, {"SUCCESS": 0, "FAILED": 1, "CANCELLED": 1}, cfg, f"job run {job_run_id}")


def submit_emr(
    cfg: Config, bundle: Bundle, stage: str, app_args: list[str], wait: bool, clients=None
) -> int:
    target = cfg.submit.emr
    if not (target.cluster_id and cfg.submit.staging):
        raise ConfigError("emr needs submit.emr.cluster_id and submit.staging")
    s3, emr = clients or (_boto(cfg, "s3"), _boto(cfg, "emr"))
    uris = upload_bundle(bundle, cfg.submit.staging, s3)
    args = [
        "spark-submit",
        "--deploy-mode",
        "cluster",
        *_cluster_submit_params(uris, cfg),
        uris["jobs"][stage],
        "--conf-dir",
        "conf",
        *app_args,
    ]
    step_id = emr.add_job_flow_steps(
        JobFlowId=target.cluster_id,
        Steps=[
            {
                "Name": f"innolink-{stage}",
                "ActionOnFailure": "CONTINUE",
                "HadoopJarStep": {"Jar": "command-runner.jar", "Args": args},
            }
        ],
    )["StepIds"][0]
    log.info(
        "emr step %s on cluster %s (logs: the cluster's LogUri/steps/%s/)",
        step_id,
        target.cluster_id,
        step_id,
    )
    if not wait:
        return 0

    def state() -> str:
        return emr.describe_step(ClusterId=target.cluster_id, StepId=step_id)["Step"]["Status"][
            "State"
        ]

    return _wait(
        state,
        {"COMPLETED": 0, "FAILED": 1, "CANCELLED": 1, "INTERRUPTED": 1},
        cfg,
        f"step {step_id}",
    )


# --- Kubernetes ------------------------------------------------------------------------


def render_manifest(cfg: Config, uris: dict, stage: str, app_args: list[str], name: str) -> str:
    """The SparkApplication of deploy/k8s, filled in (string.Template: ${name} fields)."""
    k8s = cfg.submit.k8s
    template = Path(cfg.resolve(k8s.manifest)).read_text(encoding="utf-8")
    values = {
        "name": name,
        "namespace": k8s.namespace,
        "image": k8s.image,
        "service_account": k8s.service_account,
        "main_file": str(uris["jobs"][stage]),
        "arguments": json.dumps(["--conf-dir", "conf", *app_args]),
        "jars": json.dumps(list(uris["jars"])),
        "py_files": json.dumps([uris["wheel"]]),
        "archives": json.dumps([f"{uris['conf']}#conf"]),
    }
    return string.Template(template).substitute(values)


def submit_k8s(
    cfg: Config, bundle: Bundle, stage: str, app_args: list[str], wait: bool, s3=None
) -> int:
    """The image carries Python, innolink's dependencies and the jars (deploy/Dockerfile);
    code and configuration come from S3 so a new version needs no new image."""
    if not cfg.submit.staging:
        raise ConfigError("k8s needs submit.staging (an s3:// URI the pods can read)")
    s3 = s3 or _boto(cfg, "s3")
    # The image's own Python runs the job: nothing to ship for it.
    uris = upload_bundle(replace(bundle, python_env="image"), cfg.submit.staging, s3)
    name = f"innolink-{stage}-{int(time.time())}"
    manifest = bundle.root / f"{name}.yaml"
    manifest.write_text(render_manifest(cfg, uris, stage, app_args, name), encoding="utf-8")
    kubectl, ns = cfg.submit.k8s.kubectl, cfg.submit.k8s.namespace
    if _run([kubectl, "apply", "-n", ns, "-f", str(manifest)]) != 0:
        raise SubmitError(f"kubectl apply failed for {manifest}")
    log.info(
        "SparkApplication %s in namespace %s; logs: kubectl logs -n %s %s-driver",
        name,
        ns,
        ns,
        name,
    )
    if not wait:
        return 0

    def state() -> str:
        out = subprocess.run(
            [
                kubectl,
                "get",
                "sparkapplication",
                name,
                "-n",
                ns,
                "-o",
                "jsonpath={.status.applicationState.state}",
            ],
            capture_output=True,
            text=True,
        )
        return out.stdout.strip() or "SUBMITTED"

    return _wait(
        state,
        {"COMPLETED": 0, "FAILED": 1, "SUBMISSION_FAILED": 1, "FAILING": 1},
        cfg,
        f"SparkApplication {name}",
    )


# --- entry ------------------------------------------------------------------------------


def submit(cfg: Config, target: str, stage: str, app_args: list[str], wait: bool = True) -> int:
    if target not in TARGETS:
        raise ConfigError(f"unknown target {target!r}; allowed: {', '.join(TARGETS)}")
    bundle = build_bundle(cfg, Path(cfg.project_root) / "dist" / "submit")
    log.info("bundle %s: %s, %d jars", bundle.root, bundle.wheel.name, len(bundle.jars))
    if target in ("local", "standalone", "yarn"):
        env = dict(os.environ)
        if bundle.python_env is None:
            env["PYSPARK_PYTHON"] = env["PYSPARK_DRIVER_PYTHON"] = sys.executable
        return _run(spark_submit_command(cfg, bundle, target, stage, app_args), env)
    if target == "emr-serverless":
        return submit_emr_serverless(cfg, bundle, stage, app_args, wait)
    if target == "emr":
        return submit_emr(cfg, bundle, stage, app_args, wait)
    return submit_k8s(cfg, bundle, stage, app_args, wait)
