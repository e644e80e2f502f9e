import json
import shutil

import numpy as np
import pytest

from creditscore._errors import InputError
from creditscore.models import AUDIT_DIR, load_model, model_hash, train_model

FAST = {"num_iterations": 200, "learning_rate": 0.1, "early_stopping_rounds": 20}
PARAMS = {"lgbm": FAST, "scorecard": {}}


def _train(features_path, defs, out, kind):
    return train_model(
        features_path,
        "default_12m",
        kind,
        out,
        params=PARAMS[kind],
        features=defs,
        seed=7,
        n_boot=20,
    )


@pytest.fixture(scope="module", params=["lgbm", "scorecard"])
def trained(request, features_path, defs, tmp_path_factory):
    out = tmp_path_factory.mktemp(request.param) / "model"
    return _train(features_path, defs, out, request.param)


def _files(root):
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_layout(trained):
    files = set(_files(trained.model_dir))
    common = {
        "model.json",
        "features.json",
        "calibration.json",
        "metrics.json",
        "metrics.csv",
        "figures/roc.png",
        "figures/calibration.png",
        "figures/score_distribution.png",
    }
    own = {"lgbm": {"booster.txt"}, "scorecard": {"scorecard.json", "points_table.csv"}}
    assert files == common | own[trained.kind]


def test_loaded_model_predicts_the_same_without_training_data(trained, frame):
    loaded = load_model(trained.model_dir)
    rows = frame.head(500)
    names = loaded.feature_names
    np.testing.assert_array_equal(
        loaded.predict_pd(rows), trained.model.predict_proba(rows[names])[:, 1]
    )
    np.testing.assert_allclose(loaded.score(rows), trained.model.score(rows[names]))
    assert loaded.tier([0.01, 0.5]).tolist() == ["A", "D"]


def test_model_json_records_what_the_model_is(trained, features_path):
    info = json.loads((trained.model_dir / "model.json").read_text())
    assert info["kind"] == trained.kind and info["target"] == "default_12m"
    assert info["seed"] == 7
    assert info["catalogue_version"]
    assert info["tiers"] == {"bands": [0.02, 0.05, 0.15], "labels": ["A", "B", "C", "D"]}
    assert len(info["data"]["rows_sha256"]) == 64
    assert info["data"]["rows"] == trained.n_rows
    assert len(info["data"]["features_file_sha256"]) == 64


def test_features_json_holds_the_definitions_used(trained):
    loaded = load_model(trained.model_dir)
    by_name = {f.name: f for f in loaded.features}
    assert list(by_name) == loaded.feature_names
    assert by_name["x_up"].direction == 1
    assert by_name["x_up"].reason_text(2) == "x_up is 2.0"


def test_hash_is_stable_and_matches_loaded_model(trained):
    assert trained.model_hash == model_hash(trained.model_dir)
    assert load_model(trained.model_dir).model_hash() == trained.model_hash


def test_hash_changes_when_a_model_file_changes(trained, tmp_path):
    copy = shutil.copytree(trained.model_dir, tmp_path / "copy")
    name = "booster.txt" if trained.kind == "lgbm" else "scorecard.json"
    (copy / name).write_text((copy / name).read_text() + " ")
    assert model_hash(copy) != trained.model_hash


def test_an_audit_file_does_not_change_the_hash(trained, tmp_path):
    copy = shutil.copytree(trained.model_dir, tmp_path / "copy")
    (copy / AUDIT_DIR).mkdir()
    (copy / AUDIT_DIR / "verdict.json").write_text('{"passed": true}')
    assert model_hash(copy) == trained.model_hash


def test_same_inputs_and_seed_give_byte_identical_files(trained, features_path, defs, tmp_path):
    again = _train(features_path, defs, tmp_path / "again", trained.kind)
    assert _files(again.model_dir) == _files(trained.model_dir)
    assert again.model_hash == trained.model_hash


def test_loading_a_directory_without_a_model_is_input_error(tmp_path):
    with pytest.raises(InputError, match="not a model directory .model.json is missing"):
        load_model(tmp_path)
