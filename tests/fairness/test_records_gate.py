"""The record screen inside the gate: audit.json rows, the verdict, the refusal, the report."""

from __future__ import annotations

import json

import pytest

from creditscore._errors import PolicyRefusal
from creditscore.fairness import audit_model, require_passed_audit, run_audit

from .conftest import FAST, train_fake
from .test_records import ALL_FEATURES, record_table

ROW_KEYS = {"metric", "family", "attribute", "group", "reference", "value", "threshold", "ci",
            "n", "gate", "status", "passed"}


@pytest.fixture(scope="module")
def biased(tmp_path_factory):
    """An over-recorded table, a model using every family, audited once (policy FAST)."""
    frame, protected = record_table(n=2000, seed=4, over=3.0)
    root = tmp_path_factory.mktemp("records-gate")
    model = train_fake(frame, root / "model", features=ALL_FEATURES, target="breach_12m")
    result = audit_model(model.model_dir, frame, protected, root / "report", policy=FAST,
                         model=model, proxies=False)
    return frame, protected, root, model, result


def test_over_recorded_world_fails_on_ethnicity_and_may_not_score(biased):
    frame, protected, root, model, result = biased
    report = root / "report"
    assert not result.passed
    audit = json.loads((report / "audit.json").read_text())
    assert audit["passed"] is False and "record_disparity" in audit["reason"]
    rows = [c for c in audit["checks"] if c["metric"] == "record_disparity"]
    assert rows and all(set(c) >= ROW_KEYS for c in rows)
    failing = [c for c in rows if c["gate"] and not c["passed"]]
    assert any(c["attribute"] == "ethnicity" and c["group"] == "minority"
               and c["family"] == "public_records" for c in failing)
    screen = audit["record_screen"]
    assert "Poisson" in screen["method"] and screen["skipped"] is None
    assert {"observed_rate", "expected_rate", "ratio", "family"} <= set(screen["table"][0])
    assert screen["sentences"][0].startswith("The group 'minority' (ethnicity) has ")
    assert "## Uneven records" in (report / "audit.md").read_text()
    with pytest.raises(PolicyRefusal, match="failed its fairness audit"):
        require_passed_audit(model.model_dir, model=model)


def test_fairness_report_names_the_uneven_records(biased):
    from creditscore.reports import FairnessReport

    root = biased[2]
    text = FairnessReport.from_audit_dir(root / "report").to_markdown()
    assert "Uneven records" in text and "How the screen works" in text
    assert "The group 'minority' (ethnicity) has" in text
    assert "times the public records their other recorded behaviour predicts" in text


def test_model_without_the_uneven_family_is_not_gated_on_it(biased):
    """A mitigation that drops the public records must then pass the screen (issue 14)."""
    frame, protected, root, _, found = biased
    features = [f for f in ALL_FEATURES if not f.startswith("pr_")]
    model = train_fake(frame, root / "no-public-records", features=features,
                       target="breach_12m")
    result = run_audit(model, frame, protected, policy=FAST, proxies=False,
                       records=found.records)
    rec = result.checks.query("metric == 'record_disparity'")
    named = rec.query("status == 'fail' and family == 'public_records'")
    assert len(named) and not named["gate"].any()  # still named, no longer gating
    assert not len(result.failed.query("metric == 'record_disparity'"))
    assert result.records.families_used_by_model() == {"late_contributions", "late_instalments"}
