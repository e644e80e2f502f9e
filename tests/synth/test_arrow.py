"""Building Arrow columns: fixed-width ids, nullable dates, the month grid."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa

from creditscore.synth._arrow import NULL_DAY, FixedIds, date_array
from creditscore.synth._calendar import Calendar, to_days


def test_fixed_ids_are_zero_padded_with_their_prefix():
    ids = FixedIds("E", np.array([1, 42, 999999]), 6)
    assert ids.array().to_pylist() == ["E000001", "E000042", "E999999"]


def test_fixed_ids_take_repeats_and_nulls():
    ids = FixedIds("S", np.array([7, 8]), 8)
    taken = ids.take(np.array([1, 1, 0]), null=np.array([False, True, False]))
    assert taken.type == pa.string()
    assert taken.to_pylist() == ["S00000008", None, "S00000007"]


def test_null_day_becomes_a_null_date():
    days = np.array([to_days(dt.date(2020, 2, 29)), NULL_DAY])
    assert date_array(days).to_pylist() == [dt.date(2020, 2, 29), None]


def test_contribution_periods_stop_at_the_last_one_due_by_extraction():
    cal = Calendar.build(dt.date(2018, 1, 1), dt.date(2024, 12, 31))
    assert cal.n_months == 84 and cal.n_periods == 83  # November 2024 is due 2024-12-15
    early = Calendar.build(dt.date(2018, 1, 1), dt.date(2024, 12, 14))
    assert early.n_periods == 82
    assert cal.epidemic_months.sum() == 5
