"""Stand-ins for what other stages write: a model directory, an audit, features.

The reports and tracking tests use these instead of ``creditscore.models`` and
``creditscore.fairness`` so that they test this stage alone. The layout
follows the model-directory contract (features.json, metrics.json, metadata,
``audit/verdict.json`` bound to the model hash).
"""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path

import numpy as np
import pandas as pd

FEATURES = [
    {
        "name": "si_late30_count_12m",
        "source": "contributions",
        "direction": 1,
        "description": "Social insurance contributions paid more than 30 days late in the last "
        "12 months",
        "reason": "{value:.0f} social insurance contributions paid more than 30 days late in the "
        "last 12 months",
    },
    {
        "name": "loan_dpd90_count_24m",
        "source": "repayments",
        "direction": 1,
        "description": "Instalments 90 or more days late in the last 24 months",
        "reason": "{value:.0f} instalments 90 or more days late in the last 24 months",
    },
    {
        "name": "months_since_last_late",
        "source": "repayments",
        "direction": -1,
        "description": "Months since the last late payment",
        "reason": "Only {value:.0f} months since the last late payment",
    },
]
NAMES = [f["name"] for f in FEATURES]
COEF = {"si_late30_count_12m": 0.6, "loan_dpd90_count_24m": 0.9, "months_since_last_late": -0.05}


class StandInModel:
    """The LoadedModel interface: predict_pd, score, tier, feature_names, target, model_hash."""

    def __init__(self, path):
        self.path = Path(path)
        meta = json.loads((self.path / "model.json").read_text())
        self.target = meta["target"]
        self.coef = meta["coef"]
        self.intercept = meta["intercept"]
        self.feature_names = list(self.coef)

    def predict_pd(self, frame):
        z = self.intercept + sum(
            frame[k].astype(float).to_numpy() * v for k, v in self.coef.items()
        )
        return 1.0 / (1.0 + np.exp(-z))

    def score(self, frame):
        p = self.predict_pd(frame)
        return 600 - 20 / math.log(2) * np.log(p / (1 - p) * 50)

    def tier(self, pd_):
        return np.select([pd_ < 0.02, pd_ < 0.05, pd_ < 0.15], ["A", "B", "C"], "D")

    def model_hash(self):
        h = hashlib.sha256()
        for p in sorted(q for q in self.path.rglob("*") if q.is_file()):
            rel = p.relative_to(self.path).as_posix()
            if not rel.startswith("audit/"):
                h.update(rel.encode() + b"\0" + p.read_bytes())
        return h.hexdigest()


def load_standin(path):
    return StandInModel(path)


def _png(path: Path) -> None:
    from matplotlib.figure import Figure

    fig = Figure(figsize=(3, 3))
    ax = fig.subplots()
    ax.plot([0, 0.2, 1], [0, 0.7, 1])
    ax.plot([0, 1], [0, 1], linestyle="--")
    fig.savefig(path, format="png")


def _block(n, events, auc):
    return {
        "n": n,
        "events": events,
        "metrics": {
            "auc": {"value": auc, "ci_low": auc - 0.02, "ci_high": auc + 0.02},
            "gini": {"value": 2 * auc - 1, "ci_low": 2 * auc - 1.04, "ci_high": 2 * auc - 0.96},
            "brier": {"value": 0.052, "ci_low": 0.05, "ci_high": 0.054},
            "ece": {"value": 0.004, "ci_low": None, "ci_high": None},
        },
    }


