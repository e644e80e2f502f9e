"""The points scale and the risk tiers: how a PD is shown and classified.

Scale (PDO and base odds, as scorecards are read): ``score = offset + factor *
ln(odds)`` with ``odds = (1 - pd) / pd`` (good:bad), ``factor = pdo / ln 2``
and ``offset = points - factor * ln(base_odds)``. With the defaults, odds of
50:1 score 600 and every doubling of the odds adds 20 points. A scorecard's
points are on this scale by construction; a LightGBM PD is mapped onto it.

Tiers support proportionate, classified supervision instead of one
blacklist. Default bands, on the calibrated 12-month PD:

=====  ================  ==========================  ====================
tier   PD                score (default scale)       meaning
=====  ================  ==========================  ====================
A      < 2%              > ~599                      no action
B      2% to < 5%        ~572 to ~599                routine monitoring
C      5% to < 15%       ~537 to ~572                early-warning review
D      >= 15%            <= ~537                     support / human review
=====  ================  ==========================  ====================

A tier is advice for a human decision, never a sanction by itself.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["PointsScale", "RiskTiers", "PD_FLOOR"]

#: PDs are kept inside [PD_FLOOR, 1 - PD_FLOOR] so that every score is finite
PD_FLOOR = 1e-4


@dataclass(frozen=True)
class PointsScale:
    """PDO / base-odds points scale.

    Parameters
    ----------
    pdo : float, default=20
        Points to double the odds.
    odds : float, default=50
        Base odds (good:bad) that score ``points``.
    points : float, default=600
    """

    pdo: float = 20.0
    odds: float = 50.0
    points: float = 600.0

    def __post_init__(self):
        if not (self.pdo > 0 and self.odds > 0):
            raise ValueError(f"pdo and odds must be > 0, got pdo={self.pdo}, odds={self.odds}")

    @property
    def factor(self) -> float:
        """Points per unit of log-odds: ``pdo / ln 2``."""
        return self.pdo / math.log(2)

    @property
    def offset(self) -> float:
        """The points at log-odds 0: ``points - factor * ln(odds)``."""
        return self.points - self.factor * math.log(self.odds)

    def from_logit(self, logit) -> np.ndarray:
        """Score from the log-odds of the event (bad): higher logit, fewer points."""
        return self.offset - self.factor * np.asarray(logit, dtype=float)

    def from_pd(self, pd) -> np.ndarray:
        """Score of a PD: ``offset + factor * ln((1 - pd) / pd)``."""
        p = np.clip(np.asarray(pd, dtype=float), PD_FLOOR, 1 - PD_FLOOR)
        return self.offset + self.factor * np.log((1 - p) / p)

    def to_pd(self, score) -> np.ndarray:
        """Inverse of :meth:`from_pd`."""
        odds = np.exp((np.asarray(score, dtype=float) - self.offset) / self.factor)
        return 1 / (1 + odds)

    def to_dict(self) -> dict:
        """The scale as JSON-ready data: points to double the odds, anchor odds and points."""
        return {"pdo": self.pdo, "odds": self.odds, "points": self.points}


@dataclass(frozen=True)
class RiskTiers:
    """Risk tiers from PD bands.

    Parameters
    ----------
    bands : tuple of float, default=(0.02, 0.05, 0.15)
        Increasing upper PD bounds (exclusive) of every tier but the last.
    labels : tuple of str, default=("A", "B", "C", "D")
        One more label than bands, from lowest to highest risk.

    Examples
    --------
    >>> RiskTiers().assign([0.01, 0.03, 0.10, 0.40]).tolist()
    ['A', 'B', 'C', 'D']
    """

    bands: tuple[float, ...] = (0.02, 0.05, 0.15)
    labels: tuple[str, ...] = ("A", "B", "C", "D")

    def __post_init__(self):
        b = tuple(float(x) for x in self.bands)
        object.__setattr__(self, "bands", b)
        object.__setattr__(self, "labels", tuple(str(x) for x in self.labels))
        if not all(0 < x < 1 for x in b) or any(x >= y for x, y in zip(b[:-1], b[1:], strict=True)):
            raise ValueError(f"tier bands must increase strictly inside (0, 1), got {b}")
        if len(self.labels) != len(b) + 1:
            raise ValueError(f"{len(b)} bands need {len(b) + 1} labels, got {self.labels}")

    def assign(self, pd) -> np.ndarray:
        """The tier label of each PD (a band's upper bound belongs to the next tier)."""
        idx = np.searchsorted(np.asarray(self.bands), np.asarray(pd, dtype=float), side="right")
        return np.asarray(self.labels, dtype=object)[idx]

    def to_dict(self) -> dict:
        """The tiers as JSON-ready data: the PD band edges and the tier labels."""
        return {"bands": list(self.bands), "labels": list(self.labels)}

    def to_frame(self, scale: PointsScale | None = None):
        """One row per tier: PD range and, given a scale, the score range."""
        import pandas as pd

        lo = (0.0, *self.bands)
        hi = (*self.bands, 1.0)
        frame = pd.DataFrame({"tier": self.labels, "pd_from": lo, "pd_to": hi})
        if scale is not None:
            frame["score_to"] = scale.from_pd(frame["pd_from"])
            frame["score_from"] = scale.from_pd(frame["pd_to"])
        return frame
