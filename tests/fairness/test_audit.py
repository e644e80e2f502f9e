"""The audit: group outcomes, intervals, suppression, and the gate rule on them."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pandas as pd
import pytest

from creditscore._errors import InputError
from creditscore.fairness import FairnessAudit, age_bands
from creditscore.fairness._bootstrap import weighted_auc
from creditscore.fairness._checks import judge

from .conftest import FAST

AS_OF = dt.date(2022, 6, 30)


def population(n=6000, seed=0, flag_rates=None, base_rate=0.1, extra=None):
    """Outcomes independent of group; flag rates by ethnicity as given."""
    rng = np.random.default_rng(seed)
    eth = np.where(rng.random(n) < 0.3, "minority", "majority")
    y = (rng.random(n) < base_rate).astype(float)
    y[rng.random(n) < 0.1] = np.nan
    rates = pd.Series(eth).map(flag_rates or {"minority": 0.2, "majority": 0.2}).to_numpy()
    flagged = rng.random(n) < rates
    pd_ = np.clip(base_rate + 0.05 * rng.standard_normal(n) + 0.1 * flagged, 0.001, 0.999)
    sens = pd.DataFrame({
        "sex": rng.choice(["female", "male"], n), "birth_year": rng.integers(1945, 2000, n),
        "ethnicity": eth, "hukou": rng.choice(["urban", "rural"], n),
        "region": rng.choice(["north", "south", "east", "west"], n)})
    return y, pd_, flagged, sens


def test_fair_population_passes():
    y, pd_, flagged, sens = population(seed=1)
    audit = FairnessAudit(y, pd_, flagged, sensitive_features=sens, as_of=AS_OF, policy=FAST)
    assert audit.passed
    assert audit.failed.empty


def test_group_flagged_three_times_as_often_at_same_risk_fails_on_that_attribute():
    y, pd_, flagged, sens = population(seed=2, flag_rates={"minority": 0.3, "majority": 0.1})
    audit = FairnessAudit(y, pd_, flagged, sensitive_features=sens, as_of=AS_OF, policy=FAST)
    assert not audit.passed
    failed = audit.failed
    eth = failed[failed["attribute"] == "ethnicity"].set_index("metric")
    assert {"flag_rate_ratio", "fpr_difference"} <= set(eth.index)
    ratio = eth.loc["flag_rate_ratio"]
    assert ratio["group"] == "minority" and ratio["reference"] == "majority"
    assert ratio["value"] == pytest.approx(1 / 3, abs=0.05)
    assert ratio["ci_high"] < 0.8
    assert all("ethnicity" in a for a in failed["attribute"])


def test_small_noisy_group_with_worse_estimate_does_not_fail_default_gate():
    y, pd_, flagged, sens = population(n=6000, seed=3)
    island = np.arange(60)  # 60 subjects, 17 flagged (0.28) against about 0.2 elsewhere
    sens.loc[island, "region"] = "island"
    flagged[island] = np.arange(60) < 17
    audit = FairnessAudit(y, pd_, flagged, sensitive_features=sens, as_of=AS_OF)
    row = audit.checks.query("attribute == 'region' and group == 'island' "
                             "and metric == 'flag_rate_ratio'").iloc[0]
    assert row["value"] < 0.8  # the estimate is worse than the screen's threshold ...
    assert row["status"] == "inconclusive" and row["passed"]  # ... but it is not evidence
    assert audit.passed


def test_groups_below_min_size_are_suppressed_and_appear_nowhere():
    y, pd_, flagged, sens = population(seed=4)
    tiny = np.arange(20)
    sens.loc[tiny, "region"] = "atoll"
    flagged[tiny] = True
    audit = FairnessAudit(y, pd_, flagged, sensitive_features=sens, as_of=AS_OF, policy=FAST)
    suppressed = audit.suppressed
    assert ("region", "atoll") in set(zip(suppressed["attribute"], suppressed["group"],
                                          strict=True))
    assert suppressed["group"].str.contains("atoll").sum() >= 2  # its intersections too
    out = audit.to_dict()
    for section in ("checks", "groups"):
        assert not any("atoll" in str(r["group"]) or "atoll" in str(r.get("reference"))
                       for r in out[section])
    text = json.dumps(out["suppressed"])
    assert "atoll" in text and '"n"' not in text and "value" not in text
    assert not audit.to_frame()["group"].str.contains("atoll").any()


def test_intersections_are_audited_as_groups():
    y, pd_, flagged, sens = population(seed=5)
    audit = FairnessAudit(y, pd_, flagged, sensitive_features=sens, as_of=AS_OF, policy=FAST)
    groups = audit.to_frame()
    inter = groups[groups["attribute"] == "sex x hukou"]
    assert set(inter["group"]) == {"female & rural", "female & urban", "male & rural",
                                   "male & urban"}
    expected = ((sens["sex"] == "female") & (sens["hukou"] == "rural")).sum()
    assert inter.set_index("group").loc["female & rural", "n"] == expected
    assert (audit.checks["attribute"] == "ethnicity x region").any()


def test_age_is_banded_from_birth_year_at_as_of():
    bands = age_bands(pd.Series([1993, 1992, 1978, 1977, 1963, 1962, None]), AS_OF)
    assert bands.tolist() == ["<30", "30-44", "30-44", "45-59", "45-59", "60+", None]
    y, pd_, flagged, sens = population(seed=6)
    audit = FairnessAudit(y, pd_, flagged, sensitive_features=sens, as_of=AS_OF, policy=FAST)
    groups = audit.to_frame()
    assert set(groups.loc[groups["attribute"] == "age_band", "group"]) == {
        "<30", "30-44", "45-59", "60+"}


def test_error_rates_use_only_rows_with_a_known_label():
    y, pd_, flagged, sens = population(seed=7)
    base = FairnessAudit(y, pd_, flagged, sensitive_features=sens, as_of=AS_OF, policy=FAST)
    extra = sens.iloc[:1000].copy()
    extra["ethnicity"] = "minority"
    more = FairnessAudit(np.r_[y, np.full(1000, np.nan)], np.r_[pd_, np.full(1000, 0.5)],
                         np.r_[flagged, np.ones(1000, bool)],
                         sensitive_features=pd.concat([sens, extra], ignore_index=True),
                         as_of=AS_OF, policy=FAST)
    a = base.to_frame().set_index(["attribute", "group"]).loc[("ethnicity", "minority")]
    b = more.to_frame().set_index(["attribute", "group"]).loc[("ethnicity", "minority")]
    assert b["flag_rate"] > a["flag_rate"] + 0.1
    assert b["fpr"] == a["fpr"] and b["auc"] == a["auc"] and b["n_labelled"] == a["n_labelled"]


def test_group_rates_equal_direct_computation():
    from sklearn.metrics import roc_auc_score

    y, pd_, flagged, sens = population(seed=8)
    audit = FairnessAudit(y, pd_, flagged, sensitive_features=sens, as_of=AS_OF, policy=FAST)
    row = audit.to_frame().set_index(["attribute", "group"]).loc[("hukou", "rural")]
    rural = (sens["hukou"] == "rural").to_numpy()
    lab = rural & ~np.isnan(y)
    assert row["flag_rate"] == pytest.approx(flagged[rural].mean(), abs=1e-6)
    assert row["fpr"] == pytest.approx(flagged[lab & (y == 0)].mean(), abs=1e-6)
    assert row["auc"] == pytest.approx(roc_auc_score(y[lab], pd_[lab]), abs=1e-6)
    assert row["flag_rate_ci_low"] < row["flag_rate"] < row["flag_rate_ci_high"]


def test_weighted_auc_with_unit_weights_equals_sklearn_with_ties():
    from sklearn.metrics import roc_auc_score

    rng = np.random.default_rng(0)
    s = np.round(rng.random(500), 1)
    y = (rng.random(500) < s).astype(float)
    order = np.argsort(s, kind="stable")
    ss, yy = s[order], y[order]
    starts = np.flatnonzero(np.r_[True, ss[1:] != ss[:-1]])
    auc = weighted_auc(np.ones((1, 500)), starts, yy)[0]
    assert auc == pytest.approx(roc_auc_score(y, s))


def test_same_random_state_gives_same_intervals_and_another_differs():
    y, pd_, flagged, sens = population(seed=9)
    kw = {"sensitive_features": sens, "as_of": AS_OF, "policy": FAST}
    a = FairnessAudit(y, pd_, flagged, random_state=1, **kw).checks
    b = FairnessAudit(y, pd_, flagged, random_state=1, **kw).checks
    c = FairnessAudit(y, pd_, flagged, random_state=2, **kw).checks
    pd.testing.assert_frame_equal(a, b)
    assert not a["ci_low"].equals(c["ci_low"])


def test_repeated_rows_of_a_subject_count_once_in_group_sizes():
    y, pd_, flagged, sens = population(n=3000, seed=10)
    ids = np.arange(3000).astype(str)
    two = FairnessAudit(np.r_[y, y], np.r_[pd_, pd_], np.r_[flagged, flagged],
                        sensitive_features=pd.concat([sens, sens], ignore_index=True),
                        subject_ids=np.r_[ids, ids], as_of=AS_OF, policy=FAST)
    row = two.to_frame().iloc[0]
    assert row["n"] == 2 * row["n_subjects"]


def test_pd_cutoff_policy_flags_by_pd():
    y, pd_, _, sens = population(seed=11)
    policy = {**FAST, "decision": {"pd_cutoff": 0.15}}
    audit = FairnessAudit(y, pd_, None, sensitive_features=sens, as_of=AS_OF, policy=policy)
    row = audit.to_frame().iloc[0]
    members = (sens[row["attribute"]] == row["group"]).to_numpy()
    assert row["flag_rate"] == pytest.approx((pd_[members] >= 0.15).mean(), abs=1e-6)


def test_tiers_are_flagged_by_the_policy_tiers():
    y, pd_, flagged, sens = population(seed=12)
    tiers = np.where(flagged, "C", "A")
    a = FairnessAudit(y, pd_, tiers, sensitive_features=sens, as_of=AS_OF, policy=FAST)
    b = FairnessAudit(y, pd_, flagged, sensitive_features=sens, as_of=AS_OF, policy=FAST)
    pd.testing.assert_frame_equal(a.to_frame(), b.to_frame())


def test_rows_of_unequal_length_are_refused():
    y, pd_, flagged, sens = population(n=500, seed=13)
    with pytest.raises(InputError, match="flagged has 499 rows but the scores have 500"):
        FairnessAudit(y, pd_, flagged[:-1], sensitive_features=sens, as_of=AS_OF, policy=FAST)


def test_missing_attribute_is_refused_unless_policy_skips_it():
    y, pd_, flagged, sens = population(n=500, seed=14)
    with pytest.raises(InputError, match="protected attribute 'hukou' is missing"):
        FairnessAudit(y, pd_, flagged, sensitive_features=sens.drop(columns="hukou"),
                      as_of=AS_OF, policy=FAST)
    audit = FairnessAudit(y, pd_, flagged, sensitive_features=sens.drop(columns="hukou"),
                          as_of=AS_OF, policy={**FAST, "missing_attributes": "skip"})
    assert audit.unavailable_attributes == ["hukou"]
    assert "sex x hukou" not in set(audit.checks["attribute"])


@pytest.mark.parametrize(("value", "lo", "hi", "threshold", "direction", "expected"), [
    (0.5, 0.4, 0.6, 0.8, "below", "fail"),
    (0.7, 0.5, 0.9, 0.8, "below", "inconclusive"),
    (0.9, 0.7, 1.1, 0.8, "below", "pass"),
    (0.2, 0.1, 0.3, 0.05, "above", "fail"),
    (0.06, -0.02, 0.14, 0.05, "above", "inconclusive"),
    (-0.09, -0.12, -0.06, 0.05, "outside", "fail"),
    (0.04, 0.0, 0.08, 0.05, "outside", "pass"),
    (None, None, None, 0.8, "below", "insufficient"),
])
def test_gate_rule_fails_only_when_estimate_and_interval_are_beyond(
        value, lo, hi, threshold, direction, expected):
    assert judge(value, lo, hi, threshold, direction) == expected


def test_audit_where_every_group_is_suppressed_does_not_pass():
    y, pd_, flagged, sens = population(n=40, seed=15)
    audit = FairnessAudit(y, pd_, flagged, sensitive_features=sens, as_of=AS_OF, policy=FAST)
    assert not audit.passed and audit.checks.empty
    assert "no gate check could be evaluated" in audit.reason
    assert len(audit.suppressed) >= 5 and audit.to_frame().empty


def test_exempted_attribute_is_shown_with_its_justification_but_does_not_gate():
    y, pd_, flagged, sens = population(seed=16, flag_rates={"minority": 0.3, "majority": 0.1})
    why = "Reviewed 2025-03-01: the disparity follows documented income differences."
    checks = {"flag_rate_ratio": {"threshold": 0.8, "gate": True, "exempt": {"ethnicity": why}},
              "fpr_difference": {"threshold": 0.05, "gate": False}}
    audit = FairnessAudit(y, pd_, flagged, sensitive_features=sens, as_of=AS_OF,
                          policy={**FAST, "checks": checks})
    row = audit.checks.query("attribute == 'ethnicity' and metric == 'flag_rate_ratio'").iloc[0]
    assert row["status"] == "fail" and not row["gate"] and row["exemption"] == why
    inter = audit.checks.query("attribute == 'ethnicity x region' and status == 'fail' "
                               "and metric == 'flag_rate_ratio'")
    assert len(inter) and (inter["exemption"] == why).all()
    assert audit.passed
