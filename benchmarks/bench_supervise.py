"""Inspection plans on worlds with ground truth: arrears found per inspection, and how
evenly the inspections fall on ownership types and size bands.

For each seed, a world with entities is generated (``fair``, and ``small-firm-bias`` at
``--over-recording``: small and micro private firms' administrative penalties recorded
more often for the same behaviour), its entity features built at half-year ends
2019-06-30 .. 2023-06-30, an entity_breach_12m LightGBM (``train --kind entity``
defaults) fitted on the rows up to 2022-06-30, and the entities with a known label on
2023-06-30 scored (a label horizon after the last fitted row). Three plans of the same
number of inspections ``n`` (that of the risk-classified plan, the shipped ratios
A 2%, B 5%, C 15%, D 40%) are compared on the **observed** outcome (entity_breach_12m on
2023-06-30: 3 months of contribution arrears or a breach record in the next 12 months):

* ``risk``: the risk-classified lottery of ``creditscore supervise`` (its inclusion
  probabilities ``pi_t``, ``creditscore.supervision.tier_targets``);
* ``uniform``: every entity with probability ``n / N``;
* ``top``: the ``n`` highest PDs, with certainty.

Arrears found per inspection is exact in expectation (``sum pi * y / n``); the
lotteries' spread is measured over ``--draws`` seeded draws (``draw_entities``). For each
plan and attribute, the inspection rate of every group of at least ``--min-group``
entities and the ratio of the lowest to the highest (the four-fifths screen reads it
against 0.8); and the inspection rate of the small and micro private firms (the group the
``small-firm-bias`` scenario over-records) over the rest's, beside their observed arrears
rate over the rest's.

    nice -n 5 .venv/bin/python benchmarks/bench_supervise.py [--subjects 6000]
        [--entities 1000] [--seeds 301 302 303] [--over-recording 4] [--draws 200]
        [--out FILE.json]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

DATES = [dt.date(y, m, d) for y in range(2019, 2024) for m, d in ((6, 30), (12, 31))
         if dt.date(y, m, d) <= dt.date(2023, 6, 30)]
TRAIN_UNTIL = dt.date(2022, 6, 30)
DRAW_ON = dt.date(2023, 6, 30)
TARGET = "entity_breach_12m"
RATIOS = {"A": 0.02, "B": 0.05, "C": 0.15, "D": 0.40}
ATTRIBUTES = ("ownership", "size_band")
__all__ = ["evaluate_world", "plans"]


def _scored_world(root: Path, n: int, k: int, seed: int, factor: float | None):
    from creditscore.features._entity_defs import ENTITY_MODEL_FEATURES
    from creditscore.features._entity_engine import build_entity_features
    from creditscore.models import load_model, train_model
    from creditscore.synth import generate

    world, feats = root / "records", root / "features.parquet"
    generate(world, n_subjects=n, seed=seed, n_entities=k,
             scenario="small-firm-bias" if factor else "fair", over_recording=factor)
    build_entity_features(world, DATES, feats)
    frame = pd.read_parquet(feats)
    train_model(frame, TARGET, "lgbm", root / "model", train_until=TRAIN_UNTIL, seed=0,
                features=ENTITY_MODEL_FEATURES, n_boot=0)
    model = load_model(root / "model")
    day = frame[pd.to_datetime(frame["as_of"]).dt.date == DRAW_ON]
    day = day[day[TARGET].notna()].reset_index(drop=True)
    scored = model.score_frame(day)
    out = pd.DataFrame({"subject_id": day["subject_id"].astype(str),
                        "pd": scored["pd"].to_numpy(), "tier": scored["tier"].astype(str),
                        "y": day[TARGET].astype(int).to_numpy()})
    entities = pd.read_parquet(world / "entities.parquet", columns=["subject_id", *ATTRIBUTES])
    truth = pd.read_parquet(root / "records.truth" / "entity_truth.parquet",
                            columns=["subject_id", "in_scenario_group"])
    return out.merge(entities, on="subject_id").merge(truth, on="subject_id").sort_values(
        "subject_id").reset_index(drop=True)


def plans(frame: pd.DataFrame) -> dict[str, np.ndarray]:
    """Inclusion probabilities of the three plans, of the same expected size."""
    from creditscore.supervision import tier_targets

    sizes = frame["tier"].value_counts().to_dict()
    targets = tier_targets(sizes, ratios=RATIOS)
    risk = frame["tier"].map({t: targets[t] / sizes[t] if sizes.get(t) else 0.0
                              for t in RATIOS}).to_numpy(dtype=float)
    n = int(round(risk.sum()))
    top = np.zeros(len(frame))
    top[np.argsort(-frame["pd"].to_numpy(), kind="stable")[:n]] = 1.0
    return {"risk": risk, "uniform": np.full(len(frame), n / len(frame)), "top": top}


def _draw_spread(frame: pd.DataFrame, draws: int) -> dict:
    """Arrears found per inspection over seeded draws of the two lotteries."""
    from creditscore.supervision import draw_entities, tier_targets

    sizes = frame["tier"].value_counts().to_dict()
    risk_t = tier_targets(sizes, ratios=RATIOS)
    n = round(sum(risk_t.values()))
    uniform_frame = frame.assign(tier="A")
    uniform_t = {"A": float(n), "B": 0.0, "C": 0.0, "D": 0.0}
    out = {}
    for name, f, t in (("risk", frame, risk_t), ("uniform", uniform_frame, uniform_t)):
        y = f.set_index("subject_id")["y"]
        per = [y.loc[draw_entities(f, t, s)[0]["subject_id"]].mean() for s in range(draws)]
        out[name] = {"mean": round(float(np.mean(per)), 4), "sd": round(float(np.std(per)), 4),
                     "p05": round(float(np.quantile(per, 0.05)), 4),
                     "p95": round(float(np.quantile(per, 0.95)), 4)}
    return out


def _rates(frame: pd.DataFrame, pi: np.ndarray, min_group: int) -> dict:
    out = {}
    for attribute in ATTRIBUTES:
        sizes = frame[attribute].value_counts()
        keep = sizes[sizes >= min_group].index
        rates = {g: round(float(pi[(frame[attribute] == g).to_numpy()].mean()), 4)
                 for g in sorted(keep)}
        low, high = min(rates.values()), max(rates.values())
        out[attribute] = {"rates": rates, "min_over_max": round(low / high, 3) if high else None}
    # the small and micro private firms (the group small-firm-bias over-records)
    group = frame["in_scenario_group"].to_numpy(dtype=bool)
    out["small_private_over_rest"] = round(float(pi[group].mean() / pi[~group].mean()), 3)
    return out


def evaluate_world(frame: pd.DataFrame, draws: int, min_group: int) -> dict:
    """Per plan: inspections, arrears found per inspection (expected), group rates."""
    y = frame["y"].to_numpy(dtype=float)
    group = frame["in_scenario_group"].to_numpy(dtype=bool)
    result = {"entities": len(frame), "base_rate": round(float(y.mean()), 4),
              "small_private_arrears_over_rest": round(float(y[group].mean() / y[~group].mean()),
                                                       3),
              "tiers": frame["tier"].value_counts().sort_index().to_dict(), "plans": {}}
    for name, pi in plans(frame).items():
        n = float(pi.sum())
        result["plans"][name] = {"inspections": round(n, 2),
                                 "found_per_inspection": round(float((pi * y).sum() / n), 4),
                                 **_rates(frame, pi, min_group)}
    result["draws"] = _draw_spread(frame, draws)
    return result


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--subjects", type=int, default=6_000)
    ap.add_argument("--entities", type=int, default=1_000)
    ap.add_argument("--seeds", type=int, nargs="*", default=[301, 302, 303])
    ap.add_argument("--over-recording", type=float, default=4.0)
    ap.add_argument("--draws", type=int, default=200)
    ap.add_argument("--min-group", type=int, default=30)
    ap.add_argument("--out", type=Path, default=None)
    a = ap.parse_args()
    start, rows = time.perf_counter(), []
    for seed in a.seeds:
        for factor in (None, a.over_recording):
            with tempfile.TemporaryDirectory() as tmp:
                frame = _scored_world(Path(tmp), a.subjects, a.entities, seed, factor)
            row = {"seed": seed, "world": f"small-firm-bias {factor}x" if factor else "fair",
                   **evaluate_world(frame, a.draws, a.min_group)}
            rows.append(row)
            print(json.dumps(row), flush=True)
    table = pd.DataFrame([{"world": r["world"], "plan": p, "found/insp": v[
        "found_per_inspection"], "ownership min/max": v["ownership"]["min_over_max"],
        "size min/max": v["size_band"]["min_over_max"],
        "small private / rest": v["small_private_over_rest"]} for r in rows
        for p, v in r["plans"].items()])
    print(table.groupby(["world", "plan"], sort=False).mean().round(3).to_string())
    if a.out:
        a.out.write_text(json.dumps({"worlds": rows, "seconds": round(
            time.perf_counter() - start, 1)}, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
