"""Mitigation: less discriminatory alternatives, each audited like any model."""

from __future__ import annotations

import numpy as np
import pytest

from creditscore._errors import InputError
from creditscore.fairness import mitigate
from creditscore.fairness._candidates import reweigh

from .conftest import FAST, FEATURES


@pytest.fixture(scope="module")
def result(biased_world, biased_model):
    features, protected = biased_world
    return mitigate(features, protected, base_model=biased_model, policy=FAST, grid_size=5)


def test_biased_model_fails_and_an_alternative_passes(result):
    original = result.candidates["original"]
    assert not original.passed
    assert result.passing, result.frontier
    assert result.best.passed and result.best.name != "original"
    assert "public_records" in result.proxies
    assert result.attributes == ["ethnicity"]


def test_frontier_sets_auc_against_disparity(result):
    frontier = result.frontier
    assert {"candidate", "auc", "worst_flag_rate_ratio", "worst_fpr_difference", "passed",
            "pareto", "flag_rate"} <= set(frontier.columns)
    assert {"original", "baseline", "drop_proxies", "neutralise_proxies", "reweigh"} <= set(
        frontier["candidate"])
    assert frontier["candidate"].str.startswith("grid_dp[").sum() >= 2
    assert frontier["candidate"].str.startswith("grid_eo[").sum() >= 2
    assert frontier["pareto"].any()
    drop = frontier.set_index("candidate").loc["drop_proxies"]
    base = frontier.set_index("candidate").loc["baseline"]
    assert drop["worst_flag_rate_ratio"] > base["worst_flag_rate_ratio"]


def test_candidates_predict_from_model_features_only(result, biased_world):
    features, protected = biased_world
    x = features[FEATURES]  # no subject_id, no protected attribute
    for cand in result.candidates.values():
        assert not set(cand.model.feature_names) & set(protected.columns)
        pd_ = cand.model.predict_pd(x)
        assert pd_.shape == (len(x),) and np.all((pd_ >= 0) & (pd_ <= 1))
        assert np.array_equal(pd_, cand.model.predict_pd(x))  # deterministic


def test_passing_candidates_carry_their_own_audit_and_recipe(result):
    for cand in result.passing:
        assert cand.audit.passed and cand.audit.model_hash == cand.model.model_hash()
        assert 0 < cand.flag_rate < 1
    assert result.candidates["drop_proxies"].recipe["drop_features"] == ["public_records"]
    assert result.to_dict()["best"] == result.best.name


def test_reweighing_balances_group_and_label():
    groups = np.array(["a"] * 80 + ["b"] * 20)
    y = np.array([1] * 40 + [0] * 40 + [1] * 2 + [0] * 18)
    w = reweigh(groups, y)
    for g in "ab":
        m = groups == g
        assert np.sum(w[m] * y[m]) / np.sum(w[m]) == pytest.approx(np.mean(y))


def test_unknown_candidate_is_refused(biased_world):
    features, protected = biased_world
    with pytest.raises(InputError, match="unknown candidate 'magic'"):
        mitigate(features, protected, target="default_12m", candidates=("magic",))
