"""The back-test reads only validation rows, and its figures are the independent ones."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from creditscore._errors import InputError
from creditscore.models import backtest, load_model, train_model

from .conftest import feature_defs, make_frame

DEV_DATES = ("2020-06-30", "2020-12-31")
GAP_DATES = ("2021-06-30",)  # after the samples, but its outcome window overlaps the tuning one
VAL_DATES = ("2021-12-31", "2022-06-30")
UNTIL = "2020-12-31"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """A stationary world: development, overlapping and validation dates alike."""
    root = tmp_path_factory.mktemp("backtest")
    frame = make_frame(n_subjects=2500, dates=DEV_DATES + GAP_DATES + VAL_DATES, seed=7)
    path = root / "features.parquet"
    frame.to_parquet(path, index=False)
    model = root / "model"
    train_model(path, "default_12m", "lgbm", model, train_until=UNTIL, features=feature_defs())
    return frame, path, model


def _validation(frame):
    rows = frame[pd.to_datetime(frame["as_of"]).isin(pd.to_datetime(VAL_DATES))]
    return rows[rows["default_12m"].notna()]


def test_validation_auc_is_the_independent_one(world):
    frame, path, model = world
    rows = _validation(frame)
    expected = roc_auc_score(rows["default_12m"].astype(int), load_model(model).predict_pd(rows))
    result = backtest(model, path)
    assert abs(result.pooled["auc"] - expected) < 0.002
    assert result.pooled["rows"] == len(rows)
    lo, hi = result.pooled["auc_ci"]
    assert lo < result.pooled["auc"] < hi


def test_samples_are_disjoint_in_dates_and_validation_starts_a_horizon_later(world):
    _, path, model = world
    s = backtest(model, path).to_dict()["samples"]
    fit, tuning, val = (set(s[k]["dates"]) for k in ("fit", "tuning", "validation"))
    assert fit == {"2020-06-30"} and tuning == {"2020-12-31"}
    assert val == set(VAL_DATES)
    assert not (fit & tuning) and not (val & (fit | tuning))
    assert s["validation"]["from"] == "2021-12-31"  # 2020-12-31 + 365 days
    assert min(val) >= s["validation"]["from"]


def test_fit_and_tuning_counts_add_up_to_the_labelled_rows(world):
    frame, _, model = world
    info = json.loads((model / "model.json").read_text())
    dev = frame[(pd.to_datetime(frame["as_of"]) <= pd.Timestamp(UNTIL))
                & frame["default_12m"].notna()]
    fit, tuning = info["samples"]["fit"], info["samples"]["tuning"]
    assert fit["rows"] + tuning["rows"] == len(dev)
    assert fit["events"] + tuning["events"] == int(dev["default_12m"].sum())
    last = dev[pd.to_datetime(dev["as_of"]) == pd.Timestamp(UNTIL)]
    assert tuning["rows"] == len(last) and tuning["subjects"] == last["subject_id"].nunique()


def test_no_validation_figure_reads_a_development_or_overlapping_row(world, tmp_path):
    frame, path, model = world
    touched = ~pd.to_datetime(frame["as_of"]).isin(pd.to_datetime(VAL_DATES))
    other = frame.copy()
    rng = np.random.default_rng(3)
    other.loc[touched, "default_12m"] = pd.array(rng.integers(0, 2, touched.sum()), "Int64")
    for col in ("x_up", "x_down", "x_free", "x_noise"):
        other.loc[touched, col] = rng.normal(size=touched.sum()) * 5
    changed = tmp_path / "changed.parquet"
    other.to_parquet(changed, index=False)
    keys = ("pooled", "tiers", "per_date", "migration", "samples", "calibration_verdict")
    a, b = backtest(model, path).to_dict(), backtest(model, changed).to_dict()
    assert {k: a[k] for k in keys} == {k: b[k] for k in keys}
    # and the same rows' own labels do move them
    val = ~touched & frame["default_12m"].notna()
    flipped = frame.copy()
    flipped.loc[val, "default_12m"] = 1 - flipped.loc[val, "default_12m"]
    flipped.to_parquet(changed, index=False)
    assert backtest(model, changed).pooled["auc"] < 0.5


def test_more_defaults_after_the_samples_turn_the_light_red(world, tmp_path):
    frame, path, model = world
    assert backtest(model, path).verdict != "red"
    worse = frame.copy()
    val = pd.to_datetime(worse["as_of"]).isin(pd.to_datetime(VAL_DATES)).to_numpy()
    rng = np.random.default_rng(5)
    hit = val & (rng.random(len(worse)) < 0.05) & worse["default_12m"].notna().to_numpy()
    worse.loc[hit, "default_12m"] = 1
    worse.to_parquet(tmp_path / "worse.parquet", index=False)
    result = backtest(model, tmp_path / "worse.parquet")
    assert result.verdict == "red"
    assert any("portfolio Jeffreys" in r for r in result.reasons)


def test_the_excluded_rows_are_named_and_strict_refuses_them(world):
    _, path, model = world
    result = backtest(model, path)
    assert "2021-06-30" in result.warnings[0] and "validation sample starts at 2021-12-31" in (
        result.warnings[0])
    with pytest.raises(InputError, match="--strict refuses them"):
        backtest(model, path, strict=True)


def test_a_table_without_validation_rows_is_refused(world, tmp_path):
    frame, _, model = world
    early = frame[pd.to_datetime(frame["as_of"]) <= pd.Timestamp("2021-06-30")]
    early.to_parquet(tmp_path / "early.parquet", index=False)
    with pytest.raises(InputError, match="no rows with a known default_12m at as_of >= "
                                         "2021-12-31"):
        backtest(model, tmp_path / "early.parquet")


def test_tier_table_counts_every_validation_row_once(world):
    frame, path, model = world
    result = backtest(model, path)
    assert sum(t["rows"] for t in result.tiers) == len(_validation(frame))
    assert sum(t["defaults"] for t in result.tiers) == int(_validation(frame)["default_12m"].sum())
    assert all("jeffreys_p" in t for t in result.tiers)
    assert [d["date"] for d in result.per_date] == list(VAL_DATES)


def test_validation_json_is_plain_json(world):
    _, path, model = world
    text = json.dumps(backtest(model, path).to_dict(), allow_nan=False)
    data = json.loads(text)
    assert data["calibration_verdict"] in ("green", "amber", "red")
    assert data["per_date"][0]["psi"]["score"] >= 0
