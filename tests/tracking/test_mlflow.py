import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import standin

from creditscore._errors import PolicyRefusal
from creditscore.reports import DataSheet, FairnessReport, ModelCard
from creditscore.tracking import log_training_run, registered_model_name, tracking_uri
from creditscore.tracking._mlflow import metric_name

EDGES = Path(__file__).parents[1] / "data" / "label-edges"


def _client():
    from mlflow import MlflowClient

    return MlflowClient()


def test_tracking_uri_defaults_to_sqlite_in_the_working_directory(tmp_path, monkeypatch):
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    monkeypatch.chdir(tmp_path)
    assert tracking_uri() == f"sqlite:///{tmp_path / 'mlflow.db'}"
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://127.0.0.1:5000")
    assert tracking_uri() == "http://127.0.0.1:5000"


def test_metric_names_are_sanitised():
    assert metric_name("group", "region", "R/1", "auc") == "group.region.R.1.auc"
    assert metric_name("fairness", "sex x hukou", "F|rural", "") == "fairness.sex x hukou.F_rural"


@pytest.fixture
def logged(tracking, passed_model, tmp_path):
    audit = standin.write_audit_dir(
        tmp_path / "audit", standin.StandInModel(passed_model).model_hash(), passed=True
    )
    card = ModelCard.from_model_dir(passed_model, audit_dir=audit).write(tmp_path / "reports")
    fairness = FairnessReport.from_audit_dir(audit).write(tmp_path / "reports")
    sheet = DataSheet.from_records(EDGES).write(tmp_path / "reports")
    shutil.copyfile(passed_model / "figures" / "roc.png", tmp_path / "roc_extra.png")
    features = standin.feature_frame(n=200)
    features["si_late30_count_12m"] = features["si_late30_count_12m"].astype("int64")
    features["ethnicity"] = "majority"  # a protected column that must not reach the example
    run_id = log_training_run(
        passed_model,
        card_paths=card,
        fairness_paths=fairness,
        datasheet_paths=sheet,
        plots=[tmp_path / "roc_extra.png"],
        audit_dir=audit,
        features=features,
    )
    return run_id


def test_run_records_params_and_metrics_overall_per_date_and_per_group(logged, passed_model):
    run = _client().get_run(logged)
    params, metrics = run.data.params, run.data.metrics
    assert params["target"] == "default_12m"
    assert params["model_hash"] == standin.StandInModel(passed_model).model_hash()
    assert params["param.pdo"] == "20" and params["catalogue_version"] == "2026.1"
    assert params["fingerprint"] == "ab" * 32 and params["model_kind"] == "scorecard"
    assert metrics["n"] == 8100 and "level" not in metrics
    assert metrics["auc"] == pytest.approx(0.781)
    assert metrics["auc.ci_low"] == pytest.approx(0.761)
    assert metrics["as_of.2023-06-30.auc"] == pytest.approx(0.79)
    assert metrics["fairness.ethnicity.minority.flag_rate_ratio"] == pytest.approx(0.48)
    assert metrics["fairness.ethnicity.minority.flag_rate_ratio.passed"] == 0.0
    assert metrics["group.sex.F.flag_rate"] == pytest.approx(0.09)
    assert not any(".R9." in name for name in metrics), "suppressed groups are never logged"


def test_run_holds_card_report_plots_catalogue_audit_and_model(logged):
    from mlflow.artifacts import download_artifacts

    root = Path(download_artifacts(run_id=logged, artifact_path=""))
    files = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}
    for expected in (
        "model_card/model_card.html",
        "model_card/model_card.md",
        "fairness_report/fairness_report.html",
        "datasheet/datasheet.html",
        "plots/roc.png",
        "plots/roc_extra.png",
        "catalogue/catalogue.yaml",
        "audit/audit.json",
    ):
        assert expected in files, expected


