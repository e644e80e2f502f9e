"""The features benchmark runs end to end, and its ``--floor`` side counts real payment groups."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import duckdb

BENCH = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_features.py"


def _bench():
    spec = importlib.util.spec_from_file_location("bench_features", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_floor_side_counts_the_payment_groups(tmp_path, capsys):
    bench = _bench()
    bench.main(["--subjects", "300", "--own-generator", "--repeat", "1", "--threads", "1",
                "--data", str(tmp_path), "--floor"])
    out = capsys.readouterr().out
    assert re.search(r"ratio of this pair: [\d.]+x wall", out)
    groups = int(re.search(r"\(([\d,]+) groups\)", out).group(1).replace(",", ""))

    records = tmp_path / "records-300-own" / "contributions.parquet"
    keys = "subject_id, period, employer_id, due_on, paid_on, force_majeure"
    last = max(bench.AS_OF)
    con = duckdb.connect()
    distinct = f"SELECT count(*) FROM (SELECT DISTINCT {keys} FROM '{records}'"
    every = con.execute(distinct + ")").fetchone()
    due = con.execute(distinct + f" WHERE due_on <= DATE '{last}')").fetchone()
    # every group due by the last date is read; later ones only when a label may need them
    assert due[0] <= groups <= every[0]
    assert groups > 0
