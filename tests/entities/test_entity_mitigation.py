"""A biased world's entity model fails the gate, cannot be used for a plan, is mitigated
(`mitigate --kind entity`), and the chosen model scores and draws one (guide: entities)."""

from __future__ import annotations

import os
import subprocess
import sys

import pandas as pd
import pytest
import yaml

DATES = [f"{y}-{md}" for y in (2020, 2021, 2022, 2023) for md in ("06-30", "12-31")]
PLAN = "purpose: test\nseed: 1\nratios: {A: 0.02, B: 0.05, C: 0.15, D: 0.40}\n"


@pytest.fixture(scope="module")
def biased(tmp_path_factory):
    from creditscore.fairness._entity import ENTITY_POLICY

    root = tmp_path_factory.mktemp("entity-mitigation")
    env = {**os.environ, "CREDITSCORE_AUDIT_LOG": str(root / "audit.jsonl")}

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "creditscore", *map(str, args)],
                              capture_output=True, text=True, cwd=root, env=env, timeout=900)

    r = cli("synth", "w", "--subjects", "6000", "--entities", "1000", "--seed", "9101",
            "--scenario", "small-firm-bias", "--over-recording", "16")
    assert r.returncode == 0, r.stderr
    r = cli("features", "w", *[a for d in DATES for a in ("--as-of", d)], "--kind", "entity",
            "--out", "f.parquet")
    assert r.returncode == 0, r.stderr
    r = cli("train", "f.parquet", "--target", "entity_breach_12m", "--kind", "entity",
            "--train-until", "2022-12-31", "--out", "m")
    assert r.returncode == 0, r.stderr
    frame = pd.read_parquet(root / "f.parquet")
    frame[pd.to_datetime(frame["as_of"]) > "2022-12-31"].to_parquet(root / "oot.parquet")
    policy = {**yaml.safe_load(ENTITY_POLICY.read_text()),
              "inference": {"ci_level": 0.95, "adjust": "bonferroni", "n_boot": 50}}
    (root / "policy.yaml").write_text(yaml.safe_dump(policy))
    (root / "plan.yaml").write_text(PLAN)
    return root, cli


def test_the_biased_model_fails_and_cannot_draw_a_plan(biased):
    root, cli = biased
    r = cli("audit", "m", "oot.parquet", "--protected", "w/entities.parquet", "--kind",
            "entity", "--policy", "policy.yaml", "--out", "audit")
    assert r.returncode == 3, r.stderr
    assert "ownership" in r.stdout
    r = cli("score", "m", "oot.parquet", "--out", "s.parquet", "--purpose", "plan")
    assert r.returncode == 3 and not (root / "s.parquet").exists()


def test_mitigation_chooses_a_passing_entity_model_that_scores_and_draws(biased):
    root, cli = biased
    r = cli("mitigate", "m", "f.parquet", "--protected", "w/entities.parquet", "--kind",
            "entity", "--policy", "policy.yaml", "--out", "mit")
    assert r.returncode == 0, r.stdout + r.stderr
    assert (root / "mit" / "chosen" / "audit" / "verdict.json").is_file()
    r = cli("score", "mit/chosen", "oot.parquet", "--out", "chosen.parquet", "--purpose", "plan")
    assert r.returncode == 0, r.stderr
    r = cli("supervise", "chosen.parquet", "--model", "mit/chosen", "--plan", "plan.yaml",
            "--records", "w", "--out", "plan")
    assert r.returncode == 0, r.stderr
    assert len(pd.read_csv(root / "plan" / "inspections.csv")) > 0
    r = cli("supervise", "chosen.parquet", "--model", "m", "--plan", "plan.yaml", "--records",
            "w", "--out", "refused")
    assert r.returncode == 3 and not (root / "refused").exists()


def test_mitigate_kind_entity_refuses_a_person_model(biased, tmp_path):
    root, cli = biased
    person = root / "person"
    person.mkdir(exist_ok=True)
    (person / "model.json").write_text('{"target": "default_12m", "feature_names": ["x"]}')
    r = cli("mitigate", person, "f.parquet", "--protected", "w/entities.parquet", "--kind",
            "entity", "--out", tmp_path / "x")
    assert r.returncode == 2 and "not an entity model" in r.stderr
