"""The record screen's arithmetic: expected counts, the observed-over-expected ratio per
group, its interval, and the check rows.

``expected_counts`` cross-fits a Poisson LightGBM of one record family's count on the
other record sources' features (over subjects, ``FOLDS`` folds), ``REPEATS`` times over
independent fold assignments drawn from the audit's seed; ``judge_groups`` sums observed
and expected counts per subject and group, forms each
group's ratio against everyone else with the same predicted behaviour, once per fold
assignment, with its cluster-robust (delta-method, over subjects) variance, and
aggregates them (``_aggregate``): the estimate is the mean of the log ratios, its
variance the mean sampling variance plus the spread between fold assignments, so that
neither the estimate nor the verdict hinges on one fold draw. Nothing but the fold
assignments depends on the seed.
``_records`` states the method and holds the result.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import _checks

__all__ = ["expected_counts", "judge_groups", "FOLDS", "REPEATS", "REFERENCE"]

REFERENCE = "everyone else"
#: cross-fitting folds, boosting rounds, learning rate and leaves of the expected-count
#: models (issue 28: 7 leaves of at least 100 rows at rate 0.1, in place of 15 of 50 at
#: 0.15, vary less between fold assignments: on the package's seed-5 world, the spread of
#: the log ratio between assignments fell from 0.08 to 0.05-0.07 for its smallest group)
FOLDS, ROUNDS, RATE, LEAVES, MIN_LEAF, BINS = 2, 60, 0.1, 7, 100, 63
#: independent fold assignments of the cross-fit
REPEATS = 5
#: a fold's model learns from at most this many rows (drawn from the seed): the expected
#: counts need no more, and the screen's cost stays bounded at scale
FIT_ROWS = 50_000


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
    params = {"objective": "poisson", "learning_rate": RATE, "num_leaves": LEAVES,
              "max_bin": BINS, "min_data_in_leaf": MIN_LEAF, "num_threads": 1, "verbose": -1,
              "deterministic": True, "force_col_wise": True}
    full = lgb.Dataset(x[ok], y[ok], params=params, free_raw_data=False).construct()
    at = np.flatnonzero(ok)
    for r, seed in enumerate(fold_seeds(random_state, repeats)):
        rng = np.random.default_rng(seed)
        fold = rng.integers(0, FOLDS, inv.max() + 1)[inv][ok]
        params["seed"] = seed
        for k in range(FOLDS):
            train, test = np.flatnonzero(fold != k), np.flatnonzero(fold == k)
            if len(train) > FIT_ROWS:
                train = np.sort(rng.choice(train, FIT_ROWS, replace=False))
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


def judge_groups(groupings, q, subjects, keep, families, used, spec, policy):
    """Check rows and table rows of every (grouping, group, family).

    ``q`` holds, per family, the observed count and then its ``R`` expected counts (one per
    fold assignment), and a last column of ones (rows). Everything is summed per subject
    first: a person's rows are one cluster of the variance.
    """
    _, subj = np.unique(subjects, return_inverse=True)
    n_subj = int(subj.max()) + 1 if len(subj) else 0
    keep = np.asarray(keep, dtype=bool)
    q = np.where(keep[:, None], q, 0.0)
    width = (q.shape[1] - 1) // len(families)  # 1 observed + R expected
    rows, table = [], []
    for grouping in groupings:
        G = grouping.n_groups
        if G < 2:
            continue
        z = _checks.z_value(policy.ci_level, G if policy.adjust == "bonferroni" else 1)
        lvl = 1 - (1 - policy.ci_level) / (G if policy.adjust == "bonferroni" else 1)
        codes = np.where(keep, grouping.codes, -1)
        inside = codes >= 0
        n_rows = np.bincount(codes[inside], minlength=G)
        exemption = spec.exemption(grouping.attribute)
        for f, fam in enumerate(families):
            cols = q[:, f * width:(f + 1) * width]
            total = _per_subject(subj, cols, n_subj)
            by_group = _per_subject(subj[inside] * G + codes[inside], cols[inside],
                                    n_subj * G).reshape(n_subj, G, width)
            gate = bool(spec.gate and used[fam.name] and exemption is None)
            for g in range(G):
                mine = by_group[:, g, :]
                value, lo, hi, obs_n, exp_n, spread = _ratio(mine, total - mine, z,
                                                             policy.min_cell_size)
                status = (_checks.INSUFFICIENT if value is None else
                          _checks.judge(value, lo, hi, spec.threshold, spec.direction))
                n = int(n_rows[g])
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


def _per_subject(key, cols, size) -> np.ndarray:
    """Column sums of ``cols`` (N, K) per value of ``key``: (size, K)."""
    return np.column_stack([np.bincount(key, cols[:, j], minlength=size)
                            for j in range(cols.shape[1])])


def _ratio(mine, rest, z, min_cell):
    """Observed over expected of a group, the expectation scaled to everyone else's rate.

    ``mine`` and ``rest`` (S, 1 + R): per subject, the group's (everyone else's) observed
    count and its expected counts under each of the R fold assignments. Per assignment,
    the log ratio (half-counts added) and its cluster-robust variance: the delta method
    over subjects, ``sum_s (o_s / O - e_s / E)^2`` on each side, which is the variance a
    subject-level bootstrap with the predictions held fixed estimates, without its Monte
    Carlo noise, and at least the Poisson variance ``1/(O + 1/2)`` of each side. Returns
    the ratio, its interval, the observed and expected counts, and the standard deviation
    of the log ratio between fold assignments.
    """
    og, orest = float(mine[:, 0].sum()), float(rest[:, 0].sum())
    eg, erest = mine[:, 1:].sum(axis=0), rest[:, 1:].sum(axis=0)
    if orest <= 0 or (erest <= 0).any() or (eg <= 0).any():
        return None, None, None, og, None, None
    centers = np.log((og + 0.5) / eg) - np.log((orest + 0.5) / erest)
    var = _cluster_var(mine, og, eg) + _cluster_var(rest, orest, erest)
    var = np.maximum(var, 1.0 / (og + 0.5) + 1.0 / (orest + 0.5))
    center, var, spread = _aggregate(centers, var)
    expected = float(np.exp(np.mean(np.log(eg * orest / erest))))
    if expected < min_cell:
        return None, None, None, og, expected, spread
    value = og / expected  # the geometric mean of the assignments' ratios
    se = np.sqrt(var)
    return (value, float(np.exp(center - z * se)), float(np.exp(center + z * se)), og,
            expected, spread)


def _cluster_var(side, observed, expected) -> np.ndarray:
    """Delta-method variance of log(O + 1/2) - log(E) over subjects, per assignment (R,)."""
    o = side[:, :1] / (observed + 0.5)
    return ((o - side[:, 1:] / expected) ** 2).sum(axis=0)


def _aggregate(centers, var):
    """One estimate from R cross-fits (Chernozhukov et al. 2018, repeated sample splitting,
    with the mean in place of the median): the mean log ratio, and a variance that adds to
    the mean sampling variance (subjects resampled, predictions held fixed) the variance of
    the log ratio between fold assignments: the part of the expected counts' fitting
    variance that a fit on another half of the subjects shows, which holding the
    predictions fixed leaves out. Returns the centre, the variance and the
    between-assignment standard deviation."""
    centers = np.asarray(centers, dtype=float)
    spread = float(np.std(centers, ddof=1)) if len(centers) > 1 else 0.0
    return float(np.mean(centers)), float(np.mean(var) + spread ** 2), spread


def _round(x):
    return None if x is None or not np.isfinite(x) else round(float(x), 6)


def _check_row(attribute, group, family, value, lo, hi, level, n, gate, status, spec, exemption):
    return {"attribute": attribute, "metric": "record_disparity", "group": group,
            "reference": REFERENCE, "value": _round(value), "threshold": spec.threshold,
            "ci_low": _round(lo), "ci_high": _round(hi), "ci_level": round(level, 6), "n": n,
            "gate": gate, "status": status, "passed": status != _checks.FAIL,
            "exemption": exemption, "family": family}
