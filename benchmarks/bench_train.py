"""Training time of ``MonotoneLGBM.fit`` against ``lightgbm.train`` on the same matrix.

Both get the same rows, the same train/validation split, the same parameters
(``MonotoneLGBM.lgb_params``: monotone constraints, one thread, deterministic)
and the same early stopping, so they grow the same trees; what is left is the
wrapper's overhead (DataFrame to float matrix, constraint lookup). Runs are
alternated to spread machine noise over both. Both wall-clock and process CPU
time are measured: with one thread, CPU time is the figure that other jobs on
a shared machine do not distort. The ratio of the medians is the figure to
quote (target: at most 1.2).

    .venv/bin/python benchmarks/bench_train.py [--rows 100000] [--features 60] [--repeats 3]
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import pandas as pd


def make_data(rows: int, features: int, seed: int = 0):
    """A credit-like matrix: a few informative columns, missing values, ~5% events."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(rows, features))
    logit = -3.2 + X[:, :8] @ np.linspace(0.8, -0.5, 8)
    y = (rng.random(rows) < 1 / (1 + np.exp(-logit))).astype(float)
    X[rng.random(X.shape) < 0.03] = np.nan
    names = [f"f{i:02d}" for i in range(features)]
    return pd.DataFrame(X, columns=names), y


def feature_defs(names):
    from creditscore.features import FeatureDef

    signs = np.sign(np.linspace(0.8, -0.5, 8))
    return tuple(
        FeatureDef(n, n, "loans", int(signs[i]) if i < 8 else 0, "{value}")
        for i, n in enumerate(names)
    )


def _clock():
    return np.array([time.perf_counter(), time.process_time()])


def time_wrapper(est, Xt, yt, Xv, yv) -> tuple[np.ndarray, int]:
    start = _clock()
    est.fit(Xt, yt, eval_set=(Xv, yv))
    return _clock() - start, est.best_iteration_


def time_direct(est, constraints, Xt, yt, Xv, yv) -> tuple[np.ndarray, int]:
    import lightgbm as lgb

    params = est.lgb_params(constraints)
    names = list(Xt.columns)
    # outside the clock, in the layout LightGBM reads fastest: the strictest comparison
    Xt_np, Xv_np = np.ascontiguousarray(Xt.to_numpy()), np.ascontiguousarray(Xv.to_numpy())
    start = _clock()
    train = lgb.Dataset(Xt_np, yt, feature_name=names, params={"max_bin": est.max_bin})
    valid = lgb.Dataset(Xv_np, yv, reference=train)
    booster = lgb.train(
        params,
        train,
        num_boost_round=est.num_iterations,
        valid_sets=[valid],
        callbacks=[lgb.early_stopping(est.early_stopping_rounds, verbose=False)],
    )
    return _clock() - start, booster.best_iteration


def main(argv=None) -> float:
    from creditscore.models import MonotoneLGBM

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--features", type=int, default=60)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args(argv)
    X, y = make_data(args.rows, args.features)
    cut = int(0.8 * len(X))
    Xt, yt, Xv, yv = X.iloc[:cut], y[:cut], X.iloc[cut:], y[cut:]
    est = MonotoneLGBM(features=feature_defs(list(X.columns)), num_threads=args.threads)
    constraints = [f.direction for f in est.features]
    ours, direct = [], []
    for i in range(args.repeats):
        if i % 2:  # alternate which goes first
            t_ours, it_ours = time_wrapper(est, Xt, yt, Xv, yv)
            t_direct, it_direct = time_direct(est, constraints, Xt, yt, Xv, yv)
        else:
            t_direct, it_direct = time_direct(est, constraints, Xt, yt, Xv, yv)
            t_ours, it_ours = time_wrapper(est, Xt, yt, Xv, yv)
        assert it_direct == it_ours, (it_direct, it_ours)  # the same trees
        direct.append(t_direct)
        ours.append(t_ours)
        print(
            f"lightgbm.train {t_direct[0]:6.2f} s wall {t_direct[1]:6.2f} s cpu   "
            f"MonotoneLGBM.fit {t_ours[0]:6.2f} s wall {t_ours[1]:6.2f} s cpu   "
            f"({it_ours} iterations)"
        )
    wall, cpu = (
        statistics.median(o[k] for o in ours) / statistics.median(d[k] for d in direct)
        for k in (0, 1)
    )
    print(
        f"{args.rows:,} rows x {args.features} features, {args.threads} thread(s): overhead "
        f"ratio (medians) {cpu:.3f} cpu, {wall:.3f} wall  [target <= 1.2]"
    )
    return cpu


if __name__ == "__main__":
    main()
