"""Benchmark: point-in-time features vs. one hand-written DuckDB aggregate query.

For a synthetic record set of N subjects at 4 observation dates, time and
peak memory (RSS) of ``creditscore.features.build_features`` against the
yardstick: one plain DuckDB SQL query computing count / mean / max / sum
aggregates over the same tables joined to the same 4 dates, written to
Parquet. Each side runs in a fresh subprocess so that peak RSS is its own.

    python benchmarks/bench_features.py --subjects 60000
    python benchmarks/bench_features.py --subjects 600000 --memory-limit 4GB
    python benchmarks/bench_features.py --floor   # also time the payment groups alone

``--floor`` adds a third side to every pair: only the engine's first stage, the
contributions any feature or label reads summed into payment groups
(``_engine.needed_contributions``, ``_visibility.prepare_contributions``: the
same expressions as the feature query's first stage), materialised in memory.
The point-in-time rule needs that stage before any relation can be joined to
the dates, so its share of the yardstick shows how much of the 2x budget is
left for the rest of the catalogue.

The record set comes from ``creditscore.synth.generate`` when that is
available, else from the small vectorised generator below (``--own-generator``
forces it). Records are cached under ``--data`` between runs.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

AS_OF = ("2022-06-30", "2022-12-31", "2023-06-30", "2023-12-31")
EXTRACTED_ON = dt.date(2024, 12, 31)
EPOCH = dt.date(1970, 1, 1)

def _cmms(alias: str, columns) -> str:
    """count / mean / max / sum of every numeric column: what deep feature synthesis computes."""
    out = [f"count(*) AS {alias}_n"]
    for c in columns:
        out += [f"{f}({alias}.{c}) AS {alias}_{c}_{f}" for f in ("avg", "max", "sum")]
    return ", ".join(out)


BASELINE_SQL = f"""
COPY (
WITH d AS (SELECT CAST(unnest({{dates}}) AS DATE) AS as_of),
c AS (
  SELECT c.subject_id, d.as_of, {_cmms("c", ["contribution_base", "amount_due", "amount_paid"])}
  FROM read_parquet('{{dir}}/contributions.parquet') c JOIN d ON c.due_on <= d.as_of
  GROUP BY ALL),
l AS (
  SELECT l.subject_id, d.as_of, {_cmms("l", ["principal", "term_months"])}
  FROM read_parquet('{{dir}}/loans.parquet') l JOIN d ON l.opened_on <= d.as_of
  GROUP BY ALL),
r AS (
  SELECT l.subject_id, d.as_of, {_cmms("r", ["amount_due", "amount_paid"])}
  FROM read_parquet('{{dir}}/repayments.parquet') r
  JOIN read_parquet('{{dir}}/loans.parquet') l USING (loan_id)
  JOIN d ON r.due_on <= d.as_of
  GROUP BY ALL),
p AS (
  SELECT p.subject_id, d.as_of, {_cmms("p", ["amount"])}
  FROM read_parquet('{{dir}}/public_records.parquet') p JOIN d ON p.recorded_on <= d.as_of
  GROUP BY ALL)
SELECT s.subject_id, d.as_of, c.* EXCLUDE (subject_id, as_of), l.* EXCLUDE (subject_id, as_of),
       r.* EXCLUDE (subject_id, as_of), p.* EXCLUDE (subject_id, as_of)
FROM read_parquet('{{dir}}/subjects.parquet') s CROSS JOIN d
LEFT JOIN c USING (subject_id, as_of) LEFT JOIN l USING (subject_id, as_of)
LEFT JOIN r USING (subject_id, as_of) LEFT JOIN p USING (subject_id, as_of)
ORDER BY as_of, subject_id
) TO '{{out}}' (FORMAT parquet)
"""


# ------------------------------------------------------------------ generator
def _month_start_fast(idx):
    import numpy as np

    return np.asarray(idx, dtype="int64").astype("datetime64[M]").astype("datetime64[D]").astype(
        "int64")


def _dates(days):
    import numpy as np
    import pyarrow as pa

    days = np.asarray(days, dtype="int64")
    return pa.array(days.astype("int32"), type=pa.int32()).cast(pa.date32())


def _nullable_dates(days, mask):
    import pyarrow as pa

    arr = _dates(days)
    return pa.array(arr.to_numpy(zero_copy_only=False), type=pa.date32(), mask=mask)


BLOCK = 50_000


def generate_own(out_dir: Path, n: int, seed: int = 0) -> int:
    """A quick vectorised record set of the contract (benchmark only), in blocks of subjects."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    from creditscore.records._contract import MODEL_TABLES, arrow_schema

    rng = np.random.default_rng(seed)
    out_dir.mkdir(parents=True, exist_ok=True)
    writers = {t: pq.ParquetWriter(out_dir / f"{t}.parquet", arrow_schema(t))
               for t in MODEL_TABLES}
    counts = dict.fromkeys(MODEL_TABLES, 0)

    def write(name, cols):
        table = pa.table(cols).cast(arrow_schema(name))
        writers[name].write_table(table, row_group_size=1_000_000)
        counts[name] += table.num_rows

    try:
        for start in range(0, n, BLOCK):
            _block(rng, start, min(BLOCK, n - start), counts, write)
    finally:
        for w in writers.values():
            w.close()
    (out_dir / "manifest.json").write_text(json.dumps({"extracted_on": str(EXTRACTED_ON)}))
    return sum(counts.values())


