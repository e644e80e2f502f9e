"""The fairness report: an audit, written for a reader who is not a statistician."""

from __future__ import annotations

import os

from ._auditinfo import AuditInfo
from ._checks import check_sentence
from ._decision import (
    RECORD_METRIC,
    attribute_sections,
    decision_section,
    kind_counts,
    next_step,
)
from ._document import BulletList, Document, KeyValues, Paragraph, Section, Table
from ._format import count
from ._frontier import frontier_blocks, read_frontier
from ._groups import calibration_blocks, group_tables, proxy_blocks, suppressed_blocks
from ._writer import DocumentReport

__all__ = ["FairnessReport"]

CHECKS_INTRO = (
    "Each check compares one group with a reference group on one measure and says whether "
    "the result is within the limit the policy sets. The checks are grouped by attribute, "
    "the attribute with the worst check first; within each, failed checks come first. "
    "Click an attribute to unfold it. The chart shows each group's flag rate against the "
    "four-fifths band."
)
RECORDS_INTRO = (
    "Records can be uneven: a group whose public records (or late payments) are entered more "
    "often for the same behaviour gets labels biased the same way, so outcome checks measured "
    "against those labels can look fair. The record-disparity screen compares each group's "
    "records with those its other, independently recorded behaviour predicts."
)
HOW_TO_READ = (
    "The audit scores every person in the audited population and looks at who would be "
    "flagged for review (placed in the higher-risk tiers). It then compares groups of people "
    "defined by protected attributes such as sex, age band, ethnicity, hukou and region, and "
    "their combinations. The model never sees these attributes; they are used here only to "
    "check its outcomes. Each check compares one group with a reference group and states "
    "the limit the fairness policy sets. A 95% interval is the range the true value very "
    "probably lies in: with fewer people it is wider."
)


class FairnessReport(DocumentReport):
    """A fairness audit in words, tables and charts.

    Build it with :meth:`from_audit_dir`; read it with :meth:`to_html`,
    :meth:`to_markdown`, :meth:`to_dict` and :meth:`to_frame`; save it with
    :meth:`write`.

    Examples
    --------
    >>> report = FairnessReport.from_audit_dir("out/audit")  # doctest: +SKIP
    >>> report.write("out/reports")  # doctest: +SKIP
    {'html': PosixPath('out/reports/fairness_report.html'), 'md': ...}
    """

    stem = "fairness_report"

    def __init__(self, audit: AuditInfo, mitigation=None):
        self._audit = audit
        self._frontier = mitigation

    @classmethod
    def from_audit_dir(cls, audit_dir: str | os.PathLike, mitigation=None) -> FairnessReport:
        """Read the output directory of ``creditscore audit``.

        Parameters
        ----------
        audit_dir : path
            Holds ``audit.json`` and the per-group metrics.
        mitigation : pandas.DataFrame or path, optional
            The frontier of a mitigation search (one row per candidate model). By
            default a ``mitigation``/``frontier`` table in ``audit_dir``, if any.
        """
        return cls(AuditInfo.from_dir(audit_dir), read_frontier(mitigation, audit_dir))

    @property
    def passed(self) -> bool:
        """True when the audit's gate passed."""
        return self._audit.passed

    @property
    def model_hash(self) -> str | None:
        """The sha256 of the audited model's files."""
        return self._audit.model_hash

    @property
    def suppressed(self) -> list[tuple[str, str]]:
        """The (attribute, group) pairs too small to report."""
        return list(self._audit.suppressed)

    def to_frame(self):
        """The checks, one row each, with the sentence the report prints."""
        frame = self._audit.checks.copy()
        frame["sentence"] = [check_sentence(c) for c in frame.to_dict("records")]
        return frame

    def to_dict(self) -> dict:
        """The report's facts as JSON-ready data: verdict, model hash, checks and frontier."""
        frontier = self._frontier
        counts = kind_counts(self._audit)
        return {
            "passed": self.passed,
            "model": self.model_hash,
            "summary": {"kinds": dict(counts), "next_step": next_step(self._audit, counts).text},
            "checks": self.to_frame().to_dict("records"),
            "groups": [] if self._audit.groups is None else self._audit.groups.to_dict("records"),
            "suppressed": [{"attribute": a, "group": g} for a, g in self.suppressed],
            "proxies": []
            if self._audit.proxies is None
            else self._audit.proxies.to_dict("records"),
            "policy": self._audit.policy,
            "mitigation": None if frontier is None else frontier.to_dict("records"),
        }

    def document(self) -> Document:
        """The fairness report as a :class:`Document`, opening with the verdict screen."""
        audit = self._audit
        return Document(
            title="Fairness report",
            subtitle="The pre-use fairness audit of a credit-scoring model, in plain words.",
            summary=[
                ("Verdict", "PASSED" if audit.passed else "FAILED"),
                ("Target", audit.raw.get("target") or "not recorded"),
                ("Model sha256", audit.model_hash or "not recorded"),
            ],
            lead=decision_section(audit),
            model_hash=audit.model_hash or "",
            sections=[
                Section(
                    "How to read this report",
                    [Paragraph(HOW_TO_READ), KeyValues(_facts(audit.raw))],
                ),
                Section(
                    "Checks by attribute",
                    [
                        Paragraph(
                            CHECKS_INTRO if len(audit.checks) else "The audit recorded no checks."
                        )
                    ],
                    attribute_sections(audit),
                ),
                Section("Uneven records", _record_section_blocks(audit)),
                Section("Flag rates by group", group_tables(audit)),
                Section("Calibration by group", calibration_blocks(audit)),
                Section("Suppressed groups", suppressed_blocks(audit)),
                Section("Proxies", proxy_blocks(audit)),
                Section("Mitigation", frontier_blocks(self._frontier)),
                Section("Policy", _policy_blocks(audit.policy, audit.raw.get("gate_rule"))),
            ],
            footer="Protected attributes were read only for this audit; they never enter "
            "the model.",
        )



