import numpy as np
import pandas as pd
import pytest

from creditscore._errors import InputError
from creditscore.features import FeatureDef
from creditscore.models import score_frame, train_model

FAST = {"num_iterations": 200, "learning_rate": 0.1, "early_stopping_rounds": 20}


@pytest.fixture(scope="module")
def trained(features_path, defs, tmp_path_factory):
    out = tmp_path_factory.mktemp("train") / "model"
    return train_model(
        features_path, "default_12m", "lgbm", out, params=FAST, features=defs, n_boot=20
    )


def test_holdout_is_the_latest_as_of(trained, frame):
    latest = frame[frame["as_of"] == frame["as_of"].max()]
    assert trained.holdout_kind == "out_of_time"
    assert trained.holdout_dates == ["2022-06-30"]
    assert trained.n_holdout == latest["default_12m"].notna().sum()
    assert trained.n_rows == frame["default_12m"].notna().sum()


def test_evaluation_is_on_the_holdout(trained):
    assert trained.evaluation.dates == ["2022-06-30"]
    assert trained.evaluation.value("auc") > 0.7
    assert "AUC" in trained.summary()


def test_train_until_keeps_earlier_rows(features_path, defs, frame):
    result = train_model(
        features_path,
        "default_12m",
        "scorecard",
        None,
        train_until="2021-12-31",
        features=defs,
        n_boot=0,
    )
    early = frame[pd.to_datetime(frame["as_of"]) <= "2021-12-31"]
    assert result.n_rows == early["default_12m"].notna().sum()
    assert result.holdout_dates == ["2021-12-31"]
    assert result.model_dir is None


def test_single_date_holds_out_a_random_fifth(frame, defs):
    one = frame[frame["as_of"] == frame["as_of"].min()]
    result = train_model(one, "default_12m", "lgbm", None, params=FAST, features=defs, n_boot=0)
    assert result.holdout_kind == "random"
    assert result.n_holdout == pytest.approx(0.2 * result.n_rows, abs=2)


def test_breach_target_trains(features_path, defs):
    result = train_model(features_path, "breach_12m", "scorecard", None, features=defs, n_boot=0)
    assert result.target == "breach_12m"


@pytest.mark.parametrize("column", ["sex", "birth_year", "ethnicity", "hukou", "region", "age"])
def test_protected_column_in_the_frame_is_refused(frame, defs, column):
    with pytest.raises(InputError, match=f"protected attribute column.*{column}"):
        train_model(frame.assign(**{column: 1}), "default_12m", features=defs)


def test_protected_feature_definition_is_refused(frame, defs):
    age = FeatureDef("age", "age", "subjects", 0, "{value}")
    with pytest.raises(InputError, match="protected attribute column.*age"):
        train_model(frame, "default_12m", features=(*defs, age))


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"target": "nope"}, "no column 'nope'"),
        ({"model": "forest"}, "unknown model 'forest'"),
        ({"params": {"depth_of_forest": 3}}, "model parameters: "),
        (
            {"train_until": "2020-01-01"},
            "no rows with a known default_12m with as_of <= 2020-01-01",
        ),
        ({"train_until": "June"}, "is not a date"),
    ],
)
def test_bad_input_is_one_line_input_error(features_path, defs, kwargs, message):
    args = {"target": "default_12m", "model": "lgbm", **kwargs}
    with pytest.raises(InputError, match=message) as err:
        train_model(
            features_path, args.pop("target"), args.pop("model"), None, features=defs, **args
        )
    assert "\n" not in str(err.value)


def test_missing_file_is_input_error(tmp_path, defs):
    with pytest.raises(InputError, match="no such feature file"):
        train_model(tmp_path / "none.parquet", "default_12m", features=defs)


def test_no_known_labels_is_input_error(frame, defs):
    unknown = frame.assign(default_12m=pd.array([pd.NA] * len(frame), dtype="Int64"))
    with pytest.raises(InputError, match="no rows with a known default_12m"):
        train_model(unknown, "default_12m", features=defs)


def test_missing_feature_column_is_input_error(frame, defs):
    with pytest.raises(InputError, match="missing feature column.*x_up"):
        train_model(frame.drop(columns="x_up"), "default_12m", features=defs)


def test_score_frame_gives_pd_score_and_tier(trained, frame):
    scores = score_frame(trained.model_dir, frame.head(100))
    assert list(scores.columns) == ["subject_id", "as_of", "pd", "score", "tier"]
    assert scores["as_of"].iloc[0] == frame["as_of"].iloc[0]
    assert set(scores["tier"]) <= {"A", "B", "C", "D"}
    np.testing.assert_allclose(
        scores["pd"],
        trained.model.predict_proba(frame.head(100)[["x_up", "x_down", "x_free", "x_noise"]])[:, 1],
    )


@pytest.mark.parametrize("calibrate_to, margin", [("tuning", 0.0), ("long-run", 0.0),
                                                  ("long-run", 0.25)])
def test_calibration_target_is_the_documented_rate(features_path, defs, frame, calibrate_to,
                                                   margin):
    import json

    from creditscore.models import load_model

    out = features_path.parent / f"cal-{calibrate_to}-{margin}"
    train_model(features_path, "default_12m", "scorecard", out, features=defs,
                calibrate_to=calibrate_to, margin=margin)
    known = frame[frame["default_12m"].notna()]
    rates = known.groupby("as_of")["default_12m"].mean()
    expected = (rates.iloc[-1] if calibrate_to == "tuning" else rates.mean()) * (1 + margin)
    info = json.loads((out / "model.json").read_text())["calibration"]
    assert info["target"] == calibrate_to and info["target_rate"] == pytest.approx(expected)
    tuning = known[known["as_of"] == known["as_of"].max()]
    assert load_model(out).predict_pd(tuning).mean() == pytest.approx(expected, rel=1e-6)


def test_unknown_calibration_target_is_input_error(features_path, defs):
    with pytest.raises(InputError, match="calibration: unknown target 'latest'"):
        train_model(features_path, "default_12m", features=defs, calibrate_to="latest")


def test_a_scorecards_score_is_on_the_scale_of_the_pd_that_sets_its_tier(features_path, defs,
                                                                         frame):
    from creditscore.models import load_model

    out = features_path.parent / "card-scale"
    train_model(features_path, "default_12m", "scorecard", out, features=defs)
    model = load_model(out)
    scored = model.score_frame(frame)
    np.testing.assert_allclose(scored["score"], model.scale.from_pd(scored["pd"]))
    bands = model.tiers.to_frame(model.scale)
    for row in bands.itertuples():
        inside = scored[scored["tier"] == row.tier]["score"]
        assert ((inside > row.score_from - 1e-9) & (inside <= row.score_to + 1e-9)).all()
