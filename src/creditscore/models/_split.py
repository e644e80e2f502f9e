"""The out-of-time slice: the most recent known period of the training rows.

Early stopping, calibration and the training-time evaluation all use one
slice, chosen here and nowhere else: the rows of the latest ``n_dates``
distinct ``as_of`` dates. With a single date there is no "later", so a
stratified random ``fraction`` of the rows (seeded) stands in for it.
"""

from __future__ import annotations

import numpy as np

__all__ = ["holdout_mask"]


def holdout_mask(
    as_of=None, y=None, *, n_dates: int = 1, fraction: float = 0.2, random_state=0
) -> tuple[np.ndarray, str]:
    """Boolean mask of the holdout rows and how it was chosen.

    Parameters
    ----------
    as_of : array-like of dates, optional
        Observation date of each row. None means a random holdout.
    y : array-like of {0, 1}
        Labels (the random holdout is stratified on them).
    n_dates : int, default=1
        How many of the latest distinct dates form the out-of-time slice.
    fraction : float, default=0.2
        Share of rows in the random holdout (single date or no dates).
    random_state : int, default=0

    Returns
    -------
    mask : ndarray of bool
    kind : {"out_of_time", "random"}
    """
    y = np.asarray(y)
    if as_of is not None:
        dates = np.asarray(as_of, dtype="datetime64[D]")
        distinct = np.unique(dates)
        if len(distinct) > n_dates:
            return dates >= distinct[-n_dates], "out_of_time"
    return _stratified(y, fraction, random_state), "random"


def _stratified(y: np.ndarray, fraction: float, random_state) -> np.ndarray:
    rng = np.random.default_rng(random_state)
    mask = np.zeros(len(y), dtype=bool)
    for value in np.unique(y):
        rows = np.flatnonzero(y == value)
        take = int(round(fraction * len(rows)))
        mask[rng.choice(rows, size=take, replace=False)] = True
    return mask
