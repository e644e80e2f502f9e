"""Scoring a million subjects in bounded memory: wall time, rows/s and peak RSS.

Builds a synthetic world (fair scenario, 20,000 subjects by default), its
point-in-time features, a default_12m LightGBM model and its pre-use audit
under the shipped gate policy (the audit must pass: only an audited model
scores). The latest date's feature rows are then replicated with pyarrow to
N rows, each with a new subject id, and ``creditscore score`` runs as a
subprocess on them with ``--batch-size``. Every run has its own measuring
parent, so ``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss`` is the peak
resident memory of that one scoring process. Memory bounded by the batch
size shows as the same peak for 500,000 and 1,000,000 rows at one batch
size, and a lower one at a smaller batch size.

    .venv/bin/python benchmarks/bench_score.py [--subjects 20000] [--rows 500000 1000000]
        [--batch-sizes 200000 50000] [--work DIR] [--seed 7]

It also checks that the progress bar shows when stderr is a terminal (a
pseudo-terminal here): scoring draws a Rich progress bar only then.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import pty
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CLI = (sys.executable, "-c", "from creditscore.cli import main; main()")
DATES = tuple(
    dt.date.fromisoformat(d)
    for d in (
        "2021-06-30",
        "2021-12-31",
        "2022-06-30",
        "2022-12-31",
        "2023-06-30",
        "2023-12-31",
        "2024-12-31",
    )
)
TRAIN_UNTIL = dt.date(2022, 12, 31)
MEASURE = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
wall = time.perf_counter() - start
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
print(json.dumps({"rc": done.returncode, "wall": wall, "peak_kib": peak,
                  "stdout": done.stdout, "stderr": done.stderr[-2000:]}))
"""


def build_model(work: Path, subjects: int, seed: int) -> tuple[Path, Path]:
    """An audited model and the latest date's feature rows of a fresh world."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from creditscore.fairness import audit_model
    from creditscore.features import build_features
    from creditscore.models import train_model
    from creditscore.synth import generate

    t0 = time.perf_counter()
    records, features = work / "records", work / "features.parquet"
    generate(records, n_subjects=subjects, seed=seed, scenario="fair")
    build_features(records, list(DATES), features)
    table = pq.read_table(features)
    latest = pc.max(table["as_of"])
    oot = table.filter(
        pc.and_(pc.greater(table["as_of"], pa.scalar(TRAIN_UNTIL)), pc.less(table["as_of"], latest))
    )
    pq.write_table(oot, work / "features_oot.parquet")
    pq.write_table(table.filter(pc.equal(table["as_of"], latest)), work / "latest.parquet")
    model = work / "model"
    train_model(features, "default_12m", "lgbm", model, train_until=TRAIN_UNTIL, seed=seed)
    audit = audit_model(
        model, work / "features_oot.parquet", records / "protected.parquet", work / "audit"
    )
    if not audit.passed:
        sys.exit(f"the audit failed ({audit.audit.reason}); try another --seed")
    print(
        f"world of {subjects:,} subjects, features, model and passed audit in "
        f"{time.perf_counter() - t0:.0f}s"
    )
    return model, work / "latest.parquet"


def replicate(src: Path, n_rows: int, out: Path, row_group: int = 262_144) -> Path:
    """``n_rows`` rows cycled from ``src``, each with a new subject id ``B#########``."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    base = pq.read_table(src)
    table = base.take(pa.array(np.arange(n_rows) % base.num_rows))
    numbers = pc.cast(pa.array(np.arange(n_rows)), pa.string())
    ids = pc.binary_join_element_wise("B", pc.utf8_lpad(numbers, 9, "0"), "")
    table = table.set_column(table.column_names.index("subject_id"), "subject_id", ids)
    pq.write_table(table, out, row_group_size=row_group)
    return out


def measure(model: Path, features: Path, batch: int, out: Path, log: Path) -> dict:
    cmd = [
        *CLI,
        "score",
        str(model),
        str(features),
        "--out",
        str(out),
        "--purpose",
        "load benchmark",
        "--batch-size",
        str(batch),
    ]
    env = {**os.environ, "CREDITSCORE_AUDIT_LOG": str(log)}
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, *cmd], capture_output=True, text=True, env=env, check=True
    )
    result = json.loads(done.stdout)
    if result["rc"] != 0:
        sys.exit(f"score failed: {result['stderr']}")
    inner = re.search(r"in ([0-9.]+)s", result["stdout"])
    result["scoring_s"] = float(inner.group(1)) if inner else float("nan")
    return result


def progress_bar_shows(model: Path, features: Path, out: Path, log: Path) -> bool:
    """Run ``score`` with stderr on a pseudo-terminal and look for the bar."""
    primary, secondary = pty.openpty()
    env = {**os.environ, "CREDITSCORE_AUDIT_LOG": str(log), "COLUMNS": "100"}
    proc = subprocess.Popen(
        [
            *CLI,
            "score",
            str(model),
            str(features),
            "--out",
            str(out),
            "--purpose",
            "progress check",
            "--batch-size",
            "20000",
        ],
        stdout=subprocess.DEVNULL,
        stderr=secondary,
        env=env,
    )
    os.close(secondary)
    seen = b""
    while True:
        try:
            chunk = os.read(primary, 4096)
        except OSError:  # the terminal closed: the run is over
            break
        if not chunk:
            break
        seen += chunk
    proc.wait()
    os.close(primary)
    return proc.returncode == 0 and b"scoring" in seen and "━".encode() in seen


def main(argv=None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subjects", type=int, default=20_000)
    parser.add_argument("--rows", type=int, nargs="+", default=[500_000, 1_000_000])
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[200_000, 50_000])
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--work", type=Path, default=None)
    args = parser.parse_args(argv)

    work = args.work or Path(tempfile.mkdtemp(prefix="bench-score-"))
    work.mkdir(parents=True, exist_ok=True)
    log = work / "creditscore-audit.jsonl"
    os.environ["CREDITSCORE_AUDIT_LOG"] = str(log)
    model, latest = build_model(work, args.subjects, args.seed)
    shows = progress_bar_shows(model, latest, work / "p.parquet", log)
    print(f"progress bar on a terminal (stderr): {shows}")
    rows = []
    print(f"{'rows':>10} {'batch':>8} {'wall s':>8} {'score s':>8} {'rows/s':>9} {'peak RSS':>9}")
    for n in sorted(args.rows):
        features = replicate(latest, n, work / f"features_{n}.parquet")
        for batch in args.batch_sizes:
            r = measure(model, features, batch, work / f"scores_{n}_{batch}.parquet", log)
            row = {
                "rows": n,
                "batch": batch,
                "wall_s": r["wall"],
                "scoring_s": r["scoring_s"],
                "rows_per_s": n / r["wall"],
                "peak_rss_mib": r["peak_kib"] / 1024,
            }
            rows.append(row)
            print(
                f"{n:>10,} {batch:>8,} {row['wall_s']:>8.1f} {row['scoring_s']:>8.1f} "
                f"{row['rows_per_s']:>9,.0f} {row['peak_rss_mib']:>7,.0f}MiB",
                flush=True,
            )
        features.unlink()
    (work / "bench_score.json").write_text(json.dumps(rows, indent=2))
    print(f"results in {work / 'bench_score.json'}")
    return rows


if __name__ == "__main__":
    main()
