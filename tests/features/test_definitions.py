"""The feature catalogue: declarative, complete, readable."""

from __future__ import annotations

import subprocess
import sys

import pytest

from creditscore.features import FEATURES, FeatureDef, feature_names, get_feature


def test_between_60_and_100_features_with_unique_names():
    names = feature_names()
    assert 60 <= len(names) <= 100
    assert len(set(names)) == len(names)


@pytest.mark.parametrize("feature", FEATURES, ids=lambda f: f.name)
def test_every_feature_is_fully_described(feature):
    assert feature.description and feature.description[0].isupper()
    assert feature.source in ("contributions", "loans", "repayments", "public_records")
    assert feature.direction in (-1, 0, 1)
    assert feature.build is not None
    assert feature.name not in feature.reason_text(3.0)
    assert feature.reason_text(0.25)


def test_each_source_and_rule_family_is_covered():
    prefixes = {f.name.split("_")[0] for f in FEATURES}
    assert prefixes == {"si", "ln", "rp", "cc", "pr"}


def test_get_feature_names_the_unknown_feature():
    assert get_feature("rp_late_90p_12m").source == "repayments"
    with pytest.raises(KeyError, match="no feature named 'nope'"):
        get_feature("nope")


def test_a_definition_refuses_an_unknown_direction():
    with pytest.raises(ValueError, match="direction"):
        FeatureDef("x", "X", "loans", 2, "{value}")


def test_importing_the_features_package_does_not_import_ibis_or_duckdb():
    code = ("import sys, creditscore.features; "
            "print(sorted(m for m in ('ibis', 'duckdb', 'pandas') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True)
    assert done.stdout.strip() == "[]"
