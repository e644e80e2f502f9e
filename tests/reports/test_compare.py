"""Two models side by side: AUC, calibration, flag rates by group, verdict."""

import standin
from typer.testing import CliRunner

from creditscore.cli import app
from creditscore.reports import ModelComparison


def _pair(tmp_path):
    a = standin.write_model_dir(tmp_path / "champion")
    b = standin.write_model_dir(tmp_path / "challenger", intercept=-2.5)
    for model, passed in ((a, False), (b, True)):
        standin.write_audit_dir(model / "audit", standin.StandInModel(model).model_hash(), passed)
    return a, b


def test_comparison_sets_both_models_side_by_side(tmp_path, standin_loader):
    a, b = _pair(tmp_path)
    page = ModelComparison.from_model_dirs(a, b)
    md = page.to_markdown()
    assert "| Fairness gate | FAILED | PASSED |  |" in md
    assert "| AUC (higher ranks risk better) | 0.781 (0.761 to 0.801) | 0.781" in md
    assert "Brier score" in md and "Expected calibration error" in md
    assert "Only challenger (scorecard) passed the fairness gate" in md
    rates = page.flag_rates()
    assert set(rates["group"]) == {"majority", "minority", "F", "M"}  # R9 is suppressed
    assert "| ethnicity | minority | 16.9% (14.8% to 19.1%) | 16.9% (14.8% to 19.1%) | 0 |" in md
    assert page.to_html().count('src="data:image/png;base64,') == 1


def test_report_compare_command_writes_the_page(tmp_path, standin_loader):
    a, b = _pair(tmp_path)
    result = CliRunner().invoke(app, ["report", "compare", str(a), str(b), "--out",
                                      str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "comparison.html").is_file()
    assert (tmp_path / "out" / "comparison.md").is_file()


def test_an_unaudited_side_says_so(tmp_path, standin_loader):
    a = standin.write_model_dir(tmp_path / "a")
    b = standin.write_model_dir(tmp_path / "b", intercept=-2.0)
    md = ModelComparison.from_model_dirs(a, b).to_markdown()
    assert "| Fairness gate | not audited | not audited |  |" in md
    assert "Neither model passed the fairness gate" in md
    assert "Flag rates by group need an audit of each model." in md
