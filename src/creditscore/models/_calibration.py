"""Calibration: PDs whose mean matches the observed rate of the tuning sample.

A ranking model's raw probabilities drift with the training window; the PD a
tier is read from must not. :class:`CalibratedModel` fits the base model on the
fit sample and a :class:`Calibrator` on the tuning sample (the samples and
their rule: ``_split``):

- **isotonic** when the tuning sample has at least ``min_rows`` rows and
  ``min_events`` events, else **Platt** (a logistic regression on the raw
  logit), the usual choice on small samples where isotonic steps overfit;
- the isotonic fit is *centred* (linear between the centroids of its blocks,
  Oron & Flournoy 2017) so that distinct raw scores keep distinct PDs and the
  ranking (AUC) is not flattened by ties;
- a final intercept shift on the logit makes the mean PD on the tuning sample
  equal the **calibration target**, whichever method ran. The target is a
  documented choice (``calibrate_to``): ``"tuning"`` (the default), the
  observed event rate of the tuning cohort, the most recent one; or
  ``"long-run"``, the average of the one-year event rates of every
  development date (fit and tuning, each date weighing the same), the
  long-run average supervisors ask PDs to reflect (CRR Art. 180). An optional
  margin of conservatism raises the target by a relative ``margin``
  (0.1: 10% more). Calibration-in-the-large on the tuning sample is therefore
  fixed by construction and says nothing; calibration is tested on the
  validation sample (``creditscore backtest``: binomial and per-tier
  Jeffreys tests), never on the rows it was fitted on.

The fitted calibrator is a few numbers (``to_dict``), stored as JSON in the
model directory and evaluated with ``np.interp``: the same code path in memory
and after loading.
"""

from __future__ import annotations

import inspect

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.utils.validation import check_is_fitted

from ._features import ThresholdPredictMixin
from ._split import holdout_mask
from ._tiers import PD_FLOOR, PointsScale

__all__ = ["Calibrator", "CalibratedModel", "CALIBRATION_TARGETS", "calibration_target"]

#: what the mean PD of the tuning sample is set to (see the module docstring)
CALIBRATION_TARGETS = ("tuning", "long-run")


def calibration_target(y, tuning, as_of=None, calibrate_to="tuning", margin=0.0) -> float:
    """The event rate the calibrated PDs average to on the tuning sample.

    Parameters
    ----------
    y : array-like of {0, 1}
        Every development row's outcome (fit and tuning).
    tuning : array-like of bool
        The tuning rows.
    as_of : array-like of dates, optional
        Each row's date (``"long-run"``: the mean of the per-date rates; without
        dates, the rate of every development row).
    calibrate_to : {"tuning", "long-run"}, default="tuning"
    margin : float, default=0.0
        Relative margin of conservatism added to the target (>= 0).
    """
    if calibrate_to not in CALIBRATION_TARGETS:
        raise ValueError(f"calibrate_to must be one of {CALIBRATION_TARGETS}, "
                         f"got {calibrate_to!r}")
    if not (isinstance(margin, (int, float)) and 0 <= margin < 10):
        raise ValueError(f"margin must be a number in [0, 10), got {margin!r}")
    y, tuning = np.asarray(y, dtype=float), np.asarray(tuning, dtype=bool)
    if calibrate_to == "tuning":
        rate = y[tuning].mean()
    elif as_of is None:
        rate = y.mean()
    else:
        dates = np.asarray(as_of, dtype="datetime64[D]")
        rate = float(np.mean([y[dates == d].mean() for d in np.unique(dates)]))
    return float(min(rate * (1 + margin), 1 - PD_FLOOR))


def _logit(p):
    p = np.clip(np.asarray(p, dtype=float), PD_FLOOR, 1 - PD_FLOOR)
    return np.log(p / (1 - p))


def _expit(z):
    return 1 / (1 + np.exp(-z))


