"""Who lives in the synthetic world: subjects, their latent traits, employers.

Every subject has two latent traits drawn independently of the protected
attributes (except where a scenario says otherwise): an earning capacity
``income`` and a financial fragility; the **latent risk** combines them
(``0.8 * fragility - 0.6 * income``, standard normal in the ``fair`` world)
and drives every behaviour downstream. Employers are shared by all subjects
and drawn once per world from their own random stream, so that an employer in
trouble pays late for all its employees at once, whichever chunk they are in.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._arrays import ParallelArrays
from ._calendar import Calendar
from ._scenarios import Scenario

__all__ = ["People", "Employers", "draw_people", "WORKER_TYPES", "NEVER"]

WORKER_TYPES = ("informal", "employee", "flexible")
REGIONS = ("R1", "R2", "R3", "R4", "R5", "R6")
REGION_SHARES = (0.22, 0.20, 0.18, 0.16, 0.14, 0.10)
#: a payment delay meaning the obligation was never paid in full
NEVER = np.iinfo(np.int32).max
MINORITY_SHARE, RURAL_SHARE = 0.15, 0.35
INFORMAL_SHARE, FLEXIBLE_SHARE = 0.2, 0.18
MEDIAN_WAGE = 5500.0


@dataclass(frozen=True)
class People(ParallelArrays):
    """The subjects of one block, as parallel arrays.

    Attributes
    ----------
    number : ndarray of int64
        Global 1-based subject number (``S00000001`` is 1).
    risk, income : ndarray of float64
        Latent risk and earning capacity (standard deviations).
    worker : ndarray of int8
        Index into ``WORKER_TYPES``.
    entry : ndarray of int64
        Month the subject enters the social insurance system.
    wage : ndarray of float64
        Monthly wage at entry.
    flex_base : ndarray of float64
        Multiple of the minimum base a flexible worker contributes on.
    group : ndarray of bool
        Member of the scenario's group.
    protected : dict of str to ndarray
        sex, birth_year, ethnicity, hukou, region.
    """

    number: np.ndarray
    risk: np.ndarray
    income: np.ndarray
    worker: np.ndarray
    entry: np.ndarray
    wage: np.ndarray
    flex_base: np.ndarray
    group: np.ndarray
    protected: dict


def _protected(rng, n: int, start_year: int) -> dict:
    age = rng.integers(20, 61, n)
    return {
        "sex": np.where(rng.random(n) < 0.5, "female", "male"),
        "birth_year": start_year - age,
        "ethnicity": np.where(rng.random(n) < MINORITY_SHARE, "minority", "majority"),
        "hukou": np.where(rng.random(n) < RURAL_SHARE, "rural", "urban"),
        "region": np.array(REGIONS)[rng.choice(len(REGIONS), n, p=REGION_SHARES)],
    }


def _workers(rng, risk, group, scenario: Scenario) -> np.ndarray:
    informal = np.full(len(risk), INFORMAL_SHARE)
    if scenario.informal_share is not None:
        informal[group] = scenario.informal_share
    informal = np.minimum(0.9, informal * np.exp(0.25 * risk))
    u = rng.random(len(risk))
    return np.where(u < informal, 0, np.where(u < informal + FLEXIBLE_SHARE, 2, 1)).astype(np.int8)


def draw_people(rng, first: int, n: int, scenario: Scenario, cal: Calendar, start_year: int):
    """Draw ``n`` subjects numbered from ``first + 1``."""
    protected = _protected(rng, n, start_year)
    group = scenario.in_group(protected["ethnicity"] == "minority", protected["hukou"] == "rural")
    income = rng.standard_normal(n) + scenario.income_shift * group
    risk = 0.8 * rng.standard_normal(n) - 0.6 * income
    late = rng.random(n) < 0.3
    entry = np.where(late, rng.integers(1, max(2, cal.n_periods - 12), n), 0)
    return People(
        number=np.arange(first + 1, first + n + 1, dtype=np.int64),
        risk=risk,
        income=income,
        worker=_workers(rng, risk, group, scenario),
        entry=entry,
        wage=MEDIAN_WAGE * np.exp(0.45 * income + 0.1 * rng.standard_normal(n)),
        flex_base=rng.uniform(1.0, 1.6, n),
        group=group,
        protected=protected,
    )


@dataclass(frozen=True)
class Employers(ParallelArrays):
    """Employers shared by every subject of a world.

    Attributes
    ----------
    cum_weight : ndarray of float64
        Cumulative hiring share (a few large employers, many small ones).
    trouble : ndarray of bool, shape (n_employers, n_months)
        The employer is in financial trouble that month.
    delay : ndarray of int32, shape (n_employers, n_months)
        Days after the due day the employer paid that month's contributions
        (negative: early; ``NEVER``: not in full).
    paid_share : ndarray of float64, shape (n_employers, n_months)
        Share of the amount due paid (1 unless never paid in full).
    force_majeure : ndarray of bool, shape (n_employers, n_months)
        That month's contributions were officially deferred.
    """

    cum_weight: np.ndarray
    trouble: np.ndarray
    delay: np.ndarray
    paid_share: np.ndarray
    force_majeure: np.ndarray

    def pick(self, u: np.ndarray) -> np.ndarray:
        """Employer index for uniform draws ``u`` (weighted by size)."""
        return np.searchsorted(self.cum_weight, u, side="right").clip(0, self.n - 1)

    @classmethod
    def build(cls, rng, n_employers: int, cal: Calendar) -> Employers:
        size = rng.pareto(1.2, n_employers) + 1.0
        cum = np.cumsum(size) / size.sum()
        months = np.arange(cal.n_months)
        hit = rng.random(n_employers) < 0.12
        begin = rng.integers(0, cal.n_months, n_employers)
        end = begin + 3 + rng.geometric(1 / 8, n_employers)
        trouble = hit[:, None] & (months >= begin[:, None]) & (months < end[:, None])
        epidemic = cal.in_epidemic(cal.contribution_due(months))
        delay, share, fm = _employer_payments(rng, trouble, epidemic)
        return cls(cum, trouble, delay, share, fm)


def _employer_payments(rng, trouble: np.ndarray, epidemic: np.ndarray, calm_late=0.02):
    """Delay, share paid and deferral of each employer-month; ``calm_late``: the chance of
    paying a few days late outside trouble (a number, or one per employer)."""
    shape = trouble.shape
    calm = np.asarray(calm_late, dtype=np.float64)
    late = rng.random(shape) < np.where(trouble, 0.75, calm if calm.ndim == 0 else calm[:, None])
    days = np.where(trouble, 15 + rng.exponential(150, shape), 1 + rng.exponential(8, shape))
    delay = np.where(late, np.ceil(days), -rng.integers(0, 11, shape))
    never = trouble & (rng.random(shape) < 0.3)
    fm = epidemic[None, :] & (rng.random(shape) < 0.6)
    delay = np.where(fm, 60 + np.ceil(rng.exponential(90, shape)), delay)
    never = np.where(fm, rng.random(shape) < 0.08 + 0.3 * trouble, never)
    partial = never & (rng.random(shape) < 0.4)
    share = np.where(never, np.where(partial, rng.uniform(0.2, 0.8, shape), 0.0), 1.0)
    delay = np.where(never, NEVER, delay).astype(np.int32)
    return delay, share, fm
