"""The point-in-time rule and the catalogue, in one place.

Every feature and every label reads the record tables only through the
expressions this module returns (directly, or through :mod:`._relations`).
They are Ibis expressions, so the same rule compiles to DuckDB and to Spark.

Two stages:

``prepare_*``
    record-level columns that do not depend on the observation date t
    (money in whole cents, days from due date to payment, the day a negative
    item's display period ends, catalogue flags). Void and force-majeure
    public records and record types the catalogue does not allow are dropped
    here; contributions due and paid together are summed into payment groups.
``visible_*``
    the prepared records joined to the observation dates (an inequality join
    on the day each record came into existence), with the t-dependent columns
    (paid by t, days late at t, open at t, under dispute at t) and only the
    rows that are visible at t.

The relations the features read (windows, months, employers, the last
card statement) are shaped from these expressions by :mod:`._relations`,
which applies no rule of its own.

Decisions (the record contract (guide: records), "Visibility at an observation date t"):

* existence: a contribution or instalment exists at t once ``due_on <= t``
  (an instalment also needs its loan ``opened_on <= t``); a loan once
  ``opened_on <= t``; a public record once ``recorded_on <= t``.
* payment: an obligation is paid at t only if ``paid_on <= t``; its
  lateness at t is ``paid_on - due_on`` when paid by t, else ``t - due_on``
  (days, negative when paid early). The paid *amount* is known at t only
  when ``paid_on <= t`` or ``t >= extracted_on`` (a partial payment carries
  no date); otherwise it is unknown (null), never guessed.
* negative item: an obligation of the subject's own that is late at t
  (``days_late > 0``), not force majeure; every visible public record.
  A contribution with an ``employer_id`` is the employer's obligation and is
  never the subject's negative item (it still describes employment).
* display period (expiry): a negative item whose negative state ended on
  day ``e`` (a late obligation paid on ``paid_on``, a record resolved on
  ``resolved_on``) is left out at every t with ``t >= e + M months``, where M
  is the catalogue's ``display_period_months`` for the record type (public
  records) or for ``late_instalment`` / ``unpaid_contribution``; ``e + M
  months`` is calendar month arithmetic clamped to the month's last day
  (2020-02-29 + 60 months = 2025-02-28). So the item is shown on the days
  ``[e, e + M months)`` and left out from ``e + M months`` on. An item whose
  negative state has not ended by t (unpaid, unresolved) never expires. A
  late obligation paid *before* t but after its due date expires as a whole
  (the row is left out of every count, denominators included).
* void: a public record with ``dispute_upheld = true`` is left out at every
  t, before and after the dispute.
* open dispute: a public record with ``dispute_opened_on <= t`` and
  (``dispute_closed_on`` null or ``> t``) is left out at t; it is back once
  the dispute is closed without being upheld.
* force majeure: an obligation with ``force_majeure = true`` is never late
  (its lateness does not count); a force-majeure public record is left out
  entirely, since a public record is nothing but a negative item.
* catalogue: a record type the catalogue does not list is refused by the
  engine before any of this runs; a listed type with ``allowed: false`` is
  left out.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..records._contract import REVOLVING_PRODUCTS
from ._dates import (
    DATES_SCHEMA,
    DAYS_PER_MONTH,
    HORIZON_DAYS,
    LATE_DAYS,
    WINDOW_MONTHS,
    add_months,
    dates_frame,
)

if TYPE_CHECKING:  # pragma: no cover
    import ibis.expr.types as ir

    from ..records._catalogue import Catalogue

__all__ = [
    "WINDOW_MONTHS",
    "add_months",
    "dates_frame",
    "DATES_SCHEMA",
    "prepare_contributions",
    "prepare_loans",
    "prepare_repayments",
    "prepare_public_records",
    "visible_contributions",
    "visible_loans",
    "visible_repayments",
    "visible_public_records",
    "prepare_tables",
    "due_by",
    "under_dispute",
    "CONTRIBUTION_GROUP",
    "in_window",
    "DAYS_PER_MONTH",
    "LATE_DAYS",
    "HORIZON_DAYS",
]

def in_window(v: ir.Table, column: str, months: int | None) -> ir.BooleanValue:
    """Whether ``v[column]`` falls in the last ``months`` months up to t (all time if None)."""
    import ibis

    if months is None:
        return ibis.literal(True)
    return v[column] > v[f"t_m{months}"]


def _cents(x: ir.NumericValue) -> ir.FloatingValue:
    # money as whole cents held in float64: a sum of whole numbers below 2**53
    # is exact, so identical on every engine and every run whatever the order
    # of addition, and float sums are cheaper than 128-bit integer sums
    return (x.cast("float64") * 100.0).round().cast("float64")


def _plus_months(day: ir.DateValue, months: int) -> ir.DateValue:
    import ibis

    return (day + ibis.interval(months=months)).cast("date")


# ---------------------------------------------------------------- obligations
def _prepare_obligation(t: ir.Table, display_months: int) -> dict:
    """Columns shared by contributions and repayments (record level)."""
    import ibis

    pay_days = t.paid_on.delta(t.due_on, unit="day")
    paid_late = t.paid_on.notnull() & (pay_days > 0) & ~t.force_majeure
    return {
        "due_c": _cents(t.amount_due),
        "paid_c": _cents(t.amount_paid),
        "pay_days": pay_days,
        "fm": t.force_majeure,
        # the day a late-but-paid item's display period ends (unpaid: never)
        "expires_on": ibis.ifelse(paid_late, _plus_months(t.paid_on, display_months), None),
    }


def _obligation_at_t(j: ir.Table, own: ir.BooleanValue) -> dict:
    """t-dependent columns of an obligation joined to the dates."""
    import ibis

    paid_t = j.paid_on.notnull() & (j.paid_on <= j.as_of)
    days_late = ibis.ifelse(paid_t, j.pay_days, j.as_of.delta(j.due_on, unit="day"))
    late = ~j.fm & (days_late > 0)
    return {
        "paid_t": paid_t,
        "days_late": ibis.ifelse(j.fm, 0, ibis.greatest(days_late, 0)),
        "late": late,
        "negative": own & late,
        # what the subject still owes at t: unpaid by t, due before t, not deferred
        "overdue": ~paid_t & ~j.fm & (j.due_on < j.as_of),
        "paid_known_c": ibis.ifelse(paid_t | j.amounts_known, j.paid_c, None),
    }


#: contributions that share every t-relevant attribute are one payment group
CONTRIBUTION_GROUP = ["subject_id", "period", "employer_id", "due_on", "paid_on", "force_majeure"]


def prepare_contributions(c: ir.Table, catalogue: Catalogue) -> ir.Table:
    """Contributions as payment groups with record-level columns.

    The insurance types of one month are usually due and paid together, so
    rows sharing subject, period, employer, due and paid dates and force
    majeure are summed into one group first (``n`` rows, amounts in cents).
    Every rule here depends only on those attributes, so this is exact, and
    it makes the join to the dates several times smaller.
    """
    import ibis

    g = c.group_by(CONTRIBUTION_GROUP).aggregate(
        n=c.count().cast("float64"),
        due_c=_cents(c.amount_due).sum(),
        paid_c=_cents(c.amount_paid).sum(),
        base_c=_cents(c.contribution_base).sum(),
    )
    own = g.employer_id.isnull()
    pay_days = g.paid_on.delta(g.due_on, unit="day")
    paid_late = own & g.paid_on.notnull() & (pay_days > 0) & ~g.force_majeure
    months = catalogue.negative_item_months["unpaid_contribution"]
    return g.mutate(
        own=own,
        fm=g.force_majeure,
        pay_days=pay_days,
        period_idx=g.period.year() * 12 + g.period.month(),
        # an employer's late contribution is never the subject's negative
        # item, so only the subject's own late items carry a display period
        expires_on=ibis.ifelse(paid_late, _plus_months(g.paid_on, months), None),
    )


def due_by(t: ir.Table, dates: ir.Table, months: int | None) -> ir.BooleanValue:
    """Join condition: due by t, and within the last ``months`` months (all time if None)."""
    exists = t.due_on <= dates.as_of
    return exists if months is None else exists & (t.due_on > dates[f"t_m{months}"])


def visible_contributions(c: ir.Table, dates: ir.Table, months: int | None = 36) -> ir.Table:
    """Prepared contributions as visible at each t (one row per payment group and t).

    Only the last ``months`` months are joined (all time if None): windowed
    features look no further back, and all-time features read
    ``contribution_arrears`` (:mod:`._relations`).
    """
    j = c.join(dates, due_by(c, dates, months))
    j = j.mutate(**_obligation_at_t(j, j.own))
    return j.filter(_not_expired(j))


def _not_expired(j: ir.Table) -> ir.BooleanValue:
    return j.expires_on.isnull() | (j.expires_on > j.as_of)


def prepare_loans(loans: ir.Table) -> ir.Table:
    """Loans with record-level columns (revolving flag, cents)."""
    return loans.mutate(
        revolving=loans.product.isin(list(REVOLVING_PRODUCTS)),
        principal_c=_cents(loans.principal),
    )


def visible_loans(loans: ir.Table, dates: ir.Table) -> ir.Table:
    """Prepared loans as visible at each t, with ``open_t`` and ``age_days``."""
    j = loans.join(dates, loans.opened_on <= dates.as_of)
    open_t = j.closed_on.isnull() | (j.closed_on > j.as_of)
    return j.mutate(open_t=open_t, age_days=j.as_of.delta(j.opened_on, unit="day"))


def prepare_repayments(r: ir.Table, loans: ir.Table, catalogue: Catalogue) -> ir.Table:
    """Instalments and card statements with their loan's subject, product and dates."""
    months = catalogue.negative_item_months["late_instalment"]
    lo = loans.select(
        "loan_id", "subject_id", "product", "lender_type", "opened_on", "closed_on",
        "revolving", "principal_c",
    )
    return r.mutate(**_prepare_obligation(r, months)).join(lo, "loan_id")


