"""Synthetic entities (docs/entities.md): employers as subjects with a known truth."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pytest

from creditscore._errors import InputError
from creditscore.records import validate_records
from creditscore.synth import generate, truth_dir_for

N_PERSONS, N_ENTITIES = 6000, 300


def _read(out, name):
    return pd.read_parquet(out / f"{name}.parquet")


@pytest.fixture(scope="module")
def entity_worlds(tmp_path_factory):
    root = tmp_path_factory.mktemp("entities")
    fair = generate(root / "fair", n_subjects=N_PERSONS, seed=21, n_entities=N_ENTITIES).out_dir
    biased = generate(root / "sfb", n_subjects=N_PERSONS, seed=21, n_entities=N_ENTITIES,
                      scenario="small-firm-bias", over_recording=6).out_dir
    return fair, biased


def test_entity_world_validates_and_has_every_part(entity_worlds):
    fair, _ = entity_worlds
    assert validate_records(fair).ok
    subjects = _read(fair, "subjects")
    assert subjects["kind"].value_counts().to_dict() == {"person": N_PERSONS,
                                                         "entity": N_ENTITIES}
    attrs = _read(fair, "entities")
    assert set(attrs["ownership"]) == {"private", "state", "collective", "foreign"}
    assert set(attrs["size_band"]) == {"micro", "small", "medium", "large"}
    employers = set(_read(fair, "contributions")["employer_id"].dropna())
    assert employers <= set(attrs["subject_id"])
    loans = _read(fair, "loans")
    assert set(loans.loc[loans["subject_id"].isin(attrs["subject_id"]), "product"]) == {"business"}
    truth = pd.read_parquet(truth_dir_for(fair) / "entity_truth.parquet")
    assert len(truth) == N_ENTITIES


def test_latent_risk_drives_employer_arrears_and_own_records(entity_worlds):
    fair, _ = entity_worlds
    truth = pd.read_parquet(truth_dir_for(fair) / "entity_truth.parquet")
    records = _read(fair, "public_records")
    counts = records.groupby("subject_id").size()
    truth["records"] = truth["subject_id"].map(counts).fillna(0)
    c = _read(fair, "contributions").dropna(subset=["employer_id"])
    late = c[(c["paid_on"].isna()) | (c["paid_on"] > c["due_on"] + pd.Timedelta(days=90))]
    truth["late"] = truth["subject_id"].map(late.groupby("employer_id").size()).fillna(0)
    riskiest = truth["latent_risk"] > truth["latent_risk"].quantile(0.8)
    safest = truth["latent_risk"] < truth["latent_risk"].quantile(0.2)
    for col in ("records", "late", "trouble_months"):
        assert truth.loc[riskiest, col].mean() > 2 * truth.loc[safest, col].mean(), col
    # the fair world: no ownership, size or region differs in risk
    for attr in ("ownership", "size_band"):
        means = truth.groupby(attr)["latent_risk"].mean()
        assert (means.abs() < 0.35).all(), means


def test_small_firm_bias_is_the_fair_world_plus_penalties(entity_worlds):
    fair, biased = entity_worlds
    for name in ("subjects", "contributions", "loans", "repayments", "protected", "entities"):
        assert (fair / f"{name}.parquet").read_bytes() == (biased / f"{name}.parquet").read_bytes()
    a, b = _read(fair, "public_records"), _read(biased, "public_records")
    assert b.iloc[: len(a)].reset_index(drop=True).equals(a)
    extra = b.iloc[len(a):]
    assert set(extra["record_type"]) == {"administrative_penalty"}
    attrs = _read(fair, "entities").set_index("subject_id")
    group = attrs["ownership"].eq("private") & attrs["size_band"].isin(["micro", "small"])
    assert extra["subject_id"].map(group).all()
    # per group entity, about (factor - 1) times its fair-world penalties again
    fair_pen = a[(a["record_type"] == "administrative_penalty") & a["subject_id"].map(group)]
    assert 3.5 < len(extra) / len(fair_pen) < 7.0


def test_no_entities_writes_the_person_world_of_before(tmp_path):
    plain = generate(tmp_path / "a", n_subjects=1200, seed=3).out_dir
    zero = generate(tmp_path / "b", n_subjects=1200, seed=3, n_entities=0).out_dir
    for f in sorted(p.name for p in plain.iterdir()):
        assert hashlib.sha256((plain / f).read_bytes()).digest() == \
            hashlib.sha256((zero / f).read_bytes()).digest()
    assert not (zero / "entities.parquet").exists()
    assert "kind" not in _read(zero, "subjects").columns


def test_entity_scenario_needs_entities_and_same_seed_same_bytes(tmp_path):
    with pytest.raises(InputError, match="--entities"):
        generate(tmp_path / "x", n_subjects=100, scenario="small-firm-bias")
    one = generate(tmp_path / "c", n_subjects=1000, seed=4, n_entities=40).out_dir
    two = generate(tmp_path / "d", n_subjects=1000, seed=4, n_entities=40, chunk_size=300).out_dir
    for f in sorted(p.name for p in one.iterdir()):
        assert (one / f).read_bytes() == (two / f).read_bytes(), f
    assert np.isfinite(_read(one, "entities")["headcount"]).all()
