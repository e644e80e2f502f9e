"""Each check as the short facts of one summary line: measure, figure, interval, limit.

The first page of a report lists the checks that failed or are inconclusive,
one line each: the group, what was measured, the figure, its interval and
the limit. This module writes those cells and decides two things every page
agrees on: which kind a check is (failed, inconclusive, not comparable,
insufficient data, passed) and how far beyond its limit it lies (to put the
worst first).

A flag-rate ratio is *not comparable* when it cannot be a number a reader
can use: a group with nobody flagged, a suppressed reference, or an interval
that is unbounded or reaches past :data:`MAX_TIMES` times. It is then said in
words, never as "0.37 to 1.15e+03 times".
"""

from __future__ import annotations

from ._format import count, num
from ._sources import is_number

__all__ = [
    "MAX_TIMES",
    "KINDS",
    "check_kind",
    "not_comparable",
    "too_few_text",
    "line_cells",
    "severity",
    "measure_name",
    "family_words",
]

#: an interval of a ratio reaching beyond this many times is unbounded for a reader
MAX_TIMES = 100.0
KINDS = ("failed", "inconclusive", "not_comparable", "insufficient", "passed")
TOO_FEW = "too few people flagged in either group to compare"
MEASURES = {
    "flag_rate_ratio": "Flag rate",
    "fpr_difference": "Wrongly flagged",
    "fnr_difference": "Missed",
    "fnr_excess_difference": "Missed beyond own risk",
    "calibration_gap": "Calibration",
    "auc_difference": "Ranking (AUC)",
    "record_disparity": "Records",
}


def _f(check: dict, key: str):
    value = check.get(key)
    return float(value) if is_number(value) else None


def _is_ratio(check: dict) -> bool:
    m = str(check.get("metric", "")).lower()
    return "ratio" in m and ("flag" in m or "selection" in m or "disparate" in m)


def not_comparable(check: dict) -> bool:
    """Whether a flag-rate ratio cannot be given as a number (see the module docstring)."""
    if not _is_ratio(check):
        return False
    if check.get("reference_suppressed") is True:
        return True
    if 0 in (check.get("n_flagged"), check.get("reference_n_flagged")):
        return True
    value, low, high = _f(check, "value"), _f(check, "ci_low"), _f(check, "ci_high")
    if value is None:
        return False  # no estimate at all: insufficient data
    if value <= 0 or (low is not None and low <= 0):
        return True
    if low is None or high is None:
        return False  # no interval given: the estimate stands alone
    return max(1 / low, high) > MAX_TIMES


def too_few_text(check: dict, min_flagged: int | None = None) -> str:
    """ "too few people flagged in either group to compare (n flagged = 3 and 0)"."""
    own, ref = check.get("n_flagged"), check.get("reference_n_flagged")
    if check.get("reference_suppressed") is True:
        ref_text = f"fewer than {min_flagged}" if min_flagged else "too few to show"
    else:
        ref_text = count(ref) if is_number(ref) else None
    if is_number(own) and ref_text is not None:
        return f"{TOO_FEW} (n flagged = {count(own)} and {ref_text})"
    return f"{TOO_FEW} (the interval has no upper bound)"


def check_kind(check: dict) -> str:
    """One of :data:`KINDS`."""
    status = str(check.get("status") or "").lower()
    if check.get("passed") is False or status == "fail":
        return "failed"
    if not_comparable(check):
        return "not_comparable"
    if status == "inconclusive":
        return "inconclusive"
    if status == "insufficient" or not is_number(check.get("value")):
        return "insufficient"
    return "passed"


def severity(check: dict) -> float:
    """How far beyond its limit a check lies (1 at the limit; larger is worse)."""
    value, threshold = _f(check, "value"), _f(check, "threshold")
    if value is None or not threshold:
        return 0.0
    if _is_ratio(check):
        return threshold / value if value > 0 else float("inf")
    if "calib" in str(check.get("metric", "")):
        return abs(value) / threshold
    return value / threshold


def family_words(family) -> str:
    """ "public_records:tax_arrears" -> "tax arrears public records"."""
    family = str(family or "records")
    if ":" in family:
        head, kind = family.split(":", 1)
        return f"{kind.replace('_', ' ')} {head.replace('_', ' ')}"
    return family.replace("_", " ")


def measure_name(check: dict) -> str:
    metric = str(check.get("metric", ""))
    if metric == "record_disparity":
        return family_words(check.get("family")).capitalize()
    return MEASURES.get(metric, metric.replace("_", " ").capitalize())


def _points(x) -> str:
    return f"{100 * x:+.1f}" if abs(x) <= 1 else f"{x:+.1f}"


def _times(x) -> str:
    return f"{num(x)}\u00d7"


def line_cells(check: dict) -> tuple[str, str, str]:
    """(figure, interval, limit) of one check, as short text."""
    metric = str(check.get("metric", ""))
    value, threshold = _f(check, "value"), _f(check, "threshold")
    low, high = _f(check, "ci_low"), _f(check, "ci_high")
    ref = check.get("reference")
    vs = f" vs \u201c{ref}\u201d" if ref not in (None, "") else ""
    both = low is not None and high is not None
    if value is None:
        return "not enough data", "", _limit(metric, threshold)
    if _is_ratio(check):
        if not_comparable(check):
            text = too_few_text(check, check.get("min_flagged"))
            return text.capitalize(), "", _limit(metric, threshold)
        times = f"flagged {_times(1 / value)} as often{vs}"
        return times, f"{_times(1 / high)} to {_times(1 / low)}" if both else "", _limit(
            metric, threshold
        )
    if metric == "record_disparity":
        figure = f"{_times(value)} the records expected"
        return figure, f"{_times(low)} to {_times(high)}" if both else "", _limit(metric, threshold)
    if metric in _DIFFERENCES:
        what = _DIFFERENCES[metric]
        figure = (
            f"{_points(value)} points {what}{vs}"
            if what
            else f"predicted PD {_points(value)} points off the observed rate"
        )
        ci = f"{_points(low)} to {_points(high)} points" if both else ""
        return figure, ci, _limit(metric, threshold)
    if metric == "auc_difference":
        ci = f"{num(low)} to {num(high)}" if both else ""
        return f"AUC lower by {value:.3f}{vs}", ci, _limit(metric, threshold)
    ci = f"{num(low)} to {num(high)}" if both else ""
    return num(value), ci, _limit(metric, threshold)


#: differences of rates, in points, and what the points count (None: calibration)
_DIFFERENCES = {"fpr_difference": "wrongly flagged", "fnr_difference": "missed",
                "fnr_excess_difference": "more missed than its PDs predict",
                "calibration_gap": None}


def _limit(metric: str, threshold) -> str:
    if threshold is None:
        return ""
    if metric == "flag_rate_ratio" or (metric.endswith("ratio") and threshold < 1):
        return f"at most {_times(1 / threshold)}" if threshold > 0 else ""
    if metric == "record_disparity":
        return f"at most {_times(threshold)}"
    if metric == "calibration_gap":
        return f"within \u00b1{abs(100 * threshold):.1f} points"
    if metric in _DIFFERENCES and metric != "calibration_gap":
        return f"at most {100 * threshold:.1f} points"
    return f"at most {num(threshold)}"
