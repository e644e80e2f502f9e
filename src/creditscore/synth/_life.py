"""Month by month: income shocks, financial stress, jobs and wages.

A subject's **stress** (0 calm .. 1 in deep trouble) is what turns latent risk
into records. Shocks arrive at a monthly rate that grows with latent risk (and
four-fold in the epidemic), build up over about three months, last six months
on average and fade afterwards; unemployment adds stress of its own. Stress
raises the chance of losing a job, of paying late, of never paying, of taking
a microloan and of drawing on a credit card, so that deterioration shows in
the records months before an obligation is 90 days late.

The loop runs over months only; every step is vectorised over subjects.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._calendar import Calendar
from ._world import Employers, People

__all__ = ["Life", "simulate_life", "OUTSIDE", "EMPLOYED", "UNEMPLOYED", "FLEXIBLE", "LAPSED"]

#: employment status codes
OUTSIDE, EMPLOYED, UNEMPLOYED, FLEXIBLE, LAPSED = 0, 1, 2, 3, 4
SHOCK_RATE = 0.004


@dataclass(frozen=True)
class Life:
    """Monthly history of one block of subjects, arrays of shape (n, n_months).

    Attributes
    ----------
    status : ndarray of int8
        OUTSIDE, EMPLOYED, UNEMPLOYED, FLEXIBLE (self-paying) or LAPSED.
    employer : ndarray of int32
        Employer index (meaningful while EMPLOYED).
    wage : ndarray of float64
    stress : ndarray of float64
    n_shocks : ndarray of int64, shape (n,)
    """

    status: np.ndarray
    employer: np.ndarray
    wage: np.ndarray
    stress: np.ndarray
    n_shocks: np.ndarray


class _State:
    """Mutable per-subject state carried from one month to the next."""

    def __init__(self, people: People, first_employer: np.ndarray):
        n = people.n
        self.status = np.zeros(n, dtype=np.int8)
        self.employer = first_employer.astype(np.int32)
        self.wage = people.wage.copy()
        self.remaining = np.zeros(n, dtype=np.int64)
        self.severity = np.zeros(n)
        self.level = np.zeros(n)
        self.n_shocks = np.zeros(n, dtype=np.int64)


def _shock_step(st: _State, onset_u, hazard, duration, severity) -> None:
    onset = (st.remaining == 0) & (onset_u < hazard)
    st.n_shocks += onset
    st.remaining = np.where(onset, duration, np.maximum(st.remaining - 1, 0))
    st.severity = np.where(onset, severity, st.severity)
    rising = np.minimum(st.severity, st.level + st.severity / 3)
    st.level = np.where(st.remaining > 0, rising, st.level * 0.6)


def _employee_step(st: _State, people: People, m: int, u, noise, new_employer, trouble):
    entering = (people.entry == m) & (people.worker == 1)
    employed = (st.status == EMPLOYED) & ~entering
    p_leave = 0.005 + 0.03 * st.level + 0.04 * trouble[st.employer, m]
    leave = employed & (u[0] < p_leave)
    laid_off = leave & (u[1] < 0.35 + 0.5 * st.level)
    change = employed & ~laid_off & (leave | (u[2] < 0.01))
    rehired = (st.status == UNEMPLOYED) & (u[3] < 0.22 * (1 - 0.6 * st.level))
    st.employer = np.where(entering | change | rehired, new_employer, st.employer)
    jump = np.where(change, 0.07, np.where(rehired, -0.03, 0.0)) + 0.08 * noise
    st.wage = np.where(change | rehired, st.wage * np.exp(jump), st.wage)
    st.status[entering | rehired] = EMPLOYED
    st.status[laid_off] = UNEMPLOYED


def _flexible_step(st: _State, people: People, m: int, u) -> None:
    entering = (people.entry == m) & (people.worker == 2)
    lapse = (st.status == FLEXIBLE) & (u < 0.01 + 0.1 * st.level)
    resume = (st.status == LAPSED) & (u < 0.2)
    st.status[entering | resume] = FLEXIBLE
    st.status[lapse] = LAPSED


def simulate_life(rng, people: People, employers: Employers, cal: Calendar) -> Life:
    """Simulate every month of the grid for one block of subjects."""
    n, months = people.n, cal.n_months
    u = rng.random((6, n, months))
    noise = rng.standard_normal((2, n, months))
    duration = rng.geometric(1 / 6, (n, months))
    severity = rng.uniform(0.3, 1.0, (n, months))
    hires = employers.pick(rng.random((n, months))).astype(np.int32)
    epidemic = cal.epidemic_months
    hazard = SHOCK_RATE * np.exp(0.8 * people.risk)
    january = cal.year[1:] != cal.year[:-1]
    st = _State(people, hires[:, 0])
    out = {
        k: np.empty((n, months), dtype=t)
        for k, t in (
            ("status", np.int8),
            ("employer", np.int32),
            ("wage", float),
            ("stress", float),
        )
    }
    for m in range(months):
        _shock_step(st, u[0, :, m], hazard * (1 + 3 * epidemic[m]), duration[:, m], severity[:, m])
        _employee_step(st, people, m, u[1:5, :, m], noise[0, :, m], hires[:, m], employers.trouble)
        _flexible_step(st, people, m, u[5, :, m])
        if m > 0 and january[m - 1]:
            st.wage = st.wage * np.exp(0.04 + 0.02 * noise[1, :, m])
        out["status"][:, m] = st.status
        out["employer"][:, m] = st.employer
        out["wage"][:, m] = st.wage
        unemployed = 0.4 * (st.status == UNEMPLOYED)
        out["stress"][:, m] = np.minimum(1.0, np.maximum(st.level, unemployed) + 0.1 * epidemic[m])
    return Life(n_shocks=st.n_shocks, **out)
