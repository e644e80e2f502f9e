"""The relations the features read, shaped from the point-in-time rule of :mod:`._visibility`.

:func:`visible_relations` returns them by the name a ``FeatureDef`` reads
(``FeatureDef.reads``). Each is built only from the expressions of
:mod:`._visibility` (existence, payment at t, display period, disputes, force
majeure are applied there, nowhere else); this module only chooses rows and
shapes. To keep the joins small, the relations of obligations hold only what
their features can look at: the last 12 months (``contributions``), the last
36 (``own_contributions``: the subject's own only, ``contribution_months``,
``repayments``), the last 6 (``card_statements``), or only the items late
at t, all time (``contribution_arrears``, ``late_instalments``), since no
all-time feature needs an obligation paid on time.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._visibility import (
    due_by,
    prepare_tables,
    visible_contributions,
    visible_loans,
    visible_public_records,
    visible_repayments,
)

if TYPE_CHECKING:  # pragma: no cover
    import ibis.expr.types as ir

    from ..records._catalogue import Catalogue

__all__ = [
    "visible_relations",
    "visible_arrears",
    "visible_months",
    "visible_employers",
    "visible_late_instalments",
    "visible_card_statements",
]


def visible_arrears(c: ir.Table, dates: ir.Table) -> ir.Table:
    """The subject's own contributions that are negative items at t (late, not deferred).

    Only groups that can ever be late (unpaid, or paid after the due date)
    are joined, so this relation is small.
    """
    maybe = c.filter(c.own, ~c.fm, c.paid_on.isnull() | (c.pay_days > 0))
    v = visible_contributions(maybe, dates, months=None)
    return v.filter(v.negative)


def visible_months(c: ir.Table, dates: ir.Table, months: int = 36) -> ir.Table:
    """Months with contributions, as known at t: a month exists once its first group is due.

    A month is in the N-month window when its first due date is; only the
    last ``months`` months are joined.
    """
    m = c.group_by(["subject_id", "period"]).aggregate(due_on=c.due_on.min())
    m = m.mutate(period_idx=m.period.year() * 12 + m.period.month())
    return m.join(dates, due_by(m, dates, months))


def visible_employers(c: ir.Table, dates: ir.Table) -> ir.Table:
    """Employers paying the subject's contributions, known from their first due date on."""
    e = c.filter(~c.own)
    e = e.group_by(["subject_id", "employer_id"]).aggregate(due_on=e.due_on.min())
    return e.join(dates, due_by(e, dates, None))


def visible_late_instalments(r: ir.Table, dates: ir.Table) -> ir.Table:
    """Instalments and statements late at t, all time (small: only those ever late are joined)."""
    maybe = r.filter(~r.fm, r.paid_on.isnull() | (r.pay_days > 0))
    v = visible_repayments(maybe, dates, months=None)
    return v.filter(v.late)


def visible_card_statements(r: ir.Table, dates: ir.Table) -> ir.Table:
    """Card statements of the last 6 months (every card feature looks no further back).

    ``last_stmt`` marks the last statement of a card open at t: the latest
    due by t ("latest as of t" as the inequality join to the dates plus the
    latest due date per card and t, since Spark has no as-of join), if due in
    the 3 months up to t; statements sharing that due date count together,
    and a card without a statement for 3 months has none.
    """
    j = visible_repayments(r.filter(r.revolving), dates, months=6)
    recent = j.loan_open_t & (j.due_on > j.t_m3)
    # the latest among the recent statements is the latest of all when one is recent:
    # a group-by of those joined back (cheaper than a window: no sort, fewer rows)
    keys = ["loan_id", "as_of"]
    r3 = j.filter(recent)
    latest = r3.group_by(keys).aggregate(latest_due=r3.due_on.max())
    j = j.left_join(latest, keys).drop("loan_id_right", "as_of_right")
    return j.mutate(last_stmt=recent & (j.due_on == j.latest_due).fill_null(False)).drop(
        "latest_due")


def visible_relations(
    tables: dict[str, ir.Table], dates: ir.Table, catalogue: Catalogue,
    prepared: dict[str, ir.Table] | None = None,
) -> tuple[dict[str, ir.Table], dict[str, ir.Table]]:
    """Every relation a feature may read, and the prepared tables the labels read.

    Returns ``(relations, prepared)``: ``relations`` maps a name (a
    ``FeatureDef.reads``) to the rows visible at each t; ``prepared`` maps a
    contract table to its record-level preparation (:func:`prepare_tables`;
    pass ``prepared`` to reuse tables already computed from ``tables``).
    """
    if prepared is None:
        prepared = prepare_tables(tables, catalogue)
    c, loans, r = prepared["contributions"], prepared["loans"], prepared["repayments"]
    relations = {
        "contributions": visible_contributions(c, dates, months=12),
        "own_contributions": visible_contributions(c.filter(c.own), dates, months=36),
        "contribution_months": visible_months(c, dates),
        "contribution_employers": visible_employers(c, dates),
        "contribution_arrears": visible_arrears(c, dates),
        "loans": visible_loans(loans, dates),
        "repayments": visible_repayments(r, dates),
        "late_instalments": visible_late_instalments(r, dates),
        "card_statements": visible_card_statements(r, dates),
        "public_records": visible_public_records(prepared["public_records"], dates),
    }
    return relations, prepared
