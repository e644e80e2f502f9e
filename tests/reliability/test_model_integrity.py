"""Integrity before parsing: one changed byte in any model file, through the real CLI.

For every file of an audited model directory in turn, one byte in the middle
is changed (a copy of the directory each time), and ``audit``, ``explain`` and
``score`` are run on it. Each must refuse with one line naming the file
(exit 3, "model files changed since the audit"), write nothing, and never show
a traceback; an unreadable directory is bad input (exit 2).
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from .conftest import DATES, assert_refused, run_cli

CHANGED = "model files changed since the audit"


def _model_files(model_dir: Path) -> list[str]:
    return sorted(p.relative_to(model_dir).as_posix() for p in model_dir.rglob("*")
                  if p.is_file() and p.relative_to(model_dir).parts[0] != "audit")


def _flip(path: Path) -> None:
    data = bytearray(path.read_bytes())
    i = len(data) // 2
    data[i] = (data[i] + 1) % 256 if chr(data[i]) not in "\"{}" else ord("x")
    path.write_bytes(bytes(data))


def _commands(model: Path, audited, world, out: Path) -> dict[str, list]:
    import pyarrow.parquet as pq

    subject = pq.read_table(world / "subjects.parquet", columns=["subject_id"])[0][0].as_py()
    return {
        "audit": ["audit", model, audited.oot, "--protected", world / "protected.parquet",
                  "--out", out / "report"],
        "explain": ["explain", world, subject, "--model", model, "--as-of",
                    DATES[-1].isoformat(), "--purpose", "integrity test", "--out",
                    out / "letters"],
        "score": ["score", model, audited.oot, "--out", out / "scores.parquet", "--purpose",
                  "integrity test"],
    }


def test_every_model_file_is_checked(audited):
    info = json.loads((audited.model_dir / "model.json").read_text())
    listed = set(info["checksums"]) | {"model.json"}
    assert listed == set(_model_files(audited.model_dir))
    assert {"booster.txt", "features.json", "calibration.json"} <= listed


@pytest.mark.parametrize("command", ["audit", "explain", "score"])
def test_one_changed_byte_in_any_model_file_is_refused_before_parsing(
    command, audited, world, tmp_path, _isolated_audit_log
):
    for rel in _model_files(audited.model_dir):
        case = tmp_path / rel.replace("/", "_")
        model = shutil.copytree(audited.model_dir, case / "model")
        _flip(model / rel)
        args = _commands(model, audited, world, case)[command]
        proc = run_cli(*args)
        err = assert_refused(proc, code=3)
        assert CHANGED in err or "changed after the fairness audit" in err, (rel, err)
        if command == "audit":  # audit has no audited hash to compare: the checksums speak
            assert rel.rsplit("/", 1)[-1] in err, (rel, err)
        assert not any((case / name).exists() for name in ("report", "letters",
                                                            "scores.parquet")), rel


def test_a_model_json_edit_that_keeps_the_json_valid_is_refused_by_audit(audited, world,
                                                                         tmp_path):
    model = shutil.copytree(audited.model_dir, tmp_path / "model")
    text = (model / "model.json").read_text()
    (model / "model.json").write_text(text.replace('"target": "default_12m"',
                                                   '"target": "breach_12m"'))
    proc = run_cli(*_commands(model, audited, world, tmp_path)["audit"])
    assert_refused(proc, "model.json", CHANGED, code=3)


def test_an_unreadable_model_directory_is_bad_input(audited, world, tmp_path):
    if os.geteuid() == 0:
        model = tmp_path / "model"
        model.write_text("not a directory")
    else:
        model = shutil.copytree(audited.model_dir, tmp_path / "model")
        (model / "booster.txt").chmod(0)
    proc = run_cli(*_commands(model, audited, world, tmp_path)["audit"])
    assert_refused(proc, "model", code=2)


def test_a_model_written_before_checksums_is_refused_with_a_hint(audited, world, tmp_path):
    model = shutil.copytree(audited.model_dir, tmp_path / "model")
    info = json.loads((model / "model.json").read_text())
    for key in ("checksums", "model_json_sha256"):
        info.pop(key)
    (model / "model.json").write_text(json.dumps(info, indent=2) + "\n")
    proc = run_cli(*_commands(model, audited, world, tmp_path)["audit"])
    assert_refused(proc, "model", "train the model again", code=2)
