"""The gate policy: shipped default, user overrides, schema errors that name file and field."""

from __future__ import annotations

import re

import pytest

from creditscore._errors import InputError
from creditscore.fairness import DEFAULT_POLICY, PolicyError, load_policy


def test_shipped_policy_loads_with_the_documented_defaults():
    policy = load_policy()
    assert policy.source == str(DEFAULT_POLICY)
    assert policy.attributes == ("sex", "age_band", "ethnicity", "hukou", "region")
    assert policy.intersections == (("sex", "hukou"), ("ethnicity", "region"))
    assert policy.min_group_size == 50 and policy.flag_tiers == ("C", "D")
    ratio = policy.check("flag_rate_ratio")
    assert ratio.threshold == 0.8 and ratio.gate and ratio.direction == "below"
    assert policy.check("fpr_difference").gate
    assert len(policy.sha256) == 64


def test_user_file_replaces_only_the_keys_it_names(tmp_path):
    path = tmp_path / "policy.yaml"
    path.write_text("min_group_size: 100\ndecision: {pd_cutoff: 0.2}\n")
    policy = load_policy(path)
    assert policy.min_group_size == 100 and policy.pd_cutoff == 0.2 and policy.flag_tiers is None
    assert policy.attributes == load_policy().attributes
    assert policy.source == str(path)


def test_unknown_field_is_refused_naming_file_and_field(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text("min_group_sise: 10\n")
    expected = re.escape(f"{path}: unknown policy field min_group_sise")
    with pytest.raises(PolicyError, match=expected):
        load_policy(path)


def test_wrong_type_in_a_check_is_refused_naming_file_and_field(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text("checks:\n  flag_rate_ratio: {threshold: high, gate: true}\n")
    with pytest.raises(PolicyError, match=re.escape(
            f"{path}: policy field checks.flag_rate_ratio.threshold")):
        load_policy(path)


@pytest.mark.parametrize(("text", "field"), [
    ("checks: {disparity: {threshold: 0.1, gate: true}}", "checks.disparity"),
    ("intersections: [[sex, religion]]", "intersections[0]"),
    ("decision: {flag_tiers: [D], pd_cutoff: 0.1}", "decision"),
    ("inference: {ci_level: 0.95, adjust: holm, n_boot: 100}", "inference.adjust"),
    ("inference: {ci_level: 0.95, adjust: none, n_boot: 100, seed: 3}", "inference.seed"),
    ("age_bands: [45, 30]", "age_bands"),
    ("proxies: {auc: 0.7, nmi: 0.1, disparity_reduction: 0.05}", "proxies.max_rows"),
    ("min_group_size: 0", "min_group_size"),
])
def test_schema_errors_name_the_field(tmp_path, text, field):
    path = tmp_path / "mine.yaml"
    path.write_text(text + "\n")
    with pytest.raises(PolicyError, match=re.escape(f"{path}: policy field {field}")):
        load_policy(path)


def test_unreadable_yaml_is_an_input_error(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("checks: [unclosed\n")
    with pytest.raises(InputError, match="not a readable YAML policy"):
        load_policy(path)
    with pytest.raises(InputError, match="not a readable YAML policy"):
        load_policy(tmp_path / "absent.yaml")


def test_an_exemption_needs_an_audited_attribute_and_a_justification(tmp_path):
    path = tmp_path / "mine.yaml"
    path.write_text("checks:\n  flag_rate_ratio: {threshold: 0.8, gate: true, "
                    "exempt: {hukou: ok}}\n")
    with pytest.raises(PolicyError, match=re.escape(
            "policy field checks.flag_rate_ratio.exempt.hukou: needs a written justification")):
        load_policy(path)
    path.write_text("checks:\n  flag_rate_ratio: {threshold: 0.8, gate: true, "
                    "exempt: {religion: 'Reviewed by the board on 2025-03-01.'}}\n")
    with pytest.raises(PolicyError, match="exempt.religion: not an audited attribute"):
        load_policy(path)
