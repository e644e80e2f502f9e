"""The record screen's arithmetic: expected counts, the observed-over-expected ratio per
group, its bootstrap interval, and the check rows.

``expected_counts`` cross-fits a Poisson LightGBM of one record family's count on the
other record sources' features (over subjects, ``FOLDS`` folds); ``judge_groups`` sums
observed and expected counts per group (point and subject-level Poisson bootstrap),
forms each group's ratio against everyone else with the same predicted behaviour, and
judges it under the gate rule. ``_records`` states the method and holds the result.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import _checks
from ._bootstrap import _design

__all__ = ["expected_counts", "judge_groups", "FOLDS", "REFERENCE"]

REFERENCE = "everyone else"
#: cross-fitting folds, boosting rounds and leaves of the expected-count models
FOLDS, ROUNDS, LEAVES, MIN_LEAF, BINS = 2, 60, 15, 50, 63


def expected_counts(frame, count, cols, subjects, keep, random_state):
    """Observed counts and cross-fitted Poisson predictions (0 where not screened)."""
    import lightgbm as lgb

    y = pd.to_numeric(frame[count], errors="coerce").to_numpy(dtype=float)
    x = frame[cols].apply(pd.to_numeric, errors="coerce").astype(float)
    x["as_of_days"] = _days(frame)
    ok = keep & np.isfinite(y) & (y >= 0)
    _, inv = np.unique(subjects, return_inverse=True)
    fold = np.random.default_rng(random_state).integers(0, FOLDS, inv.max() + 1)[inv]
    params = {"objective": "poisson", "learning_rate": 0.15, "num_leaves": LEAVES,
              "max_bin": BINS,
              "min_data_in_leaf": MIN_LEAF, "num_threads": 1, "verbose": -1,
              "seed": random_state, "deterministic": True, "force_col_wise": True}
    pred = np.zeros(len(y))
    for k in range(FOLDS):
        train, test = ok & (fold != k), ok & (fold == k)
        if not test.any():
            continue
        if y[train].sum() <= 0:
            continue  # nothing recorded to learn from: predictions stay 0, rows not judged
        booster = lgb.train(params, lgb.Dataset(x[train], y[train]), ROUNDS)
        pred[test] = booster.predict(x[test], num_threads=1)
    return np.where(ok, y, 0.0), np.where(ok, pred, 0.0)


def _days(frame) -> np.ndarray:
    if "as_of" not in frame.columns:
        return np.zeros(len(frame))
    when = pd.to_datetime(frame["as_of"], errors="coerce")
    return ((when - pd.Timestamp("2000-01-01")).dt.days).to_numpy(dtype=float)


def _sums(groupings, q, subjects, keep, n_boot, random_state):
    """Point (1, K) and bootstrap (B, K) sums of q's columns per group, plus the totals."""
    codes = [np.where(keep, g.codes, -1) for g in groupings]
    codes.append(np.where(keep, 0, -1))
    m, offsets = _design(codes, q)
    _, subj = np.unique(subjects, return_inverse=True)
    rng = np.random.default_rng(random_state + 1)
    point = np.asarray(m.sum(axis=0))
    chunk = max(1, 2_000_000 // max(1, len(subjects)))
    boot, done = [], 0
    while done < n_boot:
        b = min(chunk, n_boot - done)
        w = rng.poisson(1.0, size=(b, int(subj.max()) + 1)).astype(float)[:, subj]
        boot.append(np.asarray((m.T @ w.T).T))
        done += b
    return point, np.vstack(boot), offsets


def judge_groups(groupings, q, subjects, keep, families, used, spec, policy, random_state):
    point, boot, offsets = _sums(groupings, q, subjects, keep, policy.n_boot, random_state)
    k = q.shape[1]
    tot_p, tot_b = point[:, offsets[-1]:offsets[-1] + k], boot[:, offsets[-1]:offsets[-1] + k]
    rows, table = [], []
    for i, grouping in enumerate(groupings):
        G = grouping.n_groups
        if G < 2:
            continue
        blk_p = point[:, offsets[i]:offsets[i] + G * k].reshape(1, G, k)
        blk_b = boot[:, offsets[i]:offsets[i] + G * k].reshape(-1, G, k)
        z = _checks.z_value(policy.ci_level, G if policy.adjust == "bonferroni" else 1)
        lvl = 1 - (1 - policy.ci_level) / (G if policy.adjust == "bonferroni" else 1)
        for f, fam in enumerate(families):
            for g in range(G):
                est = _ratio(blk_p[..., g, 2 * f], blk_p[..., g, 2 * f + 1],
                             tot_p[:, 2 * f], tot_p[:, 2 * f + 1], z,
                             blk_b[..., g, 2 * f], blk_b[..., g, 2 * f + 1],
                             tot_b[:, 2 * f], tot_b[:, 2 * f + 1], policy.min_cell_size)
                value, lo, hi, obs_n, exp_n = est
                status = (_checks.INSUFFICIENT if value is None else
                          _checks.judge(value, lo, hi, spec.threshold, spec.direction))
                n = int(blk_p[0, g, -1])
                exemption = spec.exemption(grouping.attribute)
                gate = bool(spec.gate and used[fam.name] and exemption is None)
                rows.append(_check_row(grouping.attribute, grouping.names[g], fam.name, value,
                                       lo, hi, lvl, n, gate, status, spec, exemption))
                table.append({"attribute": grouping.attribute, "group": grouping.names[g],
                              "family": fam.name, "n": n,
                              "observed_rate": _round(obs_n / n if n else None),
                              "expected_rate": _round(exp_n / n if n and exp_n else None),
                              "ratio": _round(value), "ci_low": _round(lo),
                              "ci_high": _round(hi), "used_by_model": bool(used[fam.name]),
                              "status": status})
    from ._audit import _CHECK_COLUMNS

    return pd.DataFrame(rows, columns=[*_CHECK_COLUMNS, "family"]), pd.DataFrame(table)


def _ratio(og, eg, ot, et, z, bog, beg, bot, bet, min_cell):
    """Observed over expected of group g, the expectation scaled to everyone else's rate."""
    og, eg, ot, et = float(og[0]), float(eg[0]), float(ot[0]), float(et[0])
    orest, erest = ot - og, et - eg
    if erest <= 0 or orest <= 0 or eg <= 0:
        return None, None, None, og, None
    expected = eg * orest / erest
    if expected < min_cell:
        return None, None, None, og, expected
    value = og / expected
    with np.errstate(divide="ignore", invalid="ignore"):
        reps = (np.log((bog + 0.5) / beg) - np.log((bot - bog + 0.5) / (bet - beg)))
    reps = reps[np.isfinite(reps)]
    center = np.log((og + 0.5) / eg) - np.log((orest + 0.5) / erest)
    floor = 1.0 / (og + 0.5) + 1.0 / (orest + 0.5)
    se = _checks._se(reps, floor)
    return value, float(np.exp(center - z * se)), float(np.exp(center + z * se)), og, expected


def _round(x):
    return None if x is None or not np.isfinite(x) else round(float(x), 6)


def _check_row(attribute, group, family, value, lo, hi, level, n, gate, status, spec, exemption):
    return {"attribute": attribute, "metric": "record_disparity", "group": group,
            "reference": REFERENCE, "value": _round(value), "threshold": spec.threshold,
            "ci_low": _round(lo), "ci_high": _round(hi), "ci_level": round(level, 6), "n": n,
            "gate": gate, "status": status, "passed": status != _checks.FAIL,
            "exemption": exemption, "family": family}
