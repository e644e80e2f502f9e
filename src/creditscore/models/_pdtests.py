"""The statistics of a PD back-test, each from scipy's distributions.

What a validator runs on a validation sample (the ECB's 2019 instructions for
reporting the validation of PD models; R's scorecraft ``scr_pd_validate``):

- :func:`clustered_auc`: the AUC with the variance of Obuchowski (1997) for
  clustered data, DeLong's placement values summed per subject, so that a
  person seen at several dates counts as one cluster (with one row per
  subject it is DeLong's variance up to a factor ``K / (K - 1)``); the
  interval is normal on the logit of the AUC;
- :func:`auc_change_test`: the ECB's one-sided test of a fall from the
  development AUC, ``S = (AUC_dev - AUC_val) / s_val``, ``p = 1 - Phi(S)``;
- :func:`jeffreys_p`: the one-sided Jeffreys test of a grade's (or the
  portfolio's) PD, ``p = F_Beta(D + 1/2, N - D + 1/2)(PD)``: small when more
  defaults were observed than the PD allows (the PD is too low);
- :func:`binomial_p`: the exact binomial test of calibration-in-the-large;
- :func:`hosmer_lemeshow`: over equal-frequency PD groups, with ``g`` degrees
  of freedom because the PDs were not fitted on these rows;
- :func:`ks_statistic`, :func:`herfindahl`.
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["clustered_auc", "auc_change_test", "jeffreys_p", "binomial_p", "hosmer_lemeshow",
           "ks_statistic", "herfindahl", "ClusteredAUC"]


class ClusteredAUC:
    """AUC, its subject-clustered standard error and interval.

    Attributes
    ----------
    auc, se : float
    ci : tuple of float
    n_clusters : int
    """

    def __init__(self, auc, se, ci, n_clusters):
        self.auc, self.se, self.ci, self.n_clusters = auc, se, ci, n_clusters

    def to_dict(self) -> dict:
        return {"auc": self.auc, "auc_se": self.se, "auc_ci": list(self.ci),
                "clusters": self.n_clusters}


def _placements(pos: np.ndarray, neg: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """DeLong's placement values: each positive's share of negatives scored below it
    (ties count one half), each negative's share of positives scored above it."""
    ns, ps = np.sort(neg), np.sort(pos)
    lo, hi = np.searchsorted(ns, pos, "left"), np.searchsorted(ns, pos, "right")
    v10 = (lo + 0.5 * (hi - lo)) / len(neg)
    lo, hi = np.searchsorted(ps, neg, "left"), np.searchsorted(ps, neg, "right")
    v01 = (len(pos) - hi + 0.5 * (hi - lo)) / len(pos)
    return v10, v01


def clustered_auc(y, score, cluster=None, level: float = 0.95) -> ClusteredAUC:
    """AUC of ``score`` (higher: riskier) with a subject-clustered interval.

    Parameters
    ----------
    y : array-like of {0, 1}
    score : array-like of float
    cluster : array-like, optional
        The subject of each row (default: every row its own cluster).
    level : float, default=0.95
    """
    from scipy.stats import norm

    y = np.asarray(y, dtype=int)
    s = np.asarray(score, dtype=float)
    cluster = np.arange(len(y)) if cluster is None else np.asarray(cluster)
    pos, neg = y == 1, y == 0
    m, n = int(pos.sum()), int(neg.sum())
    if m == 0 or n == 0:
        return ClusteredAUC(math.nan, math.nan, (math.nan, math.nan), 0)
    v10, v01 = _placements(s[pos], s[neg])
    auc = float(v10.mean())
    codes = np.unique(cluster, return_inverse=True)[1]
    k = int(codes.max()) + 1
    r10 = np.bincount(codes[pos], v10, k) - np.bincount(codes[pos], minlength=k) * auc
    r01 = np.bincount(codes[neg], v01, k) - np.bincount(codes[neg], minlength=k) * auc
    f = k / (k - 1) if k > 1 else math.nan
    var = f * ((r10**2).sum() / m**2 + (r01**2).sum() / n**2 + 2 * (r10 * r01).sum() / (m * n))
    se = math.sqrt(max(var, 0.0))
    return ClusteredAUC(auc, se, _logit_interval(auc, se, norm.ppf(0.5 + level / 2)), k)


