"""Tracking: MLflow runs, the model registry, gated promotion, retraining and drift.

Every trained model is logged as an MLflow run (parameters, metrics overall,
per observation date and per group, the model card, the fairness report,
plots and the catalogue) with the model itself as a pyfunc that returns the
PD, registered as a new version of ``creditscore-<target>``. The ``champion``
alias moves only through the gate: a version gets it only when its audit
passed and is bound to the hash of its own files; every version is tagged
``audit_passed`` and ``audit_hash``. Retraining builds a challenger on new
records, audits it, compares it with the champion out of time and promotes it
only if it passed and beats the champion by more than a margin on the same
rows (``CHAMPION_RULE``: ties keep the champion); a drift report
(PSI of the score, CSI per feature) says how far the population moved.

The tracking URI is ``$MLFLOW_TRACKING_URI``, else ``sqlite:///<cwd>/mlflow.db``.
mlflow is imported only inside the functions that use it.
"""

from ._champion import CHAMPION_RULE, MARGIN, Comparison, compare_on_rows
from ._drift import PSI_LIMITS, REFERENCE_FILE, Distribution, DriftReference, DriftReport, psi
from ._gate import GateVerdict, check_gate
from ._mlflow import DEFAULT_EXPERIMENT, log_training_run, registered_model_name, tracking_uri
from ._registry import (
    CHAMPION,
    Promotion,
    champion_version,
    promote_if_passed,
    record_verdict,
    registered_model_dir,
)
from ._retrain import RetrainResult, retrain

__all__ = [
    "tracking_uri",
    "registered_model_name",
    "log_training_run",
    "promote_if_passed",
    "record_verdict",
    "champion_version",
    "registered_model_dir",
    "check_gate",
    "GateVerdict",
    "Promotion",
    "CHAMPION",
    "CHAMPION_RULE",
    "MARGIN",
    "Comparison",
    "compare_on_rows",
    "DEFAULT_EXPERIMENT",
    "retrain",
    "RetrainResult",
    "psi",
    "Distribution",
    "DriftReference",
    "DriftReport",
    "PSI_LIMITS",
    "REFERENCE_FILE",
    "CreditscorePD",
]


def __getattr__(name):
    # The pyfunc class subclasses mlflow's PythonModel: import mlflow only when asked.
    if name == "CreditscorePD":
        from ._pyfunc import CreditscorePD

        return CreditscorePD
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
