"""The whole path on synthetic worlds: synth -> features -> model -> audit -> gate.

Needs the synth, features and models stages; skipped (with the reason) where
one is missing. Slow: run with ``make test-slow``.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json

import pandas as pd
import pytest

from creditscore._errors import PolicyRefusal

pytestmark = pytest.mark.slow


def _need(module: str, name: str):
    try:
        return getattr(importlib.import_module(module), name)
    except (ImportError, AttributeError):
        pytest.skip(f"{module}.{name} is not available yet")


def _world(tmp_path, scenario, n_subjects=12_000, target="default_12m"):
    generate = _need("creditscore.synth", "generate")
    build_features = _need("creditscore.features", "build_features")
    train_model = _need("creditscore.models", "train_model")
    records = tmp_path / scenario
    generate(records, n_subjects=n_subjects, seed=11, scenario=scenario)
    extracted = dt.date.fromisoformat(
        json.loads((records / "manifest.json").read_text())["extracted_on"])
    last = extracted.year - 2  # every label of these dates is known
    dates = [dt.date(y, m, d) for y in (last - 2, last - 1, last) for m, d in ((6, 30), (12, 31))]
    features = tmp_path / f"{scenario}.parquet"
    build_features(records, dates, features)
    model_dir = tmp_path / f"{scenario}-model"
    train_until = dates[3]
    train_model(features, target, model="lgbm", out=model_dir, train_until=train_until, seed=0)
    frame = pd.read_parquet(features)
    later = frame[pd.to_datetime(frame["as_of"]) > pd.Timestamp(train_until)]
    audit_rows = tmp_path / f"{scenario}-audit-rows.parquet"
    later.to_parquet(audit_rows)
    return model_dir, audit_rows, records / "protected.parquet"


def test_fair_world_passes_and_may_score(tmp_path):
    from creditscore.fairness import audit_model, require_passed_audit

    model_dir, rows, protected = _world(tmp_path, "fair")
    result = audit_model(model_dir, rows, protected, tmp_path / "fair-report")
    assert result.passed, result.failed.to_string()
    assert require_passed_audit(model_dir).passed


def test_records_bias_world_fails_on_ethnicity_and_may_not_score(tmp_path):
    from creditscore.fairness import audit_model, require_passed_audit

    model_dir, rows, protected = _world(tmp_path, "records-bias")
    result = audit_model(model_dir, rows, protected, tmp_path / "bias-report")
    audit = json.loads((tmp_path / "bias-report" / "audit.json").read_text())
    failing = [c for c in audit["checks"] if c["gate"] and not c["passed"]]
    assert not result.passed
    assert any(c["attribute"] == "ethnicity" for c in failing), result.checks.query(
        "attribute == 'ethnicity'").to_string()
    with pytest.raises(PolicyRefusal, match="failed its fairness audit"):
        require_passed_audit(model_dir)
