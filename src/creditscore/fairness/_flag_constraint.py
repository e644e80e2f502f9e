"""The flag-rate constraint: applied at training time, by weights, never at prediction.

The events (label 1) of the groups the failing model flags most often (flag-
rate ratio below the threshold) are weighted ``exp(-strength)`` in the fit,
every other row 1. The strength is the smallest of ``STRENGTHS`` (tried in
increasing order) whose model reaches the policy's flag-rate ratio on rows it
was not fitted to (a record-set model: the training rows' own out-of-time
slice, the slice that calibrates; a flat model: out-of-fold flags), never the
audit rows; if none does, the strength whose ratio came closest (too strong a
weight overshoots: the other groups become the most flagged ones), and the
audit says how far it got. The model that results reads no protected
attribute and flags by the same tiers for everyone.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._candidates import Recipe, flag_weights

__all__ = ["flag_recipe", "flags", "holdout_ratio", "worst_ratio", "STRENGTHS"]

#: the strengths tried, in order (at most five fits)
STRENGTHS = (0.25, 0.5, 1.0, 2.0, 4.0)


def flag_recipe(search, attrs, sens, y) -> Recipe:
    """The smallest strength whose flag-rate ratio (``search.constraint_ratio``: weights ->
    the worst ratio of a model fitted with them, never on the audit rows) reaches the
    threshold."""
    low = _low_groups(search.first_audit, attrs, search.policy)
    dis = np.zeros(len(y), dtype=bool)
    for attr, groups in low.items():
        dis |= sens[attr].astype(str).isin(groups).to_numpy()
    ratio = search.constraint_ratio(attrs, sens, y)
    limit = search.policy.check("flag_rate_ratio").threshold
    tried = {}
    for strength in STRENGTHS:
        tried[strength] = ratio(flag_weights(y, dis, strength))
        if tried[strength] >= limit:
            break
    hi = next((s for s, r in tried.items() if r >= limit), max(tried, key=tried.get))
    who = "; ".join(f"{a} = {', '.join(g)}" for a, g in low.items()) or "none"
    return Recipe("flag_rate_constraint", "flag_constraint",
                  f"events of the most flagged groups ({who}) weighted exp(-{hi:.2f}) in "
                  f"training", weights=flag_weights(y, dis, hi),
                  detail={"attributes": attrs, "strength": round(hi, 4),
                          "tried": {str(k): round(float(v), 4) for k, v in tried.items()},
                          "groups": {a: list(g) for a, g in low.items()},
                          "target_ratio": limit})


def holdout_ratio(search, attrs, sens, y):
    """weights -> the worst flag-rate ratio on the training rows' own out-of-time slice
    (the slice that calibrates) of a model fitted with those weights."""
    from ..models import holdout_mask

    mask, _ = holdout_mask(search.train_rows["as_of"].to_numpy(), y,
                           random_state=search.model_seed())
    sens_slice = sens[mask].reset_index(drop=True)

    def ratio(weights) -> float:
        search.say("  train a flag-rate constraint step")
        step = Recipe("step", "flag_constraint", "", weights=weights)
        fit = search.train_recipe(step, None, n_boot=0)
        pd_ = fit.model.predict_proba(search.train_rows.loc[mask, search.base.feature_names])
        flagged = flags(pd_[:, 1], search.base, search.policy)
        return worst_ratio(flagged, sens_slice, attrs, search.policy.min_group_size)

    return ratio


def flags(pd_, model, policy) -> np.ndarray:
    """Who the model flags: its tiers in the policy's flag_tiers, or PD >= the cutoff."""
    from ._audit import flag_decision

    return flag_decision(pd_, model.tier(pd_) if policy.flag_tiers else None, policy)


def _low_groups(audit, attrs, policy) -> dict[str, list[str]]:
    """Per attribute, the groups whose flag-rate ratio is below the threshold."""
    checks = audit.checks
    limit = policy.check("flag_rate_ratio").threshold
    rows = checks[(checks["metric"] == "flag_rate_ratio") & checks["attribute"].isin(attrs)]
    low = rows[rows["value"] < limit]
    if low.empty:
        low = rows.nsmallest(1, "value")
    return {a: sorted(low.loc[low["attribute"] == a, "group"].astype(str).unique())
            for a in attrs if (low["attribute"] == a).any()}


def worst_ratio(flags, sens, attrs, min_size) -> float:
    """The smallest (lowest flag rate / group flag rate) over groups of ``attrs``."""
    worst = 1.0
    flags = pd.Series(np.asarray(flags, dtype=float))
    for attr in attrs:
        labels = sens[attr].astype(str)
        sizes = labels.value_counts()
        rates = flags.groupby(labels.to_numpy()).mean()[sizes[sizes >= min_size].index]
        if len(rates) >= 2 and rates.max() > 0:
            worst = min(worst, float(rates.min() / rates.max()))
    return worst
