"""Small engine-neutral reductions the feature definitions are written with.

Each takes ``v``, the visible rows of one source (see ``_visibility``), and
returns an Ibis reduction evaluated once per (subject_id, as_of). Money is
summed in integer cents and divided at the end, and means are exact sums
over counts, so a feature has the same value on every engine and every run.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._visibility import DAYS_PER_MONTH, in_window

if TYPE_CHECKING:  # pragma: no cover
    import ibis.expr.types as ir

__all__ = ["count", "share", "ratio", "money_sum", "money_mean", "months_since", "window"]


def window(v: ir.Table, months: int | None, column: str = "due_on") -> ir.BooleanValue:
    """Rows dated in the last ``months`` months up to t (all visible rows if None)."""
    return in_window(v, column, months)


def count(v: ir.Table, cond: ir.BooleanValue) -> ir.IntegerScalar:
    """Number of visible rows where ``cond`` holds."""
    return v.count(where=cond)


def ratio(num: ir.NumericScalar, den: ir.NumericScalar) -> ir.FloatingScalar:
    """``num / den``: missing where ``den`` is 0 or missing, and ``num`` missing counts as 0."""
    return num.cast("float64").fill_null(0.0) / den.cast("float64").nullif(0.0)


def share(v: ir.Table, num: ir.BooleanValue, den: ir.BooleanValue) -> ir.FloatingScalar:
    """Share of the rows matching ``den`` that also match ``num`` (missing if none match)."""
    return ratio(v.count(where=den & num), v.count(where=den))


def money_sum(v: ir.Table, cents: str, cond: ir.BooleanValue) -> ir.FloatingScalar:
    """Sum of an integer-cents column over the rows where ``cond`` holds, in currency."""
    return v[cents].sum(where=cond).cast("float64") / 100.0


def money_mean(v: ir.Table, cents: str, cond: ir.BooleanValue) -> ir.FloatingScalar:
    """Mean of an integer-cents column over the rows where ``cond`` holds, in currency."""
    return ratio(v[cents].sum(where=cond), v[cents].count(where=cond)) / 100.0


def months_since(v: ir.Table, date: str, cond: ir.BooleanValue) -> ir.FloatingScalar:
    """Months from the latest ``date`` among the rows where ``cond`` holds to t."""
    days = v.as_of.delta(v[date], unit="day")
    return days.min(where=cond).cast("float64") / DAYS_PER_MONTH
