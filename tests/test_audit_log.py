import json
import multiprocessing as mp

import pytest

from creditscore import audit_log
from creditscore._errors import InputError


def _fill(path, n=3):
    for i in range(n):
        audit_log.append(
            "score",
            purpose=f"review {i}",
            model_hash="m" * 64,
            n_subjects=10 + i,
            output=f"out{i}.parquet",
            path=path,
        )


def test_fresh_log_verifies_intact(tmp_path):
    log = tmp_path / "audit.jsonl"
    _fill(log)
    result = audit_log.verify(log)
    assert result.ok and result.n_entries == 3


def test_entries_are_chained(tmp_path):
    log = tmp_path / "audit.jsonl"
    _fill(log)
    entries = [json.loads(line) for line in log.read_text().splitlines()]
    assert entries[0]["prev"] == audit_log.GENESIS
    assert [e["prev"] for e in entries[1:]] == [e["hash"] for e in entries[:-1]]
    assert {"time", "operator", "purpose", "model_hash", "n_subjects", "output"} <= set(entries[0])


def test_edited_entry_is_detected(tmp_path):
    log = tmp_path / "audit.jsonl"
    _fill(log)
    lines = log.read_text().splitlines()
    lines[1] = lines[1].replace('"n_subjects": 11', '"n_subjects": 99')
    log.write_text("\n".join(lines) + "\n")
    result = audit_log.verify(log)
    assert not result.ok and "line 2" in result.problem


@pytest.mark.parametrize("drop", [0, 1, 2])
def test_deleted_entry_is_detected(tmp_path, drop):
    log = tmp_path / "audit.jsonl"
    _fill(log)
    lines = log.read_text().splitlines()
    del lines[drop]
    log.write_text("\n".join(lines) + "\n")
    assert not audit_log.verify(log).ok


def test_purpose_is_required(tmp_path):
    with pytest.raises(InputError, match="purpose is required for score"):
        audit_log.append("score", purpose="  ", path=tmp_path / "a.jsonl")


def test_operator_comes_from_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("CREDITSCORE_OPERATOR", "analyst-7")
    entry = audit_log.append(
        "audit", purpose=None, require_purpose=False, path=tmp_path / "a.jsonl"
    )
    assert entry["operator"] == "analyst-7"


def test_default_path_follows_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("CREDITSCORE_AUDIT_LOG", str(tmp_path / "env.jsonl"))
    audit_log.append("score", purpose="p")
    assert (tmp_path / "env.jsonl").exists()


def _writer(path, n):
    for i in range(n):
        audit_log.append("score", purpose=f"p{i}", path=path)


def test_two_processes_appending_lose_nothing(tmp_path):
    log = tmp_path / "audit.jsonl"
    ctx = mp.get_context("fork")
    procs = [ctx.Process(target=_writer, args=(log, 40)) for _ in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    result = audit_log.verify(log)
    assert result.ok and result.n_entries == 80


def test_fingerprint_changes_with_content(tmp_path):
    f = tmp_path / "x.bin"
    f.write_bytes(b"abc")
    before = audit_log.fingerprint(f)
    f.write_bytes(b"abd")
    assert audit_log.fingerprint(f) != before
