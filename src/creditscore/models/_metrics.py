"""Weighted metric kernels, vectorised over bootstrap replicates.

A bootstrap replicate is a row of multinomial counts ``w`` over the sample
(resampling with replacement = reweighting), so every metric is computed for
a whole block of replicates at once from one sort of the PDs. Row 0 of a
block may be all ones: the point estimate uses the same code.
"""

from __future__ import annotations

import numpy as np

__all__ = ["Sample", "bootstrap_weights", "psi"]

PSI_FLOOR = 1e-4


class Sample:
    """One evaluation sample, sorted once by PD.

    Parameters
    ----------
    y : array of {0, 1}
    pd : array of float
    n_bins : int
        Equal-frequency PD bins of the ECE.
    """

    def __init__(self, y, pd, n_bins: int = 10):
        order = np.argsort(pd, kind="stable")
        self.order = order
        self.y = np.asarray(y, dtype=float)[order]
        self.p = np.asarray(pd, dtype=float)[order]
        self.n = len(self.y)
        self.ties = np.flatnonzero(np.r_[True, self.p[1:] != self.p[:-1]]) if self.n else []
        edges = np.quantile(self.p, np.linspace(0, 1, n_bins + 1)[1:-1]) if self.n else []
        bins = np.searchsorted(edges, self.p, side="right")
        self.bin_starts = np.flatnonzero(np.r_[True, bins[1:] != bins[:-1]]) if self.n else []

    def metrics(self, w: np.ndarray) -> dict[str, np.ndarray]:
        """Every PD metric for each row of weights ``w`` (shape (B, n), sorted order)."""
        total = w.sum(axis=1)
        wy, wp = w * self.y, w * self.p
        pos = np.add.reduceat(wy, self.ties, axis=1)
        neg = np.add.reduceat(w - wy, self.ties, axis=1)
        P, N = pos.sum(axis=1), neg.sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            below = np.cumsum(neg, axis=1) - neg
            auc = (pos * (below + 0.5 * neg)).sum(axis=1) / (P * N)
            ks = np.abs(
                np.cumsum(neg, axis=1) / N[:, None] - np.cumsum(pos, axis=1) / P[:, None]
            ).max(axis=1)
            ks = np.where((P > 0) & (N > 0), ks, np.nan)
            gap = np.add.reduceat(wp - wy, self.bin_starts, axis=1)
            mean_pd, rate = wp.sum(axis=1) / total, wy.sum(axis=1) / total
            return {
                "auc": auc,
                "gini": 2 * auc - 1,
                "ks": ks,
                "brier": (w * (self.p - self.y) ** 2).sum(axis=1) / total,
                "ece": np.abs(gap).sum(axis=1) / total,
                "citl": mean_pd - rate,
                "mean_pd": mean_pd,
                "event_rate": rate,
            }


def bootstrap_weights(n: int, size: int, rng: np.random.Generator, groups=None) -> np.ndarray:
    """``size`` replicates of resampling ``n`` rows with replacement, as counts.

    With ``groups`` (an integer code per row, 0 .. K-1), whole groups are
    resampled: a person-date table is resampled by subject, each drawn subject
    bringing all of its rows.
    """
    if groups is not None:
        k = int(groups.max()) + 1
        idx = rng.integers(0, k, size=(size, k)) + (np.arange(size) * k)[:, None]
        counts = np.bincount(idx.ravel(), minlength=size * k).reshape(size, k)
        return counts[:, groups].astype(float)
    idx = rng.integers(0, n, size=(size, n)) + (np.arange(size) * n)[:, None]
    return np.bincount(idx.ravel(), minlength=size * n).reshape(size, n).astype(float)


def psi_bins(train_score, n_bins: int = 10) -> np.ndarray:
    """Inner edges of equal-frequency bins of the training scores."""
    edges = np.quantile(np.asarray(train_score, dtype=float), np.linspace(0, 1, n_bins + 1)[1:-1])
    return np.unique(edges)


def psi(expected_share: np.ndarray, actual_counts: np.ndarray) -> np.ndarray:
    """Population stability index of each row of ``actual_counts`` against one distribution."""
    e = np.maximum(expected_share, PSI_FLOOR)
    a = np.maximum(actual_counts / actual_counts.sum(axis=1, keepdims=True), PSI_FLOOR)
    return ((a - e) * np.log(a / e)).sum(axis=1)
