"""One subject's answer at any scale: `explain` and a 10-subject rescore (issue 31).

For each population size, a synthetic record set of the package's generator (fair
scenario) is written in the shipped layout (subject-clustered, 128Ki-row groups) and,
with ``--unsorted``, rewritten in an unsorted one (every table's rows shuffled, written
as 1Mi-row groups, the layout of an export that ignores subjects). On each:

- ``creditscore explain RECORD_DIR SUBJECT --model MODEL --as-of DATE --purpose ...``
  for one person with loans and public records;
- ``creditscore features RECORD_DIR --subjects 10.txt --as-of DATE --out F`` then
  ``creditscore score MODEL F --out S --purpose ...`` (the rescore after a dispute).

Each command runs as a subprocess of its own measuring parent, so
``getrusage(RUSAGE_CHILDREN).ru_maxrss`` is that command's peak resident memory, and the
wall time includes Python's start and imports, as a user sees it. The model is one
default_12m LightGBM model trained and audited (it must pass) on the smallest world; its
features are the same at every size. Results go to ``--json``; quote ratios from one run.

    .venv/bin/python benchmarks/bench_explain.py [--sizes 6000 60000 600000] [--unsorted]
        [--repeat 3] [--work DIR] [--seed 7] [--json FILE]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_score import build_model  # noqa: E402

#: one command in a measuring parent of its own: wall, CPU (user + system) and peak RSS
MEASURE = """
import json, resource, subprocess, sys, time
start = time.perf_counter()
done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
wall = time.perf_counter() - start
use = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"rc": done.returncode, "wall": wall, "cpu": use.ru_utime + use.ru_stime,
                  "peak_kib": use.ru_maxrss, "stderr": done.stderr[-2000:]}))
"""

CLI = (sys.executable, "-c", "from creditscore.cli import main; main()")
AS_OF = "2023-12-31"


def run(cmd: list[str], log: Path) -> dict:
    """Wall time and peak RSS of one command, in a measuring parent of its own."""
    env = {**os.environ, "CREDITSCORE_AUDIT_LOG": str(log)}
    done = subprocess.run([sys.executable, "-c", MEASURE, *cmd], capture_output=True,
                          text=True, env=env, check=True)
    out = json.loads(done.stdout)
    if out["rc"] != 0:
        sys.exit(f"{' '.join(cmd[3:])} failed: {out['stderr']}")
    return {"wall_s": round(out["wall"], 3), "cpu_s": round(out["cpu"], 3),
            "peak_mb": round(out["peak_kib"] / 1024, 1)}


def world(work: Path, subjects: int, seed: int) -> Path:
    from creditscore.synth import generate

    records = work / f"records-{subjects}"
    if not (records / "manifest.json").is_file():
        t0 = time.perf_counter()
        generate(records, n_subjects=subjects, seed=seed, scenario="fair")
        print(f"  synth {subjects:,}: {time.perf_counter() - t0:.0f}s", flush=True)
    return records


def unsorted(records: Path, seed: int) -> Path:
    """The same records, every table's rows shuffled, in 1Mi-row groups."""
    import duckdb

    out = records.with_name(records.name + "-unsorted")
    if (out / "manifest.json").is_file():
        return out
    tmp = out.with_name(out.name + ".tmp")
    tmp.mkdir(parents=True, exist_ok=True)
    with duckdb.connect() as con:
        # a bounded sort that spills: at 600,000 subjects an unbounded one took 19.6 GB
        con.execute("SET memory_limit = '2GB'")
        con.execute(f"SET temp_directory = '{tmp}.spill'")
        con.execute("SET threads = 1")
        con.execute(f"SELECT setseed({(seed % 1000) / 1000})")
        for f in sorted(records.glob("*.parquet")):
            con.execute(f"COPY (SELECT * FROM read_parquet('{f}') ORDER BY random()) TO "
                        f"'{tmp / f.name}' (FORMAT parquet, ROW_GROUP_SIZE 1048576)")
    (tmp / "manifest.json").write_bytes((records / "manifest.json").read_bytes())
    tmp.rename(out)
    shutil.rmtree(f"{tmp}.spill", ignore_errors=True)
    return out


def subjects_with_records(records: Path, n: int) -> list[str]:
    """People with a loan and a public record (a letter with something to say)."""
    import duckdb

    with duckdb.connect() as con:
        rows = con.execute(
            f"SELECT DISTINCT l.subject_id FROM read_parquet('{records / 'loans.parquet'}') l "
            f"JOIN read_parquet('{records / 'public_records.parquet'}') p USING (subject_id) "
            f"ORDER BY hash(l.subject_id) LIMIT {n}").fetchall()
    return [r[0] for r in rows]


def measure_set(records: Path, model: Path, work: Path, repeat: int) -> dict:
    ids = subjects_with_records(records, 10)
    (work / "ten.txt").write_text("\n".join(ids) + "\n")
    log = work / "audit-log.jsonl"
    explain = [*CLI, "explain", str(records), ids[0], "--model", str(model), "--as-of", AS_OF,
               "--purpose", "benchmark: the subject asked for reasons",
               "--out", str(work / "letters"), "--no-progress"]
    features = [*CLI, "features", str(records), "--subjects", str(work / "ten.txt"),
                "--as-of", AS_OF, "--out", str(work / "ten.parquet"), "--no-progress"]
    score = [*CLI, "score", str(model), str(work / "ten.parquet"),
             "--out", str(work / "ten-scores.parquet"),
             "--purpose", "benchmark: rescore after a dispute"]
    out = {"explain": [], "features_10": [], "score_10": []}
    for _ in range(repeat):
        out["explain"].append(run(explain, log))
        out["features_10"].append(run(features, log))
        out["score_10"].append(run(score, log))
    return {k: {"wall_s": min(r["wall_s"] for r in v), "cpu_s": min(r["cpu_s"] for r in v),
                "peak_mb": max(r["peak_mb"] for r in v), "runs": v} for k, v in out.items()}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[6000, 60000, 600000])
    ap.add_argument("--unsorted", action="store_true", help="also an unsorted layout")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--work", type=Path, default=Path("/tmp/creditscore-bench-explain"))
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    model_dir = args.work / "model-world"
    if not (model_dir / "model" / "model.json").is_file():
        model_dir.mkdir(exist_ok=True)
        build_model(model_dir, min(args.sizes), args.seed)
    model = model_dir / "model"
    results = {"date": dt.date.today().isoformat(), "load_before": os.getloadavg(),
               "sizes": {}}
    for size in sorted(args.sizes):
        records = world(args.work, size, args.seed + 1)
        layouts = {"shipped": records}
        if args.unsorted:
            layouts["unsorted"] = unsorted(records, args.seed)
        for name, path in layouts.items():
            work = args.work / f"run-{size}-{name}"
            work.mkdir(exist_ok=True)
            got = measure_set(path, model, work, args.repeat)
            results["sizes"].setdefault(str(size), {})[name] = got
            print(f"{size:>8,} {name:<9} " + " | ".join(
                f"{what} {got[what]['wall_s']:6.2f}s wall {got[what]['cpu_s']:6.2f}s CPU "
                f"{got[what]['peak_mb']:5.0f} MB" for what in got),
                f"load {os.getloadavg()[0]:.1f}", flush=True)
    results["load_after"] = os.getloadavg()
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
