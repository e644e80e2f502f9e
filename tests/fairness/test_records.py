"""The record-disparity screen: sees over-recorded records that outcome metrics miss.

Small hand-made feature tables with catalogue column names (no synth, no
features stage): behaviour drives every record family; in the biased table the
minority's public records are recorded more often for the same behaviour.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from creditscore.fairness import load_policy, screen_records
from creditscore.fairness._families import families_used, predictors, record_families
from creditscore.fairness._groups import groupings, resolve_attributes
from creditscore.fairness._records import SKIP_NO_FAMILIES

FAST = {"inference": {"ci_level": 0.95, "adjust": "bonferroni", "n_boot": 200}}
ALL_FEATURES = ["si_late_count_36m", "si_own_count_12m", "rp_late30_count_24m",
                "rp_count_12m", "ln_open_count", "si_base_avg_12m", "pr_count",
                "pr_tax_arrears_count", "pr_civil_judgment_count"]


def record_table(n=2000, seed=0, over=1.0, minority_share=0.3):
    """Two as_of rows per subject; ``over``: the minority's public records multiplier."""
    rng = np.random.default_rng(seed)
    ids = np.array([f"s{i:05d}" for i in range(n)])
    minority = rng.random(n) < minority_share
    risk = rng.standard_normal(n)
    rows = []
    for as_of in (dt.date(2023, 6, 30), dt.date(2023, 12, 31)):
        r = risk + 0.3 * rng.standard_normal(n)
        rate = np.exp(0.9 * r - 1.8) * np.where(minority, over, 1.0)
        tax = rng.poisson(0.5 * rate)
        judgments = rng.poisson(0.5 * rate)
        rows.append(pd.DataFrame({
            "subject_id": ids, "as_of": as_of,
            "si_late_count_36m": rng.poisson(np.exp(0.8 * r)),
            "si_own_count_12m": rng.integers(0, 13, n),
            "si_base_avg_12m": np.round(np.exp(8 - 0.3 * r + 0.2 * rng.standard_normal(n))),
            "rp_late30_count_24m": rng.poisson(np.exp(0.9 * r - 0.5)),
            "rp_count_12m": rng.integers(0, 25, n),
            "ln_open_count": rng.poisson(np.exp(-0.2 * r)),
            "pr_count": tax + judgments, "pr_tax_arrears_count": tax,
            "pr_civil_judgment_count": judgments,
            "breach_12m": pd.array(rng.random(n) < 0.05 + 0.05 * (tax > 0), dtype="Int64"),
        }))
    protected = pd.DataFrame({
        "subject_id": ids, "sex": rng.choice(["female", "male"], n),
        "birth_year": rng.integers(1950, 2000, n),
        "ethnicity": np.where(minority, "minority", "majority"),
        "hukou": rng.choice(["urban", "rural"], n),
        "region": rng.choice(["north", "south", "east"], n),
    })
    return pd.concat(rows, ignore_index=True), protected


def _screen(frame, protected, features=ALL_FEATURES, policy=None):
    policy = load_policy(policy or FAST)
    joined = protected.set_index("subject_id").loc[frame["subject_id"]].reset_index(drop=True)
    sens, _ = resolve_attributes(joined, frame["as_of"].to_numpy(), policy)
    subjects = frame["subject_id"].to_numpy()
    return screen_records(frame, groupings(sens, subjects, policy), subjects, features, policy)


@pytest.fixture(scope="module")
def fair_screen():
    return _screen(*record_table(seed=1))


@pytest.fixture(scope="module")
def biased_screen():
    return _screen(*record_table(seed=2, over=3.0))


def test_fair_records_pass_the_screen(fair_screen):
    checks = fair_screen.checks
    assert len(checks) and set(checks["metric"]) == {"record_disparity"}
    assert not len(fair_screen.failed), fair_screen.failed.to_string()
    eth = checks.query("attribute == 'ethnicity' and family == 'public_records'")
    assert eth["value"].between(0.75, 1.33).all(), eth.to_string()
    assert fair_screen.sentences() == [
        "No group's records are uneven beyond 1.25x for its other recorded behaviour."]


