"""What one subject's letter says: a small result object, and what was written."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

__all__ = ["SubjectLetter", "LetterResult", "DISPUTE_CONTACT"]

DISPUTE_CONTACT = "the credit information office that sent you this letter"
TARGET_TEXT = {
    "default_12m": "the risk that an instalment of one of your loans becomes 90 days late "
    "within the next 12 months",
    "breach_12m": "the risk that a social insurance contribution you owe becomes 90 days late, "
    "or that a breach record (such as an enforcement default) is entered, within "
    "the next 12 months",
}
TIER_TEXT = {
    "A": "no action",
    "B": "routine monitoring",
    "C": "early-warning review",
    "D": "support and human review",
}
SOURCES = ("public record", "loan", "instalment", "contribution")


@dataclass(frozen=True)
class SubjectLetter:
    """Everything one letter says (not fitted; rendered by :func:`render_letter`)."""

    subject_id: str
    as_of: dt.date
    purpose: str
    target: str | None
    model_hash: str | None
    pd: float
    score: float | None
    tier: str
    reasons: tuple[str, ...]
    recourse: str | None
    records: pd.DataFrame = field(repr=False)
    dispute_contact: str = DISPUTE_CONTACT
    issued_on: dt.date = field(default_factory=dt.date.today)

    @property
    def records_used(self) -> pd.DataFrame:
        """Records counted at ``as_of`` (on-time payments are summarised, not listed)."""
        r = self.records
        keep = (r["status"] == "used") & (r["source"].isin(SOURCES[:2]) | r["negative"])
        return r[keep]

    @property
    def records_left_out(self) -> pd.DataFrame:
        """The subject's records the features did not read, with the reason for each."""
        return self.records[self.records["status"] != "used"]

    @property
    def payments_summary(self) -> list[str]:
        """Plain-language lines on the payments the features read that were on time."""
        r = self.records
        ok = r[(r["status"] == "used") & ~r["negative"] & r["source"].isin(SOURCES[2:])]
        return [
            f"{n} {src}{'s' if n != 1 else ''}: paid on time, or owed by an employer"
            for src, n in ok["source"].value_counts(sort=False).items()
        ]

    def to_dict(self) -> dict:
        """The letter's content as JSON-ready data (subject, date, purpose, score, reasons,
        records).
        """
        return {
            "subject_id": self.subject_id,
            "as_of": str(self.as_of),
            "purpose": self.purpose,
            "target": self.target,
            "model_hash": self.model_hash,
            "pd": self.pd,
            "score": self.score,
            "tier": self.tier,
            "reasons": list(self.reasons),
            "recourse": self.recourse,
            "records_used": _records(self.records_used),
            "records_left_out": _records(self.records_left_out),
        }

    def context(self) -> dict:
        """The variables the templates read."""
        return {
            **self.to_dict(),
            "issued_on": str(self.issued_on),
            "target_text": TARGET_TEXT.get(self.target or "", "the risk the model assesses"),
            "tier_text": TIER_TEXT.get(self.tier, ""),
            "pd_text": f"{self.pd:.1%}",
            "score_text": "" if self.score is None else f"{self.score:.0f}",
            "payments_summary": self.payments_summary,
            "dispute_contact": self.dispute_contact,
        }


def _records(frame: pd.DataFrame) -> list[dict]:
    out = frame.astype(object).where(frame.notna(), None).to_dict("records")
    for r in out:
        r["date"] = "" if r["date"] is None else str(r["date"])
        r["shown_until"] = "" if r["shown_until"] is None else str(r["shown_until"])
    return out


@dataclass(frozen=True)
class LetterResult:
    """What ``write_letter`` wrote, and what the audit log records of it."""

    html: Path
    markdown: Path
    subject_id: str
    purpose: str
    model_hash: str | None
    n_subjects: int = 1
    #: sha256 of the records the letter was made from (the subject's rows), for the log
    input_fingerprint: str | None = None

    @property
    def paths(self) -> tuple[Path, Path]:
        """The letter's HTML and Markdown files."""
        return (self.html, self.markdown)

    def to_dict(self) -> dict:
        """The JSON-ready summary of an ``explain`` run (command, purpose, model, subjects,
        outputs).
        """
        return {
            "command": "explain",
            "purpose": self.purpose,
            "model": self.model_hash,
            "n_subjects": self.n_subjects,
            "outputs": [str(p) for p in self.paths],
        }
