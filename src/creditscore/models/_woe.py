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


def bin_stats(splits, x, y, w=None) -> dict:
    """Counts, events and smoothed WoE per bin (the last bin is Missing).

    With weights ``w`` the WoE and IV come from weighted counts; ``count`` and
    ``events`` stay the unweighted numbers of rows.
    """
    idx = bin_index(splits, x)
    n_bins = len(splits) + 2
    count = np.bincount(idx, minlength=n_bins)
    events = np.bincount(idx, weights=y, minlength=n_bins)
    wcount = count if w is None else np.bincount(idx, weights=w, minlength=n_bins)
    wevents = events if w is None else np.bincount(idx, weights=w * y, minlength=n_bins)
    woe, iv = _woe_iv(wcount, wevents)
    woe[count == 0] = 0.0
    return {
        "splits": list(splits),
        "labels": _labels(splits),
        "woe": woe.tolist(),
        "count": count.astype(int).tolist(),
        "events": events.astype(int).tolist(),
        "iv": iv,
    }


def _woe_iv(count, events):
    nonev = count - events
    E, NE = events.sum(), nonev.sum()
    woe = np.log(((nonev + 0.5) / (NE + 0.5)) / ((events + 0.5) / (E + 0.5)))
    woe[count == 0] = 0.0
    share_e, share_ne = (events + 0.5) / (E + 0.5), (nonev + 0.5) / (NE + 0.5)
    return woe, float(np.sum((share_ne - share_e) * woe))


def bin_index(splits, x) -> np.ndarray:
    """Bin of each value: [s_i, s_i+1) intervals as optbinning's, NaN -> last."""
    idx = np.searchsorted(np.asarray(splits, dtype=float), x, side="right")
    return np.where(np.isnan(x), len(splits) + 1, idx)


def woe_of(bins: dict, x) -> np.ndarray:
    return np.asarray(bins["woe"])[bin_index(bins["splits"], np.asarray(x, dtype=float))]


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
