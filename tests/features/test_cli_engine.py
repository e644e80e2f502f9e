"""The CLI's engine, URI and progress options on the local engine (Spark: tests/spark)."""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from creditscore.cli import app
from creditscore.features import build_feature_table

from .conftest import EDGES

DATES = ["2023-06-30", "2024-06-30"]


def _run(*args):
    result = CliRunner().invoke(app, list(args))
    return result


def _dates():
    return [x for d in DATES for x in ("--as-of", d)]


@pytest.mark.parametrize("flag", ["--progress", "--no-progress"])
def test_features_reads_and_writes_file_uris(tmp_path, flag):
    out = tmp_path / "f.parquet"
    done = _run("features", f"file://{EDGES}", *_dates(), "--out", f"file://{out}", flag)
    assert done.exit_code == 0, done.output
    assert pq.read_table(out).equals(build_feature_table(EDGES, DATES, output="arrow"))


@pytest.mark.parametrize("uri", ["s3a://bucket/records", "hdfs://nn:8020/records",
                                 "gs://bucket/records"])
def test_the_local_engine_refuses_a_remote_record_set_with_exit_2(tmp_path, uri):
    done = _run("features", uri, *_dates(), "--out", str(tmp_path / "f.parquet"))
    assert done.exit_code == 2
    assert uri in done.output and "--engine spark" in done.output
    assert not (tmp_path / "f.parquet").exists()


def test_the_local_engine_refuses_a_remote_output_and_spark_options(tmp_path):
    done = _run("features", str(EDGES), *_dates(), "--out", "s3a://bucket/f.parquet")
    assert done.exit_code == 2 and "s3a://" in done.output
    done = _run("features", str(EDGES), *_dates(), "--out", str(tmp_path / "f.parquet"),
                "--master", "spark://127.0.0.1:7077")
    assert done.exit_code == 2 and "--master is a setting of --engine spark" in done.output
    assert not (tmp_path / "f.parquet").exists()


def test_an_unknown_engine_names_the_choices(tmp_path):
    done = _run("features", str(EDGES), *_dates(), "--out", str(tmp_path / "f.parquet"),
                "--engine", "polars")
    assert done.exit_code == 2 and "choose duckdb or spark" in done.output
    done = _run("score", str(tmp_path), str(tmp_path / "f.parquet"), "--out",
                str(tmp_path / "s.parquet"), "--purpose", "x", "--engine", "polars")
    assert done.exit_code == 2 and "choose local or spark" in done.output


def test_score_and_validate_refuse_uris_on_the_local_engine(tmp_path):
    done = _run("score", str(tmp_path), "s3a://b/features", "--out", str(tmp_path / "s.pq"),
                "--purpose", "x")
    assert done.exit_code == 2 and "s3a://b/features" in done.output
    done = _run("validate", "gs://bucket/records")
    assert done.exit_code == 2 and "gs://bucket/records" in done.output


def test_validate_takes_a_file_uri(tmp_path):
    done = _run("validate", f"file://{EDGES}", "--no-progress")
    assert done.exit_code == 0, done.output
    assert "valid" in done.output


def test_an_engine_option_of_the_other_engine_is_refused_by_the_library(tmp_path):
    from creditscore._errors import InputError
    from creditscore.features import build_features

    with pytest.raises(InputError, match="write is a setting of the spark engine"):
        build_features(EDGES, DATES, tmp_path / "f.parquet", write="dataset")
    with pytest.raises(InputError, match="engine 'polars' is not available"):
        build_features(EDGES, DATES, tmp_path / "f.parquet", engine="polars")


def test_an_as_of_after_the_extraction_is_refused_with_exit_2(tmp_path):
    """label-edges was extracted 2024-12-31 (manifest.json); 2030 is not on record."""
    import subprocess
    import sys

    out = tmp_path / "f.parquet"
    done = subprocess.run([sys.executable, "-m", "creditscore", "features", str(EDGES),
                           "--as-of", "2023-06-30", "--as-of", "2030-01-01", "--out", str(out)],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "as_of 2030-01-01 is after the record set's extracted_on " \
        "2024-12-31" in lines[0] and "manifest.json" in lines[0]
    assert not out.exists()
    assert _run("features", str(EDGES), "--as-of", "2024-12-31", "--out",
                str(out)).exit_code == 0
