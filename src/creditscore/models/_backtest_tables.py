"""The blocks of a back-test: one sample's summary, the tier table, migration, PSI.

Each takes the validation rows' outcomes ``y``, PDs, tiers and subjects (never
a development row: ``_backtest`` selects them) and returns plain dicts for
``validation.json``. The statistics come from ``_pdtests``.
"""

from __future__ import annotations

import math

import numpy as np

from . import _pdtests as t

__all__ = ["summary_block", "tier_rows", "migration", "psi_block"]


def summary_block(y, pd, subjects, level: float = 0.95) -> dict:
    """Rows, events, AUC (subject-clustered interval), Gini, KS, Brier, calibration."""
    y, pd = np.asarray(y, dtype=int), np.asarray(pd, dtype=float)
    n, d = int(len(y)), int(y.sum())
    mean_pd = float(pd.mean()) if n else math.nan
    auc = t.clustered_auc(y, pd, subjects, level)
    return {
        "rows": n, "subjects": int(len(np.unique(subjects))), "events": d,
        "mean_pd": mean_pd, "observed_rate": d / n if n else math.nan,
        **auc.to_dict(), "gini": 2 * auc.auc - 1, "ks": t.ks_statistic(y, pd),
        "brier": float(((pd - y) ** 2).mean()) if n else math.nan,
        "citl": mean_pd - d / n if n else math.nan,
        "binomial": t.binomial_p(d, n, mean_pd),
        "jeffreys_p": t.jeffreys_p(d, n, mean_pd),
        "hosmer_lemeshow": t.hosmer_lemeshow(y, pd),
        "level": level,
    }


def tier_rows(y, pd, tier, subjects, labels, bands) -> list[dict]:
    """One row per tier: rows, subjects, defaults, mean PD, observed rate, Jeffreys p
    (and its Bonferroni correction over the tiers that hold rows)."""
    y, pd, tier = np.asarray(y, dtype=int), np.asarray(pd, dtype=float), np.asarray(tier)
    subjects = np.asarray(subjects)
    occupied = sum(bool((tier == lab).any()) for lab in labels)
    out = []
    for k, lab in enumerate(labels):
        i = tier == lab
        n, d = int(i.sum()), int(y[i].sum())
        mean_pd = float(pd[i].mean()) if n else math.nan
        p = t.jeffreys_p(d, n, mean_pd) if n else math.nan
        out.append({
            "tier": str(lab), "pd_from": float(bands[k]), "pd_to": float(bands[k + 1]),
            "rows": n, "subjects": int(len(np.unique(subjects[i]))), "defaults": d,
            "mean_pd": mean_pd, "observed_rate": d / n if n else math.nan,
            "jeffreys_p": p,
            "jeffreys_p_bonferroni": min(1.0, p * occupied) if n else math.nan,
        })
    return out


def migration(subjects, dates, tier, labels) -> list[dict]:
    """Tier migration of the subjects seen at two consecutive validation dates."""
    subjects, tier = np.asarray(subjects), np.asarray(tier, dtype=object)
    dates = np.asarray(dates, dtype="datetime64[D]")
    rank = {lab: k for k, lab in enumerate(labels)}
    days = np.unique(dates)
    out = []
    for a, b in zip(days[:-1], days[1:], strict=True):
        first = dict(zip(subjects[dates == a], tier[dates == a], strict=True))
        pairs = [(first[s], x) for s, x in zip(subjects[dates == b], tier[dates == b],
                                                strict=True) if s in first]
        matrix = {f: {g: 0 for g in labels} for f in labels}
        for f, g in pairs:
            matrix[f][g] += 1
        n = len(pairs)
        worse = sum(rank[g] > rank[f] for f, g in pairs)
        better = sum(rank[g] < rank[f] for f, g in pairs)
        out.append({"from": str(a), "to": str(b), "subjects": n, "matrix": matrix,
                    "stayed": (n - worse - better) / n if n else math.nan,
                    "to_riskier": worse / n if n else math.nan,
                    "to_safer": better / n if n else math.nan})
    return out


def psi_block(reference, score, features) -> dict:
    """PSI of the score and of each feature against the development sample."""
    from ._reference import psi_against

    if not reference:
        return {"note": "the model directory records no development distributions"}
    feats = {name: psi_against(ref, features[name]) for name, ref in
             reference["features"].items() if name in features.columns}
    return {"score": psi_against(reference["score"], score), "features": feats,
            "max_feature": max(feats, key=feats.get) if feats else None}
