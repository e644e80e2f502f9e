"""Fixtures: small models built here, so explain's tests do not depend on the other stages."""

import pytest

from .explain_helpers import DEFS, BoosterModel, LinearModel, make_frame, make_labels, train_booster


@pytest.fixture(scope="session")
def defs():
    return DEFS


@pytest.fixture(scope="session")
def frame():
    return make_frame(6000)


@pytest.fixture(scope="session")
def booster(frame):
    return train_booster(frame, make_labels(frame))


@pytest.fixture
def linear_model():
    return LinearModel()


@pytest.fixture
def booster_model(booster):
    return BoosterModel(booster, DEFS)
