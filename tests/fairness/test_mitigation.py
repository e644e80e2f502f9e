"""Mitigation: less discriminatory alternatives, each a model directory audited by the gate."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from creditscore._errors import InputError, PolicyRefusal
from creditscore.fairness import mitigate, read_verdict, require_passed_audit
from creditscore.fairness._candidates import reduction_weights, reweigh
from creditscore.models import load_model, model_hash

from .mitigation_world import FAST, FEATURES, TRAIN_UNTIL, make_world, train_world_model

SEARCHED = ("drop_proxies", "neutralise_proxies", "drop_families", "reweigh", "gridsearch_dp",
            "flag_rate_constraint")


@pytest.fixture(scope="module")
def biased(tmp_path_factory):
    root = tmp_path_factory.mktemp("mitigate-biased")
    features, protected = make_world(n=2000, seed=3, bias=2.5)
    train_world_model(features, root / "model")
    result = mitigate(root / "model", features, protected, root / "out", policy=FAST,
                      candidates=SEARCHED, n_boot=50)
    return result, root, features, protected


def test_the_failing_model_is_mitigated_by_a_passing_candidate(biased):
    result, root, _, _ = biased
    assert not result.original.passed and not result.no_change
    assert result.attributes == ["ethnicity"]
    chosen = result.chosen
    assert chosen is not None and chosen.passed and 0 < chosen.flag_rate < 1
    usable = [c for c in result.candidates.values() if c.usable]
    assert chosen.auc == max(c.auc for c in usable)


def test_every_candidate_is_a_model_directory_with_its_own_verdict(biased):
    result, root, _, _ = biased
    assert set(result.candidates) >= {"drop_proxies", "neutralise_proxies", "reweigh",
                                      "gridsearch_dp", "flag_rate_constraint"}
    for name, cand in result.candidates.items():
        assert cand.model_dir == root / "out" / "candidates" / name
        model = load_model(cand.model_dir)
        assert model.info["train_until"] == str(TRAIN_UNTIL)
        verdict = read_verdict(cand.model_dir)
        assert verdict.passed == cand.passed
        assert verdict.model_hash == model_hash(cand.model_dir) == cand.model_hash
        assert (cand.report_dir / "audit.json").is_file()
        if cand.passed:
            require_passed_audit(cand.model_dir)
        else:
            with pytest.raises(PolicyRefusal):
                require_passed_audit(cand.model_dir)


def test_no_candidate_reads_a_protected_attribute(biased):
    result, _, _, protected = biased
    for cand in result.candidates.values():
        assert not set(load_model(cand.model_dir).feature_names) & set(protected.columns)


def test_chosen_link_and_frontier_json_name_the_same_model(biased):
    result, root, _, _ = biased
    out = root / "out"
    assert model_hash(out / "chosen") == result.chosen.model_hash
    data = json.loads((out / "frontier.json").read_text())
    assert data["chosen"] == result.chosen.name and data["no_change"] is False
    rows = {r["candidate"]: r for r in data["candidates"]}
    assert rows["original"]["passed"] is False
    assert rows[result.chosen.name]["chosen"] is True
    assert rows[result.chosen.name]["model_hash"] == result.chosen.model_hash
    for r in rows.values():
        assert 0.5 < r["auc"] < 1 and r["auc_low"] <= r["auc"] <= r["auc_high"]
        assert r["ratio_low"] <= r["worst_flag_rate_ratio"] <= r["ratio_high"]
    assert (out / "frontier.png").stat().st_size > 10_000
    frame = pd.read_csv(out / "frontier.csv")
    assert list(frame["candidate"]) == list(rows)


def test_drop_and_neutralise_remove_the_proxies_influence(biased):
    result, _, features, _ = biased
    proxies = result.proxies
    assert "pr_count" in proxies
    dropped = load_model(result.candidates["drop_proxies"].model_dir)
    assert not set(dropped.feature_names) & set(proxies)
    neutral = load_model(result.candidates["neutralise_proxies"].model_dir)
    assert neutral.feature_names == list(FEATURES)
    moved = features.copy()
    moved[proxies] = moved[proxies] * 3 + 7
    moved.loc[moved.index[:50], proxies] = np.nan
    assert np.array_equal(neutral.predict_pd(features), neutral.predict_pd(moved))


def test_flag_rate_constraint_records_its_strength(biased):
    result, _, _, _ = biased
    recipe = result.candidates["flag_rate_constraint"].recipe.to_dict()
    assert recipe["groups"] == {"ethnicity": ["minority"]}
    assert 0 < recipe["strength"] <= 4 and recipe["weighted"]


def test_a_fair_world_is_left_as_it_is(tmp_path):
    features, protected = make_world(n=2000, seed=4, bias=0.0)
    train_world_model(features, tmp_path / "model")
    result = mitigate(tmp_path / "model", features, protected, tmp_path / "out", policy=FAST,
                      n_boot=20)
    assert result.no_change and result.chosen is None and result.original.passed
    assert "no change is needed" in result.summary()
    assert not (tmp_path / "out" / "candidates").exists()
    assert not (tmp_path / "out" / "chosen").exists()
    assert json.loads((tmp_path / "out" / "frontier.json").read_text())["no_change"] is True


def test_reweighing_balances_group_and_label():
    groups = np.array(["a"] * 80 + ["b"] * 20)
    y = np.array([1] * 40 + [0] * 40 + [1] * 2 + [0] * 18)
    w = reweigh(groups, y)
    for g in "ab":
        m = groups == g
        assert np.sum(w[m] * y[m]) / np.sum(w[m]) == pytest.approx(np.mean(y))


def test_reduction_weights_are_deterministic_and_keep_the_labels():
    features, protected = make_world(n=1500, seed=5, bias=2.5)
    rows = features[features["as_of"] == features["as_of"].min()].reset_index(drop=True)
    groups = rows["subject_id"].map(protected.set_index("subject_id")["ethnicity"])
    y = rows["default_12m"].astype(int).to_numpy()
    a, detail = reduction_weights(rows[list(FEATURES)], y, groups, kind="gridsearch", moment="dp")
    b, _ = reduction_weights(rows[list(FEATURES)], y, groups, kind="gridsearch", moment="dp")
    assert np.array_equal(a, b)
    assert (a >= 0).all() and a.mean() == pytest.approx(1.0)
    assert detail["reduction"] == "gridsearch/dp" and 0 <= detail["left_out_share"] < 1


def test_unknown_candidate_and_attribute_are_refused(tmp_path):
    features, protected = make_world(n=600, seed=6)
    with pytest.raises(InputError, match="unknown candidate 'magic'"):
        mitigate(tmp_path / "model", features, protected, tmp_path / "out",
                 candidates=("magic",))
    train_world_model(features, tmp_path / "model")
    with pytest.raises(InputError, match="attribute 'religion' is not audited"):
        mitigate(tmp_path / "model", features, protected, tmp_path / "out", policy=FAST,
                 attributes=["religion"], n_boot=0)


def test_every_flagged_record_type_is_dropped_at_once_and_the_other_types_kept():
    from types import SimpleNamespace

    from creditscore.fairness._candidates import family_recipes

    flagged = ("public_records", "public_records:tax_arrears",
               "public_records:administrative_penalty")
    checks = pd.DataFrame({"metric": "record_disparity", "family": [*flagged, "late_instalments"],
                           "status": ["fail", "fail", "fail", "pass"], "gate": True})
    names = ["pr_count", "pr_tax_arrears_count", "pr_administrative_penalty_count",
             "pr_civil_judgment_count", "rp_late30_count_24m", "si_months_covered_12m"]
    recipes = {r.name: r for r in family_recipes(names, [], SimpleNamespace(checks=checks))}
    both = set(recipes["drop_flagged_types"].drop)
    assert both == {"pr_count", "pr_tax_arrears_count", "pr_administrative_penalty_count"}
    assert set(recipes["drop_public_records-tax_arrears"].drop) == {"pr_count",
                                                                     "pr_tax_arrears_count"}
    # the whole family (every public-record feature) is still its own candidate
    assert "pr_civil_judgment_count" in recipes["drop_public_records"].drop
    assert recipes["drop_flagged_types"].detail["flagged"]
    assert list(recipes)[:4] == ["drop_public_records", "drop_public_records-tax_arrears",
                                 "drop_public_records-administrative_penalty",
                                 "drop_flagged_types"]


def test_the_stacked_round_builds_on_the_most_accurate_record_clean_family_drop():
    from types import SimpleNamespace

    from creditscore.fairness._stacking import record_clean_base

    def cand(name, method, auc, failed, usable=False):
        rows = pd.DataFrame(failed, columns=["attribute", "metric", "group"])
        return SimpleNamespace(name=name, method=method, auc=auc, passed=not failed,
                               usable=usable, audit=SimpleNamespace(failed=rows))

    record = [("ethnicity", "record_disparity", "minority")]
    outcome = [("region", "fnr_difference", "R2")]
    found = [cand("drop_public_records", "family", 0.77, [], usable=True),
             cand("drop_public_records-tax_arrears", "family", 0.81, record + outcome),
             cand("drop_flagged_types", "family", 0.80, outcome),
             cand("drop_late_contributions", "family", 0.82, record),
             cand("reweigh", "reweigh", 0.83, outcome)]
    assert record_clean_base(found).name == "drop_flagged_types"
    # nothing to gain when a passing candidate is as accurate
    found[0] = cand("drop_public_records", "family", 0.80, [], usable=True)
    assert record_clean_base(found) is None
