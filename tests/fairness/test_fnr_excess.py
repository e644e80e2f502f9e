"""The excess false-negative rate (policy 4): misses beyond what a group's own PDs predict.

A calibrated model must miss more of a low-risk group's defaults than of a
high-risk group's (its defaulters look like its non-defaulters), so the plain
FNR difference is reported, and the part of it the groups' risk does not
explain gates.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from creditscore.fairness import FairnessAudit

CUTOFF = 0.3


def _world(n: int, seed: int, misread: float = 0.0):
    """Two groups of different risk, PDs calibrated within each (``misread`` = 0).

    Group B's PDs are drawn from a lower-risk distribution. With ``misread`` > 0
    the model understates the risk of those of B it should flag by that share
    (their outcome follows the true PD, the score shows less), so B's defaults
    go unflagged more often than B's own scores admit.
    """
    rng = np.random.default_rng(seed)
    group = np.where(rng.random(n) < 0.5, "A", "B")
    true_pd = np.where(group == "A", rng.beta(3, 4, n), rng.beta(2, 6, n))
    y = (rng.random(n) < true_pd).astype(float)
    shown = true_pd.copy()
    hidden = (group == "B") & (true_pd > CUTOFF)
    shown[hidden] = true_pd[hidden] * (1 - misread)
    policy = {"attributes": ["sex"], "intersections": [], "decision": {"pd_cutoff": CUTOFF},
              "inference": {"ci_level": 0.95, "adjust": "bonferroni", "n_boot": 200}}
    audit = FairnessAudit(y, np.clip(shown, 0, 1), None,
                          sensitive_features=pd.DataFrame({"sex": group}), policy=policy)
    return audit.checks.set_index("metric")


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_calibrated_model_misses_a_low_risk_group_more_and_passes(seed):
    checks = _world(20_000, seed)
    plain, excess = checks.loc["fnr_difference"], checks.loc["fnr_excess_difference"]
    # the groups' risk alone puts the plain difference far beyond 0.10, its whole interval too
    assert plain["ci_low"] > 0.10 and not plain["gate"]
    assert excess["gate"] and excess["status"] == "pass"
    assert excess["ci_low"] < 0 < excess["ci_high"] or abs(excess["value"]) < 0.05


def test_a_group_whose_defaults_the_model_cannot_read_fails():
    checks = _world(20_000, 3, misread=0.8)
    excess = checks.loc["fnr_excess_difference"]
    assert excess["group"] == "B" and excess["status"] == "fail"
    assert excess["ci_low"] > 0.10


def test_small_calibrated_worlds_rarely_fail_on_the_excess():
    # 300 people, a few dozen defaults: the plain FNR difference often lies wholly beyond 0.10
    # for the groups' risk alone; the excess must not fail such a model more than ~5% of runs
    statuses = [_world(300, seed).loc["fnr_excess_difference", "status"] for seed in range(100)]
    assert statuses.count("fail") <= 5
