"""The generated records keep the contract's rules and the generator's own."""

from __future__ import annotations

import datetime as dt

import pandas as pd

from creditscore.records._contract import TABLES

EXTRACTED = dt.date(2024, 12, 31)
EPIDEMIC = (dt.date(2020, 2, 1), dt.date(2020, 6, 30))


def test_no_date_is_after_extracted_on(fair):
    for name, table in TABLES.items():
        for column in table.date_columns:
            dates = fair[name][column].dropna()
            assert len(dates) and (dates <= EXTRACTED).all(), (name, column)


def test_ids_are_unique_pseudonyms(fair):
    subjects = fair["subjects"]["subject_id"]
    assert subjects.is_unique and subjects.str.fullmatch(r"S\d{8}").all()
    assert fair["loans"]["loan_id"].is_unique
    assert fair["public_records"]["record_id"].is_unique
    assert fair["protected"]["subject_id"].is_unique
    employers = fair["contributions"]["employer_id"].dropna()
    assert employers.str.fullmatch(r"E\d{6}").all()


def test_every_foreign_key_resolves(fair):
    subjects = set(fair["subjects"]["subject_id"])
    for name in ("contributions", "loans", "public_records"):
        assert set(fair[name]["subject_id"]) <= subjects, name
    assert set(fair["protected"]["subject_id"]) == subjects
    assert set(fair["repayments"]["loan_id"]) <= set(fair["loans"]["loan_id"])


def test_amounts_are_non_negative_and_paid_never_exceeds_due(fair):
    for name in ("contributions", "repayments"):
        frame = fair[name]
        assert (frame["amount_due"] > 0).all() and (frame["amount_paid"] >= 0).all()
        assert (frame["amount_paid"] <= frame["amount_due"]).all()
    assert (fair["loans"]["principal"] > 0).all()
    assert (fair["public_records"]["amount"].dropna() >= 0).all()


def test_paid_on_is_set_exactly_when_paid_in_full(fair):
    for name in ("contributions", "repayments"):
        frame = fair[name]
        full = frame["amount_paid"] == frame["amount_due"]
        assert (frame["paid_on"].notna() == full).all(), name
        partial = frame["paid_on"].isna() & (frame["amount_paid"] > 0)
        assert partial.any(), f"{name} has no partial payment"


def test_paid_on_is_at_most_ten_days_before_due_on(fair):
    for name in ("contributions", "repayments"):
        paid = fair[name].dropna(subset=["paid_on"])
        early = (pd.to_datetime(paid["due_on"]) - pd.to_datetime(paid["paid_on"])).dt.days
        assert early.max() <= 10, name
        assert (early < 0).mean() > 0.01, f"{name}: hardly anything paid late"


def test_self_paid_contributions_are_pension_and_medical(fair):
    contributions = fair["contributions"]
    own = contributions[contributions["employer_id"].isna()]
    assert len(own) > 0
    assert set(own["insurance_type"]) == {"pension", "medical"}
    employed = contributions[contributions["employer_id"].notna()]
    assert set(employed["insurance_type"]) == {
        "pension",
        "medical",
        "unemployment",
        "work_injury",
        "maternity",
    }
    due = pd.to_datetime(contributions["due_on"])
    assert (due.dt.day == 15).all()


def test_public_record_dates_are_in_order(fair):
    records = fair["public_records"]
    assert (records["recorded_on"] >= records["occurred_on"]).all()
    resolved = records.dropna(subset=["resolved_on"])
    assert (resolved["resolved_on"] >= resolved["recorded_on"]).all()
    disputed = records.dropna(subset=["dispute_opened_on"])
    assert (disputed["dispute_opened_on"] >= disputed["recorded_on"]).all()
    closed = records.dropna(subset=["dispute_closed_on"])
    assert (closed["dispute_closed_on"] > closed["dispute_opened_on"]).all()
    assert (records["dispute_upheld"].isna() == records["dispute_closed_on"].isna()).all()


def test_every_record_type_is_in_the_catalogue_and_upheld_disputes_exist(fair):
    records = fair["public_records"]
    assert set(records["record_type"]) == {
        "civil_judgment",
        "enforcement_default",
        "tax_arrears",
        "administrative_penalty",
        "benefit_fraud",
    }
    assert (records["dispute_upheld"] == True).any()  # noqa: E712
    assert (records["dispute_upheld"] == False).any()  # noqa: E712


def test_enforcement_defaults_follow_a_civil_judgment(fair):
    records = fair["public_records"]
    judged = (
        records[records["record_type"] == "civil_judgment"]
        .groupby("subject_id")["occurred_on"]
        .min()
    )
    enforced = records[records["record_type"] == "enforcement_default"]
    assert len(enforced) > 0
    first_judgment = enforced["subject_id"].map(judged)
    assert (enforced["occurred_on"] > first_judgment).all()


def test_force_majeure_obligations_fall_in_the_epidemic(fair):
    for name in ("contributions", "repayments"):
        frame = fair[name]
        deferred = frame[frame["force_majeure"]]
        assert len(deferred) > 0, name
        assert deferred["due_on"].between(*EPIDEMIC).all(), name
    assert fair["public_records"]["force_majeure"].any()


def test_loans_close_only_when_every_instalment_was_paid(fair):
    loans, repayments = fair["loans"], fair["repayments"]
    unpaid = set(repayments.loc[repayments["paid_on"].isna(), "loan_id"])
    closed = loans.dropna(subset=["closed_on"])
    assert not unpaid & set(closed["loan_id"])
    assert (closed["closed_on"] >= closed["opened_on"]).all()
    counts = repayments.groupby("loan_id").size()
    terms = loans.set_index("loan_id")["term_months"].dropna()
    assert (counts.reindex(terms.index).fillna(0) <= terms).all()
    cards = loans[loans["product"] == "credit_card"]
    assert cards["term_months"].isna().all() and loans["term_months"].notna().sum() > 0


def test_microloans_come_from_microlenders(fair):
    loans = fair["loans"]
    micro = loans["product"] == "microloan"
    assert micro.any() and (loans.loc[micro, "lender_type"] == "microlender").all()
    assert (loans.loc[~micro, "lender_type"] != "microlender").all()


def test_protected_attributes_have_the_documented_shape(fair):
    protected = fair["protected"]
    age = 2018 - protected["birth_year"]
    assert age.between(20, 65).all()
    assert 0.1 < (protected["ethnicity"] == "minority").mean() < 0.2
    assert set(protected["hukou"]) == {"urban", "rural"}
    assert set(protected["region"]) == {f"R{i}" for i in range(1, 7)}
