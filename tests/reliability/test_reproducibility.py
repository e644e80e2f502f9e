"""Reproducibility: the same record set, configuration and seed give the same bytes.

Each run is a fresh ``creditscore`` process with its own ``PYTHONHASHSEED``
(so set and dict iteration orders differ between the runs), started from a
different working directory.
"""

from __future__ import annotations

import numpy as np
import pyarrow.parquet as pq
import pytest

from .conftest import DATES, TRAIN_UNTIL, digest, run_cli

DATE_ARGS = [a for d in DATES for a in ("--as-of", d.isoformat())]


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory, world):
    """Features, a LightGBM model and a scorecard, built twice from ``world``."""
    runs = []
    for i, hash_seed in enumerate(("1", "4242")):
        root = tmp_path_factory.mktemp(f"run{i}")
        env = {"PYTHONHASHSEED": hash_seed}
        features = root / "features.parquet"
        done = run_cli("features", world, *DATE_ARGS, "--out", features, cwd=root, env=env)
        assert done.returncode == 0, done.stderr
        for kind in ("lgbm", "scorecard"):
            done = run_cli(
                "train",
                features,
                "--target",
                "default_12m",
                "--model",
                kind,
                "--out",
                root / kind,
                "--train-until",
                TRAIN_UNTIL.isoformat(),
                "--seed",
                "11",
                cwd=root,
                env=env,
            )
            assert done.returncode == 0, done.stderr
        runs.append(root)
    return runs


def test_features_are_byte_identical_across_runs(two_runs):
    first, second = two_runs
    assert (first / "features.parquet").read_bytes() == (second / "features.parquet").read_bytes()


@pytest.mark.parametrize("kind", ["lgbm", "scorecard"])
def test_model_directories_are_byte_identical_across_runs(two_runs, kind):
    first, second = two_runs
    files = digest(first / kind)
    assert "model.json" in files and len(files) > 5
    assert files == digest(second / kind)


@pytest.mark.parametrize("kind", ["lgbm", "scorecard"])
def test_predictions_are_identical_across_runs(two_runs, kind):
    from creditscore.models import load_model

    first, second = two_runs
    frame = pq.read_table(first / "features.parquet").to_pandas()
    a = load_model(first / kind).score_frame(frame)
    b = load_model(second / kind).score_frame(frame)
    assert np.array_equal(a["pd"].to_numpy(), b["pd"].to_numpy())
    assert (a["tier"].astype(str) == b["tier"].astype(str)).all()
    assert a["pd"].nunique() > 10  # a model that says something
