"""Candidate models for mitigation: deterministic, and blind to protected attributes.

A candidate is a LightGBM classifier (or one of fairlearn GridSearch's grid
predictors, which are plain LightGBM classifiers fitted on re-weighted,
re-labelled rows) followed by Platt scaling fitted, unweighted, on held-out
rows with the true label, so its output is a PD again. At prediction time it
needs the feature columns only: the protected attribute enters training
(weights, GridSearch's constraint), never ``predict_pd``. No randomised
predictor is used (fairlearn's ThresholdOptimizer and ExponentiatedGradient
mix predictors at random; GridSearch's members are each deterministic).
"""

from __future__ import annotations

import hashlib
import pickle

import numpy as np
import pandas as pd

__all__ = ["CandidateModel", "fit_lgbm", "reweigh", "LGBM_DEFAULTS"]

LGBM_DEFAULTS = {"n_estimators": 150, "learning_rate": 0.05, "num_leaves": 7,
                 "min_child_samples": 40, "reg_lambda": 1.0, "num_threads": 1,
                 "deterministic": True, "verbose": -1}
MSG_NO_TIERS = ("candidate {name}: the policy flags by tiers but no base model gives the tier "
                "bands; pass base_model= or use a pd_cutoff policy")


def fit_lgbm(x: pd.DataFrame, y, sample_weight=None, params=None, random_state=0):
    """A LightGBM classifier with one thread and a fixed seed."""
    from lightgbm import LGBMClassifier

    est = LGBMClassifier(**{**LGBM_DEFAULTS, "random_state": random_state, **(params or {})})
    return est.fit(x, np.asarray(y, dtype=int), sample_weight=sample_weight)


def reweigh(groups, y) -> np.ndarray:
    """Kamiran & Calders (2012) weights: each (group, label) cell weighs as if
    group and label were independent, w = P(group) P(label) / P(group, label)."""
    frame = pd.DataFrame({"g": pd.Series(groups).astype(str).to_numpy(),
                          "y": np.asarray(y, dtype=int)})
    n = len(frame)
    pg = frame["g"].map(frame["g"].value_counts() / n)
    py = frame["y"].map(frame["y"].value_counts() / n)
    pgy = frame.groupby(["g", "y"])["y"].transform("size") / n
    return (pg * py / pgy).to_numpy(dtype=float)


def _logit(p):
    p = np.clip(np.asarray(p, dtype=float), 1e-6, 1 - 1e-6)
    return np.log(p / (1 - p))


class CandidateModel:
    """A fitted candidate with the LoadedModel methods the audit uses.

    Parameters
    ----------
    estimator : fitted classifier with ``predict_proba``
    feature_names : list of str
    target : str
    name : str
    tier_fn : callable, default=None
        The base model's ``tier`` (PD bands), so candidates are judged at
        the same operating decision.
    neutralise : dict, default=None
        feature -> constant substituted at prediction (proxy neutralisation).
    recipe : dict, default=None
        How to rebuild it with ``creditscore.models.train_model``.
    """

    def __init__(self, estimator, feature_names, target, name, *, tier_fn=None,
                 neutralise=None, recipe=None):
        self.estimator = estimator
        self.feature_names = list(feature_names)
        self.target = target
        self.name = name
        self.tier_fn = tier_fn
        self.neutralise = dict(neutralise or {})
        self.recipe = dict(recipe or {})
        self.calibration_ = (1.0, 0.0)

    def _raw(self, frame: pd.DataFrame) -> np.ndarray:
        x = frame[self.feature_names].copy()
        for col, value in self.neutralise.items():
            x[col] = value
        proba = np.asarray(self.estimator.predict_proba(x))
        if proba.ndim == 2 and proba.shape[1] == 2:
            return proba[:, 1]
        # a constant predictor (GridSearch's DummyClassifier) has one class
        const = float(getattr(self.estimator, "classes_", [0])[0])
        return np.full(len(x), 0.999 if const == 1 else 0.001)

    def calibrate(self, frame: pd.DataFrame, y) -> CandidateModel:
        """Platt scaling on held-out rows (unweighted, true labels)."""
        from sklearn.linear_model import LogisticRegression

        z = _logit(self._raw(frame)).reshape(-1, 1)
        if np.ptp(z) == 0:
            self.calibration_ = (0.0, float(_logit(np.mean(y))))
            return self
        lr = LogisticRegression(C=1e6, max_iter=1000).fit(z, np.asarray(y, dtype=int))
        self.calibration_ = (float(lr.coef_[0, 0]), float(lr.intercept_[0]))
        return self

    def predict_pd(self, frame: pd.DataFrame) -> np.ndarray:
        a, b = self.calibration_
        return 1.0 / (1.0 + np.exp(-(a * _logit(self._raw(frame)) + b)))

    def tier(self, pd_) -> np.ndarray:
        if self.tier_fn is None:
            from .._errors import InputError

            raise InputError(MSG_NO_TIERS.format(name=self.name))
        return self.tier_fn(pd_)

    def model_hash(self) -> str:
        """SHA-256 of the fitted estimator, calibration and neutralisation."""
        booster = getattr(self.estimator, "booster_", None)
        fitted = booster.model_to_string() if booster is not None else pickle.dumps(
            self.estimator, protocol=4)
        h = hashlib.sha256(fitted.encode() if isinstance(fitted, str) else fitted)
        h.update(repr((self.calibration_, sorted(self.neutralise.items()),
                       self.feature_names)).encode())
        return h.hexdigest()

    def __repr__(self) -> str:
        return f"CandidateModel({self.name!r}, features={len(self.feature_names)})"
