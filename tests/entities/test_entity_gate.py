"""The gate on entity worlds (docs/entities.md): a fair world passes; a world whose small
private firms' administrative penalties are over-recorded 4x fails, naming ownership or
size band (slow: two worlds of 30,000 persons and 2,000 employers; benchmarks/bench_entities.py
measures the power curve)."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from creditscore.fairness import run_audit
from creditscore.fairness._entity import ENTITY_POLICY
from creditscore.features._entity_defs import ENTITY_MODEL_FEATURES
from creditscore.features._entity_engine import build_entity_table
from creditscore.models import train_model
from creditscore.synth import generate

DATES = [dt.date(y, m, d) for y in range(2019, 2024) for m, d in ((3, 31), (6, 30), (9, 30),
                                                                  (12, 31))]


def _audit(tmp_path, scenario, factor):
    world = generate(tmp_path / scenario, n_subjects=30_000, seed=31, n_entities=2_000,
                     scenario=scenario, over_recording=factor).out_dir
    frame = build_entity_table(world, DATES).to_pandas()
    train_model(frame, "entity_breach_12m", "lgbm", tmp_path / f"m-{scenario}",
                train_until="2022-12-31", features=ENTITY_MODEL_FEATURES, n_boot=50)
    oot = frame[pd.to_datetime(frame["as_of"]) > pd.Timestamp("2022-12-31")]
    return run_audit(tmp_path / f"m-{scenario}", oot.reset_index(drop=True),
                     world / "entities.parquet", policy=ENTITY_POLICY, proxies=False)


@pytest.mark.slow
def test_fair_passes_and_small_firm_bias_fails_naming_ownership_or_size(tmp_path):
    assert _audit(tmp_path, "fair", None).passed
    biased = _audit(tmp_path, "small-firm-bias", 4.0)
    assert not biased.passed
    named = set(biased.failed["attribute"])
    assert named & {"ownership", "size_band", "ownership x size_band"}, named
