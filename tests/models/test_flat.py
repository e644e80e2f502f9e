"""Flat tables into train: columns as they are, out-of-fold evaluation, a real model directory."""

import json
import warnings

import numpy as np
import pandas as pd
import pytest

from creditscore._errors import InputError
from creditscore.models import (
    FlatTableWarning,
    is_flat_request,
    load_model,
    model_hash,
    model_name,
    train_flat,
)
from creditscore.models._baseline import woe_logistic_oof
from creditscore.models._oof import oof_summary
from flat_table import make_flat_table

PROTECTED = ["age_in_years", "personal_status"]
FAST_LGBM = {"num_iterations": 300, "learning_rate": 0.1, "early_stopping_rounds": 20,
             "min_data_in_leaf": 20}


@pytest.fixture(scope="module")
def table():
    return make_flat_table()


@pytest.fixture(scope="module")
def scorecard(table, tmp_path_factory):
    out = tmp_path_factory.mktemp("flat") / "scorecard"
    return train_flat(table, "risk", "woe", out, positive="bad", id_column="application_id",
                      protected=PROTECTED, repeats=1, n_boot=50)


@pytest.fixture(scope="module")
def lgbm(table, tmp_path_factory):
    out = tmp_path_factory.mktemp("flat") / "lgbm"
    return train_flat(table, "risk", "lightgbm", out, positive="bad",
                      id_column="application_id", protected=PROTECTED, repeats=1, n_boot=50,
                      params=FAST_LGBM)


def test_the_rule_that_picks_the_flat_path():
    assert not is_flat_request(["subject_id", "as_of", "x"], "default_12m")
    assert is_flat_request(["subject_id", "as_of", "x"], "risk")
    assert is_flat_request(["id", "x", "default_12m"], "default_12m")


def test_names_users_type_first():
    assert model_name("lightgbm") == model_name("LGBM") == "lgbm"
    assert model_name("WoE") == model_name("scorecard") == "scorecard"
    with pytest.raises(InputError, match="expected lgbm .also: lightgbm. or scorecard"):
        model_name("forest")


def test_protected_columns_never_enter_and_are_kept(scorecard, lgbm):
    for result in (scorecard, lgbm):
        model = load_model(result.model_dir)
        assert not set(PROTECTED) & set(model.feature_names)
        assert "application_id" not in model.feature_names and "risk" not in model.feature_names
        assert model.flat.protected == tuple(PROTECTED)


def test_categorical_columns_are_categories(lgbm, scorecard, table):
    info = json.loads((lgbm.model_dir / "model.json").read_text())
    cats = info["estimator_params"]["categorical_features"]
    assert set(cats) >= {"credit_history", "purpose", "housing", "telephone"}
    assert cats["housing"] == ["free", "own", "rent"]
    booster = (lgbm.model_dir / "booster.txt").read_text()
    assert "cat_threshold" in booster or "num_cat" in booster
    bins = load_model(scorecard.model_dir).estimator.bins_
    assert any("groups" in b for b in bins.values())


def test_missing_values_stay_missing_and_new_categories_are_missing(lgbm, table):
    model = load_model(lgbm.model_dir)
    rows = table.head(3).copy()
    rows.loc[rows.index[0], "purpose"] = "a category never seen"
    X = model.encode(rows)
    assert np.isnan(X["purpose"].iloc[0])
    assert np.isnan(model.encode(table)["x06"]).sum() == table["x06"].isna().sum()
    assert np.isfinite(model.predict_pd(X)).all()


def test_out_of_fold_figures_with_intervals_are_recorded(scorecard):
    info = json.loads((scorecard.model_dir / "model.json").read_text())
    oof = info["out_of_fold"]
    assert (oof["folds"], oof["repeats"]) == (5, 1)
    for metric in ("auc", "ks", "brier"):
        lo, hi = oof[metric]["ci"]
        assert lo <= oof[metric]["value"] <= hi
    assert 0.75 < oof["auc"]["value"] < 0.98
    assert info["holdout"]["kind"] == "out_of_fold" and info["table"] == "flat"


def test_the_model_directory_is_hashed_and_reloads_identically(scorecard, table):
    model = load_model(scorecard.model_dir)
    assert model.model_hash() == model_hash(scorecard.model_dir) == scorecard.model_hash
    X = model.encode(table)
    np.testing.assert_allclose(model.predict_pd(X), scorecard.model.predict_proba(X)[:, 1])


def test_tiers_split_at_out_of_fold_quantiles(scorecard):
    bands = scorecard.tiers.bands
    assert len(bands) == 3 and bands[0] < bands[1] < bands[2]


def test_scorecard_beats_a_logistic_regression_on_woe_bins(scorecard, table):
    X = scorecard.schema.encode(table)
    y = (table["risk"] == "bad").to_numpy().astype(int)
    base = woe_logistic_oof(X, y, categorical=scorecard.schema.categorical, folds=5, repeats=1)
    assert scorecard.value("auc") >= oof_summary(y, base, n_boot=0)["auc"]["value"]


