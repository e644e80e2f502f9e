"""The command line's public contract: exit codes and one-line errors."""

import subprocess
import sys

import pytest
from typer.testing import CliRunner

from creditscore import audit_log
from creditscore.cli import app

runner = CliRunner()


def run_cli(*args, env=None):
    """Run the real entry point in a subprocess (exit codes as pipelines see them)."""
    return subprocess.run(
        [sys.executable, "-c", "from creditscore.cli import main; main()", *map(str, args)],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )


def test_help_lists_commands():
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("synth", "validate", "features", "log"):
        assert command in result.output


def test_unknown_option_is_usage_error_exit_2():
    result = run_cli("validate", "--no-such-flag")
    assert result.returncode == 2


def test_log_verify_intact_exits_0(tmp_path):
    log = tmp_path / "a.jsonl"
    audit_log.append("score", purpose="test", path=log)
    result = run_cli("log", "verify", log)
    assert result.returncode == 0, result.stderr
    assert "intact" in result.stdout


def test_log_verify_tampered_exits_3(tmp_path):
    log = tmp_path / "a.jsonl"
    audit_log.append("score", purpose="one", path=log)
    audit_log.append("score", purpose="two", path=log)
    log.write_text(log.read_text().replace('"purpose": "one"', '"purpose": "uno"'))
    result = run_cli("log", "verify", log)
    assert result.returncode == 3
    assert "tampered" in result.stderr and result.stderr.count("\n") == 1


def test_log_verify_missing_log_exits_2(tmp_path):
    result = run_cli("log", "verify", tmp_path / "none.jsonl")
    assert result.returncode == 2
    assert "no audit log" in result.stderr


@pytest.mark.parametrize("date", ["2023-13-01", "yesterday"])
def test_bad_as_of_date_exits_2(tmp_path, date):
    result = run_cli("features", tmp_path, "--as-of", date, "--out", tmp_path / "f.parquet")
    assert result.returncode == 2
    assert "--as-of" in result.stderr
    assert not (tmp_path / "f.parquet").exists()


def test_python_dash_m_runs_the_same_command_line(tmp_path):
    """``python -m creditscore`` is the installed script: same commands, same exit codes."""
    ok = subprocess.run([sys.executable, "-m", "creditscore", "--help"], capture_output=True,
                        text=True, timeout=600)
    assert ok.returncode == 0 and "validate" in ok.stdout
    bad = subprocess.run([sys.executable, "-m", "creditscore", "validate", tmp_path / "none"],
                         capture_output=True, text=True, timeout=600)
    assert bad.returncode == 2
    assert "none" in bad.stderr and len(bad.stderr.strip().splitlines()) == 1