def _block(rng, offset: int, n: int, counts: dict, write) -> None:
    import numpy as np
    import pyarrow as pa

    ids = np.array([f"S{offset + i:08d}" for i in range(n)], dtype=object)
    risk = rng.beta(1.2, 12, n)
    first, last = (2018 - 1970) * 12, (2024 - 1970) * 12 + 10
    write("subjects", {"subject_id": ids})

    # contributions: a covered span of months, 3-5 insurance types each month
    start = rng.integers(first, first + 48, n)
    months = last - start + 1
    subj = np.repeat(np.arange(n), months)
    midx = np.repeat(start, months) + (np.arange(months.sum()) - np.repeat(np.cumsum(months)
                                                                           - months, months))
    keep = rng.random(len(subj)) > 0.08  # gaps
    subj, midx = subj[keep], midx[keep]
    # one payment per subject and month covers every insurance type of that month
    late = rng.random(len(subj)) < risk[subj] * 0.6
    days_late = np.where(late, rng.geometric(0.04, len(subj)), -rng.integers(0, 10, len(subj)))
    unpaid_m = rng.random(len(subj)) < risk[subj] * 0.02
    fm_m = rng.random(len(subj)) < 0.002
    rep = rng.integers(4, 6, n)[subj]
    csub = np.repeat(subj, rep)
    cm = np.repeat(midx, rep)
    ctype = np.arange(len(csub)) - np.repeat(np.cumsum(rep) - rep, rep)
    types = np.array(["pension", "medical", "unemployment", "work_injury", "maternity"])
    self_paid = rng.random(n) < 0.2
    emp_a, emp_b = rng.integers(0, 20000, n), rng.integers(0, 20000, n)
    switch = rng.integers(first, last + 24, n)
    emp = np.where(cm >= switch[csub], emp_b[csub], emp_a[csub])
    employer = np.array([f"E{e:05d}" for e in range(20000)], dtype=object)[emp]
    employer = pa.array(employer, mask=self_paid[csub])
    base = np.round(rng.lognormal(8.6, 0.4, n)[csub] * (1 + 0.003 * (cm - first)), 2)
    rate = np.array([0.08, 0.02, 0.005, 0.004, 0.003])[ctype]
    period = _month_start_fast(cm)
    due = _month_start_fast(cm + 1) + 14
    paid = due + np.repeat(days_late, rep)
    unpaid = (paid > (EXTRACTED_ON - EPOCH).days) | np.repeat(unpaid_m, rep)
    amount = np.round(base * rate, 2)
    write("contributions", {
        "subject_id": ids[csub], "insurance_type": types[ctype], "period": _dates(period),
        "employer_id": employer, "contribution_base": base, "amount_due": amount,
        "due_on": _dates(due), "amount_paid": np.where(unpaid, 0.0, amount),
        "paid_on": _nullable_dates(paid, unpaid),
        "force_majeure": np.repeat(fm_m, rep),
    })
    del csub, cm, ctype, employer, base, period, due, paid, unpaid, amount

    # loans and their monthly instalments / statements
    nloans = rng.poisson(1.6, n)
    lsub = np.repeat(np.arange(n), nloans)
    m = len(lsub)
    products = np.array(["mortgage", "consumer", "credit_card", "auto", "business", "microloan"])
    prod = rng.choice(6, m, p=[0.08, 0.3, 0.35, 0.1, 0.05, 0.12])
    lender = np.where(prod == 5, "microlender",
                      np.where(rng.random(m) < 0.25, "consumer_finance", "bank"))
    open_m = rng.integers(first - 24, last - 2, m)
    term = np.where(prod == 2, 0, rng.choice([12, 24, 36, 60], m))
    card_end = np.where(rng.random(m) < 0.3, open_m + rng.integers(6, 60, m), last + 100)
    end_m = np.where(prod == 2, card_end, open_m + term)
    closed = end_m <= last
    principal = np.round(np.where(prod == 2, rng.choice([5e3, 1e4, 3e4, 6e4], m),
                                  rng.lognormal(10, 0.8, m)), 2)
    loan_ids = np.array([f"L{counts['loans'] + i:09d}" for i in range(m)], dtype=object)
    opened = _month_start_fast(open_m) + rng.integers(0, 28, m)
    write("loans", {
        "loan_id": loan_ids, "subject_id": ids[lsub], "product": products[prod],
        "lender_type": lender, "opened_on": _dates(opened), "principal": principal,
        "term_months": pa.array(term, mask=prod == 2),
        "closed_on": _nullable_dates(_month_start_fast(np.minimum(end_m, last)) + 20, ~closed),
    })
    k = np.clip(np.minimum(end_m, last) - open_m, 0, None)
    rl = np.repeat(np.arange(m), k)
    rk = np.arange(len(rl)) - np.repeat(np.cumsum(k) - k, k) + 1
    rdue = opened[rl] + 30 * rk
    card = prod[rl] == 2
    amt = np.where(card, np.round(principal[rl] * rng.beta(2, 3, len(rl)), 2),
                   np.round(principal[rl] / np.maximum(term[rl], 1) * 1.05, 2))
    r = risk[lsub[rl]]
    rlate = rng.random(len(rl)) < r * 0.8
    rdays = np.where(rlate, rng.geometric(0.03, len(rl)), -rng.integers(0, 5, len(rl)))
    rpaid = rdue + rdays
    runpaid = (rpaid > (EXTRACTED_ON - EPOCH).days) | (rng.random(len(rl)) < r * 0.03)
    share = np.where(card & runpaid, rng.random(len(rl)), 0.0)
    write("repayments", {
        "loan_id": loan_ids[rl], "due_on": _dates(rdue), "amount_due": amt,
        "amount_paid": np.where(runpaid, np.round(amt * share, 2), amt),
        "paid_on": _nullable_dates(rpaid, runpaid),
        "force_majeure": rng.random(len(rl)) < 0.002,
    })
    del rl, rk, rdue, card, amt, r, rlate, rdays, rpaid, runpaid, share

    # public records
    npr = rng.poisson(risk * 1.2)
    psub = np.repeat(np.arange(n), npr)
    q = len(psub)
    ptypes = np.array(["civil_judgment", "enforcement_default", "tax_arrears",
                       "administrative_penalty", "benefit_fraud"])
    ptype = rng.choice(5, q, p=[0.3, 0.2, 0.2, 0.25, 0.05])
    sev = np.array(["general", "serious", "general", "minor", "serious"])[ptype]
    occurred = rng.integers((dt.date(2016, 1, 1) - EPOCH).days, (EXTRACTED_ON - EPOCH).days - 60,
                            q)
    recorded = occurred + rng.integers(0, 60, q)
    resolved = recorded + rng.integers(10, 900, q)
    unresolved = (resolved > (EXTRACTED_ON - EPOCH).days) | (rng.random(q) < 0.3)
    disputed = rng.random(q) < 0.05
    dopen = recorded + rng.integers(1, 100, q)
    dclose = dopen + rng.integers(10, 200, q)
    dclosed = disputed & (dclose <= (EXTRACTED_ON - EPOCH).days)
    write("public_records", {
        "record_id": np.array([f"P{counts['public_records'] + i:09d}" for i in range(q)],
                              dtype=object),
        "subject_id": ids[psub], "record_type": ptypes[ptype], "severity": sev,
        "occurred_on": _dates(occurred), "recorded_on": _dates(recorded),
        "amount": np.round(rng.lognormal(8, 1, q), 2),
        "resolved_on": _nullable_dates(resolved, unresolved),
        "force_majeure": rng.random(q) < 0.01,
        "dispute_opened_on": _nullable_dates(dopen, ~disputed),
        "dispute_closed_on": _nullable_dates(dclose, ~dclosed),
        "dispute_upheld": pa.array(rng.random(q) < 0.3, mask=~dclosed),
    })


