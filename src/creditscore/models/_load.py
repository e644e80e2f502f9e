"""Loading a model directory: ``load_model`` and the ``LoadedModel`` it returns.

The files are checked against the sha256 recorded in ``model.json`` before any of
them is parsed (``_integrity``); a file that is missing, unreadable or damaged is
refused by name (exit 2), a changed one as a policy refusal (exit 3). The layout,
the writer and the hash: ``_modeldir``.
"""

from __future__ import annotations

import json
from pathlib import Path

from .._errors import InputError
from ._features import features_from_json
from ._integrity import verify_model_files
from ._modeldir import model_hash
from ._tiers import PointsScale, RiskTiers

__all__ = ["load_model", "LoadedModel"]

MSG_NOT_A_MODEL = "{path}: not a model directory ({file} is missing)"
MSG_NO_DIR = "{path}: no such model directory"
MSG_BAD_FILE = "{path}: {file} is not readable ({error})"
MSG_DAMAGED = "{path}: the model files are damaged or were edited ({error}); train it again"
#: how LightGBM ends a model text (a booster cut before them is refused before parsing)
BOOSTER_END_MARKS = ("\nend of trees\n", "\nend of parameters")


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

    @property
    def kind(self):
        """'lgbm' or 'scorecard'."""
        return self.info["kind"]

    @property
    def target(self):
        """The label the model predicts."""
        return self.info["target"]

    @property
    def scale(self):
        """The points scale."""
        return self.model.scale_

    @property
    def estimator(self):
        """The base model (``booster_`` of LightGBM, or the scorecard)."""
        return self.model.estimator_

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
