"""Train a default or breach model from a feature table; score feature rows.

``train_model`` is what ``creditscore train`` runs: it keeps the rows with a
known label and ``as_of <= train_until``, refuses protected attributes,
splits them into the fit and tuning samples (the rule: ``_split``), fits the
base model on the fit sample with early stopping on the tuning sample
(LightGBM), calibrates on the tuning sample, measures the development metrics
there (``metrics.json``, labelled as such), and writes a self-contained model
directory whose ``model.json`` records both samples (``samples.fit``,
``samples.tuning``). Performance is measured later, on the validation sample
(``creditscore backtest``).

``sample_weight`` (one weight per row of the feature table, or the name of a
column holding them) weighs the base model's fit, as reweighing-based
mitigation needs; early stopping, calibration and evaluation on the tuning
sample stay unweighted, and the weights' sha256 goes into the training-data
fingerprint of ``model.json``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .._errors import InputError
from ._inputs import (
    TARGETS,
    feature_columns,
    fingerprint,
    parse_date,
    read_feature_table,
    training_rows,
    where,
)
from ._split import holdout_mask
from ._tiers import PointsScale
from ._unsaved import SAVING_ATTR

__all__ = ["train_model", "score_frame", "read_feature_table", "TrainResult", "TARGETS", "MODELS",
           "model_name", "MODEL_ALIASES"]

MODELS = ("lgbm", "scorecard")
#: the names a new user types first, accepted for the two models
MODEL_ALIASES = {"lightgbm": "lgbm", "lgb": "lgbm", "gbm": "lgbm", "gbdt": "lgbm",
                 "boosting": "lgbm", "woe": "scorecard", "score-card": "scorecard",
                 "score_card": "scorecard", "woe-scorecard": "scorecard", "card": "scorecard"}
MSG_MODEL = ("unknown model {model!r} (expected lgbm (also: lightgbm) or scorecard "
             "(also: woe))")


def model_name(model: str) -> str:
    """``lgbm`` or ``scorecard`` from what the user typed (``lightgbm``, ``WoE``, ...)."""
    key = str(model).strip().lower()
    key = MODEL_ALIASES.get(key, key)
    if key not in MODELS:
        raise InputError(MSG_MODEL.format(model=model))
    return key
MSG_PARAMS = "model parameters: {error}"
MSG_WEIGHTS = "{path}: sample_weight {problem} (expected {expected})"
WEIGHT_COLUMN = "__sample_weight__"


def _estimator(model, defs, seed, params, scale):
    model = model_name(model)
    if model == "lgbm":
        from ._gbm import MonotoneLGBM

        est = MonotoneLGBM(features=defs, random_state=seed)
    else:
        from ._scorecard import WoEScorecard

        est = WoEScorecard(features=defs, pdo=scale.pdo, odds=scale.odds, points=scale.points)
    try:
        return est.set_params(**(params or {}))
    except (ValueError, TypeError) as exc:
        raise InputError(MSG_PARAMS.format(error=str(exc).splitlines()[0])) from None


def train_model(
    features_path,
    target,
    model="lgbm",
    out=None,
    *,
    train_until=None,
    seed=0,
    params=None,
    features=None,
    scale=None,
    tiers=None,
    n_boot=200,
    sample_weight=None,
    calibrate_to="tuning",
    margin=0.0,
) -> TrainResult:
    """Train, calibrate, evaluate and save a default or breach model.

    Parameters
    ----------
    features_path : str, Path or DataFrame
        A feature table from ``creditscore.features.build_features``.
    target : {"default_12m", "breach_12m"}
    model : {"lgbm", "scorecard"}, default="lgbm"
    out : str or Path, optional
        The model directory to write (replaced whole); None writes nothing.
    train_until : date or "YYYY-MM-DD", optional
        Use rows with ``as_of <= train_until`` (default: every known row).
    seed : int, default=0
    params : dict, optional
        Estimator parameters (``MonotoneLGBM`` / ``WoEScorecard``).
    features : sequence of FeatureDef, optional
        Default: ``creditscore.features.FEATURES``.
    scale : PointsScale, optional
    tiers : RiskTiers, optional
    n_boot : int, default=200
    sample_weight : array-like or str, optional
        One non-negative weight per row of the feature table (as read), or
        the name of its column of weights; weighs the fit only (see above).
    calibrate_to : {"tuning", "long-run"}, default="tuning"
        The calibration target: the tuning cohort's event rate, or the average
        of every development date's rate (``_calibration.calibration_target``).
    margin : float, default=0.0
        Relative margin of conservatism on the calibration target.

    Raises
    ------
    InputError
        Missing file or column, protected column, no known labels, unknown
        model or parameter; one line naming the input.
    """
    src, until = where(features_path), parse_date(train_until)
    model = model_name(model)
    frame = read_feature_table(features_path)
    frame = _with_weights(frame, sample_weight, src)
    defs, names = feature_columns(frame, features, src)
    scale = scale or PointsScale()
    est = _estimator(model, defs, seed, params, scale)
    rows = training_rows(frame, target, until, src)
    _check_calibration(calibrate_to, margin)
    fitted, evaluation, mask = _fit(est, rows, names, target, seed, scale, n_boot,
                                    calibrate_to, margin)
    samples, reference = development_record(fitted, rows, names, target, mask)
    data = fingerprint(rows, names, target, features_path)
    if WEIGHT_COLUMN in rows:
        data["sample_weight_sha256"] = hashlib.sha256(
            rows[WEIGHT_COLUMN].to_numpy(dtype=float).tobytes()).hexdigest()
    saving = dict(target=target, features=defs, train_until=until, seed=seed, data=data,
                  evaluation=evaluation, tiers=tiers, samples=samples, reference=reference)
    # a model kept in memory can be audited and saved later as this directory (_unsaved)
    setattr(fitted, SAVING_ATTR, saving)
    path = digest = None
    if out is not None:
        from ._modeldir import model_hash, save_model

        path = save_model(fitted, out, **saving)
        digest = model_hash(path)
    dates = sorted({str(d)[:10] for d in rows["as_of"].to_numpy()[mask]})
    return TrainResult(
        fitted,
        evaluation,
        path,
        digest,
        target,
        model,
        len(rows),
        int(mask.sum()),
        fitted.holdout_kind_,
        dates,
    )


def _with_weights(frame, sample_weight, src):
    """The frame with its weights in ``WEIGHT_COLUMN`` (mean 1 over the frame)."""
    if sample_weight is None:
        return frame
    if isinstance(sample_weight, str):
        if sample_weight not in frame.columns:
            raise InputError(MSG_WEIGHTS.format(path=src, problem=f"column {sample_weight!r} "
                                                "is missing", expected="a column of the table"))
        w = frame.pop(sample_weight).to_numpy(dtype=float)
    else:
        w = np.asarray(sample_weight, dtype=float).ravel()
    if len(w) != len(frame):
        raise InputError(MSG_WEIGHTS.format(path=src, problem=f"has {len(w)} values for "
                                            f"{len(frame)} rows", expected="one per row"))
    if not np.isfinite(w).all() or (w < 0).any() or w.sum() <= 0:
        raise InputError(MSG_WEIGHTS.format(path=src, problem="holds negative, missing or "
                                            "infinite values, or only zeros",
                                            expected="finite weights >= 0, not all zero"))
    return frame.assign(**{WEIGHT_COLUMN: w / w.mean()})


def development_record(fitted, rows, names, target, tuning):
    """``model.json``'s ``samples`` and the development distributions of a fitted model."""
    from ._reference import reference_distributions
    from ._split import development_samples

    samples = development_samples(rows["subject_id"].to_numpy(), rows["as_of"].to_numpy(),
                                  rows[target].astype(int).to_numpy(), tuning,
                                  fitted.holdout_kind_)
    return samples, reference_distributions(rows, names, fitted.score(rows[names]))