def ensure_records(data: Path, n: int, own: bool) -> Path:
    record_dir = data / f"records-{n}{'-own' if own else ''}"
    if (record_dir / "manifest.json").is_file():
        return record_dir
    start = time.perf_counter()
    generate = None
    if not own:
        try:
            from creditscore.synth import generate
        except ImportError:
            generate = None
    if generate is not None:
        generate(record_dir, n_subjects=n, seed=0, scenario="fair")
    else:
        generate_own(record_dir, n)
    print(f"generated {record_dir} in {time.perf_counter() - start:.1f}s", flush=True)
    return record_dir


# ------------------------------------------------------------------ measuring
def _child(args) -> None:
    """Run one side in this (fresh) process and print a JSON line with time and peak RSS."""
    start = time.perf_counter()
    if args.child == "features":
        from creditscore.features import build_features

        result = build_features(args.records, list(AS_OF), args.out,
                                memory_limit=args.memory_limit, threads=args.threads)
        rows = result.n_rows
    elif args.child == "groups":
        rows = _payment_groups(args)
    else:
        import duckdb

        con = duckdb.connect(config={"memory_limit": args.memory_limit,
                                     "threads": args.threads or os.cpu_count()})
        dates = "[" + ", ".join(f"'{d}'" for d in AS_OF) + "]"
        con.execute(BASELINE_SQL.format(dates=dates, dir=args.records, out=args.out))
        rows = con.execute(f"SELECT count(*) FROM '{args.out}'").fetchone()[0]
    seconds = time.perf_counter() - start
    print(json.dumps({"side": args.child, "seconds": seconds, "rows": rows,
                      "cpu_seconds": _cpu_seconds(), "peak_rss_gb": _peak_rss_kb() / 1024**2}))


