"""Public records: courts, enforcement, tax and administrative decisions.

Records come from four sources, each a monthly rate per subject:

- **behaviour**: tax arrears (self-employed most), benefit fraud (while
  unemployed), both driven by latent risk and stress;
- **unpaid loans**: a charged-off loan often ends in a civil judgment, and a
  civil judgment left unpaid in an enforcement default;
- **outside causes** the records do not show: administrative penalties and
  civil judgments over other debts, driven by latent risk;
- **errors**: records entered wrongly, which are mostly disputed and upheld.

The ``records-bias`` scenario multiplies the last two for its group: the same
person is recorded more often. Records appear (``recorded_on``) days to months
after the act (``occurred_on``); records recorded after ``extracted_on`` are
not in the extract. Acts in the epidemic are often force majeure.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from ..records._contract import SEVERITIES
from ._arrow import NULL_DAY, FixedIds, contract_table, date_array, fixed_ids
from ._behaviour import sigmoid
from ._calendar import Calendar
from ._life import UNEMPLOYED, Life
from ._loans import MICROLENDER, Accounts
from ._repayments import Schedule
from ._world import People

__all__ = ["public_records", "RECORD_TYPES"]

RECORD_TYPES = (
    "civil_judgment",
    "enforcement_default",
    "tax_arrears",
    "administrative_penalty",
    "benefit_fraud",
)
JUDGMENT, ENFORCEMENT, TAX, PENALTY, FRAUD = range(5)
#: per type: recording lag (days, low and high), resolution chance and mean delay
LAG = np.array([[7, 60], [15, 90], [30, 120], [5, 60], [30, 180]])
RESOLVE_CHANCE = np.array([0.55, 0.35, 0.7, 0.85, 0.5])
RESOLVE_DAYS = np.array([150.0, 240.0, 90.0, 30.0, 180.0])
#: median amount per type (civil judgments and enforcements carry the debt)
MEDIAN_AMOUNT = np.array([20000.0, 20000.0, 8000.0, 1000.0, 10000.0])
BEHAVIOUR, LOAN, OUTSIDE, ERROR = range(4)


@dataclass
class _Acts:
    subject: np.ndarray
    kind: np.ndarray
    occurred: np.ndarray
    amount: np.ndarray
    cause: np.ndarray

    @classmethod
    def concat(cls, parts) -> _Acts:
        return cls(
            *(
                np.concatenate([getattr(p, f) for p in parts])
                for f in ("subject", "kind", "occurred", "amount", "cause")
            )
        )


def _rates(people: People, life: Life, bias: np.ndarray) -> list:
    """Monthly rate per (subject, month) of each (kind, cause) source."""
    r, stress = people.risk[:, None], life.stress
    worker = np.array([1.5, 0.7, 3.0])[people.worker][:, None]
    unemployed = life.status == UNEMPLOYED
    b = np.broadcast_to(bias[:, None], stress.shape)
    return [
        (TAX, BEHAVIOUR, 0.0005 * np.exp(0.8 * r) * (1 + 4 * stress) * worker),
        (FRAUD, BEHAVIOUR, 0.00004 * np.exp(r) * (1 + 6 * unemployed)),
        (PENALTY, OUTSIDE, 0.0008 * np.exp(0.4 * r) * (1 + stress) * b),
        (JUDGMENT, OUTSIDE, 0.0003 * np.exp(0.6 * r) * (1 + 2 * stress) * b),
        (PENALTY, ERROR, 0.00004 * b),
        (TAX, ERROR, 0.00003 * b),
        (JUDGMENT, ERROR, 0.00003 * b),
    ]


def _monthly_acts(rng, people, life, cal: Calendar, bias) -> _Acts:
    sources = _rates(people, life, bias)
    u = rng.random(life.stress.shape)
    low = np.zeros(life.stress.shape)
    parts = []
    for kind, cause, rate in sources:
        s, m = np.nonzero((u >= low) & (u < low + rate))
        low = low + rate
        parts.append((s, m, np.full(len(s), kind), np.full(len(s), cause)))
    s, m, kind, cause = (np.concatenate(x) for x in zip(*parts, strict=True))
    occurred = cal.month_start[m] + rng.integers(0, 28, len(s))
    amount = np.round(MEDIAN_AMOUNT[kind] * np.exp(0.8 * rng.standard_normal(len(s))), 2)
    return _Acts(s, kind, occurred, amount, cause)


def _loan_judgments(rng, acc: Accounts, sched: Schedule) -> _Acts:
    sued = (sched.charged_off_on != NULL_DAY) & (
        rng.random(acc.n) < np.where(acc.lender == MICROLENDER, 0.25, 0.45)
    )
    idx = np.nonzero(sued)[0]
    occurred = sched.charged_off_on[idx] + rng.integers(0, 361, len(idx))
    amount = np.round(acc.principal[idx] * rng.uniform(0.3, 0.9, len(idx)), 2)
    return _Acts(
        acc.owner[idx], np.full(len(idx), JUDGMENT), occurred, amount, np.full(len(idx), LOAN)
    )


def _record(rng, acts: _Acts, people: People, cal: Calendar):
    """Recording and resolution days of acts, and which are visible."""
    k = len(acts.kind)
    lo, hi = LAG[acts.kind, 0], LAG[acts.kind, 1]
    recorded = acts.occurred + lo + (rng.random(k) * (hi - lo)).astype(np.int64)
    chance = RESOLVE_CHANCE[acts.kind] * (1 - 0.4 * sigmoid(people.risk[acts.subject]))
    delay = np.ceil(rng.exponential(1.0, k) * RESOLVE_DAYS[acts.kind])
    resolved = np.where(rng.random(k) < chance, recorded + delay, NULL_DAY).astype(np.int64)
    resolved = np.where(resolved > cal.extracted, NULL_DAY, resolved)
    return recorded, resolved


def _enforcements(rng, judged: _Acts, recorded, resolved) -> _Acts:
    genuine = judged.cause != ERROR
    unpaid = (resolved == NULL_DAY) | (resolved > recorded + 120)
    idx = np.nonzero(
        (judged.kind == JUDGMENT) & genuine & unpaid & (rng.random(len(recorded)) < 0.5)
    )[0]
    occurred = judged.occurred[idx] + rng.integers(120, 421, len(idx))
    return _Acts(
        judged.subject[idx],
        np.full(len(idx), ENFORCEMENT),
        occurred,
        judged.amount[idx],
        judged.cause[idx],
    )


def _disputes(rng, cause, recorded, extracted: int):
    """Objections: most records entered in error are disputed, and upheld."""
    k = len(cause)
    error = cause == ERROR
    opened = recorded + 10 + np.ceil(rng.exponential(60.0, k)).astype(np.int64)
    disputed = (rng.random(k) < np.where(error, 0.6, 0.05)) & (opened <= extracted)
    closed = opened + 15 + np.ceil(rng.exponential(60.0, k)).astype(np.int64)
    decided = disputed & (closed <= extracted)
    upheld = rng.random(k) < np.where(error, 0.85, 0.08)
    return (
        np.where(disputed, opened, NULL_DAY),
        np.where(decided, closed, NULL_DAY),
        pa.array(upheld, pa.bool_(), mask=~decided),
        decided & upheld,
    )


def _severity(rng, kind, default: np.ndarray) -> np.ndarray:
    """The catalogue's default severity mostly, one level off sometimes."""
    step = np.where(rng.random(len(kind)) < 0.15, rng.choice([-1, 1], len(kind)), 0)
    return np.clip(default[kind] + step, 0, len(SEVERITIES) - 1)


