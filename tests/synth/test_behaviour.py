"""Latent risk drives behaviour, and trouble shows in the records before a default."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd


def test_latent_risk_orders_defaults_and_breaches(fair):
    truth = fair.truth
    top = truth["latent_risk"] > truth["latent_risk"].quantile(0.8)
    bottom = truth["latent_risk"] < truth["latent_risk"].quantile(0.2)
    for column in ("first_default_on", "first_breach_on"):
        happened = truth[column].notna()
        assert happened[top].mean() > 3 * happened[bottom].mean(), column


def test_lateness_rises_in_the_months_before_a_first_default(fair):
    truth = fair.truth.dropna(subset=["first_default_on"])
    # the instalment that went 90 days late was due 90 days before
    went_bad = pd.to_datetime(truth.set_index("subject_id")["first_default_on"]) - pd.Timedelta(
        days=90
    )
    rows = fair["repayments"].merge(fair["loans"][["loan_id", "subject_id"]], on="loan_id")
    rows = rows[rows["subject_id"].isin(went_bad.index)]
    months = (pd.to_datetime(rows["due_on"]) - rows["subject_id"].map(went_bad)).dt.days / 30.4
    late = (rows["paid_on"].isna() | (rows["paid_on"] > rows["due_on"])).to_numpy()
    long_before = late[(months > -24) & (months <= -12)].mean()
    just_before = late[(months > -4) & (months < -0.5)].mean()
    assert just_before > 1.5 * long_before


def test_employers_in_trouble_pay_late_for_all_their_staff(fair):
    employed = fair["contributions"].dropna(subset=["employer_id"])
    late = employed["paid_on"].isna() | (employed["paid_on"] > employed["due_on"])
    by_employer_month = late.groupby([employed["employer_id"], employed["period"]]).mean()
    # one payment per employer and month: all its staff are late, or none
    assert set(np.unique(by_employer_month.round(6))) <= {0.0, 1.0}
    assert by_employer_month.mean() > 0.01


def test_the_epidemic_defers_many_obligations(fair):
    contributions = fair["contributions"]
    window = contributions["due_on"].between(dt.date(2020, 2, 1), dt.date(2020, 6, 30))
    assert contributions.loc[window, "force_majeure"].mean() > 0.3
    deferred = contributions[contributions["force_majeure"]]
    paid = deferred.dropna(subset=["paid_on"])
    assert (paid["paid_on"] > paid["due_on"]).all()
    assert deferred["paid_on"].isna().any()


def test_riskier_subjects_hold_more_microloans(fair):
    truth = fair.truth.set_index("subject_id")
    loans = fair["loans"]
    micro = loans[loans["product"] == "microloan"].groupby("subject_id").size()
    count = truth.index.map(micro).fillna(0).to_numpy()
    risky = (truth["latent_risk"] > 0.5).to_numpy()
    assert count[risky].mean() > 2 * count[~risky].mean()
