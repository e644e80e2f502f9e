"""The labels, computed the slow and obvious way straight from the contract's text."""

from __future__ import annotations

import datetime as dt

from creditscore.records import load_catalogue

DAY = dt.timedelta(days=1)


def _late90_on(row):
    """The day the obligation becomes 90 days late, or None if it never does."""
    d = row["due_on"] + 90 * DAY
    if row["force_majeure"]:
        return None
    if row["paid_on"] is None or row["paid_on"] > d:
        return d
    return None


def _already_late_unpaid(row, t):
    d = _late90_on(row)
    return d is not None and d <= t and (row["paid_on"] is None or row["paid_on"] > t)


def _default(records, subject, t):
    loans = [lo for lo in records["loans"] if lo["subject_id"] == subject]
    open_ids = {lo["loan_id"] for lo in loans
                if lo["opened_on"] <= t and (lo["closed_on"] is None or lo["closed_on"] > t)}
    ids = {lo["loan_id"] for lo in loans}
    mine = [r for r in records["repayments"] if r["loan_id"] in ids]
    if not open_ids or any(_already_late_unpaid(r, t) for r in mine):
        return None
    window_end = t + 365 * DAY
    return int(any(
        r["loan_id"] in open_ids and (d := _late90_on(r)) is not None and t < d <= window_end
        for r in mine
    ))


def _breach(records, subject, t, breach_types):
    own = [c for c in records["contributions"]
           if c["subject_id"] == subject and c["employer_id"] is None]
    public = [p for p in records["public_records"]
              if p["subject_id"] == subject and p["record_type"] in breach_types
              and p["dispute_upheld"] is not True and not p["force_majeure"]]

    def under_dispute(p):
        return (p["dispute_opened_on"] is not None and p["dispute_opened_on"] <= t
                and (p["dispute_closed_on"] is None or p["dispute_closed_on"] > t))

    if any(_already_late_unpaid(c, t) for c in own) or any(
        p["recorded_on"] <= t and (p["resolved_on"] is None or p["resolved_on"] > t)
        and not under_dispute(p) for p in public
    ):
        return None
    window_end = t + 365 * DAY
    late = any((d := _late90_on(c)) is not None and t < d <= window_end for c in own)
    recorded = any(t < p["recorded_on"] <= window_end for p in public)
    return int(late or recorded)


def reference_labels(records: dict, days, extracted_on: dt.date) -> dict:
    """{(subject_id, t): (default_12m, breach_12m)} for every subject and day."""
    breach_types = set(load_catalogue().breach_types)
    out = {}
    for s in records["subjects"]:
        for t in days:
            if t + 365 * DAY > extracted_on:
                out[(s["subject_id"], t)] = (None, None)
            else:
                out[(s["subject_id"], t)] = (
                    _default(records, s["subject_id"], t),
                    _breach(records, s["subject_id"], t, breach_types),
                )
    return out
