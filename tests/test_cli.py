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


def test_version_prints_the_package_version():
    import creditscore

    result = run_cli("--version")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"creditscore {creditscore.__version__}"


def test_features_for_listed_subjects_and_the_layout_rewrite(tmp_path):
    """`features --subjects` writes exactly those subjects' rows; bad lists exit 2."""
    import pandas as pd

    from creditscore.synth import generate

    generate(tmp_path / "w", n_subjects=300, seed=3)
    full = tmp_path / "full.parquet"
    assert run_cli("features", tmp_path / "w", "--as-of", "2023-06-30", "--out", full,
                   "--no-progress").returncode == 0
    ids = sorted(pd.read_parquet(full)["subject_id"])[::37]
    (tmp_path / "ids.txt").write_text("# disputed\n" + "\n".join(ids) + "\n")
    pd.DataFrame({"subject_id": ids}).to_csv(tmp_path / "ids.csv", index=False)
    for listed in ("ids.txt", "ids.csv"):
        part = tmp_path / f"part-{listed}.parquet"
        done = run_cli("features", tmp_path / "w", "--as-of", "2023-06-30", "--out", part,
                       "--subjects", tmp_path / listed, "--no-progress")
        assert done.returncode == 0, done.stderr
        expected = pd.read_parquet(full).query("subject_id in @ids").reset_index(drop=True)
        pd.testing.assert_frame_equal(pd.read_parquet(part), expected)
    (tmp_path / "bad.txt").write_text("S-NOT-THERE\n")
    done = run_cli("features", tmp_path / "w", "--as-of", "2023-06-30", "--out",
                   tmp_path / "x.parquet", "--subjects", tmp_path / "bad.txt", "--no-progress")
    assert done.returncode == 2 and "S-NOT-THERE" in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1 and not (tmp_path / "x.parquet").exists()
    done = run_cli("layout", tmp_path / "w", "--out", tmp_path / "sorted", "--no-progress")
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "sorted" / "manifest.json").is_file()
    done = run_cli("layout", tmp_path / "nowhere", "--out", tmp_path / "o", "--no-progress")
    assert done.returncode == 2 and len(done.stderr.strip().splitlines()) == 1
