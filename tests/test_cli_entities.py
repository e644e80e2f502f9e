"""The entity commands (docs/entities.md): synth --entities, validate, features --kind entity."""

import subprocess
import sys

import pyarrow.parquet as pq
from typer.testing import CliRunner

from creditscore.cli import app

runner = CliRunner()


def test_synth_validate_features_for_entities(tmp_path):
    out = tmp_path / "w"
    result = runner.invoke(app, ["synth", str(out), "--subjects", "1500", "--entities", "60",
                                 "--scenario", "small-firm-bias", "--over-recording", "3"])
    assert result.exit_code == 0, result.output
    assert "and 60 entities" in result.output
    assert runner.invoke(app, ["validate", str(out)]).exit_code == 0
    target = tmp_path / "entities.parquet"
    result = runner.invoke(app, ["features", str(out), "--as-of", "2022-12-31", "--kind",
                                 "entity", "--out", str(target)])
    assert result.exit_code == 0, result.output
    table = pq.read_table(target)
    assert table.num_rows == 60
    assert {"ent_arrears_employees", "entity_breach_12m", "default_12m"} <= set(table.column_names)
    persons = tmp_path / "persons.parquet"
    result = runner.invoke(app, ["features", str(out), "--as-of", "2022-12-31", "--out",
                                 str(persons)])
    assert result.exit_code == 0, result.output
    assert pq.read_table(persons).num_rows == 1500


def test_entity_features_refused_without_entities_or_on_spark(tmp_path):
    out = tmp_path / "w"
    assert runner.invoke(app, ["synth", str(out), "--subjects", "200"]).exit_code == 0
    args = ["features", str(out), "--as-of", "2022-12-31", "--kind", "entity", "--out",
            str(tmp_path / "f.parquet")]
    result = run_cli(*args)
    assert result.returncode == 2 and "no entity subjects" in result.stderr
    assert run_cli(*args, "--engine", "spark").returncode == 2
    result = run_cli("synth", tmp_path / "x", "--scenario", "small-firm-bias")
    assert result.returncode == 2 and "--entities" in result.stderr


def run_cli(*args):
    return subprocess.run(
        [sys.executable, "-c", "from creditscore.cli import main; main()", *map(str, args)],
        capture_output=True, text=True, timeout=600)
