import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from creditscore.models import MonotoneLGBM

FAST = {"num_iterations": 300, "learning_rate": 0.1, "early_stopping_rounds": 20}


@pytest.fixture(scope="module")
def fitted(defs, known):
    X, y, as_of = known
    return MonotoneLGBM(features=defs, **FAST).fit(X, y, as_of=as_of)


def test_clone_keeps_parameters(defs):
    model = MonotoneLGBM(features=defs, num_leaves=7, num_threads=1)
    copy = clone(model)
    assert copy.get_params()["num_leaves"] == 7
    assert copy.get_params()["features"] == defs


def test_set_params_then_get_params_round_trips():
    model = MonotoneLGBM().set_params(learning_rate=0.2, random_state=3)
    assert model.get_params()["learning_rate"] == 0.2
    assert model.lgb_params()["seed"] == 3


def test_predict_before_fit_raises_not_fitted(known):
    with pytest.raises(NotFittedError):
        MonotoneLGBM().predict_proba(known[0])


def test_lightgbm_params_are_deterministic_and_single_threaded_by_default():
    params = MonotoneLGBM().lgb_params()
    assert params["num_threads"] == 1
    assert params["deterministic"] is True


def test_constraints_follow_feature_directions(fitted):
    assert fitted.monotone_constraints_ == [1, -1, 0, 0]


def test_early_stopping_holds_out_latest_as_of(fitted):
    assert fitted.validation_kind_ == "out_of_time"
    assert 0 < fitted.best_iteration_ <= FAST["num_iterations"]


def test_single_date_holds_out_random_share(defs, known):
    X, y, _ = known
    model = MonotoneLGBM(features=defs, **FAST).fit(X, y)
    assert model.validation_kind_ == "random"


@pytest.mark.parametrize("column, sign", [("x_up", 1), ("x_down", -1)])
def test_pd_is_monotone_in_constrained_feature_for_every_row(fitted, known, column, sign):
    X = known[0].iloc[:200]
    grid = np.linspace(-3, 3, 25)
    curves = []
    for value in grid:
        varied = X.copy()
        varied[column] = value
        curves.append(fitted.predict_proba(varied)[:, 1])
    steps = np.diff(np.array(curves), axis=0) * sign
    assert steps.min() >= -1e-12
    assert steps.sum(axis=0).mean() > 0  # the constraint binds on a real effect


def test_same_seed_gives_identical_model_text(defs, known, fitted):
    X, y, as_of = known
    again = MonotoneLGBM(features=defs, **FAST).fit(X, y, as_of=as_of)
    assert again.model_text() == fitted.model_text()


def test_model_text_round_trip_predicts_the_same(fitted, known):
    loaded = MonotoneLGBM.from_model_text(fitted.model_text(), fitted.feature_names_in_)
    np.testing.assert_array_equal(loaded.predict_proba(known[0]), fitted.predict_proba(known[0]))