def _groups_sql() -> str:
    """The engine's payment groups of the contributions as DuckDB SQL.

    The same expressions as the feature query's first stage: the contributions
    any feature or label reads (``needed_contributions``), summed into groups.
    Compiled in the parent, so the timed child pays no Ibis import or compile
    (the feature side reads its query from the disk cache).
    """
    import ibis

    from creditscore.features._engine import _input_tables, needed_contributions
    from creditscore.features._visibility import prepare_contributions
    from creditscore.records import load_catalogue

    tables, dates = _input_tables()
    expr = prepare_contributions(needed_contributions(tables["contributions"], dates),
                                 load_catalogue())
    return str(ibis.to_sql(expr, dialect="duckdb"))


def _payment_groups(args) -> int:
    """Materialise the payment groups (SQL from ``--sql``) in memory; their row count."""
    from creditscore.features._engine import DATES_TABLE
    from creditscore.features._io import connect, read_record_set, resolve_extracted_on
    from creditscore.features._visibility import dates_frame

    con = connect(args.memory_limit, args.threads)
    read_record_set(con, args.records)
    day = [dt.date.fromisoformat(d) for d in AS_OF]
    con.register(DATES_TABLE, dates_frame(day, resolve_extracted_on(con, args.records)))
    con.execute(f"CREATE TEMP TABLE groups AS {args.sql.read_text()}")
    return con.execute("SELECT count(*) FROM groups").fetchone()[0]


