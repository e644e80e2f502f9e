"""Benchmark: features and labels on local Spark against the DuckDB engine.

For a synthetic record set of N subjects at 4 observation dates, wall time
of ``build_features`` (DuckDB) and ``build_features_spark`` (Spark local
mode), each in a fresh process, their ratio and the cost per input record.
Spark is timed twice in one session: ``cold`` (first query of a new JVM:
class loading, JIT, code generation) and ``warm`` (the same query again, the
steady state a long-lived cluster runs in); the session start is reported
apart. Wall time on a shared machine depends on what else runs, so CPU time
is reported too: DuckDB's process CPU time, and Spark's executor CPU time
summed over the tasks of the warm run (from Spark's event log), which is
what a cluster estimate scales. The two outputs are compared cell by cell
(floats within 1e-9).

    python benchmarks/bench_spark.py --subjects 20000 60000
    python benchmarks/bench_spark.py --subjects 600000 --master 'local[16]' \
        --driver-memory 24g --write dataset

Record sets come from ``creditscore.synth.generate`` (fair scenario, seed 0)
and are cached under ``--data``.
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

AS_OF = ("2022-06-30", "2022-12-31", "2023-06-30", "2023-12-31")


def ensure_records(data: Path, n: int) -> Path:
    record_dir = data / f"records-{n}"
    if not (record_dir / "manifest.json").is_file():
        from creditscore.synth import generate

        start = time.perf_counter()
        generate(record_dir, n_subjects=n, seed=0, scenario="fair")
        print(f"generated {record_dir} in {time.perf_counter() - start:.1f}s", flush=True)
    return record_dir


def count_records(record_dir: Path) -> int:
    """Records the features read (every model table; ``protected`` is not one)."""
    import pyarrow.parquet as pq

    from creditscore.records._contract import MODEL_TABLES

    return sum(pq.ParquetFile(record_dir / f"{t}.parquet").metadata.num_rows
               for t in MODEL_TABLES)


# ------------------------------------------------------------ child processes
def _cpu_seconds() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _child_duckdb(args) -> dict:
    from creditscore.features import build_features

    cpu, start = _cpu_seconds(), time.perf_counter()
    result = build_features(args.records, list(AS_OF), args.out, memory_limit=args.memory_limit)
    return {"seconds": time.perf_counter() - start, "cpu_seconds": _cpu_seconds() - cpu,
            "rows": result.n_rows}


def _child_spark(args) -> dict:
    import shutil

    from creditscore.features._spark import build_features_spark, spark_session

    events = Path(args.out).parent / f"spark-events-{os.getpid()}"
    events.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    conf = {"spark.ui.enabled": "false", "spark.driver.memory": args.driver_memory,
            "spark.driver.maxResultSize": "0",
            "spark.sql.shuffle.partitions": str(args.shuffle_partitions),
            "spark.local.dir": str(Path(args.out).parent / "spark-local"),
            "spark.eventLog.enabled": "true", "spark.eventLog.dir": str(events),
            "spark.eventLog.compress": "false"}
    spark = spark_session(args.master, conf=conf)
    spark.sparkContext.setLogLevel("ERROR")
    session = time.perf_counter() - start
    runs = []
    for i in range(args.repeat):
        out = Path(args.out) if i == args.repeat - 1 else Path(f"{args.out}.run{i}")
        spark.sparkContext.setJobGroup(f"run{i}", f"features run {i}")
        start = time.perf_counter()
        result = build_features_spark(args.records, list(AS_OF), out, spark=spark,
                                      write=args.write, cache=args.cache)
        runs.append(time.perf_counter() - start)
        if out != Path(args.out):
            shutil.rmtree(out) if out.is_dir() else out.unlink()
    spark.stop()
    tasks = task_seconds(events)
    shutil.rmtree(events, ignore_errors=True)
    # the fastest warm run (every run after the first); the cold one if there is no other
    best = min(range(1, len(runs)), key=runs.__getitem__) if len(runs) > 1 else 0
    return {"session_seconds": session, "cold_seconds": runs[0],
            "warm_seconds": runs[best] if len(runs) > 1 else None, "seconds": runs[best],
            "task_cpu_seconds": tasks.get(f"run{best}", {}).get("cpu", 0.0),
            "task_run_seconds": tasks.get(f"run{best}", {}).get("run", 0.0),
            "shuffle_bytes": tasks.get(f"run{best}", {}).get("shuffle", 0),
            "rows": result.n_rows}


def task_seconds(events: Path) -> dict:
    """Per job group: executor CPU and run time summed over tasks, from the event log."""
    stage_group, sums = {}, {}
    for path in events.rglob("*"):
        if not path.is_file() or path.name.startswith("."):
            continue
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                event = json.loads(line)
            except ValueError:
                continue
            if event.get("Event") == "SparkListenerJobStart":
                group = (event.get("Properties") or {}).get("spark.jobGroup.id")
                for stage in event.get("Stage IDs", []):
                    stage_group[stage] = group
            elif event.get("Event") == "SparkListenerTaskEnd":
                metrics = event.get("Task Metrics") or {}
                group = sums.setdefault(stage_group.get(event["Stage ID"]),
                                        {"cpu": 0.0, "run": 0.0, "shuffle": 0})
                group["cpu"] += metrics.get("Executor CPU Time", 0) / 1e9
                group["run"] += metrics.get("Executor Run Time", 0) / 1e3
                shuffle = metrics.get("Shuffle Write Metrics") or {}
                group["shuffle"] += shuffle.get("Shuffle Bytes Written", 0)
    return sums


def _run_child(side: str, args, record_dir: Path, out: Path) -> dict:
    cmd = [sys.executable, __file__, "--child", side, "--records", str(record_dir),
           "--out", str(out), "--master", args.master, "--driver-memory", args.driver_memory,
           "--shuffle-partitions", str(args.shuffle_partitions), "--repeat", str(args.repeat),
           "--memory-limit", args.memory_limit, "--write", args.write]
    if args.cache:
        cmd.append("--cache")
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise SystemExit(f"{side} failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# ----------------------------------------------------------------- checking
def compare(spark_out: Path, duckdb_out: Path) -> int:
    """Cells that differ (floats beyond 1e-9 relative; anything else at all)."""
    import numpy as np
    import pyarrow.parquet as pq

    from creditscore.features import FEATURES
    from creditscore.features._io import output_schema

    a = pq.read_table(spark_out).cast(output_schema(FEATURES))
    b = pq.read_table(duckdb_out)
    if a.num_rows != b.num_rows or a.column_names != b.column_names:
        return -1
    bad = 0
    for name in b.column_names:
        x, y = a[name], b[name]
        if x.type.equals(b.schema.field(name).type) and str(x.type) == "double":
            xv = x.to_numpy(zero_copy_only=False).astype(float)
            yv = y.to_numpy(zero_copy_only=False).astype(float)
            same = np.isclose(xv, yv, rtol=1e-9, atol=0.0) | (np.isnan(xv) & np.isnan(yv))
            bad += int((~same).sum())
        else:
            bad += int(not x.equals(y))
    return bad


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subjects", type=int, nargs="+", default=[20_000])
    parser.add_argument("--data", type=Path,
                        default=Path(tempfile.gettempdir()) / "creditscore-bench-spark")
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--driver-memory", default="6g")
    parser.add_argument("--shuffle-partitions", type=int, default=8)
    parser.add_argument("--memory-limit", default="2GB", help="DuckDB's memory cap")
    parser.add_argument("--repeat", type=int, default=2, help="Spark runs in one session")
    parser.add_argument("--write", choices=["file", "dataset"], default="file")
    parser.add_argument("--cache", action="store_true",
                        help="cache the shared intermediates first (two stages)")
    parser.add_argument("--no-check", action="store_true")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--child", choices=["duckdb", "spark"], help=argparse.SUPPRESS)
    parser.add_argument("--records", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        run = _child_duckdb if args.child == "duckdb" else _child_spark
        print(json.dumps(run(args)))
        return
    results = []
    for n in args.subjects:
        record_dir = ensure_records(args.data, n)
        records = count_records(record_dir)
        print(f"{n:,} subjects, {records:,} records, {len(AS_OF)} dates", flush=True)
        duck_out = args.data / f"out-duckdb-{n}.parquet"
        spark_out = args.data / f"out-spark-{n}{'.parquet' if args.write == 'file' else ''}"
        duck = _run_child("duckdb", args, record_dir, duck_out)
        us = 1e6 / records
        print(f"  duckdb  {duck['seconds']:8.1f}s wall  {duck['seconds'] * us:6.2f} us/record  "
              f"CPU {duck['cpu_seconds']:7.1f}s = {duck['cpu_seconds'] * us:6.2f} "
              "CPU-us/record", flush=True)
        spark = _run_child("spark", args, record_dir, spark_out)
        warm = spark["seconds"]
        print(f"  spark   {warm:8.1f}s wall  {warm * us:6.2f} us/record  task CPU "
              f"{spark['task_cpu_seconds']:7.1f}s = {spark['task_cpu_seconds'] * us:6.2f} "
              f"CPU-us/record (cold run {spark['cold_seconds']:.1f}s, session start "
              f"{spark['session_seconds']:.1f}s)", flush=True)
        print(f"  ratio spark/duckdb: wall {warm / duck['seconds']:.2f}x, CPU "
              f"{spark['task_cpu_seconds'] / duck['cpu_seconds']:.2f}x; Spark shuffled "
              f"{spark['shuffle_bytes'] / records:.0f} bytes/record", flush=True)
        row = {"subjects": n, "records": records, "dates": len(AS_OF), "rows": duck["rows"],
               "duckdb": duck, "spark": spark, "master": args.master, "cpus": os.cpu_count(),
               "load_average": os.getloadavg(),
               "spark_us_per_record": warm * us,
               "spark_cpu_us_per_record": spark["task_cpu_seconds"] * us,
               "duckdb_us_per_record": duck["seconds"] * us,
               "duckdb_cpu_us_per_record": duck["cpu_seconds"] * us,
               "ratio": warm / duck["seconds"]}
        if not args.no_check:
            row["differing_cells"] = compare(spark_out, duck_out)
            print(f"  cells differing: {row['differing_cells']}", flush=True)
        results.append(row)
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
