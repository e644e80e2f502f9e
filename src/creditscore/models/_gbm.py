"""Gradient boosting with the feature definitions' monotone directions.

``MonotoneLGBM`` is a thin scikit-learn wrapper over ``lightgbm.train``: the
constraint of each column comes from its ``FeatureDef.direction`` (+1: more is
riskier, so the PD may only rise with it), early stopping watches the
tuning sample (``_split``), and the run is deterministic (``deterministic=True``,
``force_col_wise``, one seed for every random part) on an explicit thread
count. The constraint method is "intermediate": LightGBM's "advanced" method
can break monotonicity (LightGBM issues #5358, #6155; reproduced with 4.7 on
the test data of tests/models). One thread is the default on purpose: on small shared machines an
OpenMP team of two was measured 5-20x slower than one thread whenever the
other core was busy; raise ``num_threads`` where cores are dedicated.

Tree parameters use LightGBM's own names, so ``get_params()`` of the tree part
is exactly what reaches ``lightgbm.train``.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted

from ._features import ThresholdPredictMixin, feature_matrix, fit_inputs, keep_params
from ._split import holdout_mask

__all__ = ["MonotoneLGBM"]

#: constructor parameters passed to LightGBM under the same name
TREE_PARAMS = (
    "learning_rate",
    "num_leaves",
    "max_depth",
    "min_data_in_leaf",
    "min_sum_hessian_in_leaf",
    "feature_fraction",
    "bagging_fraction",
    "bagging_freq",
    "lambda_l1",
    "lambda_l2",
    "min_gain_to_split",
    "max_bin",
    "monotone_constraints_method",
    "monotone_penalty",
)


class MonotoneLGBM(ThresholdPredictMixin, ClassifierMixin, BaseEstimator):
    """LightGBM binary classifier with monotone constraints from feature definitions.

    Parameters
    ----------
    features : sequence of FeatureDef, optional
        Definitions giving each column's direction; columns without one are
        unconstrained. Default: ``creditscore.features.FEATURES``.
    num_iterations : int, default=3000
        Upper bound on boosting rounds (early stopping picks the number).
    learning_rate, num_leaves, max_depth, min_data_in_leaf, min_sum_hessian_in_leaf,
    feature_fraction, bagging_fraction, bagging_freq, lambda_l1, lambda_l2,
    min_gain_to_split, max_bin, monotone_constraints_method, monotone_penalty
        LightGBM parameters of the same name (defaults: a small, regularised
        tree; ``monotone_constraints_method="intermediate"``).
    early_stopping_rounds : int, default=100
        0: no early stopping: exactly ``num_iterations`` rounds on every row
        (a number chosen elsewhere, e.g. out of fold), no holdout.
    validation_dates : int, default=1
        Latest distinct ``as_of`` dates held out for early stopping when
        ``fit`` gets ``as_of`` but no ``eval_set``.
    validation_fraction : float, default=0.2
        Random stratified holdout when there is a single date (or none).
    num_threads : int, default=1
    random_state : int, default=0
        Seed of every random part of LightGBM.
    extra_params : dict, optional
        Any other LightGBM parameters (override the above).
    categorical_features : list of str or dict of str to list, optional
        Columns holding category codes 0, 1, ... (missing: NaN), split by
        LightGBM's own categorical handling and never monotone-constrained;
        a dict also names the categories (code order).

    Attributes
    ----------
    booster_ : lightgbm.Booster
    best_iteration_ : int
    monotone_constraints_ : list of int
    feature_names_in_ : ndarray of str
    validation_kind_ : {"given", "out_of_time", "random", "none"}
    """

    def __init__(
        self,
        features=None,
        num_iterations=3000, learning_rate=0.03, num_leaves=15, max_depth=-1,
        min_data_in_leaf=100, min_sum_hessian_in_leaf=1e-3,
        feature_fraction=0.8, bagging_fraction=0.8, bagging_freq=1,
        lambda_l1=0.0, lambda_l2=5.0, min_gain_to_split=0.0, max_bin=255,
        monotone_constraints_method="intermediate", monotone_penalty=0.0,
        early_stopping_rounds=100, validation_dates=1, validation_fraction=0.2,
        num_threads=1, random_state=0, extra_params=None, categorical_features=None,
    ):
        keep_params(self, locals())

    def lgb_params(self, constraints=None) -> dict:
        """The parameter dict handed to ``lightgbm.train``."""
        params = {
            "objective": "binary",
            "metric": "binary_logloss",
            "verbosity": -1,
            "deterministic": True,
            "force_col_wise": True,
            "num_threads": int(self.num_threads),
            "seed": int(self.random_state),
        }
        params.update({k: getattr(self, k) for k in TREE_PARAMS})
        if constraints is not None:
            params["monotone_constraints"] = list(constraints)
        params.update(self.extra_params or {})
        return params

    def fit(self, X, y, *, eval_set=None, as_of=None, sample_weight=None):
        """Fit with early stopping on ``eval_set`` or on a holdout of ``X``.

        Parameters
        ----------
        X : DataFrame of shape (n_rows, n_features)
        y : array-like of {0, 1}
        eval_set : tuple (X_valid, y_valid), optional
        as_of : array-like of dates, optional
            Without ``eval_set``: the latest ``validation_dates`` dates are
            held out (a random stratified share when there is one date).
        sample_weight : array-like of float, optional
            Row weights of the training rows (e.g. reweighing); the
            validation rows are unweighted.
        """
        import lightgbm as lgb

        inp = fit_inputs(self, X, y, sample_weight)
        names = inp.names
        Xa, y, w, Xv, yv = self._split(inp, eval_set, as_of)
        self.monotone_constraints_ = [inp.directions[n] for n in names]
        params = self.lgb_params(self.monotone_constraints_)
        cats = [n for n in names if n in inp.categorical] or "auto"
        train = lgb.Dataset(Xa, y, weight=w, feature_name=names, categorical_feature=cats,
                            params={"max_bin": self.max_bin})
        stop = {} if Xv is None else {
            "valid_sets": [lgb.Dataset(Xv, yv, reference=train)],
            "callbacks": [lgb.early_stopping(int(self.early_stopping_rounds), verbose=False)]}
        self.booster_ = lgb.train(params, train, num_boost_round=int(self.num_iterations),
                                  **stop)
        best = self.booster_.best_iteration or self.booster_.current_iteration()
        self.best_iteration_ = int(best)
        self._set_names(names)
        return self

    def _split(self, inp, eval_set, as_of):
        """Training rows, weights and validation rows; sets ``validation_kind_``."""
        Xa, y, w = inp.X, inp.y, inp.weight
        if eval_set is None and int(self.early_stopping_rounds) <= 0:
            self.validation_kind_ = "none"  # a number of rounds chosen elsewhere: every row fits
            return Xa, y, w, None, None
        if eval_set is not None:
            self.validation_kind_ = "given"
            Xv = feature_matrix(eval_set[0], inp.names, "eval_set")
            return Xa, y, w, Xv, np.asarray(eval_set[1], dtype=float)
        mask, self.validation_kind_ = holdout_mask(
            as_of,
            y,
            n_dates=self.validation_dates,
            fraction=self.validation_fraction,
            random_state=self.random_state,
        )
        wt = None if w is None else w[~mask]
        return Xa[~mask], y[~mask], wt, Xa[mask], y[mask]

    def _set_names(self, names):
        self.feature_names_in_ = np.asarray(names, dtype=object)
        self.n_features_in_ = len(names)
        self.classes_ = np.array([0, 1])

    def predict_proba(self, X) -> np.ndarray:
        """Probabilities of the event and of its absence (uncalibrated).

        Uses the booster's best iteration and ``num_threads`` threads.

        Parameters
        ----------
        X : DataFrame of shape (n_samples, n_features)
            The columns the model was fitted on, in any order.

        Returns
        -------
        ndarray of shape (n_samples, 2)
        """
        check_is_fitted(self, "booster_")
        Xa = feature_matrix(X, list(self.feature_names_in_))
        p = self.booster_.predict(
            Xa, num_iteration=self.best_iteration_, num_threads=int(self.num_threads)
        )
        return np.column_stack([1 - p, p])


    def model_text(self) -> str:
        """The booster as LightGBM model text, truncated at the best iteration."""
        check_is_fitted(self, "booster_")
        return self.booster_.model_to_string(num_iteration=self.best_iteration_)

    @classmethod
    def from_model_text(cls, text: str, feature_names, constraints=None, **params):
        """A fitted instance from :meth:`model_text` output (no training data)."""
        import lightgbm as lgb

        self = cls(**params)
        self.booster_ = lgb.Booster(model_str=text)
        self.best_iteration_ = int(self.booster_.current_iteration())
        self.monotone_constraints_ = list(constraints or [0] * len(feature_names))
        self.validation_kind_ = "loaded"
        self._set_names(list(feature_names))
        return self
