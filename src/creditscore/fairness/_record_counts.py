"""The record screen's arithmetic: expected counts, the observed-over-expected ratio per
group, its interval, and the check rows.

``expected_counts`` cross-fits a Poisson LightGBM of one record family's count on the
other record sources' features (over subjects, ``FOLDS`` folds), ``REPEATS`` times over
independent fold assignments drawn from the audit's seed; ``judge_groups`` sums observed
and expected counts per group (point and subject-level Poisson bootstrap), forms each
group's ratio against everyone else with the same predicted behaviour, once per fold
assignment, and aggregates them (``_aggregate``): the estimate is the mean of the log
ratios, its variance the mean bootstrap variance plus the spread between fold
assignments, so that neither the estimate nor the verdict hinges on one fold draw.
``_records`` states the method and holds the result.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import _checks
from ._bootstrap import _design

__all__ = ["expected_counts", "judge_groups", "FOLDS", "REPEATS", "REFERENCE"]

REFERENCE = "everyone else"
#: cross-fitting folds, boosting rounds and leaves of the expected-count models
FOLDS, ROUNDS, LEAVES, MIN_LEAF, BINS = 2, 60, 15, 50, 63
#: independent fold assignments of the cross-fit (odd, so a median is one of them)
REPEATS = 5


def fold_seeds(random_state: int, repeats: int = REPEATS) -> list[int]:
    """One seed per fold assignment, derived from the audit's seed (reproducible)."""
    children = np.random.SeedSequence(random_state).spawn(repeats)
    return [int(c.generate_state(1)[0] % (2**31 - 1)) for c in children]


def expected_counts(frame, count, cols, subjects, keep, random_state, repeats=REPEATS):
    """Observed counts (N,) and cross-fitted Poisson predictions (R, N), one row per fold
    assignment (0 where not screened)."""
    import lightgbm as lgb

    y = pd.to_numeric(frame[count], errors="coerce").to_numpy(dtype=float)
    x = frame[cols].apply(pd.to_numeric, errors="coerce").astype(float)
    x["as_of_days"] = _days(frame)
    ok = keep & np.isfinite(y) & (y >= 0)
    _, inv = np.unique(subjects, return_inverse=True)
    pred = np.zeros((repeats, len(y)))
    if y[ok].sum() <= 0:
        return np.where(ok, y, 0.0), pred  # nothing recorded to learn from: not judged
    # binned once; every fold's training set is a subset of it
    params = {"objective": "poisson", "learning_rate": 0.15, "num_leaves": LEAVES,
              "max_bin": BINS, "min_data_in_leaf": MIN_LEAF, "num_threads": 1, "verbose": -1,
              "deterministic": True, "force_col_wise": True}
    full = lgb.Dataset(x[ok], y[ok], params=params, free_raw_data=False).construct()
    at = np.flatnonzero(ok)
    for r, seed in enumerate(fold_seeds(random_state, repeats)):
        fold = np.random.default_rng(seed).integers(0, FOLDS, inv.max() + 1)[inv][ok]
        params["seed"] = seed
        for k in range(FOLDS):
            train, test = np.flatnonzero(fold != k), np.flatnonzero(fold == k)
            if not len(test) or y[at[train]].sum() <= 0:
                continue  # nothing recorded to learn from: predictions stay 0, not judged
            booster = lgb.train(params, full.subset(train), ROUNDS)
            pred[r, at[test]] = booster.predict(x.iloc[at[test]], num_threads=1)
    return np.where(ok, y, 0.0), pred


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
    """Check rows and table rows of every (grouping, group, family).

    ``q`` holds, per family, the observed count and then its ``R`` expected counts (one per
    fold assignment), and a last column of ones (rows).
    """
    point, boot, offsets = _sums(groupings, q, subjects, keep, policy.n_boot, random_state)
    k = q.shape[1]
    width = (k - 1) // len(families)  # 1 observed + R expected
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
            o, e = f * width, slice(f * width + 1, (f + 1) * width)
            for g in range(G):
                est = _ratio(blk_p[0, g, o], blk_p[0, g, e], tot_p[0, o], tot_p[0, e], z,
                             blk_b[:, g, o], blk_b[:, g, e], tot_b[:, o], tot_b[:, e],
                             policy.min_cell_size)
                value, lo, hi, obs_n, exp_n, spread = est
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
                              "ci_high": _round(hi), "fold_spread": _round(spread),
                              "used_by_model": bool(used[fam.name]), "status": status})
    from ._audit import _CHECK_COLUMNS

    return pd.DataFrame(rows, columns=[*_CHECK_COLUMNS, "family"]), pd.DataFrame(table)


