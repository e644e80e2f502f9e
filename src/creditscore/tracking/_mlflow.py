"""Log a trained model to MLflow: parameters, metrics, reports, and the model itself.

Every training run records its parameters, its metrics (overall, per
observation date, per fairness check and per group), the model card, the
fairness report, plots and the catalogue as artifacts, and the model as an
MLflow model (pyfunc returning the PD) registered under one name per target.
The tracking URI is ``$MLFLOW_TRACKING_URI``, else a SQLite store in the
working directory, so ``mlflow ui`` there shows every run.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable, Mapping
from importlib import metadata
from pathlib import Path

from ..reports._auditinfo import AuditInfo
from ..reports._modelinfo import ModelInfo
from ..reports._sources import is_number
from ._store import (
    metric_name,
    model_registry_name,
    registered_model_name,
    tracking_uri,
    use_experiment,
    using_tracking,
)

__all__ = [
    "tracking_uri",
    "registered_model_name",
    "log_training_run",
    "DEFAULT_EXPERIMENT",
    "metric_name",
]

DEFAULT_EXPERIMENT = "creditscore"
MODEL_ARTIFACT = "model"
MAX_PARAM_CHARS = 6000
REQUIREMENTS = ("mlflow", "pandas", "numpy", "scikit-learn", "lightgbm", "optbinning", "pyarrow")


def _params(info: ModelInfo) -> dict[str, str]:
    params = {
        "target": info.target,
        "model_kind": info.kind,
        "model_hash": info.model_hash,
        "seed": info.seed,
        "train_until": info.train_until,
        "catalogue_version": info.catalogue_version,
        "fingerprint": info.fingerprint,
        "n_features": len(info.features),
    }
    params.update({metric_name("param", k): v for k, v in info.params.items()})
    return {metric_name(k): str(v)[:MAX_PARAM_CHARS] for k, v in params.items() if v is not None}


def _model_metrics(info: ModelInfo) -> dict[str, float]:
    out = {}
    for row in info.metric_rows():
        if row.as_of is not None:
            base = ("as_of", row.as_of, row.metric)
        elif row.scope == "overall":
            base = (row.metric,)
        else:
            base = (row.scope, row.metric)
        out[metric_name(*base)] = row.value
        for bound in ("ci_low", "ci_high"):
            if getattr(row, bound) is not None:
                out[metric_name(*base, bound)] = getattr(row, bound)
    return out


def _audit_metrics(audit: AuditInfo) -> dict[str, float]:
    out = {"fairness.passed": 1.0 if audit.passed else 0.0}
    for check in audit.checks.to_dict("records"):
        base = ("fairness", check.get("attribute"), check.get("group"), check.get("metric"))
        for key in ("value", "threshold", "ci_low", "ci_high"):
            if is_number(check.get(key)):
                out[metric_name(*base, "" if key == "value" else key)] = float(check[key])
        if check.get("passed") is not None:
            out[metric_name(*base, "passed")] = 1.0 if bool(check["passed"]) else 0.0
    groups = audit.groups
    if groups is not None:
        for row in groups.to_dict("records"):
            for key, value in row.items():
                if key not in ("attribute", "group") and is_number(value):
                    out[metric_name("group", row["attribute"], row["group"], key)] = float(value)
    return out


def _log_files(paths, artifact_path: str) -> None:
    import mlflow

    if paths is None:
        return
    items = (
        paths.values()
        if isinstance(paths, Mapping)
        else ([paths] if isinstance(paths, str | os.PathLike) else paths)
    )
    for path in items:
        if path is not None and Path(path).is_file():
            mlflow.log_artifact(str(path), artifact_path)


def _requirements() -> list[str]:
    from .. import __version__

    pins = [f"creditscore=={__version__}"]
    for name in REQUIREMENTS:
        with contextlib.suppress(metadata.PackageNotFoundError):
            pins.append(f"{name}=={metadata.version(name)}")
    return pins


def _example(feature_names: list[str], features) -> object:
    """Three synthetic rows (quartiles of each feature), never a real person's row.

    Only the model's feature columns: no subject id, no protected attribute.
    Integer columns stay integers, so the signature takes a features file as
    ``creditscore features`` writes it; without features, every column is a float.
    """
    import pandas as pd

    if features is None:
        return pd.DataFrame([[0.0] * len(feature_names)] * 3, columns=feature_names)
    frame = (
        pd.read_parquet(features, columns=feature_names)
        if isinstance(features, str | os.PathLike)
        else features[feature_names]
    )
    columns = {}
    for name in feature_names:
        values = pd.to_numeric(frame[name], errors="coerce").astype("float64")
        quartiles = values.quantile([0.25, 0.5, 0.75]).fillna(0.0).reset_index(drop=True)
        integer = pd.api.types.is_integer_dtype(frame[name].dtype)
        columns[name] = quartiles.round().astype("int64") if integer else quartiles
    return pd.DataFrame(columns)


def _log_model(model_dir: Path, info: ModelInfo, features, register: bool):
    import mlflow

    from ..reports import _modelinfo

    loaded = _modelinfo.load_model_dir(model_dir)
    names = list(getattr(loaded, "feature_names", None) or info.feature_names)
    example = _example(names, features)
    signature = mlflow.models.infer_signature(
        example, [float(p) for p in loaded.predict_pd(example)]
    )
    with tempfile.TemporaryDirectory() as tmp:
        entry = Path(tmp) / "creditscore_pd_model.py"
        from ._pyfunc import ENTRY_SCRIPT

        entry.write_text(ENTRY_SCRIPT, encoding="utf-8")
        return mlflow.pyfunc.log_model(
            name=MODEL_ARTIFACT,
            python_model=str(entry),
            artifacts={"model_dir": str(model_dir)},
            signature=signature,
            input_example=example,
            pip_requirements=_requirements(),
            model_config={"require_audit": True},
            registered_model_name=model_registry_name(info) if register else None,
        )


def log_training_run(
    model_dir: str | os.PathLike,
    *,
    experiment: str = DEFAULT_EXPERIMENT,
    card_paths=None,
    fairness_paths=None,
    datasheet_paths=None,
    plots: Iterable = (),
    catalogue_path=None,
    audit_dir=None,
    features=None,
    register: bool = True,
    run_name: str | None = None,
    uri: str | None = None,
) -> str:
    """Log one trained model as an MLflow run and register it.

    Parameters
    ----------
    model_dir : path
        A model directory (``creditscore train``); log it after its audit so
        that the registered copy carries the verdict.
    experiment : str, default="creditscore"
    card_paths, fairness_paths, datasheet_paths : dict or iterable of paths, optional
        What ``ModelCard.write`` / ``FairnessReport.write`` / ``DataSheet.write``
        returned.
    plots : iterable of paths, default=()
        Logged under ``plots/`` beside the model directory's own PNG figures.
    catalogue_path : path, optional
        Default: the package's catalogue.
    audit_dir : path, optional
        The audit output: its checks and per-group metrics become metrics, its
        files artifacts.
    features : path or DataFrame, optional
        Feature rows from which the input example (quartiles of each feature
        column, no real row, no id) is drawn; default: rows of zeros.
    register : bool, default=True
        Register the model as a new version of ``creditscore-<target>`` (an entity
        model: ``creditscore-entity_<target>``).
    run_name : str, optional
    uri : str, optional
        Tracking URI; default :func:`tracking_uri`.

    Returns
    -------
    str
        The run id.
    """
    import mlflow

    from ..records._catalogue import DEFAULT_CATALOGUE
    from ._registry import record_verdict

    model_dir = Path(model_dir)
    info = ModelInfo.from_dir(model_dir)
    audit = AuditInfo.from_dir(audit_dir) if audit_dir is not None else None
    reports = {
        "model_card": card_paths,
        "fairness_report": fairness_paths,
        "datasheet": datasheet_paths,
        "plots": [*info.plots.values(), *plots],
        "catalogue": catalogue_path or DEFAULT_CATALOGUE,
    }
    with using_tracking(uri):
        use_experiment(experiment)
        with mlflow.start_run(run_name=run_name or f"{info.target}-{info.kind}") as run:
            _log_facts(info, audit)
            for artifact_path, paths in reports.items():
                _log_files(paths, artifact_path)
            if audit_dir is not None:
                mlflow.log_artifacts(str(audit_dir), "audit")
            logged = _log_model(model_dir, info, features, register)
        if register:
            version = str(logged.registered_model_version)
            record_verdict(model_registry_name(info), version, model_dir)
    return run.info.run_id


def _log_facts(info: ModelInfo, audit: AuditInfo | None) -> None:
    """Tags, parameters and metrics (overall, per date, per check, per group) of a run."""
    import mlflow

    mlflow.set_tags(
        {
            "creditscore.target": info.target,
            "creditscore.model_kind": info.kind,
            "creditscore.model_hash": info.model_hash,
        }
    )
    mlflow.log_params(_params(info))
    metrics = _model_metrics(info) | (_audit_metrics(audit) if audit else {})
    if metrics:
        mlflow.log_metrics(metrics)
