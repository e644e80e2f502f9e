import json

import numpy as np
import pytest
from scipy.stats import ks_2samp
from sklearn.metrics import brier_score_loss, roc_auc_score

from creditscore.models import Evaluation, PointsScale


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(1)
    n = 6000
    pd_ = rng.beta(1, 10, n)
    y = (rng.random(n) < pd_).astype(int)
    as_of = np.repeat(np.array(["2022-06-30", "2022-12-31"], dtype="datetime64[D]"), n // 2)
    score = PointsScale().from_pd(pd_)
    return y, pd_, score, as_of


@pytest.fixture(scope="module")
def ev(data):
    y, pd_, score, as_of = data
    return Evaluation(y, pd_, score=score, as_of=as_of, train_score=score[::2], n_boot=200)


def test_auc_gini_ks_brier_match_reference_implementations(ev, data):
    y, pd_, _, _ = data
    assert ev.value("auc") == pytest.approx(roc_auc_score(y, pd_))
    assert ev.value("gini") == pytest.approx(2 * roc_auc_score(y, pd_) - 1)
    assert ev.value("ks") == pytest.approx(ks_2samp(pd_[y == 0], pd_[y == 1]).statistic)
    assert ev.value("brier") == pytest.approx(brier_score_loss(y, pd_))


def test_auc_handles_tied_scores():
    y, p = np.array([0, 1, 0, 1, 1, 0]), np.array([0.1, 0.1, 0.5, 0.5, 0.9, 0.2])
    assert Evaluation(y, p, n_boot=0).value("auc") == pytest.approx(roc_auc_score(y, p))


def test_calibration_in_the_large_is_mean_pd_minus_rate(ev, data):
    y, pd_, _, _ = data
    assert ev.value("citl") == pytest.approx(pd_.mean() - y.mean())


@pytest.mark.parametrize("metric", ["auc", "gini", "ks", "brier", "citl", "mean_pd", "psi"])
def test_confidence_interval_contains_point_estimate(ev, metric):
    lo, hi = ev.ci(metric)
    assert lo <= ev.value(metric) <= hi
    assert lo < hi


def test_metrics_are_given_per_as_of_date(ev, data):
    y, pd_, _, as_of = data
    first = as_of == as_of.min()
    assert ev.dates == ["2022-06-30", "2022-12-31"]
    assert ev.value("auc", "2022-06-30") == pytest.approx(roc_auc_score(y[first], pd_[first]))


def test_psi_is_small_for_same_distribution_and_large_for_a_shift(data):
    y, pd_, score, _ = data
    same = Evaluation(y, pd_, score=score, train_score=score, n_boot=0).value("psi")
    shifted = Evaluation(y, pd_, score=score, train_score=score + 40, n_boot=0).value("psi")
    assert same < 0.01 < 0.25 < shifted


def test_same_random_state_gives_same_intervals(data):
    y, pd_, _, _ = data
    a = Evaluation(y, pd_, n_boot=50, random_state=3).ci("auc")
    b = Evaluation(y, pd_, n_boot=50, random_state=3).ci("auc")
    assert a == b


def test_to_frame_and_to_dict(ev):
    frame = ev.to_frame()
    assert list(frame.columns) == ["as_of", "metric", "value", "ci_low", "ci_high", "n", "events"]
    assert set(frame["as_of"]) == {"all", "2022-06-30", "2022-12-31"}
    data = json.loads(json.dumps(ev.to_dict()))
    assert data["metrics"]["auc"]["value"] == pytest.approx(ev.value("auc"))
    assert set(data["by_as_of"]) == {"2022-06-30", "2022-12-31"}


def test_plots_are_written_as_png(ev, tmp_path):
    paths = ev.plot(tmp_path)
    assert sorted(p.name for p in paths) == ["calibration.png", "roc.png", "score_distribution.png"]
    assert all(p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" for p in paths)


def test_mismatched_inputs_are_refused():
    with pytest.raises(ValueError, match="one length"):
        Evaluation([0, 1], [0.5])


def test_subject_bootstrap_widens_intervals_of_repeated_people():
    from creditscore.models import Evaluation

    rng = np.random.default_rng(0)
    x = rng.normal(size=800)
    y = (rng.random(800) < 1 / (1 + np.exp(-(x - 2)))).astype(int)
    pd_ = 1 / (1 + np.exp(-(x - 2)))
    # the same 800 people at three dates: three times the rows, no new information
    yy, pp, ids = np.tile(y, 3), np.tile(pd_, 3), np.tile(np.arange(800), 3)
    rows = Evaluation(yy, pp, n_boot=300, random_state=1)
    people = Evaluation(yy, pp, n_boot=300, random_state=1, groups=ids)
    width = [np.subtract(*e.ci("auc")[::-1]) for e in (rows, people)]
    assert width[1] > 1.4 * width[0]
    assert people.value("auc") == rows.value("auc")


def test_subject_split_keeps_each_person_on_one_side():
    from creditscore.models._split import subject_holdout

    ids = np.repeat(np.arange(500), 3)
    test = subject_holdout(ids, 0.3, random_state=2)
    assert set(ids[test]).isdisjoint(ids[~test])
    assert len(set(ids[test])) == 150