MSG_CALIBRATION = ("calibration: {what} (expected --calibrate-to tuning or long-run, and a "
                   "margin of conservatism >= 0)")


def _check_calibration(calibrate_to, margin):
    from ._calibration import CALIBRATION_TARGETS

    if calibrate_to not in CALIBRATION_TARGETS:
        raise InputError(MSG_CALIBRATION.format(what=f"unknown target {calibrate_to!r}"))
    if not isinstance(margin, (int, float)) or not 0 <= margin < 10:
        raise InputError(MSG_CALIBRATION.format(what=f"margin {margin!r}"))


def _fit(est, rows, names, target, seed, scale, n_boot, calibrate_to="tuning", margin=0.0):
    """Fit on the fit sample, tune and calibrate on the tuning sample; the development
    metrics are measured on the tuning sample."""
    from ._calibration import CalibratedModel

    X, y, as_of = rows[names], rows[target].astype(int).to_numpy(), rows["as_of"].to_numpy()
    mask, kind = holdout_mask(as_of, y, random_state=seed)
    w = rows[WEIGHT_COLUMN].to_numpy(dtype=float) if WEIGHT_COLUMN in rows else None
    fitted = CalibratedModel(est, scale=scale, random_state=seed, calibrate_to=calibrate_to,
                             margin=margin).fit(X, y, as_of=as_of, holdout=mask,
                                                sample_weight=w)
    fitted.holdout_kind_ = kind
    return fitted, _evaluate(fitted, X, y, as_of, mask, seed, n_boot), mask


