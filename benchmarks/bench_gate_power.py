"""Power and false alarms of the fairness gate against over-recorded public records.

For each seed, the ``fair`` world and the ``records-bias`` worlds of the same
seed over-recorded 1.5x, 2x, 3x, 4x, 8x and 16x (the same people and
behaviour, extra minority public records only) are generated, their
features built, a LightGBM model trained for each target on the rows up to
2022-12-31 (``creditscore.models.train_model``, defaults), and the model
audited on the later rows with the shipped policy (``run_audit``). A world is
*detected* when the audit fails with a failing gate check on ``ethnicity``
(the over-recorded attribute); the false-alarm rate is the share of fair
worlds whose audit fails at all, per model.

Cheap as honest statistics allow (2 shared cores): proxy detection is off
(it never fails the gate, so it cannot change a verdict); the record screen
does not depend on the model, so it runs once per world and is reused for
both targets (``run_audit(records=screen)``, which re-reads which families
each model uses); the over-recorded worlds get fewer seeds than the fair
ones, except 4x at 6,000 subjects (the target); 20,000 subjects get fewer
seeds than 6,000. The gate's bootstrap uses 200 replicates (the shipped
policy: 500; the intervals' standard errors, not their centre, depend on it),
and ``train_model``'s own evaluation intervals 50 (the gate never reads them).

    .venv/bin/python benchmarks/bench_gate_power.py [--workers 2] [--sizes 6000 20000]
        [--fair-seeds 20 5] [--seeds 5 2] [--target-seeds 20 2] [--seed0 7000] [--out FILE.json]

Prints one line per audited world as it goes, then the table: detection rate
per factor and size and target, false-alarm rate per size and target.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

import pandas as pd

FACTORS = (1.5, 2.0, 3.0, 4.0, 8.0, 16.0)
TARGETS = ("breach_12m", "default_12m")
#: the integration test's dates: models fit on the first three, the audit sees the last two
DATES = [dt.date(y, m, d) for y, m, d in (
    (2021, 12, 31), (2022, 6, 30), (2022, 12, 31), (2023, 6, 30), (2023, 12, 31))]
TRAIN_UNTIL = dt.date(2022, 12, 31)
RUN = ".venv/bin/python benchmarks/bench_gate_power.py"
SEED0 = 7_000
#: the shipped policy with a modest bootstrap (the verdict's intervals, 200 replicates)
POLICY = {"inference": {"ci_level": 0.95, "adjust": "bonferroni", "n_boot": 200}}
#: replicates of train_model's own evaluation intervals (AUC etc.; never read by the gate)
TRAIN_BOOT = 50  # seeds SEED0, SEED0 + 1, ...: none the package's tests or demo use


def _plain(v):
    """A JSON value: None for missing, Python scalars for numpy ones."""
    return None if pd.isna(v) else getattr(v, "item", lambda: v)()


#: the package's own world of issue 28 (``synth --subjects 4000 --seed 5``, its default
#: scenario), features at three year ends
OWN_DATES = [dt.date(2021, 12, 31), dt.date(2022, 12, 31), dt.date(2023, 12, 31)]


def _verdict(result) -> dict:
    failed = result.failed
    return {"passed": bool(result.passed),
            "ethnicity": bool((failed["attribute"] == "ethnicity").any()),
            "failed_attributes": sorted(set(failed["attribute"]))}


def one_world(n: int, seed: int, factor: float, audit_seeds=(0,), own: bool = False) -> dict:
    """Generate, build features, train both models, audit: one result per target.

    ``audit_seeds``: the audit runs once per seed (the first one's result is the world's);
    ``verdicts`` lists every seed's. ``own``: the package's own world (``synth`` defaults,
    ``OWN_DATES``) in place of a fair or over-recorded one.
    """
    from creditscore.fairness import run_audit, screen_features
    from creditscore.features import build_features
    from creditscore.models import train_model
    from creditscore.synth import generate

    began = time.perf_counter()
    phases = {}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        if own:
            generate(root / "w", n_subjects=n, seed=seed)
        else:
            scenario = "fair" if factor == 1.0 else "records-bias"
            generate(root / "w", n_subjects=n, seed=seed, scenario=scenario,
                     over_recording=None if factor == 1.0 else factor)
        phases["synth"] = time.perf_counter() - began
        build_features(root / "w", OWN_DATES if own else DATES, root / "f.parquet")
        phases["features"] = time.perf_counter() - began - sum(phases.values())
        frame = pd.read_parquet(root / "f.parquet")
        rows = frame[pd.to_datetime(frame["as_of"]) > pd.Timestamp(TRAIN_UNTIL)]
        prot = pd.read_parquet(root / "w" / "protected.parquet")
        screens = {}
        for s in audit_seeds:
            screens[s] = screen_features(rows, prot, policy=POLICY, random_state=s)
        screen = screens[audit_seeds[0]]
        phases["screen"] = time.perf_counter() - began - sum(phases.values())
        out = {"n": n, "seed": seed, "factor": factor, "own": own, "targets": {}}
        for target in TARGETS:
            train_model(frame, target, out=root / target, train_until=TRAIN_UNTIL, seed=0,
                        n_boot=TRAIN_BOOT)
            phases[f"train {target}"] = time.perf_counter() - began - sum(phases.values())
            runs = {s: run_audit(root / target, rows, prot, policy=POLICY, proxies=False,
                                 records=screens[s], random_state=s) for s in audit_seeds}
            result = runs[audit_seeds[0]]
            phases[f"audit {target}"] = time.perf_counter() - began - sum(phases.values())
            failed = result.failed
            checks = result.checks
            reported = checks[(checks["status"] == "fail") & ~checks["gate"].astype(bool)]
            out["targets"][target] = {
                "passed": bool(result.passed),
                "ethnicity": bool((failed["attribute"] == "ethnicity").any()),
                "failed_metrics": sorted(set(failed["metric"])),
                "failed_attributes": sorted(set(failed["attribute"])),
                "failed_checks": [
                    {k: _plain(v) for k, v in row.items()}
                    for row in failed.reindex(columns=[
                        "attribute", "metric", "group", "family", "value", "ci_low",
                        "ci_high", "n"]).to_dict("records")],
                "verdicts": {str(s): _verdict(r) for s, r in runs.items()},
                # reported-only checks that would have failed had they gated
                "reported_failures": [
                    {k: _plain(v) for k, v in row.items()}
                    for row in reported.reindex(columns=[
                        "attribute", "metric", "group", "value", "ci_low", "ci_high"]).to_dict(
                        "records")],
            }
        ratio = screen.to_frame().query("attribute == 'ethnicity' and group == 'minority' and "
                                        "family == 'public_records'")["ratio"]
        out["minority_public_records_ratio"] = None if ratio.empty else float(ratio.iloc[0])
    out["seconds"] = round(time.perf_counter() - began, 1)
    out["phases"] = {k: round(v, 1) for k, v in phases.items()}
    return out


def plan(args) -> list[tuple[int, int, float]]:
    """Every (subjects, seed, factor), by size then seed: a cut-short run stays balanced."""
    jobs = []
    for i, n in enumerate(args.sizes):
        k = {1.0: args.fair_seeds[i], 4.0: args.target_seeds[i]}
        size = [(n, args.seed0 + s, f) for f in (1.0, *FACTORS)
                for s in range(k.get(f, args.seeds[i]))]
        jobs += sorted(size, key=lambda j: (j[1], j[2]))
    return jobs


def curve_rows(results: list[dict]) -> list[dict]:
    frame = pd.DataFrame([{"n": r["n"], "factor": r["factor"], "target": t, **v,
                           "ratio": r["minority_public_records_ratio"]}
                          for r in results if not r.get("own")
                          for t, v in r["targets"].items()])
    return [{"subjects": int(n), "factor": float(f), "target": t, "worlds": int(len(g)),
             "detected": round(float(g["ethnicity"].mean()), 4),
             "failed": round(float((~g["passed"]).mean()), 4),
             "median_ratio": round(float(g["ratio"].median()), 3)}
            for (n, f, t), g in frame.groupby(["n", "factor", "target"])]


def write_curve(path: Path, results: list[dict], command: str) -> None:
    import yaml

    body = {"command": command,
            "measured": dt.date.today().isoformat(), "rows": curve_rows(results)}
    path.write_text("# Written by benchmarks/bench_gate_power.py --curve; do not edit by hand.\n"
                    + yaml.safe_dump(body, sort_keys=False), encoding="utf-8")


def changed(verdicts: dict) -> bool:
    """Whether a world's verdict (passed; failed on ethnicity) differs between audit seeds."""
    return len({(v["passed"], v["ethnicity"]) for v in verdicts.values()}) > 1


