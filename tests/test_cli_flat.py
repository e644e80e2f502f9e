"""The flat path from the command line alone: train, audit, explain, score, audit-scores."""

import json
import os
import subprocess
import sys

import pandas as pd
import pytest

from flat_table import STATUS_SPLIT, make_flat_table


def run_cli(*args):
    return subprocess.run(
        [sys.executable, "-c", "from creditscore.cli import main; main()", *map(str, args)],
        capture_output=True, text=True, timeout=600, env=os.environ.copy(),
    )


@pytest.fixture(scope="module")
def flat(tmp_path_factory):
    """A fair flat table (no age effect) as CSV, and the declared split as YAML."""
    import yaml

    root = tmp_path_factory.mktemp("flat-cli")
    make_flat_table(seed=1, age_effect=0.0).to_csv(root / "credit.csv", index=False)
    (root / "split.yaml").write_text(yaml.safe_dump(STATUS_SPLIT))
    return root


@pytest.fixture(scope="module")
def trained(flat):
    r = run_cli("train", flat / "credit.csv", "--target", "risk", "--positive", "bad",
                "--id", "application_id", "--protected", "age_in_years",
                "--protected", "personal_status", "--model", "scorecard", "--folds", "4",
                "--repeats", "1", "--out", flat / "model")
    assert r.returncode == 0, r.stderr
    return r


def test_train_audit_explain_score_from_the_cli_alone(flat, trained):
    assert "out of fold (4 folds x 1): AUC" in trained.stdout
    r = run_cli("audit", flat / "model", flat / "credit.csv", "--out", flat / "audit",
                "--bands", "age_in_years=25,35,50", "--split", flat / "split.yaml")
    assert r.returncode == 0, r.stdout + r.stderr
    body = json.loads((flat / "audit" / "audit.json").read_text())
    attrs = {g["attribute"] for g in body["groups"]}
    assert attrs == {"age_in_years", "sex", "marital_status"}
    assert {g["group"] for g in body["groups"] if g["attribute"] == "age_in_years"} <= {
        "<25", "25-34", "35-49", "50+"}
    assert body["proxy_screen"]["features"]
    assert (flat / "audit" / "fairness_report.html").is_file()
    assert (flat / "audit" / "model_card.html").is_file()
    r = run_cli("explain", flat / "credit.csv", "A00007", "--model", flat / "model",
                "--purpose", "applicant asked why", "--out", flat / "letters")
    assert r.returncode == 0, r.stderr
    reasons = [line for line in r.stdout.splitlines() if line.startswith("- ")]
    assert 1 <= len(reasons) <= 4
    assert not any(p in line for line in reasons for p in ("age_in_years", "personal_status"))
    assert (flat / "letters" / "row-A00007.md").is_file()
    r = run_cli("score", flat / "model", flat / "credit.csv", "--out", flat / "scores.parquet",
                "--purpose", "portfolio review")
    assert r.returncode == 0, r.stderr
    scores = pd.read_parquet(flat / "scores.parquet")
    assert list(scores.columns[:4]) == ["id", "pd", "score", "tier"] and len(scores) == 1000
    assert scores["reason_1"].notna().mean() > 0.9


def test_an_edited_flat_model_is_refused(flat, trained, tmp_path):
    import shutil

    copy = tmp_path / "model"
    shutil.copytree(flat / "model", copy)
    assert run_cli("audit", copy, flat / "credit.csv", "--out", tmp_path / "a").returncode in (0,
                                                                                                3)
    path = copy / "flat.json"
    path.write_text(path.read_text().replace('"direction": 0', '"direction": 0 ', 1))
    r = run_cli("score", copy, flat / "credit.csv", "--out", tmp_path / "s.parquet",
                "--purpose", "x")
    assert r.returncode == 3 and "changed after the fairness audit" in r.stderr
    assert not (tmp_path / "s.parquet").exists()


def test_lightgbm_is_accepted_and_unknown_models_say_what_is_expected(flat, tmp_path):
    r = run_cli("train", flat / "credit.csv", "--target", "risk", "--positive", "bad",
                "--id", "application_id", "--protected", "age_in_years", "--model", "forest",
                "--out", tmp_path / "m")
    assert r.returncode == 2 and "expected lgbm (also: lightgbm) or scorecard" in r.stderr
    assert not (tmp_path / "m").exists()


@pytest.mark.parametrize(("args", "message"), [
    (["--target", "nope"], "no target column 'nope'"),
    (["--target", "purpose"], "has 5 distinct values"),
    (["--target", "risk"], "pass --positive VALUE"),
    (["--target", "risk", "--positive", "bad", "--id", "housing"],
     "id column 'housing' has duplicates"),
])
def test_bad_input_exits_2_naming_file_and_column(flat, tmp_path, args, message):
    r = run_cli("train", flat / "credit.csv", *args, "--out", tmp_path / "m")
    assert r.returncode == 2, r.stderr
    assert message in r.stderr and str(flat / "credit.csv") in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "m").exists()


def test_constant_column_is_a_warning_not_an_error(flat, tmp_path):
    t = pd.read_csv(flat / "credit.csv").assign(branch="Main street")
    t.to_parquet(tmp_path / "t.parquet")
    r = run_cli("train", tmp_path / "t.parquet", "--target", "risk", "--positive", "bad",
                "--protected", "age_in_years", "--protected", "personal_status",
                "--drop", "application_id", "--folds", "3", "--repeats", "1",
                "--out", tmp_path / "m")
    assert r.returncode == 0, r.stderr
    assert "warning: " in r.stderr and "'branch' dropped: constant" in r.stderr


def test_flat_only_options_are_refused_on_a_feature_table(tmp_path):
    frame = pd.DataFrame({"subject_id": ["a", "b"], "as_of": ["2024-01-01"] * 2,
                          "default_12m": [0, 1]})
    frame.to_parquet(tmp_path / "f.parquet")
    r = run_cli("train", tmp_path / "f.parquet", "--target", "default_12m", "--positive", "1",
                "--out", tmp_path / "m")
    assert r.returncode == 2 and "--positive apply to flat tables only" in r.stderr


def test_audit_scores_from_the_cli(flat, tmp_path):
    t = pd.read_csv(flat / "credit.csv")
    scores = pd.DataFrame({"pd": (t["x06"].fillna(0) > 0.5) * 0.5 + 0.1,
                           "bad": (t["risk"] == "bad").astype(int), "age": t["age_in_years"],
                           "status": t["personal_status"]})
    scores.to_csv(tmp_path / "scores.csv", index=False)
    r = run_cli("audit-scores", tmp_path / "scores.csv", "--score", "pd", "--label", "bad",
                "--protected", "age", "--split", "status=sex,marital", "--flag-share", "0.25",
                "--out", tmp_path / "a")
    assert r.returncode in (0, 3), r.stderr
    for name in ("audit.json", "audit.md", "fairness_report.html", "fairness_report.md"):
        assert (tmp_path / "a" / name).is_file()
    assert "holds no model inputs" in (tmp_path / "a" / "fairness_report.md").read_text()
    r = run_cli("audit-scores", tmp_path / "scores.csv", "--score", "status", "--label", "bad",
                "--protected", "age", "--out", tmp_path / "b")
    assert r.returncode == 2 and "score column 'status' is not numeric" in r.stderr
    r = run_cli("audit-scores", tmp_path / "scores.csv", "--score", "pd", "--label", "bad",
                "--protected", "age", "--flag-share", "1", "--out", tmp_path / "b")
    assert r.returncode == 2 and "--flag-share 1.0: must lie strictly between 0 and 1" in r.stderr
    assert not (tmp_path / "b").exists()
