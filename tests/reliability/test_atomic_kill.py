"""Atomic outputs, tested by killing runs mid-write (SIGKILL: no cleanup code runs).

A killed ``synth``, ``features`` or ``score`` leaves nothing at its output
path, or the previous complete output there unchanged and still valid. What
a kill does leave is a hidden temporary (``.<name>.*.tmp``) beside the
output; it is never at the final name, and the next run of the command is
not disturbed by it. A killed audit-log appender never breaks the chain.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from creditscore import audit_log
from creditscore.records import validate_records

from .conftest import DATES, digest, replicate_features, run_cli, start_cli


def _temporaries(parent: Path, name: str) -> list[Path]:
    return sorted(parent.glob(f".{name}.*.tmp"))


def kill_when(proc: subprocess.Popen, ready, timeout: float = 120, settle: float = 0.0) -> None:
    """SIGKILL ``proc`` once ``ready()`` holds (then ``settle`` seconds more).

    Fails the test when the process ends first: then nothing was killed mid-write.
    """
    deadline = time.monotonic() + timeout
    while not ready():
        if proc.poll() is not None:
            err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
            pytest.fail(f"the run ended (exit {proc.returncode}) before it was killed:\n{err}")
        if time.monotonic() > deadline:
            proc.kill()
            pytest.fail("the run never reached the point to kill it at")
        time.sleep(0.02)
    time.sleep(settle)
    assert proc.poll() is None, "the run ended before it was killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL


def _writing(parent: Path, name: str, min_bytes: int = 1):
    """True once a temporary of ``name`` holds a file of at least ``min_bytes``."""

    def ready() -> bool:
        for tmp in _temporaries(parent, name):
            files = [tmp] if tmp.is_file() else [f for f in tmp.rglob("*") if f.is_file()]
            try:
                if any(f.stat().st_size >= min_bytes for f in files):
                    return True
            except FileNotFoundError:
                pass
        return False

    return ready


# ----------------------------------------------------------------------- synth
def test_killed_synth_leaves_no_record_set(tmp_path):
    out = tmp_path / "records"
    proc = start_cli("synth", out, "--subjects", "200000", "--seed", "4")
    kill_when(proc, _writing(tmp_path, "records", min_bytes=1 << 20), settle=0.3)
    assert not out.exists()
    assert not (tmp_path / "records.truth").exists()
    assert _temporaries(tmp_path, "records")  # the hidden leftover of the kill
    # the next run is not disturbed by the leftover
    assert run_cli("synth", out, "--subjects", "200", "--seed", "4").returncode == 0
    assert validate_records(out).ok


def test_killed_synth_over_a_record_set_leaves_it_intact(tmp_path, small_world):
    import shutil

    out = shutil.copytree(small_world, tmp_path / "records")
    before = digest(out)
    proc = start_cli("synth", out, "--subjects", "200000", "--seed", "5")
    kill_when(proc, _writing(tmp_path, "records", min_bytes=1 << 20), settle=0.3)
    assert digest(out) == before
    assert validate_records(out).ok


# -------------------------------------------------------------------- features
def test_killed_features_leave_the_previous_output_intact(tmp_path, world, audited):
    out = tmp_path / "features.parquet"
    out.write_bytes(audited.features.read_bytes())
    before = digest(out)
    dates = [a for d in DATES for a in ("--as-of", d.isoformat())]
    proc = start_cli("features", world, *dates, "--out", out)
    kill_when(proc, _writing(tmp_path, "features.parquet", min_bytes=0))
    assert digest(out) == before
    assert pq.read_table(out).num_rows == pq.read_table(audited.features).num_rows


# ----------------------------------------------------------------------- score
def test_killed_score_keeps_the_previous_scores_and_logs_nothing(
    tmp_path, audited, _isolated_audit_log
):
    rows = replicate_features(audited.oot, 100_000, tmp_path / "many.parquet", row_group=10_000)
    out = tmp_path / "scores.parquet"
    out.write_bytes(b"previous complete scores")
    proc = start_cli(
        "score",
        audited.model_dir,
        rows,
        "--out",
        out,
        "--purpose",
        "kill test",
        "--batch-size",
        "10000",
    )
    kill_when(proc, _writing(tmp_path, "scores.parquet", min_bytes=64))
    assert out.read_bytes() == b"previous complete scores"
    assert not _isolated_audit_log.exists()  # killed before its entry: nothing logged
    done = run_cli(
        "score", audited.model_dir, audited.oot, "--out", out, "--purpose", "after the kill"
    )
    assert done.returncode == 0, done.stderr
    assert pq.ParquetFile(out).metadata.num_rows == pq.ParquetFile(audited.oot).metadata.num_rows
    assert audit_log.verify().ok


# ------------------------------------------------------------------- audit log
APPENDER = """
import sys
from creditscore import audit_log
tag, n = sys.argv[1], int(sys.argv[2])
for i in range(n):
    audit_log.append("score", purpose=f"{tag} {i}", n_subjects=i, path=sys.argv[3])
