"""Each scenario shows the one property that defines it, and no other."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from creditscore._errors import InputError
from creditscore.synth import SCENARIOS
from creditscore.synth._scenarios import get_scenario


def _per_subject(world, table, column="subject_id"):
    counts = world[table].groupby(column).size()
    return world.truth.set_index("subject_id").index.map(counts).fillna(0).to_numpy()


def _record_rate_ratio(world, in_group):
    """Public records per minority subject over those expected at the same latent risk.

    Expected: the rate of the other subjects in the same latent-risk quintile.
    """
    truth = world.truth
    records = _per_subject(world, "public_records")
    quintile = pd.qcut(truth["latent_risk"], 5, labels=False).to_numpy()
    group = in_group(truth).to_numpy()
    expected = 0.0
    for q in range(5):
        others = records[(quintile == q) & ~group]
        expected += others.mean() * ((quintile == q) & group).sum()
    return records[group].sum() / expected


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
        assert 0.7 < _record_rate_ratio(world, in_group) < 1.4
        contributions = _per_subject(world, "contributions")
        assert 0.85 < contributions[g].mean() / contributions[~g].mean() < 1.15


def test_records_bias_over_records_the_minority_at_equal_risk(worlds):
    world = worlds["records-bias"]
    truth = world.truth
    assert (truth["in_scenario_group"] == truth["is_minority"]).all()
    assert _record_rate_ratio(world, _minority) > 1.6
    g = truth["is_minority"]
    assert abs(truth.loc[g, "latent_risk"].mean() - truth.loc[~g, "latent_risk"].mean()) < 0.15


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


def test_scenario_names_are_the_documented_four():
    assert list(SCENARIOS) == ["fair", "records-bias", "thin-file", "structural"]
    with pytest.raises(InputError, match="expected one of: fair, records-bias"):
        get_scenario("Fair")


def test_group_membership_follows_the_scenario():
    minority = np.array([True, False, False])
    rural = np.array([False, True, False])
    assert get_scenario("fair").in_group(minority, rural).tolist() == [False, False, False]
    assert get_scenario("records-bias").in_group(minority, rural).tolist() == [True, False, False]
    assert get_scenario("thin-file").in_group(minority, rural).tolist() == [False, True, False]
