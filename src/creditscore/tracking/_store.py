"""Where MLflow keeps runs and models, and the names creditscore gives them.

Held apart from ``_mlflow`` (logging runs) and ``_registry`` (the gate on
registered versions), which both need them, so that neither imports the other.
"""

from __future__ import annotations

import contextlib
import os
import re
from pathlib import Path

__all__ = ["tracking_uri", "registered_model_name", "model_subjects", "model_registry_name",
           "metric_name", "using_tracking",
           "use_experiment"]

_BAD_NAME_CHARS = re.compile(r"[^\w.\- :]")


def tracking_uri() -> str:
    """``$MLFLOW_TRACKING_URI``, else ``sqlite:///<cwd>/mlflow.db``."""
    return os.environ.get("MLFLOW_TRACKING_URI") or f"sqlite:///{Path.cwd() / 'mlflow.db'}"


def registered_model_name(target: str, subjects: str = "person") -> str:
    """The registry name of a target's models: ``creditscore-<target>``.

    An entity model's is ``creditscore-entity_<target>`` (``creditscore-entity_breach_12m``,
    ``creditscore-entity_default_12m``): an employer's default model is never a version,
    nor a champion, of the persons' ``default_12m``.
    """
    if subjects == "entity" and not target.startswith("entity_"):
        return f"creditscore-entity_{target}"
    return f"creditscore-{target}"


def model_subjects(info) -> str:
    """``"entity"`` or ``"person"``: what the model of a ``ModelInfo`` scores."""
    from ..models._entity_tiers import is_entity_model

    return "entity" if is_entity_model(info.feature_names, info.target) else "person"


def model_registry_name(info) -> str:
    """The registry name of the model a ``ModelInfo`` describes."""
    return registered_model_name(info.target, model_subjects(info))


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
