import json
import re

import pandas as pd
import standin

from creditscore.reports import FairnessReport


def test_each_check_has_its_verdict_in_words(audit_dir):
    report = FairnessReport.from_audit_dir(audit_dir)
    sentences = report.to_frame()["sentence"].tolist()
    assert len(sentences) == len(standin.CHECKS)
    for check, sentence in zip(standin.CHECKS, report.to_frame().to_dict("records"), strict=True):
        word = "PASSED" if check["passed"] else "FAILED"
        assert sentence["sentence"].endswith(f"this check {word}.")
    md = report.to_markdown()
    assert md.count("this check FAILED") == 1 and md.count("this check PASSED") == 2
    assert "FAILED: the model failed the fairness gate (3 checks; 1 failed;" in md


def test_failing_ratio_reads_as_times_as_often(audit_dir):
    md = FairnessReport.from_audit_dir(audit_dir).to_markdown()
    assert re.search(
        r"People whose ethnicity is \u201cminority\u201d were flagged for review "
        r"2\.08 times as often as .*four-fifths rule\) \u2014 this check FAILED",
        md,
    )


def test_suppressed_groups_are_named_without_numbers(audit_dir):
    report = FairnessReport.from_audit_dir(audit_dir)
    md = report.to_markdown()
    lines = [line for line in md.splitlines() if "R9" in line]
    assert lines == ["- people whose region is \u201cR9\u201d: suppressed (fewer than 50 subjects)"]
    assert "- people in the group \u201cF & rural\u201d (sex x hukou): suppressed" in md
    html = re.sub(r"data:image/png;base64,[^\"]+", "", report.to_html())
    assert html.count("R9") == 1
    # the group file holds R9's numbers; they never reach the report's data either
    groups = report.to_dict()["groups"]
    assert {g["group"] for g in groups} == {"majority", "minority", "F", "M"}


def test_flag_rates_by_group_are_charted_with_intervals(audit_dir):
    html = FairnessReport.from_audit_dir(audit_dir).to_html()
    for attribute in ("ethnicity", "sex"):
        assert f"Flag rate by {attribute} with 95% intervals; the green band" in html
    assert html.count('src="data:image/png;base64,') == 3  # two attributes, calibration
    assert "8.1% (7.5% to 8.8%)" in html


def test_named_proxies_are_listed_and_others_are_not(audit_dir):
    md = FairnessReport.from_audit_dir(audit_dir).to_markdown()
    assert (
        "- months_since_last_late stands in for ethnicity: on its own it tells the groups "
        "apart with an AUC of 0.71;"
    ) in md
    assert "si_late30_count_12m stands in" not in md


def test_mitigation_frontier_is_shown_when_there_was_one(audit_dir):
    frontier = pd.DataFrame(
        {
            "candidate": ["baseline", "drop proxy", "reweigh"],
            "auc": [0.78, 0.77, 0.765],
            "flag_rate_ratio": [0.48, 0.83, 0.9],
            "passed": [False, True, True],
        }
    )
    report = FairnessReport.from_audit_dir(audit_dir, mitigation=frontier)
    html = report.to_html()
    assert "Candidate models: auc against flag_rate_ratio" in html
    assert "drop proxy" in html
    assert len(report.to_dict()["mitigation"]) == 3
    assert "No mitigation was run" in FairnessReport.from_audit_dir(audit_dir).to_markdown()


def test_minimal_audit_json_of_the_cli_spec_is_enough(tmp_path):
    (tmp_path / "audit.json").write_text(
        json.dumps(
            {
                "passed": True,
                "model": "abc",
                "checks": [
                    {
                        "attribute": "sex",
                        "metric": "flag_rate_ratio",
                        "value": 0.9,
                        "threshold": 0.8,
                        "passed": True,
                    }
                ],
            }
        )
    )
    report = FairnessReport.from_audit_dir(tmp_path)
    md = report.to_markdown()
    assert "PASSED: the model passed the fairness gate (1 check; 0 failed)." in md
    assert "No group was suppressed." in md
    assert "The audit wrote no per-group metrics." in md
    paths = report.write(tmp_path / "out")
    assert paths["html"].is_file() and paths["md"].is_file()
