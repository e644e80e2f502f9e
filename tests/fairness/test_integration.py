"""The whole path on synthetic worlds: synth -> features -> model -> audit -> gate.

Needs the synth, features and models stages; skipped (with the reason) where
one is missing. Slow: run with ``make test-slow``.

The seed is not one the synthetic scenarios were tuned on: the ``fair``
world's models pass, and the ``records-bias`` world's models (whose public
records over-record the ethnic minority, x4 by default) fail with a failing
``ethnicity`` record-disparity check, for both targets, and may not score.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
import subprocess
import sys

import pandas as pd
import pytest

from creditscore._errors import PolicyRefusal

pytestmark = pytest.mark.slow

SEED = 5150
N_SUBJECTS = 15_000
#: observation dates; models train on those up to TRAIN_UNTIL, the audit sees the rest
DATES = [dt.date(y, m, d) for y, m, d in (
    (2021, 12, 31), (2022, 6, 30), (2022, 12, 31), (2023, 6, 30), (2023, 12, 31))]
TRAIN_UNTIL = dt.date(2022, 12, 31)
TARGETS = ["default_12m", "breach_12m"]


def _need(module: str, name: str):
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        pytest.skip(f"{module}.{name} is not available yet")


def _features(root, scenario):
    """Records and features of one world, and the later rows the audit sees."""
    generate = _need("creditscore.synth", "generate")
    build_features = _need("creditscore.features", "build_features")
    records = root / scenario
    generate(records, n_subjects=N_SUBJECTS, seed=SEED, scenario=scenario)
    features = root / f"{scenario}.parquet"
    build_features(records, DATES, features)
    frame = pd.read_parquet(features)
    audit_rows = root / f"{scenario}-audit-rows.parquet"
    frame[pd.to_datetime(frame["as_of"]) > pd.Timestamp(TRAIN_UNTIL)].to_parquet(audit_rows)
    return features, audit_rows, records / "protected.parquet"


@pytest.fixture(scope="module")
def worlds(tmp_path_factory):
    root = tmp_path_factory.mktemp("integration")
    return {"root": root, **{s: _features(root, s) for s in ("fair", "records-bias")}}


def _audit(worlds, scenario, target):
    from creditscore.fairness import audit_model

    train_model = _need("creditscore.models", "train_model")
    features, rows, protected = worlds[scenario]
    root = worlds["root"]
    model_dir = root / f"{scenario}-{target}-model"
    train_model(features, target, model="lgbm", out=model_dir, train_until=TRAIN_UNTIL, seed=0)
    report = root / f"{scenario}-{target}-report"
    result = audit_model(model_dir, rows, protected, report)
    return model_dir, result, json.loads((report / "audit.json").read_text())


@pytest.mark.parametrize("target", TARGETS)
def test_fair_world_passes_and_may_score(worlds, target):
    from creditscore.fairness import require_passed_audit

    model_dir, result, _ = _audit(worlds, "fair", target)
    assert result.passed, result.failed.to_string()
    assert require_passed_audit(model_dir).passed


@pytest.mark.parametrize("target", TARGETS)
def test_records_bias_world_fails_on_ethnicity_and_may_not_score(worlds, target):
    from creditscore.fairness import require_passed_audit

    model_dir, result, audit = _audit(worlds, "records-bias", target)
    failing = [c for c in audit["checks"] if c["gate"] and not c["passed"]]
    ethnicity = [c for c in failing if c["attribute"] == "ethnicity"]
    assert not result.passed
    assert ethnicity, result.checks.query("attribute == 'ethnicity'").to_string()
    # the default records-bias world over-records x4 (issue 12): the record screen names the
    # minority's public records, which the model uses (at x16 the four-fifths screen failed too)
    assert any(c["metric"] == "record_disparity" and c["group"] == "minority"
               and c["family"] == "public_records" for c in ethnicity)
    with pytest.raises(PolicyRefusal, match="failed its fairness audit"):
        require_passed_audit(model_dir)
    # and the command line refuses to score with it (exit 3)
    from creditscore.cli import main  # noqa: F401  (the entry point the subprocess runs)

    scores = worlds["root"] / f"{target}-scores.parquet"
    proc = subprocess.run([sys.executable, "-c", "from creditscore.cli import main; main()",
                           "score", str(model_dir), str(worlds["records-bias"][1]), "--out",
                           str(scores), "--purpose", "test"], capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 3, proc.stderr
    assert not scores.exists()
