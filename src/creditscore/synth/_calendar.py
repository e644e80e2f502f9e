"""The month grid every synthetic record hangs on.

Dates are held as ``int`` days since 1970-01-01 (Arrow ``date32``) so that
whole columns of dates are numpy arithmetic. Month ``m`` of the grid starts on
``month_start[m]``; month 0 is the month of ``start``, the last month is the
month of ``extracted_on``. Contribution periods stop one month earlier, at the
last period whose due day (the 15th of the following month) is on or before
``extracted_on``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

from .._errors import InputError

__all__ = ["Calendar", "EPIDEMIC", "to_days"]

#: an epidemic during which many obligations were officially deferred
EPIDEMIC = (dt.date(2020, 2, 1), dt.date(2020, 6, 30))
#: contributions for a month are due on this day of the following month
CONTRIBUTION_DUE_DAY = 15

MSG_DATES = (
    "synth: extracted_on {ext} must be at least 3 months after start {start} "
    "(got {months} contribution months)"
)

_EPOCH = dt.date(1970, 1, 1)


def to_days(day: dt.date) -> int:
    """Days since 1970-01-01, the integer behind an Arrow ``date32``."""
    return (day - _EPOCH).days


@dataclass(frozen=True)
class Calendar:
    """The month grid from ``start`` to ``extracted_on``.

    Attributes
    ----------
    month_start : ndarray of int64
        First day of every month of the grid, plus one month beyond it.
    year : ndarray of int64
        Calendar year of every month of the grid.
    n_months : int
        Months from the month of ``start`` to the month of ``extracted_on``.
    n_periods : int
        Contribution periods whose due day is on or before ``extracted_on``.
    extracted : int
        ``extracted_on`` in days.
    epidemic : tuple of int
        First and last day of the epidemic window, in days.
    downturn : float
        Log-odds added to every obligation due on or after ``downturn_day``
        going wrong (0: no downturn; the ``downturn`` scenario).
    downturn_day : int
        First day of the downturn, in days.
    """

    month_start: np.ndarray
    year: np.ndarray
    n_months: int
    n_periods: int
    extracted: int
    epidemic: tuple[int, int]
    downturn: float = 0.0
    downturn_day: int = 0

    @classmethod
    def build(cls, start: dt.date, extracted_on: dt.date, downturn: float = 0.0,
              downturn_from: dt.date | None = None) -> Calendar:
        """The grid; ``downturn_from`` defaults to the first day of the last twelve
        months of the records (the month after ``extracted_on`` a year earlier)."""
        first = np.datetime64(f"{start.year:04d}-{start.month:02d}", "M")
        last = np.datetime64(f"{extracted_on.year:04d}-{extracted_on.month:02d}", "M")
        months = np.arange(first, last + 2)
        month_start = months.astype("datetime64[D]").astype(np.int64)
        year = months.astype("datetime64[Y]").astype(np.int64) + 1970
        extracted = to_days(extracted_on)
        n_months = len(months) - 1
        due = month_start[1:] + CONTRIBUTION_DUE_DAY - 1
        n_periods = int(np.searchsorted(due, extracted, side="right"))
        if n_periods < 3:
            raise InputError(MSG_DATES.format(ext=extracted_on, start=start, months=n_periods))
        epidemic = (to_days(EPIDEMIC[0]), to_days(EPIDEMIC[1]))
        if downturn_from is None:
            y0, m0 = extracted_on.year - 1 + extracted_on.month // 12, extracted_on.month % 12
            downturn_from = dt.date(y0, m0 + 1, 1)
        return cls(month_start, year, n_months, n_periods, extracted, epidemic,
                   float(downturn), to_days(downturn_from))

    def in_epidemic(self, days: np.ndarray) -> np.ndarray:
        """Whether each day falls in the epidemic window."""
        return (days >= self.epidemic[0]) & (days <= self.epidemic[1])

    @property
    def epidemic_months(self) -> np.ndarray:
        """Whether each month of the grid overlaps the epidemic window."""
        first, last = self.month_start[:-1], self.month_start[1:] - 1
        return (last >= self.epidemic[0]) & (first <= self.epidemic[1])

    def downturn_shift(self, due_on: np.ndarray) -> np.ndarray | float:
        """Log-odds added to the obligations due on ``due_on`` going wrong (the downturn)."""
        if not self.downturn:
            return 0.0
        return np.where(np.asarray(due_on) >= self.downturn_day, self.downturn, 0.0)

    def contribution_due(self, period: np.ndarray) -> np.ndarray:
        """Due day of the contribution for month index ``period``."""
        return self.month_start[period + 1] + CONTRIBUTION_DUE_DAY - 1
