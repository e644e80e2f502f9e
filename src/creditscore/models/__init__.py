"""Default and breach models: scorecard and monotone LightGBM, calibrated, tiered.

Two estimators, both scikit-learn compatible and both taking the feature
definitions (their monotone directions) as a parameter: :class:`WoEScorecard`
(optbinning bins, logistic regression, PDO points) and :class:`MonotoneLGBM`
(LightGBM with monotone constraints, early stopping out of time).
:class:`CalibratedModel` fits one on the fit sample and calibrates it on the
tuning sample (the three samples, fit / tuning / validation: ``_split``;
:func:`backtest` measures performance on the validation sample);
:class:`RiskTiers` turns PDs into tiers A to D on the :class:`PointsScale`.
:class:`Evaluation` is the result object of AUC, Gini, KS, Brier, ECE,
calibration-in-the-large and PSI with bootstrap intervals. :func:`train_model`
runs it all from a feature table and writes a self-contained model directory
(:func:`save_model`, :func:`load_model`, :func:`model_hash`), or keeps it in
memory (``out=None``: an :class:`UnsavedModel` has the hash its directory will
have, so it can be audited before ``TrainResult.save`` writes it);
:func:`score_frame` scores feature rows; :func:`run_experiment` runs an
``experiments/*.yaml`` config end to end. :func:`train_flat` does the same for
any flat CSV or Parquet table (numeric and text columns as they are, a text
label, out-of-fold evaluation).

Importing this package is light: scikit-learn, LightGBM and optbinning load
when a name that needs them is first used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pragma: no cover
    from ._backtest import Backtest, backtest
    from ._calibration import CalibratedModel, Calibrator
    from ._evaluation import Evaluation
    from ._experiment import ExperimentResult, load_experiment, run_experiment
    from ._features import PROTECTED_COLUMNS
    from ._flat import FlatFeature, FlatSchema, FlatTableWarning, flat_schema, read_flat_table
    from ._flat_train import FlatTrainResult, is_flat_request, train_flat
    from ._gbm import MonotoneLGBM
    from ._load import LoadedModel, load_model
    from ._modeldir import AUDIT_DIR, model_hash, save_model
    from ._scorecard import WoEScorecard
    from ._split import holdout_mask
    from ._tiers import PointsScale, RiskTiers
    from ._train import (
        MODELS,
        TARGETS,
        TrainResult,
        model_name,
        read_feature_table,
        score_frame,
        train_model,
    )
    from ._unsaved import UnsavedModel

_WHERE = {
    "Backtest": "_backtest",
    "backtest": "_backtest",
    "CalibratedModel": "_calibration",
    "Calibrator": "_calibration",
    "Evaluation": "_evaluation",
    "ExperimentResult": "_experiment",
    "load_experiment": "_experiment",
    "run_experiment": "_experiment",
    "PROTECTED_COLUMNS": "_features",
    "FlatFeature": "_flat",
    "FlatSchema": "_flat",
    "FlatTableWarning": "_flat",
    "flat_schema": "_flat",
    "read_flat_table": "_flat",
    "FlatTrainResult": "_flat_train",
    "is_flat_request": "_flat_train",
    "train_flat": "_flat_train",
    "model_name": "_train",
    "MonotoneLGBM": "_gbm",
    "AUDIT_DIR": "_modeldir",
    "LoadedModel": "_load",
    "load_model": "_load",
    "model_hash": "_modeldir",
    "save_model": "_modeldir",
    "WoEScorecard": "_scorecard",
    "holdout_mask": "_split",
    "PointsScale": "_tiers",
    "RiskTiers": "_tiers",
    "UnsavedModel": "_unsaved",
    "MODELS": "_train",
    "TARGETS": "_train",
    "TrainResult": "_train",
    "read_feature_table": "_train",
    "score_frame": "_train",
    "train_model": "_train",
}

__all__ = [
    "AUDIT_DIR",
    "Backtest",
    "CalibratedModel",
    "Calibrator",
    "Evaluation",
    "ExperimentResult",
    "FlatFeature",
    "FlatSchema",
    "FlatTableWarning",
    "FlatTrainResult",
    "LoadedModel",
    "MODELS",
    "MonotoneLGBM",
    "PROTECTED_COLUMNS",
    "PointsScale",
    "RiskTiers",
    "TARGETS",
    "TrainResult",
    "UnsavedModel",
    "WoEScorecard",
    "backtest",
    "flat_schema",
    "holdout_mask",
    "is_flat_request",
    "load_experiment",
    "load_model",
    "model_hash",
    "model_name",
    "read_feature_table",
    "read_flat_table",
    "run_experiment",
    "save_model",
    "score_frame",
    "train_flat",
    "train_model",
]


def __getattr__(name: str):
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{_WHERE[name]}"), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted(set(globals()) | set(__all__))