def visible_repayments(r: ir.Table, dates: ir.Table, months: int | None = 36) -> ir.Table:
    """Prepared repayments as visible at each t (instalment due and loan opened by t).

    Only the last ``months`` months are joined (all time if None).
    """
    import ibis

    j = r.join(dates, due_by(r, dates, months) & (r.opened_on <= dates.as_of))
    j = j.mutate(
        loan_open_t=j.closed_on.isnull() | (j.closed_on > j.as_of),
        **_obligation_at_t(j, ibis.literal(True)),
    )
    return j.filter(_not_expired(j))


# ------------------------------------------------------------- public records
def prepare_public_records(p: ir.Table, catalogue: Catalogue) -> ir.Table:
    """Public records that may ever be used: allowed type, not void, not force majeure."""
    import ibis

    allowed = catalogue.allowed_types
    p = p.filter(
        p.record_type.isin(allowed),
        ~p.force_majeure,
        ~p.dispute_upheld.fill_null(False),
    )
    by_months: dict[int, list[str]] = {}
    for name in allowed:
        by_months.setdefault(catalogue.display_months(name), []).append(name)
    branches = [
        (p.record_type.isin(names), _plus_months(p.resolved_on, m))
        for m, names in sorted(by_months.items())
    ]
    expires = ibis.cases(*branches, else_=None) if len(branches) > 1 else branches[0][1]
    return p.mutate(
        breach=p.record_type.isin(catalogue.breach_types or ["\x00none"]),
        amount_c=_cents(p.amount.fill_null(0)),
        expires_on=ibis.ifelse(p.resolved_on.isnull(), None, expires),
    )


