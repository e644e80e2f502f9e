"""creditscore.fairness: the pre-use fairness audit, proxy detection, the gate.

Protected attributes enter the package here and only here. A model's scores
on a population are audited group by group (each protected attribute and the
policy's intersections): flag rate at the operating decision and its ratio to
the most favoured group (the four-fifths screen), false-positive and
false-negative rate differences, calibration within groups, AUC, each with a
subject-level bootstrap interval and the group's size; groups too small to
be anonymous are suppressed. The record-disparity screen compares each
group's records (public records by type, late contributions, late
instalments) with those its other, independently recorded behaviour predicts,
because labels built from over-recorded records hide the bias from outcome
metrics; an uneven family the model uses fails the gate. Proxy detection
names the features that stand in for a protected attribute and the disparity
that flows through them.

The gate (``policy.yaml``, overridable) turns intervals into a verdict: a
check fails only when its estimate and its whole interval lie beyond the
threshold. ``audit_model`` writes ``audit.json`` and records the verdict in
the model directory, bound to the model's hash; ``require_passed_audit``
refuses (exit 3) to let anything score with a model that has no passed
audit of its current files. ``audit_flat_model`` audits a model of a flat
table (its protected columns banded or split); ``audit_scores`` audits a file
of scores made elsewhere. ``mitigate`` searches less discriminatory
alternatives when the gate fails (``mitigate_flat`` for a flat-table model):
each one a model directory of its own, trained like ``train`` trains, audited
by the same gate under the same policy; the frontier sets their accuracy
against their disparity.
"""

from ._audit import FairnessAudit, flag_decision
from ._candidates import Recipe
from ._flat_audit import audit_flat_model
from ._flat_groups import attribute_frame, parse_bands, read_split
from ._frontier_plot import frontier_figure
from ._gate import GATE_RULE, AuditResult, audit_model, run_audit, screen_features
from ._groups import age_bands, sensitive_frame
from ._mitigation import DEFAULT_CANDIDATES, mitigate
from ._mitigation_flat import FLAT_CANDIDATES, mitigate_flat
from ._mitigation_result import CandidateResult, MitigationResult
from ._policy import DEFAULT_POLICY, CheckSpec, Policy, PolicyError, load_policy
from ._proxies import ProxyReport, detect_proxies
from ._records import RecordScreen, power_curve, screen_records
from ._scores_audit import DEFAULT_FLAG_SHARE, audit_scores
from ._verdict import (
    KEY_ENV,
    Verdict,
    default_model_hash,
    directory_hash,
    load_audited_model,
    read_verdict,
    record_verdict,
    require_passed_audit,
)

__all__ = [
    "FairnessAudit",
    "flag_decision",
    "AuditResult",
    "run_audit",
    "audit_model",
    "screen_features",
    "screen_records",
    "RecordScreen",
    "power_curve",
    "audit_flat_model",
    "audit_scores",
    "DEFAULT_FLAG_SHARE",
    "attribute_frame",
    "parse_bands",
    "read_split",
    "GATE_RULE",
    "age_bands",
    "sensitive_frame",
    "ProxyReport",
    "detect_proxies",
    "Policy",
    "CheckSpec",
    "PolicyError",
    "load_policy",
    "DEFAULT_POLICY",
    "Verdict",
    "require_passed_audit",
    "load_audited_model",
    "read_verdict",
    "record_verdict",
    "directory_hash",
    "default_model_hash",
    "KEY_ENV",
    "mitigate",
    "mitigate_flat",
    "FLAT_CANDIDATES",
    "frontier_figure",
    "MitigationResult",
    "CandidateResult",
    "Recipe",
    "DEFAULT_CANDIDATES",
]
