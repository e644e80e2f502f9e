"""A downturn after the model's data turns the back-test red; the same world without it does not.

Two record sets of ``creditscore synth`` with the same seed: ``fair`` and
``downturn`` (every obligation due in the last twelve months of the records,
2024, goes wrong more often). A model is fitted up to 2022-12-31 and back-tested
on 2023-12-31, the first date a label horizon later, whose outcome window is
2024.
"""

from __future__ import annotations

import pytest

from creditscore.features import build_features
from creditscore.models import backtest, train_model
from creditscore.synth import generate

DATES = ["2021-06-30", "2021-12-31", "2022-06-30", "2022-12-31", "2023-12-31"]
UNTIL = "2022-12-31"


@pytest.fixture(scope="module", params=["fair", "downturn"])
def world(request, tmp_path_factory):
    root = tmp_path_factory.mktemp(request.param)
    generate(root / "records", n_subjects=4000, seed=11, scenario=request.param)
    build_features(root / "records", DATES, root / "features.parquet")
    return request.param, root


@pytest.mark.parametrize("target", ["default_12m", "breach_12m"])
def test_downturn_is_red_and_the_fair_world_is_not(world, target):
    scenario, root = world
    model = root / f"model-{target}"
    train_model(root / "features.parquet", target, "lgbm", model, train_until=UNTIL, seed=0)
    result = backtest(model, root / "features.parquet")
    assert result.samples["validation"]["dates"] == ["2023-12-31"]
    if scenario == "downturn":
        assert result.verdict == "red", result.reasons
    else:
        assert result.verdict != "red", result.reasons