def stability(results: list[dict]) -> str:
    """Per world kind and target: worlds whose verdict changed with the audit's seed."""
    rows = [{"kind": "own seed-5 world" if r.get("own") else
             ("fair" if r["factor"] == 1.0 else f"{r['factor']:g}x"), "n": r["n"],
             "target": t, "seeds": len(v.get("verdicts", {})),
             "changed": changed(v.get("verdicts", {})),
             "verdicts": " ".join("pass" if x["passed"] else "FAIL"
                                  for x in v.get("verdicts", {}).values())}
            for r in results for t, v in r["targets"].items()]
    frame = pd.DataFrame(rows)
    frame = frame[frame["seeds"] > 1]
    if frame.empty:
        return ""
    lines = ["| world | subjects | target | worlds | audit seeds | verdict changed with the seed "
             "| verdicts |", "|---|---|---|---|---|---|---|"]
    for (kind, n, t), g in frame.groupby(["kind", "n", "target"]):
        lines.append(f"| {kind} | {n:,} | {t} | {len(g)} | {g['seeds'].iloc[0]} | "
                     f"{int(g['changed'].sum())} | {'; '.join(g['verdicts'])} |")
    return "\n".join(lines)


def summarise(results: list[dict]) -> str:
    lines = ["| subjects | factor | target | worlds | detected (fails on ethnicity) | "
             "failed at all | median minority public-record ratio |",
             "|---|---|---|---|---|---|---|"]
    for r in curve_rows(results):
        label = "1 (fair)" if r["factor"] == 1.0 else f"{r['factor']:g}"
        lines.append(f"| {r['subjects']:,} | {label} | {r['target']} | {r['worlds']} | "
                     f"{r['detected']:.0%} | {r['failed']:.0%} | {r['median_ratio']:.2f} |")
    return "\n".join(lines)


