"""The fairness gate as the registry sees it: is this model's audit passed, and
bound to these very model files?

The fairness stage records its verdict in ``MODEL_DIR/audit/verdict.json``,
bound to the model hash (sha256 over the model files outside ``audit/``).
A verdict counts only if it says passed *and* its hash is the hash of the
files now in the directory. Where ``creditscore.fairness.require_passed_audit``
is available it is asked too, and both must agree.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .._errors import PolicyRefusal
from ..reports._modelinfo import VERDICT_FILE, model_hash, verdict_hash
from ..reports._sources import read_json

__all__ = ["GateVerdict", "check_gate"]

MSG_NO_VERDICT = "not yet audited: {path} does not exist"
MSG_FAILED = "the fairness audit failed (verdict in {path})"
MSG_UNBOUND = (
    "the verdict in {path} is for model {audited}, but the model files hash to "
    "{actual}: the model changed after its audit, so the audit is void"
)
MSG_PASSED = "passed: the audit verdict is bound to this model's hash"


@dataclass(frozen=True)
class GateVerdict:
    """Whether a model directory holds a passed audit of this very model.

    Attributes
    ----------
    passed : bool
    model_hash : str
        The hash of the model files now.
    audit_hash : str or None
        The model hash the verdict is bound to (None: no verdict).
    reason : str
        Why, in words.
    """

    passed: bool
    model_hash: str
    audit_hash: str | None
    reason: str

    def tags(self) -> dict[str, str]:
        """The model-version tags recording this verdict."""
        return {
            "audit_passed": "true" if self.passed else "false",
            "audit_hash": self.audit_hash or "none",
            "audit_reason": self.reason[:500],
        }

    def to_dict(self) -> dict:
        """The verdict as JSON-ready data: passed, model and audit hashes, reason."""
        return {
            "passed": self.passed,
            "model_hash": self.model_hash,
            "audit_hash": self.audit_hash,
            "reason": self.reason,
        }


def _external_gate():
    """``creditscore.fairness.require_passed_audit``, or None where it is not there yet."""
    try:
        from ..fairness import require_passed_audit
    except ImportError:
        return None
    return require_passed_audit


def check_gate(model_dir: str | os.PathLike) -> GateVerdict:
    """Read and verify the audit verdict of ``model_dir``.

    Returns
    -------
    GateVerdict
        ``passed`` is True only for a passed verdict bound to the current files.
    """
    model_dir = Path(model_dir)
    actual = model_hash(model_dir)
    path = model_dir / VERDICT_FILE
    if not path.is_file():
        return GateVerdict(False, actual, None, MSG_NO_VERDICT.format(path=path))
    verdict = read_json(path)
    audited = verdict_hash(verdict) if isinstance(verdict, dict) else None
    if audited != actual:
        return GateVerdict(
            False, actual, audited, MSG_UNBOUND.format(path=path, audited=audited, actual=actual)
        )
    if verdict.get("passed") is not True:
        return GateVerdict(False, actual, audited, MSG_FAILED.format(path=path))
    external = _external_gate()
    if external is not None:
        try:
            external(model_dir)
        except PolicyRefusal as exc:
            return GateVerdict(False, actual, audited, str(exc))
    return GateVerdict(True, actual, audited, MSG_PASSED)
