"""Each fairness check as a sentence a non-statistician can read.

"People whose ethnicity is "minority" were flagged for review 2.1 times as often
as people whose ethnicity is "majority" (95% interval 1.8 to 2.4 times; 1,180
people). The screen allows at most 1.25 times (the four-fifths rule) - this
check FAILED."
"""

from __future__ import annotations

from ._checkfacts import not_comparable, too_few_text
from ._format import count, num
from ._sources import is_number

__all__ = ["check_sentence", "verdict_word", "who"]

#: what a difference check compares, for the sentence when it has no estimate
NO_DATA = {
    "fpr": "how often people who did not fail their obligations were wrongly flagged among",
    "fnr": "how often people who failed their obligations were missed among",
    "calibration": "the predicted and the observed rates of",
    "flag_diff": "the flag rates of",
}
AT_LEAST = ("ge", ">=", "min", "at_least", "greater", "above")


def verdict_word(passed) -> str:
    """PASSED, FAILED, or NOT DECIDED for a check's ``passed`` field."""
    if passed is True or passed == 1 and not isinstance(passed, float):
        return "PASSED"
    if passed is False or passed == 0 and not isinstance(passed, float):
        return "FAILED"
    return "NOT DECIDED"


def who(attribute, group) -> str:
    """'people whose sex is "F"' (intersections: 'people in the group "F x rural" ...')."""
    attribute, group = str(attribute), str(group)
    if any(sep in attribute for sep in (" x ", "×", "&", "*", "+")):
        return f"people in the group \u201c{group}\u201d ({attribute})"
    return f"people whose {attribute} is \u201c{group}\u201d"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _get(check: dict, *keys):
    for key in keys:
        value = check.get(key)
        if value is not None and not (isinstance(value, float) and value != value):
            return value
    return None


def _family(metric: str) -> str:
    m = metric.lower()
    if ("flag" in m or "selection" in m or "disparate" in m) and "ratio" in m:
        return "ratio"
    if "fpr" in m or "false_positive" in m:
        return "fpr"
    if "fnr" in m or "false_negative" in m:
        return "fnr"
    if "calib" in m or "citl" in m or "ece" in m:
        return "calibration"
    if "auc" in m:
        return "auc_diff" if "diff" in m or "gap" in m else "auc"
    if "flag" in m or "selection" in m or "parity" in m:
        return "flag_diff"
    return "generic"


def _at_least(check: dict, family: str) -> bool:
    explicit = str(_get(check, "comparison", "direction", "rule") or "").lower()
    if explicit:
        return explicit in AT_LEAST
    value, threshold, passed = (_get(check, k) for k in ("value", "threshold", "passed"))
    if family == "ratio" and is_number(threshold):
        return float(threshold) < 1
    if family == "auc" and "diff" not in str(check.get("metric", "")).lower():
        return True
    if family in ("fpr", "fnr", "calibration", "flag_diff"):
        return False
    if is_number(value) and is_number(threshold) and isinstance(passed, bool):
        return (float(value) >= float(threshold)) == passed
    return False


def _reference(check: dict, fallback: str = "the most favoured {attribute} group") -> str:
    ref = _get(check, "reference_group", "reference", "privileged_group")
    attribute = check.get("attribute", "")
    return who(attribute, ref) if ref is not None else fallback.format(attribute=attribute)


def _n_text(check: dict) -> str:
    n = _get(check, "n")
    return f"; {count(n)} observations" if is_number(n) else ""


def _paren_n(check: dict) -> str:
    n = _get(check, "n")
    return f" ({count(n)} observations)" if is_number(n) else ""


