"""The WoE scorecard: optimal monotone bins, logistic regression, points.

Each characteristic is binned by optbinning's ``OptimalBinning`` with the
event-rate trend its definition states (direction +1: "ascending", -1:
"descending", 0: ``unconstrained_trend``, "auto_asc_desc" by default, so that
every characteristic still reads one way). A bin's weight of evidence is
``ln(%non-events / %events)`` (optbinning's sign: higher is safer), with 0.5
added to both counts so that a bin without events keeps its place in the order
instead of collapsing to 0; an empty bin (e.g. "Missing" when nothing was
missing) gets 0, the population average.

Characteristics with information value below ``min_iv`` are dropped, and of
two whose WoE columns correlate beyond ``max_correlation`` only the one with the
higher information value is kept (the usual scorecard hygiene against
collinear, sign-flipping coefficients). A logistic regression is fitted on the
WoE columns; while any coefficient has the wrong sign (a correlated
characteristic pulling against its own evidence), the worst one is dropped and
the model refitted, so every points column stays monotone in its
characteristic. Points follow the PDO / base-odds scale:
``points = -(coef * woe + intercept / n) * factor + offset / n`` per
characteristic, so a subject's total equals ``offset - factor * logit(PD)``.

Prediction uses only the stored splits and WoE values (no optbinning), so the
model directory holds the whole scorecard as readable JSON.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted

from ._features import ThresholdPredictMixin, feature_matrix, fit_inputs, keep_params
from ._tiers import PointsScale
from ._woe import (
    TABLE,
    bin_stats,
    decorrelate,
    optimal_binning,
    points_rows,
    signed_logit,
    woe_of,
)

__all__ = ["WoEScorecard"]

TRENDS = {1: "ascending", -1: "descending"}


class WoEScorecard(ThresholdPredictMixin, ClassifierMixin, BaseEstimator):
    """Scorecard: monotone WoE binning, logistic regression, PDO points.

    Parameters
    ----------
    features : sequence of FeatureDef, optional
        Definitions giving each column's direction (default:
        ``creditscore.features.FEATURES``); undefined columns get 0.
    pdo : float, default=20
        Points to double the odds.
    odds : float, default=50
        Good:bad odds that score ``points``.
    points : float, default=600
    max_n_prebins, min_prebin_size, min_bin_size, max_n_bins
        optbinning ``OptimalBinning`` parameters.
    unconstrained_trend : str, default="auto_asc_desc"
        optbinning ``monotonic_trend`` for direction-0 characteristics.
    min_iv : float, default=0.02
        Characteristics with lower information value are left out.
    max_correlation : float, default=0.9
        Of two characteristics whose WoE correlates more, the weaker is left out.
    C : float, default=1.0
        Inverse L2 strength of the logistic regression.
    max_iter : int, default=1000
    binning_params : dict of str to dict, optional
        Per-characteristic ``OptimalBinning`` overrides keyed by name.
    categorical_features : list of str or dict of str to list, optional
        Columns holding category codes 0, 1, ... (missing: NaN), binned by
        optbinning's categorical binning (bins are groups of categories); a
        dict also names the categories (code order), for the bin labels.

    Attributes
    ----------
    bins_ : dict of str to dict
        Per selected characteristic: ``splits``, bin ``labels``, ``woe`` (the
        last entry is the Missing bin), counts.
    coef_ : ndarray
        The logistic regression's coefficient of each characteristic's WoE.
    intercept_ : float
        Its intercept.
    feature_names_in_ : ndarray of str
        The selected characteristics, in model order.
    iv_ : dict of str to float
        Information value of every candidate characteristic.
    points_table_ : DataFrame
        feature, bin, count, events, event_rate, woe, coefficient, points.
    scale_ : PointsScale
    """

    def __init__(
        self,
        features=None,
        pdo=20.0, odds=50.0, points=600.0,
        max_n_prebins=20, min_prebin_size=0.05, min_bin_size=0.02, max_n_bins=8,
        unconstrained_trend="auto_asc_desc", min_iv=0.02, max_correlation=0.9,
        C=1.0, max_iter=1000, binning_params=None, categorical_features=None,
    ):
        keep_params(self, locals())

    def fit(self, X, y, sample_weight=None):
        """Bin every column, select, fit the regression, build the points.

        ``sample_weight`` (e.g. reweighing) weights the binning, the WoE and
        the regression; the points table's counts stay row counts.
        """
        inp = fit_inputs(self, X, y, sample_weight, y_dtype=int)
        names, Xa, y, w = inp.names, inp.X, inp.y, inp.weight
        binned = {
            n: self._bin(n, Xa[:, j], y, inp.directions[n], w, inp.categorical.get(n))
            for j, n in enumerate(names)
        }
        self.iv_ = {n: b["iv"] for n, b in binned.items()}
        keep = [j for j, n in enumerate(names) if binned[n]["iv"] >= self.min_iv]
        keep.sort(key=lambda j: -binned[names[j]]["iv"])
        woe = np.column_stack([woe_of(binned[names[j]], Xa[:, j]) for j in keep]) if keep else None
        woe, keep = decorrelate(woe, keep, self.max_correlation)
        cols, coef, intercept = signed_logit(woe, y, self.C, self.max_iter, w)
        selected = [names[keep[c]] for c in cols]
        self.bins_ = {n: binned[n] for n in selected}
        self._set_model(selected, coef, float(intercept))
        return self

    def _bin(self, name, x, y, direction, weight=None, categories=None) -> dict:
        OptimalBinning = optimal_binning()
        trend = TRENDS.get(direction, self.unconstrained_trend)
        params = dict(
            max_n_prebins=self.max_n_prebins,
            min_prebin_size=self.min_prebin_size,
            min_bin_size=self.min_bin_size,
            max_n_bins=self.max_n_bins,
            monotonic_trend=trend,
        )
        params.update((self.binning_params or {}).get(name, {}))
        dtype = "numerical" if categories is None else "categorical"
        optb = OptimalBinning(name=name, dtype=dtype, solver="cp", **params)
        present = np.unique(x[~np.isnan(x)])
        splits, groups = [], None if categories is None else [[int(c)] for c in present]
        if present.size > 1:
            if categories is None:
                optb.fit(x, y, sample_weight=weight)
                splits = [float(s) for s in optb.splits]
            else:
                codes = np.where(np.isnan(x), np.nan, x)
                optb.fit(codes, y, sample_weight=weight)
                groups = [[int(c) for c in g] for g in optb.splits] or groups
        return bin_stats(splits, x, y, weight, groups, categories or None)

    def _set_model(self, selected, coef, intercept):
        self.scale_ = PointsScale(self.pdo, self.odds, self.points)
        self.feature_names_in_ = np.asarray(selected, dtype=object)
        self.n_features_in_ = len(selected)
        self.coef_ = np.asarray(coef, dtype=float)
        self.intercept_ = intercept
        self.classes_ = np.array([0, 1])
        self.points_table_ = self._points_table()

    def _points_table(self):
        import pandas as pd

        n = max(len(self.bins_), 1)
        rows = [
            points_rows(name, self.bins_[name], c, self.intercept_, n, self.scale_)
            for name, c in zip(self.feature_names_in_, self.coef_, strict=True)
        ]
        return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame(columns=TABLE)

    def decision_function(self, X) -> np.ndarray:
        """Log-odds of the event."""
        check_is_fitted(self, "coef_")
        names = list(self.feature_names_in_)
        Xa = feature_matrix(X, names)
        z = np.full(len(Xa), self.intercept_)
        for j, name in enumerate(names):
            z += self.coef_[j] * woe_of(self.bins_[name], Xa[:, j])
        return z

    def predict_proba(self, X) -> np.ndarray:
        """Probabilities of the event and of its absence from the scorecard's log-odds.

        Parameters
        ----------
        X : DataFrame of shape (n_samples, n_features)
            The columns the scorecard was fitted on.

        Returns
        -------
        ndarray of shape (n_samples, 2)
            Column 1 is the (uncalibrated) probability of the event.
        """
        p = 1 / (1 + np.exp(-self.decision_function(X)))
        return np.column_stack([1 - p, p])


    def score(self, X) -> np.ndarray:
        """Total points (the sum of each characteristic's bin points)."""
        z = self.decision_function(X)
        return self.scale_.from_logit(z)

    def to_state(self) -> dict:
        """The fitted scorecard as JSON-ready data."""
        check_is_fitted(self, "coef_")
        return {
            "feature_names": list(self.feature_names_in_),
            "coef": self.coef_.tolist(),
            "intercept": self.intercept_,
            "scale": self.scale_.to_dict(),
            "bins": self.bins_,
        }

    @classmethod
    def from_state(cls, state: dict, **params) -> WoEScorecard:
        """A fitted scorecard from :meth:`to_state` output (no training data)."""
        scale = state["scale"]
        self = cls(pdo=scale["pdo"], odds=scale["odds"], points=scale["points"], **params)
        self.bins_ = {k: dict(v) for k, v in state["bins"].items()}
        self.iv_ = {k: v["iv"] for k, v in self.bins_.items()}
        self._set_model(state["feature_names"], state["coef"], float(state["intercept"]))
        return self
