"""``creditscore mitigate``: exit codes, outputs and one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import yaml

from .mitigation_world import FAST, make_world, train_world_model


def run_cli(*args):
    """The real entry point in a subprocess (exit codes as pipelines see them)."""
    return subprocess.run([sys.executable, "-c", "from creditscore.cli import main; main()",
                           *map(str, args)], capture_output=True, text=True, timeout=600)


def _world(root, bias, seed):
    features, protected = make_world(n=2000, seed=seed, bias=bias)
    features.to_parquet(root / "features.parquet", index=False)
    protected.to_parquet(root / "protected.parquet", index=False)
    train_world_model(features, root / "model")
    (root / "policy.yaml").write_text(yaml.safe_dump(FAST))
    return root


def _mitigate(root, out, *extra):
    return run_cli("mitigate", root / "model", root / "features.parquet", "--protected",
                   root / "protected.parquet", "--out", out, "--policy", root / "policy.yaml",
                   *extra)


@pytest.fixture(scope="module")
def biased(tmp_path_factory):
    return _world(tmp_path_factory.mktemp("cli-mitigate"), 4.0, 7)


def test_mitigate_chooses_a_passing_candidate_exit_0(biased):
    out = biased / "out"
    result = _mitigate(biased, out, "--candidate", "drop_proxies", "--candidate", "reweigh")
    assert result.returncode == 0, result.stderr
    assert "chose " in result.stdout
    data = json.loads((out / "frontier.json").read_text())
    assert data["chosen"] in {"drop_proxies", "reweigh"}
    assert (out / "chosen" / "model.json").is_file()
    assert (out / "fairness_report.html").is_file() and (out / "model_card.html").is_file()
    assert "Mitigation" in (out / "fairness_report.md").read_text()


def test_mitigate_exits_3_when_no_candidate_passes(biased, tmp_path):
    strict = {**FAST, "checks": {"flag_rate_ratio": {"threshold": 0.999, "gate": True}}}
    (tmp_path / "strict.yaml").write_text(yaml.safe_dump(strict))
    result = run_cli("mitigate", biased / "model", biased / "features.parquet", "--protected",
                     biased / "protected.parquet", "--out", tmp_path / "out", "--policy",
                     tmp_path / "strict.yaml", "--candidate", "reweigh")
    assert result.returncode == 3, result.stderr
    assert "no candidate passes the gate" in result.stdout
    assert not (tmp_path / "out" / "chosen").exists()


def test_mitigate_a_fair_model_says_no_change_is_needed_exit_0(tmp_path):
    root = _world(tmp_path, 0.0, 8)
    result = _mitigate(root, tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert "no change is needed" in result.stdout


def test_mitigate_unknown_candidate_is_exit_2(biased, tmp_path):
    result = _mitigate(biased, tmp_path / "out", "--candidate", "magic")
    assert result.returncode == 2
    assert "unknown candidate 'magic'" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_mitigate_promote_gives_the_chosen_candidate_the_champion_alias(biased, tmp_path,
                                                                         monkeypatch):
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{tmp_path / 'mlflow.db'}")
    monkeypatch.setenv("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    monkeypatch.chdir(tmp_path)
    result = _mitigate(biased, tmp_path / "out", "--candidate", "drop_proxies", "--promote")
    assert result.returncode == 0, result.stderr
    assert "version 1 now holds the champion alias" in result.stdout

    from creditscore.tracking import champion_version

    holder = champion_version("default_12m", uri=f"sqlite:///{tmp_path / 'mlflow.db'}")
    assert holder.tags["model_hash"] == json.loads(
        (tmp_path / "out" / "frontier.json").read_text())["candidates"][1]["model_hash"]
