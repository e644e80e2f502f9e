"""`retrain --kind entity` (guide: entities): entity features, the entity audit, and the
entity registry name, apart from the persons' models."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import yaml

from creditscore._errors import InputError
from creditscore.tracking import champion_version, registered_model_name, retrain


def test_entity_models_have_registry_names_of_their_own():
    assert registered_model_name("default_12m") == "creditscore-default_12m"
    assert registered_model_name("default_12m", "entity") == "creditscore-entity_default_12m"
    assert registered_model_name("entity_breach_12m", "entity") == (
        "creditscore-entity_breach_12m")


def test_a_person_target_for_entities_is_refused_naming_the_targets(tmp_path):
    with pytest.raises(InputError, match="the target of entity models is entity_breach_12m or "
                                         "default_12m"):
        retrain(tmp_path, "breach_12m", kind="entity")


def test_entity_retrain_trains_audits_and_registers_an_entity_model(tmp_path, tracking):
    from mlflow import MlflowClient

    from creditscore.fairness._entity import ENTITY_POLICY
    from creditscore.synth import generate

    generate(tmp_path / "records", n_subjects=1500, seed=5, n_entities=300)
    policy = {**yaml.safe_load(ENTITY_POLICY.read_text()),
              "inference": {"ci_level": 0.95, "adjust": "bonferroni", "n_boot": 50}}
    result = retrain(tmp_path / "records", "entity_breach_12m", kind="entity",
                     out_dir=tmp_path / "out", policy=policy)
    version = MlflowClient().get_model_version("creditscore-entity_breach_12m",
                                               result.challenger_version)
    assert version.tags["audit_passed"] in ("true", "false")
    features = pd.read_parquet(tmp_path / "out" / "features.parquet")
    assert "ent_arrears_count" in features.columns
    audit = json.loads((tmp_path / "out" / "audit" / "audit.json").read_text())
    attributes = {c["attribute"] for c in audit["checks"]}
    assert {"ownership", "size_band"} <= attributes
    holder = champion_version("entity_breach_12m", subjects="entity")
    assert (holder is not None and str(holder.version) == result.challenger_version) == (
        result.promoted)
    assert champion_version("breach_12m") is None