def write_model_dir(path, target="default_12m", intercept=-3.0, plots=True, coef=None) -> Path:
    """A model directory in the layout of creditscore.models (model.json, features.json,
    metrics.json as Evaluation.to_dict(), figures/*.png)."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    meta = {
        "format": 1,
        "kind": "scorecard",
        "estimator": "WoEScorecard",
        "estimator_params": {"pdo": 20, "base_odds": 50, "max_bins": 6},
        "target": target,
        "feature_names": NAMES,
        "seed": 0,
        "train_until": "2022-12-31",
        "catalogue_version": "2026.1",
        "data": {
            "rows": 8123,
            "events": 495,
            "as_of": ["2022-06-30", "2022-12-31"],
            "rows_sha256": "ab" * 32,
        },
        "tiers": {"bands": [0.02, 0.05, 0.15], "labels": ["A", "B", "C", "D"]},
        "creditscore_version": "0.1.0",
        "intercept": intercept,
        "coef": coef or COEF,
    }
    (path / "model.json").write_text(json.dumps(meta, indent=1))
    (path / "features.json").write_text(json.dumps(FEATURES, indent=1))
    metrics = {
        "level": 0.95,
        "n_boot": 200,
        **_block(8100, 490, 0.781),
        "by_as_of": {"2023-06-30": _block(4000, 240, 0.79), "2023-12-31": _block(4100, 250, 0.77)},
    }
    (path / "metrics.json").write_text(json.dumps(metrics, indent=1))
    if plots:
        (path / "figures").mkdir(exist_ok=True)
        _png(path / "figures" / "roc.png")
    return path


def write_verdict(model_dir, passed: bool, model_hash: str | None = None) -> Path:
    model_dir = Path(model_dir)
    model_hash = model_hash or StandInModel(model_dir).model_hash()
    (model_dir / "audit").mkdir(exist_ok=True)
    verdict = {
        "format": "creditscore-verdict/1",
        "passed": passed,
        "model": model_hash,
        "created": "2024-01-05T00:00:00+00:00",
        "n_failed": 0 if passed else 1,
    }
    path = model_dir / "audit" / "verdict.json"
    path.write_text(json.dumps(verdict))
    return path


def _check(attribute, metric, group, reference, value, threshold, ci, n, gate, status):
    return {
        "attribute": attribute,
        "metric": metric,
        "group": group,
        "reference": reference,
        "value": value,
        "threshold": threshold,
        "ci_level": 0.95,
        "n": n,
        "gate": gate,
        "status": status,
        "passed": status != "fail",
        "ci": ci,
    }


CHECKS = [  # the shape of creditscore.fairness's audit.json
    _check(
        "ethnicity",
        "flag_rate_ratio",
        "minority",
        "majority",
        0.48,
        0.8,
        [0.41, 0.55],
        1180,
        True,
        "fail",
    ),
    _check("sex", "flag_rate_ratio", "F", "M", 0.97, 0.8, [0.9, 1.04], 5100, True, "pass"),
    _check("sex", "fpr_difference", "F", "M", 0.004, 0.05, [-0.01, 0.018], 5100, True, "pass"),
]
GROUPS = [
    ("ethnicity", "majority", 8820, 0.081, 0.075, 0.088, 0.061, 0.058, 0.78),
    ("ethnicity", "minority", 1180, 0.169, 0.148, 0.191, 0.066, 0.061, 0.74),
    ("sex", "F", 5100, 0.09, 0.082, 0.098, 0.06, 0.062, 0.79),
    ("sex", "M", 4900, 0.093, 0.085, 0.101, 0.063, 0.061, 0.78),
    ("region", "R9", 31, 0.5, 0.3, 0.7, 0.4, 0.45, 0.6),  # must never be shown: suppressed
]


def write_audit_dir(path, model_hash: str, passed: bool = False) -> Path:
    """An audit report folder as creditscore audit writes it: audit.json and
    audit_groups.parquet (here holding a suppressed group's row, which reports must drop)."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    audit = {
        "format": "creditscore-audit/1",
        "passed": passed,
        "model": model_hash,
        "target": "default_12m",
        "created": "2024-01-05T00:00:00+00:00",
        "gate_rule": "A check fails only when its estimate and its whole interval lie "
        "beyond the threshold.",
        "decision": {"flag_tiers": ["C", "D"]},
        "checks": CHECKS,
        "suppressed": [
            {"attribute": "region", "group": "R9", "reason": "fewer than 50 subjects"},
            {"attribute": "sex x hukou", "group": "F & rural", "reason": "fewer than 50 subjects"},
        ],
        "unavailable_attributes": [],
        "population": {"n_rows": 10000, "n_subjects": 9000, "n_labelled": 9500},
        "proxies": [
            {
                "feature": "months_since_last_late",
                "attribute": "ethnicity",
                "auc": 0.71,
                "nmi": 0.02,
                "disparity_reduction": 0.01,
                "carries_disparity": False,
            }
        ],
        "policy": {
            "min_group_size": 50,
            "checks": {"flag_rate_ratio": {"threshold": 0.8}},
            "decision": {"flag_tiers": ["C", "D"]},
        },
    }
    (path / "audit.json").write_text(json.dumps(audit, indent=1))
    cols = [
        "attribute",
        "group",
        "n",
        "flag_rate",
        "flag_rate_ci_low",
        "flag_rate_ci_high",
        "mean_pd",
        "observed_rate",
        "auc",
    ]
    pd.DataFrame(GROUPS, columns=cols).to_parquet(path / "audit_groups.parquet", index=False)
    return path


def feature_frame(n: int = 400, seed: int = 0, shift: float = 0.0) -> pd.DataFrame:
    """Features with subject ids, dates and a label drawn from the stand-in's own PD."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "subject_id": [f"S{i:05d}" for i in range(n)],
            "as_of": pd.to_datetime(rng.choice(["2022-12-31", "2023-06-30", "2023-12-31"], n)),
            "si_late30_count_12m": rng.poisson(0.5 + shift, n).astype(float),
            "loan_dpd90_count_24m": rng.poisson(0.3 + shift, n).astype(float),
            "months_since_last_late": rng.integers(0, 60, n).astype(float),
        }
    )
    z = -3 + sum(frame[k] * v for k, v in COEF.items())
    frame["default_12m"] = (rng.random(n) < 1 / (1 + np.exp(-z))).astype("Int64")
    return frame
