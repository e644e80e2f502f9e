"""The audit's seed: recorded in audit.json, the same seed gives the same file, and the record
screen's cross-fit is repeated over fold assignments drawn from it (issue 28)."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from creditscore._errors import InputError
from creditscore.fairness import audit_model, run_audit, screen_features
from creditscore.fairness._record_counts import REPEATS, _aggregate, fold_seeds

from .conftest import FAST, train_fake
from .test_records import ALL_FEATURES, record_table


@pytest.fixture(scope="module")
def table():
    return record_table(n=1500, seed=11, over=1.0)


@pytest.fixture(scope="module")
def model(table, tmp_path_factory):
    return train_fake(table[0], tmp_path_factory.mktemp("seed") / "model",
                      features=ALL_FEATURES, target="breach_12m")


def _audit_json(model, table, out, seed):
    audit_model(model.model_dir, table[0], table[1], out, policy=FAST, model=model,
                proxies=False, random_state=seed)
    return json.loads((out / "audit.json").read_text())


def test_audit_json_records_the_seed_and_the_same_seed_gives_the_same_file(
        model, table, tmp_path):
    first = _audit_json(model, table, tmp_path / "a", 3)
    again = _audit_json(model, table, tmp_path / "b", 3)
    other = _audit_json(model, table, tmp_path / "c", 4)
    assert first["seed"] == 3 and other["seed"] == 4 and first["record_screen"]["seed"] == 3
    for body in (first, again, other):
        body.pop("created")  # the time of the audit: the one field a re-run changes
    assert first == again
    screened = [c for c in first["checks"] if c["metric"] == "record_disparity"]
    moved = [c for c in other["checks"] if c["metric"] == "record_disparity"]
    assert [c["ci"] for c in screened] != [c["ci"] for c in moved]  # the seed is used


def test_a_negative_seed_is_refused_in_one_line_with_exit_2(tmp_path):
    done = subprocess.run([sys.executable, "-m", "creditscore", "audit", str(tmp_path / "m"),
                           str(tmp_path / "f.parquet"), "--protected", str(tmp_path / "p"),
                           "--out", str(tmp_path / "r"), "--seed", "-1"],
                          capture_output=True, text=True)
    assert done.returncode == 2
    assert done.stderr.strip().count("\n") == 0 and "seed is -1" in done.stderr


def test_run_audit_refuses_a_screen_run_with_another_seed(model, table):
    screen = screen_features(table[0], table[1], policy=FAST, random_state=1)
    with pytest.raises(InputError, match="screen the rows with the audit's seed"):
        run_audit(model, table[0], table[1], policy=FAST, proxies=False, records=screen,
                  random_state=2)
    with pytest.raises(InputError, match="whole number >= 0"):
        run_audit(model, table[0], table[1], policy=FAST, random_state=-3)


def test_fold_assignments_are_distinct_and_reproducible_from_the_seed():
    seeds = fold_seeds(7)
    assert len(set(seeds)) == REPEATS >= 3 and seeds == fold_seeds(7) != fold_seeds(8)


def test_the_spread_between_fold_assignments_widens_the_interval():
    boot_var = np.full(5, 0.04)
    centre, var, spread = _aggregate(np.log([2.0, 2.0, 2.0, 2.0, 2.0]), boot_var)
    assert np.isclose(np.exp(centre), 2.0) and np.isclose(var, 0.04) and spread == 0
    centres = np.log([1.6, 1.8, 2.0, 2.2, 2.5])
    centre, var, spread = _aggregate(centres, boot_var)
    assert np.isclose(centre, centres.mean())
    assert np.isclose(var, 0.04 + np.var(centres, ddof=1)) and spread > 0


def test_the_screen_table_shows_the_fold_spread(table):
    screen = screen_features(table[0], table[1], policy=FAST, random_state=0)
    rates = screen.to_frame()
    judged = rates.dropna(subset=["ratio"])
    assert len(judged) and (judged["fold_spread"] > 0).all()
    assert "times over independent fold assignments" in screen.to_dict()["method"]
