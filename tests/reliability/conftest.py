"""Helpers of the reliability tests: the real CLI in a subprocess, and small worlds.

Every command runs as ``python -c "from creditscore.cli import main; main()" ...``
in a fresh process, so exit codes, stderr and the files left behind are the
ones a pipeline would see. The worlds are built once per session (in process,
with the audit log pointed into the session's temporary directory) and only
ever copied by the tests, never changed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

CLI = (sys.executable, "-c", "from creditscore.cli import main; main()")
#: semi-annual observation dates; labels are known up to 2023-12-31 (extracted 2024-12-31)
DATES = tuple(
    dt.date.fromisoformat(d)
    for d in ("2021-06-30", "2021-12-31", "2022-06-30", "2022-12-31", "2023-06-30", "2023-12-31")
)
TRAIN_UNTIL = dt.date(2022, 12, 31)
TABLE_NAMES = ("subjects", "contributions", "loans", "repayments", "public_records", "protected")


def run_cli(*args, cwd=None, env: dict | None = None, timeout: float = 600):
    """Run ``creditscore ARGS`` in a fresh interpreter; the CompletedProcess (text)."""
    return subprocess.run(
        [*CLI, *map(str, args)],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def start_cli(*args, cwd=None, env: dict | None = None) -> subprocess.Popen:
    """Start ``creditscore ARGS`` without waiting (for the kill tests)."""
    return subprocess.Popen(
        [*CLI, *map(str, args)],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def assert_refused(proc, *names: str, code: int = 2) -> str:
    """The run exited ``code`` with a short ``creditscore: error:`` message naming ``names``.

    No traceback; the first line is the error; at most a dozen short lines
    (``validate`` lists one line per problem after its headline).
    """
    err = proc.stderr
    assert proc.returncode == code, f"exit {proc.returncode}; stderr:\n{err[-3000:]}"
    assert "Traceback" not in err, err[-3000:]
    lines = err.strip().splitlines()
    assert lines and lines[0].startswith("creditscore: error: "), err[-3000:]
    assert len(lines) <= 12 and all(len(line) < 500 for line in lines), err[:3000]
    for name in names:
        assert name in err, f"{name!r} not named in:\n{err}"
    return err


def digest(path: Path) -> dict[str, str]:
    """sha256 of a file, or of every file under a directory (by relative path)."""
    path = Path(path)
    files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
    return {
        str(f.relative_to(path)) if path.is_dir() else f.name: hashlib.sha256(
            f.read_bytes()
        ).hexdigest()
        for f in files
    }


def copy_world(src: Path, dest: Path) -> Path:
    shutil.copytree(src, dest)
    return dest


def set_cell(file: Path, column: str, row: int, value, type_=None) -> None:
    """Rewrite one Parquet cell (1-based ``row``), keeping the column's type unless given."""
    table = pq.read_table(file)
    i = table.column_names.index(column)
    values = table.column(column).to_pylist()
    values[row - 1] = value
    typ = type_ or table.schema.field(i).type
    pq.write_table(table.set_column(i, pa.field(column, typ), pa.array(values, typ)), file)


def replicate_features(src: Path, n_rows: int, out: Path, row_group: int = 262_144) -> Path:
    """``n_rows`` feature rows cycled from ``src``, each with a new subject id ``R#########``."""
    base = pq.read_table(src)
    take = pa.array([i % base.num_rows for i in range(n_rows)], pa.int64())
    table = base.take(take)
    ids = pc.binary_join_element_wise(
        "R", pc.utf8_lpad(pc.cast(pa.array(range(n_rows), pa.int64()), pa.string()), 9, "0"), ""
    )
    table = table.set_column(table.column_names.index("subject_id"), "subject_id", ids)
    pq.write_table(table, out, row_group_size=row_group)
    return out


@pytest.fixture(scope="session")
def session_env(tmp_path_factory):
    """Point the audit log of session-scoped builds away from the working tree."""
    log = tmp_path_factory.mktemp("session-audit-log") / "creditscore-audit.jsonl"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("CREDITSCORE_AUDIT_LOG", str(log))
        yield log


@pytest.fixture(scope="session")
def world(tmp_path_factory, session_env) -> Path:
    """A valid synthetic record set of 2,000 subjects (fair scenario), Parquet."""
    from creditscore.synth import generate

    out = tmp_path_factory.mktemp("world") / "records"
    generate(out, n_subjects=2_000, seed=1, scenario="fair")
    return out


#: subjects of the small worlds that the hostile-input tests copy and break
SMALL_SUBJECTS = 400


@pytest.fixture(scope="session")
def small_world(tmp_path_factory, session_env) -> Path:
    """A valid record set of 400 subjects, Parquet (quick to copy and to validate)."""
    from creditscore.synth import generate

    out = tmp_path_factory.mktemp("small-world") / "records"
    generate(out, n_subjects=SMALL_SUBJECTS, seed=2, scenario="fair")
    return out


@pytest.fixture(scope="session")
def small_csv_world(tmp_path_factory, small_world) -> Path:
    """The same record set written as CSV files."""
    import pyarrow.csv as pcsv

    out = tmp_path_factory.mktemp("small-csv-world") / "records"
    out.mkdir()
    shutil.copy(small_world / "manifest.json", out / "manifest.json")
    for name in TABLE_NAMES:
        pcsv.write_csv(pq.read_table(small_world / f"{name}.parquet"), out / f"{name}.csv")
    return out


def lenient_policy(out: Path) -> Path:
    """The shipped gate policy with thresholds no model fails, and fewer bootstrap draws.

    These tests need *a* model with a passed audit, not a verdict on one: a
    fair-scenario model of 2,000 subjects can fail a check of a small
    intersection by chance, and the gate itself is tested in tests/fairness.
    """
    import yaml

    from creditscore import fairness

    policy = yaml.safe_load((Path(fairness.__file__).parent / "policy.yaml").read_text())
    for name, check in policy["checks"].items():  # the loosest thresholds a policy may set
        check["threshold"] = {"flag_rate_ratio": 0.01, "record_disparity": 10.0}.get(name, 0.5)
    policy["inference"]["n_boot"] = 50
    out.write_text(yaml.safe_dump(policy), encoding="utf-8")
    return out


@pytest.fixture(scope="session")
def audited(tmp_path_factory, world, session_env) -> SimpleNamespace:
    """Features of ``world``, a default_12m LightGBM model trained on them and its passed
    audit (under :func:`lenient_policy`)."""
    from creditscore.fairness import audit_model
    from creditscore.features import build_features
    from creditscore.models import train_model

    root = tmp_path_factory.mktemp("audited")
    policy = lenient_policy(root / "lenient-policy.yaml")
    features = root / "features.parquet"
    build_features(world, list(DATES), features)
    table = pq.read_table(features)
    oot = root / "features_oot.parquet"
    pq.write_table(table.filter(pc.greater(table["as_of"], pa.scalar(TRAIN_UNTIL))), oot)
    model_dir = root / "model"
    train_model(features, "default_12m", "lgbm", model_dir, train_until=TRAIN_UNTIL, seed=0)
    result = audit_model(
        model_dir, oot, world / "protected.parquet", root / "audit-report", policy=policy
    )
    assert result.passed, result.audit.reason
    return SimpleNamespace(
        features=features, oot=oot, model_dir=model_dir, root=root, policy=policy
    )
