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
