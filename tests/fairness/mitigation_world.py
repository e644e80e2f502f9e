"""A small feature table whose public records over-record a minority, and its model.

Made here, not by ``creditscore synth``, so that the mitigation tests hold for
worlds other code made: behaviour (``x1``, ``x2``) alone drives default; the
public-record count follows behaviour and, for the minority, ``bias`` extra
records on average. The columns carry catalogue names so that record families
are recognised as in a real feature table.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from creditscore.features import get_feature

FEATURES = ("rp_late30_count_24m", "si_months_covered_12m", "rp_burden_ratio", "pr_count",
            "pr_unresolved_count")
DATES = (dt.date(2021, 12, 31), dt.date(2022, 6, 30), dt.date(2022, 12, 31))
TRAIN_UNTIL = DATES[1]
FAST = {"inference": {"ci_level": 0.95, "adjust": "bonferroni", "n_boot": 200}}


def feature_defs():
    return tuple(get_feature(n) for n in FEATURES)


def make_world(n=2500, seed=0, bias=0.0, minority_share=0.3):
    """(features, protected): one row per subject and date, labels known everywhere."""
    rng = np.random.default_rng(seed)
    ids = np.array([f"m{seed}-{i:05d}" for i in range(n)])
    minority = rng.random(n) < minority_share
    parts = []
    for day in DATES:
        x1, x2 = rng.standard_normal(n), rng.standard_normal(n)
        y = rng.random(n) < 1 / (1 + np.exp(-(-4.2 + 1.4 * x1 - 0.7 * x2)))
        records = rng.poisson(np.exp(0.8 * x1 - 0.8)) + minority * rng.poisson(bias, n)
        parts.append(pd.DataFrame({
            "subject_id": ids, "as_of": pd.Timestamp(day),
            "rp_late30_count_24m": np.clip(np.round(2 + 1.5 * x1 + rng.standard_normal(n)), 0,
                                           None),
            "si_months_covered_12m": np.clip(np.round(8 - 2 * x2 + rng.standard_normal(n)), 0, 12),
            "rp_burden_ratio": np.round(rng.uniform(0, 1, n), 3),
            "pr_count": records.astype(float),
            "pr_unresolved_count": np.minimum(records, rng.poisson(0.6 * records + 0.01)),
            "default_12m": pd.array(y.astype(int), dtype="Int64"),
        }))
    features = pd.concat(parts, ignore_index=True)
    protected = pd.DataFrame({
        "subject_id": ids,
        "sex": rng.choice(["female", "male"], n),
        "birth_year": rng.integers(1950, 1998, n),
        "ethnicity": np.where(minority, "minority", "majority"),
        "hukou": rng.choice(["urban", "rural"], n),
        "region": rng.choice(["north", "south"], n),
    })
    return features, protected


def train_world_model(features, out, seed=0):
    from creditscore.models import train_model

    return train_model(features, "default_12m", "lgbm", out, train_until=TRAIN_UNTIL, seed=seed,
                       features=feature_defs(), n_boot=0,
                       params={"num_iterations": 300, "min_data_in_leaf": 40})
