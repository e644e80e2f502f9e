"""`creditscore supervise` end to end on a small world: bound to an audited entity model."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys

import pandas as pd
import pyarrow.parquet as pq
import pytest

PLAN = """purpose: compliance inspections, test
seed: 7
ratios: {A: 0.02, B: 0.05, C: 0.15, D: 0.40}
inspectors:
  - {id: insp-1, capacity: 45, avoid: {region: [R1]}}
  - {id: insp-2, capacity: 45}
"""
DATES = [dt.date(y, m, d) for y in (2021, 2022, 2023) for m, d in ((6, 30), (12, 31))]


def _passed_verdict(model_dir):
    from creditscore.fairness import directory_hash, record_verdict

    # the gate is other tests' subject: these need a model with a passed audit
    h = directory_hash(model_dir)
    record_verdict(model_dir, json.dumps({
        "passed": True, "model": h, "checks": [], "policy": {"sha256": "0" * 64},
        "created": "2024-01-01T00:00:00+00:00"}).encode(), model_hash=h)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    from creditscore.features._entity_defs import ENTITY_MODEL_FEATURES
    from creditscore.features._entity_engine import build_entity_features
    from creditscore.models import train_model
    from creditscore.scoring import score_features
    from creditscore.synth import generate

    root = tmp_path_factory.mktemp("supervise")
    generate(root / "records", n_subjects=1500, seed=5, n_entities=300)
    build_entity_features(root / "records", DATES, root / "features.parquet")
    train_model(root / "features.parquet", "entity_breach_12m", "lgbm", root / "model",
                train_until=dt.date(2022, 6, 30), seed=0, features=ENTITY_MODEL_FEATURES,
                n_boot=0)
    shutil.copytree(root / "model", root / "unaudited")
    _passed_verdict(root / "model")
    features = pd.read_parquet(root / "features.parquet")
    features[features["as_of"] == features["as_of"].max()].to_parquet(root / "latest.parquet")
    score_features(root / "model", root / "latest.parquet", root / "scores.parquet",
                   purpose="test", log=root / "score-log.jsonl")
    (root / "plan.yaml").write_text(PLAN + "records: records\n")
    return root


def cli(root, *args):
    env = {"CREDITSCORE_AUDIT_LOG": str(root / "audit.jsonl"), "PATH": "/usr/bin:/bin"}
    return subprocess.run([sys.executable, "-m", "creditscore", "supervise", *map(str, args)],
                          capture_output=True, text=True, cwd=root, timeout=300, env=env)


def run(root, out, *extra):
    r = cli(root, "scores.parquet", "--model", "model", "--plan", "plan.yaml", "--out", out,
            *extra)
    assert r.returncode == 0, r.stderr
    return pd.read_csv(root / out / "inspections.csv"), json.loads(
        (root / out / "summary.json").read_text())


def test_same_seed_same_list_other_seed_other_list(world):
    a, sa = run(world, "a")
    b, _ = run(world, "b")
    c, sc = run(world, "c", "--seed", "8")
    assert a.equals(b)
    assert set(a["subject_id"]) != set(c["subject_id"])
    assert (sa["seed"], sc["seed"]) == (7, 8)


def test_the_list_follows_the_plan_per_tier_and_the_inspectors_conflicts(world):
    listing, summary = run(world, "a2")
    entities = pd.read_parquet(world / "records" / "entities.parquet")
    for t in summary["tiers"]:
        n = int((listing["tier"] == t["tier"]).sum())
        assert n == t["drawn"] and t["rounding"][0] <= n <= t["rounding"][1]
        assert t["expected_draws"] == pytest.approx(t["ratio"] * t["entities"], abs=1e-3)
    assert sum(t["entities"] for t in summary["tiers"]) == 300
    regions = listing.merge(entities, on="subject_id")
    assert not ((regions["region"] == "R1") & (regions["inspector"] == "insp-1")).any()
    assert listing["inspector"].value_counts().max() <= 45


def test_the_public_summary_holds_no_entity_id(world):
    run(world, "pub")
    ids = pd.read_parquet(world / "records" / "entities.parquet")["subject_id"]
    for name in ("summary.json", "summary.md", "summary.html"):
        text = (world / "pub" / name).read_text()
        assert not [i for i in ids if i in text], name
        assert "four-fifths" in text.lower() or name == "summary.json"


def test_the_risk_classified_plan_expects_more_arrears_than_a_uniform_lottery(world):
    _, summary = run(world, "y")
    y = summary["yield"]
    assert y["uniform_same_size"] < y["plan_expected"] <= y["top_n_by_pd"]
    assert y["this_draw"] == pytest.approx(sum(t["expected_arrears_found"]
                                               for t in summary["tiers"]), abs=0.01)


def test_the_disparity_check_suppresses_small_groups_and_splits_tier_from_chance(world):
    _, summary = run(world, "d")
    d = summary["disparity"]
    assert d["min_group_size"] == 50 and d["threshold"] == 0.8
    by = {a["attribute"]: a for a in d["attributes"]}
    entities = pd.read_parquet(world / "records" / "entities.parquet")
    for attribute in ("ownership", "size_band"):
        sizes = entities[attribute].value_counts()
        assert {g["group"] for g in by[attribute]["groups"]} == set(sizes[sizes >= 50].index)
        assert set(by[attribute]["suppressed"]) == set(sizes[sizes < 50].index)
        for g in by[attribute]["groups"]:
            assert g["expected_rate"] + g["chance"] == pytest.approx(g["realised_rate"],
                                                                     abs=2e-4)
            if len(by[attribute]["groups"]) > 1:
                assert (g["ratio"] >= 0.8) == g["passed"]
            else:  # one reportable group is compared with nothing
                assert g["ratio"] is None and g["passed"] is None
                assert attribute in d["not_compared"]


def test_the_draw_is_logged_with_its_purpose_and_seed(world):
    run(world, "log", "--seed", "99")
    entry = json.loads((world / "audit.jsonl").read_text().splitlines()[-1])
    assert entry["action"] == "supervise" and entry["seed"] == 99
    assert entry["purpose"] == "compliance inspections, test"
    assert entry["n_subjects"] == len(pd.read_csv(world / "log" / "inspections.csv"))


def _refused(world, out, code, match, *args):
    before = (world / "audit.jsonl").read_text() if (world / "audit.jsonl").exists() else ""
    r = cli(world, *args, "--out", out)
    assert r.returncode == code, r.stderr
    assert match in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert not (world / out).exists()
    after = (world / "audit.jsonl").read_text() if (world / "audit.jsonl").exists() else ""
    assert after == before


def test_a_model_without_a_passed_audit_is_refused_with_exit_3(world):
    _refused(world, "x3a", 3, "no fairness audit of this model", "scores.parquet", "--model",
             "unaudited", "--plan", "plan.yaml")


def test_scores_of_another_model_are_refused_with_exit_3(world):
    other = world / "other"
    shutil.copytree(world / "unaudited", other)
    (other / "notes.txt").write_text("a different model directory, a different hash")
    _passed_verdict(other)
    _refused(world, "x3b", 3, "these scores are not other's", "scores.parquet", "--model",
             "other", "--plan", "plan.yaml")
    table = pq.read_table(world / "scores.parquet")
    pq.write_table(table.replace_schema_metadata(None), world / "bare.parquet")
    _refused(world, "x3c", 3, "do not name the model", "bare.parquet", "--model", "model",
             "--plan", "plan.yaml")


def test_person_scores_and_person_models_are_refused_with_exit_2(world):
    table = pq.read_table(world / "scores.parquet")
    meta = {**table.schema.metadata, b"creditscore.kind": b"person"}
    pq.write_table(table.replace_schema_metadata(meta), world / "persons.parquet")
    _refused(world, "x2a", 2, "persons are never drawn for inspection", "persons.parquet",
             "--model", "model", "--plan", "plan.yaml")
    person = world / "person-model"
    person.mkdir()
    (person / "model.json").write_text(json.dumps({"target": "default_12m",
                                                   "feature_names": ["n_loans_open"]}))
    _refused(world, "x2b", 2, "(a person model) scores persons", "scores.parquet", "--model",
             person, "--plan", "plan.yaml")


def test_a_bad_plan_is_refused_with_exit_2_naming_the_key(world):
    (world / "bad.yaml").write_text(PLAN.replace("C: 0.15", "C: 0.01"))
    _refused(world, "x2c", 2, "bad.yaml: ratios.C is 0.01, below ratios.B 0.05",
             "scores.parquet", "--model", "model", "--plan", "bad.yaml", "--records",
             "records")
    (world / "conflict.yaml").write_text(PLAN.replace("region: [R1]", "colour: [red]"))
    _refused(world, "x2d", 2, "inspectors[0].avoid: 'colour' is neither", "scores.parquet",
             "--model", "model", "--plan", "conflict.yaml", "--records", "records")


def test_a_capacity_plan_draws_exactly_its_capacity(world):
    (world / "cap.yaml").write_text("purpose: capacity test\nseed: 3\nrecords: records\n"
                                    "capacity: 40\nweights: {A: 1, B: 2.5, C: 7.5, D: 20}\n")
    r = cli(world, "scores.parquet", "--model", "model", "--plan", "cap.yaml", "--out", "cap")
    assert r.returncode == 0, r.stderr
    listing = pd.read_csv(world / "cap" / "inspections.csv")
    assert len(listing) == 40 and listing["inspector"].isna().all()


def test_the_demo_draws_its_plan_for_the_scored_employers(world, monkeypatch):
    from creditscore.pipeline import _inspection_step

    monkeypatch.setenv("CREDITSCORE_AUDIT_LOG", str(world / "demo-audit.jsonl"))
    outputs = _inspection_step(world / "scores.parquet", world / "model", world / "records",
                               world / "demo", 7, lambda message: None)
    listing = pd.read_csv(world / "demo" / "supervision" / "inspections.csv")
    assert f"inspection list ({len(listing)} employers)" in outputs
    assert listing["inspector"].notna().all() and len(listing) > 0
    assert json.loads((world / "demo" / "supervision" / "summary.json").read_text())[
        "seed"] == 7


def test_a_damaged_scores_file_or_a_missing_entities_table_is_refused_with_exit_2(world):
    data = (world / "scores.parquet").read_bytes()
    (world / "cut.parquet").write_bytes(data[: len(data) // 2])
    _refused(world, "x2e", 2, "cut.parquet: not a readable Parquet scores file",
             "cut.parquet", "--model", "model", "--plan", "plan.yaml")
    (world / "empty-records").mkdir(exist_ok=True)
    _refused(world, "x2f", 2, "no entities table", "scores.parquet", "--model", "model",
             "--plan", "plan.yaml", "--records", "empty-records")
    (world / "noseed.yaml").write_text(PLAN.replace("seed: 7\n", "") + "records: records\n")
    _refused(world, "x2g", 2, "noseed.yaml: no seed", "scores.parquet", "--model", "model",
             "--plan", "noseed.yaml")
