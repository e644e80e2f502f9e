"""Intervals of rate differences (FPR, FNR): Newcombe's hybrid score interval (policy 3)."""

from __future__ import annotations

import numpy as np

from creditscore.fairness._checks import _newcombe, _wilson, z_value

Z15 = z_value(0.95, 15)  # Bonferroni over the 15 pairs of 6 groups


def _no_boot():
    return np.array([np.nan])


def test_a_reference_with_every_event_caught_is_not_known_to_be_zero():
    # 7 of 12 breaches missed against 0 of 8: a Wald interval (policy 2) put the whole
    # difference above 0.10; with so few events the data do not rule out a fair model.
    value, lo, hi = _newcombe(7, 12, _no_boot(), 0, 8, _no_boot(), Z15)
    assert np.isclose(value, 7 / 12)
    assert lo < 0.10 < hi


def test_a_clear_difference_with_enough_events_is_beyond_the_threshold():
    value, lo, hi = _newcombe(300, 1000, _no_boot(), 100, 1000, _no_boot(), Z15)
    assert np.isclose(value, 0.2)
    assert 0.10 < lo < value < hi


def test_the_design_effect_widens_the_interval():
    n, k = 400, 80
    p = k / n
    independent = _wilson(k, n, np.full(50, p), 1.96)
    rng = np.random.default_rng(0)
    # bootstrap rates twice as variable as the binomial: every person counted twice
    clustered = _wilson(k, n, p + rng.normal(0, np.sqrt(2 * p * (1 - p) / n), 2000), 1.96)
    assert clustered[1] < independent[1] and clustered[2] > independent[2]


def test_equal_rates_are_rarely_called_different():
    # small groups at equal rates: the two-sided 95% interval excludes 0 at most ~5% of the time
    rng = np.random.default_rng(1)
    misses = 0
    for _ in range(2000):
        n1, n2 = rng.integers(8, 30, 2)
        k1, k2 = rng.binomial(n1, 0.15), rng.binomial(n2, 0.15)
        _, lo, hi = _newcombe(k1, n1, _no_boot(), k2, n2, _no_boot(), 1.96)
        misses += lo > 0 or hi < 0
    assert misses / 2000 <= 0.06


def test_a_group_rate_gets_a_wilson_interval_not_a_clipped_wald_one():
    from creditscore.fairness._checks import group_interval

    counts = np.zeros((1, 9))
    counts[0, :2] = 1475, 6  # 6 of 1,475 rows flagged
    point, boot = {"flag_rate": np.array([6 / 1475])}, {"flag_rate": np.full((200, 1), 6 / 1475)}
    lo, hi = group_interval("flag_rate", point, boot, counts, 0, 1.96)
    assert 0.0015 < lo < 6 / 1475 < hi  # Wald clipped at 0 said [0.00%, 0.83%]
    assert np.isclose(lo, 0.00187, atol=5e-5) and np.isclose(hi, 0.00885, atol=5e-5)


def test_no_events_where_the_pds_expect_two_is_not_a_significant_calibration_gap():
    from creditscore.fairness._checks import calibration_interval, poisson_binomial_p

    sums = np.array([221, 0, 221, 221, 0, 0, 0, 2.3, 2.3])  # no event, PDs sum to 2.3
    gap, lo, hi = calibration_interval(sums, np.zeros(200), 1.96)
    assert np.isclose(gap, 2.3 / 221) and lo < 0 < hi
    p = poisson_binomial_p(np.full(221, 2.3 / 221), 0)
    assert p > 0.05 and np.isclose(p, 2 * np.prod(1 - np.full(221, 2.3 / 221)), rtol=0.15)


def test_many_more_events_than_the_pds_expect_is_significant():
    from creditscore.fairness._checks import calibration_interval, poisson_binomial_p

    sums = np.array([221, 0, 221, 201, 20, 0, 0, 2.3, 2.3])
    gap, lo, hi = calibration_interval(sums, np.zeros(200), 1.96)
    assert hi < 0
    assert poisson_binomial_p(np.full(221, 2.3 / 221), 20) < 1e-6


def test_the_exact_test_agrees_with_the_binomial_one_for_equal_pds():
    from scipy.stats import binomtest

    from creditscore.fairness._checks import poisson_binomial_p

    for k in (0, 3, 10, 17, 30):
        assert np.isclose(poisson_binomial_p(np.full(150, 0.08), k),
                          binomtest(k, 150, 0.08).pvalue, rtol=1e-6)


def test_pooling_many_distinct_pds_into_classes_only_widens_the_law():
    from creditscore.fairness._checks import poisson_binomial_p

    pds = np.random.default_rng(0).beta(1, 40, 3000)
    expected = pds.sum()
    assert poisson_binomial_p(pds, round(expected)) > 0.9
    assert poisson_binomial_p(pds, round(expected + 5 * np.sqrt(expected))) < 1e-4
