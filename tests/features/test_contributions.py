"""Social insurance features on hand-built records."""

from __future__ import annotations

from .conftest import features_at, write_records

LATE = {"subject_id": "S1", "due_on": "2023-01-15", "paid_on": "2023-03-01"}  # 45 days late
UNPAID = {"subject_id": "S1", "due_on": "2023-01-15", "amount_paid": 0.0}


def test_a_late_self_owed_contribution_counts_as_the_subjects_arrears(tmp_path):
    path = write_records(tmp_path, contributions=[UNPAID])
    row = features_at(path, "2023-03-01")["2023-03-01"]
    assert row["si_late_count_12m"] == 1
    assert row["si_late30_count_12m"] == 1
    assert row["si_arrears_count"] == 1
    assert row["si_arrears_amount"] == 800.0
    assert row["si_days_late_max_12m"] == 45


def test_an_employer_owed_late_contribution_is_not_the_subjects_arrears(tmp_path):
    path = write_records(tmp_path, contributions=[{**UNPAID, "employer_id": "E1"}])
    row = features_at(path, "2023-03-01")["2023-03-01"]
    assert row["si_late_count_12m"] == 0
    assert row["si_arrears_count"] == 0
    assert row["si_arrears_amount"] == 0.0
    assert row["si_days_late_max_12m"] == 0
    assert row["si_months_since_late"] is None
    # it still describes employment: a covered month, an employer
    assert row["si_months_covered_12m"] == 1
    assert row["si_new_employers_12m"] == 1


def test_a_force_majeure_contribution_is_never_late(tmp_path):
    path = write_records(tmp_path, contributions=[{**UNPAID, "force_majeure": True}])
    row = features_at(path, "2023-06-01")["2023-06-01"]
    assert row["si_late_count_12m"] == 0
    assert row["si_arrears_count"] == 0
    assert row["si_ontime_share_12m"] == 1.0


def test_lateness_is_as_known_at_t_and_stops_at_payment(tmp_path):
    path = write_records(tmp_path, contributions=[LATE])
    rows = features_at(path, "2023-01-25", "2023-06-01")
    assert rows["2023-01-25"]["si_days_late_max_12m"] == 10
    assert rows["2023-01-25"]["si_arrears_count"] == 1
    assert rows["2023-06-01"]["si_days_late_max_12m"] == 45
    assert rows["2023-06-01"]["si_arrears_count"] == 0


def test_a_late_contribution_leaves_the_record_60_months_after_it_was_paid(tmp_path):
    path = write_records(tmp_path, extracted_on="2028-12-31", contributions=[LATE])
    rows = features_at(path, "2028-02-29", "2028-03-01")
    assert rows["2028-02-29"]["si_months_since_late"] is not None
    assert rows["2028-03-01"]["si_months_since_late"] is None


def test_months_covered_and_gaps_count_months_not_insurance_types(tmp_path):
    months = ["2023-01-15", "2023-02-15", "2023-05-15"]
    rows = [{"subject_id": "S1", "due_on": d, "paid_on": d, "insurance_type": kind,
             "employer_id": "E1"} for d in months for kind in ("pension", "medical")]
    path = write_records(tmp_path, contributions=rows)
    row = features_at(path, "2023-06-30")["2023-06-30"]
    assert row["si_months_covered_12m"] == 3
    assert row["si_gap_months_24m"] == 2
    assert row["si_self_paid_share_12m"] == 0.0
    assert row["si_base_avg_12m"] == 5000.0


def test_longest_arrears_run_counts_consecutive_late_months(tmp_path):
    due = ["2023-01-15", "2023-02-15", "2023-03-15", "2023-05-15"]
    rows = [{"subject_id": "S1", "due_on": d, "amount_paid": 0.0} for d in due]
    path = write_records(tmp_path, contributions=rows)
    assert features_at(path, "2023-06-30")["2023-06-30"]["si_arrears_longest_run_36m"] == 3
