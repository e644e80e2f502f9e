"""Synthetic market entities: employers that are subjects (guide: entities).

With ``--entities N`` the world's employers are N entity subjects instead of
anonymous ids. Each has a registered headcount (several size bands), an
ownership type and a region, drawn independently of one another, and a
latent risk drawn independently of all three in every scenario. The latent
risk sets how often the entity falls into financial **trouble** (a spell of
months) and how often it pays a few days late outside trouble; in trouble
it pays its employees' contributions late or not at all (the employer-owed
arrears the persons' contribution rows show, by the same rule as the
employers of a person-only world), falls behind with business loans and
collects tax arrears, enforcement defaults, civil judgments and
administrative penalties (see ``_entity_records``).

Persons are hired in proportion to the square root of the headcount: the
record set holds a sample of each employer's employees, and even micro
firms have some in it.

Randomness: everything of the entities is drawn from
``SeedSequence(seed, spawn_key=(2,))`` (the extra records of
``small-firm-bias`` from ``(3,)``); a world without entities never draws
from these streams, so its files are those of before, byte for byte.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..records._entities import OWNERSHIP, SIZE_BANDS, size_band
from ._arrays import ParallelArrays
from ._calendar import Calendar
from ._world import REGION_SHARES, REGIONS, Employers, _employer_payments

__all__ = ["EntityWorld", "build_entities", "ENTITY_KEY", "EXTRA_KEY", "OWNERSHIP_SHARES"]

ENTITY_KEY, EXTRA_KEY = 2, 3
OWNERSHIP_SHARES = (0.62, 0.14, 0.09, 0.15)
#: share of entities in each size band, and the headcount range drawn within it
BAND_SHARES = (0.35, 0.40, 0.15, 0.10)
BAND_RANGES = ((1, 10), (10, 100), (100, 300), (300, 3000))
#: monthly probability that trouble begins, at latent risk 0, and its risk slope
TROUBLE_RATE, TROUBLE_SLOPE = 0.006, 0.9
TROUBLE_MEAN_EXTRA = 6.0
#: chance of paying a month's contributions a few days late outside trouble, at risk 0
#: (chronic late payers are the risky ones: the history shows the latent risk)
CALM_LATE = 0.04


@dataclass(frozen=True)
class EntityWorld(ParallelArrays):
    """The entities of one world, as parallel arrays (index = employer index).

    Attributes
    ----------
    risk : ndarray of float64
        Latent risk (standard normal).
    ownership, region, size_band : ndarray of str
    headcount : ndarray of int64
        Registered employees (the size band follows from it).
    group : ndarray of bool
        Small or micro private firms: the ``small-firm-bias`` scenario's group.
    trouble : ndarray of bool, shape (n, n_months)
    record_bias : float
        Over-recording factor of the group's administrative penalties (1: none).
    """

    risk: np.ndarray
    ownership: np.ndarray
    region: np.ndarray
    headcount: np.ndarray
    size_band: np.ndarray
    group: np.ndarray
    trouble: np.ndarray
    record_bias: float


def _headcount(rng, n: int) -> np.ndarray:
    band = rng.choice(len(BAND_SHARES), n, p=BAND_SHARES)
    low = np.array([r[0] for r in BAND_RANGES])[band]
    high = np.array([r[1] for r in BAND_RANGES])[band]
    # log-uniform within the band
    return np.floor(np.exp(rng.uniform(np.log(low), np.log(high)))).astype(np.int64).clip(low,
                                                                                        high - 1)


def _trouble(rng, risk: np.ndarray, n_months: int) -> np.ndarray:
    n = len(risk)
    rate = TROUBLE_RATE * np.exp(TROUBLE_SLOPE * risk)
    start = rng.random((n, n_months)) < rate[:, None]
    length = 3 + rng.geometric(1 / TROUBLE_MEAN_EXTRA, (n, n_months))
    trouble = np.zeros((n, n_months), dtype=bool)
    left = np.zeros(n, dtype=np.int64)
    for m in range(n_months):
        left = np.where((left == 0) & start[:, m], length[:, m], left)
        trouble[:, m] = left > 0
        left = np.maximum(left - 1, 0)
    return trouble


def build_entities(seed: int, n: int, cal: Calendar, record_bias: float = 1.0):
    """The entities of a world and the :class:`Employers` its persons work for.

    Returns
    -------
    entities : EntityWorld
    employers : Employers
    """
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(ENTITY_KEY,)))
    headcount = _headcount(rng, n)
    ownership = np.array(OWNERSHIP)[rng.choice(len(OWNERSHIP), n, p=OWNERSHIP_SHARES)]
    region = np.array(REGIONS)[rng.choice(len(REGIONS), n, p=REGION_SHARES)]
    risk = rng.standard_normal(n)
    trouble = _trouble(rng, risk, cal.n_months)
    bands = np.array([size_band(int(h)) for h in headcount])
    small = np.isin(bands, [b for b, least in SIZE_BANDS.items() if least < 100])
    entities = EntityWorld(risk, ownership, region, headcount, bands,
                           small & (ownership == "private"), trouble, float(record_bias))
    weight = np.sqrt(headcount.astype(np.float64))
    epidemic = cal.in_epidemic(cal.contribution_due(np.arange(cal.n_months)))
    calm_late = np.clip(CALM_LATE * np.exp(TROUBLE_SLOPE * risk), 0, 0.6)
    delay, share, fm = _employer_payments(rng, trouble, epidemic, calm_late)
    employers = Employers(np.cumsum(weight) / weight.sum(), trouble, delay, share, fm)
    return entities, employers