"""


def _appender(log: Path, tag: str, n: int) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-c", APPENDER, tag, str(n), str(log)], stderr=subprocess.PIPE
    )


def _n_lines(log: Path) -> int:
    try:
        return log.read_bytes().count(b"\n")
    except FileNotFoundError:
        return 0


def test_killed_appenders_never_break_the_chain(tmp_path):
    rng = random.Random(9)
    log = tmp_path / "audit.jsonl"
    for round_ in range(6):
        start = _n_lines(log)
        proc = _appender(log, f"round{round_}", 10**6)
        kill_when(proc, lambda s=start: _n_lines(log) >= s + 20, settle=rng.random() * 0.05)
        result = audit_log.verify(log)
        assert result.ok, result.problem  # at worst the head lags the last entry
        assert result.n_entries == _n_lines(log)
    audit_log.append("score", purpose="after the kills", path=log)
    result = audit_log.verify(log)
    assert result.ok and result.note is None  # the next append brought the head up


KILLED_BEFORE_HEAD = """
import os, signal, sys
from creditscore import audit_log
audit_log.append("score", purpose="first", path=sys.argv[1])
# die at the worst moment: the line is written and synced, the head not yet updated
audit_log.write_text_atomic = lambda *a, **k: os.kill(os.getpid(), signal.SIGKILL)
audit_log.append("score", purpose="second", path=sys.argv[1])
"""


def test_an_append_killed_before_its_head_update_is_not_taken_for_tampering(tmp_path):
    log = tmp_path / "audit.jsonl"
    proc = subprocess.run([sys.executable, "-c", KILLED_BEFORE_HEAD, str(log)])
    assert proc.returncode == -signal.SIGKILL
    result = audit_log.verify(log)
    assert result.ok and result.n_entries == 2
    assert "interrupted append" in result.note
    verify = run_cli("log", "verify", log)
    assert verify.returncode == 0 and "interrupted append" in verify.stdout
    # a real removal is still caught: drop the last entry, the head is then ahead
    lines = log.read_text().splitlines()
    log.write_text(lines[0] + "\n")
    (log.with_name(log.name + ".head")).write_text("2 " + "0" * 64 + "\n")
    assert not audit_log.verify(log).ok


def test_a_killed_appender_neither_blocks_nor_loses_the_other(tmp_path):
    log = tmp_path / "audit.jsonl"
    survivor = _appender(log, "survivor", 300)
    victim = _appender(log, "victim", 10**6)
    kill_when(victim, lambda: _n_lines(log) >= 100, settle=0.01)
    assert survivor.wait(timeout=120) == 0, survivor.stderr.read().decode()
    text = log.read_text()
    assert sum(f'"survivor {i}"' in text for i in range(300)) == 300
    result = audit_log.verify(log)
    assert result.ok, result.problem
    assert result.n_entries == text.count("\n")
    assert os.path.getsize(log) > 0