def _logit_interval(auc: float, se: float, z: float) -> tuple[float, float]:
    if not 0 < auc < 1 or not math.isfinite(se):
        return (auc, auc)
    lg, s = math.log(auc / (1 - auc)), se / (auc * (1 - auc))
    return (1 / (1 + math.exp(-(lg - z * s))), 1 / (1 + math.exp(-(lg + z * s))))


def auc_change_test(auc_dev: float, auc_val: float, se_val: float) -> dict:
    """The one-sided test of a fall in the AUC from development to validation."""
    from scipy.stats import norm

    diff = auc_val - auc_dev
    ok = all(math.isfinite(x) for x in (auc_dev, auc_val, se_val)) and se_val > 0
    stat = (auc_dev - auc_val) / se_val if ok else math.nan
    return {"development": auc_dev, "validation": auc_val, "difference": diff,
            "relative": diff / auc_dev if auc_dev else math.nan,
            "statistic": stat, "p_value": float(norm.sf(stat)) if ok else math.nan}


def jeffreys_p(defaults: int, n: int, pd: float) -> float:
    """One-sided Jeffreys p-value of H0 "the PD is not below the default rate"."""
    from scipy.stats import beta

    if n <= 0:
        return math.nan
    return float(beta.cdf(pd, defaults + 0.5, n - defaults + 0.5))


def binomial_p(defaults: int, n: int, pd: float) -> dict:
    """Exact binomial tests of ``defaults`` out of ``n`` against the mean PD."""
    from scipy.stats import binomtest

    if n <= 0 or not 0 < pd < 1:
        return {"p_two_sided": math.nan, "p_under": math.nan}
    return {"p_two_sided": float(binomtest(defaults, n, pd).pvalue),
            "p_under": float(binomtest(defaults, n, pd, alternative="greater").pvalue)}


def hosmer_lemeshow(y, pd, groups: int = 10) -> dict:
    """Hosmer-Lemeshow statistic over equal-frequency PD groups; ``groups`` degrees of
    freedom (the PDs were fitted on other rows)."""
    from scipy.stats import chi2

    y, p = np.asarray(y, dtype=float), np.asarray(pd, dtype=float)
    order = np.argsort(p, kind="stable")
    parts = [part for part in np.array_split(order, min(groups, len(p))) if len(part)]
    obs = np.array([y[i].sum() for i in parts])
    exp = np.array([p[i].sum() for i in parts])
    size = np.array([len(i) for i in parts], dtype=float)
    denom = exp * (1 - exp / size)
    keep = denom > 0
    stat = float((((obs - exp) ** 2)[keep] / denom[keep]).sum())
    df = int(keep.sum())
    return {"statistic": stat, "df": df, "p_value": float(chi2.sf(stat, df)) if df else math.nan}


def ks_statistic(y, pd) -> float:
    """Kolmogorov-Smirnov distance between the PDs of events and non-events."""
    from scipy.stats import ks_2samp

    y, p = np.asarray(y, dtype=int), np.asarray(pd, dtype=float)
    if y.min(initial=0) == y.max(initial=0):
        return math.nan
    return float(ks_2samp(p[y == 1], p[y == 0]).statistic)


def herfindahl(labels, categories) -> float:
    """Herfindahl index of the shares of ``categories`` among ``labels``."""
    labels = np.asarray(labels, dtype=object)
    if len(labels) == 0:
        return math.nan
    shares = np.array([(labels == c).mean() for c in categories])
    return float((shares**2).sum())
