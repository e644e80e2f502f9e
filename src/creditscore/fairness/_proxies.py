"""Proxy detection: which model features stand in for a protected attribute.

For every model feature and protected attribute, two questions:

1. **Does it predict the attribute?** Its single-feature AUC (for an attribute
   with more than two groups: the best one-vs-rest AUC, folded so that 0.3
   counts as 0.7) and the normalised mutual information between its deciles
   and the attribute (for features with at most ten values: the values).
2. **Does disparity flow through it?** The feature is *aligned across the
   attribute's groups*: each subject's value is replaced by the population
   value at the same within-group quantile (quantile matching), so every
   group ends up with the population's distribution of the feature while each
   person keeps their rank within their own group. The model re-scores the
   rows at the same operating decision, and the attribute's worst flag-rate
   ratio (lowest group flag rate over the highest) is compared before and
   after. We align rather than permute or set to the median because
   alignment removes exactly the group difference in the feature and nothing
   else: values stay on the feature's own support, the overall flag rate
   barely moves, the comparison is paired (same rows, no random draw), and a
   feature that does not differ across groups is left almost unchanged. The
   rise in the ratio is the disparity carried by the feature. It is computed
   for pairs with a measurable association (AUC >= 0.55 or NMI >= 0.005,
   ten times the chance level of NMI at the default sample size); the others
   carry none by construction and show no value.

A feature is **named** (a proxy of the attribute) when its AUC or NMI reaches
the policy's threshold, or when aligning it raises the worst ratio by at
least ``disparity_reduction``: a feature over-recorded for one group may
predict the group only weakly (most people have no record) and still carry
the disparity. Suppressed groups take no part (their rows are left out of
every statistic and left unaligned).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._audit import flag_decision
from ._groups import groupings
from ._policy import load_policy

__all__ = ["ProxyReport", "detect_proxies"]

_COLUMNS = ["feature", "attribute", "auc", "nmi", "associated", "worst_ratio",
            "worst_ratio_aligned", "disparity_reduction", "carries_disparity", "proxy"]
_FLOW_AUC, _FLOW_NMI = 0.55, 0.005


class ProxyReport:
    """Association and disparity of each (feature, attribute); read-only.

    Parameters
    ----------
    table : DataFrame
        Columns as in ``to_frame()``.
    thresholds : dict
        The policy's ``proxies`` section.
    """

    def __init__(self, table: pd.DataFrame, thresholds: dict):
        self._table = table.reset_index(drop=True)
        self._thresholds = dict(thresholds)

    @property
    def thresholds(self) -> dict:
        """The association thresholds above which an input is named a proxy."""
        return dict(self._thresholds)

    @property
    def named(self) -> pd.DataFrame:
        """The (feature, attribute) pairs named as proxies, strongest first."""
        t = self._table[self._table["proxy"]]
        return t.sort_values(["disparity_reduction", "auc"], ascending=False,
                             na_position="last").reset_index(drop=True)

    @property
    def names(self) -> list[str]:
        """Features named a proxy of any attribute (those carrying most disparity first)."""
        return list(dict.fromkeys(self.named["feature"]))

    def to_frame(self) -> pd.DataFrame:
        """A copy of the proxy table: one row per model input and protected attribute."""
        return self._table.copy()

    def to_dict(self) -> dict:
        """``named``: the proxies (audit.json's ``proxies``); ``features``: every pair."""
        rows = [{k: (None if isinstance(v, float) and not np.isfinite(v) else
                     (v.item() if isinstance(v, np.generic) else v)) for k, v in r.items()}
                for r in self._table.to_dict("records")]
        order = self.named[["feature", "attribute"]].itertuples(index=False, name=None)
        by_key = {(r["feature"], r["attribute"]): r for r in rows}
        named = [{k: by_key[key][k] for k in ("feature", "attribute", "auc", "nmi",
                                               "disparity_reduction", "carries_disparity")}
                 for key in order]
        return {"thresholds": self.thresholds, "named": named, "features": rows}

    def __repr__(self) -> str:
        return f"ProxyReport(named={self.names})"


def detect_proxies(model, frame: pd.DataFrame, sensitive_features: pd.DataFrame, *,
                   subject_ids=None, policy=None, random_state=0) -> ProxyReport:
    """Name the features that act as proxies of protected attributes.

    Parameters
    ----------
    model : LoadedModel-like
        With ``feature_names``, ``predict_pd(frame)`` and ``tier(pd)``.
    frame : DataFrame
        The audited rows (model inputs).
    sensitive_features : DataFrame
        One row per row of ``frame`` (positional), the resolved attributes.
    subject_ids : array-like, default=None
        For group sizes (suppression counts subjects).
    policy : Policy, path or dict, default=None
    random_state : int, default=0
        Seeds the row sample (``proxies.max_rows``); nothing else is random.
    """
    policy = load_policy(policy)
    th = policy.proxies
    frame = frame.reset_index(drop=True)
    sens = pd.DataFrame(sensitive_features).reset_index(drop=True)
    subjects = np.asarray(frame.index if subject_ids is None else subject_ids).astype(str)
    base = [g for g in groupings(sens, subjects, policy) if g.attribute in sens.columns
            and g.n_groups >= 2]
    take = np.arange(len(frame))
    if len(take) > th["max_rows"]:
        rng = np.random.default_rng(random_state)
        take = np.sort(rng.choice(len(frame), th["max_rows"], replace=False))
    sample = frame.iloc[take].reset_index(drop=True)

    def worst(data, codes):
        pd_ = np.asarray(model.predict_pd(data), dtype=float)
        flags = flag_decision(pd_, model.tier(pd_) if policy.flag_tiers else None, policy)
        return _worst_ratio(flags, codes)

    rows = []
    for g in base:
        codes = g.codes[take]
        before = worst(sample, codes)
        for feature in model.feature_names:
            auc, nmi = _association(sample[feature], codes)
            row = {"feature": feature, "attribute": g.attribute, "auc": auc, "nmi": nmi,
                   "associated": bool(auc >= th["auc"] or nmi >= th["nmi"]),
                   "worst_ratio": before, "worst_ratio_aligned": np.nan}
            aligned = _aligned(sample[feature], codes) if (
                auc >= _FLOW_AUC or nmi >= _FLOW_NMI) else None
            if aligned is not None:
                data = sample.copy()
                data[feature] = aligned
                row["worst_ratio_aligned"] = worst(data, codes)
            rows.append(row)
    table = pd.DataFrame(rows, columns=_COLUMNS[:7])
    table["disparity_reduction"] = table["worst_ratio_aligned"] - table["worst_ratio"]
    table["carries_disparity"] = table["disparity_reduction"].fillna(0) >= th[
        "disparity_reduction"]
    table["proxy"] = table["associated"] | table["carries_disparity"]
    return ProxyReport(table.round(6), th)


def _aligned(values: pd.Series, codes: np.ndarray) -> np.ndarray | None:
    """Quantile-match each reported group's values to the population's.

    A subject at the q-th quantile of their own group gets the population's
    q-th quantile ("inverted CDF": an observed value, so counts stay counts).
    Missing values, and rows outside reported groups, are left as they are.
    """
    from scipy.stats import rankdata

    x = pd.to_numeric(pd.Series(values), errors="coerce").to_numpy(dtype=float)
    if np.isnan(x).all() or not pd.api.types.is_numeric_dtype(pd.Series(values)):
        return None
    pool = np.sort(x[(codes >= 0) & ~np.isnan(x)])
    out = x.copy()
    for g in np.unique(codes[codes >= 0]):
        idx = np.flatnonzero((codes == g) & ~np.isnan(x))
        if len(idx):
            u = (rankdata(x[idx]) - 0.5) / len(idx)
            out[idx] = np.quantile(pool, u, method="inverted_cdf")
    return out


def _worst_ratio(flags: np.ndarray, codes: np.ndarray) -> float:
    keep = codes >= 0
    rates = pd.Series(flags[keep].astype(float)).groupby(codes[keep]).mean()
    if len(rates) < 2 or rates.max() == 0:
        return 1.0
    return float(rates.min() / rates.max())


def _association(values: pd.Series, codes: np.ndarray) -> tuple[float, float]:
    """(best folded one-vs-rest AUC, NMI of deciles) of a feature with an attribute."""
    from scipy.stats import rankdata
    from sklearn.metrics import normalized_mutual_info_score

    keep = codes >= 0
    c = codes[keep]
    x = pd.to_numeric(pd.Series(values).iloc[np.flatnonzero(keep)], errors="coerce").to_numpy(
        dtype=float)
    numeric = not np.isnan(x).all() or pd.Series(values).isna().all()
    if numeric:
        filled = np.where(np.isnan(x), np.nanmin(x) - 1 if np.isfinite(x).any() else 0.0, x)
        ranks, n, auc = rankdata(filled), len(filled), 0.5
        for g in np.unique(c):
            in_g = c == g
            n1 = in_g.sum()
            if 0 < n1 < n:
                a = (ranks[in_g].sum() - n1 * (n1 + 1) / 2) / (n1 * (n - n1))
                auc = max(auc, a, 1 - a)
        bins = _bins(filled)
    else:
        auc = np.nan
        bins = pd.factorize(pd.Series(values).iloc[np.flatnonzero(keep)].astype(str))[0]
    return float(auc), float(normalized_mutual_info_score(c, bins))


def _bins(x: np.ndarray) -> np.ndarray:
    if len(np.unique(x)) <= 10:
        return pd.factorize(x)[0]
    return pd.qcut(x, 10, labels=False, duplicates="drop")
