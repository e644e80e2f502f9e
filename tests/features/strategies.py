"""Hypothesis strategies for small random record sets of the contract,
and the truncation "as it was known on day t" that the point-in-time rule is
about.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import strategies as st

from creditscore.records._contract import INSURANCE_TYPES, LENDER_TYPES, PRODUCTS, SEVERITIES

START = dt.date(2017, 1, 1)
EXTRACTED = dt.date(2024, 12, 31)
SPAN = (EXTRACTED - START).days
SUBJECTS = ("S1", "S2", "S3")
RECORD_TYPES = ("civil_judgment", "enforcement_default", "tax_arrears",
                "administrative_penalty", "benefit_fraud")


def day(lo: dt.date = START, hi: dt.date = EXTRACTED):
    return st.integers(0, max((hi - lo).days, 0)).map(lambda k: lo + dt.timedelta(days=k))


def _after(d: dt.date, max_days: int = 400):
    """A day on or after ``d`` (not past the extraction day), or None."""
    top = min(max_days, (EXTRACTED - d).days)
    return st.one_of(st.none(), st.integers(-5, top).map(lambda k: d + dt.timedelta(days=k)))


money = st.sampled_from([0.0, 10.0, 250.5, 1000.0, 7300.25])
rarely = st.sampled_from([False, False, False, True])


@st.composite
def obligation(draw, due_lo=START):
    """due_on, paid_on, amount_due, amount_paid, force_majeure of one obligation."""
    due = draw(day(due_lo))
    paid = draw(st.one_of(st.none(), st.integers(-10, 200).map(lambda k: due + dt.timedelta(k))))
    if paid is not None and paid > EXTRACTED:
        paid = None
    amount = draw(money)
    amount_paid = amount if paid is not None else draw(st.sampled_from([0.0, amount / 2]))
    return {"due_on": due, "paid_on": paid, "amount_due": amount, "amount_paid": amount_paid,
            "force_majeure": draw(rarely)}


@st.composite
def contribution(draw):
    ob = draw(obligation())
    period = ob["due_on"].replace(day=1) - dt.timedelta(days=draw(st.sampled_from([0, 20, 40])))
    return {
        "subject_id": draw(st.sampled_from(SUBJECTS)),
        "insurance_type": draw(st.sampled_from(INSURANCE_TYPES)),
        "period": period.replace(day=1),
        "employer_id": draw(st.sampled_from([None, None, "E1", "E2"])),
        "contribution_base": draw(st.sampled_from([3000.0, 5000.0, 9000.0])),
        **ob,
    }


@st.composite
def loan(draw, i):
    opened = draw(day(START, dt.date(2024, 6, 1)))
    closed = draw(_after(opened, 1500))
    product = draw(st.sampled_from(PRODUCTS))
    return {
        "loan_id": f"L{i}", "subject_id": draw(st.sampled_from(SUBJECTS)), "product": product,
        "lender_type": draw(st.sampled_from(LENDER_TYPES)), "opened_on": opened,
        "principal": draw(st.sampled_from([5000.0, 20000.0])),
        "term_months": None if product == "credit_card" else 12, "closed_on": closed,
    }


@st.composite
def repayment(draw, loans):
    lo = draw(st.sampled_from(loans))
    ob = draw(obligation(due_lo=lo["opened_on"] - dt.timedelta(days=30)))
    return {"loan_id": lo["loan_id"], **ob}


@st.composite
def public_record(draw, i):
    occurred = draw(day(START, dt.date(2024, 10, 1)))
    recorded = occurred + dt.timedelta(days=draw(st.integers(0, 60)))
    opened = draw(_after(recorded, 300))
    closed = draw(_after(opened, 300)) if opened else None
    return {
        "record_id": f"P{i}", "subject_id": draw(st.sampled_from(SUBJECTS)),
        "record_type": draw(st.sampled_from(RECORD_TYPES)),
        "severity": draw(st.sampled_from(SEVERITIES)), "occurred_on": occurred,
        "recorded_on": recorded, "amount": draw(st.one_of(st.none(), money)),
        "resolved_on": draw(_after(recorded, 2500)),
        "force_majeure": draw(rarely),
        "dispute_opened_on": opened, "dispute_closed_on": closed,
        "dispute_upheld": draw(st.booleans()) if closed else None,
    }


@st.composite
def record_sets(draw):
    """A small random record set: a few subjects, loans, instalments, contributions, records."""
    loans = [draw(loan(i)) for i in range(draw(st.integers(0, 4)))]
    return {
        "subjects": [{"subject_id": s} for s in SUBJECTS],
        "contributions": draw(st.lists(contribution(), max_size=14)),
        "loans": loans,
        "repayments": draw(st.lists(repayment(loans), max_size=14)) if loans else [],
        "public_records": [draw(public_record(i)) for i in range(draw(st.integers(0, 5)))],
    }


def _paid_as_of(row: dict, t: dt.date) -> dict:
    row = dict(row)
    if row["paid_on"] is not None and row["paid_on"] > t:
        row["paid_on"] = None
        row["amount_paid"] = 0.0
    elif row["paid_on"] is None and t < EXTRACTED:
        row["amount_paid"] = 0.0  # an undated partial payment is known on extracted_on only
    return row


def _public_as_of(row: dict, t: dt.date) -> dict:
    row = dict(row)
    if row["resolved_on"] is not None and row["resolved_on"] > t:
        row["resolved_on"] = None
    if row["dispute_opened_on"] is not None and row["dispute_opened_on"] > t:
        row.update(dispute_opened_on=None, dispute_closed_on=None, dispute_upheld=None)
    if row["dispute_closed_on"] is not None and row["dispute_closed_on"] > t:
        row.update(dispute_closed_on=None, dispute_upheld=None)
    return row


def as_known_on(records: dict, t: dt.date) -> dict:
    """The record set as it stood on day t: every row, date and value dated after t dropped.

    * rows that came into existence after t are dropped: contributions and
      instalments due after t, loans opened after t (with their instalments),
      public records recorded after t;
    * dates after t become null, and what they carried goes with them: a
      ``paid_on`` after t (and so the paid amount: 0), a ``closed_on``,
      ``resolved_on`` or ``dispute_closed_on`` after t (and the dispute's
      outcome), a dispute opened after t (and its close and outcome);
    * an undated partial payment (``paid_on`` null, ``amount_paid`` > 0) is
      known only on ``extracted_on``, so before it the amount becomes 0;
    * void records (``dispute_upheld = true``) are dropped: the contract
      voids them at every t, before the dispute as after it.

    ``extracted_on`` (the manifest) describes the extraction, not a record,
    and stays.
    """
    loans = [dict(lo, closed_on=lo["closed_on"] if lo["closed_on"] and lo["closed_on"] <= t
                  else None) for lo in records["loans"] if lo["opened_on"] <= t]
    kept = {lo["loan_id"] for lo in loans}
    return {
        "subjects": records["subjects"],
        "contributions": [_paid_as_of(c, t) for c in records["contributions"] if c["due_on"] <= t],
        "loans": loans,
        "repayments": [_paid_as_of(r, t) for r in records["repayments"]
                       if r["due_on"] <= t and r["loan_id"] in kept],
        "public_records": [_public_as_of(p, t) for p in records["public_records"]
                           if p["recorded_on"] <= t and p["dispute_upheld"] is not True],
    }


def with_suffix(records: dict, suffix: str) -> dict:
    """The same records under other subject, loan and record ids (to build several at once)."""
    def ren(row, *cols):
        return {**row, **{c: f"{row[c]}{suffix}" for c in cols if row.get(c) is not None}}

    return {
        "subjects": [ren(s, "subject_id") for s in records["subjects"]],
        "contributions": [ren(c, "subject_id") for c in records["contributions"]],
        "loans": [ren(lo, "subject_id", "loan_id") for lo in records["loans"]],
        "repayments": [ren(r, "loan_id") for r in records["repayments"]],
        "public_records": [ren(p, "subject_id", "record_id") for p in records["public_records"]],
    }
