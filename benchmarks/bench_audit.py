"""The cost of ``creditscore audit`` beside the training time of the model it audits.

For each size, a synthetic world (``creditscore synth --seed``) gets features at four
dates (2021-12-31, 2022-06-30, 2022-12-31, 2023-12-31), a LightGBM ``breach_12m``
model is trained on the rows up to 2022-12-31 (``creditscore train``), and the model is
audited (``creditscore audit --seed 0``, the shipped policy: proxies, the record screen
with its repeated cross-fit, every report file) on every row of the four dates. Each
command runs in its own process; its wall time and peak resident memory come from
``os.wait4``. The figure to quote is audit time over training time (goal: at most 12)
and the audit's peak memory (goal: at most 3 GB); both are measured in one run, so
machine load moves both sides of the ratio together.

    .venv/bin/python benchmarks/bench_audit.py [--sizes 6000 60000] [--seed 8601]
        [--rows all|later] [--work DIR] [--out FILE.json]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

DATES = ("2021-12-31", "2022-06-30", "2022-12-31", "2023-12-31")
TRAIN_UNTIL = "2022-12-31"
TARGET = "breach_12m"


def run(args: list[str]) -> dict:
    """Run one command in its own process: wall seconds, CPU seconds, peak RSS (GB)."""
    began = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - began
    out, err = proc.stdout.read().decode(), proc.stderr.read().decode()
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 3):  # 3: the gate refused, which is an answer
        raise SystemExit(f"{' '.join(args)} exited {code}: {err.strip()[-500:]}")
    return {"seconds": round(wall, 2), "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 2),
            "peak_gb": round(usage.ru_maxrss / 1024**2, 3), "exit": code,
            "said": out.strip().splitlines()[-1] if out.strip() else ""}


def one_size(n: int, seed: int, work: Path, rows: str) -> dict:
    cli = [sys.executable, "-m", "creditscore"]
    world, feats = work / f"w{n}", work / f"f{n}.parquet"
    out: dict = {"subjects": n, "seed": seed, "rows": rows}
    if not feats.exists():
        out["synth"] = run([*cli, "synth", str(world), "--subjects", str(n), "--seed", str(seed)])
        dates = [a for d in DATES for a in ("--as-of", d)]
        out["features"] = run([*cli, "features", str(world), *dates, "--out", str(feats)])
    audited = feats
    if rows == "later":
        import pandas as pd

        frame = pd.read_parquet(feats)
        audited = work / f"f{n}-later.parquet"
        frame[pd.to_datetime(frame["as_of"]) > pd.Timestamp(TRAIN_UNTIL)].to_parquet(audited)
    model = work / f"m{n}"
    out["train"] = run([*cli, "train", str(feats), "--target", TARGET, "--model", "lgbm",
                        "--out", str(model), "--train-until", TRAIN_UNTIL])
    out["audit"] = run([*cli, "audit", str(model), str(audited), "--protected",
                        str(world / "protected.parquet"), "--out", str(work / f"r{n}"),
                        "--seed", "0"])
    out["audit_over_train"] = round(out["audit"]["seconds"] / out["train"]["seconds"], 2)
    out["audit_over_train_cpu"] = round(out["audit"]["cpu_seconds"]
                                        / out["train"]["cpu_seconds"], 2)
    return out


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", type=int, nargs="+", default=[6000, 60000])
    p.add_argument("--seed", type=int, default=8601, help="The worlds' synth seed.")
    p.add_argument("--rows", choices=("all", "later"), default="all",
                   help="Audit every row (default) or only those after the training dates.")
    p.add_argument("--work", type=Path, default=None,
                   help="Keep worlds and models here (a rerun reuses the features).")
    p.add_argument("--out", type=Path, default=None, help="Write the results as JSON.")
    args = p.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        work = args.work or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        results = []
        for n in args.sizes:
            r = one_size(n, args.seed, work, args.rows)
            results.append(r)
            print(f"{n:,} subjects: train {r['train']['seconds']} s "
                  f"(CPU {r['train']['cpu_seconds']} s, peak {r['train']['peak_gb']} GB); "
                  f"audit {r['audit']['seconds']} s (CPU {r['audit']['cpu_seconds']} s, "
                  f"peak {r['audit']['peak_gb']} GB, exit {r['audit']['exit']}): "
                  f"{r['audit_over_train']}x wall, {r['audit_over_train_cpu']}x CPU "
                  f"(goals: 12x, 3 GB)", flush=True)
            if args.out is not None:
                args.out.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