def _ratio(check: dict) -> str:
    value, threshold = _get(check, "value"), _get(check, "threshold")
    if not_comparable(check):
        return (
            f"The flag rates of {who(check.get('attribute'), check.get('group'))} and "
            f"{_reference(check)} cannot be compared: "
            f"{too_few_text(check, _get(check, 'min_flagged'))}. {_ratio_limit(threshold)}"
        )
    rate, ref_rate = _get(check, "rate", "flag_rate"), _get(check, "reference_rate")
    low, high = _get(check, "ci_low"), _get(check, "ci_high")
    inverted = is_number(threshold) and float(threshold) < 1
    if is_number(rate) and is_number(ref_rate) and float(ref_rate) > 0:
        times = float(rate) / float(ref_rate)
    elif is_number(value) and float(value) > 0:
        times = 1 / float(value) if inverted else float(value)
    else:
        times = None
    if times is None:
        return (
            f"There are not enough data to compare how often "
            f"{who(check.get('attribute'), check.get('group'))} and {_reference(check)} were "
            f"flagged{_paren_n(check)}"
        )
    ci = ""
    if is_number(low) and is_number(high) and float(low) > 0:
        a, b = (1 / float(high), 1 / float(low)) if inverted else (float(low), float(high))
        ci = f"95% interval {num(a)} to {num(b)} times"
    detail = "; ".join(p for p in (ci, _n_text(check).lstrip("; ")) if p)
    head = (
        f"{_cap(who(check.get('attribute'), check.get('group')))} were flagged for review "
        f"{num(times)} times as often as {_reference(check)}"
    )
    return f"{head}{f' ({detail})' if detail else ''}. {_ratio_limit(threshold)}"


def _ratio_limit(threshold) -> str:
    if not is_number(threshold) or float(threshold) <= 0:
        return ""
    t = float(threshold)
    times = 1 / t if t < 1 else t
    rule = " (the four-fifths rule)" if abs(times - 1.25) < 1e-9 else ""
    ratio = f", a ratio of at least {num(t)}" if t < 1 else ""
    return f"The screen allows at most {num(times)} times as often{ratio}{rule}"


def _points(x) -> str:
    x = float(x)
    return f"{abs(100 * x if abs(x) <= 1 else x):.1f} percentage points"


def _difference(check: dict, family: str) -> str:
    value, threshold = _get(check, "value"), _get(check, "threshold")
    low, high = _get(check, "ci_low"), _get(check, "ci_high")
    subject = who(check.get("attribute"), check.get("group"))
    more = "more" if not is_number(value) or float(value) >= 0 else "less"
    reference = _reference(check, "the reference {attribute} group")
    if not is_number(value):
        return (f"There are not enough data to compare {NO_DATA[family]} {subject} and "
                f"{reference}{_paren_n(check)}")
    size = _points(value) if is_number(value) else "an unknown amount"
    if family == "fpr":
        head = (
            f"Among people who did not go on to fail their obligations, {subject} were "
            f"wrongly flagged {size} {more} often than {reference}"
        )
    elif family == "fnr" and "excess" in str(check.get("metric", "")):
        head = (
            f"Among people who did go on to fail their obligations, {subject} were "
            f"missed (not flagged) {size} {more} often than their own predicted PDs imply, "
            f"set against the same excess for {reference}"
        )
    elif family == "fnr":
        head = (
            f"Among people who did go on to fail their obligations, {subject} were "
            f"missed (not flagged) {size} {more} often than {reference}"
        )
    elif family == "calibration":
        mean_pd, observed = (
            _get(check, "mean_pd", "predicted"),
            _get(check, "observed_rate", "observed"),
        )
        side = "above" if not is_number(value) or float(value) >= 0 else "below"
        head = f"For {subject}, the average predicted PD was {size} {side} the observed rate"
        if is_number(mean_pd) and is_number(observed):
            head += (
                f" ({100 * float(mean_pd):.1f}% predicted against "
                f"{100 * float(observed):.1f}% observed)"
            )
    else:
        head = f"{_cap(subject)} were flagged {size} {more} often than {reference}"
    ci = (
        f"95% interval {_signed_points(low)} to {_signed_points(high)} points"
        if is_number(low) and is_number(high)
        else ""
    )
    detail = "; ".join(p for p in (ci, _n_text(check).lstrip("; ")) if p)
    limit = f"The gate allows at most {_points(threshold)}" if is_number(threshold) else ""
    return f"{head}{f' ({detail})' if detail else ''}. {limit}"


def _signed_points(x) -> str:
    x = float(x)
    x = 100 * x if abs(x) <= 1 else x
    return f"{x:+.1f}"


