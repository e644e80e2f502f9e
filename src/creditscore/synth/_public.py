"""Public records: courts, enforcement, tax and administrative decisions.

Records come from five sources, each with a rate per subject:

- **behaviour**: tax arrears (self-employed most) and benefit fraud (while
  unemployed), monthly, driven by latent risk and, strongly, by the month's
  financial stress;
- **outside causes** the records do not otherwise show: administrative
  penalties, and civil judgments over debts to other creditors (far more
  likely in months of stress), driven by latent risk;
- **distress before a default**: a subject heading for a loan default has
  often already been sued by another creditor or fallen behind with taxes:
  60 % of first loan defaults (the first instalment 90 days late) are
  preceded, by five months to three years, by such a civil judgment (60 %) or
  tax arrears record (40 %), often while the subject's own payments still
  look clean. So public records warn of defaults, and, through the
  enforcement defaults that follow unpaid judgments, of breaches, before
  they happen: a model learns to use them;
- **unpaid loans**: a charged-off loan sometimes ends in a civil judgment;
- **errors**: records entered wrongly, which are mostly disputed and upheld.

A civil judgment left unpaid often ends in an enforcement default four to
fourteen months later. Records appear (``recorded_on``) days to months after
the act (``occurred_on``); records recorded after ``extracted_on`` are not in
the extract. Acts in the epidemic are often force majeure. A few percent of
subjects have a visible record at any time (5 to 8 % in the years 2021-2023
of the default calendar), from about one in a hundred of the least risky
fifth to one in five of the riskiest fifth.

**Over-recording** (the ``records-bias`` scenario, factor ``over_recording``,
default 4): on top of every record
above, the scenario's group gets ``record_bias - 1`` times as many again from
the behaviour and outside-cause sources, at the same latent risk and stress,
drawn from the block's random stream *after* every other record, with record
ids numbered after the subject's other records. The over-recorded world is
therefore the fair world plus extra records (civil judgments, tax arrears,
administrative penalties, benefit fraud, and the enforcement defaults that
follow the extra judgments): the same people, the same behaviour, the same
ground truth. The extra records are not true breaches, so they never enter
the ground truth's ``first_breach_on``; they do enter the records, and so
the labels built from them.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import pyarrow as pa

from ..records._contract import SEVERITIES
from ._arrow import NULL_DAY, FixedIds, contract_table, date_array, fixed_ids
from ._behaviour import sigmoid
from ._calendar import Calendar
from ._life import UNEMPLOYED, Life
from ._loans import MICROLENDER, Accounts
from ._repayments import Schedule, late90
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
#: why an act was recorded (DISTRESS: before a default; OVER: over-recording)
BEHAVIOUR, LOAN, OUTSIDE, ERROR, DISTRESS, OVER = range(6)
#: chance that a subject's first loan default is preceded by a record of distress
PRECURSOR_CHANCE = 0.6
#: of those records, the share that are civil judgments (the rest: tax arrears)
PRECURSOR_JUDGMENT = 0.6
#: the act comes this many days (low, high) before the default's 90th day late
PRECURSOR_LEAD = (150, 1080)
_BIG = np.iinfo(np.int64).max
_ACT_FIELDS = ("subject", "kind", "occurred", "amount", "cause")


@dataclass
class _Acts:
    subject: np.ndarray
    kind: np.ndarray
    occurred: np.ndarray
    amount: np.ndarray
    cause: np.ndarray

    @classmethod
    def concat(cls, parts) -> _Acts:
        return cls(*(np.concatenate([getattr(p, f) for p in parts]) for f in _ACT_FIELDS))

    def take(self, index) -> _Acts:
        return _Acts(*(getattr(self, f)[index] for f in _ACT_FIELDS))


def _rates(people: People, life: Life, cal: Calendar) -> list:
    """Monthly rate per (subject, month) of each (kind, cause) source.

    In a downturn (``cal.downturn``) the obligations among them, taxes paid late
    and debts a court orders paid, go wrong ``exp(downturn)`` times as often from
    the downturn's month on, as every other obligation does (``settle``).
    """
    r, stress = people.risk[:, None], life.stress
    worker = np.array([1.5, 0.7, 3.0])[people.worker][:, None]
    unemployed = life.status == UNEMPLOYED
    worse = np.exp(cal.downturn_shift(cal.month_start[1:stress.shape[1] + 1] - 1))
    return [
        (TAX, BEHAVIOUR, 0.00006 * np.exp(0.8 * r) * (1 + 10 * stress) * worker * worse),
        (FRAUD, BEHAVIOUR, 0.00001 * np.exp(r) * (1 + 8 * unemployed)),
        (PENALTY, OUTSIDE, 0.00006 * np.exp(0.5 * r) * (1 + 2 * stress)),
        (JUDGMENT, OUTSIDE, 0.00006 * np.exp(0.8 * r) * (1 + 10 * stress) * worse),
        (PENALTY, ERROR, np.full(stress.shape, 0.00003)),
        (TAX, ERROR, np.full(stress.shape, 0.00002)),
        (JUDGMENT, ERROR, np.full(stress.shape, 0.00002)),
    ]


def _amounts(rng, kind) -> np.ndarray:
    return np.round(MEDIAN_AMOUNT[kind] * np.exp(0.8 * rng.standard_normal(len(kind))), 2)


def _monthly_acts(rng, sources: list, cal: Calendar, shape) -> _Acts:
    """Acts of the monthly sources: one uniform draw per subject-month."""
    u = rng.random(shape)
    low = np.zeros(shape)
    parts = []
    for kind, cause, rate in sources:
        s, m = np.nonzero((u >= low) & (u < low + rate))
        low = low + rate
        parts.append((s, m, np.full(len(s), kind), np.full(len(s), cause)))
    s, m, kind, cause = (np.concatenate(x) for x in zip(*parts, strict=True))
    occurred = cal.month_start[m] + rng.integers(0, 28, len(s))
    return _Acts(s, kind, occurred, _amounts(rng, kind), cause)


def _precursors(rng, people: People, acc: Accounts, sched: Schedule, cal: Calendar) -> _Acts:
    """Civil judgments and tax arrears of subjects heading for their first loan default."""
    subject, day90 = late90(acc, sched, cal.extracted)
    first = np.full(people.n, _BIG)
    np.minimum.at(first, subject, day90)
    chosen = (first < _BIG) & (rng.random(people.n) < PRECURSOR_CHANCE)
    s = np.nonzero(chosen)[0]
    kind = np.where(rng.random(len(s)) < PRECURSOR_JUDGMENT, JUDGMENT, TAX)
    lo, hi = PRECURSOR_LEAD
    occurred = first[s] - rng.integers(lo, hi + 1, len(s))
    amount = _amounts(rng, kind)
    keep = occurred >= cal.month_start[0]
    return _Acts(s, kind, occurred, amount, np.full(len(s), DISTRESS)).take(keep)


def _loan_judgments(rng, acc: Accounts, sched: Schedule) -> _Acts:
    sued = (sched.charged_off_on != NULL_DAY) & (
        rng.random(acc.n) < np.where(acc.lender == MICROLENDER, 0.15, 0.3)
    )
    idx = np.nonzero(sued)[0]
    occurred = sched.charged_off_on[idx] + rng.integers(0, 361, len(idx))
    amount = np.round(acc.principal[idx] * rng.uniform(0.3, 0.9, len(idx)), 2)
    return _Acts(
        acc.owner[idx], np.full(len(idx), JUDGMENT), occurred, amount, np.full(len(idx), LOAN)
    )


def _record(rng, acts: _Acts, people: People, cal: Calendar):
    """Recording and resolution days of acts."""
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


@dataclass
class _Entered:
    """Recorded acts with every column of their rows, sorted by subject."""

    acts: _Acts
    recorded: np.ndarray
    resolved: np.ndarray
    fm: np.ndarray
    opened: np.ndarray
    closed: np.ndarray
    upheld: np.ndarray
    decided: np.ndarray
    no_amount: np.ndarray
    severity: np.ndarray

    @classmethod
    def concat(cls, parts) -> _Entered:
        acts = _Acts.concat([p.acts for p in parts])
        rest = (f.name for f in fields(cls) if f.name != "acts")
        return cls(acts, *(np.concatenate([getattr(p, f) for p in parts]) for f in rest))

    def take(self, index) -> _Entered:
        rest = (f.name for f in fields(self) if f.name != "acts")
        return _Entered(self.acts.take(index), *(getattr(self, f)[index] for f in rest))


def _disputes(rng, cause, recorded, extracted: int):
    """Objections: most records entered in error are disputed, and upheld."""
    k = len(cause)
    error = cause == ERROR
    opened = recorded + 10 + np.ceil(rng.exponential(60.0, k)).astype(np.int64)
    disputed = (rng.random(k) < np.where(error, 0.6, 0.05)) & (opened <= extracted)
    closed = opened + 15 + np.ceil(rng.exponential(60.0, k)).astype(np.int64)
    decided = disputed & (closed <= extracted)
    upheld = rng.random(k) < np.where(error, 0.85, 0.08)
    opened, closed = np.where(disputed, opened, NULL_DAY), np.where(decided, closed, NULL_DAY)
    return opened, closed, upheld, decided


def _severity(rng, kind, default: np.ndarray) -> np.ndarray:
    """The catalogue's default severity mostly, one level off sometimes."""
    step = np.where(rng.random(len(kind)) < 0.15, rng.choice([-1, 1], len(kind)), 0)
    return np.clip(default[kind] + step, 0, len(SEVERITIES) - 1)