def _ratio(og, eg, ot, et, z, bog, beg, bot, bet, min_cell):
    """Observed over expected of group g, the expectation scaled to everyone else's rate.

    ``og``, ``ot``: the group's and everyone's observed count; ``eg``, ``et`` (R,): their
    expected counts under each fold assignment; ``bog``, ``bot`` (B,) and ``beg``, ``bet``
    (B, R): the same in the bootstrap replicates. Returns the ratio, its interval, the
    observed and expected counts, and the spread (standard deviation) of the log ratio
    between fold assignments.
    """
    og, ot = float(og), float(ot)
    eg, et = np.asarray(eg, dtype=float), np.asarray(et, dtype=float)
    orest, erest = ot - og, et - eg
    if orest <= 0 or (erest <= 0).any() or (eg <= 0).any():
        return None, None, None, og, None, None
    with np.errstate(divide="ignore", invalid="ignore"):
        reps = (np.log((bog[:, None] + 0.5) / beg)
                - np.log((bot - bog)[:, None] + 0.5) + np.log(bet - beg))
    centers = np.log((og + 0.5) / eg) - np.log((orest + 0.5) / erest)
    floor = 1.0 / (og + 0.5) + 1.0 / (orest + 0.5)
    boot_var = np.array([_checks._se(reps[:, r][np.isfinite(reps[:, r])], floor) ** 2
                         for r in range(len(eg))])
    center, var, spread = _aggregate(centers, boot_var)
    # the point ratio (no half-counts), aggregated the same way
    value = float(np.exp(np.mean(np.log(og * erest / (eg * orest))))) if og > 0 else 0.0
    expected = float(np.exp(np.mean(np.log(eg * orest / erest))))
    if expected < min_cell:
        return None, None, None, og, expected, spread
    se = np.sqrt(var)
    return (value, float(np.exp(center - z * se)), float(np.exp(center + z * se)), og,
            expected, spread)


def _aggregate(centers, boot_var):
    """One estimate from R cross-fits (Chernozhukov et al. 2018, repeated sample splitting,
    with the mean in place of the median): the mean log ratio, and a variance that adds to
    the mean bootstrap variance (rows resampled, predictions held fixed) the variance of
    the log ratio between fold assignments, the part of the expected count's fitting
    variance that a fit on a different half of the subjects shows. Returns the centre, the
    variance and the between-assignment standard deviation."""
    centers = np.asarray(centers, dtype=float)
    spread = float(np.std(centers, ddof=1)) if len(centers) > 1 else 0.0
    return float(np.mean(centers)), float(np.mean(boot_var) + spread ** 2), spread


def _round(x):
    return None if x is None or not np.isfinite(x) else round(float(x), 6)


def _check_row(attribute, group, family, value, lo, hi, level, n, gate, status, spec, exemption):
    return {"attribute": attribute, "metric": "record_disparity", "group": group,
            "reference": REFERENCE, "value": _round(value), "threshold": spec.threshold,
            "ci_low": _round(lo), "ci_high": _round(hi), "ci_level": round(level, 6), "n": n,
            "gate": gate, "status": status, "passed": status != _checks.FAIL,
            "exemption": exemption, "family": family}
