"""Credit accounts: who borrows what, from whom, when.

Every subject draws a number of accounts of each product. Richer subjects
hold more mortgages, cars and cards; riskier ones more consumer loans and
microloans, and they take microloans (from microlenders) and consumer loans
preferentially in months of stress, one of the signs that show before a
default. The ``thin-file`` scenario lowers the group's uptake of every
product. All accounts open between ``start`` and ``extracted_on``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._arrays import ParallelArrays
from ._calendar import Calendar
from ._life import Life
from ._scenarios import Scenario
from ._world import People

__all__ = ["Accounts", "open_accounts", "MORTGAGE", "CARD", "MICROLOAN"]

# indices into PRODUCTS and LENDER_TYPES of the contract
MORTGAGE, CONSUMER, CARD, AUTO, BUSINESS, MICROLOAN = range(6)
BANK, CONSUMER_FINANCE, MICROLENDER = range(3)
#: term options per product (months); a card has none
TERMS = ((120, 240, 360), (12, 24, 36), (0,), (36, 60), (12, 24, 36), (3, 6, 12))
#: annual interest rate per product (consumer finance adds 9 points)
RATES = np.array([0.049, 0.09, 0.0, 0.06, 0.07, 0.30])
#: share of each product lent by a bank (the rest by consumer finance)
BANK_SHARE = np.array([1.0, 0.55, 0.9, 0.6, 1.0, 0.0])
#: what is paid first in a tight month (negative: first)
PRIORITY = np.array([-0.8, 0.0, 0.2, -0.4, 0.1, 0.6])
MAX_PER_PRODUCT = 12


@dataclass(frozen=True)
class Accounts(ParallelArrays):
    """One block's credit accounts, sorted by subject and opening day."""

    owner: np.ndarray
    product: np.ndarray
    lender: np.ndarray
    open_month: np.ndarray
    opened_on: np.ndarray
    principal: np.ndarray
    term: np.ndarray
    payoff_after: np.ndarray
    card_usage: np.ndarray


def _counts(rng, people: People, uptake: np.ndarray) -> np.ndarray:
    inc, risk, n = people.income, people.risk, people.n
    flexible = people.worker == 2
    rates = (
        np.stack(
            [
                np.minimum(0.5, 0.12 * np.exp(0.6 * inc)),
                0.6 * np.exp(0.3 * risk),
                0.7 * np.exp(0.2 * inc),
                np.minimum(0.4, 0.09 * np.exp(0.4 * inc)),
                np.where(flexible, 0.12, 0.03),
                0.2 * np.exp(0.9 * risk),
            ],
            axis=1,
        )
        * uptake[:, None]
    )
    once = np.array([True, False, False, True, True, False])
    counts = np.where(once, rng.random((n, 6)) < rates, rng.poisson(rates))
    return np.minimum(counts, MAX_PER_PRODUCT)


def _open_months(rng, owner, product, life: Life) -> np.ndarray:
    """Uniform over the grid, but stress-weighted for consumer loans and microloans."""
    n, months = life.stress.shape
    pull = np.where(product == MICROLOAN, 6.0, np.where(product == CONSUMER, 2.0, 0.0))
    cum = np.cumsum(life.stress, axis=1)
    total = cum[:, -1]
    # inverse CDF of (1 + pull * stress) over the months of the owner
    target = rng.random(len(owner)) * (months + pull * total[owner])
    lo = np.zeros(len(owner), dtype=np.int64)
    hi = np.full(len(owner), months - 1, dtype=np.int64)
    while np.any(lo < hi):
        mid = (lo + hi) // 2
        below = (mid + 1 + pull * cum[owner, mid]) < target
        lo, hi = np.where(below, mid + 1, lo), np.where(below, hi, mid)
    return lo


def _principal(rng, product, wage) -> np.ndarray:
    k = len(product)
    normal = rng.standard_normal(k)
    u = rng.random(k)
    options = np.stack(
        [
            np.round(wage * 12 * (4 + 4 * u), -3),
            np.clip(np.round(20000 * np.exp(0.7 * normal), -2), 2000, 200000),
            np.maximum(2000, np.round(wage * (1 + 4 * u), -3)),
            np.round(wage * 12 * 1.2 * np.exp(0.3 * normal), -3),
            np.clip(np.round(150000 * np.exp(0.8 * normal), -3), 20000, 2e6),
            np.clip(np.round(3000 * np.exp(0.6 * normal), -2), 500, 20000),
        ],
        axis=1,
    )
    return options[np.arange(k), product]


def _terms(rng, product) -> np.ndarray:
    width = np.array([len(t) for t in TERMS])
    table = np.array([t + (t[-1],) * (3 - len(t)) for t in TERMS])
    pick = (rng.random(len(product)) * width[product]).astype(np.int64)
    return table[product, pick]


def open_accounts(rng, people: People, life: Life, cal: Calendar, scenario: Scenario):
    """Draw every account of one block."""
    uptake = np.where(people.group, scenario.credit_uptake, 1.0)
    counts = _counts(rng, people, uptake)
    owner = np.repeat(np.repeat(np.arange(people.n), 6), counts.ravel())
    product = np.repeat(np.tile(np.arange(6), people.n), counts.ravel())
    month = _open_months(rng, owner, product, life)
    opened = np.minimum(cal.month_start[month] + rng.integers(0, 28, len(owner)), cal.extracted)
    order = np.lexsort((product, opened, owner))
    owner, product, month, opened = owner[order], product[order], month[order], opened[order]
    term = _terms(rng, product)
    early = (term > 12) & (rng.random(len(owner)) < 0.12)
    payoff = np.where(early, rng.integers(3, np.maximum(term, 4)), 0)
    payoff = np.where(
        product == CARD,
        np.where(rng.random(len(owner)) < 0.15, rng.integers(6, 61, len(owner)), 0),
        payoff,
    )
    bank = rng.random(len(owner)) < BANK_SHARE[product]
    lender = np.where(product == MICROLOAN, MICROLENDER, np.where(bank, BANK, CONSUMER_FINANCE))
    return Accounts(
        owner=owner,
        product=product,
        lender=lender,
        open_month=month,
        opened_on=opened,
        principal=_principal(rng, product, life.wage[owner, month]),
        term=term,
        payoff_after=payoff,
        card_usage=rng.beta(2, 5, len(owner)),
    )
