"""Scoring on Spark equals local scoring and refuses an unaudited model as it does.

One small default model is trained on a synthetic world's features and
passes its fairness audit (the fair scenario); Spark scores its
out-of-time rows in both shipping modes and both write modes, and the
result is the local ``score_features`` result row by row.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from creditscore._errors import InputError, PolicyRefusal
from creditscore.scoring import OUTPUT_COLUMNS, score_features

pytestmark = pytest.mark.spark
DATES = ["2021-06-30", "2021-12-31", "2022-06-30", "2022-12-31", "2023-06-30", "2023-12-31"]
TRAIN_UNTIL = dt.date(2022, 12, 31)
REASONS = [f"reason_{i}" for i in range(1, 5)]


def _log(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


@pytest.mark.parametrize(("ship", "write"), [("path", "file"), ("files", "dataset")])
def test_spark_scores_equal_local_scores(spark, audited, tmp_path, _isolated_audit_log, ship,
                                         write):
    from creditscore.spark_scoring import score_features_spark

    _, model_dir, oot = audited
    local = score_features(model_dir, oot, tmp_path / "local.parquet", purpose="test")
    out = tmp_path / ("spark.parquet" if write == "file" else "spark")
    result = score_features_spark(model_dir, oot, out, purpose="test", spark=spark, ship=ship,
                                  write=write)
    a = pq.read_table(tmp_path / "local.parquet")
    b = pq.read_table(out)
    assert b.column_names == list(OUTPUT_COLUMNS) and result.n_rows == local.n_rows == a.num_rows
    if write == "file":  # the file names its model as the local path's does (supervise)
        named = {k: v for k, v in b.schema.metadata.items() if k.startswith(b"creditscore.")}
        assert named == {k: v for k, v in a.schema.metadata.items()
                         if k.startswith(b"creditscore.")} and len(named) == 3
    assert b.schema.types == a.schema.types
    a, b = a.to_pandas(), b.to_pandas()
    # the input's row order, and every key, tier and reason as the local path gives them
    pd.testing.assert_frame_equal(a[["subject_id", "as_of", "tier", *REASONS]],
                                  b[["subject_id", "as_of", "tier", *REASONS]])
    np.testing.assert_allclose(b["pd"], a["pd"], rtol=1e-9, atol=0)
    np.testing.assert_allclose(b["score"], a["score"], rtol=1e-9, atol=0)
    assert a["reason_1"].notna().any() and a["tier"].nunique() > 1
    entries = _log(_isolated_audit_log)
    assert [e["action"] for e in entries] == ["score", "score"]
    assert entries[1]["engine"] == "spark" and entries[1]["n_subjects"] == result.n_rows
    assert entries[1]["input_fingerprint"] == entries[0]["input_fingerprint"]
    assert entries[1]["model_hash"] == entries[0]["model_hash"] == result.model_hash


def test_a_spark_dataframe_is_scored_too(spark, audited, tmp_path):
    from creditscore.spark_scoring import score_features_spark

    _, model_dir, oot = audited
    df = spark.read.parquet(str(oot)).limit(50)
    result = score_features_spark(model_dir, df, tmp_path / "s.parquet", purpose="test",
                                  spark=spark)
    assert result.n_rows == 50 and pq.read_table(tmp_path / "s.parquet").num_rows == 50


class _NoSpark:
    """A session that fails on any use: the refusal must come before Spark is touched."""

    def __getattr__(self, name):
        raise AssertionError(f"Spark was used ({name}) before the audit check")


def test_an_unaudited_model_is_refused_before_any_spark_job(audited, tmp_path,
                                                            _isolated_audit_log):
    from creditscore.spark_scoring import score_features_spark

    _, model_dir, oot = audited
    unaudited = tmp_path / "model"
    shutil.copytree(model_dir, unaudited, ignore=shutil.ignore_patterns("audit"))
    out = tmp_path / "scores.parquet"
    with pytest.raises(PolicyRefusal, match="no fairness audit of this model") as info:
        score_features_spark(unaudited, oot, out, purpose="test", spark=_NoSpark())
    assert info.value.exit_code == 3
    with pytest.raises(PolicyRefusal) as local:
        score_features(unaudited, oot, tmp_path / "local.parquet", purpose="test")
    assert str(local.value) == str(info.value)  # exactly the local refusal
    assert not out.exists() and not list(tmp_path.glob(".*"))
    assert _log(_isolated_audit_log) == []


def test_a_model_changed_after_its_audit_is_refused(audited, tmp_path):
    from creditscore.spark_scoring import score_features_spark

    _, model_dir, oot = audited
    changed = tmp_path / "model"
    shutil.copytree(model_dir, changed)
    with open(changed / "model.json", "a", encoding="utf-8") as f:
        f.write(" ")
    with pytest.raises(PolicyRefusal, match="changed after the fairness audit"):
        score_features_spark(changed, oot, tmp_path / "s.parquet", purpose="test",
                             spark=_NoSpark())


def test_a_purpose_is_required_and_inputs_are_checked(spark, audited, tmp_path):
    from creditscore.spark_scoring import score_features_spark

    _, model_dir, oot = audited
    with pytest.raises(InputError, match="a purpose is required"):
        score_features_spark(model_dir, oot, tmp_path / "s.parquet", purpose=" ",
                             spark=_NoSpark())
    with pytest.raises(InputError, match="no such feature file"):
        score_features_spark(model_dir, tmp_path / "none.parquet", tmp_path / "s.parquet",
                             purpose="test", spark=spark)
    thin = spark.read.parquet(str(oot)).drop("ln_open_count")
    with pytest.raises(InputError, match="missing column"):
        score_features_spark(model_dir, thin, tmp_path / "s.parquet", purpose="test",
                             spark=spark)
    assert not (tmp_path / "s.parquet").exists()
