"""A real Spark standalone cluster on the loopback address, driven from the command line.

A master and one worker are started from the installed PySpark
(``spark-class org.apache.spark.deploy.master.Master`` / ``...worker.Worker``,
free ports, one core, small memory); ``creditscore features --engine spark
--master spark://127.0.0.1:PORT`` must give the DuckDB feature table cell by
cell, and ``creditscore score --engine spark`` the local scores row by row,
with its entry in the audit log; an unaudited model is refused with exit 3
and nothing written. Both processes are stopped in a finalizer, whatever
happens.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from creditscore.features import build_feature_table
from creditscore.scoring import score_features

from .conftest import assert_identical

pytestmark = [pytest.mark.spark, pytest.mark.slow]
CLI = str(Path(sys.executable).with_name("creditscore"))
DATES = ["2022-12-31", "2023-06-30", "2023-12-31"]
START_SECONDS = 120


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _spark_class() -> str:
    import pyspark

    path = Path(pyspark.__file__).parent / "bin" / "spark-class"
    if not path.is_file():
        pytest.skip(f"no spark-class in the installed PySpark ({path})")
    return str(path)


def _start(cmd, log: Path, env) -> subprocess.Popen:
    with open(log, "wb") as f:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(cmd, stdout=f, stderr=subprocess.STDOUT, env=env,
                                start_new_session=True)


def _stop(proc: subprocess.Popen) -> None:
    """Stop a daemon and everything it started (its process group), surely."""
    if proc.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, 20), (signal.SIGKILL, 10)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def _alive_workers(ui_port: int) -> int:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{ui_port}/json/", timeout=5) as r:
            return int(json.load(r).get("aliveworkers", 0))
    except (OSError, ValueError):
        return 0


def _wait_for_worker(ui_port: int, procs, logs) -> None:
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        if _alive_workers(ui_port) >= 1:
            return
        for proc, log in zip(procs, logs, strict=True):
            if proc.poll() is not None:
                pytest.fail(f"a Spark daemon exited: {log.read_text()[-2000:]}")
        time.sleep(1)
    pytest.fail("the Spark worker did not register with the master in "
                f"{START_SECONDS}s: {logs[-1].read_text()[-2000:]}")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, request):
    """(master URL, environment for the CLI): a standalone master and one worker."""
    from .conftest import _unavailable

    reason = _unavailable()
    if reason:
        pytest.skip(reason)
    root = tmp_path_factory.mktemp("cluster")
    env = {**os.environ, "SPARK_LOCAL_IP": "127.0.0.1", "SPARK_LOG_DIR": str(root),
           "SPARK_WORKER_DIR": str(root / "work"), "PYSPARK_PYTHON": sys.executable}
    env.pop("SPARK_REMOTE", None)
    port, ui, worker_ui = _free_port(), _free_port(), _free_port()
    spark_class = _spark_class()
    logs = [root / "master.log", root / "worker.log"]
    master = _start([spark_class, "org.apache.spark.deploy.master.Master", "--host",
                     "127.0.0.1", "--port", str(port), "--webui-port", str(ui)], logs[0], env)
    procs = [master]
    request.addfinalizer(lambda: [_stop(p) for p in reversed(procs)])
    url = f"spark://127.0.0.1:{port}"
    procs.append(_start([spark_class, "org.apache.spark.deploy.worker.Worker", url, "--host",
                         "127.0.0.1", "--cores", "1", "--memory", "1g", "--webui-port",
                         str(worker_ui), "--work-dir", str(root / "work")], logs[1], env))
    _wait_for_worker(ui, procs, logs)
    conf = root / "conf"
    conf.mkdir()
    (conf / "spark-defaults.conf").write_text(
        "spark.executor.memory 512m\nspark.executor.cores 1\nspark.cores.max 1\n"
        "spark.driver.memory 1g\nspark.sql.shuffle.partitions 2\nspark.ui.enabled false\n")
    env["SPARK_CONF_DIR"] = str(conf)
    env["CREDITSCORE_AUDIT_LOG"] = str(root / "audit-log.jsonl")
    return url, env, root


def _cli(*args, env):
    return subprocess.run([CLI, *args], env=env, capture_output=True, text=True, timeout=900)


def test_features_and_scores_on_a_standalone_cluster_equal_the_local_engine(cluster, audited,
                                                                              tmp_path):
    url, env, root = cluster
    records = audited[0] / "records"
    out = tmp_path / "features-spark.parquet"
    done = _cli("features", str(records), *sum((["--as-of", d] for d in DATES), []),
                "--out", f"file://{out}", "--engine", "spark", "--master", url, env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    assert_identical(pq.read_table(out), build_feature_table(records, DATES, output="arrow"))

    model_dir = audited[1]
    local = tmp_path / "local.parquet"
    score_features(model_dir, out, local, purpose="cluster test", log=root / "local-log.jsonl")
    spark_out = tmp_path / "scores"
    done = _cli("score", str(model_dir), str(out), "--out", str(spark_out), "--purpose",
                "cluster test", "--engine", "spark", "--master", url, "--write", "dataset",
                env=env)
    assert done.returncode == 0, done.stderr[-3000:]
    a, b = pq.read_table(local).to_pandas(), pq.read_table(spark_out).to_pandas()
    a, b = (f.sort_values(["as_of", "subject_id"]).reset_index(drop=True) for f in (a, b))
    assert list(b.columns) == list(a.columns) and len(a) == len(b) > 0
    for col in ("subject_id", "as_of", "tier", "reason_1", "reason_2", "reason_3", "reason_4"):
        assert (a[col].fillna("-").astype(str) == b[col].fillna("-").astype(str)).all(), col
    np.testing.assert_allclose(b["pd"], a["pd"], rtol=1e-9, atol=0)
    entries = [json.loads(x) for x in Path(env["CREDITSCORE_AUDIT_LOG"]).read_text().splitlines()]
    assert entries[-1]["action"] == "score" and entries[-1]["engine"] == "spark"
    assert entries[-1]["n_subjects"] == len(a)


def test_an_unaudited_model_is_refused_on_the_cluster_path(cluster, audited, tmp_path):
    url, env, _ = cluster
    unaudited = tmp_path / "model"
    shutil.copytree(audited[1], unaudited, ignore=shutil.ignore_patterns("audit"))
    log = Path(env["CREDITSCORE_AUDIT_LOG"])
    before = log.read_text() if log.exists() else ""
    out = tmp_path / "scores.parquet"
    done = _cli("score", str(unaudited), str(audited[2]), "--out", str(out), "--purpose", "x",
                "--engine", "spark", "--master", url, env=env)
    assert done.returncode == 3, done.stderr
    assert "no fairness audit of this model" in done.stderr
    assert not out.exists() and (log.read_text() if log.exists() else "") == before
