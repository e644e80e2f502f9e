"""A local Spark session for the Spark tests, and the cell-by-cell comparison of two tables.

The session is made once per test run (``local[2]``, two shuffle partitions,
no UI, UTC); every test that asks for it is skipped, with the reason, where
PySpark or a usable Java is missing. ``assert_identical`` is the definition
of "the same feature table" the Spark engine is held to.
"""

from __future__ import annotations

import datetime as dt
import json
import math

import pytest

#: settings of the test session: small and quiet (two shared cores)
TEST_CONF = {
    "spark.ui.enabled": "false",
    "spark.sql.shuffle.partitions": "2",
    "spark.default.parallelism": "2",
    "spark.driver.memory": "2g",
    "spark.sql.execution.arrow.pyspark.enabled": "true",
}


def _unavailable() -> str | None:
    """Why Spark cannot run here, or None."""
    try:
        import pyspark
    except ImportError:
        return "PySpark is not installed (pip install 'creditscore[spark]')"
    from creditscore._errors import InputError
    from creditscore.features._spark import find_java

    try:
        find_java(pyspark.__version__)
    except InputError as exc:
        return f"Spark cannot start: {exc}"
    return None


@pytest.fixture(scope="session", autouse=True)
def _private_sql_cache(tmp_path_factory):
    """Keep the compiled-query cache of the test run out of the user's home."""
    patch = pytest.MonkeyPatch()
    patch.setenv("CREDITSCORE_CACHE_DIR", str(tmp_path_factory.mktemp("sql-cache")))
    yield
    patch.undo()


@pytest.fixture(scope="session")
def spark(tmp_path_factory):
    """A local SparkSession (skips the test, naming what is missing, without PySpark or Java)."""
    reason = _unavailable()
    if reason:
        pytest.skip(reason)
    from creditscore.features._spark import spark_session

    warehouse = tmp_path_factory.mktemp("spark-warehouse")
    session = spark_session("local[2]", conf={**TEST_CONF,
                                              "spark.sql.warehouse.dir": str(warehouse)})
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def _same(a, b, rel: float) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, float) and isinstance(b, float):
        if math.isnan(a) or math.isnan(b):
            return math.isnan(a) and math.isnan(b)
        return math.isclose(a, b, rel_tol=rel, abs_tol=0.0)
    return type(a) is type(b) and a == b


def assert_identical(got, expected, rel: float = 1e-9) -> None:
    """Two Arrow feature tables are equal cell by cell.

    Same schema (names, order, types, metadata), same number of rows, and in
    each row the same keys and values: floats within ``rel`` relative
    tolerance, everything else (ids, dates, counts, labels, nulls) exactly.
    The message names the first differing cells with their subject and date.
    """
    assert got.schema.equals(expected.schema, check_metadata=True), (
        f"schemas differ:\n{got.schema}\nvs\n{expected.schema}")
    assert got.num_rows == expected.num_rows, f"{got.num_rows} rows vs {expected.num_rows}"
    keys = list(zip(expected["subject_id"].to_pylist(), expected["as_of"].to_pylist(),
                    strict=True))
    bad = []
    for name in expected.column_names:
        for i, (a, b) in enumerate(zip(got[name].to_pylist(), expected[name].to_pylist(),
                                       strict=True)):
            if not _same(a, b, rel):
                bad.append(f"{keys[i][0]} @ {keys[i][1]} {name}: spark {a!r}, duckdb {b!r}")
    assert not bad, f"{len(bad)} cells differ, first: " + "; ".join(bad[:8])


SCORING_DATES = ["2021-06-30", "2021-12-31", "2022-06-30", "2022-12-31", "2023-06-30",
                 "2023-12-31"]
TRAIN_UNTIL = dt.date(2022, 12, 31)


@pytest.fixture(scope="session")
def audited(tmp_path_factory):
    """(root, model_dir, out-of-time features): a small default_12m model with a passed audit."""
    root = tmp_path_factory.mktemp("spark-scoring")
    with pytest.MonkeyPatch.context() as patch:  # the audit's log entry stays in the sandbox
        patch.setenv("CREDITSCORE_AUDIT_LOG", str(root / "audit-log.jsonl"))
        return _train_and_audit(root)


def _train_and_audit(root):
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from creditscore.fairness import audit_model, record_verdict
    from creditscore.features import build_features
    from creditscore.models import load_model, train_model
    from creditscore.synth import generate

    generate(root / "records", n_subjects=1500, seed=7)
    build_features(root / "records", SCORING_DATES, root / "features.parquet")
    table = pq.read_table(root / "features.parquet")
    oot = root / "oot.parquet"
    pq.write_table(table.filter(pc.greater(table["as_of"], pa.scalar(TRAIN_UNTIL))), oot,
                   row_group_size=1000)  # several row groups: several Spark partitions
    model_dir = root / "model"
    train_model(root / "features.parquet", "default_12m", "lgbm", model_dir,
                train_until=TRAIN_UNTIL, seed=0, n_boot=0)
    result = audit_model(model_dir, oot, root / "records" / "protected.parquet",
                         root / "audit-report", proxies=False)
    if not result.passed:
        # the gate is another test's subject: this one needs a model the local path accepts
        h = load_model(model_dir).model_hash()
        record_verdict(model_dir, json.dumps({
            "passed": True, "model": h, "checks": [], "policy": {"sha256": "0" * 64},
            "created": "2024-01-01T00:00:00+00:00"}).encode(), model_hash=h)
    return root, model_dir, oot
