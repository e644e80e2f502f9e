"""The mitigation frontier, shown where a mitigation search was run.

A search (``creditscore mitigate``) tries less discriminatory alternatives and
writes one row per candidate model (its accuracy, its disparity, its
verdict). The fairness report and the model card of the chosen candidate show
that frontier as an optional section: a chart of accuracy against disparity
and the table. It is fed by a frontier table (a ``pandas.DataFrame``, a file,
or anything with a ``frontier`` attribute such as ``MitigationResult``), or by
a ``mitigation``/``frontier`` table found in the audit directory.
"""

from __future__ import annotations

import os
from pathlib import Path

from ._document import Figure, Paragraph, Table
from ._figures import frontier_chart
from ._mitigation import is_mitigation_frontier, mitigation_blocks
from ._sources import read_table

__all__ = ["read_frontier", "frontier_blocks", "FRONTIER_FILES"]

FRONTIER_FILES = ("mitigation", "frontier", "mitigation_frontier")
ACCURACY_COLUMNS = ("auc", "gini", "accuracy", "balanced_accuracy")
DISPARITY_HINTS = ("ratio", "disparity", "difference", "gap", "fpr")
LABEL_COLUMNS = ("candidate", "name", "method", "model", "strategy")


def read_frontier(mitigation=None, audit_dir: str | os.PathLike | None = None):
    """The frontier table from ``mitigation`` (see the module docstring), or None."""
    if mitigation is None:
        return None if audit_dir is None else _find_frontier(Path(audit_dir))
    if hasattr(mitigation, "frontier"):  # a fairness.MitigationResult
        return mitigation.frontier
    if hasattr(mitigation, "columns"):
        return mitigation
    return read_table(Path(mitigation))


def _find_frontier(audit_dir: Path):
    for stem in FRONTIER_FILES:
        for ext in (".parquet", ".csv", ".json"):
            if (audit_dir / f"{stem}{ext}").is_file():
                return read_table(audit_dir / f"{stem}{ext}")
    return None


def frontier_blocks(frame) -> list:
    """The optional mitigation section: the frontier chart and table, or a sentence."""
    if frame is None or len(frame) == 0:
        return [Paragraph("No mitigation was run for this audit.")]
    if is_mitigation_frontier(frame):  # creditscore mitigate's: intervals and verdicts
        return mitigation_blocks(frame)
    accuracy = next((c for c in ACCURACY_COLUMNS if c in frame.columns), None)
    disparity = next(
        (
            c
            for h in DISPARITY_HINTS
            for c in frame.columns
            if c != accuracy and h in str(c).lower()
        ),
        None,
    )
    label = next((c for c in LABEL_COLUMNS if c in frame.columns), None)
    blocks = [
        Paragraph(
            "When the gate fails, less discriminatory alternatives are searched (dropping or "
            "neutralising proxies, reweighing, constrained training). Each candidate below is a "
            "model of its own; any candidate must pass the gate like any other model before use. "
            "The frontier shows how much accuracy each step towards equal treatment costs."
        )
    ]
    if accuracy and disparity:
        uri = frontier_chart(frame, disparity, accuracy, "Accuracy against disparity", label)
        blocks.append(Figure(uri, f"Candidate models: {accuracy} against {disparity}"))
    blocks.append(Table.from_frame(frame, caption="The mitigation frontier"))
    return blocks
