"""The development sample's distributions, kept with the model for stability checks.

A model directory records, for its score and each feature, the inner edges of
ten equal-frequency bins of the development sample (fit and tuning rows,
``_split``) and the share of those rows in each bin, plus the share missing.
``creditscore backtest`` compares each validation date with them (the
population stability index, :func:`psi_against`), so the comparison needs no
copy of the training data.
"""

from __future__ import annotations

import numpy as np

from ._metrics import PSI_FLOOR, psi_bins

__all__ = ["reference_distributions", "psi_against", "N_BINS"]

N_BINS = 10


def _numeric(values) -> np.ndarray:
    import pandas as pd

    return pd.to_numeric(pd.Series(np.asarray(values).ravel()), errors="coerce").to_numpy(float)


def _column(values) -> dict:
    x = _numeric(values)
    ok = np.isfinite(x)
    edges = psi_bins(x[ok], N_BINS) if ok.any() else np.array([])
    counts = np.bincount(np.searchsorted(edges, x[ok], side="right"), minlength=len(edges) + 1)
    n = max(len(x), 1)
    return {"edges": [float(e) for e in edges], "shares": [float(c / n) for c in counts],
            "missing": float((~ok).sum() / n)}


def reference_distributions(frame, names, score) -> dict:
    """``{"score": {...}, "features": {name: {...}}}`` of the development rows.

    Each entry: ``edges`` (inner bin edges), ``shares`` (one more than the
    edges, over all rows) and ``missing`` (the share that is not a number).
    """
    return {"n_bins": N_BINS, "score": _column(score),
            "features": {name: _column(frame[name]) for name in names}}


def psi_against(reference: dict, values) -> float:
    """PSI of ``values`` against one recorded distribution (missing values are a bin)."""
    x = _numeric(values)
    ok = np.isfinite(x)
    edges = np.asarray(reference["edges"], dtype=float)
    counts = np.bincount(np.searchsorted(edges, x[ok], side="right"), minlength=len(edges) + 1)
    expected = np.r_[reference["shares"], reference["missing"]]
    actual = np.r_[counts, (~ok).sum()] / max(len(x), 1)
    keep = (expected > 0) | (actual > 0)
    e, a = np.maximum(expected[keep], PSI_FLOOR), np.maximum(actual[keep], PSI_FLOOR)
    return float(((a - e) * np.log(a / e)).sum())
