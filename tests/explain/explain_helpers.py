"""Small feature definitions, data and models for explain's tests (no other stage needed)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from creditscore.features._definitions import FeatureDef

DEFS = (
    FeatureDef(
        "si_late30_count_12m",
        "Social insurance contributions paid more than 30 days late, last 12 months",
        "contributions",
        1,
        "{value:.0f} social insurance contributions paid more than 30 days late in the "
        "last 12 months",
    ),
    FeatureDef(
        "si_late30_count_36m",
        "Social insurance contributions paid more than 30 days late, last 36 months",
        "contributions",
        1,
        "{value:.0f} social insurance contributions paid more than 30 days late in the "
        "last 36 months",
    ),
    FeatureDef(
        "si_arrears_count",
        "Self-owed contributions due and unpaid now",
        "contributions",
        1,
        "{value:.0f} self-owed contributions are due and unpaid",
        actionable=True,
    ),
    FeatureDef(
        "si_arrears_amount",
        "Amount of self-owed contributions due and unpaid now",
        "contributions",
        1,
        "{value:,.0f} of social insurance contributions are unpaid",
        actionable=True,
    ),
    FeatureDef(
        "pr_unresolved_count",
        "Public records not yet resolved",
        "public_records",
        1,
        "{value:.0f} court or enforcement records are unresolved",
        actionable=True,
    ),
    FeatureDef(
        "pr_unresolved_amount",
        "Money at stake in unresolved public records",
        "public_records",
        1,
        "{value:,.0f} is owed on unresolved public records",
        actionable=True,
    ),
    FeatureDef(
        "cc_util_last",
        "Last statement balance of open cards relative to their limits",
        "repayments",
        1,
        "Credit cards are used to {value:.0%} of their limits",
        actionable=True,
    ),
    FeatureDef(
        "ln_card_limit",
        "Total credit limit of open cards",
        "loans",
        0,
        "{value:,.0f} of credit card limits",
    ),
    FeatureDef(
        "ln_oldest_age_months",
        "Age of the oldest credit account in months (missing if none)",
        "loans",
        -1,
        "The oldest credit account is only {value:.0f} months old",
    ),
    FeatureDef(
        "rp_ontime_share_12m",
        "Share of instalments of the last 12 months paid on time",
        "repayments",
        -1,
        "Only {value:.0%} of instalments in the last 12 months were paid on time",
        actionable=True,
    ),
)
NAMES = [d.name for d in DEFS]
DIRECTIONS = {d.name: d.direction for d in DEFS}


def make_frame(n: int, seed: int = 0) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    late12 = rng.poisson(0.4, n).astype(float)
    arrears = rng.poisson(0.3, n).astype(float)
    unresolved = rng.binomial(1, 0.08, n).astype(float)
    util = rng.uniform(0, 1, n)
    util[rng.random(n) < 0.2] = np.nan
    age = rng.integers(1, 240, n).astype(float)
    age[rng.random(n) < 0.1] = np.nan
    ontime = rng.uniform(0.5, 1, n)
    ontime[rng.random(n) < 0.25] = np.nan
    return pd.DataFrame(
        {
            "si_late30_count_12m": late12,
            "si_late30_count_36m": late12 + rng.poisson(0.5, n),
            "si_arrears_count": arrears,
            "si_arrears_amount": arrears * rng.uniform(200, 600, n),
            "pr_unresolved_count": unresolved,
            "pr_unresolved_amount": unresolved * rng.uniform(1000, 20000, n),
            "cc_util_last": util,
            "ln_card_limit": rng.uniform(1000, 50000, n).round(),
            "ln_oldest_age_months": age,
            "rp_ontime_share_12m": ontime,
        }
    )


def make_labels(X: pd.DataFrame, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    logit = (
        -3.2
        + 0.7 * X["si_late30_count_12m"]
        + 0.15 * X["si_late30_count_36m"]
        + 0.8 * X["si_arrears_count"]
        + 1.6 * X["pr_unresolved_count"]
        + 1.2 * X["cc_util_last"].fillna(0.9)
        - 0.004 * X["ln_oldest_age_months"].fillna(0)
        - 1.5 * X["rp_ontime_share_12m"].fillna(0.4)
    )
    return (rng.random(len(X)) < 1 / (1 + np.exp(-logit))).astype(int)


def train_booster(X, y, rounds=60, leaves=15, **extra):
    import lightgbm as lgb

    params = {
        "objective": "binary",
        "num_leaves": leaves,
        "learning_rate": 0.1,
        "min_data_in_leaf": 30,
        "verbosity": -1,
        "num_threads": 1,
        "deterministic": True,
        "force_col_wise": True,
        "seed": 0,
        "monotone_constraints": [DIRECTIONS.get(c, 0) for c in X.columns],
    }
    params.update(extra)
    params = {k: v for k, v in params.items() if v is not None}
    return lgb.train(params, lgb.Dataset(X, y), num_boost_round=rounds)


def assign_tiers(pd_values, bands=(0.02, 0.05, 0.15), labels=("A", "B", "C", "D")):
    idx = np.searchsorted(np.asarray(bands), np.asarray(pd_values, dtype=float), side="right")
    return np.asarray(labels, dtype=object)[idx]


class BoosterModel:
    """A LoadedModel look-alike around a booster (PD = the booster's probability)."""

    target = "breach_12m"

    def __init__(self, booster, features):
        self.booster_ = booster
        self.features = features

    def predict_pd(self, frame):
        return self.booster_.predict(frame[self.booster_.feature_name()].to_numpy(float))

    def tier(self, pd_values):
        return assign_tiers(pd_values)

    def model_hash(self):
        return "sha256:test"


class LinearModel:
    """A transparent logistic model: recourse outcomes can be worked out by hand."""

    COEF = {
        "si_late30_count_12m": 0.5,
        "si_arrears_count": 0.7,
        "pr_unresolved_count": 0.8,
        "cc_util_last": 2.0,
    }

    def __init__(self, features=DEFS, intercept=-4.0):
        self.features, self.intercept, self.frames = features, intercept, []

    def predict_pd(self, frame):
        self.frames.append(frame.copy())
        z = self.intercept + sum(
            c * frame[k].fillna(0).to_numpy(float) for k, c in self.COEF.items()
        )
        return 1 / (1 + np.exp(-z))

    def tier(self, pd_values):
        return assign_tiers(pd_values)