@pytest.mark.parametrize("kind", ["scorecard", "lgbm"])
def test_sample_weight_hook(table, kind):
    w = np.where(table["housing"] == "rent", 3.0, 1.0)
    params = FAST_LGBM if kind == "lgbm" else None
    args = dict(positive="bad", id_column="application_id", protected=PROTECTED, folds=3,
                repeats=1, n_boot=0, params=params)
    plain = train_flat(table, "risk", kind, **args)
    weighted = train_flat(table, "risk", kind, sample_weight=w, **args)
    X = plain.schema.encode(table)
    assert not np.allclose(plain.model.predict_proba(X), weighted.model.predict_proba(X))
    with pytest.raises(InputError, match="sample_weight"):
        train_flat(table, "risk", kind, sample_weight=-w, **args)


def test_features_yaml_gives_directions_and_descriptions(table, tmp_path):
    spec = tmp_path / "features.yaml"
    spec.write_text("features:\n"
                    "  - column: credit_amount\n    direction: higher is safer\n"
                    "    description: Amount of credit requested\n"
                    "  - column: duration_months\n    direction: 1\n")
    result = train_flat(table, "risk", "lgbm", positive="bad", id_column="application_id",
                        protected=PROTECTED, features_yaml=spec, folds=3, repeats=1, n_boot=0,
                        params=FAST_LGBM)
    names = result.model.estimator_.feature_names_in_.tolist()
    cons = dict(zip(names, result.model.estimator_.monotone_constraints_, strict=True))
    assert cons["credit_amount"] == -1 and cons["duration_months"] == 1
    feat = {f.name: f for f in result.schema.features}
    assert feat["credit_amount"].sentence(12000.0) == "Amount of credit requested: 12,000"
    assert feat["x06"].sentence(1.5) == "x06 is 1.5"
    assert feat["purpose"].sentence(float(feat["purpose"].categories.index("car"))) == \
        "purpose is car"


def _bad(table, match, **kw):
    args = dict(positive="bad", id_column="application_id", protected=PROTECTED, folds=3,
                repeats=1, n_boot=0)
    args.update(kw)
    with pytest.raises(InputError, match=match):
        train_flat(table, args.pop("target", "risk"), "scorecard", **args)


def test_bad_input_one_line_each(table, tmp_path):
    _bad(table, r"no target column 'outcome'", target="outcome")
    _bad(table, r"'purpose' has 5 distinct values.*--positive", target="purpose", positive=None)
    _bad(table, r"holds 'bad', 'good', not 0 and 1; pass --positive", positive=None)
    _bad(table, r"never equals --positive 'BAD'", positive="BAD")
    dup = table.copy()
    dup.loc[5, "application_id"] = dup.loc[2, "application_id"]
    _bad(dup, r"id column 'application_id' has duplicates \(first: 'A00002' on rows 2, 5\)")
    spec = tmp_path / "f.yaml"
    spec.write_text("features:\n  - column: age_in_years\n    direction: -1\n")
    _bad(table, r"'age_in_years' is protected .* also named as a feature", features_yaml=spec)
    few = table.copy()
    bad_rows = few.index[few["risk"] == "bad"][40:]
    few = few.drop(bad_rows)
    _bad(few, r"has 40 rows with outcome 1; at least 50")


def test_constant_and_empty_columns_are_dropped_with_a_warning(table):
    t = table.assign(branch="Main street", notes=np.nan)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", FlatTableWarning)
        result = train_flat(t, "risk", "scorecard", positive="bad", id_column="application_id",
                            protected=PROTECTED, folds=3, repeats=1, n_boot=0)
    text = " ".join(str(w.message) for w in caught)
    assert "'branch' dropped: constant" in text and "'notes' dropped: every value is missing" \
        in text
    assert set(result.schema.dropped) == {"branch", "notes"}


def test_a_column_named_like_a_protected_attribute_is_protected(table):
    t = table.assign(sex=np.where(table["personal_status"].str.startswith("male"), "m", "f"))
    with pytest.warns(FlatTableWarning, match="'sex' is named like a protected attribute"):
        result = train_flat(t, "risk", "scorecard", positive="bad", id_column="application_id",
                            protected=PROTECTED, folds=3, repeats=1, n_boot=0)
    assert "sex" in result.schema.protected
    assert "sex" not in result.schema.names


def test_reads_csv_and_parquet(table, tmp_path):
    table.to_csv(tmp_path / "t.csv", index=False)
    table.to_parquet(tmp_path / "t.parquet", index=False)
    a, b = (train_flat(tmp_path / f"t.{ext}", "risk", "scorecard", positive="bad",
                       id_column="application_id", protected=PROTECTED, folds=3, repeats=1,
                       n_boot=0) for ext in ("csv", "parquet"))
    assert a.value("auc") == pytest.approx(b.value("auc"))
    assert isinstance(pd.read_csv(tmp_path / "t.csv").shape, tuple)


def test_final_rounds_are_chosen_out_of_fold_and_one_calibrator_sees_each_row_once(
        table, tmp_path):
    out = tmp_path / "lgbm2"
    train_flat(table, "risk", "lgbm", out, positive="bad", id_column="application_id",
               protected=PROTECTED, repeats=2, n_boot=0, params=FAST_LGBM)
    info = json.loads((out / "model.json").read_text())
    rounds = info["out_of_fold"]["lgbm_rounds"]
    assert rounds["final"] == max(int(np.median(rounds["folds"])), 1)
    assert info["estimator_params"]["early_stopping_rounds"] == 0  # no stop on its own rows
    calibration = json.loads((out / "calibration.json").read_text())
    assert calibration["n_rows"] == info["out_of_fold"]["rows"]  # once, not once per repeat
    assert calibration["n_events"] == info["out_of_fold"]["events"]