def test_input_example_is_feature_columns_only_and_no_real_row(logged):
    import mlflow

    uri = f"models:/{registered_model_name('default_12m')}/1"
    info = mlflow.models.get_model_info(uri)
    assert info.signature.inputs.input_names() == standin.NAMES
    types = {c.name: c.type.name for c in info.signature.inputs.inputs}
    assert types["si_late30_count_12m"] == "long" and types["loan_dpd90_count_24m"] == "double"
    local = Path(mlflow.artifacts.download_artifacts(uri))
    example = json.loads((local / "input_example.json").read_text())
    assert example["columns"] == standin.NAMES
    assert "subject_id" not in json.dumps(example) and "ethnicity" not in json.dumps(example)


def test_pyfunc_returns_the_models_pd(logged, passed_model):
    import mlflow

    model = mlflow.pyfunc.load_model(f"models:/{registered_model_name('default_12m')}/1")
    frame = standin.feature_frame(n=50, seed=3)
    frame["si_late30_count_12m"] = frame["si_late30_count_12m"].astype("int64")  # as written
    got = model.predict(frame)  # extra columns (subject_id, as_of, label) are ignored
    want = standin.StandInModel(passed_model).predict_pd(frame)
    assert np.asarray(got).dtype == np.float64
    np.testing.assert_allclose(np.asarray(got), want, rtol=0, atol=1e-12)


def test_pyfunc_refuses_a_model_without_a_passed_audit(tracking, failed_model):
    import mlflow

    log_training_run(failed_model)
    uri = f"models:/{registered_model_name('default_12m')}/1"
    with pytest.raises(PolicyRefusal, match="refused to load"):
        mlflow.pyfunc.load_model(uri)
    research = mlflow.pyfunc.load_model(uri, model_config={"require_audit": False})
    frame = pd.DataFrame(np.zeros((2, 3)), columns=standin.NAMES)
    assert len(research.predict(frame)) == 2


def test_one_registered_model_per_target(tracking, passed_model, tmp_path):
    breach = standin.write_model_dir(tmp_path / "breach", target="breach_12m")
    log_training_run(passed_model)
    log_training_run(breach)
    log_training_run(passed_model)
    names = {m.name for m in _client().search_registered_models()}
    assert names == {"creditscore-default_12m", "creditscore-breach_12m"}
    versions = _client().search_model_versions("name = 'creditscore-default_12m'")
    assert sorted(int(v.version) for v in versions) == [1, 2]
    assert all(v.tags["audit_passed"] == "true" for v in versions)


def test_serving_a_refused_model_is_one_line_and_exit_3(tracking, failed_model, monkeypatch,
                                                        capsys):
    """``creditscore serve`` checks the gate before any server starts."""
    import sys

    from creditscore import cli

    log_training_run(failed_model)
    capsys.readouterr()
    uri = f"models:/{registered_model_name('default_12m')}/1"
    monkeypatch.setattr(sys, "argv", ["creditscore", "serve", uri, "--port", "5099"])
    with pytest.raises(SystemExit) as exit_info:
        cli.main()
    assert exit_info.value.code == 3
    lines = [line for line in capsys.readouterr().err.splitlines() if line.strip()]
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"creditscore: error: refused to serve {uri}: the fairness "
                               "audit failed")


def test_a_scoring_server_that_loads_a_refused_model_says_one_line(
        tracking, failed_model, monkeypatch, capsys):
    """Under ``mlflow models serve`` (its worker sets __pyfunc_model_path__) the pyfunc exits
    3 with one line instead of raising through uvicorn and MLflow."""
    import mlflow

    from creditscore.tracking._pyfunc import SERVING_ENV

    log_training_run(failed_model)
    capsys.readouterr()
    monkeypatch.setenv(SERVING_ENV, "/served")
    with pytest.raises(SystemExit) as exit_info:
        mlflow.pyfunc.load_model(f"models:/{registered_model_name('default_12m')}/1")
    assert exit_info.value.code == 3
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("creditscore: refused: refused to load ")
    assert "the fairness audit failed" in err[-1]
