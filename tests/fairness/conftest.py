"""Small synthetic populations and a tiny LightGBM model with LoadedModel's methods.

The fairness tests build their own data and model so that they do not depend
on the synth, features and models stages.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from creditscore.fairness import directory_hash

FEATURES = ["late_payments", "stability", "public_records"]
BANDS = (0.05, 0.20, 0.40)  # tiers A | B | C | D; C and D are flagged by default
FAST = {"inference": {"ci_level": 0.95, "adjust": "bonferroni", "n_boot": 200}}


def make_population(n=4000, seed=0, bias=0.0, minority_share=0.3, as_of=dt.date(2022, 6, 30),
                    unknown_share=0.1):
    """Subjects whose default risk depends on behaviour only.

    ``bias`` over-records public records for the ethnic minority (the
    records-bias scenario): same behaviour, more records.
    """
    rng = np.random.default_rng(seed)
    ids = np.array([f"s{i:06d}" for i in range(n)])
    minority = rng.random(n) < minority_share
    x1, x2 = rng.standard_normal(n), rng.standard_normal(n)
    y = rng.random(n) < 1 / (1 + np.exp(-(-2.3 + 1.1 * x1 - 0.7 * x2)))
    records = rng.poisson(np.exp(0.9 * x1 - 0.3)) + minority * rng.poisson(bias, n)
    label = pd.array(y.astype(int), dtype="Int64")
    label[rng.random(n) < unknown_share] = pd.NA
    features = pd.DataFrame({
        "subject_id": ids, "as_of": as_of,
        "late_payments": np.round(x1 + 1.2 * rng.standard_normal(n), 3),
        "stability": np.round(x2 + 0.3 * rng.standard_normal(n), 3),
        "public_records": records.astype(float),
        "default_12m": label,
    })
    protected = pd.DataFrame({
        "subject_id": ids,
        "sex": rng.choice(["female", "male"], n),
        "birth_year": rng.integers(1945, 2000, n),
        "ethnicity": np.where(minority, "minority", "majority"),
        "hukou": rng.choice(["urban", "rural"], n),
        "region": rng.choice(["north", "south", "east", "west"], n),
    })
    return features, protected


class FakeModel:
    """A model directory read back: the methods of creditscore.models.LoadedModel."""

    def __init__(self, model_dir):
        import lightgbm as lgb

        self.model_dir = Path(model_dir)
        meta = json.loads((self.model_dir / "meta.json").read_text())
        self.feature_names, self.target = meta["features"], meta["target"]
        self._booster = lgb.Booster(model_file=str(self.model_dir / "model.txt"))

    def predict_pd(self, frame):
        return self._booster.predict(frame[self.feature_names].astype(float),
                                     num_threads=1)

    def tier(self, pd_):
        return np.array(list("ABCD"))[np.searchsorted(BANDS, np.asarray(pd_), side="right")]

    def score(self, frame):
        pd_ = self.predict_pd(frame)
        return np.round(600 - 20 / np.log(2) * np.log(pd_ / (1 - pd_) * 50))

    def model_hash(self):
        return directory_hash(self.model_dir)


def train_fake(frame, out_dir, features=FEATURES, target="default_12m", seed=0) -> FakeModel:
    import lightgbm as lgb

    rows = frame[frame[target].notna()]
    params = {"objective": "binary", "learning_rate": 0.05, "num_leaves": 7,
              "min_data_in_leaf": 40, "num_threads": 1, "seed": seed, "verbose": -1,
              "deterministic": True}
    data = lgb.Dataset(rows[features].astype(float), rows[target].astype(int))
    booster = lgb.train(params, data, num_boost_round=120)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    booster.save_model(str(out / "model.txt"))
    (out / "meta.json").write_text(json.dumps({"features": list(features), "target": target}))
    return FakeModel(out)


@pytest.fixture(scope="session")
def fair_world():
    return make_population(n=5000, seed=1)


@pytest.fixture(scope="session")
def biased_world():
    return make_population(n=5000, seed=2, bias=2.5)


@pytest.fixture()
def fair_model(tmp_path, fair_world):
    return train_fake(fair_world[0], tmp_path / "fair-model")


@pytest.fixture(scope="session")
def biased_model(tmp_path_factory, biased_world):
    """Shared: tests may write its audit/ folder, never its model files."""
    return train_fake(biased_world[0], tmp_path_factory.mktemp("biased") / "model")