def test_over_recorded_minority_fails_naming_family_and_ethnicity(biased_screen):
    failed = biased_screen.failed
    assert set(failed["attribute"]) >= {"ethnicity"}
    row = failed.query("attribute == 'ethnicity' and family == 'public_records'").iloc[0]
    assert row["group"] == "minority" and row["reference"] == "everyone else"
    assert 2.2 < row["value"] < 4.0 and row["ci_low"] > 1.25 and row["gate"]
    assert {"public_records:tax_arrears", "public_records:civil_judgment"} <= set(
        failed.query("attribute == 'ethnicity'")["family"])
    # late contributions and instalments were recorded evenly: not uneven
    assert not set(biased_screen.uneven["family"]) & {"late_contributions", "late_instalments"}
    table = biased_screen.to_frame().query(
        "attribute == 'ethnicity' and group == 'minority' and family == 'public_records'")
    assert table["observed_rate"].iloc[0] > 2 * table["expected_rate"].iloc[0]
    first = biased_screen.sentences()[0]
    assert first.startswith("The group 'minority' (ethnicity) has ")
    assert "its other recorded behaviour predicts (95% CI " in first
    assert first.endswith("the model uses them.")


def test_uneven_family_the_model_does_not_use_is_named_but_does_not_gate(biased_screen):
    screen = biased_screen.for_model(["si_late_count_36m", "rp_count_12m"])
    assert not len(screen.failed)
    assert len(screen.uneven) and not screen.uneven["gate"].any()
    assert "the model does not use them" in screen.sentences()[0]
    # a model using only tax arrears counts is gated on that type, not on judgments
    only_tax = biased_screen.for_model(["pr_tax_arrears_count"])
    assert set(only_tax.failed["family"]) == {"public_records:tax_arrears"}


def test_which_families_a_model_uses():
    fams = record_families(ALL_FEATURES)
    names = [f.name for f in fams]
    assert names[0] == "public_records" and "late_contributions" in names
    used = families_used(["pr_unresolved_amount", "si_base_avg_12m"], fams)
    assert used["public_records"] and used["public_records:tax_arrears"]
    assert not used["late_contributions"] and not used["late_instalments"]
    used = families_used(["si_ontime_share_12m", "rp_days_late_max_12m"], fams)
    assert used["late_contributions"] and used["late_instalments"]
    assert not used["public_records"]
    # predictors: other sources and non-lateness own-source features; never public records
    late = next(f for f in fams if f.name == "late_contributions")
    assert set(predictors(ALL_FEATURES, late)) == {
        "si_own_count_12m", "si_base_avg_12m", "rp_late30_count_24m", "rp_count_12m",
        "ln_open_count"}
    assert not any(p.startswith("pr_") for p in predictors(ALL_FEATURES, fams[0]))


def test_a_table_without_record_families_is_skipped_with_the_reason():
    frame, protected = record_table(n=400, seed=3)
    flat = frame[["subject_id", "as_of", "breach_12m"]].assign(income=1.0)
    screen = _screen(flat, protected, features=["income"])
    assert screen.skipped == SKIP_NO_FAMILIES and not len(screen.checks)
    assert screen.to_dict()["skipped"] == SKIP_NO_FAMILIES


def test_policy_without_the_check_skips_and_threshold_is_checked(tmp_path):
    frame, protected = record_table(n=400, seed=3)
    policy = {**FAST, "checks": {"flag_rate_ratio": {"threshold": 0.8, "gate": True}}}
    assert "no record_disparity check" in _screen(frame, protected, policy=policy).skipped
    bad = tmp_path / "p.yaml"
    bad.write_text("checks:\n  record_disparity: {threshold: 0.9, gate: true}\n")
    with pytest.raises(Exception, match=r"checks\.record_disparity\.threshold"):
        load_policy(bad)
