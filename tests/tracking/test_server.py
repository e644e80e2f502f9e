"""A pipeline with a shared tracking server: a real ``mlflow server`` on localhost."""

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest
import standin

from creditscore.tracking import (
    champion_version,
    log_training_run,
    promote_if_passed,
    registered_model_name,
)
from creditscore.tracking._mlflow import using_tracking

MLFLOW = Path(sys.executable).parent / "mlflow"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(url: str, proc: subprocess.Popen, log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"mlflow server exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"mlflow server not healthy after {timeout}s:\n{log.read_text()[-3000:]}")


@pytest.fixture
def server(tmp_path, monkeypatch):
    port = _free_port()
    log = tmp_path / "server.log"
    env = {**os.environ, "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false"}
    env.pop("MLFLOW_TRACKING_URI", None)
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [
                str(MLFLOW),
                "server",
                "--backend-store-uri",
                f"sqlite:///{tmp_path / 'server.db'}",
                "--default-artifact-root",
                (tmp_path / "artifacts").as_uri(),
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--workers",
                "1",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc, log)
        monkeypatch.setenv("MLFLOW_TRACKING_URI", url)
        monkeypatch.chdir(tmp_path)
        yield url
    finally:
        os.killpg(proc.pid, signal.SIGTERM)  # the server and its workers: its own session
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)


def test_train_logs_and_promotes_over_http(server, tmp_path, standin_loader):
    import mlflow

    started = time.monotonic()
    model_dir = standin.write_model_dir(tmp_path / "model")
    standin.write_verdict(model_dir, passed=True)
    run_id = log_training_run(model_dir)  # the URI comes from MLFLOW_TRACKING_URI
    promotion = promote_if_passed(run_id, model_dir)
    assert promotion.promoted
    assert str(champion_version("default_12m").version) == promotion.version

    client = mlflow.MlflowClient(tracking_uri=server)
    assert client.get_run(run_id).data.metrics["auc"] == pytest.approx(0.781)
    assert not (tmp_path / "mlflow.db").exists(), "nothing was written to a local store"
    with using_tracking(server):
        model = mlflow.pyfunc.load_model(f"models:/{registered_model_name('default_12m')}@champion")
    frame = standin.feature_frame(n=20)
    np.testing.assert_allclose(
        model.predict(frame), standin.StandInModel(model_dir).predict_pd(frame), atol=1e-12
    )
    assert time.monotonic() - started < 60
