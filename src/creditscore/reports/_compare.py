"""Two models side by side: champion and challenger, or a model and its mitigated candidate.

The page a reviewer reads before choosing: accuracy (AUC, Gini, KS) and
calibration (Brier score, expected calibration error, calibration in the
large) with their intervals, the fairness verdict of each, the flag rate of
every group under each model, and a chart of the two. Each side is a model
directory and its audit (``MODEL_DIR/audit`` unless another is given).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from ._auditinfo import AuditInfo
from ._checkfacts import check_kind
from ._decision import kind_counts
from ._document import Callout, Document, Figure, KeyValues, Paragraph, Section, Table
from ._format import count, num, pct, with_ci
from ._modelinfo import ModelInfo
from ._writer import DocumentReport

__all__ = ["ModelComparison"]

METRICS = (
    ("auc", "AUC (higher ranks risk better)", num),
    ("gini", "Gini", num),
    ("ks", "KS", num),
    ("brier", "Brier score (lower is better)", num),
    ("ece", "Expected calibration error (lower is better)", num),
    ("citl", "Calibration in the large (0 is calibrated)", num),
    ("mean_pd", "Average predicted PD", pct),
    ("event_rate", "Observed event rate", pct),
    ("n", "Rows evaluated", count),
)
MSG_SAME = "{a} and {b} are the same model (same hash): nothing to compare"


@dataclass(frozen=True)
class _Side:
    label: str
    info: ModelInfo
    audit: AuditInfo | None

    @classmethod
    def read(cls, model_dir, audit_dir, label):
        info = ModelInfo.from_dir(model_dir)
        path = Path(audit_dir) if audit_dir is not None else Path(model_dir) / "audit"
        audit = AuditInfo.from_dir(path) if (path / "audit.json").is_file() else None
        name = label or f"{Path(model_dir).name} ({info.kind})"
        return cls(name, info, audit)

    def metric(self, name: str):
        rows = [r for r in self.info.metric_rows() if r.as_of is None and r.metric == name]
        return rows[0] if rows else None

    @property
    def verdict(self) -> str:
        if self.audit is None:
            return "not audited"
        if self.audit.model_hash and self.audit.model_hash != self.info.model_hash:
            return "void (the audit is of other model files)"
        return "PASSED" if self.audit.passed else "FAILED"


class ModelComparison(DocumentReport):
    """Two audited models side by side.

    Examples
    --------
    >>> page = ModelComparison.from_model_dirs("models/a", "models/b")  # doctest: +SKIP
    >>> page.write("reports")  # doctest: +SKIP
    """

    stem = "comparison"

    def __init__(self, a: _Side, b: _Side):
        self._a, self._b = a, b

    @classmethod
    def from_model_dirs(
        cls,
        model_a: str | os.PathLike,
        model_b: str | os.PathLike,
        *,
        audit_a=None,
        audit_b=None,
        labels: tuple[str, str] | None = None,
    ) -> ModelComparison:
        """Read both model directories and their audits (default ``MODEL_DIR/audit``)."""
        labels = labels or (None, None)
        return cls(_Side.read(model_a, audit_a, labels[0]), _Side.read(model_b, audit_b, labels[1]))

    def to_frame(self):
        """One row per measure: the value under each model and the difference."""
        import pandas as pd

        rows = []
        for key, label, _ in METRICS:
            ra, rb = self._a.metric(key), self._b.metric(key)
            if ra is None and rb is None:
                continue
            va, vb = (None if r is None else r.value for r in (ra, rb))
            diff = vb - va if va is not None and vb is not None else None
            rows.append({"measure": label, "a": va, "b": vb, "b_minus_a": diff})
        return pd.DataFrame(rows, columns=["measure", "a", "b", "b_minus_a"])

    def to_dict(self) -> dict:
        """The comparison's facts as JSON-ready data: each model's hash, verdict and metrics."""
        return {
            "a": {"label": self._a.label, "model_hash": self._a.info.model_hash,
                  "verdict": self._a.verdict},
            "b": {"label": self._b.label, "model_hash": self._b.info.model_hash,
                  "verdict": self._b.verdict},
            "metrics": self.to_frame().to_dict("records"),
            "flag_rates": self.flag_rates().to_dict("records"),
        }

    def flag_rates(self):
        """Per (attribute, group) present under both audits: each model's flag rate."""
        import pandas as pd

        frames = []
        for side, tag in ((self._a, "a"), (self._b, "b")):
            g = None if side.audit is None else side.audit.groups
            if g is None or "flag_rate" not in g.columns:
                return pd.DataFrame(columns=["attribute", "group", "a", "b"])
            cols = ["attribute", "group", "flag_rate"] + [
                c for c in ("flag_rate_ci_low", "flag_rate_ci_high") if c in g.columns
            ]
            frames.append(g[cols].rename(columns={c: c.replace("flag_rate", tag) for c in cols}))
        return frames[0].merge(frames[1], on=["attribute", "group"], how="inner")

    def document(self) -> Document:
        """The comparison as a :class:`Document`: the two models side by side."""
        a, b = self._a, self._b
        return Document(
            title=f"Comparison: {a.label} and {b.label}",
            subtitle="Two models side by side: accuracy, calibration, flag rates by group, "
            "fairness verdict.",
            summary=[("A", f"{a.label}: {a.verdict}"), ("B", f"{b.label}: {b.verdict}")],
            lead=Section("Decision", self._lead_blocks()),
            model_hash=f"A {a.info.model_hash[:16]} B {b.info.model_hash[:16]}",
            sections=[
                Section("The two models", [KeyValues(self._identity())]),
                Section("Flag rates by group", self._flag_blocks()),
            ],
            footer="Each figure is from the model's own evaluation (metrics.json) and audit.",
        )

    def _identity(self) -> list[tuple[str, str]]:
        pairs = []
        for tag, side in (("A", self._a), ("B", self._b)):
            pairs += [
                (f"{tag}: model directory", str(side.info.path)),
                (f"{tag}: target and kind", f"{side.info.target}, {side.info.kind}"),
                (f"{tag}: model sha256", side.info.model_hash),
                (f"{tag}: trained until", side.info.train_until or "not recorded"),
            ]
        return pairs

    def _lead_blocks(self) -> list:
        a, b = self._a, self._b
        rows = [["Fairness gate", a.verdict, b.verdict, ""], *self._fairness_rows()]
        for key, label, fmt in METRICS:
            ra, rb = a.metric(key), b.metric(key)
            if ra is None and rb is None:
                continue
            cells = [with_ci(r.value, r.ci_low, r.ci_high, fmt) if r else "" for r in (ra, rb)]
            diff = num(rb.value - ra.value) if ra and rb and key != "n" else ""
            rows.append([label, *cells, diff])
        blocks = [Table(["Measure", f"A: {a.label}", f"B: {b.label}", "B minus A"], rows,
                        caption="Side by side (95% intervals in brackets)")]
        if a.info.model_hash == b.info.model_hash:
            blocks.insert(0, Callout(MSG_SAME.format(a=a.label, b=b.label), "warn"))
        if a.info.target != b.info.target:
            blocks.insert(0, Callout(f"The models predict different targets ({a.info.target} "
                                     f"and {b.info.target}): their figures are not comparable "
                                     "one for one.", "warn"))
        blocks.append(_choice(a, b))
        return blocks

    def _fairness_rows(self) -> list[list[str]]:
        out = []
        for label, fn in (
            ("Checks failed", lambda s: str(kind_counts(s.audit)["failed"])),
            ("Checks inconclusive", lambda s: str(kind_counts(s.audit)["inconclusive"])),
            ("Worst flag-rate ratio (limit 0.8)", _worst_ratio),
        ):
            cells = ["" if s.audit is None else fn(s) for s in (self._a, self._b)]
            out.append([label, *cells, ""])
        return out

    def _flag_blocks(self) -> list:
        frame = self.flag_rates()
        if frame.empty:
            return [Paragraph("Flag rates by group need an audit of each model.")]
        rows = [
            [r.attribute, r.group, with_ci(r.a, getattr(r, "a_ci_low", None),
                                           getattr(r, "a_ci_high", None), pct),
             with_ci(r.b, getattr(r, "b_ci_low", None), getattr(r, "b_ci_high", None), pct),
             num(100 * (r.b - r.a))]
            for r in frame.itertuples()
        ]
        from ._figures import paired_group_bars

        uri = paired_group_bars(frame, "a", "b", (f"A: {self._a.label}", f"B: {self._b.label}"),
                                "Flag rate by group under each model")
        return [
            Table(["Attribute", "Group", "A flagged", "B flagged", "B minus A (points)"], rows),
            Figure(uri, "Share of each group flagged for review under each model, with 95% "
                        "intervals"),
        ]


def _worst_ratio(side: _Side) -> str:
    ratios = [
        c for c in side.audit.checks.to_dict("records")
        if c.get("metric") == "flag_rate_ratio" and check_kind(c) != "not_comparable"
        and c.get("value") is not None and c.get("value") == c.get("value")
    ]
    if not ratios:
        return "none computed"
    worst = min(ratios, key=lambda c: float(c["value"]))
    return f"{num(worst['value'])} ({worst['attribute']} \u201c{worst['group']}\u201d)"


def _choice(a: _Side, b: _Side) -> Callout:
    passed = [s for s in (a, b) if s.verdict == "PASSED"]
    if not passed:
        return Callout("Neither model passed the fairness gate: neither may be used.", "fail")
    if len(passed) == 1:
        return Callout(f"Only {passed[0].label} passed the fairness gate: it is the only one "
                       "that may be used.", "warn")
    auc = {s.label: (s.metric("auc").value if s.metric("auc") else None) for s in passed}
    if None in auc.values():
        return Callout("Both models passed the fairness gate; compare the figures above.", "pass")
    best = max(auc, key=auc.get)
    return Callout(f"Both models passed the fairness gate; {best} ranks risk better "
                   f"(AUC {num(auc[best])}).", "pass")
