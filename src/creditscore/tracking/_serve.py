"""Serve a registered model over HTTP, only through the gate.

``creditscore serve TARGET|MODEL_URI`` resolves the model (a target serves the
version holding its ``champion`` alias), downloads the registered copy and
checks its audit verdict *before* anything starts: a refused model ends with
one line naming the reason (exit 3), not a server that dies while loading.
A model that passed is handed to MLflow's scoring server (``mlflow models
serve``, in this environment), whose pyfunc checks the gate again as it loads
(``_pyfunc``); a refusal there, too, is one line and exit 3.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

from .._errors import InputError, PolicyRefusal
from ._gate import check_gate
from ._store import registered_model_name, using_tracking

__all__ = ["serve_model", "resolve_model_uri", "MSG_REFUSED_SERVE"]

MSG_REFUSED_SERVE = "refused to serve {uri}: {reason}"
MSG_NO_MODEL = "{uri}: no such registered model version ({error})"
MSG_NOT_OURS = "{uri}: not a creditscore model (no model directory among its artifacts)"


def resolve_model_uri(model: str) -> str:
    """``models:/...`` as given; a target name (``default_12m``) -> its champion's URI."""
    text = str(model).strip()
    if text.startswith("models:/") or "://" in text:
        return text
    return f"models:/{registered_model_name(text)}@champion"


def _model_dir(uri: str, dst: str) -> Path:
    from mlflow.artifacts import download_artifacts
    from mlflow.exceptions import MlflowException

    try:
        root = Path(download_artifacts(artifact_uri=uri, dst_path=dst))
    except MlflowException as exc:
        raise InputError(MSG_NO_MODEL.format(uri=uri, error=str(exc).splitlines()[0])) from None
    found = sorted(p for p in (root / "artifacts").glob("*") if p.is_dir())
    if len(found) != 1:
        raise InputError(MSG_NOT_OURS.format(uri=uri))
    return found[0]


def check_served_model(model: str, *, uri: str | None = None) -> str:
    """The model URI to serve, after its gate check; ``PolicyRefusal`` (one line) if refused."""
    model_uri = resolve_model_uri(model)
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")  # one line, no bar
    with using_tracking(uri), tempfile.TemporaryDirectory() as tmp:
        copy = _model_dir(model_uri, tmp)
        verdict = check_gate(copy)
    if not verdict.passed:  # the reason names the registered model, not the deleted copy
        reason = verdict.reason.replace(str(copy), f"{model_uri} ({copy.name})")
        raise PolicyRefusal(MSG_REFUSED_SERVE.format(uri=model_uri, reason=reason))
    return model_uri


def serve_model(model: str, *, host: str = "127.0.0.1", port: int = 5000,
                uri: str | None = None) -> int:
    """Check the gate, then run MLflow's scoring server on the model; its exit code.

    Parameters
    ----------
    model : str
        A target (``default_12m``: its champion) or a ``models:/`` URI.
    host, port : str, int
    uri : str, optional
        Tracking URI; default ``tracking_uri()``.

    Raises
    ------
    PolicyRefusal
        The model has no passed audit of its own files (exit 3), before any server starts.
    InputError
        No such registered model version, or not a creditscore model.
    """
    from ._store import tracking_uri

    model_uri = check_served_model(model, uri=uri)
    bin_dir = str(Path(sys.executable).parent)  # uvicorn, which mlflow starts, lives here
    env = {**os.environ, "PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""),
           "MLFLOW_TRACKING_URI": uri or tracking_uri()}
    cmd = [sys.executable, "-m", "mlflow", "models", "serve", "-m", model_uri,
           "--env-manager", "local", "-h", host, "-p", str(port)]
    return subprocess.call(cmd, env=env)
