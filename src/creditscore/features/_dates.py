"""The observation-date table: every date the point-in-time rules compare against.

Window starts and label horizons are computed here, in Python, once per
observation date, so that the feature expressions (:mod:`._visibility`)
only compare date columns: identical on every engine.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence

import pyarrow as pa

__all__ = ["WINDOW_MONTHS", "DAYS_PER_MONTH", "LATE_DAYS", "HORIZON_DAYS", "add_months",
           "dates_frame", "DATES_SCHEMA"]

#: look-back windows (months) for which every observation date carries a start date
WINDOW_MONTHS = (1, 3, 6, 12, 24, 36)
#: the mean Gregorian month, used to express day counts as months
DAYS_PER_MONTH = 30.4375
#: label arithmetic: 90 days late, and the 365-day performance window
LATE_DAYS = 90
HORIZON_DAYS = 365


def add_months(day: dt.date, months: int) -> dt.date:
    """Calendar month arithmetic clamped to the month's last day (as SQL ``add_months``)."""
    idx = day.year * 12 + day.month - 1 + months
    year, month = divmod(idx, 12)
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def dates_frame(as_of: Sequence[dt.date], extracted_on: dt.date):
    """One row per observation date with every date the rules compare against (Arrow).

    Window starts are computed here, in Python, so that the feature
    expressions only compare date columns (identical on every engine):
    an item dated ``d`` is in the N-month window at t when ``d > t_mN``.
    """
    days = dt.timedelta
    cols: dict[str, list] = {"as_of": list(as_of)}
    for n in WINDOW_MONTHS:
        cols[f"t_m{n}"] = [add_months(t, -n) for t in as_of]
    cols["t_minus_late"] = [t - days(LATE_DAYS) for t in as_of]
    cols["t_plus_band"] = [t + days(HORIZON_DAYS - LATE_DAYS) for t in as_of]
    cols["t_plus_horizon"] = [t + days(HORIZON_DAYS) for t in as_of]
    cols["label_known"] = [t + days(HORIZON_DAYS) <= extracted_on for t in as_of]
    cols["amounts_known"] = [t >= extracted_on for t in as_of]
    cols["t_month_idx"] = [t.year * 12 + t.month for t in as_of]
    return pa.table({k: _array(v, DATES_SCHEMA[k]) for k, v in cols.items()})


_EPOCH = dt.date(1970, 1, 1)


def _array(values: list, type_: pa.DataType) -> pa.Array:
    """An Arrow array of dates, bools or int64 from its buffers.

    ``pa.array`` would import pandas (half a second) only to ask whether
    ``values`` is a pandas object; this table is built on every run.
    """
    import numpy as np

    if type_ == pa.bool_():
        data = np.packbits(np.asarray(values, dtype=bool), bitorder="little")
    elif type_ == pa.date32():
        data = np.asarray([(d - _EPOCH).days for d in values], dtype=np.int32)
    else:
        data = np.asarray(values, dtype=np.int64)
    return pa.Array.from_buffers(type_, len(values), [None, pa.py_buffer(data.tobytes())])


#: column -> Arrow type of the observation-date table
DATES_SCHEMA: dict[str, pa.DataType] = {
    "as_of": pa.date32(),
    **{f"t_m{n}": pa.date32() for n in WINDOW_MONTHS},
    "t_minus_late": pa.date32(),
    "t_plus_band": pa.date32(),
    "t_plus_horizon": pa.date32(),
    "label_known": pa.bool_(),
    "amounts_known": pa.bool_(),
    "t_month_idx": pa.int64(),
}


