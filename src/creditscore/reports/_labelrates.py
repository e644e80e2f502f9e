"""Label base rates by protected group, with small groups suppressed."""

from __future__ import annotations

import math

__all__ = ["label_rates", "wilson", "AGE_BANDS", "TARGETS", "ATTRIBUTES"]

TARGETS = ("default_12m", "breach_12m")
ATTRIBUTES = ("sex", "age_band", "ethnicity", "hukou", "region")
AGE_EDGES = (0, 25, 35, 45, 55, 65, 200)
AGE_BANDS = ("under 25", "25-34", "35-44", "45-54", "55-64", "65 and over")


def wilson(k: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    """The Wilson 95% interval of a proportion k/n."""
    if n == 0:
        return (math.nan, math.nan)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (max(0.0, centre - half), min(1.0, centre + half))


def _with_groups(features, protected):
    import pandas as pd

    frame = features.merge(protected, on="subject_id", how="inner")
    if "birth_year" in frame.columns and "as_of" in frame.columns:
        age = pd.to_datetime(frame["as_of"]).dt.year - frame["birth_year"].astype(float)
        frame["age_band"] = pd.cut(age, AGE_EDGES, right=False, labels=AGE_BANDS).astype(str)
    return frame


def label_rates(features, protected, min_group_size: int = 50):
    """Base rate of each label per group of each protected attribute.

    Returns
    -------
    rates : pandas.DataFrame
        target, attribute, group, people, observations, rate, ci_low, ci_high;
        only groups with at least ``min_group_size`` people.
    suppressed : list of (attribute, group)
        Groups too small to show, for any target.
    """
    import pandas as pd

    frame = _with_groups(features, protected)
    rows, suppressed = [], {}
    for target in (t for t in TARGETS if t in frame.columns):
        known = frame[frame[target].notna()]
        for attribute in (a for a in ATTRIBUTES if a in known.columns):
            for group, part in known.groupby(attribute, sort=True):
                people = part["subject_id"].nunique()
                if people < min_group_size:
                    suppressed[(attribute, str(group))] = None
                    continue
                k, n = int(part[target].astype(int).sum()), len(part)
                low, high = wilson(k, n)
                rows.append(
                    {
                        "target": target,
                        "attribute": attribute,
                        "group": str(group),
                        "people": people,
                        "observations": n,
                        "rate": k / n,
                        "ci_low": low,
                        "ci_high": high,
                    }
                )
    columns = [
        "target",
        "attribute",
        "group",
        "people",
        "observations",
        "rate",
        "ci_low",
        "ci_high",
    ]
    return pd.DataFrame(rows, columns=columns), list(suppressed)
