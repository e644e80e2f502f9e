"""How a subject settles an obligation: on time, late, partly or never.

One rule for every obligation the subject owes (self-paid contributions, loan
instalments, card statements), so that the same person behaves alike across
sources. The chance of paying late, the number of days late and the chance of
never paying all grow with latent risk and with the month's stress; a
product-specific ``modifier`` says what is paid first (a mortgage before a
microloan). Obligations paid on time are paid up to a week **before** the due
day, so ``paid_on`` may precede ``due_on``; late ones are paid after it.

Draws are shared within a subject-month (one bad month makes everything late)
and mixed with per-obligation draws where obligations differ.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ._arrow import NULL_DAY

__all__ = ["MonthDraws", "settle", "sigmoid", "NULL_DAY"]

#: share of an obligation's draws taken from its subject-month
SHARED = 0.7


def sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


@dataclass(frozen=True)
class MonthDraws:
    """Uniform and exponential draws per subject-month, shape (n, n_months)."""

    late: np.ndarray
    never: np.ndarray
    days: np.ndarray
    partial: np.ndarray

    @classmethod
    def draw(cls, rng, shape) -> MonthDraws:
        return cls(
            rng.random(shape), rng.random(shape), rng.exponential(1.0, shape), rng.random(shape)
        )

    def pick(self, s, m, rng=None) -> tuple:
        """Draws for obligations of subjects ``s`` in months ``m``.

        With ``rng``, each obligation keeps its subject-month's draws with
        probability ``SHARED`` and gets fresh ones otherwise.
        """
        draws = (self.late[s, m], self.never[s, m], self.days[s, m], self.partial[s, m])
        if rng is None:
            return draws
        own = rng.random(len(s)) >= SHARED
        fresh = (
            rng.random(len(s)),
            rng.random(len(s)),
            rng.exponential(1.0, len(s)),
            rng.random(len(s)),
        )
        return tuple(np.where(own, f, d) for f, d in zip(fresh, draws, strict=True))


def settle(draws: tuple, risk, stress, modifier, force_majeure, due_on, extracted: int):
    """Payment day and share paid of each obligation.

    Parameters
    ----------
    draws : tuple of ndarray
        ``(late, never, days, partial)`` from :meth:`MonthDraws.pick`.
    risk, stress, modifier : ndarray or float
        Latent risk, the month's stress and a per-product shift, per obligation.
    force_majeure : ndarray of bool
        Officially deferred: paid months late, or not at all.
    due_on : ndarray of int64
    extracted : int
        Payments after this day are not in the records (not yet paid).

    Returns
    -------
    paid_on : ndarray of int64
        ``NULL_DAY`` where the obligation was not paid in full.
    share : ndarray of float64
        Share of the amount due paid: 1, a part, or 0.
    """
    u_late, u_never, e_days, u_part = draws
    late = u_late < sigmoid(-3.6 + 0.8 * risk + 4.0 * stress + modifier)
    never = late & (u_never < sigmoid(-4.8 + 0.7 * risk + 5.0 * stress**2 + modifier))
    days = np.ceil(e_days * (3 + 10 * sigmoid(risk) + 60 * stress**2))
    delay = np.where(late, days, -np.floor(u_part * 8))
    delay = np.where(force_majeure, 30 + np.ceil(e_days * 80), delay)
    never = np.where(force_majeure, u_never < 0.12 + 0.3 * stress, never)
    paid_on = (due_on + delay).astype(np.int64)
    unpaid = never | (paid_on > extracted)
    part = np.where(never & (u_part < 0.35), 0.1 + 0.8 * (u_part / 0.35), 0.0)
    share = np.where(unpaid, part, 1.0)
    return np.where(unpaid, NULL_DAY, paid_on), share
