"""The in-memory API of the notebooks: records to audited scores without a file.

Notebook 01's steps (records, features, a model trained out of time, the
audit, scores with reasons) run on objects in memory: a ``RecordSet`` or a
dict of tables in, a DataFrame of features out, a model from
``train_model(..., out=None)`` audited by ``run_audit``, whose verdict is bound
to its hash when it is saved. The walk runs in a child process under an audit
hook that records every write-like operation Python makes (open for writing,
mkdir, rename, remove, temporary files), from an empty working directory with
its own empty temporary directory: it must record none (compile caches under
``__pycache__`` aside) and leave both empty.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import textwrap

import pandas as pd
import pytest

from creditscore._errors import InputError, PolicyRefusal
from creditscore.features import build_feature_table
from creditscore.records import read_records
from creditscore.synth import generate

DATES = [dt.date(2021, 12, 31), dt.date(2022, 6, 30), dt.date(2022, 12, 31),
         dt.date(2023, 6, 30), dt.date(2023, 12, 31)]
TRAIN_UNTIL = dt.date(2022, 6, 30)

WALK = textwrap.dedent('''
    import datetime as dt, json, os, sys, warnings
    import numpy as np, pandas as pd
    # every module the walk uses, imported before the hook: importing may fill caches
    from creditscore.explain import ReasonCoder
    from creditscore.fairness import run_audit
    from creditscore.features import build_feature_table
    from creditscore.models import train_model, UnsavedModel
    from creditscore.records import read_records, validate_records
    import lightgbm, matplotlib.figure, sklearn.metrics, duckdb, ibis  # noqa: F401

    WRITES = {"os.mkdir", "os.rename", "os.replace", "os.remove", "os.rmdir", "os.truncate",
              "os.symlink", "os.link", "os.chmod", "os.utime", "shutil.copyfile",
              "shutil.copytree", "shutil.move", "shutil.rmtree", "tempfile.mkstemp",
              "tempfile.mkdtemp", "os.mkfifo", "os.chown"}
    events = []

    def hook(event, args):
        if event == "open":
            path, mode, flags = args
            if (isinstance(mode, str) and any(c in mode for c in "wax+")) or (
                    mode is None and isinstance(flags, int)
                    and flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND)):
                events.append([event, str(path)])
        elif event in WRITES:
            events.append([event, str(args[0]) if args else ""])

    records_dir, dates, until = sys.argv[1], sys.argv[2].split(","), sys.argv[3]
    rs = read_records(records_dir)  # step 1: the record set, read once
    sys.addaudithook(hook)
    report = validate_records(rs)
    assert report.ok, report.summary()
    features = build_feature_table(rs, dates)  # step 2: a DataFrame
    assert isinstance(features, pd.DataFrame)
    result = train_model(features, "default_12m", "lgbm", train_until=until, seed=0,
                         n_boot=20)  # step 3: out=None, nothing written
    oot = features[pd.to_datetime(features["as_of"]) > pd.Timestamp(until)]
    audit = run_audit(result, oot, rs.to_pandas("protected"))
    model = UnsavedModel(result.model, getattr(result.model, "_creditscore_saving"))
    latest = features[pd.to_datetime(features["as_of"]) == pd.Timestamp(dates[-1])]
    scores = model.score_frame(latest)  # step 4: PD, score, tier and reasons
    reasons = ReasonCoder().fit(model).reasons(latest[model.feature_names])
    print(json.dumps({"events": events, "passed": bool(audit.passed),
                      "audited": audit.model_hash, "hash": model.model_hash(),
                      "rows": len(features), "scored": len(scores),
                      "with_reason": int(reasons["reason_1"].notna().sum()),
                      "model_dir": result.model_dir}))
''')


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    root = tmp_path_factory.mktemp("in-memory")
    generate(root / "records", n_subjects=2_000, seed=1, scenario="fair")
    return root


@pytest.fixture(scope="module")
def records(world):
    return read_records(world / "records")


def test_notebook_01_walks_in_memory_and_writes_nothing(world, tmp_path):
    cwd, tmp, cache = tmp_path / "cwd", tmp_path / "tmp", tmp_path / "cache"
    cwd.mkdir()
    tmp.mkdir()
    env = {**os.environ, "TMPDIR": str(tmp), "CREDITSCORE_AUDIT_LOG": str(tmp / "log.jsonl"),
           "CREDITSCORE_CACHE_DIR": str(cache),  # the compiled feature query (_sqlcache)
           "PYTHONDONTWRITEBYTECODE": "1"}  # the import system's caches are not the walk's
    done = subprocess.run(
        [sys.executable, "-c", WALK, str(world / "records"), ",".join(map(str, DATES)),
         str(TRAIN_UNTIL)], cwd=cwd, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    # compile caches are no output of the walk: numba's JIT cache of the reason kernels
    # (beside their module) and the compiled feature query (best effort, under
    # CREDITSCORE_CACHE_DIR); anything else is
    written = [e for e in out["events"] if "__pycache__" not in e[1]
               and not e[1].startswith(str(cache))]
    assert written == [], written[:10]
    assert not list(cwd.iterdir()) and not list(tmp.iterdir())
    assert out["model_dir"] is None and out["audited"] == out["hash"]
    assert out["rows"] == 5 * 2_000 and out["scored"] == 2_000 and out["with_reason"] > 0


def test_features_from_a_record_set_or_tables_are_those_of_the_directory(world, records):
    from_dir = build_feature_table(world / "records", DATES[-2:])
    assert isinstance(from_dir, pd.DataFrame)
    pd.testing.assert_frame_equal(build_feature_table(records, DATES[-2:]), from_dir)
    tables = {name: records.to_pandas(name) for name in records.tables}
    pd.testing.assert_frame_equal(
        build_feature_table(tables, DATES[-2:], extracted_on=records.extracted_on), from_dir)
    arrow = {name: records.tables[name] for name in records.tables}
    assert build_feature_table(arrow, DATES[-2:], extracted_on=records.extracted_on,
                               output="arrow").to_pandas().equals(from_dir)


@pytest.mark.parametrize(("bad", "match"), [
    (lambda t: [1, 2], r"^records: expected a record-set directory, a RecordSet or a dict"),
    (lambda t: {"subjects": t["subjects"]}, r"^tables: missing contributions, loans"),
    (lambda t: {**t, "loan": t["loans"]}, r"^tables: 'loan' is not a table .*did you mean "
                                          r"'loans'\?"),
    (lambda t: {**t, "loans": [1]}, r"^tables\['loans'\]: expected a pandas DataFrame"),
    (lambda t: {**t, "loans": t["loans"].drop(columns="opened_on")},
     r"^tables\['loans'\]: loans.opened_on: missing column"),
])
def test_misused_tables_get_one_line_errors(records, bad, match):
    tables = {name: records.to_pandas(name) for name in records.tables}
    with pytest.raises(InputError, match=match) as caught:
        build_feature_table(bad(tables), DATES[-1:])
    assert "\n" not in str(caught.value)


def test_in_memory_records_refuse_other_engines_and_late_dates(records):
    with pytest.raises(InputError, match="computed by the duckdb engine"):
        build_feature_table(records, DATES[-1:], engine="spark")
    with pytest.raises(InputError, match="as_of 2026-01-01 is after the record set's "
                                         "extracted_on 2024-12-31"):
        build_feature_table(records, ["2026-01-01"])
    with pytest.raises(InputError, match="output must be 'pandas' or 'arrow'"):
        build_feature_table(records, DATES[-1:], output="polars")


@pytest.fixture(scope="module")
def trained(records):
    from creditscore.models import train_model

    features = build_feature_table(records, DATES)
    result = train_model(features, "default_12m", "lgbm", train_until=TRAIN_UNTIL, seed=0,
                         n_boot=20)
    oot = features[pd.to_datetime(features["as_of"]) > pd.Timestamp(TRAIN_UNTIL)]
    return features, oot, result


def test_an_in_memory_model_is_audited_and_its_verdict_binds_when_saved(
        records, trained, tmp_path, monkeypatch):
    from creditscore.fairness import require_passed_audit, run_audit
    from creditscore.models import load_model, model_hash
    from creditscore.scoring import score_features

    monkeypatch.setenv("CREDITSCORE_AUDIT_LOG", str(tmp_path / "log.jsonl"))
    features, oot, result = trained
    protected = records.to_pandas("protected")
    audit = run_audit(result, oot, protected, proxies=False)
    assert run_audit(result.model, oot, protected, proxies=False).model_hash == \
        audit.model_hash  # the TrainResult or its .model: one model
    path = result.save(tmp_path / "model", audit=audit)
    assert model_hash(path) == audit.model_hash
    verdict = json.loads((path / "audit" / "verdict.json").read_text())
    assert verdict["model"] == audit.model_hash and verdict["passed"] is audit.passed
    assert audit.passed, audit.reason  # a fair world: the gate passes
    require_passed_audit(path)
    latest = features[pd.to_datetime(features["as_of"]) == pd.Timestamp(DATES[-1])]
    loaded = load_model(path)
    pd.testing.assert_series_equal(
        pd.Series(loaded.predict_pd(latest)),
        pd.Series(result.model.predict_proba(latest[loaded.feature_names])[:, 1]))
    latest.to_parquet(tmp_path / "latest.parquet")
    done = score_features(path, tmp_path / "latest.parquet", tmp_path / "scores.parquet",
                          purpose="in-memory test")
    assert done.model_hash == audit.model_hash and done.n_rows == len(latest)


def test_the_saved_model_is_the_one_train_model_writes(trained, tmp_path):
    from creditscore.models import model_hash, train_model

    features, _, result = trained
    written = train_model(features, "default_12m", "lgbm", tmp_path / "direct",
                          train_until=TRAIN_UNTIL, seed=0, n_boot=20)
    saved = result.save(tmp_path / "later")
    assert model_hash(saved) == written.model_hash


def test_misuse_of_the_in_memory_model_gets_one_line_errors(records, trained, tmp_path):
    from creditscore.fairness import run_audit
    from creditscore.models import CalibratedModel, MonotoneLGBM

    features, oot, result = trained
    protected = records.to_pandas("protected")
    bare = CalibratedModel(MonotoneLGBM())
    with pytest.raises(InputError, match="fitted outside train_model carries no target"):
        run_audit(bare, oot, protected, proxies=False)
    with pytest.raises(InputError, match="^model: expected a model directory"):
        run_audit([1, 2], oot, protected, proxies=False)
    with pytest.raises(InputError, match="^features: expected a pandas DataFrame"):
        run_audit(result, [1, 2], protected, proxies=False)
    with pytest.raises(InputError, match="audit must be what run_audit returned"):
        result.save(tmp_path / "m", audit="passed")
    other = run_audit(result, oot, protected, proxies=False)
    object.__setattr__(other, "_model_hash", "0" * 64)  # an audit of another model
    with pytest.raises(InputError, match="the audit given is of model 000000000000"):
        result.save(tmp_path / "m", audit=other)
    assert not (tmp_path / "m").exists()
    with pytest.raises(PolicyRefusal, match="audit this model"):
        other.record_verdict(result.save(tmp_path / "m2"))
