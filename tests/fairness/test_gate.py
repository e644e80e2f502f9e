"""The gate end to end on a model directory: audit.json, report data, the verdict."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from creditscore._errors import InputError
from creditscore.fairness import audit_model, read_verdict, require_passed_audit

from .conftest import FAST


@pytest.fixture()
def paths(tmp_path, fair_world, biased_world):
    out = {}
    for name, (features, protected) in (("fair", fair_world), ("biased", biased_world)):
        features.to_parquet(tmp_path / f"{name}-features.parquet")
        protected.to_parquet(tmp_path / f"{name}-protected.parquet")
        out[name] = (tmp_path / f"{name}-features.parquet", tmp_path / f"{name}-protected.parquet")
    return out


def test_fair_model_passes_and_writes_audit_json_and_verdict(tmp_path, fair_model, paths):
    result = audit_model(fair_model.model_dir, *paths["fair"], tmp_path / "report", policy=FAST,
                         model=fair_model)
    assert result.passed
    audit = json.loads((tmp_path / "report" / "audit.json").read_text())
    assert audit["passed"] is True and audit["model"] == fair_model.model_hash()
    for check in audit["checks"]:
        assert {"attribute", "metric", "group", "value", "threshold", "ci", "n",
                "passed"} <= set(check)
    assert {"suppressed", "proxies", "policy", "created", "groups"} <= set(audit)
    assert audit["policy"]["sha256"] and audit["policy"]["inference"]["n_boot"] == 200
    groups = pd.read_parquet(tmp_path / "report" / "audit_groups.parquet")
    assert {"attribute", "group", "n", "flag_rate", "fpr", "auc"} <= set(groups.columns)
    assert (tmp_path / "report" / "audit.md").read_text().startswith("# Fairness audit")
    verdict = require_passed_audit(fair_model.model_dir, model=fair_model)
    assert verdict.passed and verdict.model_hash == fair_model.model_hash()


def test_records_bias_model_fails_with_a_failing_ethnicity_check(tmp_path, biased_model, paths):
    result = audit_model(biased_model.model_dir, *paths["biased"], tmp_path / "report",
                         policy=FAST, model=biased_model)
    assert not result.passed
    audit = json.loads((tmp_path / "report" / "audit.json").read_text())
    failing = [c for c in audit["checks"] if not c["passed"] and c["gate"]]
    assert any(c["attribute"] == "ethnicity" and c["group"] == "minority" for c in failing)
    assert audit["proxies"][0]["feature"] == "public_records"
    assert audit["proxies"][0]["attribute"] == "ethnicity"
    assert audit["proxy_screen"]["thresholds"]["auc"] == 0.7
    verdict = read_verdict(biased_model.model_dir)
    assert not verdict.passed and verdict.n_failed == len(failing)


def test_missing_target_column_is_an_input_error(tmp_path, fair_model, fair_world):
    features, protected = fair_world
    with pytest.raises(InputError, match="target column 'default_12m' is missing"):
        audit_model(fair_model.model_dir, features.drop(columns="default_12m"), protected,
                    tmp_path / "r", policy=FAST, model=fair_model)
    assert not (tmp_path / "r" / "audit.json").exists()


def test_unreadable_protected_file_is_an_input_error(tmp_path, fair_model, paths):
    with pytest.raises(InputError, match="cannot read the protected table"):
        audit_model(fair_model.model_dir, paths["fair"][0], tmp_path / "nope.parquet",
                    tmp_path / "r", policy=FAST, model=fair_model)


def test_duplicate_subjects_in_protected_are_refused(tmp_path, fair_model, fair_world):
    features, protected = fair_world
    doubled = pd.concat([protected, protected.iloc[:1]])
    with pytest.raises(InputError, match="appears 2 times"):
        audit_model(fair_model.model_dir, features, doubled, tmp_path / "r", policy=FAST,
                    model=fair_model)
