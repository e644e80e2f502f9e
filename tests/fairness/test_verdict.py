"""No score without a passed audit of this very model."""

from __future__ import annotations

import json
import re

import pytest

from creditscore._errors import PolicyRefusal
from creditscore.fairness import (
    KEY_ENV,
    audit_model,
    directory_hash,
    read_verdict,
    record_verdict,
    require_passed_audit,
)
from creditscore.fairness._verdict import (
    MSG_FAILED,
    MSG_KEY_MISSING,
    MSG_NO_AUDIT,
    MSG_TAMPERED,
    MSG_UNSIGNED,
)

from .conftest import FAST


def _prefix(template: str) -> str:
    """The fixed text of a message template before its second placeholder."""
    return re.escape(template.split("{", 2)[1].split("}", 1)[1])


@pytest.fixture()
def model_dir(tmp_path, monkeypatch):
    monkeypatch.delenv(KEY_ENV, raising=False)
    d = tmp_path / "model"
    (d / "sub").mkdir(parents=True)
    (d / "model.txt").write_text("trees")
    (d / "sub" / "bins.json").write_text("{}")
    return d


def _audit_bytes(passed: bool, model: str) -> bytes:
    checks = [{"attribute": "ethnicity", "metric": "flag_rate_ratio", "group": "minority",
               "value": 0.5 if not passed else 0.95, "threshold": 0.8, "gate": True,
               "status": "pass" if passed else "fail", "passed": passed}]
    return json.dumps({"passed": passed, "model": model, "checks": checks,
                       "policy": {"sha256": "p" * 64}, "created": "2024-01-01T00:00:00+00:00"}
                      ).encode()


def _record(model_dir, passed=True):
    h = directory_hash(model_dir)
    return record_verdict(model_dir, _audit_bytes(passed, h), model_hash=h)


def test_passed_audit_of_this_model_allows_scoring(model_dir):
    _record(model_dir)
    verdict = require_passed_audit(model_dir, hash_fn=directory_hash)
    assert verdict.passed and verdict.model_hash == directory_hash(model_dir)


def test_missing_audit_refuses_with_exit_code_3(model_dir):
    with pytest.raises(PolicyRefusal, match="no fairness audit of this model") as info:
        require_passed_audit(model_dir, hash_fn=directory_hash)
    assert info.value.exit_code == 3
    assert "\n" not in str(info.value)
    assert MSG_NO_AUDIT.startswith("{model_dir}: no fairness audit")


def test_failed_audit_refuses_naming_the_failing_check(model_dir):
    _record(model_dir, passed=False)
    with pytest.raises(PolicyRefusal, match=r"failed its fairness audit \(1 gate checks failed, "
                                            r"first ethnicity/flag_rate_ratio/minority\)"):
        require_passed_audit(model_dir, hash_fn=directory_hash)
    assert "failed its fairness audit" in MSG_FAILED


def test_modifying_a_model_file_after_the_audit_refuses(model_dir):
    _record(model_dir)
    (model_dir / "sub" / "bins.json").write_text('{"x": 1}')
    with pytest.raises(PolicyRefusal, match="the model files changed after the fairness audit"):
        require_passed_audit(model_dir, hash_fn=directory_hash)


def test_adding_a_model_file_after_the_audit_refuses(model_dir):
    _record(model_dir)
    (model_dir / "extra.bin").write_bytes(b"\x00")
    with pytest.raises(PolicyRefusal, match="changed after the fairness audit"):
        require_passed_audit(model_dir, hash_fn=directory_hash)


def test_files_under_audit_do_not_change_the_model_hash(model_dir):
    before = directory_hash(model_dir)
    _record(model_dir)
    (model_dir / "audit" / "notes.txt").write_text("reviewed")
    assert directory_hash(model_dir) == before


def test_editing_the_verdict_by_hand_refuses(model_dir):
    _record(model_dir, passed=False)
    path = model_dir / "audit" / "verdict.json"
    raw = json.loads(path.read_text())
    raw.update(passed=True, n_failed=0, failed=[])
    path.write_text(json.dumps(raw))
    with pytest.raises(PolicyRefusal, match=_prefix(MSG_TAMPERED) + "its signature"):
        require_passed_audit(model_dir, hash_fn=directory_hash)


def test_editing_the_audit_record_refuses(model_dir):
    _record(model_dir)
    path = model_dir / "audit" / "audit.json"
    path.write_text(path.read_text().replace("0.95", "0.96"))
    with pytest.raises(PolicyRefusal, match="does not match .*audit.json"):
        require_passed_audit(model_dir, hash_fn=directory_hash)


def test_unreadable_verdict_refuses(model_dir):
    _record(model_dir)
    (model_dir / "audit" / "verdict.json").write_text("{not json")
    with pytest.raises(PolicyRefusal, match="the audit verdict cannot be read"):
        require_passed_audit(model_dir, hash_fn=directory_hash)


def test_hmac_signed_verdict_needs_the_key(model_dir, monkeypatch):
    monkeypatch.setenv(KEY_ENV, "s3cret")
    _record(model_dir)
    assert json.loads((model_dir / "audit" / "verdict.json").read_text())["signature"][
        "method"] == "hmac-sha256"
    assert require_passed_audit(model_dir, hash_fn=directory_hash).passed
    monkeypatch.setenv(KEY_ENV, "another")
    with pytest.raises(PolicyRefusal, match="its signature"):
        read_verdict(model_dir)
    monkeypatch.delenv(KEY_ENV)
    with pytest.raises(PolicyRefusal, match=_prefix(MSG_KEY_MISSING)):
        read_verdict(model_dir)


def test_unsigned_verdict_is_refused_where_a_key_is_set(model_dir, monkeypatch):
    _record(model_dir)
    monkeypatch.setenv(KEY_ENV, "s3cret")
    with pytest.raises(PolicyRefusal, match=_prefix(MSG_UNSIGNED)):
        require_passed_audit(model_dir, hash_fn=directory_hash)


def test_audit_then_model_change_refuses_through_the_model_hash(tmp_path, fair_model,
                                                                fair_world):
    features, protected = fair_world
    audit_model(fair_model.model_dir, features, protected, tmp_path / "r", policy=FAST,
                model=fair_model, proxies=False)
    assert require_passed_audit(fair_model.model_dir, model=fair_model).passed
    meta = fair_model.model_dir / "meta.json"
    meta.write_text(meta.read_text() + " ")
    with pytest.raises(PolicyRefusal, match="changed after the fairness audit"):
        require_passed_audit(fair_model.model_dir, model=fair_model)
