"""The result of a model's audit: the verdict, why, and the files ``audit`` writes.

``AuditResult`` joins the outcome audit (``FairnessAudit``), the record screen
(``RecordScreen``) and the named proxies of one model under one policy, and writes
``audit.json`` (guide: cli), ``audit_groups.parquet`` and ``audit.md``.
``_gate`` builds it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pandas as pd

from .._atomic import atomic_file, write_text_atomic
from ._audit import FairnessAudit, _json_rows
from ._checks import CheckTable
from ._records import RecordScreen

__all__ = ["AuditResult", "GATE_RULE", "FORMAT", "MSG_NOT_THIS_MODEL"]

MSG_NOT_THIS_MODEL = ("{model_dir}: the audit is of model {audited:.12}, but these model files "
                      "hash to {actual:.12}; audit this model")

FORMAT = "creditscore-audit/1"
GATE_RULE = (
    "A check fails only when its point estimate and its whole confidence interval lie beyond "
    "the threshold; inconclusive (passes, listed for review) when the estimate is beyond and the "
    "interval reaches back across it. The audit passes unless a gate check fails. The "
    "flag_rate_ratio check is the four-fifths screen (a screening rule, not a finding). "
    "Outcome checks are computed on the rows the target is defined for; the record_disparity "
    "checks (the record screen) on every audited row, and gate only the record families the "
    "model uses."
)


class AuditResult(CheckTable):
    """A model's audit under a policy: the verdict and everything behind it.

    ``checks``: the outcome checks, then the record screen's; ``failed``: the gate checks
    among them that failed. Read-only; build it with ``run_audit`` or ``audit_model``.
    """

    def __init__(self, audit: FairnessAudit, *, proxies=None, model_hash: str, target: str,
                 model_dir: str | None = None, created: str | None = None,
                 records: RecordScreen | None = None, outside: dict | None = None):
        self._audit, self._proxies = audit, proxies
        self._records, self._outside = records, outside
        self._model_hash, self._target = model_hash, target
        self._model_dir = None if model_dir is None else str(model_dir)
        self._created = created or dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")

    @property
    def passed(self) -> bool:
        """The outcome checks passed and no record family the model uses is uneven."""
        return self._audit.passed and not len(self._record_failed())

    @property
    def reason(self) -> str:
        """One line: why the audit passed or failed."""
        outcome, uneven = self._audit.reason, self._record_failed()
        if not len(uneven):
            return outcome
        first = uneven.sort_values("value", ascending=False).iloc[0]
        text = (f"{len(uneven)} record_disparity checks failed, worst {first['attribute']}/"
                f"{first['family']}/{first['group']} = {first['value']:.2f}x the records its "
                f"other behaviour predicts (threshold {first['threshold']})")
        return text if self._audit.passed else f"{outcome}; {text}"

    @property
    def records(self) -> RecordScreen | None:
        """The record-disparity screen (None when not run)."""
        return self._records

    @property
    def outside_population(self) -> dict | None:
        """The rows outside the target's population, reported apart."""
        return None if self._outside is None else dict(self._outside)

    def _record_failed(self) -> pd.DataFrame:
        return self._records.failed if self._records is not None else pd.DataFrame()

    @property
    def seed(self) -> int:
        """The seed the audit's resampling and cross-fitting used (``random_state``)."""
        return self._audit.seed

    @property
    def audit(self) -> FairnessAudit:
        """The :class:`FairnessAudit` behind the verdict (group metrics and intervals)."""
        return self._audit

    @property
    def proxies(self):
        """The ProxyReport, or None when proxy detection was not run."""
        return self._proxies

    @property
    def model_hash(self) -> str:
        """The sha256 of the audited model's files: the verdict binds to it."""
        return self._model_hash

    @property
    def target(self) -> str:
        """The label the audited model predicts."""
        return self._target

    @property
    def created(self) -> str:
        """UTC time of the audit (ISO 8601)."""
        return self._created

    @property
    def checks(self) -> pd.DataFrame:
        """Outcome checks, then the record screen's (``family`` set on those only)."""
        if self._records is None or not len(self._records.checks):
            return self._audit.checks
        return pd.concat([self._audit.checks, self._records.checks], ignore_index=True)

    def to_frame(self) -> pd.DataFrame:
        """Per-group metrics (suppressed groups left out): ``audit_groups.parquet``."""
        return self._audit.to_frame()

    def to_dict(self) -> dict:
        """The content of ``audit.json``."""
        import fairlearn

        from .. import __version__

        pol = self._audit.policy
        decision = ({"flag_tiers": list(pol.flag_tiers)} if pol.flag_tiers
                    else {"pd_cutoff": pol.pd_cutoff})
        body = self._audit.to_dict()
        body.pop("passed")
        seed = body.pop("seed")
        body["reason"] = self.reason
        if self._records is not None:
            body["checks"] += _json_rows(self._records.checks, ci=True)
        proxies = None if self._proxies is None else self._proxies.to_dict()
        return {
            "format": FORMAT, "passed": self.passed, "seed": seed, "model": self._model_hash,
            "model_dir": self._model_dir, "target": self._target, "created": self._created,
            "gate_rule": GATE_RULE, "decision": decision, **body,
            "proxies": None if proxies is None else proxies["named"],
            "proxy_screen": None if proxies is None else {
                "thresholds": proxies["thresholds"], "features": proxies["features"]},
            "record_screen": None if self._records is None else self._records.to_dict(),
            "outside_population": self._outside,
            "policy": pol.to_dict(),
            "software": {"creditscore": __version__, "fairlearn": fairlearn.__version__},
        }

    def to_json(self) -> bytes:
        """``audit.json``'s bytes: :meth:`to_dict` as indented JSON (no NaN), newline-terminated."""
        return (json.dumps(self.to_dict(), indent=2, default=str, allow_nan=False) + "\n").encode()

    def to_markdown(self) -> str:
        """The audit as Markdown: the checks by attribute and, when screened, the uneven records."""
        from ._render import audit_markdown, table

        text = audit_markdown(self._audit, title=f"Fairness audit of model {self._model_hash[:12]}")
        if self._records is not None:
            text += "\n## Uneven records\n" + ("\n".join(
                f"- {line}" for line in self._records.sentences())
                or f"- {self._records.skipped}") + "\n"
        if self._proxies is not None:
            text += "\n## Named proxies\n" + table(self._proxies.named, [
                "feature", "attribute", "auc", "nmi", "disparity_reduction", "carries_disparity"])
        return text

    def write(self, out_dir: str | os.PathLike) -> dict[str, Path]:
        """Write audit.json, audit_groups.parquet and audit.md (each atomically)."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        paths = {"groups": out / "audit_groups.parquet", "markdown": out / "audit.md",
                 "audit": out / "audit.json"}
        with atomic_file(paths["groups"]) as tmp:
            self.to_frame().to_parquet(tmp, index=False)
        write_text_atomic(paths["markdown"], self.to_markdown())
        with atomic_file(paths["audit"]) as tmp:
            tmp.write_bytes(self.to_json())
        return paths

    def record_verdict(self, model_dir: str | os.PathLike):
        """Record this audit's verdict in ``MODEL_DIR/audit/``, bound to the model's hash.

        What ``audit_model`` does after auditing a directory, for an audit of a
        model trained in memory (``run_audit`` on ``train_model``'s result)
        once it is saved: ``TrainResult.save(out, audit=result)`` calls it.
        The audit goes into the audit log like every audit.

        Raises
        ------
        PolicyRefusal
            The directory's files are not the model this audit is of.
        """
        from .. import audit_log
        from .._errors import PolicyRefusal
        from ._verdict import default_model_hash, record_verdict

        actual = default_model_hash(model_dir)
        if actual != self._model_hash:
            raise PolicyRefusal(MSG_NOT_THIS_MODEL.format(model_dir=model_dir,
                                                          audited=self._model_hash,
                                                          actual=actual))
        verdict = record_verdict(model_dir, self.to_json(), model_hash=self._model_hash)
        audit_log.append("audit", purpose="pre-use fairness audit", require_purpose=False,
                         model_hash=self._model_hash,
                         n_subjects=self._audit.population["n_subjects"], output=model_dir,
                         extra={"passed": self.passed})
        return verdict

    def __repr__(self) -> str:
        return f"AuditResult(passed={self.passed}, model={self._model_hash[:12]}, {self._audit!r})"
