"""The published draw (supervision/_draw.py): counts, entities, inspectors, from the seed."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from creditscore._errors import InputError
from creditscore.supervision import (
    Inspector,
    assign_inspectors,
    draw_entities,
    parse_plan,
    tier_counts,
    tier_targets,
)

RATIOS = {"A": 0.02, "B": 0.05, "C": 0.15, "D": 0.40}
SIZES = {"A": 613, "B": 241, "C": 97, "D": 49}


def frame(sizes=SIZES, seed=0):
    rng = np.random.default_rng(seed)
    rows = [(f"E{i:05d}", t) for i, t in enumerate(
        t for t, n in sizes.items() for _ in range(n))]
    out = pd.DataFrame(rows, columns=["subject_id", "tier"])
    out["region"] = rng.choice(["R1", "R2", "R3"], len(out))
    return out.sample(frac=1, random_state=1).reset_index(drop=True)


def test_same_seed_draws_the_same_entities_and_another_seed_others():
    f = frame()
    targets = tier_targets(SIZES, ratios=RATIOS)
    a, _ = draw_entities(f, targets, 11)
    b, _ = draw_entities(f.sample(frac=1, random_state=9), targets, 11)  # row order is no input
    c, _ = draw_entities(f, targets, 12)
    assert a["subject_id"].tolist() == b["subject_id"].tolist()
    assert a["subject_id"].tolist() != c["subject_id"].tolist()


def test_each_tier_draws_floor_or_ceiling_of_its_target_without_replacement():
    f = frame()
    targets = tier_targets(SIZES, ratios=RATIOS)
    for seed in range(20):
        drawn, counts = draw_entities(f, targets, seed)
        assert drawn["subject_id"].is_unique
        for t, x in targets.items():
            n = int((drawn["tier"] == t).sum())
            assert n == counts[t] and math.floor(x) <= n <= math.ceil(x)


def test_drawn_share_per_tier_is_within_sampling_error_of_the_plan():
    # the rounding is unbiased: over many seeds the mean count per tier is r * N
    targets = tier_targets(SIZES, ratios=RATIOS)
    draws = np.array([list(tier_counts(targets, u).values())
                      for u in np.random.default_rng(3).random(4000)])
    expected = np.array([float(targets[t]) for t in "ABCD"])
    frac = expected - np.floor(expected)
    se = np.sqrt(frac * (1 - frac) / len(draws))
    assert np.all(np.abs(draws.mean(axis=0) - expected) <= 4 * se + 1e-12)


def test_a_whole_capacity_is_met_exactly_and_ratios_rise_with_the_weights():
    weights = {"A": 1, "B": 2.5, "C": 7.5, "D": 20}
    targets = tier_targets(SIZES, capacity=60, weights=weights)
    assert sum(targets.values()) == 60  # exactly
    ratios = [targets[t] / SIZES[t] for t in "ABCD"]
    assert ratios == sorted(ratios)
    assert ratios[3] / ratios[0] == 20
    for u in np.linspace(0, 0.999, 23):
        assert sum(tier_counts(targets, u).values()) == 60


def test_a_tier_whose_ratio_would_pass_one_is_taken_whole():
    sizes = {"A": 500, "B": 100, "C": 20, "D": 5}
    targets = tier_targets(sizes, capacity=80, weights={"A": 1, "B": 1, "C": 10, "D": 1000})
    assert targets["D"] == 5 and targets["C"] <= 20
    assert sum(targets.values()) == 80


def _drawn(n=30):
    return pd.DataFrame({"subject_id": [f"E{i:03d}" for i in range(n)],
                         "region": ["R1" if i % 3 == 0 else "R2" for i in range(n)]})


def test_inspectors_respect_capacity_and_conflicts():
    drawn = _drawn()
    inspectors = (Inspector("i1", 12, {"region": ("R1",)}),
                  Inspector("i2", 10, {"entities": ("E001", "E002")}),
                  Inspector("i3", 10))
    for seed in range(10):
        got = pd.Series(assign_inspectors(drawn, inspectors, seed), index=drawn["subject_id"])
        assert got.notna().all()
        counts = got.value_counts()
        assert counts.get("i1", 0) <= 12 and counts.get("i2", 0) <= 10
        assert counts.get("i3", 0) <= 10
        assert not (got[drawn.set_index("subject_id")["region"] == "R1"] == "i1").any()
        assert got["E001"] != "i2" and got["E002"] != "i2"
    a = assign_inspectors(drawn, inspectors, 1)
    assert a == assign_inspectors(drawn, inspectors, 1) and a != assign_inspectors(
        drawn, inspectors, 2)


def test_an_augmenting_path_finds_the_assignment_greedy_order_would_miss():
    # E000 may only go to i1; whatever the order, every entity is covered
    drawn = _drawn(3)
    inspectors = (Inspector("i1", 1), Inspector("i2", 2, {"entities": ("E000",)}))
    for seed in range(30):
        got = assign_inspectors(drawn, inspectors, seed)
        assert got[0] == "i1" and sorted(got[1:]) == ["i2", "i2"]


def test_uncoverable_draws_are_refused_naming_the_plan():
    drawn = _drawn(4)
    with pytest.raises(InputError, match="plan.yaml: the inspectors' capacity .3. is less"):
        assign_inspectors(drawn, (Inspector("i1", 3),), 0, "plan.yaml")
    with pytest.raises(InputError, match="cannot cover the draw: 1 of 4"):
        assign_inspectors(drawn, (Inspector("i1", 5, {"entities": ("E002",)}),), 0,
                          "plan.yaml")


@pytest.mark.parametrize(("raw", "message"), [
    ({"ratios": {"A": 0.02, "B": 0.05, "C": 0.15}}, "ratios: must give every tier"),
    ({"ratios": {**RATIOS, "C": 0.01}}, "ratios.C is 0.01, below ratios.B 0.05"),
    ({"ratios": {**RATIOS, "D": 1.5}}, "ratios.D: out of range"),
    ({"ratios": RATIOS, "capacity": 10, "weights": RATIOS}, "give either ratios .* not both"),
    ({"capacity": 10}, "weights: must give every tier"),
    ({"ratios": RATIOS, "sede": 3}, "unknown key 'sede'"),
    ({"ratios": RATIOS, "inspectors": [{"id": "a", "capacity": 0}]},
     r"inspectors\[0\].capacity: out of range"),
    ({"ratios": RATIOS, "inspectors": [{"id": "a", "capacity": 2}, {"id": "a", "capacity": 2}]},
     r"inspectors\[1\].id: missing or repeated"),
    ({"ratios": RATIOS, "disparity": {"threshold": 2}}, "disparity.threshold: out of range"),
])
def test_a_bad_plan_is_one_line_naming_the_key(raw, message):
    with pytest.raises(InputError, match=f"^plan.yaml: {message}") as err:
        parse_plan(raw, "plan.yaml")
    assert "\n" not in str(err.value)


def test_the_shipped_plan_is_valid_and_its_ratios_rise_with_the_tier():
    from pathlib import Path

    from creditscore.supervision import read_plan

    plans = sorted((Path(__file__).parents[2] / "experiments").glob("*_plan.yaml"))
    assert [p.name for p in plans] == ["supervision_plan.yaml"]
    plan = read_plan(plans[0])
    assert plan.mode == "ratios" and plan.seed is not None and plan.purpose
    assert list(plan.ratios.values()) == sorted(plan.ratios.values())
    assert len(plan.inspectors) == 5


tier_sizes = st.fixed_dictionaries({t: st.integers(0, 400) for t in "ABCD"})


@settings(max_examples=200, deadline=None)
@given(sizes=tier_sizes, capacity=st.integers(1, 900), u=st.floats(0, 1, exclude_max=True),
       w=st.lists(st.floats(0.01, 50), min_size=4, max_size=4))
def test_a_capacity_split_is_exact_capped_and_rises_with_the_weights(sizes, capacity, u, w):
    weights = dict(zip("ABCD", sorted(w), strict=True))
    targets = tier_targets(sizes, capacity=capacity, weights=weights)
    counts = tier_counts(targets, u)
    assert sum(counts.values()) == min(capacity, sum(sizes.values()))
    assert all(0 <= counts[t] <= sizes[t] for t in "ABCD")
    ratios = [targets[t] / sizes[t] for t in "ABCD" if sizes[t]]
    assert all(a <= b for a, b in zip(ratios, ratios[1:], strict=False)) and max(
        ratios, default=0) <= 1


@settings(max_examples=200, deadline=None)
@given(sizes=tier_sizes, u=st.floats(0, 1, exclude_max=True),
       r=st.lists(st.floats(0, 1), min_size=4, max_size=4))
def test_ratio_counts_are_the_floor_or_ceiling_of_each_target(sizes, u, r):
    targets = tier_targets(sizes, ratios=dict(zip("ABCD", sorted(r), strict=True)))
    counts = tier_counts(targets, u)
    for t in "ABCD":
        assert math.floor(targets[t]) <= counts[t] <= math.ceil(targets[t]) <= sizes[t]
