"""Feature frames with a known truth, and feature definitions, for the model tests.

The models take their feature definitions as a parameter, so these tests do
not depend on the features stage: a frame has the feature-table schema
(subject_id, as_of, features, nullable Int64 labels) and risk that rises with
``x_up``, falls with ``x_down``, and is U-shaped in ``x_free``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from creditscore.features import FeatureDef

DATES = ("2021-06-30", "2021-12-31", "2022-06-30")


def feature_defs() -> tuple[FeatureDef, ...]:
    """Definitions: one feature per direction, plus a noise column."""

    def f(name, direction):
        return FeatureDef(
            name, f"test feature {name}", "loans", direction, f"{name} is {{value:.1f}}"
        )

    return (f("x_up", 1), f("x_down", -1), f("x_free", 0), f("x_noise", 0))


def make_frame(n_subjects=3000, dates=DATES, seed=0, unknown_share=0.05) -> pd.DataFrame:
    """One row per (subject, as_of) with features and both labels."""
    rng = np.random.default_rng(seed)
    n = n_subjects * len(dates)
    x_up, x_down = rng.normal(size=n), rng.normal(size=n)
    x_free, x_noise = rng.normal(size=n), rng.normal(size=n)
    logit = -2.6 + 1.0 * x_up - 0.8 * x_down + 0.4 * x_free**2
    y = (rng.random(n) < 1 / (1 + np.exp(-logit))).astype(int)
    x_down[rng.random(n) < 0.05] = np.nan  # some missing values
    labels = pd.array(y, dtype="Int64")
    labels[rng.random(n) < unknown_share] = pd.NA
    breach = pd.array((rng.random(n) < 0.05).astype(int), dtype="Int64")
    return pd.DataFrame(
        {
            "subject_id": [f"S{i:05d}" for i in range(n_subjects)] * len(dates),
            "as_of": pd.to_datetime(np.repeat(np.array(dates), n_subjects)).date,
            "x_up": x_up,
            "x_down": x_down,
            "x_free": x_free,
            "x_noise": x_noise,
            "default_12m": labels,
            "breach_12m": breach,
        }
    )


@pytest.fixture(scope="session")
def defs():
    return feature_defs()


@pytest.fixture(scope="session")
def frame():
    return make_frame()


@pytest.fixture(scope="session")
def known(frame):
    """The rows with a known default label: X, y, as_of."""
    rows = frame[frame["default_12m"].notna()].reset_index(drop=True)
    names = [f.name for f in feature_defs()]
    return rows[names], rows["default_12m"].astype(int).to_numpy(), rows["as_of"].to_numpy()


@pytest.fixture(scope="session")
def features_path(tmp_path_factory, frame):
    path = tmp_path_factory.mktemp("features") / "features.parquet"
    frame.to_parquet(path, index=False)
    return path
