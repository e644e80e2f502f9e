"""Mitigation of flat-table scorecards with an age disparity: the frontier's points.

Two tables, each read flat, a scorecard trained by ``train_flat`` (protected
columns never inputs), then ``creditscore mitigate MODEL TABLE --protected AGE
--bands AGE=25,35,50`` with its default flat search under the shipped policy
(the riskiest 30% flagged: tiers C and D at the out-of-fold PD quantiles):

- ``age-table``: made here with sklearn's ``make_classification`` (not our
  synth): 6 informative columns, 2 redundant, 4 noise; the applicant's age is
  younger for a bad outcome and moves with two informative columns, and two
  more columns (years at the address, years in the job) follow age alone;
- ``taiwan``: the UCI Taiwan credit-card table (creditscore.records.TAIWAN_DATA)
  read flat; SEX, EDUCATION, MARRIAGE and AGE protected, the audit on AGE.

Printed: every frontier point (out-of-fold AUC with its interval, worst
flag-rate ratio with its interval, the gate's verdict), and whether a point
reaches a ratio of 0.8 or more within 0.015 AUC of the unmitigated scorecard.

    .venv/bin/python benchmarks/bench_mitigate_flat.py [--rows 5000] [--seed 41]
        [--taiwan-rows 30000] [--repeats 2] [--skip-taiwan] [--out bench-mitigate-flat]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_flat import taiwan  # noqa: E402 - the Taiwan table read flat, as bench_flat reads it

MAX_LOSS, MIN_RATIO = 0.015, 0.8
BANDS = "25,35,50"


def age_table(rows: int, seed: int):
    """A flat credit table with an age disparity (see the module text)."""
    import numpy as np
    import pandas as pd
    from sklearn.datasets import make_classification

    X, y = make_classification(n_samples=rows, n_features=12, n_informative=6, n_redundant=2,
                               n_repeated=0, weights=[0.7, 0.3], flip_y=0.03, class_sep=0.9,
                               shuffle=False, random_state=seed)
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(X, columns=[f"x{i:02d}" for i in range(X.shape[1])])
    age = 40 - 6 * y + 3 * X[:, 0] - 3 * X[:, 1] + rng.normal(0, 9, rows)
    age = np.clip(np.round(age), 19, 75)
    frame["years_at_address"] = np.clip(np.round(0.3 * (age - 18) + rng.normal(0, 3, rows)),
                                        0, None)
    frame["years_in_job"] = np.clip(np.round(0.25 * (age - 18) + rng.normal(0, 3, rows)), 0,
                                    None)
    frame.insert(0, "application_id", [f"A{i:06d}" for i in range(rows)])
    frame["age"] = age.astype(int)
    frame["bad"] = y
    return frame, dict(target="bad", id_column="application_id", protected=["age"])


def run(name: str, frame, spec: dict, out: Path, repeats: int) -> dict:
    from creditscore.models import train_flat

    out.mkdir(parents=True, exist_ok=True)
    table = out / f"{name}.parquet"
    frame.to_parquet(table, index=False)
    age = spec["protected"][-1]
    start = time.perf_counter()
    trained = train_flat(table, spec["target"], "scorecard", out / "model",
                         id_column=spec["id_column"], protected=spec["protected"],
                         repeats=repeats, n_boot=200)
    print(f"{name}: {trained.summary()} ({time.perf_counter() - start:.0f}s)", flush=True)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", "from creditscore.cli import main; main()",
                           "mitigate", str(out / "model"), str(table), "--protected", age,
                           "--bands", f"{age}={BANDS}", "--out", str(out / "mitigation")],
                          capture_output=True, text=True)
    data = json.loads((out / "mitigation" / "frontier.json").read_text())
    print(f"{name}: mitigate exit {done.returncode} in {time.perf_counter() - start:.0f}s: "
          f"{done.stdout.strip().splitlines()[0] if done.stdout.strip() else done.stderr}")
    report(name, data)
    return data


def report(name: str, data: dict) -> None:
    rows = data["candidates"]
    base = rows[0]["auc"]
    reached = []
    for r in rows:
        ratio = r["worst_flag_rate_ratio"]
        near = r["auc"] >= base - MAX_LOSS
        if ratio is not None and ratio >= MIN_RATIO and near:
            reached.append(r["candidate"])
        print(f"  {r['candidate']:22s} OOF AUC {r['auc']:.3f} [{r['auc_low']:.3f}, "
              f"{r['auc_high']:.3f}] ({r['auc'] - base:+.3f})  worst ratio {_f(ratio)} "
              f"[{_f(r['ratio_low'])}, {_f(r['ratio_high'])}] {r['ratio_group'] or ''}  "
              f"flagged {r['flag_rate']:.2f}  {'PASS' if r['passed'] else 'fail'}"
              f"{'  chosen' if r['chosen'] else ''}")
    print(f"{name}: points with ratio >= {MIN_RATIO} within {MAX_LOSS} OOF AUC of the "
          f"scorecard: {', '.join(reached) or 'none'}; chosen: {data['chosen']}", flush=True)


def _f(v) -> str:
    return "n/a" if v is None else f"{v:.3f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=41)
    parser.add_argument("--taiwan-rows", type=int, default=30000)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--skip-taiwan", action="store_true")
    parser.add_argument("--skip-table", action="store_true")
    parser.add_argument("--out", type=Path, default=Path("bench-mitigate-flat"))
    args = parser.parse_args()
    if not args.skip_table:
        frame, spec = age_table(args.rows, args.seed)
        run("age-table", frame, spec, args.out / "age-table", args.repeats)
    if not args.skip_taiwan:
        frame, spec = taiwan(args.taiwan_rows)
        run("taiwan", frame, spec, args.out / "taiwan", args.repeats)


if __name__ == "__main__":
    main()
