"""`creditscore backtest`: exit 0 with its four files; exit 2 on bad input, nothing written."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pandas as pd
import pytest

from creditscore.models import train_model
from models.conftest import feature_defs, make_frame
from test_cli import run_cli

DATES = ("2020-06-30", "2020-12-31", "2021-12-31", "2022-06-30")


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    root = tmp_path_factory.mktemp("cli-backtest")
    frame = make_frame(n_subjects=1500, dates=DATES, seed=4)
    features = root / "features.parquet"
    frame.to_parquet(features, index=False)
    # the CLI reads the package's own feature definitions; these tests train with the frame's
    train_model(features, "default_12m", "scorecard", root / "model",
                train_until="2020-12-31", features=feature_defs())
    return root, frame


def test_backtest_writes_json_html_markdown_pdf_and_exits_0(trained, tmp_path):
    root, _ = trained
    out = tmp_path / "validation"
    result = run_cli("backtest", root / "model", root / "features.parquet", "--out", out)
    assert result.returncode == 0, result.stderr
    data = json.loads((out / "validation.json").read_text())
    assert set(data["samples"]) >= {"fit", "tuning", "validation"}
    assert data["samples"]["validation"]["dates"] == ["2021-12-31", "2022-06-30"]
    assert {"auc", "auc_ci"} <= set(data["pooled"])
    assert all("jeffreys_p" in t for t in data["tiers"])
    assert data["calibration_verdict"] in ("green", "amber", "red")
    assert (out / "validation.html").is_file() and (out / "validation.md").is_file()
    assert (out / "validation.pdf").is_file() or "validation.pdf not written" in result.stderr
    assert "fit or tuning rows" in result.stderr  # the table also holds development rows
    assert (root / "model" / "audit" / "validation.json").is_file()


@pytest.mark.parametrize("case, message", [
    ("missing", "no such feature file"),
    ("early", "no rows with a known default_12m at as_of >= 2021-12-31"),
    ("strict", "--strict refuses them"),
    ("policy", "not a backtest policy"),
    ("column", "missing column(s) x_up"),
])
def test_bad_input_is_exit_2_one_line_and_nothing_written(trained, tmp_path, case, message):
    root, frame = trained
    features, extra = root / "features.parquet", []
    if case == "missing":
        features = tmp_path / "nope.parquet"
    elif case == "early":
        features = tmp_path / "early.parquet"
        frame[pd.to_datetime(frame["as_of"]) <= pd.Timestamp("2020-12-31")].to_parquet(features)
    elif case == "strict":
        extra = ["--strict"]
    elif case == "policy":
        (tmp_path / "p.yaml").write_text("red: 1\n")
        extra = ["--policy", tmp_path / "p.yaml"]
    elif case == "column":
        features = tmp_path / "nocol.parquet"
        frame.drop(columns=["x_up"]).to_parquet(features)
    out = tmp_path / "out"
    result = run_cli("backtest", root / "model", features, "--out", out, *extra)
    assert result.returncode == 2
    errors = [line for line in result.stderr.splitlines() if line.startswith("creditscore: error")]
    assert len(errors) == 1 and message in errors[0], result.stderr
    assert not out.exists()


def test_model_card_headline_is_the_validation_auc_and_counts_are_the_samples(trained,
                                                                               tmp_path):
    from creditscore.models import backtest
    from creditscore.reports import ModelCard
    from creditscore.reports._validation_report import write_validation

    root, frame = trained
    card = ModelCard.from_model_dir(root / "model").to_markdown()
    assert "AUC (development: tuning slice, also used for early stopping and calibration" in (
        card) or "AUC (validation sample" in card
    result = backtest(root / "model", root / "features.parquet")
    write_validation(result, tmp_path / "v", root / "model", pdf=False)
    card = ModelCard.from_model_dir(root / "model").to_markdown()
    assert f"AUC (validation sample, 2021-12-31, 2022-06-30)** | {result.pooled['auc']:.3g}" in card
    dev = frame[(pd.to_datetime(frame["as_of"]) <= pd.Timestamp("2020-12-31"))
                & frame["default_12m"].notna()]
    assert f"| **Rows** | {len(dev):,} |" in card
    assert f"| **Events (label 1)** | {int(dev['default_12m'].sum()):,} |" in card


def test_audit_strict_refuses_development_rows_before_auditing(trained, tmp_path):
    root, frame = trained
    protected = tmp_path / "protected.parquet"
    pd.DataFrame({"subject_id": frame["subject_id"].unique()}).to_parquet(protected)
    out = tmp_path / "audit"
    result = run_cli("audit", root / "model", root / "features.parquet", "--protected",
                     protected, "--out", out, "--strict")
    assert result.returncode == 2
    assert "(as_of 2020-06-30, 2020-12-31) are fit or tuning rows" in result.stderr
    assert "--strict refuses them" in result.stderr and not out.exists()


def test_audit_fills_the_cards_validation_section_from_its_own_rows(trained, tmp_path):
    import numpy as np
    import yaml

    from creditscore import fairness

    root, frame = trained
    model = tmp_path / "model"
    shutil.copytree(root / "model", model)
    shutil.rmtree(model / "audit", ignore_errors=True)
    ids = frame["subject_id"].unique()
    rng = np.random.default_rng(0)
    protected = tmp_path / "protected.parquet"
    pd.DataFrame({"subject_id": ids, "sex": rng.choice(["female", "male"], len(ids)),
                  "birth_year": rng.integers(1950, 2000, len(ids)),
                  "ethnicity": rng.choice(["majority", "minority"], len(ids)),
                  "hukou": rng.choice(["urban", "rural"], len(ids)),
                  "region": rng.choice(["north", "south"], len(ids))}).to_parquet(protected)
    policy = yaml.safe_load((Path(fairness.__file__).parent / "policy.yaml").read_text())
    policy["inference"]["n_boot"] = 50
    (tmp_path / "policy.yaml").write_text(yaml.safe_dump(policy))
    later = tmp_path / "later.parquet"
    frame[pd.to_datetime(frame["as_of"]) >= pd.Timestamp("2021-12-31")].to_parquet(later)
    result = run_cli("audit", model, later, "--protected", protected, "--out",
                     tmp_path / "audit", "--policy", tmp_path / "policy.yaml")
    assert result.returncode in (0, 3), result.stderr
    data = json.loads((model / "audit" / "validation.json").read_text())
    assert data["samples"]["validation"]["dates"] == ["2021-12-31", "2022-06-30"]
    card = (tmp_path / "audit" / "model_card.md").read_text()
    assert "AUC (validation sample, 2021-12-31, 2022-06-30)" in card
