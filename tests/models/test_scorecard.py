import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from creditscore.models import WoEScorecard


@pytest.fixture(scope="module")
def card(defs, known):
    X, y, _ = known
    return WoEScorecard(features=defs).fit(X, y)


def test_clone_keeps_parameters(defs):
    card = WoEScorecard(features=defs, pdo=40, binning_params={"x_up": {"max_n_bins": 3}})
    params = clone(card).get_params()
    assert params["pdo"] == 40
    assert params["binning_params"] == {"x_up": {"max_n_bins": 3}}


def test_score_before_fit_raises_not_fitted(known):
    with pytest.raises(NotFittedError):
        WoEScorecard().score(known[0])


def test_noise_is_left_out_and_signal_kept(card):
    assert {"x_up", "x_down"} <= set(card.feature_names_in_)
    assert "x_noise" not in card.feature_names_in_


def test_points_fall_with_risk_for_ascending_feature(card):
    table = card.points_table_
    bins = table[(table["feature"] == "x_up") & (table["bin"] != "Missing")]
    assert len(bins) > 2
    assert bins["points"].is_monotonic_decreasing
    assert bins["event_rate"].is_monotonic_increasing


def test_points_rise_for_descending_feature(card):
    table = card.points_table_
    bins = table[(table["feature"] == "x_down") & (table["bin"] != "Missing")]
    assert bins["points"].is_monotonic_increasing


def test_coefficients_all_have_the_evidence_sign(card):
    assert (card.coef_ <= 0).all()  # WoE is ln(%non-events / %events): higher is safer


def test_total_points_are_the_sum_of_bin_points(card, known):
    X = known[0].iloc[:50]
    table = card.points_table_
    total = np.zeros(len(X))
    for name in card.feature_names_in_:
        x = X[name].to_numpy(dtype=float)
        splits = card.bins_[name]["splits"]  # bins [s_i, s_i+1), then Missing
        idx = np.where(np.isnan(x), len(splits) + 1, np.searchsorted(splits, x, side="right"))
        total += table.loc[table["feature"] == name, "points"].to_numpy()[idx]
    np.testing.assert_allclose(total, card.score(X))


def test_points_follow_the_pdo_scale(card, known):
    X = known[0].iloc[:100]
    p = card.predict_proba(X)[:, 1]
    odds = (1 - p) / p
    np.testing.assert_allclose(card.score(X), 600 + 20 * np.log2(odds / 50))


def test_state_round_trip_predicts_the_same(card, known):
    loaded = WoEScorecard.from_state(card.to_state())
    np.testing.assert_array_equal(loaded.score(known[0]), card.score(known[0]))
    assert loaded.points_table_.equals(card.points_table_)


def test_a_duplicated_feature_is_kept_once(defs, known):
    X, y, _ = known
    X = X.assign(x_up_copy=X["x_up"])
    card = WoEScorecard(features=defs).fit(X, y)
    assert len({"x_up", "x_up_copy"} & set(card.feature_names_in_)) == 1