class Calibrator(BaseEstimator):
    """Maps raw event probabilities to calibrated PDs.

    Parameters
    ----------
    method : {"auto", "isotonic", "platt"}, default="auto"
        "auto": isotonic when the sample has at least ``min_rows`` rows and
        ``min_events`` events, else Platt.
    min_rows : int, default=5000
    min_events : int, default=200

    Attributes
    ----------
    method_ : str
        The method used.
    params_ : dict
        The fitted mapping (JSON-ready): isotonic knots ``x``/``y`` or Platt
        ``a``/``b``, and the logit ``shift``.
    n_rows_, n_events_ : int
    """

    def __init__(self, method="auto", min_rows=5000, min_events=200):
        self.method = method
        self.min_rows = min_rows
        self.min_events = min_events

    def fit(self, raw, y, target_rate=None):
        """Fit the map from raw scores to probabilities.

        ``method='auto'`` picks isotonic regression when there are enough rows and
        events, else Platt scaling; the choice and the counts are kept (:meth:`to_dict`).

        Parameters
        ----------
        raw : array-like of shape (n_samples,)
            Raw model scores (log-odds or points).
        y : array-like of shape (n_samples,)
            Observed outcomes, 0 or 1.
        target_rate : float, optional
            The mean PD on these rows after the final shift (default: their
            observed event rate; see :func:`calibration_target`).

        Returns
        -------
        self : Calibrator
        """
        raw = np.asarray(raw, dtype=float)
        y = np.asarray(y, dtype=float)
        if self.method not in ("auto", "isotonic", "platt"):
            raise ValueError(f"method must be auto, isotonic or platt, got {self.method!r}")
        self.n_rows_, self.n_events_ = len(y), int(y.sum())
        method = self.method
        if method == "auto":
            big = self.n_rows_ >= self.min_rows and self.n_events_ >= self.min_events
            method = "isotonic" if big else "platt"
        self.method_ = method
        self.params_ = _fit_isotonic(raw, y) if method == "isotonic" else _fit_platt(raw, y)
        base = _apply(self.params_, raw)
        self.target_rate_ = float(y.mean() if target_rate is None else target_rate)
        self.params_["shift"] = _mean_shift(base, self.target_rate_)
        return self

    def predict(self, raw) -> np.ndarray:
        """Calibrated PDs of raw probabilities."""
        check_is_fitted(self, "params_")
        return calibrate(self.params_, raw)

    def to_dict(self) -> dict:
        """The fitted calibrator as JSON-ready data: method, rows, events and parameters."""
        check_is_fitted(self, "params_")
        return {
            "method": self.method_,
            "n_rows": self.n_rows_,
            "n_events": self.n_events_,
            **self.params_,
        }

    @classmethod
    def from_dict(cls, state: dict) -> Calibrator:
        """A fitted calibrator from :meth:`to_dict` output."""
        self = cls(method=state["method"])
        self.method_, self.n_rows_, self.n_events_ = (
            state["method"],
            state["n_rows"],
            state["n_events"],
        )
        skip = ("method", "n_rows", "n_events")
        self.params_ = {k: v for k, v in state.items() if k not in skip}
        return self


def calibrate(params: dict, raw) -> np.ndarray:
    """Apply fitted calibration ``params`` to raw probabilities."""
    z = _logit(_apply(params, np.asarray(raw, dtype=float))) + params.get("shift", 0.0)
    return np.clip(_expit(z), PD_FLOOR, 1 - PD_FLOOR)


def _apply(params: dict, raw: np.ndarray) -> np.ndarray:
    if "x" in params:
        return np.interp(raw, params["x"], params["y"])
    return _expit(params["a"] * _logit(raw) + params["b"])


def _fit_isotonic(raw, y) -> dict:
    from sklearn.isotonic import IsotonicRegression

    order = np.argsort(raw, kind="stable")
    r, t = raw[order], y[order]
    fitted = IsotonicRegression(out_of_bounds="clip").fit(r, t).predict(r)
    starts = np.flatnonzero(np.r_[True, np.diff(fitted) != 0])
    counts = np.diff(np.r_[starts, len(r)])
    centroids = np.add.reduceat(r, starts) / counts
    return {"x": centroids.tolist(), "y": fitted[starts].tolist()}


def _fit_platt(raw, y) -> dict:
    from sklearn.linear_model import LogisticRegression

    lr = LogisticRegression(C=1e6, max_iter=1000).fit(_logit(raw)[:, None], y)
    return {"a": float(lr.coef_[0, 0]), "b": float(lr.intercept_[0])}


def _mean_shift(p, target: float, steps: int = 50) -> float:
    """Logit shift d with mean(expit(logit(p) + d)) == target (Newton)."""
    if not 0 < target < 1:
        return 0.0
    z, d = _logit(p), 0.0
    for _ in range(steps):
        q = _expit(z + d)
        gap, slope = q.mean() - target, (q * (1 - q)).mean()
        if abs(gap) < 1e-12 or slope <= 0:
            break
        d -= gap / slope
    return float(d)


