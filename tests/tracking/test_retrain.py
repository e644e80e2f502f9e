import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import standin

from creditscore._errors import InputError
from creditscore.tracking import DriftReference, _retrain, champion_version, retrain

EDGES = Path(__file__).parents[1] / "data" / "label-edges"
DATES = ["2022-06-30", "2022-12-31", "2023-06-30", "2023-12-31"]
BAD = {"si_late30_count_12m": -0.3, "loan_dpd90_count_24m": 0.0, "months_since_last_late": 0.02}


def _world(path: Path, seed: int, shift: float = 0.0) -> Path:
    path.mkdir(parents=True)
    (path / "world.json").write_text(json.dumps({"seed": seed, "shift": shift}))
    (path / "protected.csv").write_text("subject_id,sex\n")
    return path


def _features(record_dir, dates, out):
    world = json.loads((Path(record_dir) / "world.json").read_text())
    parts = []
    for i, day in enumerate(dates):
        part = standin.feature_frame(n=800, seed=world["seed"] * 10 + i, shift=world["shift"])
        part["as_of"] = pd.Timestamp(day)
        if i == len(dates) - 1:
            part["default_12m"] = pd.NA  # the newest date: labels not known yet
        parts.append(part)
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    pd.concat(parts, ignore_index=True).to_parquet(out)
    return Path(out)


def _train(features_path, target, model, out, train_until, seed, params):
    params = params or {}
    model_dir = standin.write_model_dir(out, target=target, coef=BAD if params.get("bad") else None)
    if params.get("store_reference"):
        frame = pd.read_parquet(features_path)
        frame = frame[frame[target].notna()]
        ref = DriftReference.from_frame(
            frame, standin.StandInModel(model_dir).predict_pd(frame), standin.NAMES
        )
        ref.write(model_dir / "drift_reference.json")
    return model_dir


def _audit(model_dir, features_path, protected_path, out, policy):
    passed = policy != "fail"
    standin.write_audit_dir(out, standin.StandInModel(model_dir).model_hash(), passed=passed)
    standin.write_verdict(model_dir, passed=passed)


@pytest.fixture
def pipeline(monkeypatch, standin_loader, tracking):
    monkeypatch.setattr(_retrain, "_build_features", _features)
    monkeypatch.setattr(_retrain, "_train", _train)
    monkeypatch.setattr(_retrain, "_audit", _audit)


def _run(tmp_path, name, seed, **kwargs):
    return retrain(
        _world(tmp_path / name, seed, kwargs.pop("shift", 0.0)),
        "default_12m",
        as_of=DATES,
        out_dir=tmp_path / f"{name}-out",
        **kwargs,
    )


def _champion():
    found = champion_version("default_12m")
    return None if found is None else str(found.version)


def test_first_passing_challenger_becomes_champion(pipeline, tmp_path):
    result = _run(tmp_path, "w1", seed=1, params={"store_reference": True})
    assert result.promoted and result.champion_version is None
    assert "no champion" in result.reason
    assert result.oot_as_of == "2023-06-30" and result.train_until == "2022-06-30"
    assert _champion() == result.challenger_version == "1"
    assert result.paths["retrain_report"].is_file()
    assert result.drift is None


def test_worse_challenger_is_not_promoted_and_drift_is_reported(pipeline, tmp_path):
    from mlflow import MlflowClient

    _run(tmp_path, "w1", seed=1, params={"store_reference": True})
    result = _run(tmp_path, "w2", seed=2, shift=1.0, params={"bad": True})
    assert not result.promoted
    assert result.champion_auc - result.challenger_auc > 0.01
    assert "does not beat the champion (version 1)" in result.reason
    assert _champion() == "1" and result.challenger_version == "2"
    assert result.drift is not None and result.drift.score_psi > 0.25
    assert result.paths["drift_report"].is_file()
    client = MlflowClient()
    tags = client.get_model_version("creditscore-default_12m", "2").tags
    assert tags["audit_passed"] == "true" and "does not beat" in tags["retrain_decision"]
    metrics = client.get_run(result.run_id).data.metrics
    assert metrics["retrain.promoted"] == 0.0
    assert metrics["drift.score_psi"] == pytest.approx(result.drift.score_psi)
    assert result.to_frame()["role"].tolist() == ["challenger", "champion"]


