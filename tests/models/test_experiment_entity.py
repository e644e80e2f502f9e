"""`creditscore run` configs for entity targets (kind: entity; guide: entities)."""

from __future__ import annotations

import pytest

from creditscore._errors import InputError
from creditscore.models import load_experiment, run_experiment

CONFIG = """name: tiny_entity
kind: entity
records:
  synth: {subjects: 1500, seed: 5, entities: 300}
as_of: [2021-06-30, 2021-12-31, 2022-06-30, 2023-06-30]
train_until: 2022-06-30
target: entity_breach_12m
model: lgbm
n_boot: 20
"""


def test_an_entity_run_trains_an_entity_model_and_tests_it_against_the_entities_oracle(
        tmp_path):
    from creditscore.features._entity_defs import ENTITY_MODEL_FEATURES
    from creditscore.models import load_model

    path = tmp_path / "tiny_entity.yaml"
    path.write_text(CONFIG)
    result = run_experiment(path, tmp_path / "run")
    model = load_model(tmp_path / "run" / "model")
    assert model.target == "entity_breach_12m"
    names = set(model.feature_names)
    assert "ent_arrears_count" in names and names <= {f.name for f in ENTITY_MODEL_FEATURES}
    assert result.test is not None and 0 < result.test.value("auc") <= 1
    assert result.oracle is not None and result.oracle["column"] == "latent_risk"
    assert result.config.kind == "entity"


@pytest.mark.parametrize(("change", "message"), [
    (("target: entity_breach_12m", "target: breach_12m"),
     "target: entity runs take entity_breach_12m or default_12m"),
    (("kind: entity", "kind: firm"), "kind: 'firm': expected person or entity"),
    (("kind: entity\n", ""), "target: person runs take default_12m or breach_12m"),
])
def test_a_target_of_the_other_kind_is_refused_naming_the_key(tmp_path, change, message):
    path = tmp_path / "bad.yaml"
    path.write_text(CONFIG.replace(*change))
    with pytest.raises(InputError, match=message):
        load_experiment(path)