class CalibratedModel(ThresholdPredictMixin, ClassifierMixin, BaseEstimator):
    """A base model fitted on the fit sample, calibrated on the tuning sample.

    Parameters
    ----------
    estimator : estimator
        ``MonotoneLGBM`` (early-stopped on the tuning sample) or ``WoEScorecard``.
    method, min_rows, min_events
        See :class:`Calibrator`.
    holdout_dates : int, default=1
        Latest distinct ``as_of`` dates that form the tuning sample.
    holdout_fraction : float, default=0.2
        Random (stratified) tuning sample when the rows have a single ``as_of``.
    scale : PointsScale, optional
        Points scale of :meth:`score` for models without their own points.
    random_state : int, default=0
    calibrate_to : {"tuning", "long-run"}, default="tuning"
        The calibration target (:func:`calibration_target`).
    margin : float, default=0.0
        Relative margin of conservatism on the target.

    Attributes
    ----------
    estimator_, calibrator_, holdout_kind_, n_holdout_, scale_, target_rate_
    """

    def __init__(
        self,
        estimator,
        method="auto",
        min_rows=5000,
        min_events=200,
        holdout_dates=1,
        holdout_fraction=0.2,
        scale=None,
        random_state=0,
        calibrate_to="tuning",
        margin=0.0,
    ):
        self.estimator = estimator
        self.calibrate_to = calibrate_to
        self.margin = margin
        self.method = method
        self.min_rows = min_rows
        self.min_events = min_events
        self.holdout_dates = holdout_dates
        self.holdout_fraction = holdout_fraction
        self.scale = scale
        self.random_state = random_state

    def fit(self, X, y, *, as_of=None, holdout=None, sample_weight=None):
        """Fit on the fit sample, early-stop and calibrate on the tuning sample.

        ``holdout`` (boolean mask of the tuning rows) overrides the sample chosen
        from ``as_of`` by ``holdout_mask``.
        ``sample_weight`` (one per row) weighs the base model's fit only: early
        stopping and calibration on the tuning sample stay unweighted, so the PDs keep
        meaning the observed event rate.
        """
        y = np.asarray(y, dtype=int)
        if holdout is None:
            holdout, self.holdout_kind_ = holdout_mask(
                as_of,
                y,
                n_dates=self.holdout_dates,
                fraction=self.holdout_fraction,
                random_state=self.random_state,
            )
        else:
            holdout, self.holdout_kind_ = np.asarray(holdout, dtype=bool), "given"
        fit_X, cal_X = _rows(X, ~holdout), _rows(X, holdout)
        est = clone(self.estimator)
        kw = {} if sample_weight is None else {
            "sample_weight": np.asarray(sample_weight, dtype=float)[~holdout]}
        if "eval_set" in inspect.signature(est.fit).parameters:
            est.fit(fit_X, y[~holdout], eval_set=(cal_X, y[holdout]), **kw)
        else:
            est.fit(fit_X, y[~holdout], **kw)
        self.estimator_ = est
        raw = est.predict_proba(cal_X)[:, 1]
        self.target_rate_ = calibration_target(y, holdout, as_of, self.calibrate_to, self.margin)
        self.calibrator_ = Calibrator(self.method, self.min_rows, self.min_events).fit(
            raw, y[holdout], target_rate=self.target_rate_
        )
        self._set_fitted_common()
        self.n_holdout_ = int(holdout.sum())
        return self

    @classmethod
    def from_fitted(
        cls, estimator_, calibrator_, *, scale=None, holdout_kind="loaded", n_holdout=0
    ) -> CalibratedModel:
        """A fitted model from fitted parts (used when loading a model directory)."""
        self = cls(estimator_, method=calibrator_.method_, scale=scale)
        self.estimator_, self.calibrator_ = estimator_, calibrator_
        self.holdout_kind_, self.n_holdout_ = holdout_kind, int(n_holdout)
        self._set_fitted_common()
        return self

    def _set_fitted_common(self):
        self.classes_ = np.array([0, 1])
        self.feature_names_in_ = np.asarray(self.estimator_.feature_names_in_, dtype=object)
        self.n_features_in_ = len(self.feature_names_in_)
        own = getattr(self.estimator_, "scale_", None)
        self.scale_ = own or self.scale or PointsScale()

    def predict_raw(self, X) -> np.ndarray:
        """The base model's uncalibrated event probability."""
        check_is_fitted(self, "calibrator_")
        return self.estimator_.predict_proba(X)[:, 1]

    def predict_proba(self, X) -> np.ndarray:
        """Calibrated probabilities of the event (the PD) and of its absence.

        Parameters
        ----------
        X : DataFrame of shape (n_samples, n_features)
            The model's feature columns; protected attributes are never read.

        Returns
        -------
        ndarray of shape (n_samples, 2)
            Column 1 is the calibrated PD, column 0 its complement.
        """
        check_is_fitted(self, "calibrator_")
        p = self.calibrator_.predict(self.predict_raw(X))
        return np.column_stack([1 - p, p])


    def score(self, X) -> np.ndarray:
        """Points: the calibrated PD on the points scale, for every kind of model.

        The score is on the scale of the PD that sets the tier, so score, PD and
        tier agree with the documented table (``RiskTiers.to_frame(scale)``). A
        scorecard's own points (``estimator_.score``, the sum of its points
        table) are those of its raw, uncalibrated PD; they explain the score, and
        differ from it by the calibration. Unlike scikit-learn's
        ``ClassifierMixin.score`` this returns credit score points, not accuracy.
        """
        check_is_fitted(self, "calibrator_")
        return self.scale_.from_pd(self.predict_proba(X)[:, 1])


def _rows(X, mask):
    return X.iloc[np.flatnonzero(mask)] if hasattr(X, "iloc") else np.asarray(X)[mask]
