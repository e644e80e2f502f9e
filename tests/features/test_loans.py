"""Loan, instalment and card features on hand-built records."""

from __future__ import annotations

from .conftest import features_at, write_records

LOAN = {"loan_id": "L1", "subject_id": "S1", "opened_on": "2022-01-01"}
CARD = {"loan_id": "C1", "subject_id": "S1", "opened_on": "2022-01-01",
        "product": "credit_card", "principal": 10000.0, "term_months": None}


def test_an_unpaid_instalment_moves_through_the_lateness_buckets(tmp_path):
    path = write_records(tmp_path, loans=[LOAN],
                         repayments=[{"loan_id": "L1", "due_on": "2023-01-01",
                                      "amount_paid": 0.0}])
    rows = features_at(path, "2023-01-11", "2023-02-15", "2023-03-12", "2023-04-15")
    buckets = ["rp_late_1_29_12m", "rp_late_30_59_12m", "rp_late_60_89_12m", "rp_late_90p_12m"]
    assert [[rows[d][b] for b in buckets] for d in sorted(rows)] == [
        [1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]]
    assert rows["2023-04-15"]["rp_overdue_count"] == 1
    assert rows["2023-04-15"]["rp_days_late_max_12m"] == 104


def test_an_instalment_paid_45_days_late_stays_in_the_30_59_bucket(tmp_path):
    path = write_records(tmp_path, loans=[LOAN],
                         repayments=[{"loan_id": "L1", "due_on": "2023-01-01",
                                      "paid_on": "2023-02-15"}])
    row = features_at(path, "2023-12-31")["2023-12-31"]
    assert row["rp_late_30_59_12m"] == 1
    assert row["rp_cured_delinquencies_36m"] == 1
    assert row["rp_overdue_count"] == 0


def test_a_force_majeure_instalment_is_never_late(tmp_path):
    path = write_records(tmp_path, loans=[LOAN],
                         repayments=[{"loan_id": "L1", "due_on": "2023-01-01",
                                      "amount_paid": 0.0, "force_majeure": True}])
    row = features_at(path, "2023-06-30")["2023-06-30"]
    assert row["rp_late_90p_12m"] == 0
    assert row["rp_overdue_count"] == 0
    assert row["rp_ontime_share_12m"] == 1.0


def test_a_late_instalment_expires_60_months_after_it_was_paid(tmp_path):
    path = write_records(tmp_path, extracted_on="2027-12-31", loans=[LOAN],
                         repayments=[{"loan_id": "L1", "due_on": "2022-02-01",
                                      "paid_on": "2022-03-31"}])
    rows = features_at(path, "2027-03-30", "2027-03-31")
    assert rows["2027-03-30"]["rp_days_late_max_ever"] == 58
    assert rows["2027-03-31"]["rp_days_late_max_ever"] == 0
    assert rows["2027-03-31"]["rp_months_since_late"] is None


def test_accounts_open_and_closed_as_of_t(tmp_path):
    path = write_records(tmp_path, loans=[{**LOAN, "closed_on": "2023-01-01"}, CARD])
    rows = features_at(path, "2021-12-31", "2022-12-31", "2023-01-01")
    assert rows["2021-12-31"]["ln_open_count"] == 0
    assert rows["2022-12-31"]["ln_open_count"] == 2
    assert rows["2022-12-31"]["ln_open_credit_card"] == 1
    assert rows["2023-01-01"]["ln_open_count"] == 1
    assert rows["2023-01-01"]["ln_closed_count"] == 1
    assert rows["2023-01-01"]["ln_card_limit"] == 10000.0


def test_card_utilisation_reads_the_last_statement_due_by_t(tmp_path):
    statements = [{"loan_id": "C1", "due_on": d, "amount_due": due, "amount_paid": due,
                   "paid_on": d} for d, due in (("2023-01-25", 2000.0), ("2023-02-25", 5000.0))]
    path = write_records(tmp_path, loans=[CARD], repayments=statements)
    rows = features_at(path, "2023-02-24", "2023-02-25", "2023-06-30")
    assert rows["2023-02-24"]["cc_util_last"] == 0.2
    assert rows["2023-02-25"]["cc_util_last"] == 0.5
    assert rows["2023-06-30"]["cc_util_last"] is None  # no statement in 3 months
    assert rows["2023-02-25"]["cc_stmt_avg_3m"] == 3500.0


def test_a_partial_card_payment_is_unknown_before_extracted_on(tmp_path):
    statement = {"loan_id": "C1", "due_on": "2024-11-25", "amount_due": 4000.0,
                 "amount_paid": 1000.0, "paid_on": None}
    path = write_records(tmp_path, loans=[CARD], repayments=[statement],
                         extracted_on="2024-12-31")
    rows = features_at(path, "2024-12-30", "2024-12-31")
    assert rows["2024-12-30"]["cc_pay_share_last"] is None
    assert rows["2024-12-31"]["cc_pay_share_last"] == 0.25
    assert rows["2024-12-31"]["cc_util_last"] == 0.4


def test_instalment_burden_is_relative_to_the_contribution_base(tmp_path):
    path = write_records(
        tmp_path, loans=[LOAN],
        repayments=[{"loan_id": "L1", "due_on": d, "paid_on": d}
                    for d in ("2023-04-01", "2023-05-01", "2023-06-01")],
        contributions=[{"subject_id": "S1", "due_on": "2023-06-15", "paid_on": "2023-06-15",
                        "contribution_base": 4000.0}],
    )
    row = features_at(path, "2023-06-30")["2023-06-30"]
    assert row["rp_instalment_monthly"] == 1000.0
    assert row["rp_burden_ratio"] == 0.25
