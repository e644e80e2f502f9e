"""The fast TreeSHAP route gives LightGBM's pred_contrib numbers, and so the same reasons."""

import numpy as np
import pandas as pd
import pytest

from creditscore.explain import ReasonCoder
from creditscore.explain._fasttree import compile_booster, shap_values

from .explain_helpers import DEFS, NAMES, make_frame, make_labels, train_booster


def _random_rows(n, seed, frame):
    """Rows drawn around the training data, with NaNs, zeros and tiny values."""
    rng = np.random.default_rng(seed)
    X = frame.sample(n, replace=True, random_state=seed).to_numpy(float)
    X = X * rng.choice([1.0, 0.5, 2.0], size=X.shape)
    X[rng.random(X.shape) < 0.08] = np.nan
    X[rng.random(X.shape) < 0.05] = 0.0
    X[rng.random(X.shape) < 0.01] = 1e-40
    return X


def _at_thresholds(booster, n, seed):
    """Rows whose values sit exactly on split thresholds (the ``<=`` boundary)."""
    rng = np.random.default_rng(seed)
    thr = {j: [] for j in range(booster.num_feature())}

    def walk(node):
        if "split_index" in node:
            thr[node["split_feature"]].append(node["threshold"])
            walk(node["left_child"])
            walk(node["right_child"])

    for tree in booster.dump_model()["tree_info"]:
        walk(tree["tree_structure"])
    X = np.zeros((n, booster.num_feature()))
    for j, values in thr.items():
        X[:, j] = rng.choice(values, n) if values else 0.0
    return X


def _assert_same_as_pred_contrib(booster, X, **kw):
    trees = compile_booster(booster, **kw)
    ref = booster.predict(X, pred_contrib=True)
    phi = shap_values(trees, X)
    np.testing.assert_allclose(phi, ref[:, :-1], rtol=0, atol=1e-12)
    assert trees.expected_value == pytest.approx(ref[0, -1], abs=1e-12)


@pytest.mark.parametrize(
    "extra",
    [{}, {"zero_as_missing": True}, {"use_missing": False}],
    ids=["nan-missing", "zero-missing", "no-missing"],
)
def test_shap_values_equal_pred_contrib_for_every_missing_type(frame, extra):
    X = frame.copy()
    X.iloc[::7, 6] = np.nan
    booster = train_booster(X, make_labels(frame), rounds=40, **extra)
    _assert_same_as_pred_contrib(booster, _random_rows(3000, 1, frame))
    _assert_same_as_pred_contrib(booster, _at_thresholds(booster, 2000, 2))


@pytest.mark.parametrize("max_bits", [0, 3, 12], ids=["on-the-fly", "mixed", "tables"])
def test_deep_trees_give_pred_contrib_whether_tabulated_or_not(frame, max_bits):
    booster = train_booster(
        frame,
        make_labels(frame),
        rounds=25,
        leaves=63,
        min_data_in_leaf=5,
        monotone_constraints=None,
    )
    _assert_same_as_pred_contrib(booster, _random_rows(2000, 3, frame), max_bits=max_bits)


def test_single_leaf_trees_add_only_to_the_expected_value(frame):
    booster = train_booster(frame, make_labels(frame), rounds=5, min_data_in_leaf=100000)
    _assert_same_as_pred_contrib(booster, _random_rows(100, 4, frame))


def test_fast_reasons_equal_pred_contrib_reasons_on_random_data(booster, frame):
    X = pd.DataFrame(_random_rows(5000, 5, frame), columns=NAMES)
    fast = ReasonCoder(DEFS).fit(booster)
    slow = ReasonCoder(DEFS, method="lightgbm").fit(booster)
    assert fast.route_ == "fast" and slow.route_ == "lightgbm"
    a, b = fast.explain(X), slow.explain(X)
    assert (a.features == b.features).all()
    assert (a.sentences == b.sentences).all()
    np.testing.assert_allclose(a.contributions, b.contributions, rtol=0, atol=1e-12)
    np.testing.assert_allclose(a.raw_score, b.raw_score, rtol=0, atol=1e-12)


def test_categorical_splits_fall_back_to_pred_contrib(frame):
    import lightgbm as lgb

    late = "si_late30_count_12m"
    X = frame.assign(**{late: frame[late].clip(0, 5).astype(int)})
    booster = lgb.train(
        {
            "objective": "binary",
            "verbosity": -1,
            "num_threads": 1,
            "num_leaves": 7,
            "min_data_per_group": 5,
            "cat_smooth": 1,
        },
        lgb.Dataset(X, make_labels(frame), categorical_feature=[late]),
        num_boost_round=10,
    )
    assert "'decision_type': '=='" in str(booster.dump_model())
    coder = ReasonCoder(DEFS).fit(booster)
    assert coder.route_ == "lightgbm"
    assert coder.reasons(X.iloc[:20]).shape == (20, 4)


def test_table_memory_is_capped(frame):
    booster = train_booster(
        frame,
        make_labels(frame),
        rounds=20,
        leaves=63,
        min_data_in_leaf=5,
        monotone_constraints=None,
    )
    assert compile_booster(booster, max_table_mb=0.01).table_mb <= 0.01


def test_make_frame_differs_by_seed():
    assert not make_frame(20, seed=1).equals(make_frame(20, seed=2))
