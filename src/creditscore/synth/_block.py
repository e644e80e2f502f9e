"""One block of subjects, from latent traits to every table of the record set.

Subjects are generated in blocks of ``BLOCK`` subjects; block ``i`` draws all
its randomness from ``SeedSequence(seed, spawn_key=(1, i))`` (the world's
employers use ``spawn_key=(0,)``), so a block's records depend on the seed,
the scenario and its position only: not on how many blocks are generated at
once, nor in which order.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from ..records._contract import SEVERITIES
from ._arrow import NULL_DAY, FixedIds, contract_table, date_array, schema_table
from ._behaviour import MonthDraws
from ._calendar import Calendar
from ._contributions import contributions
from ._entities import EntityWorld, build_entities
from ._life import SHOCK_RATE, simulate_life
from ._loans import open_accounts
from ._public import RECORD_TYPES, public_records
from ._repayments import late90, loan_ids_for, loans_table, repayments_table, schedule
from ._scenarios import Scenario
from ._world import WORKER_TYPES, Employers, People, draw_people

__all__ = ["World", "make_block", "BLOCK", "TRUTH_SCHEMA", "WORLD_KEY", "BLOCK_KEY"]

BLOCK = 1000
WORLD_KEY, BLOCK_KEY = 0, 1
SUBJECTS_PER_EMPLOYER = 20

TRUTH_SCHEMA = pa.schema(
    [
        pa.field("subject_id", pa.string(), nullable=False),
        pa.field("latent_risk", pa.float64(), nullable=False),
        pa.field("income_score", pa.float64(), nullable=False),
        pa.field("worker_type", pa.string(), nullable=False),
        pa.field("is_minority", pa.bool_(), nullable=False),
        pa.field("is_rural", pa.bool_(), nullable=False),
        pa.field("in_scenario_group", pa.bool_(), nullable=False),
        pa.field("shock_probability_12m", pa.float64(), nullable=False),
        pa.field("n_shocks", pa.int64(), nullable=False),
        pa.field("first_default_on", pa.date32()),
        pa.field("first_breach_on", pa.date32()),
    ]
)


@dataclass(frozen=True)
class World:
    """What every block of one world shares."""

    seed: int
    n_subjects: int
    scenario: Scenario
    cal: Calendar
    start_year: int
    employers: Employers
    policy: tuple
    width: int
    employer_ids: FixedIds
    entities: EntityWorld | None = None

    @classmethod
    def build(cls, seed, n_subjects, scenario, cal, start_year, catalogue,
              n_entities: int = 0) -> World:
        """The world; with ``n_entities`` its employers are entity subjects (``_entities``)."""
        if n_entities:
            entities, employers = build_entities(seed, n_entities, cal,
                                                 scenario.entity_record_bias)
            n_employers = n_entities
        else:
            rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(WORLD_KEY,)))
            n_employers = max(20, n_subjects // SUBJECTS_PER_EMPLOYER)
            entities, employers = None, Employers.build(rng, n_employers, cal)
        severity = np.array(
            [SEVERITIES.index(catalogue.record_types[t].default_severity) for t in RECORD_TYPES]
        )
        breach = np.array([catalogue.record_types[t].breach for t in RECORD_TYPES])
        return cls(
            seed,
            n_subjects,
            scenario,
            cal,
            start_year,
            employers,
            (severity, breach),
            max(8, len(str(n_subjects))),
            FixedIds("E", np.arange(1, n_employers + 1), max(6, len(str(n_employers)))),
            entities,
        )

    @property
    def n_blocks(self) -> int:
        return -(-self.n_subjects // BLOCK)


def make_block(world: World, index: int) -> dict[str, pa.Table]:
    """Every table of block ``index``, and its ground truth under ``"truth"``."""
    first = index * BLOCK
    n = min(BLOCK, world.n_subjects - first)
    rng = np.random.default_rng(np.random.SeedSequence(world.seed, spawn_key=(BLOCK_KEY, index)))
    cal = world.cal
    people = draw_people(rng, first, n, world.scenario, cal, world.start_year)
    life = simulate_life(rng, people, world.employers, cal)
    draws = MonthDraws.draw(rng, life.stress.shape)
    sid = FixedIds("S", people.number, world.width)
    contrib, own_late = contributions(
        rng, people, life, world.employers, draws, cal, sid, world.employer_ids
    )
    acc = open_accounts(rng, people, life, cal, world.scenario)
    sched = schedule(rng, people, life, acc, draws, cal)
    loan_ids = loan_ids_for(acc, people, world.width)
    bias = np.where(people.group, world.scenario.record_bias, 1.0)
    public, breaches = public_records(
        rng, people, life, acc, sched, cal, bias, world.policy, sid, world.width
    )
    events = {
        "default": late90(acc, sched, cal.extracted),
        "breach": tuple(map(np.concatenate, zip(own_late, breaches, strict=True))),
    }
    return {
        "subjects": contract_table("subjects", {"subject_id": sid.array()}),
        "contributions": contrib,
        "loans": loans_table(acc, sched, loan_ids, sid),
        "repayments": repayments_table(sched, loan_ids),
        "public_records": public,
        "protected": _protected(people, sid),
        "truth": _truth(people, life, sid, events),
    }


def _protected(people: People, sid: FixedIds) -> pa.Table:
    return contract_table("protected", {"subject_id": sid.array(), **people.protected})


def _first_day(n: int, subject: np.ndarray, day: np.ndarray) -> pa.Array:
    first = np.full(n, np.iinfo(np.int64).max)
    np.minimum.at(first, subject, day)
    return date_array(np.where(first == np.iinfo(np.int64).max, NULL_DAY, first))


def _truth(people: People, life, sid: FixedIds, events: dict) -> pa.Table:
    hazard = SHOCK_RATE * np.exp(0.8 * people.risk)
    columns = {
        "subject_id": sid.array(),
        "latent_risk": people.risk,
        "income_score": people.income,
        "worker_type": pa.array(WORKER_TYPES).take(people.worker),
        "is_minority": people.protected["ethnicity"] == "minority",
        "is_rural": people.protected["hukou"] == "rural",
        "in_scenario_group": people.group,
        "shock_probability_12m": 1 - (1 - hazard) ** 12,
        "n_shocks": life.n_shocks,
        "first_default_on": _first_day(people.n, *events["default"]),
        "first_breach_on": _first_day(people.n, *events["breach"]),
    }
    return schema_table(TRUTH_SCHEMA, columns)