def _evaluate(fitted, X, y, as_of, mask, seed, n_boot):
    from ._evaluation import Evaluation

    scores = fitted.score(X)
    pd_hold = fitted.predict_proba(X.iloc[np.flatnonzero(mask)])[:, 1]
    return Evaluation(y[mask], pd_hold, score=scores[mask], as_of=as_of[mask],
                      train_score=scores[~mask], n_boot=n_boot, random_state=seed)


@dataclass(frozen=True)
class TrainResult:
    """What ``train_model`` did.

    Attributes
    ----------
    model : CalibratedModel
    evaluation : Evaluation
        Development figures, on the tuning sample (also used for early stopping
        and calibration): not a measure of performance.
    model_dir : Path or None
        None when trained with ``out=None``: :meth:`save` writes it later.
    model_hash : str or None
    target, kind : str
    n_rows, n_holdout : int
    holdout_kind : {"out_of_time", "random"}
    holdout_dates : list of str
    """

    model: object
    evaluation: object
    model_dir: Path | None
    model_hash: str | None
    target: str
    kind: str
    n_rows: int
    n_holdout: int
    holdout_kind: str
    holdout_dates: list

    def save(self, out, *, audit=None) -> Path:
        """Write the model directory of a model trained in memory (``out=None``).

        With ``audit`` (what ``creditscore.fairness.run_audit`` returned for
        this model), its verdict is recorded in ``out/audit/``, bound to the
        directory's hash, which is the hash the audit names (the same bytes
        are written). Another model's audit is refused before anything is written.
        """
        from ._unsaved import unsaved_model

        return unsaved_model(self, "TrainResult").save(out, audit=audit)

    def to_dict(self) -> dict:
        """The training result as JSON-ready data: model directory and hash, target, kind, figures.
        """
        return {
            "model_dir": None if self.model_dir is None else str(self.model_dir),
            "model_hash": self.model_hash,
            "target": self.target,
            "kind": self.kind,
            "n_rows": self.n_rows,
            "n_holdout": self.n_holdout,
            "holdout_kind": self.holdout_kind,
            "holdout_dates": self.holdout_dates,
            "evaluation": self.evaluation.to_dict(),
        }

    def to_frame(self):
        """The holdout evaluation, one row per (as_of, metric)."""
        return self.evaluation.to_frame()

    def summary(self) -> str:
        """One line for the command line."""
        where = f"; wrote {self.model_dir}" if self.model_dir is not None else ""
        hold = (
            f"latest as_of {', '.join(self.holdout_dates)}"
            if self.holdout_kind == "out_of_time"
            else "random 20%"
        )
        return (
            f"{self.kind} model of {self.target} on {self.n_rows:,} rows; development "
            f"figures on the tuning sample ({hold}; also used for early stopping and "
            f"calibration): {self.evaluation.summary()}{where}"
        )


def score_frame(model_dir, frame):
    """PD, score and tier of feature rows: subject_id, as_of, pd, score, tier.

    ``frame`` is a DataFrame or a Parquet path of a feature table.
    """
    from ._load import load_model

    return load_model(model_dir).score_frame(read_feature_table(frame))
