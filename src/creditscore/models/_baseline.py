"""The reference a scorecard must match: a logistic regression on WoE bins.

Every column is binned by optbinning's ``OptimalBinning`` with its defaults
(no monotone trend, no selection), replaced by its weight of evidence, and a
plain L2 logistic regression is fitted on all WoE columns; this is the
textbook scorecard before the hygiene ``WoEScorecard`` adds (information
value selection, decorrelation, sign constraints, monotone trends). Under
the same folds as :func:`~creditscore.models._oof.out_of_fold`, its
out-of-fold AUC is what the scorecard's is compared with.
"""

from __future__ import annotations

import numpy as np

from ._oof import fold_splits
from ._woe import optimal_binning

__all__ = ["woe_logistic_oof"]


def _fit_predict(X_train, y_train, X_test, categorical):
    from sklearn.linear_model import LogisticRegression
    from threadpoolctl import threadpool_limits

    OptimalBinning = optimal_binning()
    train_cols, test_cols = [], []
    for name in X_train.columns:
        dtype = "categorical" if name in categorical else "numerical"
        optb = OptimalBinning(name=name, dtype=dtype, solver="cp")
        optb.fit(X_train[name].to_numpy(), y_train)
        train_cols.append(optb.transform(X_train[name].to_numpy(), metric="woe"))
        test_cols.append(optb.transform(X_test[name].to_numpy(), metric="woe"))
    with threadpool_limits(1):
        lr = LogisticRegression(max_iter=2000).fit(np.column_stack(train_cols), y_train)
        return lr.predict_proba(np.column_stack(test_cols))[:, 1]


def woe_logistic_oof(X, y, *, categorical=(), folds=5, repeats=1, seed=0) -> np.ndarray:
    """Out-of-fold event probabilities (repeats x rows) of the WoE logistic regression.

    ``X`` is the encoded model input (category codes for ``categorical``).
    """
    y = np.asarray(y, dtype=int)
    out = np.empty((repeats, len(y)))
    for r, tests in enumerate(fold_splits(y, folds, repeats, seed)):
        for test in tests:
            train = np.setdiff1d(np.arange(len(y)), test)
            out[r, test] = _fit_predict(X.iloc[train], y[train], X.iloc[test], set(categorical))
    return out
