import pytest

from creditscore.reports._checks import check_sentence


def test_ratio_below_one_reads_as_times_as_often_and_names_the_four_fifths_rule():
    text = check_sentence(
        {
            "attribute": "ethnicity",
            "metric": "flag_rate_ratio",
            "group": "minority",
            "value": 0.5,
            "threshold": 0.8,
            "n": 1180,
            "passed": False,
        }
    )
    assert text.startswith(
        "People whose ethnicity is \u201cminority\u201d were flagged for review 2 times as often as"
    )
    assert "at most 1.25 times as often" in text and "four-fifths rule" in text
    assert text.endswith("this check FAILED.")


def test_ratio_above_one_with_a_reference_group():
    text = check_sentence(
        {
            "attribute": "ethnicity",
            "metric": "flag_rate_ratio",
            "group": "minority",
            "value": 2.1,
            "threshold": 1.25,
            "reference_group": "majority",
            "passed": False,
        }
    )
    assert (
        "were flagged for review 2.1 times as often as people whose ethnicity is "
        "\u201cmajority\u201d"
    ) in text
    assert "the screen allows at most 1.25 times as often (the four-fifths rule)" in text.lower()


def test_false_positive_difference_reads_in_percentage_points():
    text = check_sentence(
        {
            "attribute": "sex",
            "metric": "fpr_difference",
            "group": "F",
            "value": 0.06,
            "threshold": 0.05,
            "passed": False,
        }
    )
    assert "wrongly flagged 6.0 percentage points more often" in text
    assert "allows at most 5.0 percentage points" in text
    assert text.endswith("FAILED.")


def test_unknown_metric_still_gives_value_threshold_and_verdict():
    text = check_sentence(
        {
            "attribute": "region",
            "metric": "odd_index",
            "group": "R1",
            "value": 0.2,
            "threshold": 0.3,
            "passed": True,
        }
    )
    assert "odd index" in text and "0.2" in text and "0.3" in text
    assert text.endswith("this check PASSED.")


def test_intersections_are_named_as_groups():
    text = check_sentence(
        {
            "attribute": "sex x hukou",
            "metric": "fnr_difference",
            "group": "F x rural",
            "value": 0.01,
            "threshold": 0.05,
            "passed": True,
        }
    )
    assert "people in the group \u201cF x rural\u201d (sex x hukou)" in text


@pytest.mark.parametrize(
    "metric",
    [
        "flag_rate_ratio",
        "fpr_difference",
        "fnr_difference",
        "calibration_gap",
        "auc_difference",
        "auc",
        "odd_index",
    ],
)
def test_a_check_without_a_value_still_reads_as_a_sentence(metric):
    text = check_sentence(
        {
            "attribute": "region",
            "metric": metric,
            "group": "R1",
            "value": None,
            "threshold": 0.1,
            "ci": None,
            "n": 60,
            "gate": False,
            "status": "pass",
            "passed": True,
        }
    )
    assert "R1" in text and text.endswith("(reported only: not a gate check).")


def test_inconclusive_checks_say_so():
    text = check_sentence(
        {
            "attribute": "region",
            "metric": "flag_rate_ratio",
            "group": "R3",
            "reference": "R2",
            "value": 0.71,
            "threshold": 0.8,
            "ci_low": 0.51,
            "ci_high": 0.98,
            "status": "inconclusive",
            "gate": True,
            "passed": True,
        }
    )
    assert "INCONCLUSIVE: this check PASSED" in text and "person to review" in text
