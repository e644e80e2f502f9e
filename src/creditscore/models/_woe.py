"""Weight-of-evidence helpers of the scorecard: bins, WoE, selection, points.

Pure functions over numpy arrays, so that the scorecard's predictions need
nothing but the stored splits and WoE values.
"""

from __future__ import annotations

import numpy as np

__all__ = [
    "TABLE",
    "optimal_binning",
    "bin_stats",
    "bin_index",
    "woe_of",
    "decorrelate",
    "signed_logit",
    "points_rows",
]

#: columns of a scorecard's points table
TABLE = ["feature", "bin", "count", "events", "event_rate", "woe", "coefficient", "points"]


def points_rows(name, bins: dict, coef: float, intercept: float, n: int, scale):
    """Points table rows of one characteristic (PDO scaling, optbinning's formula)."""
    import pandas as pd

    woe = np.asarray(bins["woe"])
    count = np.asarray(bins["count"])
    points = -(coef * woe + intercept / n) * scale.factor + scale.offset / n
    rate = np.divide(bins["events"], count, out=np.zeros(len(woe)), where=count > 0)
    values = [name, bins["labels"], bins["count"], bins["events"], rate, woe, coef, points]
    return pd.DataFrame(dict(zip(TABLE, values, strict=True)))


def optimal_binning():
    """optbinning's ``OptimalBinning``, imported without cvxpy's import-time noise.

    cvxpy logs an error for every optional solver that fails to import (e.g. a
    HiGHS build mismatch); optbinning's CP solver does not use them.
    """
    import logging

    before = logging.root.manager.disable
    logging.disable(logging.WARNING)  # only while importing (cvxpy resets its own logger)
    try:
        from optbinning import OptimalBinning
    finally:
        logging.disable(before)
    return OptimalBinning


def bin_stats(splits, x, y, weight=None, groups=None, names=None) -> dict:
    """Counts, events and smoothed WoE per bin (the last bin is Missing).

    Numeric bins are given by ``splits``; categorical ones by ``groups``
    (lists of category codes, one list per bin; a code in no group, e.g. a
    category first seen after training, falls in the Missing bin), labelled
    with ``names`` (the category of each code) when given. With ``weight``
    the WoE and information value are weighted; counts stay row counts.
    """
    state = {"splits": list(splits)}
    if groups is not None:
        state["groups"] = [sorted(int(c) for c in g) for g in groups]
    idx = bin_index(state, x)
    n_bins = (len(groups) if groups is not None else len(splits) + 1) + 1
    count = np.bincount(idx, minlength=n_bins)
    events = np.bincount(idx, weights=y, minlength=n_bins)
    w = np.ones(len(idx)) if weight is None else np.asarray(weight, dtype=float)
    wev = np.bincount(idx, weights=w * y, minlength=n_bins)
    wnon = np.bincount(idx, weights=w, minlength=n_bins) - wev
    E, NE = wev.sum(), wnon.sum()
    woe = np.log(((wnon + 0.5) / (NE + 0.5)) / ((wev + 0.5) / (E + 0.5)))
    woe[count == 0] = 0.0
    share_e, share_ne = (wev + 0.5) / (E + 0.5), (wnon + 0.5) / (NE + 0.5)
    iv = float(np.sum((share_ne - share_e) * woe))
    labels = _labels(splits) if groups is None else _group_labels(state["groups"], names)
    return {
        **state,
        "labels": labels,
        "woe": woe.tolist(),
        "count": count.astype(int).tolist(),
        "events": events.astype(int).tolist(),
        "iv": iv,
    }


def bin_index(bins, x) -> np.ndarray:
    """Bin of each value: [s_i, s_i+1) intervals as optbinning's, NaN -> last.

    ``bins`` is a list of splits, or a bins dict (with ``groups`` for a
    categorical characteristic: the bin of each category code).
    """
    x = np.asarray(x, dtype=float)
    if isinstance(bins, dict) and bins.get("groups") is not None:
        return _group_index(bins["groups"], x)
    splits = bins["splits"] if isinstance(bins, dict) else bins
    idx = np.searchsorted(np.asarray(splits, dtype=float), x, side="right")
    return np.where(np.isnan(x), len(splits) + 1, idx)


def _group_index(groups, x) -> np.ndarray:
    missing = len(groups)
    size = max((max(g) for g in groups if g), default=-1) + 1
    lookup = np.full(size + 1, missing, dtype=np.int64)
    for b, g in enumerate(groups):
        lookup[list(g)] = b
    codes = np.where(np.isnan(x) | (x < 0) | (x >= size), size, np.nan_to_num(x)).astype(np.int64)
    return lookup[codes]


def woe_of(bins: dict, x) -> np.ndarray:
    return np.asarray(bins["woe"])[bin_index(bins, x)]


def _group_labels(groups, names) -> list[str]:
    def show(c):
        return str(names[c]) if names and c < len(names) else str(c)

    return [", ".join(show(c) for c in g) for g in groups] + ["Missing"]


def _labels(splits) -> list[str]:
    edges = [-np.inf, *splits, np.inf]
    out = [
        f"[{a:.6g}, {b:.6g})" if np.isfinite(a) else f"(-inf, {b:.6g})"
        for a, b in zip(edges[:-1], edges[1:], strict=True)
    ]
    return out + ["Missing"]


def decorrelate(W, keep, limit):
    """Keep columns (ordered strongest first) that correlate at most ``limit`` with a kept one."""
    if W is None or limit is None or limit >= 1:
        return W, keep
    with np.errstate(invalid="ignore", divide="ignore"):
        corr = np.nan_to_num(np.abs(np.corrcoef(W, rowvar=False)), nan=0.0)
    chosen = []
    for j in range(W.shape[1]):
        if all(corr[j, k] <= limit for k in chosen):
            chosen.append(j)
    return W[:, chosen], [keep[j] for j in chosen]


def signed_logit(W, y, C, max_iter, sample_weight=None):
    """Logistic regression on WoE, dropping wrong-signed columns one at a time.

    BLAS runs on one thread: on small shared machines a contended thread team
    was far slower than one thread (as with LightGBM's OpenMP).
    """
    from sklearn.linear_model import LogisticRegression
    from threadpoolctl import threadpool_limits

    cols = list(range(W.shape[1])) if W is not None else []
    while True:
        Wc = W[:, cols] if cols else np.zeros((len(y), 1))
        with threadpool_limits(1):
            lr = LogisticRegression(C=C, max_iter=max_iter).fit(Wc, y, sample_weight=sample_weight)
        coef = lr.coef_[0] if cols else np.zeros(0)
        if not cols or coef.max() <= 0:
            return cols, coef, lr.intercept_[0]
        cols.pop(int(np.argmax(coef)))
