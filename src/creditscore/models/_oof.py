"""Out-of-fold evaluation: repeated stratified K-fold, calibration fitted out of fold.

For a flat table with no date, the honest estimate of a model's quality is
out of fold: the rows are cut into K stratified folds (repeated R times with
a fixed seed), a model is fitted on K-1 folds and predicts the K-th, so each
row gets one prediction per repeat from a model that never saw it. The
calibration is cross-fitted too: the PDs of fold k come from a
:class:`Calibrator` fitted on the out-of-fold raw predictions of the other
folds. The figures (AUC, KS, Brier) are the mean over the repeats; their
interval is a percentile bootstrap over rows, the same resample applied to
every repeat, so it is the interval of that mean.
"""

from __future__ import annotations

import numpy as np
from sklearn.base import clone

from ._calibration import Calibrator
from ._metrics import Sample, bootstrap_weights

__all__ = ["OutOfFold", "out_of_fold", "oof_summary", "fold_splits"]

HEADLINE = ("auc", "ks", "brier")


def fold_splits(y, folds: int, repeats: int, seed: int) -> list[list[np.ndarray]]:
    """Test-row indices of each fold, per repeat (stratified, seeded)."""
    from sklearn.model_selection import RepeatedStratifiedKFold

    rskf = RepeatedStratifiedKFold(n_splits=folds, n_repeats=repeats, random_state=seed)
    tests = [test for _, test in rskf.split(np.zeros(len(y)), y)]
    return [tests[r * folds:(r + 1) * folds] for r in range(repeats)]


class OutOfFold:
    """Raw and calibrated out-of-fold predictions of every repeat.

    Attributes
    ----------
    raw, pd : ndarray of shape (repeats, n_rows)
    best_iterations : list of int
        LightGBM's early-stopped rounds of each fold model (empty otherwise).
    folds, repeats, seed : int
    methods : list of str
        The method each fold's calibrator used (``Calibrator.method_``).
    """

    def __init__(self, raw, pd, best_iterations, folds, repeats, seed, methods=()):
        self.raw, self.pd, self.best_iterations = raw, pd, best_iterations
        self.folds, self.repeats, self.seed = folds, repeats, seed
        self.methods = list(methods)

    @property
    def method(self) -> str:
        """The calibration method the evaluated (cross-fitted) calibrators used most."""
        return max(sorted(set(self.methods)), key=self.methods.count) if self.methods else "auto"


def out_of_fold(est, X, y, *, folds=5, repeats=1, seed=0, sample_weight=None,
                calibration="auto") -> OutOfFold:
    """Fit ``est`` on each fold's complement and predict the fold (see module docstring)."""
    y = np.asarray(y, dtype=int)
    splits = fold_splits(y, folds, repeats, seed)
    raw = np.empty((repeats, len(y)))
    pd_ = np.empty((repeats, len(y)))
    best, methods = [], []
    for r, tests in enumerate(splits):
        for test in tests:
            train = np.setdiff1d(np.arange(len(y)), test)
            fitted = _fit(clone(est), X.iloc[train], y[train],
                          None if sample_weight is None else sample_weight[train])
            raw[r, test] = fitted.predict_proba(X.iloc[test])[:, 1]
            if hasattr(fitted, "best_iteration_"):
                best.append(int(fitted.best_iteration_))
        for test in tests:
            rest = np.setdiff1d(np.arange(len(y)), test)
            cal = Calibrator(calibration).fit(raw[r, rest], y[rest])
            methods.append(cal.method_)
            pd_[r, test] = cal.predict(raw[r, test])
    return OutOfFold(raw, pd_, best, folds, repeats, seed, methods)


def _fit(est, X, y, w):
    return est.fit(X, y) if w is None else est.fit(X, y, sample_weight=w)


def oof_summary(y, pd_by_repeat, *, n_boot=200, level=0.95, seed=0) -> dict:
    """AUC, KS and Brier: mean over repeats, bootstrap interval, and each repeat's value."""
    y = np.asarray(y, dtype=float)
    samples = [Sample(y, p) for p in np.atleast_2d(pd_by_repeat)]
    point = [s.metrics(np.ones((1, s.n))) for s in samples]
    rng = np.random.default_rng(seed)
    boots = {k: [] for k in HEADLINE}
    chunk = max(1, 2_000_000 // max(len(y), 1))
    for start in range(0, n_boot, chunk):
        w = bootstrap_weights(len(y), min(chunk, n_boot - start), rng)
        per = [s.metrics(w[:, s.order]) for s in samples]
        for k in HEADLINE:
            boots[k].append(np.mean([m[k] for m in per], axis=0))
    tail = (1 - level) / 2 * 100
    out = {}
    for k in HEADLINE:
        values = [float(m[k][0]) for m in point]
        b = np.concatenate(boots[k]) if boots[k] else np.array([])
        ci = [float(v) for v in np.nanpercentile(b, [tail, 100 - tail])] if b.size else None
        out[k] = {"value": float(np.mean(values)), "ci": ci, "by_repeat": values}
    return out
