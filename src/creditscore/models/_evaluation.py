"""Evaluation of PDs and scores: a result object, built once from its inputs.

Discrimination (AUC, Gini, KS), accuracy (Brier), calibration (ECE over
equal-frequency PD bins, calibration-in-the-large = mean PD - observed rate,
and the two terms themselves) and stability (PSI of the evaluation scores
against the training scores, over deciles of the training scores), each with
a percentile bootstrap confidence interval, overall and per ``as_of`` date.
The bootstrap resamples the evaluation rows, or, given ``groups`` (the
subject of each row), whole subjects, since a person seen at several dates is
one draw, not several (the training distribution of the PSI is held fixed);
it is vectorised over replicates.
"""

from __future__ import annotations

import math

import numpy as np

from ._metrics import Sample, bootstrap_weights, psi, psi_bins

__all__ = ["Evaluation"]

METRICS = ("auc", "gini", "ks", "brier", "ece", "citl", "mean_pd", "event_rate", "psi")
ALL = "all"


class Evaluation:
    """Metrics of PDs against outcomes, with bootstrap confidence intervals.

    Parameters
    ----------
    y : array-like of {0, 1}
        Observed outcomes.
    pd : array-like of float
        Predicted probabilities of the event.
    score : array-like of float, optional
        Scores of the same rows (needed for the PSI and the score plot).
    as_of : array-like of dates, optional
        Observation date of each row: metrics are also given per date.
    train_score : array-like of float, optional
        Scores of the training rows: the PSI's reference distribution.
    n_boot : int, default=200
        Bootstrap replicates (0: no intervals).
    level : float, default=0.95
    n_bins : int, default=10
        Bins of the ECE and the PSI.
    random_state : int, default=0
    groups : array-like, optional
        The subject of each row: the bootstrap resamples subjects, not rows.

    Examples
    --------
    >>> ev = Evaluation([0, 1, 0, 1], [0.1, 0.8, 0.3, 0.6], n_boot=0)
    >>> ev.value("auc")
    1.0
    """

    def __init__(
        self,
        y,
        pd,
        *,
        score=None,
        as_of=None,
        train_score=None,
        n_boot=200,
        level=0.95,
        n_bins=10,
        random_state=0,
        groups=None,
    ):
        self._y = np.asarray(y, dtype=float)
        self._pd = np.asarray(pd, dtype=float)
        self._score = None if score is None else np.asarray(score, dtype=float)
        self._train_score = None if train_score is None else np.asarray(train_score, float)
        _check(self._y, self._pd, self._score)
        self.n_boot, self.level, self.n_bins = int(n_boot), float(level), int(n_bins)
        dates = None if as_of is None else np.asarray(as_of, dtype="datetime64[D]")
        if self._psi_ready:
            self._edges = psi_bins(self._train_score, self.n_bins)
            self._expected = np.bincount(
                np.searchsorted(self._edges, self._train_score, side="right"),
                minlength=len(self._edges) + 1,
            ) / len(self._train_score)
        rng = np.random.default_rng(random_state)
        self._groups = None if groups is None else np.unique(np.asarray(groups),
                                                             return_inverse=True)[1]
        parts = [(ALL, np.arange(len(self._y)))]
        if dates is not None:
            parts += [(str(d), np.flatnonzero(dates == d)) for d in np.unique(dates)]
        self._rows = [row for key, idx in parts for row in self._evaluate(key, idx, rng)]

    def _evaluate(self, key, idx, rng) -> list[dict]:
        sample = Sample(self._y[idx], self._pd[idx], self.n_bins)
        point = sample.metrics(np.ones((1, sample.n)))
        codes = None
        if self._groups is not None:  # subjects of these rows, in the sample's sorted order
            codes = np.unique(self._groups[idx][sample.order], return_inverse=True)[1]
        boots = {k: [] for k in point}
        chunk = max(1, 2_000_000 // max(sample.n, 1))
        for start in range(0, self.n_boot, chunk):
            w = bootstrap_weights(sample.n, min(chunk, self.n_boot - start), rng, codes)
            for k, v in sample.metrics(w).items():
                boots[k].append(v)
            if self._psi_ready:
                boots.setdefault("psi", []).append(self._psi(idx, sample, w))
        if self._psi_ready:
            point["psi"] = self._psi(idx, sample, np.ones((1, sample.n)))
        n, events = int(sample.n), int(sample.y.sum())
        return [
            self._row(key, m, point[m][0], boots.get(m), n, events) for m in METRICS if m in point
        ]

    @property
    def _psi_ready(self) -> bool:
        return self._score is not None and self._train_score is not None

    def _psi(self, idx, sample, w) -> np.ndarray:
        bins = np.searchsorted(self._edges, self._score[idx][sample.order], side="right")
        onehot = np.eye(len(self._edges) + 1)[bins]
        return psi(self._expected, w @ onehot)

    def _row(self, key, metric, value, boots, n, events) -> dict:
        lo = hi = math.nan
        if boots:
            b = np.concatenate(boots)
            if np.isfinite(b).any():
                tail = (1 - self.level) / 2 * 100
                lo, hi = np.nanpercentile(b, [tail, 100 - tail])
        return {
            "as_of": key,
            "metric": metric,
            "value": float(value),
            "ci_low": float(lo),
            "ci_high": float(hi),
            "n": n,
            "events": events,
        }

    def value(self, metric: str, as_of: str = ALL) -> float:
        """The point estimate of ``metric`` (overall, or for one ``as_of`` date)."""
        return self._find(metric, as_of)["value"]

    def ci(self, metric: str, as_of: str = ALL) -> tuple[float, float]:
        """The confidence interval of ``metric``."""
        row = self._find(metric, as_of)
        return row["ci_low"], row["ci_high"]

    def _find(self, metric, as_of) -> dict:
        for row in self._rows:
            if row["metric"] == metric and row["as_of"] == str(as_of):
                return row
        raise KeyError(f"no {metric!r} for as_of {as_of!r}")

    @property
    def dates(self) -> list[str]:
        """The observation dates evaluated one by one (the pooled rows excluded)."""
        return sorted({r["as_of"] for r in self._rows} - {ALL})

    def to_frame(self):
        """One row per (as_of, metric): value, ci_low, ci_high, n, events."""
        import pandas as pd

        return pd.DataFrame(
            self._rows, columns=["as_of", "metric", "value", "ci_low", "ci_high", "n", "events"]
        )

    def to_dict(self) -> dict:
        """JSON-ready: overall metrics and metrics per date (NaN as None)."""

        def block(key):
            rows = [r for r in self._rows if r["as_of"] == key]
            return {
                "n": rows[0]["n"],
                "events": rows[0]["events"],
                "metrics": {
                    r["metric"]: {k: _none(r[k]) for k in ("value", "ci_low", "ci_high")}
                    for r in rows
                },
            }

        return {
            "level": self.level,
            "n_boot": self.n_boot,
            **block(ALL),
            "by_as_of": {d: block(d) for d in self.dates},
        }

    def summary(self) -> str:
        """One line: AUC with its interval, rows, events, mean PD against observed."""
        lo, hi = self.ci("auc")
        row = self._find("auc", ALL)
        return (
            f"AUC {row['value']:.3f} [{lo:.3f}, {hi:.3f}] on {row['n']:,} rows "
            f"({row['events']:,} events); mean PD {self.value('mean_pd'):.4f} vs "
            f"observed {self.value('event_rate'):.4f}"
        )

    def figures(self) -> dict[str, bytes]:
        """roc.png, calibration.png and score_distribution.png as PNG bytes (nothing written)."""
        from ._plots import render_plots

        return render_plots(self._y, self._pd, self._score, self._train_score, self.n_bins)

    def plot(self, out_dir) -> list:
        """Write roc.png, calibration.png and score_distribution.png to ``out_dir``."""
        from ._plots import write_plots

        return write_plots(out_dir, self._y, self._pd, self._score, self._train_score, self.n_bins)

    def __repr__(self) -> str:
        return f"Evaluation({self.summary()})"


def _none(x):
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else x


def _check(y, pd, score):
    if y.ndim != 1 or y.shape != pd.shape or len(y) == 0:
        raise ValueError(f"y and pd must be non-empty and of one length, got {y.shape}, {pd.shape}")
    if not np.isin(y, (0, 1)).all():
        raise ValueError("y must hold only 0 and 1")
    if score is not None and score.shape != y.shape:
        raise ValueError(f"score must have the length of y, got {score.shape}")
