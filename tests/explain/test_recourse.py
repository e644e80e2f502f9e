"""Recourse: the smallest set of actionable changes that improves the tier (LinearModel:
logit = -4 + 0.5 late30_12m + 0.7 arrears + 0.8 unresolved + 2 utilisation)."""

import pandas as pd
import pytest

from creditscore._errors import InputError
from creditscore.explain import DEFAULT_ACTIONS, Action, check_actions, find_recourse

from .explain_helpers import DEFS, NAMES


def subject(**values):
    row = dict.fromkeys(NAMES, 0.0)
    row.update(
        cc_util_last=0.1, ln_card_limit=10000.0, ln_oldest_age_months=120.0, rp_ontime_share_12m=1.0
    )
    row.update(values)
    return pd.Series(row)


def test_a_single_action_is_found_when_it_suffices(linear_model):
    # logit -2.4 (PD 8.3%, tier C); paying the arrears: -3.8 (2.2%, tier B)
    rec = find_recourse(linear_model, subject(si_arrears_count=2, si_arrears_amount=600))
    assert (rec.tier, rec.actions, rec.new_tier) == ("C", ("pay_contributions",), "B")
    assert rec.sentence == (
        "Paying the 2 overdue social insurance contributions would move you to tier B."
    )


def test_two_actions_are_found_when_one_is_not_enough(linear_model):
    # logit -1.8 (14%, C); arrears alone -2.5 (7.6%, C), record alone -2.6 (6.9%, C), both B
    row = subject(
        si_late30_count_12m=1,
        si_arrears_count=1,
        si_arrears_amount=300,
        pr_unresolved_count=1,
        pr_unresolved_amount=5000,
    )
    rec = find_recourse(linear_model, row)
    assert rec.actions == ("pay_contributions", "resolve_records")
    assert rec.new_tier == "B"
    assert rec.sentence == (
        "Paying the overdue social insurance contribution and resolving the "
        "open public record would move you to tier B."
    )


def test_the_least_effort_wins_among_sets_of_the_same_size(linear_model):
    # both single actions move D to C; paying 500 beats resolving a record of 20,000
    row = subject(
        si_arrears_count=2, si_arrears_amount=500, pr_unresolved_count=2, pr_unresolved_amount=20000
    )
    assert find_recourse(linear_model, row).actions == ("pay_contributions",)
    cheap_record = row.copy()
    cheap_record["pr_unresolved_amount"] = 100.0
    assert find_recourse(linear_model, cheap_record).actions == ("resolve_records",)


def test_recourse_never_edits_history(linear_model):
    row = subject(
        si_late30_count_12m=3,
        si_late30_count_36m=5,
        si_arrears_count=1,
        si_arrears_amount=200,
        pr_unresolved_count=1,
        cc_util_last=0.9,
    )
    find_recourse(linear_model, row)
    tried = pd.concat(linear_model.frames, ignore_index=True)
    assert len(tried) > 1
    history = [d.name for d in DEFS if not d.actionable]
    assert (tried[history] == row[history].astype(float)).all().all()


def test_an_action_editing_history_is_refused(linear_model):
    undo = Action("forget", "forgetting the late payments", {"si_late30_count_12m": 0.0})
    with pytest.raises(InputError, match="not actionable: the past cannot be undone"):
        find_recourse(linear_model, subject(si_late30_count_12m=5), (undo,))
    with pytest.raises(InputError, match="has no feature definition"):
        check_actions([Action("x", "x", {"no_such_feature": 0.0})], DEFS)


def test_default_actions_edit_only_actionable_package_features():
    from creditscore.features import FEATURES

    check_actions(DEFAULT_ACTIONS, FEATURES)


def test_lowering_card_use_applies_only_above_the_target(linear_model):
    # logit -2.2 (10%, C); utilisation 0.9 -> 0.3 gives -3.4 (3.2%, B)
    rec = find_recourse(linear_model, subject(cc_util_last=0.9))
    assert rec.actions == ("lower_card_use",)
    assert rec.sentence.startswith("Bringing your credit card balances down to 30%")
    low = subject(cc_util_last=0.25, si_late30_count_12m=4)  # nothing actionable applies
    rec = find_recourse(linear_model, low)
    assert rec.needed and not rec.found
    assert rec.sentence.startswith("No change you can make now")


def test_no_recourse_is_searched_for_tiers_a_and_b(linear_model):
    rec = find_recourse(linear_model, subject())  # logit -3.8: 2.2%, tier B
    assert rec.tier == "B" and not rec.needed and rec.sentence is None
    assert len(linear_model.frames) == 1


def test_recourse_with_a_boosted_model(booster_model, frame):
    row = frame.iloc[[0]].assign(
        si_arrears_count=3.0,
        si_arrears_amount=900.0,
        pr_unresolved_count=1.0,
        pr_unresolved_amount=8000.0,
        cc_util_last=0.95,
        si_late30_count_12m=0.0,
        si_late30_count_36m=0.0,
        rp_ontime_share_12m=0.9,
    )
    rec = find_recourse(booster_model, row)
    assert rec.tier == "D" and rec.found
    assert rec.new_tier < rec.tier and rec.new_pd < rec.pd
    assert float(booster_model.predict_pd(row)[0]) == pytest.approx(rec.pd)
