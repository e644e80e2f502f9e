"""Who belongs to which group: protected attributes, age bands, intersections.

The protected table enters the package only here (and in mitigation's
training weights): it is joined to the scored rows by ``subject_id``, never
to model inputs. A group with fewer distinct subjects than the policy's
``min_group_size`` is suppressed: it keeps its name in the list of suppressed
groups and leaves every computation, so none of its values can appear.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .._errors import InputError

__all__ = [
    "Grouping", "age_bands", "sensitive_frame", "resolve_attributes", "groupings",
    "INTERSECTION_SEP",
]

INTERSECTION_SEP = " & "
MSG_MISSING_ATTRIBUTE = (
    "{source}: protected attribute {attribute!r} is missing (columns: {columns}); add it, or "
    "set missing_attributes: skip in the policy"
)
MSG_DUPLICATE_SUBJECT = (
    "{source}: subject_id {subject!r} appears {count} times; expected one row per subject"
)
MSG_NO_COLUMN = "{source}: column {column!r} is missing; expected {expected}"


@dataclass(frozen=True)
class Grouping:
    """One way of cutting the population: an attribute or an intersection.

    ``codes[i]`` is the reported group of row i, or -1 (attribute missing, or
    its group suppressed); ``names[c]`` is the name of group ``c``.
    """

    attribute: str
    codes: np.ndarray
    names: tuple[str, ...]
    suppressed: tuple[str, ...]
    n_missing: int

    @property
    def n_groups(self) -> int:
        return len(self.names)


def age_bands(birth_year, as_of, edges=(30, 45, 60)) -> pd.Series:
    """Age in whole years at ``as_of`` (year of as_of minus birth year), banded.

    >>> age_bands(pd.Series([1990, 1950]), pd.Timestamp("2024-06-30")).tolist()
    ['30-44', '60+']
    """
    birth = pd.to_numeric(pd.Series(birth_year), errors="coerce").reset_index(drop=True)
    if np.ndim(as_of) == 0:
        year = pd.Series(pd.Timestamp(as_of).year, index=birth.index, dtype=float)
    else:
        year = pd.Series(pd.to_datetime(pd.Series(as_of)).dt.year.to_numpy(), dtype=float)
    age = (year - birth).to_numpy(dtype=float)
    edges = list(edges)
    middle = [f"{lo}-{hi - 1}" for lo, hi in zip(edges[:-1], edges[1:], strict=True)]
    labels = [f"<{edges[0]}", *middle, f"{edges[-1]}+"]
    idx = np.searchsorted(np.asarray(edges), age, side="right")
    out = np.array(labels, dtype=object)[np.clip(idx, 0, len(labels) - 1)]
    out[np.isnan(age)] = None
    return pd.Series(out, dtype=object)


def sensitive_frame(frame: pd.DataFrame, protected: pd.DataFrame, policy,
                    source: str = "protected") -> tuple[pd.DataFrame, list[str]]:
    """The policy's attributes for each row of ``frame`` (by subject_id and as_of).

    Returns the attribute frame (positional index, one row per row of
    ``frame``) and the attributes that are unavailable (policy skip mode).
    """
    for name, table, cols in (("features", frame, ("subject_id", "as_of")),
                              (source, protected, ("subject_id",))):
        for col in cols:
            if col not in table.columns:
                raise InputError(MSG_NO_COLUMN.format(source=name, column=col,
                                                      expected=", ".join(cols)))
    counts = protected["subject_id"].astype(str).value_counts()
    if len(counts) and counts.iloc[0] > 1:
        raise InputError(MSG_DUPLICATE_SUBJECT.format(source=source, subject=counts.index[0],
                                                      count=int(counts.iloc[0])))
    prot = protected.assign(subject_id=protected["subject_id"].astype(str)).set_index("subject_id")
    joined = prot.reindex(frame["subject_id"].astype(str).to_numpy()).reset_index(drop=True)
    return resolve_attributes(joined, frame["as_of"].to_numpy(), policy, source)


def resolve_attributes(table: pd.DataFrame, as_of, policy,
                       source: str = "sensitive_features") -> tuple[pd.DataFrame, list[str]]:
    """Pick the policy's attributes from a per-row table; band ages from birth_year."""
    out, unavailable = {}, []
    for attr in policy.attributes:
        if attr in table.columns:
            out[attr] = _labels(table[attr])
        elif attr == "age_band" and "birth_year" in table.columns and as_of is not None:
            out[attr] = age_bands(table["birth_year"].to_numpy(), as_of, policy.age_bands)
        elif policy.missing_attributes == "skip":
            unavailable.append(attr)
        else:
            raise InputError(MSG_MISSING_ATTRIBUTE.format(
                source=source, attribute=attr, columns=", ".join(map(str, table.columns))))
    return pd.DataFrame(out, index=pd.RangeIndex(len(table))), unavailable


def _labels(values) -> pd.Series:
    s = pd.Series(values).reset_index(drop=True)
    out = s.astype(object).map(lambda v: None if pd.isna(v) else str(v))
    return out.astype(object)


def groupings(sensitive: pd.DataFrame, subjects: np.ndarray, policy) -> list[Grouping]:
    """Every attribute and intersection of the policy that the data hold."""
    cols = {c: _labels(sensitive[c]) for c in sensitive.columns}
    out = [_encode(attr, cols[attr], subjects, policy.min_group_size)
           for attr in policy.attributes if attr in cols]
    for combo in policy.intersections:
        if not all(c in cols for c in combo):
            continue
        known = np.logical_and.reduce([cols[c].notna().to_numpy() for c in combo])
        joined = cols[combo[0]].astype(str)
        for c in combo[1:]:
            joined = joined + INTERSECTION_SEP + cols[c].astype(str)
        joined = joined.to_numpy(dtype=object)
        joined[~known] = None
        out.append(_encode(" x ".join(combo), pd.Series(joined, dtype=object), subjects,
                           policy.min_group_size))
    return out


def _encode(attribute: str, labels: pd.Series, subjects: np.ndarray, min_size: int) -> Grouping:
    known = labels.notna().to_numpy()
    sizes = pd.Series(subjects[known]).groupby(labels[known].to_numpy()).nunique()
    keep = sorted(str(g) for g in sizes.index[sizes >= min_size])
    suppressed = sorted(str(g) for g in sizes.index[sizes < min_size])
    lookup = {g: i for i, g in enumerate(keep)}
    codes = np.array([lookup.get(v, -1) if v is not None else -1 for v in labels], dtype=np.int64)
    return Grouping(attribute, codes, tuple(keep), tuple(suppressed), int((~known).sum()))