def _generic(check: dict, family: str) -> str:
    value, threshold = _get(check, "value"), _get(check, "threshold")
    low, high = _get(check, "ci_low"), _get(check, "ci_high")
    subject = who(check.get("attribute"), check.get("group"))
    name = (
        "The AUC (how well the model ranks risk)"
        if family == "auc"
        else (f"The {str(check.get('metric', 'value')).replace('_', ' ')}")
    )
    ci = f"95% interval {num(low)} to {num(high)}" if is_number(low) and is_number(high) else ""
    detail = "; ".join(p for p in (ci, _n_text(check).lstrip("; ")) if p)
    bound = "at least" if _at_least(check, family) else "at most"
    limit = f"The gate requires {bound} {num(threshold)}" if is_number(threshold) else ""
    return f"{name} for {subject} is {num(value)}{f' ({detail})' if detail else ''}. {limit}"


def _auc_gap(check: dict) -> str:
    value, threshold = _get(check, "value"), _get(check, "threshold")
    low, high = _get(check, "ci_low"), _get(check, "ci_high")
    subject = who(check.get("attribute"), check.get("group"))
    ci = f"95% interval {num(low)} to {num(high)}" if is_number(low) and is_number(high) else ""
    detail = "; ".join(p for p in (ci, _n_text(check).lstrip("; ")) if p)
    limit = f"The gate allows a gap of at most {num(threshold)}" if is_number(threshold) else ""
    if not is_number(value):
        return (f"There are too few people with each outcome among {subject} to compare how "
                "well the model ranks their risk")
    return (
        f"The model ranks risk less well for {subject} than for "
        f"{_reference(check, 'the best-ranked {attribute} group')}: its AUC is lower by "
        f"{float(value):.3f}{f' ({detail})' if detail else ''}. {limit}"
    )


def _ending(check: dict) -> str:
    word = verdict_word(check.get("passed"))
    status = str(check.get("status") or "").lower()
    if word != "FAILED" and not_comparable(check):
        text = " \u2014 NOT COMPARED: the gate counts it as passed; it is listed for review"
    elif word != "FAILED" and status == "insufficient":
        text = " \u2014 NOT ENOUGH DATA: the gate counts it as passed"
    elif status == "inconclusive":
        text = (
            " \u2014 INCONCLUSIVE: this check PASSED, but its interval reaches across the "
            "limit, so it is listed for a person to review"
        )
    else:
        text = f" \u2014 this check {word}"
    if check.get("gate") is False:
        text += " (reported only: not a gate check)"
    if check.get("exemption"):
        text += f" (exempted by the policy: {check['exemption']})"
    return text + "."


def _records(check: dict) -> str:
    """A record_disparity check: the group's records against those its behaviour predicts."""
    value, threshold = _get(check, "value"), _get(check, "threshold")
    low, high = _get(check, "ci_low"), _get(check, "ci_high")
    family = str(check.get("family") or "records")
    words = (family.split(":", 1)[1].replace("_", " ") + " public records" if ":" in family
             else family.replace("_", " "))
    subject = _cap(who(check.get("attribute"), check.get("group")))
    if not is_number(value):
        return f"The {words} of {who(check.get('attribute'), check.get('group'))} are too few " \
               "to compare with their other recorded behaviour"
    ci = f"95% interval {num(low)} to {num(high)} times" if is_number(low) else ""
    detail = "; ".join(p for p in (ci, _n_text(check).lstrip("; ")) if p)
    return (f"{subject} have {num(value)} times the {words} their other recorded behaviour "
            f"predicts, compared with everyone else{f' ({detail})' if detail else ''}. The "
            f"policy allows at most {num(threshold)} times")


def check_sentence(check: dict) -> str:
    """One check of ``audit.json`` as a plain sentence ending in PASSED or FAILED."""
    family = _family(str(check.get("metric", "")))
    if check.get("metric") == "record_disparity":
        return _records(check).rstrip(". ") + _ending(check)
    if family == "ratio":
        text = _ratio(check)
    elif family == "auc_diff":
        text = _auc_gap(check)
    elif family in ("fpr", "fnr", "calibration", "flag_diff") and not _at_least(check, family):
        text = _difference(check, family)
    else:
        text = _generic(check, family)
    return text.rstrip(". ") + _ending(check)
