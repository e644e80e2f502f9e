import importlib.util
import shutil
import sys
from pathlib import Path

import pytest

# The stand-ins for the model directory and the audit live with the reports tests.
if "standin" not in sys.modules:
    _path = Path(__file__).parents[1] / "reports" / "standin.py"
    _spec = importlib.util.spec_from_file_location("standin", _path)
    sys.modules["standin"] = importlib.util.module_from_spec(_spec)
    _spec.loader.exec_module(sys.modules["standin"])

import standin  # noqa: E402

from creditscore.reports import _modelinfo  # noqa: E402
from creditscore.tracking import _gate  # noqa: E402


@pytest.fixture
def standin_loader(monkeypatch):
    """Models load with the stand-in; the fairness stage's own gate check is left out."""
    monkeypatch.setattr(_modelinfo, "load_model_dir", standin.load_standin)
    monkeypatch.setattr(_gate, "_external_gate", lambda: None)
    return standin.load_standin


@pytest.fixture(scope="session")
def empty_store(tmp_path_factory):
    """An empty, migrated SQLite store, made once: migrations take seconds, a copy does not."""
    from mlflow import MlflowClient

    path = tmp_path_factory.mktemp("store") / "template.db"
    MlflowClient(tracking_uri=f"sqlite:///{path}").search_experiments()
    return path


@pytest.fixture
def tracking(tmp_path, monkeypatch, empty_store):
    """A fresh SQLite tracking store in tmp_path, set by env and by mlflow.set_tracking_uri."""
    import mlflow

    shutil.copyfile(empty_store, tmp_path / "mlflow.db")
    uri = f"sqlite:///{tmp_path / 'mlflow.db'}"
    monkeypatch.chdir(tmp_path)  # default artifact root ./mlruns lands in tmp_path
    monkeypatch.setenv("MLFLOW_TRACKING_URI", uri)
    before = mlflow.get_tracking_uri()
    mlflow.set_tracking_uri(uri)
    yield uri
    mlflow.set_tracking_uri(before)


@pytest.fixture
def passed_model(tmp_path, standin_loader):
    model_dir = standin.write_model_dir(tmp_path / "passed")
    standin.write_verdict(model_dir, passed=True)
    return model_dir


@pytest.fixture
def failed_model(tmp_path, standin_loader):
    model_dir = standin.write_model_dir(tmp_path / "failed", intercept=-2.5)
    standin.write_verdict(model_dir, passed=False)
    return model_dir
