"""Small synthetic worlds, generated once per test session."""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest

from creditscore.records._contract import TABLES
from creditscore.synth import SCENARIOS, generate, truth_dir_for
from creditscore.synth._scenarios import ENTITY_SCENARIOS

#: subjects in the shared fair world and in each scenario world
N_FAIR = 1500
N_SCENARIO = 4000


class Generated:
    """A generated record set read back as pandas frames."""

    def __init__(self, summary):
        self.summary = summary
        self.dir = summary.out_dir
        self.tables = {
            name: pq.read_table(self.dir / f"{name}.parquet").to_pandas() for name in TABLES
        }
        self.truth = pq.read_table(truth_dir_for(self.dir) / "truth.parquet").to_pandas()

    def __getitem__(self, name):
        return self.tables[name]


@pytest.fixture(scope="session")
def fair(tmp_path_factory):
    out = tmp_path_factory.mktemp("synth") / "fair"
    return Generated(generate(out, n_subjects=N_FAIR, seed=11))


@pytest.fixture(scope="session")
def worlds(tmp_path_factory):
    """One world per scenario, same seed and size."""
    root = tmp_path_factory.mktemp("scenarios")
    return {
        name: Generated(generate(root / name, n_subjects=N_SCENARIO, seed=5, scenario=name))
        for name in SCENARIOS
        if name not in ENTITY_SCENARIOS
    }
