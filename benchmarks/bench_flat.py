"""Flat tables: the scorecard against a logistic regression on WoE bins, same folds.

The done-when figure of the flat-table path: the ``WoEScorecard`` that
``creditscore train TABLE --model scorecard`` fits (monotone optimal bins,
IV selection, decorrelation, sign-constrained regression, calibration fitted
out of fold) must rank at least as well out of fold as the textbook
reference, a plain logistic regression on optbinning's default WoE bins of
every column (``creditscore.models._baseline``), under the very same
stratified folds and seed. Two tables, both read flat (no adapter):

- the UCI Taiwan credit-card table shipped inside the package (``creditscore.records.TAIWAN_DATA``)
  (30,000 rows, 23 columns; SEX, EDUCATION, MARRIAGE and AGE protected);
- a German-credit-like table of 1,000 rows and 20 mixed columns made by
  scikit-learn's ``make_classification`` (``tests/flat_table.py``), with text
  categories, missing values and a text label.

    .venv/bin/python benchmarks/bench_flat.py [--folds 5] [--repeats 1] [--taiwan-rows 30000]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

UCI = {"X1": "LIMIT_BAL", "X2": "SEX", "X3": "EDUCATION", "X4": "MARRIAGE", "X5": "AGE",
       **{f"X{6 + i}": f"PAY_{m}" for i, m in enumerate((0, 2, 3, 4, 5, 6))},
       **{f"X{12 + i}": f"BILL_AMT{i + 1}" for i in range(6)},
       **{f"X{18 + i}": f"PAY_AMT{i + 1}" for i in range(6)}, "Y": "default"}


def taiwan(rows: int):
    import pandas as pd

    from creditscore.records import TAIWAN_DATA

    frame = pd.read_parquet(TAIWAN_DATA).rename(columns=UCI)
    if rows < len(frame):
        frame = frame.sample(rows, random_state=0).reset_index(drop=True)
    return frame, dict(target="default", id_column="ID",
                       protected=["SEX", "EDUCATION", "MARRIAGE", "AGE"])


def generated():
    from flat_table import make_flat_table

    return make_flat_table(), dict(target="risk", positive="bad", id_column="application_id",
                                   protected=["age_in_years", "personal_status"])


def compare(name, frame, spec, folds, repeats):
    from creditscore.models import train_flat
    from creditscore.models._baseline import woe_logistic_oof
    from creditscore.models._flat import flat_labels
    from creditscore.models._oof import oof_summary

    target = spec.pop("target")
    start = time.perf_counter()
    result = train_flat(frame, target, "scorecard", folds=folds, repeats=repeats, n_boot=200,
                        **spec)
    card_s = time.perf_counter() - start
    known, y = flat_labels(frame, target, spec.get("positive"), name)
    X = result.schema.encode(frame.loc[known].reset_index(drop=True))
    start = time.perf_counter()
    base = woe_logistic_oof(X, y, categorical=result.schema.categorical, folds=folds,
                            repeats=repeats, seed=0)
    base_s = time.perf_counter() - start
    ref = oof_summary(y, base, n_boot=200)["auc"]
    card = result.out_of_fold["auc"]
    print(f"{name}: {len(y):,} rows, {len(result.schema.features)} model columns, "
          f"{folds} folds x {repeats}")
    print(f"  scorecard            OOF AUC {card['value']:.4f} "
          f"(95% CI {card['ci'][0]:.4f}-{card['ci'][1]:.4f})  [{card_s:.0f}s]")
    print(f"  LR on WoE bins       OOF AUC {ref['value']:.4f} "
          f"(95% CI {ref['ci'][0]:.4f}-{ref['ci'][1]:.4f})  [{base_s:.0f}s]")
    print(f"  difference           {card['value'] - ref['value']:+.4f} "
          f"({'at least' if card['value'] >= ref['value'] else 'BELOW'} the reference)")
    return card["value"], ref["value"]


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--folds", type=int, default=5)
    ap.add_argument("--repeats", type=int, default=1)
    ap.add_argument("--taiwan-rows", type=int, default=30_000)
    args = ap.parse_args(argv)
    out = {}
    for name, (frame, spec) in (("generated (make_classification)", generated()),
                                ("Taiwan (read flat)", taiwan(args.taiwan_rows))):
        out[name] = compare(name, frame, spec, args.folds, args.repeats)
    ok = all(c >= r for c, r in out.values())
    print("scorecard >= LR on WoE bins on every table:", "yes" if ok else "NO")


if __name__ == "__main__":
    main()
