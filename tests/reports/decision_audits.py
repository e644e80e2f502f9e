"""Hand-made audit directories for the first-page tests: a failing audit with uneven
records (``record_disparity`` rows, as the record screen writes them), an intersection
with too few people flagged, and a passing audit."""

from __future__ import annotations

import json
from pathlib import Path

HASH = "5f" * 32


def _check(attribute, metric, group, reference, value, ci, status, n=2000, gate=True, **extra):
    return {
        "attribute": attribute, "metric": metric, "group": group, "reference": reference,
        "value": value, "threshold": extra.pop("threshold", 0.8), "ci": ci, "ci_level": 0.95,
        "n": n, "gate": gate, "status": status, "passed": status != "fail", **extra,
    }


def _group(attribute, group, n, rate):
    return {"attribute": attribute, "group": group, "n": n, "n_subjects": n // 2,
            "flag_rate": rate, "flag_rate_ci_low": max(0.0, rate - 0.02),
            "flag_rate_ci_high": rate + 0.02}


FAILING_CHECKS = [
    _check("ethnicity", "flag_rate_ratio", "minority", "majority", 0.48, [0.41, 0.55], "fail"),
    _check("ethnicity", "fpr_difference", "minority", "majority", 0.09, [0.06, 0.12], "fail",
           threshold=0.05),
    _check("age_band", "flag_rate_ratio", "<30", "45-59", 0.62, [0.52, 0.74], "fail"),
    _check("region", "flag_rate_ratio", "R3", "R1", 0.75, [0.6, 0.95], "inconclusive"),
    _check("sex", "flag_rate_ratio", "female", "male", 0.97, [0.9, 1.04], "pass"),
    # a reference with nobody flagged: the ratio must be said in words
    _check("hukou", "flag_rate_ratio", "rural", "urban", 0.0, [0.000868, 2.7], "inconclusive"),
    # an intersection whose reference has too few flagged: suppressed, listed
    _check("ethnicity x region", "flag_rate_ratio", "majority & R1", "minority & R2", 0.0,
           [0.000868, 2.699157], "inconclusive"),
    _check("ethnicity x region", "fpr_difference", "minority & R2", "majority & R1", 0.01,
           [-0.02, 0.04], "pass", threshold=0.05),
    # uneven records, as the record-disparity screen writes them
    _check("ethnicity", "record_disparity", "minority", "everyone else", 3.1, [2.4, 3.9],
           "fail", threshold=1.5, family="public_records:tax_arrears"),
    _check("ethnicity", "record_disparity", "minority", "everyone else", 1.1, [0.9, 1.3],
           "pass", threshold=1.5, family="late_contributions"),
]
FAILING_GROUPS = [
    _group("ethnicity", "majority", 8000, 0.08), _group("ethnicity", "minority", 1200, 0.167),
    _group("age_band", "<30", 1500, 0.13), _group("age_band", "45-59", 3000, 0.08),
    _group("region", "R1", 2000, 0.07), _group("region", "R3", 1800, 0.093),
    _group("sex", "female", 5000, 0.09), _group("sex", "male", 5000, 0.088),
    _group("hukou", "urban", 400, 0.0), _group("hukou", "rural", 3000, 0.04),
    _group("ethnicity x region", "majority & R1", 1876, 0.041578),
    _group("ethnicity x region", "minority & R2", 246, 0.012),  # 3 flagged: suppressed
]


def write_audit(path, checks, groups, passed: bool) -> Path:
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    audit = {
        "format": "creditscore-audit/1", "passed": passed, "model": HASH,
        "target": "breach_12m", "decision": {"flag_tiers": ["C", "D"]},
        "checks": checks, "groups": groups,
        "suppressed": [{"attribute": "region", "group": "R9", "reason": "fewer than 50 subjects"}],
        "policy": {"min_group_size": 50, "min_cell_size": 10},
        "record_screen": {"method": "Observed records against those expected from payment "
                                    "history (a model fitted without the protected attribute)."},
    }
    (path / "audit.json").write_text(json.dumps(audit, indent=1))
    return path


def failing(path) -> Path:
    return write_audit(path, FAILING_CHECKS, FAILING_GROUPS, passed=False)


def passing(path) -> Path:
    checks = [c for c in FAILING_CHECKS if c["status"] == "pass"]
    return write_audit(path, checks, FAILING_GROUPS, passed=True)
