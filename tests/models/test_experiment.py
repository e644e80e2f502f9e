import json

import pytest

from creditscore._errors import InputError
from creditscore.models import load_experiment, load_model, run_experiment

CONFIG = """\
name: tiny
records:
  synth: {subjects: 1500, seed: 5, scenario: fair}
as_of: [2021-06-30, 2022-06-30, 2023-06-30]
train_until: 2022-06-30
target: breach_12m
model: lgbm
params: {num_iterations: 100, learning_rate: 0.1, early_stopping_rounds: 10, min_data_in_leaf: 20}
seed: 0
n_boot: 20
"""


def _write(tmp_path, text, name="tiny.yaml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_shipped_configs_are_valid():
    from pathlib import Path

    # run configs; *_plan.yaml are inspection plans (tests/supervision)
    configs = sorted(p for p in (Path(__file__).parents[2] / "experiments").glob("*.yaml")
                     if not p.stem.endswith("_plan"))
    names = {p.stem for p in configs}
    assert {
        "default_lgbm",
        "default_scorecard",
        "breach_lgbm",
        "breach_scorecard",
        "taiwan_lgbm",
    } <= names
    for path in configs:
        cfg = load_experiment(path)
        assert cfg.name == path.stem


@pytest.mark.parametrize(
    "change, message",
    [
        (("target: breach_12m", "target: breach"), "target: expected one of"),
        (("model: lgbm", "model: forest"), "model: expected one of"),
        (("seed: 0", "seed: 0\ncolour: red"), "unknown key"),
        (("train_until: 2022-06-30", "train_until: soon"), "train_until: 'soon' is not a date"),
        (("  synth:", "  cloud:"), "records: expected one of synth, dir, taiwan"),
    ],
)
def test_bad_config_is_input_error_naming_the_key(tmp_path, change, message):
    path = _write(tmp_path, CONFIG.replace(*change))
    with pytest.raises(InputError, match=message):
        load_experiment(path)


def test_run_writes_model_test_metrics_and_oracle(tmp_path):
    result = run_experiment(_write(tmp_path, CONFIG), out=tmp_path / "run")
    run = tmp_path / "run"
    for name in (
        "config.yaml",
        "features.parquet",
        "model/model.json",
        "test/metrics.json",
        "test/figures/roc.png",
        "experiment.json",
        "records/subjects.parquet",
    ):
        assert (run / name).is_file(), name
    assert result.test.dates == ["2023-06-30"]
    assert 0.5 < result.oracle["auc"] <= 1
    summary = json.loads((run / "experiment.json").read_text())
    assert summary["model_hash"] == load_model(run / "model").model_hash()
    assert "oracle" in result.summary()
