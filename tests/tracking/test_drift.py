import numpy as np
import pandas as pd
import pytest
import standin

from creditscore._errors import InputError
from creditscore.tracking import Distribution, DriftReference, DriftReport, psi


def test_psi_is_zero_for_identical_distributions():
    x = np.random.default_rng(0).normal(size=20_000)
    assert psi(x, x) == pytest.approx(0.0, abs=1e-12)
    y = np.random.default_rng(1).normal(size=20_000)  # same law, another sample
    assert psi(x, y) < 0.01


def test_psi_is_large_for_a_shifted_distribution():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=20_000), rng.normal(loc=1.0, size=20_000)
    assert psi(x, y) > 0.25
    assert psi(x, rng.normal(loc=0.2, size=20_000)) < psi(x, y)


def test_discrete_values_and_missing_values_have_their_own_bins():
    ref = Distribution.fit([0, 0, 0, 0, 1, 1, 2, np.nan])
    assert ref.missing == pytest.approx(1 / 8)
    assert sum(ref.proportions) + ref.missing == pytest.approx(1.0)
    assert ref.psi(ref.with_shares([0, 0, 0, 0, 1, 1, 2, np.nan])) == pytest.approx(0.0)
    assert ref.psi(ref.with_shares([np.nan] * 8)) > 1


def test_reference_round_trips_through_json(tmp_path):
    frame = standin.feature_frame(n=500)
    ref = DriftReference.from_frame(frame, np.linspace(0, 1, 500), standin.NAMES)
    path = ref.write(tmp_path / "drift_reference.json")
    assert DriftReference.read(path) == ref


def _report(shift: float) -> DriftReport:
    train, new = (
        standin.feature_frame(n=3000, seed=0),
        standin.feature_frame(n=3000, seed=1, shift=shift),
    )
    model = standin.StandInModel.__new__(standin.StandInModel)
    model.coef, model.intercept = standin.COEF, -3.0
    ref = DriftReference.from_frame(train, model.predict_pd(train), standin.NAMES)
    return DriftReport.compute(ref, new, model.predict_pd(new))


def test_report_is_stable_on_the_same_population_and_flags_a_shift():
    same, shifted = _report(0.0), _report(1.5)
    assert set(same.to_frame()["level"]) == {"stable"}
    assert same.score_psi < 0.1
    assert shifted.score_psi > 0.25
    frame = shifted.to_frame().set_index("name")
    assert frame.loc["si_late30_count_12m", "level"] == "significant shift"
    assert frame.loc["months_since_last_late", "level"] == "stable"
    assert shifted.metrics()["drift.csi.si_late30_count_12m"] == pytest.approx(
        frame.loc["si_late30_count_12m", "index"]
    )


def test_report_renders_offline_and_writes_both_files(tmp_path):
    report = _report(1.5)
    html = report.to_html()
    assert "Drift report" in html and "significant shift" in html
    assert "http://" not in html and "https://" not in html
    paths = report.write(tmp_path)
    assert paths["md"].read_text().startswith("# Drift report")
    assert report.to_dict()["score_psi"] == report.score_psi


def test_a_feature_missing_from_the_new_data_is_an_input_error():
    ref = DriftReference(Distribution.fit([0.1, 0.2]), {"x": Distribution.fit([1, 2])}, 2)
    with pytest.raises(InputError, match="no column 'x'"):
        DriftReport.compute(ref, pd.DataFrame({"y": [1.0]}), [0.1])