def _enter(rng, first: _Acts, people: People, cal: Calendar, default_severity) -> _Entered:
    """Record acts and the enforcements that follow them; every column of their rows."""
    recorded, resolved = _record(rng, first, people, cal)
    follow = _enforcements(rng, first, recorded, resolved)
    recorded2, resolved2 = _record(rng, follow, people, cal)
    acts = _Acts.concat([first, follow])
    recorded = np.concatenate([recorded, recorded2])
    resolved = np.concatenate([resolved, resolved2])
    keep = recorded <= cal.extracted
    order = np.lexsort((acts.kind[keep], recorded[keep], acts.occurred[keep], acts.subject[keep]))
    pick = np.nonzero(keep)[0][order]
    acts, recorded, resolved = acts.take(pick), recorded[pick], resolved[pick]
    k = len(acts.kind)
    fm = np.isin(acts.kind, (TAX, PENALTY)) & cal.in_epidemic(acts.occurred) & (rng.random(k) < 0.4)
    opened, closed, upheld, decided = _disputes(rng, acts.cause, recorded, cal.extracted)
    no_amount = (acts.kind == PENALTY) & (rng.random(k) < 0.05)
    severity = _severity(rng, acts.kind, default_severity)
    return _Entered(
        acts, recorded, resolved, fm, opened, closed, upheld, decided, no_amount, severity
    )