def _acts_of_block(rng, people, life, acc, sched, cal, bias):
    first = _Acts.concat(
        [_monthly_acts(rng, people, life, cal, bias), _loan_judgments(rng, acc, sched)]
    )
    recorded, resolved = _record(rng, first, people, cal)
    follow = _enforcements(rng, first, recorded, resolved)
    recorded2, resolved2 = _record(rng, follow, people, cal)
    acts = _Acts.concat([first, follow])
    recorded = np.concatenate([recorded, recorded2])
    resolved = np.concatenate([resolved, resolved2])
    keep = recorded <= cal.extracted
    order = np.lexsort((acts.kind[keep], recorded[keep], acts.occurred[keep], acts.subject[keep]))
    pick = np.nonzero(keep)[0][order]
    acts = _Acts(
        *(getattr(acts, f)[pick] for f in ("subject", "kind", "occurred", "amount", "cause"))
    )
    return acts, recorded[pick], resolved[pick]


def public_records(
    rng,
    people: People,
    life: Life,
    acc: Accounts,
    sched: Schedule,
    cal: Calendar,
    bias: np.ndarray,
    policy,
    subject_ids: FixedIds,
    width: int,
):
    """The block's public records table and its breach events.

    Returns
    -------
    table : pyarrow.Table
    breaches : tuple of ndarray
        ``(subject, recorded_on)`` of every breach-type record that counts
        (not force majeure, not void).

    Parameters
    ----------
    policy : tuple of ndarray
        Default severity (index into SEVERITIES) and breach flag of each of
        RECORD_TYPES, from the catalogue.
    width : int
        Digits of a subject number; a record id adds three.
    """
    default_severity, breach_type = policy
    acts, recorded, resolved = _acts_of_block(rng, people, life, acc, sched, cal, bias)
    k = len(acts.kind)
    fm = np.isin(acts.kind, (TAX, PENALTY)) & cal.in_epidemic(acts.occurred) & (rng.random(k) < 0.4)
    opened, closed, upheld, void = _disputes(rng, acts.cause, recorded, cal.extracted)
    no_amount = (acts.kind == PENALTY) & (rng.random(k) < 0.05)
    starts = np.searchsorted(acts.subject, acts.subject, side="left")
    number = people.number[acts.subject] * 1000 + np.arange(k) - starts + 1  # < 1000 a subject
    table = contract_table(
        "public_records",
        {
            "record_id": fixed_ids("R", number, width + 3),
            "subject_id": subject_ids.take(acts.subject),
            "record_type": pa.array(RECORD_TYPES).take(acts.kind),
            "severity": pa.array(SEVERITIES).take(_severity(rng, acts.kind, default_severity)),
            "occurred_on": date_array(acts.occurred),
            "recorded_on": date_array(recorded),
            "amount": pa.array(acts.amount, pa.float64(), mask=no_amount),
            "resolved_on": date_array(resolved),
            "force_majeure": fm,
            "dispute_opened_on": date_array(opened),
            "dispute_closed_on": date_array(closed),
            "dispute_upheld": upheld,
        },
    )
    breach = breach_type[acts.kind] & ~fm & ~void
    return table, (acts.subject[breach], recorded[breach])
