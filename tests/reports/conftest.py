import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))  # the stand-ins live beside this file
import standin  # noqa: E402

from creditscore.reports import _modelinfo


@pytest.fixture
def standin_loader(monkeypatch):
    """Models are loaded with the stand-in, not creditscore.models."""
    monkeypatch.setattr(_modelinfo, "load_model_dir", standin.load_standin)
    return standin.load_standin


@pytest.fixture
def model_dir(tmp_path, standin_loader):
    return standin.write_model_dir(tmp_path / "model")


@pytest.fixture
def audit_dir(tmp_path, model_dir):
    return standin.write_audit_dir(tmp_path / "audit", standin.StandInModel(model_dir).model_hash())
