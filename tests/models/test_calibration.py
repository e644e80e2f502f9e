import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from creditscore.models import CalibratedModel, Calibrator, MonotoneLGBM, WoEScorecard
from creditscore.models._tiers import PD_FLOOR

FAST = {"num_iterations": 200, "learning_rate": 0.1, "early_stopping_rounds": 20}


def _sample(n, rate, seed=0):
    rng = np.random.default_rng(seed)
    raw = rng.random(n)
    y = (rng.random(n) < rate * 2 * raw).astype(int)
    return raw, y


def test_large_sample_is_calibrated_isotonic():
    raw, y = _sample(20_000, 0.1)
    assert Calibrator().fit(raw, y).method_ == "isotonic"


@pytest.mark.parametrize("n, rate", [(3000, 0.2), (20_000, 0.005)])
def test_few_rows_or_few_events_fall_back_to_platt(n, rate):
    raw, y = _sample(n, rate)
    assert Calibrator().fit(raw, y).method_ == "platt"


@pytest.mark.parametrize("method", ["isotonic", "platt"])
def test_mean_pd_equals_observed_rate_on_the_sample(method):
    raw, y = _sample(20_000, 0.1)
    cal = Calibrator(method=method).fit(raw * 0.3, y)
    assert cal.predict(raw * 0.3).mean() == pytest.approx(y.mean(), rel=1e-6)


def test_centred_isotonic_keeps_distinct_scores_distinct():
    raw, y = _sample(20_000, 0.1)
    cal = Calibrator(method="isotonic").fit(raw, y)
    inner = np.sort(raw[(raw > cal.params_["x"][0]) & (raw < cal.params_["x"][-1])])
    p = cal.predict(inner)
    assert (np.diff(p[p > 2 * PD_FLOOR]) > 0).all()  # PDs are floored at PD_FLOOR


def test_calibrator_dict_round_trip():
    raw, y = _sample(20_000, 0.1)
    cal = Calibrator().fit(raw, y)
    again = Calibrator.from_dict(cal.to_dict())
    np.testing.assert_array_equal(again.predict(raw), cal.predict(raw))


def test_predict_before_fit_raises_not_fitted(known):
    with pytest.raises(NotFittedError):
        CalibratedModel(MonotoneLGBM()).predict_proba(known[0])


def test_clone_keeps_nested_parameters(defs):
    model = CalibratedModel(MonotoneLGBM(features=defs, num_leaves=5), min_rows=100)
    params = clone(model).get_params(deep=True)
    assert params["estimator__num_leaves"] == 5
    assert params["min_rows"] == 100


@pytest.mark.parametrize("estimator", [MonotoneLGBM(**FAST), WoEScorecard()])
def test_mean_pd_matches_rate_of_latest_period(defs, known, estimator):
    X, y, as_of = known
    model = CalibratedModel(clone(estimator).set_params(features=defs)).fit(X, y, as_of=as_of)
    latest = as_of == as_of.max()
    assert model.holdout_kind_ == "out_of_time"
    assert model.n_holdout_ == latest.sum()
    p = model.predict_proba(X[latest])[:, 1]
    assert p.mean() == pytest.approx(y[latest].mean(), rel=1e-6)
