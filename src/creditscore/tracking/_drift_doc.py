"""The drift report as a document (rendered by creditscore.reports)."""

from __future__ import annotations

from ..reports import Callout, Document, Figure, Paragraph, Section, Table
from ..reports._figures import index_bars
from ..reports._format import count, num
from ._levels import PSI_LIMITS, level

__all__ = ["drift_document"]

EXPLAIN = (
    "The population stability index (PSI) compares how the new population's scores are "
    "spread over the training population's score bins; the same index on one feature is the "
    "characteristic stability index (CSI). 0 means identical distributions. Rules of thumb: "
    f"below {PSI_LIMITS[0]} stable, {PSI_LIMITS[0]} to {PSI_LIMITS[1]} a moderate shift worth "
    f"watching, above {PSI_LIMITS[1]} a significant shift: re-evaluate and re-audit the "
    "model before relying on it."
)
TONE = {"stable": "pass", "moderate shift": "warn", "significant shift": "fail"}


def drift_document(report) -> Document:
    frame = report.to_frame()
    reading = level(report.score_psi)
    shifted = frame[(frame["kind"] != "score (PSI)") & (frame["level"] != "stable")]
    rows = [[r.name, r.kind, num(r.index), r.level] for r in frame.itertuples()]
    uri = index_bars(
        frame["name"],
        frame["index"],
        PSI_LIMITS,
        "PSI of the score and CSI of each feature",
        "stability index",
    )
    summary = Callout(
        f"Score PSI {num(report.score_psi)}: {reading}. "
        f"{len(shifted)} of {len(frame) - 1} features shifted.",
        TONE[reading],
    )
    return Document(
        title=report.title,
        subtitle="How far the new population has moved from the one the model was trained on.",
        summary=[
            ("Score PSI", num(report.score_psi)),
            ("Reading", reading),
            ("Reference rows", count(report.n_reference)),
            ("New rows", count(report.n_new)),
        ],
        sections=[
            Section("Summary", [summary, Paragraph(EXPLAIN)]),
            Section(
                "Stability by score and feature",
                [
                    Figure(
                        uri, "Stability index per score and feature, with the limits 0.1 and 0.25"
                    ),
                    Table(["Name", "Kind", "Index", "Reading"], rows),
                ],
            ),
        ],
    )
