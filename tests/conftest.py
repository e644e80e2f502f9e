"""Suite-wide isolation: no test writes the audit log into the working tree."""

import pytest


@pytest.fixture(autouse=True)
def _isolated_audit_log(tmp_path_factory, monkeypatch):
    log = tmp_path_factory.mktemp("audit-log") / "creditscore-audit.jsonl"
    monkeypatch.setenv("CREDITSCORE_AUDIT_LOG", str(log))
    yield log
