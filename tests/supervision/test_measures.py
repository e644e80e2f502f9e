"""The expected yield and the disparity check of a draw (supervision/_measures.py)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from creditscore.supervision._measures import disparity, expected_yield


def frame():
    # 100 state firms all in tier D (pi 0.4), 100 private all in A (pi 0.02), 10 foreign in C
    tiers = ["D"] * 100 + ["A"] * 100 + ["C"] * 10
    f = pd.DataFrame({"subject_id": [f"E{i:03d}" for i in range(210)], "tier": tiers,
                      "ownership": ["state"] * 100 + ["private"] * 100 + ["foreign"] * 10,
                      "size_band": ["small"] * 210})
    f["pi"] = f["tier"].map({"A": 0.02, "C": 0.15, "D": 0.4})
    f["pd"] = f["tier"].map({"A": 0.01, "C": 0.1, "D": 0.3})
    f["drawn"] = False
    f.loc[:39, "drawn"] = True  # 40 state firms
    f.loc[100:101, "drawn"] = True  # 2 private firms
    return f


def test_a_group_in_higher_tiers_is_flagged_and_its_rate_is_all_tier_mix():
    d = disparity(frame(), ("ownership", "size_band"), min_group_size=50, threshold=0.8)
    own = {g["group"]: g for g in d["attributes"][0]["groups"]}
    assert set(own) == {"private", "state"} and d["attributes"][0]["suppressed"] == ["foreign"]
    assert own["state"]["expected_rate"] == pytest.approx(0.4)
    assert own["state"]["ratio"] == pytest.approx(0.05) and own["state"]["passed"] is False
    assert own["private"]["ratio"] == 1 and own["private"]["passed"] is True
    assert d["flagged"] == ["ownership=state"]
    # realised = expected: the gap from the uniform rate is all tier mix, none chance
    assert own["state"]["chance"] == 0 and own["state"]["tier_share"] == 1
    assert own["state"]["tier_mix"]["D"] == 1
    assert own["state"]["inspection_share"] == pytest.approx(40 / (40 + 2 + 1.5), abs=1e-4)


def test_an_attribute_with_one_reportable_group_is_not_compared():
    d = disparity(frame(), ("size_band",), min_group_size=50, threshold=0.8)
    (g,) = d["attributes"][0]["groups"]
    assert g["ratio"] is None and g["passed"] is None
    assert d["not_compared"] == ["size_band"] and d["flagged"] == []


def test_the_expected_yield_of_the_plan_lies_between_uniform_and_top_n():
    f = frame()
    y = expected_yield(f)
    n = int(f["drawn"].sum())
    assert y["inspections"] == n == 42
    assert y["plan_expected"] == pytest.approx((f["pi"] * f["pd"]).sum(), abs=1e-3)
    assert y["uniform_same_size"] == pytest.approx(n * f["pd"].mean(), abs=1e-3)
    assert y["top_n_by_pd"] == pytest.approx(np.sort(f["pd"])[::-1][:n].sum(), abs=1e-3)
    assert y["uniform_same_size"] < y["plan_expected"] < y["top_n_by_pd"]
