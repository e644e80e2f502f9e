"""Benchmark: what moving raw records through Spark costs, before any feature is computed.

A design question for the Spark engine (issue 15): could Spark only distribute
the records (by subject) and each task run the DuckDB engine on its share?
That needs every record moved to a Python worker, so this measures, on the
warm second run of one session, Spark's executor CPU (event log) and the
Python workers' CPU (an accumulator) of three ways of handing records to
``mapInArrow``:

``scan``    contributions read and passed to Python as they lie (no shuffle);
``plain``   contributions repartitioned by ``subject_id`` first;
``struct``  contributions, repayments (with their loan's subject) and loans in
            one union of per-table structs, repartitioned by subject (what a
            per-subject DuckDB task would need).

    python benchmarks/bench_spark_transfer.py --records DIR --mode scan plain struct

Compare with the DuckDB engine's CPU for the whole build (``bench_spark.py``).
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
import time
from pathlib import Path


def _frames(spark, records: Path, mode: str):
    from pyspark.sql import functions as F

    c = spark.read.parquet(str(records / "contributions.parquet"))
    if mode == "scan":
        return c
    if mode == "plain":
        return c.repartition(int(spark.conf.get("spark.sql.shuffle.partitions")), "subject_id")
    loans = spark.read.parquet(str(records / "loans.parquet"))
    r = spark.read.parquet(str(records / "repayments.parquet"))
    r = r.join(F.broadcast(loans.select("loan_id", "subject_id")), "loan_id")
    tables = {"c": c, "r": r, "l": loans}
    structs = {k: F.struct(*df.columns) for k, df in tables.items()}
    types = {k: tables[k].select(structs[k].alias(k)).schema[k].dataType for k in tables}
    union = None
    for key, df in tables.items():
        cols = [F.col("subject_id").alias("_k")]
        cols += [(structs[k] if k == key else F.lit(None).cast(types[k])).alias(k) for k in tables]
        part = df.select(*cols)
        union = part if union is None else union.unionByName(part)
    return union.repartition(int(spark.conf.get("spark.sql.shuffle.partitions")), "_k")


def run(records: Path, mode: str, master: str, partitions: int) -> dict:
    from bench_spark import task_seconds

    from creditscore.features._spark import spark_session

    events = Path(tempfile.mkdtemp(prefix="cs-transfer-events-"))
    conf = {"spark.ui.enabled": "false", "spark.driver.memory": "6g",
            "spark.sql.shuffle.partitions": str(partitions), "spark.eventLog.enabled": "true",
            "spark.eventLog.dir": str(events), "spark.eventLog.compress": "false"}
    spark = spark_session(master, conf=conf)
    spark.sparkContext.setLogLevel("ERROR")
    python_cpu = spark.sparkContext.accumulator(0.0)

    def collect(batches):
        import pyarrow as pa

        start = time.process_time()
        rows = sum(b.num_rows for b in batches)
        python_cpu.add(time.process_time() - start)
        yield pa.RecordBatch.from_pydict({"n": [rows]})

    try:
        for group in ("cold", "warm"):
            python_cpu.value = 0.0
            spark.sparkContext.setJobGroup(group, mode)
            start = time.perf_counter()
            rows = _frames(spark, records, mode).mapInArrow(collect, "n long").groupBy().sum(
                "n").collect()[0][0]
            seconds = time.perf_counter() - start
    finally:
        spark.stop()
    result = {"mode": mode, "rows": rows, "warm_seconds": round(seconds, 2),
              "jvm_task_cpu": round(task_seconds(events)["warm"]["cpu"], 2),
              "python_cpu": round(python_cpu.value, 2)}
    shutil.rmtree(events, ignore_errors=True)
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=Path, required=True)
    parser.add_argument("--mode", nargs="+", choices=["scan", "plain", "struct"],
                        default=["scan", "plain", "struct"])
    parser.add_argument("--master", default="local[2]")
    parser.add_argument("--shuffle-partitions", type=int, default=8)
    args = parser.parse_args(argv)
    for mode in args.mode:
        print(json.dumps(run(args.records, mode, args.master, args.shuffle_partitions)),
              flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
