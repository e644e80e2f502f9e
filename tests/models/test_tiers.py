import numpy as np
import pytest

from creditscore.models import PointsScale, RiskTiers


def test_default_bands_give_tiers_a_to_d():
    tiers = RiskTiers().assign([0.001, 0.0199, 0.02, 0.049, 0.05, 0.149, 0.15, 0.9])
    assert tiers.tolist() == ["A", "A", "B", "B", "C", "C", "D", "D"]


def test_custom_bands_and_labels():
    tiers = RiskTiers(bands=(0.1,), labels=("low", "high"))
    assert tiers.assign([0.05, 0.1, 0.5]).tolist() == ["low", "high", "high"]


@pytest.mark.parametrize(
    "bands, labels",
    [((0.05, 0.02), ("A", "B", "C")), ((0.0, 0.5), ("A", "B", "C")), ((0.1, 0.2), ("A", "B"))],
)
def test_invalid_bands_are_refused(bands, labels):
    with pytest.raises(ValueError):
        RiskTiers(bands=bands, labels=labels)


def test_tier_table_maps_bands_to_scores():
    frame = RiskTiers().to_frame(PointsScale())
    assert frame["tier"].tolist() == ["A", "B", "C", "D"]
    assert frame["score_from"].is_monotonic_decreasing


def test_odds_of_50_to_1_score_600():
    assert PointsScale().from_pd([1 / 51])[0] == pytest.approx(600)


def test_doubling_the_odds_adds_20_points():
    scale = PointsScale()
    pd_at = [1 / (1 + odds) for odds in (25, 50, 100, 200)]
    np.testing.assert_allclose(np.diff(scale.from_pd(pd_at)), 20)


def test_scale_is_configurable_and_invertible():
    scale = PointsScale(pdo=40, odds=20, points=500)
    assert scale.from_pd([1 / 21])[0] == pytest.approx(500)
    np.testing.assert_allclose(scale.to_pd(scale.from_pd([0.01, 0.3])), [0.01, 0.3])
