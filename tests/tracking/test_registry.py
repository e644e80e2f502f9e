import pytest
import standin

from creditscore._errors import InputError, PolicyRefusal
from creditscore.tracking import (
    _gate,
    champion_version,
    log_training_run,
    promote_if_passed,
    record_verdict,
)

NAME = "creditscore-default_12m"


def _client():
    from mlflow import MlflowClient

    return MlflowClient()


def _alias_version():
    found = champion_version("default_12m")
    return None if found is None else str(found.version)


def test_passed_audit_sets_champion_and_tags_the_version(tracking, passed_model):
    run_id = log_training_run(passed_model)
    promotion = promote_if_passed(run_id, passed_model)
    assert promotion.promoted and promotion.version == "1"
    assert _alias_version() == "1"
    tags = _client().get_model_version(NAME, "1").tags
    model_hash = standin.StandInModel(passed_model).model_hash()
    assert tags["audit_passed"] == "true"
    assert tags["audit_hash"] == model_hash == tags["model_hash"]


def test_failed_audit_is_tagged_false_and_never_gets_the_alias(tracking, failed_model):
    run_id = log_training_run(failed_model)
    promotion = promote_if_passed(run_id, failed_model)
    assert not promotion.promoted
    assert _alias_version() is None
    tags = _client().get_model_version(NAME, "1").tags
    assert tags["audit_passed"] == "false"
    assert tags["audit_hash"] == standin.StandInModel(failed_model).model_hash()


def test_failed_challenger_leaves_the_champion_in_place(tracking, passed_model, failed_model):
    promote_if_passed(log_training_run(passed_model), passed_model)
    promotion = promote_if_passed(log_training_run(failed_model), failed_model)
    assert not promotion.promoted and promotion.version == "2"
    assert _alias_version() == "1"


def test_unaudited_model_is_not_promoted(tracking, tmp_path, standin_loader):
    model_dir = standin.write_model_dir(tmp_path / "m")
    promotion = promote_if_passed(log_training_run(model_dir), model_dir)
    assert not promotion.promoted and "not yet audited" in promotion.verdict.reason
    assert _client().get_model_version(NAME, "1").tags["audit_hash"] == "none"


def test_a_model_changed_after_logging_is_not_promoted(tracking, passed_model):
    log_training_run(passed_model)
    (passed_model / "model.json").write_text((passed_model / "model.json").read_text() + " ")
    standin.write_verdict(passed_model, passed=True)  # a passed audit of the changed files
    promotion = promote_if_passed(1, passed_model)
    assert not promotion.promoted and "holds model" in promotion.verdict.reason
    assert _alias_version() is None


def test_the_registered_copy_must_hold_the_verdict(tracking, tmp_path, standin_loader):
    model_dir = standin.write_model_dir(tmp_path / "m")
    log_training_run(model_dir)  # logged before its audit
    standin.write_verdict(model_dir, passed=True)
    promotion = promote_if_passed(1, model_dir)
    assert not promotion.promoted
    assert "log the model after its audit" in promotion.verdict.reason


def test_a_failed_reaudit_takes_the_alias_away(tracking, passed_model):
    promote_if_passed(log_training_run(passed_model), passed_model)
    standin.write_verdict(passed_model, passed=False)
    verdict = record_verdict(NAME, "1", passed_model)
    assert not verdict.passed and _alias_version() is None
    assert _client().get_model_version(NAME, "1").tags["audit_passed"] == "false"


def test_the_fairness_stage_refusal_blocks_promotion(tracking, passed_model, monkeypatch):
    run_id = log_training_run(passed_model)

    def refuse(model_dir):
        raise PolicyRefusal("refused by the fairness stage")

    monkeypatch.setattr(_gate, "_external_gate", lambda: refuse)
    assert not promote_if_passed(run_id, passed_model).promoted
    assert _alias_version() is None


def test_unknown_run_is_an_input_error(tracking, passed_model):
    log_training_run(passed_model)
    with pytest.raises(InputError, match="no version"):
        promote_if_passed("0123456789abcdef0123456789abcdef", passed_model)


def _rows(n=3000, seed=4):
    frame = standin.feature_frame(n=n, seed=seed)
    return frame[frame["as_of"] > "2022-12-31"].reset_index(drop=True)  # after train_until


def _passed(tmp_path, name, **kw):
    model_dir = standin.write_model_dir(tmp_path / name, **kw)
    standin.write_verdict(model_dir, passed=True)
    return model_dir


def test_a_passed_challenger_takes_the_alias_only_by_beating_the_champion(
        tracking, tmp_path, standin_loader):
    weak = _passed(tmp_path, "weak", coef={"si_late30_count_12m": -0.3,
                                           "loan_dpd90_count_24m": 0.0,
                                           "months_since_last_late": 0.02})
    promote_if_passed(log_training_run(weak), weak)
    strong = _passed(tmp_path, "strong")
    rows = _rows()
    promotion = promote_if_passed(log_training_run(strong), strong, rows=rows)
    c = promotion.comparison
    assert promotion.promoted and _alias_version() == "2" and promotion.champion == "1"
    assert c.challenger_auc - c.champion_auc > c.margin == 0.005
    assert c.n_rows == int(rows["default_12m"].notna().sum())
    assert c.dates == ("2023-06-30", "2023-12-31")
    assert "beats the champion (version 1)" in promotion.reason
    tags = _client().get_model_version(NAME, "2").tags
    assert tags["champion_decision"].startswith("promoted")
    # the weaker one back as a challenger: refused, and a tie keeps the champion too
    again = promote_if_passed(log_training_run(weak), weak, rows=rows)
    assert not again.promoted and _alias_version() == "2"
    tie = promote_if_passed(log_training_run(strong), strong, rows=rows)
    assert tie.comparison.challenger_auc == pytest.approx(tie.comparison.champion_auc)
    assert not tie.promoted and "ties keep the champion" in tie.reason
    assert _alias_version() == "2"


def test_without_rows_a_challenger_does_not_displace_the_champion(
        tracking, tmp_path, standin_loader):
    first = _passed(tmp_path, "first")
    promote_if_passed(log_training_run(first), first)
    second = _passed(tmp_path, "second", intercept=-2.0)
    promotion = promote_if_passed(log_training_run(second), second)
    assert promotion.verdict.passed and not promotion.promoted
    assert "none were given" in promotion.reason and _alias_version() == "1"


def test_rows_a_model_was_trained_on_are_refused(tracking, tmp_path, standin_loader):
    first = _passed(tmp_path, "first")
    promote_if_passed(log_training_run(first), first)
    second = _passed(tmp_path, "second", intercept=-2.0)
    run_id = log_training_run(second)
    rows = standin.feature_frame(n=500, seed=4)  # holds as_of 2022-12-31 = train_until
    with pytest.raises(InputError, match=r"on or before 2022-12-31, the last date the "
                                         r"challenger was trained on"):
        promote_if_passed(run_id, second, rows=rows)
    with pytest.raises(InputError, match=r"no column 'default_12m' to compare the models on; "
                                         r"did you mean 'default12m'\?"):
        promote_if_passed(run_id, second, rows=_rows().rename(
            columns={"default_12m": "default12m"}))
    assert _alias_version() == "1"
