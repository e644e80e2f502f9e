"""The model directory: self-contained, readable, and identified by a hash.

Layout (``save_model``)::

    MODEL_DIR/
      model.json          what the model is: kind, target, feature order, estimator
                          parameters and seed, calibration, holdout, train_until,
                          catalogue version, training-data fingerprint, points
                          scale, tier bands, package version
      features.json       the definitions of the features used (name, description,
                          source, direction, reason template, actionable)
      booster.txt         LightGBM model text at the best iteration      (lgbm)
      scorecard.json      bins (splits), WoE, coefficients, scale     (scorecard)
      points_table.csv    the scorecard's points per characteristic and bin
      calibration.json    the calibration mapping
      metrics.json        the evaluation on the holdout slice (and metrics.csv)
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
(``_integrity``).
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from .._atomic import atomic_dir
from .._errors import InputError
from ._features import features_from_json, features_to_json, resolve_features
from ._integrity import seal_model_json, verify_model_files
from ._tiers import PointsScale, RiskTiers

__all__ = ["save_model", "load_model", "model_hash", "LoadedModel", "AUDIT_DIR"]

FORMAT = 1
AUDIT_DIR = "audit"
MSG_NOT_A_MODEL = "{path}: not a model directory ({file} is missing)"
MSG_NO_DIR = "{path}: no such model directory"
MSG_BAD_FILE = "{path}: {file} is not readable ({error})"
BOOSTER_END_MARKS = ("\nend of trees\n", "\nend of parameters")
MSG_DAMAGED = "{path}: the model files are damaged or were edited ({error}); train it again"


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
) -> Path:
    """Write a fitted ``CalibratedModel`` as a model directory, atomically.

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
    """
    est = model.estimator_
    names = [str(n) for n in model.feature_names_in_]
    files = _model_files(est)
    files["calibration.json"] = _json(model.calibrator_.to_dict())
    defs = features if features is not None else getattr(est, "features", None)
    files["features.json"] = _json(features_to_json(resolve_features(defs), names))
    info = _info(model, est, names, target, train_until, seed, data, tiers, catalogue_version)
    info.update(extra or {})
    if flat is not None:
        files["flat.json"] = _json(flat.to_dict())
        info["table"] = "flat"
    if evaluation is not None:
        files["metrics.json"] = _json(evaluation.to_dict())
        files["metrics.csv"] = evaluation.to_frame().to_csv(index=False, lineterminator="\n")
    with atomic_dir(out_dir) as tmp:
        for name, text in files.items():
            (tmp / name).write_text(text, encoding="utf-8")
        if evaluation is not None:
            evaluation.plot(tmp / "figures")
        # last: model.json records the sha256 of every file written above, and its own
        (tmp / "model.json").write_text(seal_model_json(info, tmp, _json), encoding="utf-8")
    return Path(out_dir)


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


def model_hash(model_dir) -> str:
    """sha256 over the model files: every file outside ``audit/``."""
    root = Path(model_dir)
    h = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        rel = path.relative_to(root)
        if rel.parts[0] == AUDIT_DIR:
            continue
        data = path.read_bytes()
        h.update(rel.as_posix().encode() + b"\0" + len(data).to_bytes(8, "big"))
        h.update(data)
    return h.hexdigest()


def _read_json(root: Path, name: str):
    path = root / name
    if not path.is_file():
        raise InputError(MSG_NOT_A_MODEL.format(path=root, file=name))
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise InputError(MSG_BAD_FILE.format(path=root, file=name, error=exc)) from exc


def load_model(model_dir) -> LoadedModel:
    """Load a model directory (no training data, no features package needed).

    Raises
    ------
    InputError
        If the directory or one of its files is missing or unreadable.
    PolicyRefusal
        If a model file changed since it was written (its sha256 differs from
        the one recorded in model.json): checked before anything is parsed.
    """
    from ._calibration import CalibratedModel, Calibrator

    root = Path(model_dir)
    if not root.is_dir():
        raise InputError(MSG_NO_DIR.format(path=root))
    verify_model_files(root)  # every byte as written, before any file is parsed
    info = _read_json(root, "model.json")
    try:
        calibrator = Calibrator.from_dict(_read_json(root, "calibration.json"))
        features = features_from_json(_read_json(root, "features.json"))
        flat = _load_flat(root, info)
        features = flat.features if flat is not None else features
        est = _load_estimator(root, info)
        scale = PointsScale(**info["scale"])
        model = CalibratedModel.from_fitted(
            est,
            calibrator,
            scale=scale,
            holdout_kind=info["holdout"]["kind"],
            n_holdout=info["holdout"]["rows"],
        )
        tiers = RiskTiers(**info["tiers"])
    except InputError:
        raise
    except _damage_errors() as exc:
        error = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        error = f"{type(exc).__name__}: {error}" if error else type(exc).__name__
        raise InputError(MSG_DAMAGED.format(path=root, error=error)) from exc
    metrics = _read_json(root, "metrics.json") if (root / "metrics.json").is_file() else None
    return LoadedModel(root, info, features, model, tiers, metrics, flat)


def _load_flat(root: Path, info: dict):
    if info.get("table") != "flat":
        return None
    from ._flat import FlatSchema

    return FlatSchema.from_dict(_read_json(root, "flat.json"))


def _damage_errors() -> tuple[type[Exception], ...]:
    """What a damaged or hand-edited model file raises while it is loaded."""
    from lightgbm.basic import LightGBMError

    return (KeyError, TypeError, ValueError, LightGBMError)


def _load_estimator(root: Path, info: dict):
    if info["kind"] == "lgbm":
        from ._gbm import MonotoneLGBM

        path = root / "booster.txt"
        if not path.is_file():
            raise InputError(MSG_NOT_A_MODEL.format(path=root, file="booster.txt"))
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, ValueError) as exc:
            raise InputError(MSG_BAD_FILE.format(path=root, file="booster.txt", error=exc)) from exc
        # LightGBM's parser crashes the process (SIGSEGV/SIGABRT) on a cut-off model
        # text, so a booster without its closing sections is refused before parsing
        if any(mark not in text for mark in BOOSTER_END_MARKS):
            raise InputError(
                MSG_BAD_FILE.format(
                    path=root,
                    file="booster.txt",
                    error="cut off: it does not end as LightGBM writes it",
                )
            )
        return MonotoneLGBM.from_model_text(
            text,
            info["feature_names"],
            info["monotone_constraints"],
            num_threads=info["estimator_params"]["num_threads"],
        )
    from ._scorecard import WoEScorecard

    return WoEScorecard.from_state(_read_json(root, "scorecard.json"))


class LoadedModel:
    """A model loaded from its directory: PD, score and tier of feature rows.

    Attributes
    ----------
    path : Path
    info : dict
        model.json.
    features : tuple of FeatureDef
        The definitions stored with the model (reason templates included).
    model : CalibratedModel
        The fitted model.
    tiers : RiskTiers
    metrics : dict or None
        metrics.json.
    flat : FlatSchema or None
        A flat-table model's schema (``flat.json``): :meth:`encode` turns a
        flat table into the model's input.
    """

    def __init__(self, path, info, features, model, tiers, metrics=None, flat=None):
        self.path, self.info, self.features = Path(path), info, features
        self.model, self.tiers, self.metrics = model, tiers, metrics
        self.flat = flat

    def encode(self, frame, where: str = "table"):
        """The model's input columns of ``frame`` (a flat table is encoded by its schema)."""
        return frame if self.flat is None else self.flat.encode(frame, where)

    kind = property(lambda self: self.info["kind"], doc="'lgbm' or 'scorecard'.")
    target = property(lambda self: self.info["target"], doc="The label the model predicts.")
    scale = property(lambda self: self.model.scale_, doc="The points scale.")
    estimator = property(
        lambda self: self.model.estimator_,
        doc="The base model (``booster_`` of LightGBM, or the scorecard).",
    )

    @property
    def feature_names(self) -> list[str]:
        """The feature columns the model reads, in model order."""
        return list(self.info["feature_names"])

    def predict_pd(self, frame):
        """Calibrated PD of each row of a feature frame."""
        return self.model.predict_proba(frame)[:, 1]

    def score(self, frame):
        """Points of each row (scorecard points, or the PD on the points scale)."""
        return self.model.score(frame)

    def tier(self, pd):
        """Risk tier of each PD."""
        return self.tiers.assign(pd)

    def score_frame(self, frame):
        """subject_id, as_of, pd, score, tier for each row of ``frame``."""
        import pandas as pd

        p = self.predict_pd(frame)
        out = pd.DataFrame(
            {k: frame[k].to_numpy() for k in ("subject_id", "as_of") if k in frame.columns}
        )
        if "as_of" in out and pd.api.types.is_datetime64_any_dtype(out["as_of"]):
            out["as_of"] = out["as_of"].dt.date
        score = self.scale.from_pd(p) if self.kind == "lgbm" else self.score(frame)
        out["pd"], out["score"], out["tier"] = p, score, self.tier(p)
        return out

    def model_hash(self) -> str:
        """sha256 of the model files (see :func:`model_hash`)."""
        return model_hash(self.path)

    def __repr__(self) -> str:
        return (
            f"LoadedModel({str(self.path)!r}, kind={self.kind!r}, target={self.target!r}, "
            f"features={len(self.feature_names)})"
        )
