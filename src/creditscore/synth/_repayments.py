"""Repayment schedules and how they were honoured; the loans table.

An instalment loan has one row per monthly instalment (an annuity) from the
month after opening to the end of its term, an early payoff or
``extracted_on``, whichever comes first. A card has one row per monthly
statement with a balance: ``amount_due`` is the minimum payment (10 % of the
balance, at least 100 or the whole balance) and ``amount_paid`` is what was
paid towards that minimum, so it never exceeds ``amount_due``. Instalments due
in the epidemic were often deferred (``force_majeure``).

A loan whose instalment is left unpaid may be **charged off**: every later
instalment stays unpaid and the loan never closes. A loan closes on the day
its last instalment was paid, if every instalment was paid.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from ..records._contract import LENDER_TYPES, PRODUCTS
from ._arrow import NULL_DAY, FixedIds, contract_table, date_array
from ._behaviour import MonthDraws, settle, sigmoid
from ._calendar import Calendar
from ._life import Life
from ._loans import CARD, CONSUMER_FINANCE, MICROLENDER, PRIORITY, RATES, Accounts
from ._world import People

__all__ = ["Schedule", "schedule", "repayments_table", "loans_table", "loan_ids_for", "late90"]

_BIG = np.iinfo(np.int64).max


@dataclass(frozen=True)
class Schedule:
    """Repayment rows of one block, in loan order, and what became of each loan."""

    loan: np.ndarray
    due_on: np.ndarray
    amount_due: np.ndarray
    amount_paid: np.ndarray
    paid_on: np.ndarray
    force_majeure: np.ndarray
    closed_on: np.ndarray
    charged_off_on: np.ndarray


def _rows(acc: Accounts, cal: Calendar):
    last = cal.n_months - 1
    day = acc.opened_on - cal.month_start[acc.open_month]
    last_due = np.where(cal.month_start[last] + day <= cal.extracted, last, last - 1)
    n = np.maximum(0, last_due - acc.open_month)
    n = np.where(acc.product == CARD, n, np.minimum(n, acc.term))
    n = np.where(acc.payoff_after > 0, np.minimum(n, acc.payoff_after), n)
    loan = np.repeat(np.arange(acc.n), n)
    k = np.arange(len(loan)) - np.repeat(np.cumsum(n) - n, n) + 1
    month = acc.open_month[loan] + k
    planned = np.where(acc.payoff_after > 0, acc.payoff_after, acc.term)
    finished = (n > 0) & (n == planned)
    end = cal.month_start[acc.open_month + n] + day
    return loan, month, cal.month_start[month] + day[loan], np.where(finished, end, NULL_DAY)


def _amounts(rng, acc: Accounts, life: Life, loan, month) -> np.ndarray:
    rate = (RATES[acc.product] + 0.09 * (acc.lender == CONSUMER_FINANCE)) / 12
    term = np.maximum(acc.term, 1)
    paying = rate > 0
    annuity = acc.principal * rate / np.where(paying, 1 - (1 + rate) ** -term, 1.0)
    instalment = np.where(paying, annuity, acc.principal / term)
    usage = acc.card_usage[loan] + 0.6 * life.stress[acc.owner[loan], month]
    balance = acc.principal[loan] * np.clip(usage + 0.08 * rng.standard_normal(len(loan)), 0, 1)
    minimum = np.maximum(np.minimum(balance, 100.0), 0.1 * balance)
    return np.round(np.where(acc.product[loan] == CARD, minimum, instalment[loan]), 2)


def _charge_off(rng, people, acc: Accounts, loan, paid_on, force_majeure):
    """Rows left unpaid because their loan was charged off, and the day it happened."""
    index = np.arange(len(loan))
    first = np.full(acc.n, _BIG)
    np.minimum.at(first, loan, np.where((paid_on == NULL_DAY) & ~force_majeure, index, _BIG))
    chance = 0.5 + 0.4 * sigmoid(people.risk[acc.owner])
    charged = (first < _BIG) & (rng.random(acc.n) < chance)
    return charged[loan] & (index > first[loan]), charged, first


def schedule(rng, people: People, life: Life, acc: Accounts, draws: MonthDraws, cal: Calendar):
    """Every repayment row of one block, settled."""
    loan, month, due_on, end = _rows(acc, cal)
    amount = _amounts(rng, acc, life, loan, month)
    keep = amount >= 1.0
    loan, month, due_on, amount = loan[keep], month[keep], due_on[keep], amount[keep]
    s = acc.owner[loan]
    deferral = np.where(acc.lender[loan] == MICROLENDER, 0.1, 0.35)
    fm = cal.in_epidemic(due_on) & (rng.random(len(loan)) < deferral)
    paid_on, share = settle(
        draws.pick(s, month, rng),
        people.risk[s],
        life.stress[s, month],
        PRIORITY[acc.product[loan]] + cal.downturn_shift(due_on),
        fm,
        due_on,
        cal.extracted,
    )
    gone, charged, first = _charge_off(rng, people, acc, loan, paid_on, fm)
    paid_on = np.where(gone, NULL_DAY, paid_on)
    paid = np.where(gone, 0.0, np.where(share == 1.0, amount, np.round(amount * share, 2)))
    first_due = np.append(due_on, NULL_DAY)[np.minimum(first, len(loan))]
    charged_on = np.where(charged, first_due + 180, NULL_DAY)
    return Schedule(
        loan, due_on, amount, paid, paid_on, fm, _closed_on(acc, loan, paid_on, end), charged_on
    )


def _closed_on(acc: Accounts, loan, paid_on, end) -> np.ndarray:
    """The later of the last payment and the last due day, for loans run to their end."""
    unpaid = np.bincount(loan, weights=paid_on == NULL_DAY, minlength=acc.n) > 0
    last_paid = np.full(acc.n, NULL_DAY)
    np.maximum.at(last_paid, loan, paid_on)
    return np.where((end != NULL_DAY) & ~unpaid, np.maximum(last_paid, end), NULL_DAY)


def repayments_table(sched: Schedule, loan_ids: FixedIds) -> pa.Table:
    return contract_table(
        "repayments",
        {
            "loan_id": loan_ids.take(sched.loan),
            "due_on": date_array(sched.due_on),
            "amount_due": sched.amount_due,
            "amount_paid": sched.amount_paid,
            "paid_on": date_array(sched.paid_on),
            "force_majeure": sched.force_majeure,
        },
    )


def loans_table(
    acc: Accounts, sched: Schedule, loan_ids: FixedIds, subject_ids: FixedIds
) -> pa.Table:
    card = acc.product == CARD
    return contract_table(
        "loans",
        {
            "loan_id": loan_ids.array(),
            "subject_id": subject_ids.take(acc.owner),
            "product": pa.array(PRODUCTS).take(acc.product),
            "lender_type": pa.array(LENDER_TYPES).take(acc.lender),
            "opened_on": date_array(acc.opened_on),
            "principal": acc.principal.astype(float),
            "term_months": pa.array(acc.term, pa.int64(), mask=card),
            "closed_on": date_array(sched.closed_on),
        },
    )


def loan_ids_for(acc: Accounts, people: People, width: int) -> FixedIds:
    """``L`` + subject number + two-digit ordinal of the loan within the subject."""
    starts = np.searchsorted(acc.owner, acc.owner, side="left")
    ordinal = np.arange(acc.n) - starts + 1
    return FixedIds("L", people.number[acc.owner] * 100 + ordinal, width + 2)


def late90(acc: Accounts, sched: Schedule, extracted: int):
    """``(subject, day)`` of every instalment that became 90 days late by ``extracted``."""
    day90 = sched.due_on + 90
    late = (
        ~sched.force_majeure
        & (day90 <= extracted)
        & ((sched.paid_on == NULL_DAY) | (sched.paid_on > day90))
    )
    return acc.owner[sched.loan[late]], day90[late]