def _record_section_blocks(audit: AuditInfo) -> list:
    """Every record-disparity check in words, and the screen's method and rates."""
    rows = [c for c in audit.checks.to_dict("records") if c.get("metric") == RECORD_METRIC]
    screen = audit.raw.get("record_screen")
    screen = screen if isinstance(screen, dict) else {}
    if not rows and not screen:
        return [Paragraph("The record-disparity screen was not run for this audit.")]
    blocks = [Paragraph(RECORDS_INTRO)]
    if screen.get("sentences"):
        blocks.append(BulletList(screen["sentences"]))
    if rows:
        blocks.append(BulletList([check_sentence(c) for c in rows]))
    elif screen.get("skipped"):
        blocks.append(Paragraph(f"The screen did not run: {screen['skipped']}."))
    if isinstance(screen.get("method"), str):
        blocks.append(Paragraph(f"Method: {screen['method']}"))
    table = screen.get("table") or screen.get("groups")
    if isinstance(table, list) and table and all(isinstance(r, dict) for r in table):
        import pandas as pd

        hidden = set(audit.suppressed)
        kept = [r for r in table if (str(r.get("attribute")), str(r.get("group"))) not in hidden]
        if kept:
            blocks.append(Table.from_frame(pd.DataFrame(kept), caption="Observed and expected "
                                                                      "record rates by group"))
    curve = _power_table()
    if curve is not None:
        blocks.append(curve)
    return blocks


def _power_table():
    """How often the whole gate finds over-recording, measured (bench_gate_power.py)."""
    import pandas as pd

    from ..fairness import power_curve

    curve = power_curve()
    if not curve:
        return None
    rows = [{"subjects": r["subjects"], "over-recorded": "1x (fair)" if r["factor"] == 1 else
             f"{r['factor']:g}x", "model": r["target"], "worlds": r["worlds"],
             "failed on ethnicity": f"{r['detected']:.0%}", "failed at all": f"{r['failed']:.0%}"}
            for r in curve["rows"]]
    return Table.from_frame(pd.DataFrame(rows), caption=(
        f"How the screen works, measured: power and false alarms of the whole gate "
        f"({curve['measured']}; {curve['command']}) on synthetic worlds whose minority's "
        "discretionary public records are entered the given number of times as often; on fair "
        "worlds, 'failed at all' is the false-alarm rate."))


def _facts(raw: dict) -> list[tuple[str, str]]:
    """What was audited: the decision that counts as a flag, population, target."""
    decision = raw.get("decision") or {}
    flag = (
        f"placed in risk tier {' or '.join(map(str, decision['flag_tiers']))}"
        if decision.get("flag_tiers")
        else f"a PD of at least {decision['pd_cutoff']}"
        if decision.get("pd_cutoff") is not None
        else "as the policy defines it"
    )
    population = raw.get("population") or {}
    facts = [
        ("Flagged for review means", flag),
        ("Target", raw.get("target")),
        ("People audited", count(population.get("n_subjects"))),
        ("Rows audited (person and date)", count(population.get("n_rows"))),
        ("Attributes not available", ", ".join(raw.get("unavailable_attributes") or [])),
        ("Audited on", raw.get("created")),
    ]
    return [(k, v) for k, v in facts if v]


def _policy_blocks(policy: dict, rule: str | None = None) -> list:
    if not policy:
        return [Paragraph("The audit did not record its policy.")]
    pairs = [(key.replace("_", " "), _policy_text(value)) for key, value in policy.items()]
    blocks = [Paragraph(f"How a check is decided: {rule}")] if rule else []
    return [*blocks, Paragraph("The gate policy the audit applied:"), KeyValues(pairs)]


def _policy_text(value) -> str:
    if isinstance(value, dict):
        return "; ".join(f"{k}: {_policy_text(v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(_policy_text(v) for v in value)
    return str(value)
