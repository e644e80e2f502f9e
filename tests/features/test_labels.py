"""The labels equal the contract's worked example and a direct reading of the contract."""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from creditscore.features import build_feature_table, build_features

from .conftest import EDGES, write_records
from .reference import reference_labels
from .strategies import EXTRACTED, day, record_sets


def _expected() -> dict:
    with open(EDGES / "expected_labels.csv", newline="") as f:
        return {
            (r["subject_id"], dt.date.fromisoformat(r["as_of"])): (
                int(r["default_12m"]) if r["default_12m"] else None,
                int(r["breach_12m"]) if r["breach_12m"] else None,
            )
            for r in csv.DictReader(f)
        }


def test_label_edges_equal_expected_labels_cell_by_cell(tmp_path):
    expected = _expected()
    out = tmp_path / "features.parquet"
    result = build_features(EDGES, sorted({d for _, d in expected}), out)
    rows = pq.read_table(out).to_pylist()
    got = {(r["subject_id"], r["as_of"]): (r["default_12m"], r["breach_12m"]) for r in rows}
    assert result.n_rows == len(expected) == len(got)
    for key, labels in expected.items():
        assert got[key] == labels, f"{key}: got {got[key]}, expected {labels}"


def test_labels_are_nullable_int64_when_read_back_with_pandas(tmp_path):
    out = tmp_path / "f.parquet"
    build_features(EDGES, ["2023-06-30"], out)
    frame = pq.read_table(out).to_pandas()
    assert str(frame["default_12m"].dtype) == "Int64"
    assert str(frame["breach_12m"].dtype) == "Int64"


@pytest.mark.parametrize(
    ("paid_on", "label"),
    [("2023-09-29", 0), ("2023-09-30", 1), (None, 1)],
    ids=["paid-on-day-90", "paid-on-day-91", "never-paid"],
)
def test_default_turns_on_day_91_not_day_90(tmp_path, paid_on, label):
    path = write_records(
        tmp_path, loans=[{"loan_id": "L1", "subject_id": "S1", "opened_on": "2022-01-01"}],
        repayments=[{"loan_id": "L1", "due_on": "2023-07-01", "paid_on": paid_on}],
    )
    row = build_feature_table(path, ["2023-06-30"], output="arrow").to_pylist()[0]
    assert row["default_12m"] == label


def test_window_is_unknown_when_it_ends_after_extracted_on(tmp_path):
    path = write_records(tmp_path, extracted_on="2024-06-29")
    rows = build_feature_table(path, ["2023-06-30", "2023-07-01"], output="arrow").to_pylist()
    assert [r["breach_12m"] for r in rows] == [0, None]


def test_dispute_opened_on_t_removes_the_record_from_the_breach_population(tmp_path):
    record = {"subject_id": "S1", "record_type": "enforcement_default",
              "recorded_on": "2022-01-01"}
    path = write_records(tmp_path, public_records=[
        {**record, "record_id": "P1", "dispute_opened_on": "2023-06-30"}])
    assert build_feature_table(path, ["2023-06-29", "2023-06-30"], output="arrow").column(
        "breach_12m").to_pylist() == [None, 0]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records=record_sets(),
       days=st.lists(day(dt.date(2017, 6, 1), dt.date(2024, 6, 30)), min_size=2, max_size=2,
                     unique=True))
def test_labels_equal_a_direct_reading_of_the_contract(records, days):
    with tempfile.TemporaryDirectory() as tmp:
        path = write_records(Path(tmp), extracted_on=EXTRACTED, subjects=("S1", "S2", "S3"),
                             **{k: v for k, v in records.items() if k != "subjects"})
        rows = build_feature_table(path, days, output="arrow").to_pylist()
    got = {(r["subject_id"], r["as_of"]): (r["default_12m"], r["breach_12m"]) for r in rows}
    assert got == reference_labels(records, days, EXTRACTED)
