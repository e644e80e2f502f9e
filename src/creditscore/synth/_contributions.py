"""Social insurance contributions: one row per subject, insurance type and month.

An employee owes nothing himself: the employer owes all five insurance types
on the wage (kept between a yearly floor and cap) and pays them in one go, on
time unless the employer is in trouble, so the employer's lateness is never
the subject's. A flexible (self-paid) worker owes pension and medical on a
base he chooses near the floor, with ``employer_id`` null, and pays them
himself, as :func:`settle` says. Unemployed, lapsed and informal months have
no contributions. Contributions for a month are due on the 15th of the next.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from ..records._contract import INSURANCE_TYPES
from ._arrow import NULL_DAY, FixedIds, contract_table, date_array
from ._behaviour import MonthDraws, settle
from ._calendar import Calendar
from ._life import EMPLOYED, FLEXIBLE, Life
from ._world import NEVER, Employers, People

__all__ = ["contributions"]

#: employer + employee rate of each insurance type, in INSURANCE_TYPES order
EMPLOYEE_RATES = np.array([0.24, 0.10, 0.01, 0.005, 0.008])
#: a flexible worker pays pension and medical only
FLEXIBLE_RATES = np.array([0.20, 0.08, 0.0, 0.0, 0.0])
BASE_FLOOR, BASE_CAP, BASE_GROWTH = 3600.0, 5.0, 1.05
#: self-paid contributions come after loans in a tight month
SELF_PAID_MODIFIER = 0.3


def _bases(people: People, life: Life, cal: Calendar, n_periods: int) -> np.ndarray:
    floor = BASE_FLOOR * BASE_GROWTH ** (cal.year[:n_periods] - 2018)
    employee = np.clip(life.wage[:, :n_periods], floor, BASE_CAP * floor)
    flexible = floor[None, :] * people.flex_base[:, None]
    return np.round(np.where(life.status[:, :n_periods] == EMPLOYED, employee, flexible), 0)


def _employer_settlement(life, employers: Employers, due, n_periods, extracted):
    months = np.arange(n_periods)
    emp = life.employer[:, :n_periods]
    delay = employers.delay[emp, months]
    paid_on = np.where(delay == NEVER, NULL_DAY, due[None, :] + delay)
    late_out = (paid_on != NULL_DAY) & (paid_on > extracted)
    share = np.where(late_out, 0.0, employers.paid_share[emp, months])
    return np.where(late_out, NULL_DAY, paid_on), share, employers.force_majeure[emp, months]


def _self_settlement(rng, people, life, draws: MonthDraws, due, cal: Calendar, n_periods):
    n = people.n
    s = np.repeat(np.arange(n), n_periods)
    m = np.tile(np.arange(n_periods), n)
    due_rows = np.tile(due, n)
    fm = cal.in_epidemic(due_rows) & (rng.random(len(s)) < 0.5)
    paid_on, share = settle(
        draws.pick(s, m),
        people.risk[s],
        life.stress[s, m],
        SELF_PAID_MODIFIER + cal.downturn_shift(due_rows),
        fm,
        due_rows,
        cal.extracted,
    )
    shape = (n, n_periods)
    return paid_on.reshape(shape), share.reshape(shape), fm.reshape(shape)


def _settlements(rng, people, life, employers, draws, cal: Calendar, due):
    """Payment day, share paid and deferral of every subject-month, whoever owes it."""
    n_periods = cal.n_periods
    own = life.status[:, :n_periods] == FLEXIBLE
    employer = _employer_settlement(life, employers, due, n_periods, cal.extracted)
    subject = _self_settlement(rng, people, life, draws, due, cal, n_periods)
    return own, *(
        np.where(own, mine, theirs) for mine, theirs in zip(subject, employer, strict=True)
    )


def _rows(status: np.ndarray, own: np.ndarray):
    """One row per insurance type owed in each subject-month, in subject-month order."""
    counts = np.where(status == EMPLOYED, 5, np.where(own, 2, 0)).ravel()
    cell = np.repeat(np.arange(counts.size), counts)
    kind = np.arange(cell.size) - np.repeat(np.cumsum(counts) - counts, counts)
    return cell, kind


def contributions(
    rng,
    people: People,
    life: Life,
    employers: Employers,
    draws: MonthDraws,
    cal: Calendar,
    subject_ids: FixedIds,
    employer_ids: FixedIds,
):
    """The block's contributions table and its self-owed 90-days-late events.

    Returns
    -------
    table : pyarrow.Table
    late90 : tuple of ndarray
        ``(subject, day)`` of every self-owed month that became 90 days late.
    """
    n_periods = cal.n_periods
    due = cal.contribution_due(np.arange(n_periods))
    own, paid_on, share, fm = _settlements(rng, people, life, employers, draws, cal, due)
    cell, kind = _rows(life.status[:, :n_periods], own)
    s, m = np.divmod(cell, n_periods)
    employed = ~own.ravel()[cell]
    base = _bases(people, life, cal, n_periods).ravel()[cell]
    rate = np.where(employed, EMPLOYEE_RATES[kind], FLEXIBLE_RATES[kind])
    due_amount = np.round(base * rate, 2)
    row_share = share.ravel()[cell]
    table = contract_table(
        "contributions",
        {
            "subject_id": subject_ids.take(s),
            "insurance_type": pa.array(INSURANCE_TYPES).take(kind),
            "period": date_array(cal.month_start[m]),
            "employer_id": employer_ids.take(
                life.employer[:, :n_periods].ravel()[cell], null=~employed
            ),
            "contribution_base": base,
            "amount_due": due_amount,
            "due_on": date_array(due[m]),
            "amount_paid": np.where(
                row_share == 1.0, due_amount, np.round(due_amount * row_share, 2)
            ),
            "paid_on": date_array(paid_on.ravel()[cell]),
            "force_majeure": fm.ravel()[cell],
        },
    )
    return table, _late90(own & ~fm, paid_on, due, cal.extracted)


def _late90(owed, paid_on, due, extracted: int):
    day90 = np.broadcast_to(due[None, :] + 90, paid_on.shape)
    late = owed & ((paid_on == NULL_DAY) | (paid_on > day90)) & (day90 <= extracted)
    s, m = np.nonzero(late)
    return s, day90[s, m]
