"""The outcome of one retraining: challenger against champion, gate, drift."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from ._champion import Comparison, decide
from ._drift import DriftReport
from ._gate import GateVerdict
from ._registry import _resolve_version, promote_if_passed
from ._store import registered_model_name, using_tracking

__all__ = ["RetrainResult"]


@dataclass(frozen=True)
class RetrainResult:
    """What a retraining did and why.

    Attributes
    ----------
    target : str
    promoted : bool
        Whether the challenger now holds the ``champion`` alias.
    reason : str
        The decision in words.
    challenger_version, champion_version : str or None
        Registered versions (champion: the one holding the alias before).
    challenger_auc, champion_auc : float or None
        AUC on the latest out-of-time window ``oot_as_of``.
    gate : GateVerdict
        The challenger's audit verdict.
    drift : DriftReport or None
        Champion's training population against the new data (None without a
        champion or a reference).
    """

    target: str
    promoted: bool
    reason: str
    run_id: str
    challenger_dir: Path
    challenger_version: str
    challenger_auc: float
    champion_version: str | None
    champion_auc: float | None
    oot_as_of: str
    train_until: str
    margin: float
    gate: GateVerdict
    drift: DriftReport | None = None
    paths: dict[str, Path] = field(default_factory=dict)

    def to_frame(self):
        """One row per model: role, version, out-of-time AUC, audit."""
        import pandas as pd

        rows = [
            {
                "role": "challenger",
                "version": self.challenger_version,
                "auc": self.challenger_auc,
                "audit_passed": self.gate.passed,
            }
        ]
        if self.champion_version is not None:
            rows.append(
                {
                    "role": "champion",
                    "version": self.champion_version,
                    "auc": self.champion_auc,
                    "audit_passed": True,
                }
            )
        return pd.DataFrame(rows)

    def to_dict(self) -> dict:
        """The retraining result as JSON-ready data: target, promotion, reason, run and figures."""
        return {
            "target": self.target,
            "promoted": self.promoted,
            "reason": self.reason,
            "run_id": self.run_id,
            "challenger_dir": str(self.challenger_dir),
            "challenger_version": self.challenger_version,
            "challenger_auc": self.challenger_auc,
            "champion_version": self.champion_version,
            "champion_auc": self.champion_auc,
            "oot_as_of": self.oot_as_of,
            "train_until": self.train_until,
            "margin": self.margin,
            "gate": self.gate.to_dict(),
            "drift": None if self.drift is None else self.drift.to_dict(),
            "paths": {k: str(v) for k, v in self.paths.items()},
        }

    def document(self):
        """The retraining report as a :class:`~creditscore.reports.Document`."""
        from ..reports import Callout, Document, KeyValues, Paragraph, Section, Table
        from ..reports._format import num

        frame = self.to_frame()
        frame["auc"] = frame["auc"].map(num)
        drift = (
            Paragraph("No drift report: no champion, or no stored training distribution.")
            if self.drift is None
            else Paragraph(
                f"Score PSI between the champion's training population and the new "
                f"data: {num(self.drift.score_psi)} (see drift_report.html)."
            )
        )
        return Document(
            title=f"Retraining: {self.target}",
            subtitle="A challenger trained on new records, gated and compared with the champion.",
            summary=[
                ("Decision", "promoted" if self.promoted else "not promoted"),
                ("Out-of-time window", self.oot_as_of),
                ("Margin", self.margin),
            ],
            sections=[
                Section(
                    "Decision",
                    [
                        Callout(self.reason, "pass" if self.promoted else "warn"),
                        Table.from_frame(frame),
                    ],
                ),
                Section("Fairness gate", [KeyValues(self.gate.to_dict().items())]),
                Section("Drift", [drift]),
            ],
        )

    def to_html(self) -> str:
        """The retraining report as self-contained HTML."""
        from ..reports import render_html

        return render_html(self.document())

    def to_markdown(self) -> str:
        """The retraining report as Markdown."""
        from ..reports import render_markdown

        return render_markdown(self.document())

    def write(self, out_dir: str | os.PathLike) -> dict[str, Path]:
        """Write ``retrain_report.html`` and ``.md`` into ``out_dir`` (atomically)."""
        from ..reports import write_document

        return write_document(self.document(), out_dir, "retrain_report")


def _decide(o: _Outcome) -> tuple[bool, str]:
    """The champion rule (``_champion.decide``) on the out-of-time window's AUCs."""
    comparison = None
    if o.champion_auc is not None:
        rows = o.rows
        n, events = (0, 0) if rows is None else (len(rows), int(rows[o.target].sum()))
        comparison = Comparison(o.challenger_auc, o.champion_auc, o.margin, n, events, (o.oot,),
                                "the out-of-time window")
    return decide(o.gate, comparison,
                  None if o.champion is None else f"the champion (version {o.champion})")


@dataclass
class _Outcome:
    """What retraining learned before it decided."""

    target: str
    uri: str | None
    run_id: str
    model_dir: Path
    reports: Path
    paths: dict
    oot: str
    train_until: str
    margin: float
    gate: object
    challenger_auc: float
    champion: str | None
    champion_auc: float | None
    drift: DriftReport | None
    subjects: str = "person"
    #: the out-of-time rows both models were measured on
    rows: object = None


def _record(client, name: str, version: str, o: _Outcome, promoted: bool, reason: str) -> None:
    client.set_model_version_tag(name, version, "retrain_decision", reason[:500])
    metrics = {"retrain.challenger_auc": o.challenger_auc, "retrain.promoted": float(promoted)}
    if o.champion_auc is not None:
        metrics["retrain.champion_auc"] = o.champion_auc
    if o.drift is not None:
        metrics.update(o.drift.metrics())
        o.paths["drift_report"] = o.drift.write(o.reports)["html"]
        client.log_artifact(o.run_id, str(o.paths["drift_report"]), "drift")
    for key, value in metrics.items():
        client.log_metric(o.run_id, key, float(value))


def _finish(o: _Outcome) -> RetrainResult:
    """Promote (or not), record the decision on the run and the version, write the report."""
    from mlflow import MlflowClient

    promote, reason = _decide(o)
    name = registered_model_name(o.target, o.subjects)
    promoted = False
    with using_tracking(o.uri):
        client = MlflowClient()
        version = _resolve_version(client, name, o.run_id)
        if promote:
            promotion = promote_if_passed(version, o.model_dir, target=o.target, rows=o.rows,
                                          margin=o.margin)
            promoted = promotion.promoted
            if not promoted:
                reason = promotion.reason
        _record(client, name, version, o, promoted, reason)
    result = RetrainResult(
        target=o.target,
        promoted=promoted,
        reason=reason,
        run_id=o.run_id,
        challenger_dir=o.model_dir,
        challenger_version=version,
        challenger_auc=o.challenger_auc,
        champion_version=o.champion,
        champion_auc=o.champion_auc,
        oot_as_of=o.oot,
        train_until=o.train_until,
        margin=o.margin,
        gate=o.gate,
        drift=o.drift,
        paths=o.paths,
    )
    result.paths["retrain_report"] = result.write(o.reports)["html"]
    return result
