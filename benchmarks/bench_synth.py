"""Benchmark: ``creditscore synth`` for N subjects: wall time, records/s, peak RSS.

The command runs in a fresh subprocess (the real entry point, as a user runs
it), so the peak resident memory reported is the generator's own, read from
``resource.getrusage(RUSAGE_CHILDREN)`` after it exits.

    python benchmarks/bench_synth.py 60000
    python benchmarks/bench_synth.py 1000000 --out /tmp/synth-1m --keep

Targets: 1,000,000 subjects in under 10 minutes and under 4 GB peak RSS on
two cores.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

COMMAND = "from creditscore.cli import main; main()"


def _size(directory: Path) -> int:
    return sum(p.stat().st_size for p in directory.rglob("*") if p.is_file())


def _rows(directory: Path) -> dict:
    import pyarrow.parquet as pq

    files = sorted(directory.glob("*.parquet"))
    return {p.stem: pq.ParquetFile(p).metadata.num_rows for p in files}


def run(subjects: int, out: Path, seed: int, scenario: str) -> dict:
    """Run ``creditscore synth`` once and measure it."""
    args = [
        sys.executable,
        "-c",
        COMMAND,
        "synth",
        str(out),
        "--subjects",
        str(subjects),
        "--seed",
        str(seed),
        "--scenario",
        scenario,
    ]
    began = time.perf_counter()
    done = subprocess.run(args, capture_output=True, text=True)
    seconds = time.perf_counter() - began
    if done.returncode != 0:
        raise SystemExit(f"bench_synth: synth failed ({done.returncode}):\n{done.stderr}")
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    rows = _rows(out)
    total = sum(rows.values())
    return {
        "subjects": subjects,
        "seconds": round(seconds, 2),
        "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 2),
        "records": total,
        "records_per_second": round(total / seconds),
        "records_per_subject": round(total / subjects, 1),
        "peak_rss_mb": round(usage.ru_maxrss / 1024),  # ru_maxrss is in KiB on Linux
        "disk_mb": round(_size(out) / 1e6, 1),
        "rows": rows,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("subjects", type=int, nargs="?", default=60_000)
    parser.add_argument("--out", type=Path, default=None, help="record set directory")
    parser.add_argument("--keep", action="store_true", help="keep the record set")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--scenario", default="fair")
    opts = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="bench-synth-"))
    out = opts.out or scratch / "records"
    try:
        result = run(opts.subjects, out, opts.seed, opts.scenario)
    finally:
        if not opts.keep:
            for path in (out, out.with_name(out.name + ".truth"), scratch):
                shutil.rmtree(path, ignore_errors=True)
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
