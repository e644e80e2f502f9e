"""Each scenario shows the one property that defines it, and no other."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from creditscore._errors import InputError
from creditscore.synth import SCENARIOS
from creditscore.synth._scenarios import get_scenario


def _per_subject(world, table, column="subject_id", rows=None):
    frame = world[table] if rows is None else rows
    counts = frame.groupby(column).size()
    return world.truth.set_index("subject_id").index.map(counts).fillna(0).to_numpy()


def _record_rate_ratio(world, in_group, types=None):
    """Public records per group subject over those expected at the same latent risk.

    Expected: the rate of the other subjects in the same latent-risk quintile.
    ``types``: count only records of these types (default: all).
    """
    truth = world.truth
    records = world["public_records"]
    if types is not None:
        records = records[records["record_type"].isin(types)]
    counts = _per_subject(world, "public_records", rows=records)
    quintile = pd.qcut(truth["latent_risk"], 5, labels=False).to_numpy()
    group = in_group(truth).to_numpy()
    expected = 0.0
    for q in range(5):
        others = counts[(quintile == q) & ~group]
        expected += others.mean() * ((quintile == q) & group).sum()
    return counts[group].sum() / expected


BREACH_TYPES = ["enforcement_default", "tax_arrears", "benefit_fraud"]
#: the public record types a model of default or breach leans on
RISK_TYPES = ["civil_judgment", *BREACH_TYPES]


def _minority(truth):
    return truth["is_minority"]


def _rural(truth):
    return truth["is_rural"]


def test_fair_world_groups_do_not_differ(worlds):
    world = worlds["fair"]
    truth = world.truth
    assert not truth["in_scenario_group"].any()
    for in_group in (_minority, _rural):
        g = in_group(truth)
        assert abs(truth.loc[g, "latent_risk"].mean() - truth.loc[~g, "latent_risk"].mean()) < 0.15
        assert 0.6 < _record_rate_ratio(world, in_group) < 1.5
        assert 0.5 < _record_rate_ratio(world, in_group, RISK_TYPES) < 1.6
        contributions = _per_subject(world, "contributions")
        assert 0.85 < contributions[g].mean() / contributions[~g].mean() < 1.15


@pytest.fixture(scope="module")
def over16(tmp_path_factory):
    """The records-bias world at the factor the package first shipped (x16)."""
    from creditscore.synth import generate

    from .conftest import N_SCENARIO, Generated

    out = tmp_path_factory.mktemp("over16") / "records-bias-16"
    return Generated(generate(out, n_subjects=N_SCENARIO, seed=5, scenario="records-bias",
                              over_recording=16))


def test_records_bias_default_factor_is_4_and_over_records_the_minority(worlds):
    assert get_scenario("records-bias").record_bias == 4.0
    world = worlds["records-bias"]
    truth = world.truth
    assert (truth["in_scenario_group"] == truth["is_minority"]).all()
    # x4 on the discretionary records: clearly more records, less than x16 gives
    assert 1.3 < _record_rate_ratio(world, _minority) < 3.0
    assert _record_rate_ratio(world, _minority, ["tax_arrears"]) > 1.5
    assert 0.7 < _record_rate_ratio(world, _rural) < 1.4


def test_over_recording_factor_is_a_parameter_and_refused_when_meaningless():
    assert get_scenario("records-bias", 16).record_bias == 16.0
    assert get_scenario("records-bias", 1).record_bias == 1.0
    for bad in (0.5, float("nan"), "4", True):
        with pytest.raises(InputError, match="--over-recording"):
            get_scenario("records-bias", bad)
    assert get_scenario("small-firm-bias", 8).entity_record_bias == 8.0
    assert get_scenario("small-firm-bias", 8).record_bias == 1.0
    with pytest.raises(InputError, match="records-bias and small-firm-bias scenarios only"):
        get_scenario("fair", 4)


def test_records_bias_x16_over_records_the_minority_at_equal_risk(over16):
    world = over16
    truth = world.truth
    assert (truth["in_scenario_group"] == truth["is_minority"]).all()
    assert _record_rate_ratio(world, _minority) > 2.0
    # in the record types a model uses, breach types included
    assert _record_rate_ratio(world, _minority, ["civil_judgment"]) > 1.6
    assert _record_rate_ratio(world, _minority, ["enforcement_default", "tax_arrears"]) > 2.0
    assert _record_rate_ratio(world, _minority, BREACH_TYPES) > 2.0
    # and no one else is over-recorded
    assert 0.7 < _record_rate_ratio(world, _rural) < 1.4
    g = truth["is_minority"]
    assert abs(truth.loc[g, "latent_risk"].mean() - truth.loc[~g, "latent_risk"].mean()) < 0.15


@pytest.mark.parametrize("factor", [4, 16])
def test_records_bias_is_the_fair_world_plus_extra_minority_records(worlds, over16, factor):
    """Same seed: the same people, behaviour and ground truth; more public records only."""
    fair, biased = worlds["fair"], worlds["records-bias"] if factor == 4 else over16
    for name in ("subjects", "contributions", "loans", "repayments", "protected"):
        pd.testing.assert_frame_equal(fair[name], biased[name], obj=name)
    pd.testing.assert_frame_equal(
        fair.truth.drop(columns="in_scenario_group"),
        biased.truth.drop(columns="in_scenario_group"),
    )
    records, more = fair["public_records"], biased["public_records"]
    key = more.set_index("record_id")
    assert records["record_id"].isin(key.index).all()
    same = key.loc[records["record_id"]].reset_index()[records.columns]
    pd.testing.assert_frame_equal(records.reset_index(drop=True), same)
    extra = more[~more["record_id"].isin(records["record_id"])]
    assert len(extra) > (0.2 if factor == 16 else 0.05) * len(records)
    minority = set(biased["protected"].query("ethnicity == 'minority'")["subject_id"])
    assert extra["subject_id"].isin(minority).all()
    assert set(extra["record_type"]) >= {"civil_judgment", "enforcement_default", "tax_arrears"}


def test_public_records_carry_risk_signal_before_defaults(worlds):
    """Fair world: a few percent hold a record, the riskiest far more, often before a default."""
    world = worlds["fair"]
    truth = world.truth
    live = world["public_records"]
    live = live[live["dispute_upheld"].ne(True)]
    when = pd.Timestamp("2023-06-30").date()
    quintile = pd.qcut(truth["latent_risk"], 5, labels=False)
    for types in (None, RISK_TYPES):
        rows = live if types is None else live[live["record_type"].isin(types)]
        held = truth["subject_id"].isin(rows.loc[rows["recorded_on"] <= when, "subject_id"])
        assert 0.02 < held.mean() < 0.12, types
        by_risk = held.groupby(quintile).mean()
        assert by_risk[4] > 5 * by_risk[0], types
        assert by_risk[4] > by_risk[2] > by_risk[0], types
    first = truth.dropna(subset=["first_default_on"])[["subject_id", "first_default_on"]]
    ahead = live.merge(first, on="subject_id")
    ahead = ahead[ahead["recorded_on"] < ahead["first_default_on"]]
    warned = first["subject_id"].isin(ahead["subject_id"]).mean()
    never = truth.loc[truth["first_default_on"].isna(), "subject_id"].isin(live["subject_id"])
    assert warned > 0.3
    assert warned > 5 * never.mean()


def test_thin_file_group_has_fewer_records_but_the_same_risk(worlds):
    world = worlds["thin-file"]
    truth = world.truth
    rural = truth["is_rural"].to_numpy()
    assert (truth["in_scenario_group"] == truth["is_rural"]).all()
    for table in ("contributions", "loans"):
        counts = _per_subject(world, table)
        assert counts[rural].mean() < 0.7 * counts[~rural].mean(), table
    risk = truth["latent_risk"].to_numpy()
    assert abs(risk[rural].mean() - risk[~rural].mean()) < 0.15


def test_structural_group_earns_less_and_is_truly_riskier(worlds):
    world = worlds["structural"]
    truth = world.truth
    rural = truth.set_index("subject_id")["is_rural"]
    risk = truth["latent_risk"].to_numpy()
    assert risk[rural.to_numpy()].mean() - risk[~rural.to_numpy()].mean() > 0.3
    employed = world["contributions"].dropna(subset=["employer_id"])
    base = employed.groupby(employed["subject_id"].map(rural))["contribution_base"].mean()
    assert base[True] < 0.85 * base[False]
    defaulted = truth["first_default_on"].notna().to_numpy()
    assert defaulted[rural.to_numpy()].mean() > defaulted[~rural.to_numpy()].mean()


def test_scenario_names_are_the_documented_six():
    assert list(SCENARIOS) == ["fair", "records-bias", "thin-file", "structural",
                               "small-firm-bias", "downturn"]
    with pytest.raises(InputError, match="expected one of: fair, records-bias"):
        get_scenario("Fair")


def test_group_membership_follows_the_scenario():
    minority = np.array([True, False, False])
    rural = np.array([False, True, False])
    assert get_scenario("fair").in_group(minority, rural).tolist() == [False, False, False]
    assert get_scenario("records-bias").in_group(minority, rural).tolist() == [True, False, False]
    assert get_scenario("thin-file").in_group(minority, rural).tolist() == [False, True, False]