def under_dispute(p: ir.Table) -> ir.BooleanValue:
    """Under open dispute at t: opened by t and not closed by t."""
    return (
        p.dispute_opened_on.notnull()
        & (p.dispute_opened_on <= p.as_of)
        & (p.dispute_closed_on.isnull() | (p.dispute_closed_on > p.as_of))
    )


def visible_public_records(p: ir.Table, dates: ir.Table) -> ir.Table:
    """Prepared public records as visible at each t (recorded, not disputed, not expired)."""
    j = p.join(dates, p.recorded_on <= dates.as_of)
    j = j.mutate(resolved_t=j.resolved_on.notnull() & (j.resolved_on <= j.as_of))
    expired = j.expires_on.notnull() & (j.expires_on <= j.as_of)
    return j.filter(~under_dispute(j), ~expired)


# ------------------------------------------------------------------ all of it
def prepare_tables(tables: dict[str, ir.Table], catalogue: Catalogue) -> dict[str, ir.Table]:
    """The record-level preparation of every contract table a feature or label reads.

    These are the shared intermediates: every relation of
    :func:`visible_relations` and every label reads them, so an engine may
    compute them once (DuckDB materialises them; Spark caches them) and pass
    them back as ``prepared``.
    """
    loans = prepare_loans(tables["loans"])
    return {
        "contributions": prepare_contributions(tables["contributions"], catalogue),
        "loans": loans,
        "repayments": prepare_repayments(tables["repayments"], loans, catalogue),
        "public_records": prepare_public_records(tables["public_records"], catalogue),
    }