def test_challenger_as_good_as_the_champion_keeps_the_champion(pipeline, tmp_path):
    """Ties keep the champion: the same model on the same rows is no reason to switch."""
    _run(tmp_path, "w1", seed=1)
    result = _run(tmp_path, "w2", seed=1)
    assert result.challenger_auc == pytest.approx(result.champion_auc)
    assert not result.promoted and _champion() == "1"
    assert "ties keep the champion" in result.reason
    assert result.drift is None  # no stored reference and no reference_frame


def test_challenger_that_beats_the_champion_by_the_margin_is_promoted(pipeline, tmp_path):
    _run(tmp_path, "w1", seed=1, params={"bad": True})
    result = _run(tmp_path, "w2", seed=1)
    assert result.challenger_auc - result.champion_auc > result.margin == 0.005
    assert result.promoted and _champion() == "2"
    assert "beats the champion (version 1) by more than the margin" in result.reason


def test_drift_from_a_reference_frame_when_the_champion_stores_none(pipeline, tmp_path):
    _run(tmp_path, "w1", seed=1)
    reference = standin.feature_frame(n=2000, seed=5)
    result = _run(tmp_path, "w2", seed=2, reference_frame=reference)
    assert result.drift is not None and result.drift.score_psi < 0.1


def test_challenger_that_fails_its_audit_is_never_promoted(pipeline, tmp_path):
    from mlflow import MlflowClient

    result = _run(tmp_path, "w1", seed=1, policy="fail")
    assert not result.promoted and "fairness gate did not pass" in result.reason
    assert _champion() is None
    tags = MlflowClient().get_model_version("creditscore-default_12m", "1").tags
    assert tags["audit_passed"] == "false"


def test_default_dates_come_from_the_manifest():
    assert _retrain.default_as_of(EDGES) == [
        dt.date(2021, 12, 31),
        dt.date(2022, 6, 30),
        dt.date(2022, 12, 31),
        dt.date(2023, 6, 30),
        dt.date(2023, 12, 31),
        dt.date(2024, 12, 31),
    ]


def test_without_a_manifest_dates_must_be_given(tmp_path):
    with pytest.raises(InputError, match="pass as_of dates"):
        _retrain.default_as_of(tmp_path)


def test_labels_known_at_one_date_only_cannot_be_split_out_of_time():
    frame = pd.DataFrame(
        {
            "as_of": pd.to_datetime(["2023-06-30"] * 2),
            "default_12m": pd.array([0, 1], dtype="Int64"),
        }
    )
    with pytest.raises(InputError, match="two or more observation dates"):
        _retrain._windows(frame, "default_12m")


def test_training_labels_must_end_before_the_out_of_time_window():
    frame = pd.DataFrame(
        {
            "as_of": pd.to_datetime(["2023-01-31", "2023-06-30"]),
            "default_12m": pd.array([0, 1], dtype="Int64"),
        }
    )
    with pytest.raises(InputError, match="at least 365 days before"):
        _retrain._windows(frame, "default_12m")


def test_month_end_arithmetic():
    assert _retrain._month_end(dt.date(2024, 3, 31)) == dt.date(2024, 3, 31)
    assert _retrain._month_end(dt.date(2024, 3, 30)) == dt.date(2024, 2, 29)
    assert _retrain._month_end(dt.date(2024, 1, 15), 6) == dt.date(2023, 6, 30)
    assert np.all(
        np.diff(
            [_retrain._month_end(dt.date(2024, 12, 31), k).toordinal() for k in range(12, 0, -1)]
        )
        > 0
    )
