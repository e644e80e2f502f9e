"""The target population: the rows a model's decision is audited on.

A target is defined for a population (spec/records.md): ``default_12m`` for
subjects with a loan open at t and no instalment already 90 days late,
``breach_12m`` for subjects with no breach already on file. The feature table
leaves the label missing outside the population *and* where the label's
window has not ended by the extraction. The audit tells the two apart from
the table alone: at an ``as_of`` date where some rows have a known label, the
windows have ended, so a missing label means "outside the population"; at a
date where no row has a known label, the population cannot be told and every
row counts (said in ``audit.json``).

Flag rates and error rates are computed on the population rows only; the
rows outside it are scored but are not the target's decision, and are
reported apart (how many, and each reported group's flag rate among them).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._audit import flag_decision

__all__ = ["target_population", "outside_summary"]


def target_population(frame: pd.DataFrame, target: str) -> tuple[np.ndarray, list[str]]:
    """Rows in the target's population, and the as_of dates where it cannot be told."""
    known = pd.to_numeric(frame[target], errors="coerce").notna().to_numpy()
    if "as_of" not in frame.columns:
        return np.ones(len(frame), dtype=bool), []
    when = pd.to_datetime(frame["as_of"], errors="coerce").dt.date.astype(str).to_numpy()
    dated_known = pd.Series(known).groupby(when).any()
    untold = sorted(d for d, v in dated_known.items() if not v)
    inside = known | np.isin(when, untold)
    return inside, untold


def outside_summary(inside, pd_, flagged, groupings, subjects, policy, untold) -> dict:
    """The out-of-population rows: counts, and each reported group's flag rate among them.

    A group is shown only when it has at least ``min_group_size`` subjects
    outside the population (the same suppression as the audit).
    """
    outside = ~np.asarray(inside, dtype=bool)
    subjects = np.asarray(subjects).astype(str)
    flag = flag_decision(pd_, flagged, policy) if outside.any() else np.zeros(0, dtype=bool)
    groups = []
    for grouping in groupings:
        if " x " in grouping.attribute:
            continue  # single attributes only: enough to see who is scored outside
        for g, name in enumerate(grouping.names):
            rows = outside & (grouping.codes == g)
            n_subj = len(np.unique(subjects[rows]))
            if n_subj < policy.min_group_size:
                continue
            groups.append({"attribute": grouping.attribute, "group": name,
                           "n_rows": int(rows.sum()), "n_subjects": int(n_subj),
                           "flag_rate": round(float(flag[rows].mean()), 6)})
    return {
        "rule": ("flag and error rates are computed on the rows the target is defined for (a "
                 "known label, or an as_of date whose labels are all still unknown); the rows "
                 "outside the target's population are reported here apart"),
        "n_rows": int(outside.sum()), "n_subjects": int(len(np.unique(subjects[outside]))),
        "as_of_population_unknown": list(untold), "groups": groups,
    }
