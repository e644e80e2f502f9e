"""Entity models on unseen synthetic worlds: accuracy against the oracle, and gate power.

Accuracy (``--auc-seeds``): for each seed a ``fair`` world with entities is generated,
its entity features built at quarter ends 2019-2023, an entity_breach_12m LightGBM
(``train --kind entity`` defaults: ``ENTITY_MODEL_FEATURES``) fitted on the rows up to
2022-12-31, and evaluated out of time on the 2023 rows: its AUC, the **oracle** (the AUC
of the entities' true latent risk on the same rows, as ``creditscore run`` reports for
persons) and mean PD / observed rate.

Gate power (``--fair-seeds``, ``--power-seeds``): the ``fair`` world and the
``small-firm-bias`` worlds of the same seed (small and micro private firms'
administrative penalties over-recorded 1.5x .. 16x; the same entities, persons and
behaviour) are audited on the 2023 rows with the entity policy
(``fairness/entity_policy.yaml``, 200 bootstrap draws as bench_gate_power.py). A world
is *detected* when the audit fails with a failing gate check on ``ownership``,
``size_band`` or their intersection; a fair world is a false alarm when its audit fails
at all.

    nice -n 5 .venv/bin/python benchmarks/bench_entities.py [--subjects 30000]
        [--entities 2000] [--auc-seeds 101 102 103] [--fair-seeds 4] [--power-seeds 4]
        [--seed0 9100]
        [--out FILE.json]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import tempfile
import time
from pathlib import Path

import pandas as pd

DATES = [dt.date(y, m, d) for y in range(2019, 2024)
         for m, d in ((3, 31), (6, 30), (9, 30), (12, 31))]
TRAIN_UNTIL = "2022-12-31"
TARGET = "entity_breach_12m"
POLICY = {"inference": {"ci_level": 0.95, "adjust": "bonferroni", "n_boot": 200}}
FACTORS = (1.5, 2.0, 4.0, 8.0, 16.0)
NAMED = ("ownership", "size_band", "ownership x size_band")
SEED0 = 9_100  # power seeds SEED0, SEED0 + 1, ...: none the tests or demo use


def _world(root: Path, n: int, k: int, seed: int, factor: float | None):
    from creditscore.features._entity_engine import build_entity_features
    from creditscore.synth import generate

    name = f"s{seed}-{factor or 'fair'}"
    out = root / name
    generate(out, n_subjects=n, seed=seed, n_entities=k,
             scenario="small-firm-bias" if factor else "fair", over_recording=factor)
    build_entity_features(out, DATES, root / f"{name}.parquet")
    return out, pd.read_parquet(root / f"{name}.parquet")


def _fit(frame: pd.DataFrame, root: Path, name: str):
    from creditscore.features._entity_defs import ENTITY_MODEL_FEATURES
    from creditscore.models import train_model

    train_model(frame, TARGET, "lgbm", root / name, train_until=TRAIN_UNTIL,
                features=ENTITY_MODEL_FEATURES, n_boot=50)
    return root / name


def _oot(frame):
    return frame[pd.to_datetime(frame["as_of"]) > pd.Timestamp(TRAIN_UNTIL)].reset_index(
        drop=True)


def accuracy(n: int, k: int, seed: int) -> dict:
    from sklearn.metrics import roc_auc_score

    from creditscore.models import load_model

    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        world, frame = _world(root, n, k, seed, None)
        model = load_model(_fit(frame, root, "m"))
        test = _oot(frame)
        test = test[test[TARGET].notna()]
        truth = pd.read_parquet(f"{world}.truth/entity_truth.parquet",
                                columns=["subject_id", "latent_risk"])
        test = test.merge(truth, on="subject_id")
        pd_ = model.predict_pd(test)
        y = test[TARGET].astype(int)
        return {"seed": seed, "rows": len(test), "events": int(y.sum()),
                "auc": round(float(roc_auc_score(y, pd_)), 4),
                "oracle": round(float(roc_auc_score(y, test["latent_risk"])), 4),
                "pd_over_observed": round(float(pd_.mean() / y.mean()), 3)}


def power(n: int, k: int, seed: int, factors) -> list[dict]:
    import yaml

    from creditscore.fairness import run_audit
    from creditscore.fairness._entity import ENTITY_POLICY

    policy = {**yaml.safe_load(ENTITY_POLICY.read_text()), **POLICY}
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        for factor in factors:
            world, frame = _world(root, n, k, seed, factor)
            model = _fit(frame, root, f"m{factor}")
            found = run_audit(model, _oot(frame), world / "entities.parquet", policy=policy,
                              proxies=False)
            failed = found.failed
            attrs = sorted(set(failed["attribute"]))
            out.append({"seed": seed, "factor": factor or 1.0, "passed": bool(found.passed),
                        "failing_attributes": attrs,
                        "failing_metrics": sorted(set(failed["metric"])),
                        "detected": any(a in NAMED for a in attrs)})
            print(json.dumps(out[-1]), flush=True)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--subjects", type=int, default=30_000)
    ap.add_argument("--entities", type=int, default=2_000)
    ap.add_argument("--auc-seeds", type=int, nargs="*", default=[101, 102, 103])
    ap.add_argument("--fair-seeds", type=int, default=4)
    ap.add_argument("--power-seeds", type=int, default=4)
    ap.add_argument("--seed0", type=int, default=SEED0,
                    help="First gate seed (fresh seeds for a re-measurement after a rule change).")
    ap.add_argument("--out", type=Path, default=None)
    a = ap.parse_args()
    start, report = time.perf_counter(), {"auc": [], "power": []}
    for seed in a.auc_seeds:
        report["auc"].append(accuracy(a.subjects, a.entities, seed))
        print(json.dumps(report["auc"][-1]), flush=True)
    for i in range(max(a.fair_seeds, a.power_seeds)):
        factors = [None] if i < a.fair_seeds else []
        factors += [4.0] if i < a.power_seeds else []
        factors += [f for f in FACTORS if f != 4.0] if i == 0 else []
        report["power"] += power(a.subjects, a.entities, a.seed0 + i, factors)
    report["seconds"] = round(time.perf_counter() - start, 1)
    table = pd.DataFrame(report["power"])
    if not table.empty:
        print(table.groupby("factor").agg(worlds=("seed", "size"), failed=("passed",
              lambda p: int((~p).sum())), detected=("detected", "sum")).to_string())
    if a.out:
        a.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
