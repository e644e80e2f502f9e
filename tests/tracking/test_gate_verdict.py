import standin

from creditscore._errors import PolicyRefusal
from creditscore.tracking import _gate, check_gate


def test_no_verdict_is_not_yet_audited(tmp_path, standin_loader):
    model_dir = standin.write_model_dir(tmp_path / "m")
    verdict = check_gate(model_dir)
    assert not verdict.passed and verdict.audit_hash is None
    assert verdict.reason.startswith("not yet audited")
    assert verdict.tags()["audit_passed"] == "false"


def test_passed_verdict_bound_to_the_hash_passes(passed_model):
    verdict = check_gate(passed_model)
    assert verdict.passed
    assert (
        verdict.audit_hash == verdict.model_hash == standin.StandInModel(passed_model).model_hash()
    )
    assert verdict.tags() | {"audit_reason": ""} == {
        "audit_passed": "true",
        "audit_hash": verdict.model_hash,
        "audit_reason": "",
    }


def test_failed_verdict_fails(failed_model):
    verdict = check_gate(failed_model)
    assert not verdict.passed and "audit failed" in verdict.reason


def test_changing_a_model_file_after_the_audit_voids_it(passed_model):
    (passed_model / "model.json").write_text((passed_model / "model.json").read_text() + " ")
    verdict = check_gate(passed_model)
    assert not verdict.passed and "changed after its audit" in verdict.reason


def test_the_fairness_stage_can_refuse_too(passed_model, monkeypatch):
    def refuse(model_dir):
        raise PolicyRefusal("policy says no")

    monkeypatch.setattr(_gate, "_external_gate", lambda: refuse)
    verdict = check_gate(passed_model)
    assert not verdict.passed and verdict.reason == "policy says no"
