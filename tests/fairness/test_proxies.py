"""Proxy detection: association with a protected attribute, and disparity through it."""

from __future__ import annotations

import numpy as np

from creditscore.fairness import detect_proxies, load_policy, sensitive_frame

from .conftest import FAST, FEATURES, make_population, train_fake


def test_copy_of_protected_attribute_plus_noise_is_named_and_independent_feature_is_not(
        tmp_path):
    features, protected = make_population(n=3000, seed=5)
    rng = np.random.default_rng(0)
    minority = (protected["ethnicity"] == "minority").to_numpy()
    features["dialect_score"] = minority + 0.5 * rng.standard_normal(len(features))
    features["noise"] = rng.standard_normal(len(features))
    model = train_fake(features, tmp_path / "m", features=[*FEATURES, "dialect_score", "noise"])
    sens, _ = sensitive_frame(features, protected, load_policy(FAST))
    report = detect_proxies(model, features, sens, subject_ids=features["subject_id"],
                            policy=FAST)
    named = report.named
    assert "dialect_score" in report.names
    assert set(named.loc[named["feature"] == "dialect_score", "attribute"]) == {"ethnicity"}
    assert "noise" not in report.names
    table = report.to_frame().set_index(["feature", "attribute"])
    assert table.loc[("dialect_score", "ethnicity"), "auc"] > 0.85
    assert table.loc[("noise", "ethnicity"), "auc"] < 0.6
    assert table.loc[("noise", "ethnicity"), "nmi"] < 0.02


def test_over_recorded_feature_carries_the_disparity(biased_world, biased_model):
    features, protected = biased_world
    sens, _ = sensitive_frame(features, protected, load_policy(FAST))
    report = detect_proxies(biased_model, features, sens, policy=FAST)
    table = report.to_frame().set_index(["feature", "attribute"])
    records = table.loc[("public_records", "ethnicity")]
    assert records["proxy"] and records["carries_disparity"]
    assert records["worst_ratio_aligned"] > records["worst_ratio"] + 0.1
    assert not table.loc[("stability", "ethnicity"), "carries_disparity"]
    assert np.isnan(table.loc[("stability", "ethnicity"), "disparity_reduction"])
    assert report.names == ["public_records"]
    assert report.to_dict()["named"][0]["feature"] == "public_records"