def main(argv=None) -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--sizes", type=int, nargs="+", default=[6000, 20000])
    p.add_argument("--fair-seeds", type=int, nargs="+", default=[20, 5])
    p.add_argument("--seeds", type=int, nargs="+", default=[5, 2])
    p.add_argument("--target-seeds", type=int, nargs="+", default=[20, 2])
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--audit-seeds", type=int, nargs="+", default=[0],
                   help="Audit every world once per seed (verdict stability; the first "
                   "seed's verdict is the world's).")
    p.add_argument("--n-boot", type=int, default=POLICY["inference"]["n_boot"],
                   help="Bootstrap replicates of the outcome checks (the shipped policy: 500).")
    p.add_argument("--own", action="store_true",
                   help="Also the package's own world: synth --subjects 4000 --seed 5, "
                   "features at three year ends.")
    p.add_argument("--seed0", type=int, default=SEED0,
                   help="First seed (fresh seeds for a re-measurement after a rule change).")
    p.add_argument("--out", type=Path, default=None, help="Write every result as JSON.")
    p.add_argument("--curve", type=Path, default=None,
                   help="Write the curve (YAML) the fairness report shows, e.g. "
                   "src/creditscore/fairness/gate_power.yaml.")
    p.add_argument("--from-json", type=Path, default=None,
                   help="Summarise (and --curve) results written by --out, running nothing.")
    p.add_argument("--command", default=None,
                   help="With --from-json: the command that produced the results (for --curve).")
    args = p.parse_args(argv)
    if args.from_json is not None:
        results = json.loads(args.from_json.read_text())
        print(summarise(results))
        print(stability(results))
        if args.curve is not None:
            write_curve(args.curve, results, args.command or f"{RUN} --out {args.from_json}")
        return
    POLICY["inference"]["n_boot"] = args.n_boot
    jobs = [(*job, tuple(args.audit_seeds), False) for job in plan(args)]
    if args.own:
        jobs.insert(0, (4000, 5, 1.0, tuple(args.audit_seeds), True))
    print(f"{len(jobs)} worlds ({args.workers} worker(s))", flush=True)
    results, began = [], time.perf_counter()
    with ProcessPoolExecutor(max_workers=args.workers) as pool:
        futures = [pool.submit(one_world, *job) for job in jobs]
        for done in as_completed(futures):
            r = done.result()
            results.append(r)
            verdicts = " ".join(
                f"{t}=" + "/".join("pass" if x["passed"] else "FAIL:" + ",".join(
                    x["failed_attributes"]) for x in v["verdicts"].values())
                for t, v in r["targets"].items())
            print(f"[{len(results)}/{len(jobs)} {time.perf_counter() - began:.0f}s] n={r['n']} "
                  f"seed={r['seed']} x{r['factor']:g} ratio={r['minority_public_records_ratio']} "
                  f"{verdicts} ({r['seconds']}s: {r['phases']})", flush=True)
            if args.out is not None:
                args.out.write_text(json.dumps(results, indent=1))
    print(summarise(results))
    print(stability(results))
    if args.curve is not None:
        write_curve(args.curve, results, " ".join([RUN, *sys.argv[1:]]))


if __name__ == "__main__":
    main()
