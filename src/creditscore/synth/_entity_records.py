"""The records of synthetic entities: business loans, public records, attributes, truth.

Per entity and month, records are drawn with rates set by the latent risk
and, strongly, by trouble (monthly, Poisson):

==========================  =============================  ==========
record type                 rate at risk r                 in trouble
==========================  =============================  ==========
tax_arrears (breach)        0.0015 exp(0.8 r)              + 0.02
enforcement_default         0.0008 exp(0.8 r)              + 0.01
civil_judgment              0.0015 exp(0.6 r)              + 0.015
administrative_penalty      0.003 exp(0.6 r)               + 0.015
==========================  =============================  ==========

A record is entered 10-120 days after the act; about half are resolved
(30 days to years later); 4 % are disputed, a third of those upheld
(void); acts in the epidemic are force majeure three times in ten.
``small-firm-bias``: small and micro private firms get ``record_bias - 1``
times as many administrative penalties again, at the same risk and trouble,
from their own random stream (``EXTRA_KEY``): the biased world is the fair
world plus extra penalties, which are no breach and never enter the truth.

Half the entities (more of the large ones) have business loans from banks:
monthly instalments over 12-36 months; in trouble an instalment is late six
times in ten and never paid one time in five, and once one is never paid
neither is any later one (the loan is charged off and stays open).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from ..records._contract import SEVERITIES
from ._arrow import NULL_DAY, FixedIds, contract_table, date_array, schema_table
from ._calendar import Calendar
from ._entities import ENTITY_KEY, EXTRA_KEY, EntityWorld
from ._world import NEVER, Employers

__all__ = ["entity_tables", "ENTITY_TRUTH_SCHEMA", "ENTITY_TROUBLE_SCHEMA", "ENTITIES_SCHEMA",
           "SUBJECTS_WITH_KIND"]

#: record type -> (base rate, risk slope, added in trouble, default severity)
RATES = {
    "tax_arrears": (0.0015, 0.8, 0.02, "general"),
    "enforcement_default": (0.0008, 0.8, 0.01, "serious"),
    "civil_judgment": (0.0015, 0.6, 0.015, "general"),
    "administrative_penalty": (0.003, 0.6, 0.015, "minor"),
}
BREACH = ("tax_arrears", "enforcement_default")
BIASED = "administrative_penalty"

SUBJECTS_WITH_KIND = pa.schema([pa.field("subject_id", pa.string(), nullable=False),
                                pa.field("kind", pa.string(), nullable=False)])
ENTITIES_SCHEMA = pa.schema([
    pa.field("subject_id", pa.string(), nullable=False),
    pa.field("region", pa.string(), nullable=False),
    pa.field("ownership", pa.string(), nullable=False),
    pa.field("headcount", pa.int64(), nullable=False),
    pa.field("size_band", pa.string(), nullable=False),
])
ENTITY_TRUTH_SCHEMA = pa.schema([
    pa.field("subject_id", pa.string(), nullable=False),
    pa.field("latent_risk", pa.float64(), nullable=False),
    pa.field("ownership", pa.string(), nullable=False),
    pa.field("size_band", pa.string(), nullable=False),
    pa.field("region", pa.string(), nullable=False),
    pa.field("in_scenario_group", pa.bool_(), nullable=False),
    pa.field("trouble_months", pa.int64(), nullable=False),
    pa.field("first_breach_on", pa.date32()),
    pa.field("first_default_on", pa.date32()),
])
#: one row per entity and month in trouble (the oracle's state at t)
ENTITY_TROUBLE_SCHEMA = pa.schema([pa.field("subject_id", pa.string(), nullable=False),
                                   pa.field("month", pa.date32(), nullable=False)])


def _records(rng, ent: EntityWorld, cal: Calendar, types, factor):
    """(entity, type index, occurred day) of every act, drawn month by month."""
    e, k, day = [], [], []
    for i, name in enumerate(types):
        base, slope, hit, _ = RATES[name]
        rate = base * np.exp(slope * ent.risk)[:, None] + hit * ent.trouble
        counts = rng.poisson(rate * factor[:, None])
        s, m = np.nonzero(counts)
        reps = counts[s, m]
        s, m = np.repeat(s, reps), np.repeat(m, reps)
        length = cal.month_start[m + 1] - cal.month_start[m]
        e.append(s)
        k.append(np.full(len(s), i))
        day.append(cal.month_start[m] + (rng.random(len(s)) * length).astype(np.int64))
    return np.concatenate(e), np.concatenate(k), np.concatenate(day)


def _record_table(rng, ent, cal, ids: FixedIds, acts, types, first_number: int):
    e, k, occurred = acts
    n = len(e)
    recorded = occurred + rng.integers(10, 121, n)
    keep = recorded <= cal.extracted
    e, k, occurred, recorded = e[keep], k[keep], occurred[keep], recorded[keep]
    n = len(e)
    resolved = recorded + 30 + np.ceil(rng.exponential(300, n)).astype(np.int64)
    resolved = np.where((rng.random(n) < 0.5) & (resolved <= cal.extracted), resolved, NULL_DAY)
    disputed = rng.random(n) < 0.04
    opened = np.where(disputed, recorded + rng.integers(5, 61, n), NULL_DAY)
    opened = np.where(opened > cal.extracted, NULL_DAY, opened)
    closed = np.where(opened != NULL_DAY, opened + rng.integers(30, 121, n), NULL_DAY)
    closed = np.where(closed > cal.extracted, NULL_DAY, closed)
    upheld = (closed != NULL_DAY) & (rng.random(n) < 0.33)
    fm = cal.in_epidemic(occurred) & (rng.random(n) < 0.3)
    serious = rng.random(n) < 0.15
    default = np.array([SEVERITIES.index(RATES[t][3]) for t in types])[k]
    severity = np.where(serious, SEVERITIES.index("serious"), default)
    amount = np.round(rng.lognormal(8.5, 1.0, n) * np.sqrt(ent.headcount[e]), 2)
    table = contract_table("public_records", {
        "record_id": FixedIds("PE", np.arange(first_number, first_number + n), 8).array(),
        "subject_id": ids.take(e),
        "record_type": pa.array(types).take(pa.array(k)),
        "severity": pa.array(SEVERITIES).take(pa.array(severity)),
        "occurred_on": date_array(occurred),
        "recorded_on": date_array(recorded),
        "amount": amount,
        "resolved_on": date_array(resolved),
        "force_majeure": fm,
        "dispute_opened_on": date_array(opened),
        "dispute_closed_on": date_array(closed),
        "dispute_upheld": pa.array(np.where(closed != NULL_DAY, upheld, False),
                                   mask=closed == NULL_DAY),
    })
    true_breach = np.isin(np.array(types)[k], BREACH) & ~fm & ~upheld
    return table, (e[true_breach], recorded[true_breach])


def _loans(rng, ent: EntityWorld, cal: Calendar, ids: FixedIds):
    n = ent.n
    has = rng.random(n) < np.clip(0.35 + 0.1 * np.log10(ent.headcount + 1), 0, 0.9)
    count = np.where(has, 1 + rng.poisson(0.8, n), 0)
    e = np.repeat(np.arange(n), count)
    k = len(e)
    month = rng.integers(0, max(1, cal.n_months - 6), k)
    opened = cal.month_start[month] + rng.integers(0, 28, k)
    term = rng.choice([12, 24, 36], k)
    principal = np.round(rng.lognormal(11.0, 0.8, k) * np.sqrt(ent.headcount[e]), -2)
    loan = np.repeat(np.arange(k), term)
    j = np.arange(loan.size) - np.repeat(np.cumsum(term) - term, term)
    inst_month = month[loan] + 1 + j
    ok = inst_month < cal.n_months
    loan, j, inst_month = loan[ok], j[ok], inst_month[ok]
    due = cal.month_start[inst_month] + (opened[loan] - cal.month_start[month[loan]])
    ok = due <= cal.extracted
    loan, j, inst_month, due = loan[ok], j[ok], inst_month[ok], due[ok]
    m = loan.size
    trouble = ent.trouble[e[loan], inst_month]
    late = rng.random(m) < np.where(trouble, 0.6, 0.015 * np.exp(0.5 * ent.risk[e[loan]]))
    slip = np.where(trouble, 15 + rng.exponential(100, m), 1 + rng.exponential(12, m))
    delay = np.where(late, slip, -rng.integers(0, 6, m)).astype(np.int64)
    never = trouble & late & (rng.random(m) < 0.2)
    first_never = np.full(k, np.iinfo(np.int64).max)
    np.minimum.at(first_never, loan[never], j[never])
    never = j >= first_never[loan]
    fm = cal.in_epidemic(due) & (rng.random(m) < 0.3)
    paid_on = np.where(never & ~fm, NULL_DAY, due + np.where(fm, 60, delay))
    paid_on = np.where((paid_on != NULL_DAY) & (paid_on > cal.extracted), NULL_DAY, paid_on)
    amount = np.round(principal[loan] / term[loan] * 1.05, 2)
    last_due = opened + 30 * term
    charged = first_never < np.iinfo(np.int64).max
    closed = np.where(~charged & (last_due + 20 <= cal.extracted), last_due + 20, NULL_DAY)
    loan_ids = FixedIds("LE", np.arange(1, k + 1), 8)
    loans = contract_table("loans", {
        "loan_id": loan_ids.array(), "subject_id": ids.take(e),
        "product": pa.array(["business"] * k, pa.string()),
        "lender_type": pa.array(["bank"] * k, pa.string()),
        "opened_on": date_array(opened), "principal": principal,
        "term_months": term.astype(np.int64), "closed_on": date_array(closed)})
    repayments = contract_table("repayments", {
        "loan_id": loan_ids.take(loan), "due_on": date_array(due), "amount_due": amount,
        "amount_paid": np.where(paid_on != NULL_DAY, amount, 0.0),
        "paid_on": date_array(paid_on), "force_majeure": fm})
    day90 = due + 90
    bad = ~fm & ((paid_on == NULL_DAY) | (paid_on > day90)) & (day90 <= cal.extracted)
    return loans, repayments, (e[loan[bad]], day90[bad])


def _employer_breaches(employers: Employers, cal: Calendar):
    """(entity, day) of every employer-owed month that became 90 days late."""
    due = cal.contribution_due(np.arange(cal.n_periods))
    delay = employers.delay[:, : cal.n_periods]
    fm = employers.force_majeure[:, : cal.n_periods]
    late = ~fm & ((delay == NEVER) | (delay > 90)) & (due[None, :] + 90 <= cal.extracted)
    e, m = np.nonzero(late)
    return e, due[m] + 90


def _first(n, events) -> pa.Array:
    first = np.full(n, np.iinfo(np.int64).max)
    for e, day in events:
        np.minimum.at(first, e, day)
    return date_array(np.where(first == np.iinfo(np.int64).max, NULL_DAY, first))


def entity_tables(seed: int, ent: EntityWorld, employers: Employers, cal: Calendar,
                  ids: FixedIds) -> dict[str, pa.Table]:
    """Every entity table (record tables and the ground truth), by name."""
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(ENTITY_KEY, 1)))
    types = tuple(RATES)
    base, true_breach = _record_table(rng, ent, cal, ids, _records(
        rng, ent, cal, types, np.ones(ent.n)), types, 1)
    tables = [base]
    if ent.record_bias > 1:
        extra_rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(EXTRA_KEY,)))
        factor = np.where(ent.group, ent.record_bias - 1.0, 0.0)
        acts = _records(extra_rng, ent, cal, (BIASED,), factor)
        tables.append(_record_table(extra_rng, ent, cal, ids, acts, (BIASED,),
                                    base.num_rows + 1)[0])
    loans, repayments, defaults = _loans(rng, ent, cal, ids)
    s, m = np.nonzero(ent.trouble)
    return {
        "subjects": schema_table(SUBJECTS_WITH_KIND, {
            "subject_id": ids.array(), "kind": pa.array(["entity"] * ent.n, pa.string())}),
        "entities": schema_table(ENTITIES_SCHEMA, {
            "subject_id": ids.array(), "region": ent.region, "ownership": ent.ownership,
            "headcount": ent.headcount, "size_band": ent.size_band}),
        "loans": loans,
        "repayments": repayments,
        "public_records": pa.concat_tables(tables),
        "entity_truth": schema_table(ENTITY_TRUTH_SCHEMA, {
            "subject_id": ids.array(), "latent_risk": ent.risk, "ownership": ent.ownership,
            "size_band": ent.size_band, "region": ent.region, "in_scenario_group": ent.group,
            "trouble_months": ent.trouble.sum(axis=1).astype(np.int64),
            "first_breach_on": _first(ent.n, [_employer_breaches(employers, cal), true_breach]),
            "first_default_on": _first(ent.n, [defaults])}),
        "entity_trouble": schema_table(ENTITY_TROUBLE_SCHEMA, {
            "subject_id": ids.take(s), "month": date_array(cal.month_start[m])}),
    }