def _cpu_seconds() -> float:
    """CPU time of this process so far, every thread (less sensitive to a busy machine)."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _peak_rss_kb() -> int:
    """This process's peak resident set (VmHWM: unlike ru_maxrss, not inherited across exec)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _run(side: str, record_dir: Path, out: Path, args) -> dict:
    cmd = [sys.executable, __file__, "--child", side, "--records", str(record_dir),
           "--out", str(out), "--memory-limit", args.memory_limit]
    if args.threads:
        cmd += ["--threads", str(args.threads)]
    if side == "groups":
        cmd += ["--sql", str(args.data / "groups.sql")]
    done = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subjects", type=int, default=60_000)
    parser.add_argument("--data", type=Path,
                        default=Path(tempfile.gettempdir()) / "creditscore-bench")
    parser.add_argument("--own-generator", action="store_true")
    parser.add_argument("--memory-limit", default="2GB")
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--repeat", type=int, default=5, help="interleaved pairs")
    parser.add_argument("--floor", action="store_true",
                        help="also time the payment-group stage alone (see above)")
    parser.add_argument("--child", choices=["features", "baseline", "groups"],
                        help=argparse.SUPPRESS)
    parser.add_argument("--records", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--sql", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args)
        return
    record_dir = ensure_records(args.data, args.subjects, args.own_generator)
    n_records = _count_records(record_dir)
    print(f"{args.subjects:,} subjects, {n_records:,} records, {len(AS_OF)} dates", flush=True)
    print(f"one-time compile of the feature query: {_warm_query_cache():.1f}s "
          "(cached on disk, not in the timings below)", flush=True)
    if args.floor:
        (args.data / "groups.sql").write_text(_groups_sql(), encoding="utf-8")
    results = {"baseline": [], "features": [], "groups": []}
    pairs, cpu_pairs = [], []
    for i in range(args.repeat):
        # interleaved, and the order alternates: a noisy neighbour hits both sides alike
        order = ("baseline", "features") if i % 2 == 0 else ("features", "baseline")
        order += ("groups",) if args.floor else ()
        for side in order:
            res = _run(side, record_dir, args.data / f"out-{side}.parquet", args)
            results[side].append(res)
            print(f"  {side:9s} {res['seconds']:7.1f}s  {res['rows'] / res['seconds']:>10,.0f} "
                  f"rows/s  CPU {res['cpu_seconds']:6.1f}s  peak RSS {res['peak_rss_gb']:.2f} GB",
                  flush=True)
        pairs.append(results["features"][-1]["seconds"] / results["baseline"][-1]["seconds"])
        cpu_pairs.append(results["features"][-1]["cpu_seconds"]
                         / results["baseline"][-1]["cpu_seconds"])
        print(f"  ratio of this pair: {pairs[-1]:.2f}x wall, {cpu_pairs[-1]:.2f}x CPU  "
              f"(load average {os.getloadavg()[0]:.1f})", flush=True)
        if args.floor:
            groups, base = results["groups"][-1], results["baseline"][-1]
            print(f"  payment groups alone: {groups['seconds'] / base['seconds']:.2f}x the "
                  f"yardstick wall, {groups['cpu_seconds'] / base['cpu_seconds']:.2f}x CPU "
                  f"({groups['rows']:,} groups)", flush=True)
    median = {k: statistics.median(r["seconds"] for r in v) for k, v in results.items() if v}
    peak = max(r["peak_rss_gb"] for r in results["features"])
    print(f"median of {args.repeat} pairs: baseline {median['baseline']:.2f}s, features "
          f"{median['features']:.2f}s; ratio features / baseline (median of the pairs): "
          f"{statistics.median(pairs):.2f}x (goal <= 2x); CPU time: "
          f"{statistics.median(cpu_pairs):.2f}x; features peak RSS {peak:.2f} GB")


def _warm_query_cache() -> float:
    """Compile the feature query once, so the timed runs read it from the disk cache."""
    from creditscore.features import FEATURES
    from creditscore.features._engine import compile_sql
    from creditscore.records import load_catalogue

    start = time.perf_counter()
    compile_sql(load_catalogue(), FEATURES)
    return time.perf_counter() - start


def _count_records(record_dir: Path) -> int:
    import pyarrow.parquet as pq

    return sum(pq.ParquetFile(p).metadata.num_rows for p in record_dir.glob("*.parquet"))


if __name__ == "__main__":
    main()