def _ordinals(subject: np.ndarray, after: np.ndarray | None = None) -> np.ndarray:
    """1-based number of each row within its subject (rows sorted by subject)."""
    starts = np.searchsorted(subject, subject, side="left")
    ordinal = np.arange(len(subject)) - starts + 1
    return ordinal if after is None else ordinal + after[subject]


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
        (not force majeure, not void), over-recorded ones left out: they are
        not true breaches.

    Parameters
    ----------
    bias : ndarray of float64
        Recording multiplier per subject (1: recorded like everyone); a
        subject with ``bias > 1`` gets ``bias - 1`` times the behaviour and
        outside-cause records again. Values below 1 count as 1.
    policy : tuple of ndarray
        Default severity (index into SEVERITIES) and breach flag of each of
        RECORD_TYPES, from the catalogue.
    width : int
        Digits of a subject number; a record id adds three.
    """
    default_severity, breach_type = policy
    shape = life.stress.shape
    sources = _rates(people, life, cal)
    first = _Acts.concat(
        [
            _monthly_acts(rng, sources, cal, shape),
            _loan_judgments(rng, acc, sched),
            _precursors(rng, people, acc, sched, cal),
        ]
    )
    rows = _enter(rng, first, people, cal, default_severity)
    number = _ordinals(rows.acts.subject)
    void = rows.decided & rows.upheld
    breach = breach_type[rows.acts.kind] & ~rows.fm & ~void
    events = (rows.acts.subject[breach], rows.recorded[breach])
    extra = np.maximum(np.asarray(bias, dtype=float) - 1.0, 0.0)
    if extra.any():
        # drawn after every other record, so the rest of the block is unchanged
        over = [(k, OVER, rate * extra[:, None]) for k, c, rate in sources if c != ERROR]
        more = _enter(rng, _monthly_acts(rng, over, cal, shape), people, cal, default_severity)
        per_subject = np.bincount(rows.acts.subject, minlength=people.n)
        number = np.concatenate([number, _ordinals(more.acts.subject, per_subject)])
        rows = _Entered.concat([rows, more])
        order = np.lexsort((number, rows.acts.subject))
        rows, number = rows.take(order), number[order]
    number = people.number[rows.acts.subject] * 1000 + number
    return _table(rows, number, subject_ids, width), events


def _table(rows: _Entered, number, subject_ids: FixedIds, width: int) -> pa.Table:
    acts = rows.acts
    return contract_table(
        "public_records",
        {
            "record_id": fixed_ids("R", number, width + 3),  # < 1000 records a subject
            "subject_id": subject_ids.take(acts.subject),
            "record_type": pa.array(RECORD_TYPES).take(acts.kind),
            "severity": pa.array(SEVERITIES).take(rows.severity),
            "occurred_on": date_array(acts.occurred),
            "recorded_on": date_array(rows.recorded),
            "amount": pa.array(acts.amount, pa.float64(), mask=rows.no_amount),
            "resolved_on": date_array(rows.resolved),
            "force_majeure": rows.fm,
            "dispute_opened_on": date_array(rows.opened),
            "dispute_closed_on": date_array(rows.closed),
            "dispute_upheld": pa.array(rows.upheld, pa.bool_(), mask=~rows.decided),
        },
    )
