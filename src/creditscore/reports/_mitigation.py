"""The mitigation section of the fairness report and the model card.

Fed by the frontier table of ``creditscore mitigate`` (``MitigationResult.frontier``
or its ``frontier.csv``: one row per model with intervals, what it changed, its
verdict): the frontier figure with intervals (``fairness.frontier_figure``)
and a table of every candidate.
"""

from __future__ import annotations

from ._document import Figure, Paragraph, Table
from ._render import figure_data_uri

__all__ = ["mitigation_blocks", "is_mitigation_frontier", "COLUMNS_NEEDED"]

COLUMNS_NEEDED = ("candidate", "changed", "auc", "auc_low", "auc_high", "worst_flag_rate_ratio",
                  "ratio_low", "ratio_high", "worst_fpr_difference", "passed", "chosen")

INTRO = (
    "The model failed the fairness gate, so less discriminatory alternatives were searched. "
    "Each candidate below is a model of its own, trained like the original with one change, "
    "and audited by the same gate under the same policy on the same rows. The chosen one is "
    "the most accurate candidate that passes. Protected attributes weighed training rows for "
    "some candidates; no candidate reads them, and none decides differently by group."
)
COLUMNS = ("Candidate", "What it changes", "AUC (95% interval)",
           "Worst flag-rate ratio (95% interval)", "Worst FPR difference", "Gate", "Chosen")


def is_mitigation_frontier(frame) -> bool:
    """A frontier written by ``creditscore mitigate`` (it has intervals and verdicts)."""
    return frame is not None and set(COLUMNS_NEEDED) <= set(getattr(frame, "columns", ()))


def mitigation_blocks(frame) -> list:
    """Paragraphs, the frontier figure with intervals and the candidate table."""
    from ..fairness import frontier_figure

    blocks = [Paragraph(INTRO), Paragraph(_outcome(frame))]
    if len(frame) > 1:
        blocks.append(Figure(figure_data_uri(frontier_figure(frame)),
                             "Accuracy against discrimination for every candidate (95% "
                             "intervals; dashed: the policy's limits)"))
    rows = [[r["candidate"], r["changed"], _ci(r["auc"], r["auc_low"], r["auc_high"]),
             _ci(r["worst_flag_rate_ratio"], r["ratio_low"], r["ratio_high"]),
             _num(r["worst_fpr_difference"]), "passed" if r["passed"] else "failed",
             "yes" if r["chosen"] else ""] for r in frame.to_dict("records")]
    blocks.append(Table(COLUMNS, rows, caption="The mitigation frontier"))
    return blocks


def _outcome(frame) -> str:
    rows = frame.to_dict("records")
    chosen = [r for r in rows if r["chosen"]]
    if len(rows) == 1 and rows[0]["passed"]:
        return "The model passed the gate already: no change was needed."
    if not chosen:
        return "No candidate passed the gate: the model may not be used."
    c, o = chosen[0], rows[0]
    return (f"Chosen: {c['candidate']} ({c['changed']}), AUC {_num(c['auc'])} against "
            f"{_num(o['auc'])} for the model that failed; worst flag-rate ratio "
            f"{_num(c['worst_flag_rate_ratio'])} against {_num(o['worst_flag_rate_ratio'])}.")


def _num(v) -> str:
    return "" if v is None or v != v else f"{float(v):.3f}"


def _ci(v, low, high) -> str:
    if v is None or v != v:
        return ""
    if low is None or high is None or low != low or high != high:
        return _num(v)
    return f"{float(v):.3f} ({float(low):.3f} to {float(high):.3f})"
