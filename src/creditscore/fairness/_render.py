"""Plain Markdown renderings of audit and mitigation results (the full HTML
fairness report is the reports stage's; this is the summary beside audit.json)."""

from __future__ import annotations

import pandas as pd

__all__ = ["audit_markdown", "table"]

_RULE = (
    "A check fails only when its estimate and its whole confidence interval lie beyond the "
    "threshold; it is inconclusive (passes, listed for review) when the estimate is beyond and "
    "the interval reaches back across. The flag-rate ratio is the four-fifths screen: a "
    "screening rule that stops the model for review, not a finding of discrimination."
)


def table(frame: pd.DataFrame, columns: list[str]) -> str:
    """A Markdown table of the given columns (empty frame: a dash)."""
    if frame.empty:
        return "-\n"
    cols = [c for c in columns if c in frame.columns]
    lines = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for row in frame[cols].itertuples(index=False):
        lines.append("| " + " | ".join(_cell(v) for v in row) + " |")
    return "\n".join(lines) + "\n"


def _cell(v) -> str:
    if v is None or (isinstance(v, float) and v != v):
        return "-"
    if isinstance(v, float):
        return f"{v:.3f}"
    return str(v)


def audit_markdown(audit, title: str = "Fairness audit") -> str:
    checks = audit.checks
    cols = ["attribute", "metric", "group", "reference", "value", "threshold", "ci_low",
            "ci_high", "n", "gate", "status"]
    parts = [
        f"# {title}\n",
        f"**Verdict: {'PASSED' if audit.passed else 'FAILED'}** "
        f"({len(audit.failed)} failing gate checks of {int(checks['gate'].sum())}).\n",
        f"{_RULE}\n",
        "## Failing checks\n", table(checks[checks["status"] == "fail"], cols),
        "\n## Inconclusive checks (for review)\n",
        table(checks[checks["status"] == "inconclusive"], cols),
        "\n## Suppressed groups\n", table(audit.suppressed, ["attribute", "group", "reason"]),
        "\n## Groups\n",
        table(audit.to_frame(), ["attribute", "group", "n", "flag_rate", "fpr", "fnr", "mean_pd",
                                 "observed_rate", "auc"]),
    ]
    return "\n".join(parts)
