"""The model directory: self-contained, readable, and identified by a hash.

Layout (``save_model``)::

    MODEL_DIR/
      model.json          what the model is: kind, target, feature order, estimator
                          parameters and seed, calibration, holdout, train_until,
                          the fit and tuning samples (``samples``, see ``_split``),
                          the development distributions (``reference``),
                          catalogue version, training-data fingerprint, points
                          scale, tier bands, package version
      features.json       the definitions of the features used (name, description,
                          source, direction, reason template, actionable)
      booster.txt         LightGBM model text at the best iteration      (lgbm)
      scorecard.json      bins (splits), WoE, coefficients, scale     (scorecard)
      points_table.csv    the scorecard's points per characteristic and bin
      calibration.json    the calibration mapping
      metrics.json        development figures on the tuning sample (and metrics.csv)
      flat.json           flat-table models only: target, positive label, id and
                          protected columns, each column's type and categories
      figures/            roc.png, calibration.png, score_distribution.png
      audit/              written later by the fairness audit; NOT hashed

Nothing is pickled: every file is text (JSON, CSV, LightGBM model text) or a
plot, so a reviewer can read the model, loading it runs no stored code, it
does not depend on the library versions that pickles tie to, and the same
inputs and seed give byte-identical files. ``model_hash`` is the sha256 over
every file outside ``audit/`` (sorted relative paths, each with its size and
bytes): recording an audit verdict leaves it unchanged, changing any model
file changes it. ``model.json`` also records the sha256 of every other file
and of itself, checked on the raw bytes before any file is parsed
(``_integrity``). Loading: ``_load``.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from .._atomic import atomic_dir
from ._features import features_to_json, resolve_features
from ._integrity import seal_model_json
from ._tiers import RiskTiers

__all__ = ["save_model", "model_hash", "render_model", "files_hash", "AUDIT_DIR"]

FORMAT = 1
AUDIT_DIR = "audit"


def save_model(
    model,
    out_dir,
    *,
    target: str,
    features=None,
    train_until=None,
    seed=None,
    data: dict | None = None,
    evaluation=None,
    tiers: RiskTiers | None = None,
    catalogue_version: str | None = None,
    flat=None,
    extra: dict | None = None,
    samples: dict | None = None,
    reference: dict | None = None,
) -> Path:
    """Write a fitted ``CalibratedModel`` as a model directory, atomically.

    The files are those :func:`render_model` makes, so the directory's
    :func:`model_hash` is the :func:`files_hash` of the model before it is saved.

    Parameters
    ----------
    model : CalibratedModel
        Fitted; its estimator is a ``MonotoneLGBM`` or a ``WoEScorecard``.
    out_dir : str or Path
        Replaced whole.
    target : str
    features : sequence of FeatureDef, optional
        The definitions the model was trained with (default: the estimator's).
    train_until : date or str, optional
    seed : int, optional
    data : dict, optional
        Fingerprint of the training data (rows, sha256, ...).
    evaluation : Evaluation, optional
        Written to metrics.json / metrics.csv / figures/.
    tiers : RiskTiers, optional
        Default: ``RiskTiers()``.
    catalogue_version : str, optional
        Default: the shipped catalogue's version.
    flat : FlatSchema, optional
        A flat-table model's schema, written to ``flat.json``.
    extra : dict, optional
        More ``model.json`` entries (e.g. ``out_of_fold``).
    samples : dict, optional
        The fit and tuning samples (``_split.development_samples``).
    reference : dict, optional
        The development distributions of the score and the features
        (``_reference.reference_distributions``).
    """
    files = render_model(model, target=target, features=features, train_until=train_until,
                         seed=seed, data=data, evaluation=evaluation, tiers=tiers,
                         catalogue_version=catalogue_version, flat=flat, extra=extra,
                         samples=samples, reference=reference)
    with atomic_dir(out_dir) as tmp:
        for rel, data in files.items():
            (tmp / rel).parent.mkdir(parents=True, exist_ok=True)
            (tmp / rel).write_bytes(data)
    return Path(out_dir)


def render_model(
    model,
    *,
    target: str,
    features=None,
    train_until=None,
    seed=None,
    data: dict | None = None,
    evaluation=None,
    tiers: RiskTiers | None = None,
    catalogue_version: str | None = None,
    flat=None,
    extra: dict | None = None,
    samples: dict | None = None,
    reference: dict | None = None,
) -> dict[str, bytes]:
    """The files of the model directory, by relative path, in memory (see :func:`save_model`).

    The same inputs give the same bytes, so an in-memory model has the hash its
    directory will have (:func:`files_hash`).
    """
    est = model.estimator_
    names = [str(n) for n in model.feature_names_in_]
    files = _model_files(est)
    files["calibration.json"] = _json(model.calibrator_.to_dict())
    defs = features if features is not None else getattr(est, "features", None)
    files["features.json"] = _json(features_to_json(resolve_features(defs), names))
    info = _info(model, est, names, target, train_until, seed, data, tiers, catalogue_version)
    info.update(extra or {})
    if samples is not None:
        info["samples"] = samples
    if reference is not None:
        info["reference"] = reference
    if flat is not None:
        files["flat.json"] = _json(flat.to_dict())
        info["table"] = "flat"
    if evaluation is not None:
        files["metrics.json"] = _json(evaluation.to_dict())
        files["metrics.csv"] = evaluation.to_frame().to_csv(index=False, lineterminator="\n")
    out = {name: text.encode("utf-8") for name, text in files.items()}
    if evaluation is not None:
        out.update({f"figures/{name}": png for name, png in evaluation.figures().items()})
    # last: model.json records the sha256 of every file above, and its own
    out["model.json"] = seal_model_json(info, out, _json).encode("utf-8")
    return out


def _model_files(est) -> dict[str, str]:
    if hasattr(est, "model_text"):
        return {"booster.txt": est.model_text()}
    table = est.points_table_.to_csv(index=False, lineterminator="\n")
    return {"scorecard.json": _json(est.to_state()), "points_table.csv": table}


def _info(model, est, names, target, train_until, seed, data, tiers, catalogue_version):
    from .. import __version__

    if catalogue_version is None:
        from ..records import load_catalogue

        catalogue_version = load_catalogue().version
    params = {k: v for k, v in est.get_params().items() if k != "features"}
    return {
        "format": FORMAT,
        "kind": "lgbm" if hasattr(est, "model_text") else "scorecard",
        "estimator": type(est).__name__,
        "estimator_params": params,
        "target": target,
        "feature_names": names,
        "monotone_constraints": list(getattr(est, "monotone_constraints_", [])),
        "calibration": {
            "method": model.calibrator_.method_,
            "n_rows": model.calibrator_.n_rows_,
            "n_events": model.calibrator_.n_events_,
            **({} if not hasattr(model, "target_rate_") else {
                "target": model.calibrate_to, "margin": float(model.margin),
                "target_rate": model.target_rate_}),
        },
        "holdout": {"kind": model.holdout_kind_, "rows": model.n_holdout_},
        "seed": seed,
        "train_until": None if train_until is None else str(train_until),
        "catalogue_version": catalogue_version,
        "data": data or {},
        "scale": model.scale_.to_dict(),
        "tiers": (tiers or RiskTiers()).to_dict(),
        "creditscore_version": __version__,
    }


def _json(obj) -> str:
    return json.dumps(obj, indent=2, sort_keys=True, allow_nan=False, default=_plain) + "\n"


def _plain(x):
    if hasattr(x, "item"):
        return x.item()
    if hasattr(x, "isoformat"):
        return x.isoformat()
    if isinstance(x, (tuple, set, frozenset)):
        return sorted(x) if isinstance(x, (set, frozenset)) else list(x)
    raise TypeError(f"{type(x).__name__} is not JSON serialisable")


def files_hash(files: dict[str, bytes]) -> str:
    """sha256 over model files given as relative path -> bytes (``audit/`` left out): the
    rule of :func:`model_hash`, for a model that is not (yet) a directory."""
    h = hashlib.sha256()
    for rel in sorted(files, key=lambda r: tuple(r.split("/"))):  # as sorted Paths order
        if rel.split("/")[0] == AUDIT_DIR:
            continue
        data = files[rel]
        h.update(rel.encode() + b"\0" + len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


def model_hash(model_dir) -> str:
    """sha256 over the model files: every file outside ``audit/``."""
    root = Path(model_dir)
    return files_hash({p.relative_to(root).as_posix(): p.read_bytes()
                       for p in root.rglob("*") if p.is_file()
                       and p.relative_to(root).parts[0] != AUDIT_DIR})
