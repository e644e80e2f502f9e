"""Where MLflow keeps runs and models, and the names creditscore gives them.

Held apart from ``_mlflow`` (logging runs) and ``_registry`` (the gate on
registered versions), which both need them, so that neither imports the other.
"""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path

__all__ = ["tracking_uri", "registered_model_name", "metric_name", "using_tracking",
           "use_experiment"]

_BAD_NAME_CHARS = re.compile(r"[^\w.\- :]")


def tracking_uri() -> str:
    """``$MLFLOW_TRACKING_URI``, else ``sqlite:///<cwd>/mlflow.db``."""
    return os.environ.get("MLFLOW_TRACKING_URI") or f"sqlite:///{Path.cwd() / 'mlflow.db'}"


def registered_model_name(target: str) -> str:
    """The registry name of a target's models: ``creditscore-<target>``."""
    return f"creditscore-{target}"


def metric_name(*parts) -> str:
    """An MLflow-safe metric or parameter name from its parts, joined with dots."""
    name = ".".join(str(p) for p in parts if str(p) != "")
    return _BAD_NAME_CHARS.sub("_", name.replace("/", "."))[:250]


@contextlib.contextmanager
def using_tracking(uri: str | None = None):
    """Point the fluent MLflow API at ``uri`` (default :func:`tracking_uri`), then restore.

    The registry follows the tracking URI unless ``MLFLOW_REGISTRY_URI`` says otherwise.
    """
    import mlflow

    before, before_env = mlflow.get_tracking_uri(), os.environ.get("MLFLOW_TRACKING_URI")
    uri = uri or tracking_uri()
    mlflow.set_tracking_uri(uri)
    try:
        yield uri
    finally:
        mlflow.set_tracking_uri(before)
        if before_env is None:
            os.environ.pop("MLFLOW_TRACKING_URI", None)
        else:
            os.environ["MLFLOW_TRACKING_URI"] = before_env


def use_experiment(name: str) -> None:
    """Make ``name`` the active MLflow experiment, creating it where its store lives.

    MLflow puts a new experiment's artifacts under ``./mlruns`` of the working directory
    whatever the tracking URI; for a local SQLite store creditscore keeps them beside the
    database (``<dir of the .db>/mlruns``), so a store is one folder that can be moved or
    deleted whole. Other stores (servers, databases) keep their own artifact root.
    """
    import mlflow

    if mlflow.get_experiment_by_name(name) is None:
        uri = mlflow.get_tracking_uri()
        location = None
        if uri.startswith("sqlite:///") and uri != "sqlite:///:memory:":
            location = (Path(uri.removeprefix("sqlite:///")).parent / "mlruns").as_uri()
        mlflow.create_experiment(name, artifact_location=location)
    mlflow.set_experiment(name)
