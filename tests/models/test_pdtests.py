"""The back-test's statistics against independent computations."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import beta
from sklearn.metrics import roc_auc_score

from creditscore._errors import InputError
from creditscore.models._backtest_policy import load_light_policy
from creditscore.models._pdtests import clustered_auc, hosmer_lemeshow, jeffreys_p


def _delong_se(y, s):
    pos, neg = s[y == 1], s[y == 0]
    psi = (pos[:, None] > neg[None, :]) + 0.5 * (pos[:, None] == neg[None, :])
    v10, v01 = psi.mean(axis=1), psi.mean(axis=0)
    return np.sqrt(v10.var(ddof=1) / len(pos) + v01.var(ddof=1) / len(neg))


def test_auc_with_one_row_per_subject_is_delongs():
    rng = np.random.default_rng(0)
    y = (rng.random(600) < 0.2).astype(int)
    s = np.round(rng.normal(size=600) + y, 1)  # ties on purpose
    res = clustered_auc(y, s)
    assert res.auc == pytest.approx(roc_auc_score(y, s), abs=1e-12)
    assert res.se == pytest.approx(_delong_se(y, s), rel=0.01)


def test_repeated_subjects_widen_the_interval():
    rng = np.random.default_rng(1)
    n = 500
    x = rng.normal(size=n)
    y1 = (rng.random(n) < 1 / (1 + np.exp(-(x - 1.5)))).astype(int)
    y = np.r_[y1, y1]  # the same people at two dates: twice the rows, no new information
    s = np.r_[x, x] + rng.normal(scale=0.01, size=2 * n)
    subjects = np.r_[np.arange(n), np.arange(n)]
    naive, clustered = clustered_auc(y, s), clustered_auc(y, s, subjects)
    assert clustered.se > 1.3 * naive.se
    assert clustered.se == pytest.approx(clustered_auc(y1, x).se, rel=0.1)


def test_jeffreys_is_the_beta_posterior_at_the_pd():
    assert jeffreys_p(7, 238, 0.073) == pytest.approx(beta.cdf(0.073, 7.5, 231.5))
    assert jeffreys_p(30, 100, 0.1) < 1e-6  # far more defaults than the PD allows
    assert jeffreys_p(0, 100, 0.1) > 0.99


def test_hosmer_lemeshow_of_a_calibrated_model_does_not_reject():
    rng = np.random.default_rng(2)
    p = rng.uniform(0.01, 0.3, 20_000)
    y = (rng.random(p.size) < p).astype(int)
    assert hosmer_lemeshow(y, p)["p_value"] > 0.01
    assert hosmer_lemeshow(y, p * 0.5)["p_value"] < 1e-6


def _date(p, tiers=()):
    return {"date": "2023-12-31", "jeffreys_p": p, "tiers": list(tiers)}


def test_the_shipped_light_rule():
    light = load_light_policy()
    assert light.light([_date(0.5), _date(0.009)])[0] == "red"
    assert light.light([_date(0.04)])[0] == "amber"
    tier = {"tier": "C", "rows": 50, "jeffreys_p": 0.006}
    empty = {"tier": "D", "rows": 0, "jeffreys_p": float("nan")}
    other = {**tier, "tier": "B", "jeffreys_p": 0.9}
    assert light.light([_date(0.5, [tier, other])])[0] == "green"  # 0.006 x 2 tiers >= 0.01
    assert light.light([_date(0.5, [tier, empty])])[0] == "amber"  # 0.006 x 1 tier with rows
    assert light.light([_date(0.5)])[0] == "green"


def test_a_broken_policy_is_one_line_input_error(tmp_path):
    bad = tmp_path / "p.yaml"
    bad.write_text("red: {portfolio_p: 2}\namber: {portfolio_p: 0.05, tier_p: 0.01}\n")
    with pytest.raises(InputError, match="p.yaml: not a backtest policy"):
        load_light_policy(bad)
    with pytest.raises(InputError, match="no such file"):
        load_light_policy(tmp_path / "missing.yaml")
