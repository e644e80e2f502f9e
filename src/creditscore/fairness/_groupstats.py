"""Per-group point estimates (fairlearn's MetricFrame), availability, table rows."""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import _checks

__all__ = ["GROUP_RATES", "metric_frame", "availability", "group_rows"]

GROUP_RATES = ("flag_rate", "fpr", "fnr", "mean_pd", "observed_rate", "calibration_gap", "auc")


def metric_frame(grouping, flag, y, labelled, pd_) -> dict[str, np.ndarray]:
    """Point estimates per reported group, disaggregated by fairlearn's MetricFrame.

    One metric returns all of a group's rates at once: fairlearn converts the
    columns element by element for every metric, so one call is far cheaper
    than six.
    """
    from fairlearn.metrics import MetricFrame

    names = list(grouping.names)
    out = {k: np.full(len(names), np.nan) for k in GROUP_RATES}
    rows = grouping.codes >= 0
    if not rows.any():
        return out
    sf = pd.Series(np.asarray(names, dtype=object)[grouping.codes[rows]], name="group")
    y_coded = np.where(labelled, np.nan_to_num(y), -1).astype(int)  # -1: label unknown
    mf = MetricFrame(metrics={"outcomes": _outcomes}, y_true=y_coded[rows],
                     y_pred=flag[rows].astype(int), sensitive_features=sf,
                     sample_params={"outcomes": {"score": pd_[rows]}})
    by = mf.by_group["outcomes"]
    for g, name in enumerate(names):
        if name in by.index:
            for k, v in zip(_OUTCOMES, by[name], strict=True):
                out[k][g] = v
    out["calibration_gap"] = out["mean_pd"] - out["observed_rate"]
    return out


_OUTCOMES = ("flag_rate", "fpr", "fnr", "observed_rate", "mean_pd", "auc")


def _outcomes(y_true, y_pred, score) -> np.ndarray:
    """A group's flag rate (all rows) and, on rows with a known label (y_true >= 0),
    false-positive and false-negative rates, observed rate, mean PD and AUC."""
    from sklearn.metrics import roc_auc_score

    y_true, y_pred, score = (np.asarray(a) for a in (y_true, y_pred, score))
    lab = y_true >= 0
    yt, yp, sc = y_true[lab], y_pred[lab], score[lab]
    neg, pos = yt == 0, yt == 1

    def mean(a):
        return float(np.mean(a)) if len(a) else np.nan

    auc = float(roc_auc_score(yt, sc)) if neg.any() and pos.any() else np.nan
    return np.array([mean(y_pred), mean(yp[neg]), mean(1 - yp[pos]), mean(yt), mean(sc), auc])


def availability(grouping, subjects, y, labelled, min_cell) -> dict[str, np.ndarray]:
    """Whether each metric may be shown per group: its cell holds enough subjects."""
    g = grouping.n_groups

    def cell(mask):
        m = mask & (grouping.codes >= 0)
        s = pd.Series(subjects[m]).groupby(grouping.codes[m]).nunique()
        return s.reindex(range(g), fill_value=0).to_numpy() >= min_cell

    lab, neg, pos = cell(labelled), cell(labelled & (y == 0)), cell(labelled & (y == 1))
    return {"flag_rate": np.ones(g, bool), "fpr": neg, "fnr": pos, "mean_pd": lab,
            "observed_rate": lab, "calibration_gap": lab, "auc": neg & pos, "fnr_excess": pos}


def group_rows(grouping, rates, brates, counts, avail, subjects, z, outcomes=None) -> list[dict]:
    """One table row per reported group: sizes, each rate with its interval and, given
    ``outcomes`` (PD, label, labelled per row), ``calibration_p``: the exact
    Poisson-binomial p-value of the group's events under its rows' PDs."""
    n_subj = pd.Series(subjects[grouping.codes >= 0]).groupby(
        grouping.codes[grouping.codes >= 0]).nunique().reindex(range(grouping.n_groups),
                                                                fill_value=0)
    rows = []
    for g, name in enumerate(grouping.names):
        row = {"attribute": grouping.attribute, "group": name, "n": int(counts[g, 0]),
               "n_subjects": int(n_subj.iloc[g]), "n_labelled": int(counts[g, 2])}
        for key in GROUP_RATES:
            shown = avail[key][g] and np.isfinite(rates[key][g])
            lo, hi = _checks.group_interval(key, rates, brates, counts, g, z) if shown else (
                None, None)
            row[key] = round(float(rates[key][g]), 6) if shown else None
            row[f"{key}_ci_low"], row[f"{key}_ci_high"] = lo, hi
        if outcomes is not None:
            row["calibration_p"] = _calibration_p(grouping, g, outcomes) if (
                row["calibration_gap"] is not None) else None
        rows.append(row)
    return rows


def _calibration_p(grouping, g, outcomes) -> float:
    pd_, y, labelled = outcomes
    rows = (grouping.codes == g) & labelled
    return round(_checks.poisson_binomial_p(pd_[rows], int(np.nansum(y[rows]))), 6)
