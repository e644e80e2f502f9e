"""The labels ``default_12m`` and ``breach_12m``, exactly as the contract defines them.

W = (t, t + 365 days]. An obligation is 90 days late on day ``d = due_on +
90 days`` if it was not paid by then (``paid_on`` null or ``> d``), so it
becomes 90 days late inside W when ``due_on`` is in ``(t - 90, t + 275]``.
It is "already 90 days late on or before t and still unpaid at t" when
``due_on <= t - 90`` and (``paid_on`` null or ``> t``). Force-majeure
obligations never count; void, force-majeure and disallowed public records
were dropped by :func:`._visibility.prepare_public_records`.

``default_12m``: population at t = a loan open at t and no instalment
already 90 days late and unpaid at t; 1 if an instalment of a loan open at t
becomes 90 days late in W.
``breach_12m``: population at t = no self-owed contribution already 90 days
late and unpaid at t, and no breach-type record recorded by t, unresolved at
t and not under open dispute at t; 1 if in W a self-owed contribution
becomes 90 days late or a breach-type record is recorded.
Both are null outside their population and where ``t + 365 > extracted_on``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._dates import LATE_DAYS
from ._visibility import under_dispute

if TYPE_CHECKING:  # pragma: no cover
    import ibis.expr.types as ir

__all__ = ["LABELS", "label_parts", "label_columns"]

LABELS = ("default_12m", "breach_12m")
KEYS = ["subject_id", "as_of"]


def _obligation_flags(j: ir.Table) -> tuple[ir.BooleanValue, ir.BooleanValue]:
    """(already 90 days late and unpaid at t, becomes 90 days late in W) for obligations x t."""
    already = (j.due_on <= j.t_minus_late) & (j.paid_on.isnull() | (j.paid_on > j.as_of))
    becomes = (
        (j.due_on > j.t_minus_late)
        & (j.due_on <= j.t_plus_band)
        & (j.pay_days.isnull() | (j.pay_days > LATE_DAYS))
    )
    return already, becomes


def _relevant(t: ir.Table, dates: ir.Table) -> ir.Table:
    """Obligations x t that can matter to a label: not deferred, never paid within 90 days
    of their due date, due by the window's end, and either due in the label band or unpaid
    at t.

    An obligation paid within 90 days is neither flag at any t (paid by
    ``due_on + 90 <= t`` when due by ``t - 90``; ``becomes`` asks for ``pay_days > 90``),
    so it is dropped before the join to the dates: the same flags from far fewer rows.
    """
    t = t.filter(~t.fm, t.pay_days.isnull() | (t.pay_days > LATE_DAYS))
    j = t.join(dates, t.due_on <= dates.t_plus_band)
    return j.filter((j.due_on > j.t_minus_late) | j.paid_on.isnull() | (j.paid_on > j.as_of))


def label_parts(
    contributions: ir.Table,
    repayments: ir.Table,
    loans: ir.Table,
    public_records: ir.Table,
    dates: ir.Table,
) -> list[ir.Table]:
    """Per (subject_id, as_of) flags the labels are made of (prepared tables in)."""
    r = _relevant(repayments, dates)
    open_t = (r.opened_on <= r.as_of) & (r.closed_on.isnull() | (r.closed_on > r.as_of))
    r_already, r_becomes = _obligation_flags(r)
    rep = r.group_by(KEYS).aggregate(d_out=r_already.any(), d_event=(r_becomes & open_t).any())

    lo = loans.join(dates, loans.opened_on <= dates.as_of)
    lo = lo.filter(lo.closed_on.isnull() | (lo.closed_on > lo.as_of))
    has_loan = lo.group_by(KEYS).aggregate(d_pop=lo.count() > 0)

    c = _relevant(contributions.filter(contributions.own), dates)
    c_already, c_becomes = _obligation_flags(c)
    con = c.group_by(KEYS).aggregate(b_out_c=c_already.any(), b_event_c=c_becomes.any())

    p = public_records.filter(public_records.breach)
    p = p.join(dates, p.recorded_on <= dates.t_plus_horizon)
    p_out = (
        (p.recorded_on <= p.as_of)
        & (p.resolved_on.isnull() | (p.resolved_on > p.as_of))
        & ~under_dispute(p)
    )
    pub = p.group_by(KEYS).aggregate(b_out_p=p_out.any(), b_event_p=(p.recorded_on > p.as_of).any())
    return [rep, has_loan, con, pub]


def label_columns(w: ir.Table) -> dict[str, ir.Value]:
    """The two nullable Int64 labels from the flags joined onto the subject x date grid."""
    import ibis

    def flag(name):
        return w[name].fill_null(False)

    default = ibis.cases(
        (~w.label_known | ~flag("d_pop") | flag("d_out"), ibis.null("int64")),
        else_=flag("d_event").cast("int64"),
    )
    breach = ibis.cases(
        (~w.label_known | flag("b_out_c") | flag("b_out_p"), ibis.null("int64")),
        else_=(flag("b_event_c") | flag("b_event_p")).cast("int64"),
    )
    return {"default_12m": default, "breach_12m": breach}
