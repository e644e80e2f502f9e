"""train_model's sample_weight hook: weighs the fit, never the holdout."""

from __future__ import annotations

import json

import numpy as np
import pytest

from creditscore._errors import InputError
from creditscore.models import train_model


@pytest.mark.parametrize("kind", ["lgbm", "scorecard"])
def test_unit_weights_change_nothing_and_others_do(frame, defs, kind, tmp_path):
    plain = train_model(frame, "default_12m", kind, features=defs, n_boot=0)
    ones = train_model(frame, "default_12m", kind, features=defs, n_boot=0,
                       sample_weight=np.ones(len(frame)))
    heavy = np.where(frame["x_up"] > 1, 5.0, 1.0)
    weighted = train_model(frame, "default_12m", kind, tmp_path / "m", features=defs, n_boot=0,
                           sample_weight=heavy)
    x = frame[[d.name for d in defs]]
    p0, p1, p2 = (r.model.predict_proba(x)[:, 1] for r in (plain, ones, weighted))
    assert np.array_equal(p0, p1)
    assert not np.allclose(p0, p2)
    data = json.loads((tmp_path / "m" / "model.json").read_text())["data"]
    assert len(data["sample_weight_sha256"]) == 64


def test_weights_leave_the_calibration_on_the_observed_rate(frame, defs):
    heavy = np.where(frame["default_12m"].fillna(0).astype(int) == 1, 10.0, 1.0)
    result = train_model(frame, "default_12m", "lgbm", features=defs, sample_weight=heavy,
                         n_boot=0)
    ev = result.evaluation
    assert ev.value("mean_pd") == pytest.approx(ev.value("event_rate"), abs=1e-6)


def test_weights_by_column_name(frame, defs):
    named = frame.assign(w=np.where(frame["x_up"] > 1, 5.0, 1.0))
    by_name = train_model(named, "default_12m", "lgbm", features=defs, sample_weight="w",
                          n_boot=0)
    by_array = train_model(frame, "default_12m", "lgbm", features=defs, n_boot=0,
                           sample_weight=named["w"].to_numpy())
    x = frame[[d.name for d in defs]]
    assert np.array_equal(by_name.model.predict_proba(x), by_array.model.predict_proba(x))


@pytest.mark.parametrize(("weights", "message"), [
    (lambda n: np.ones(n - 1), "sample_weight has"),
    (lambda n: -np.ones(n), "negative, missing or infinite"),
    (lambda n: "no_such_column", "column 'no_such_column' is missing"),
])
def test_bad_weights_are_one_line_input_errors(frame, defs, weights, message):
    with pytest.raises(InputError, match=message):
        train_model(frame, "default_12m", "lgbm", features=defs, n_boot=0,
                    sample_weight=weights(len(frame)))
