"""Record families: which records feed a model, and how each is counted.

A record family is a kind of record whose *recording* may be uneven across
groups (an authority, a court or a lender decides what is entered): public
records (all of them, and each record type on its own), late social
insurance contributions, late loan instalments. Each family is counted, per
row of a feature table, by one catalogue feature (``COUNTS``), and is
predicted, for the record-disparity screen, from the features of the
*other* record sources (``predictors``): a person's contribution and
repayment history says how many public records their behaviour would
produce, independently of how the public records were kept. A lateness
family is also given its own source's features that are not lateness (how
many contributions or instalments were owed, the wage base, card use): the
exposure to being late.

Which families a model uses is read from its feature names and the feature
catalogue alone (``families_used``): a public-record feature that counts one
record type (``pr_tax_arrears_count``) uses that type; any other
public-record feature (``pr_count``, ``pr_unresolved_amount``, ...) uses
every type. Nothing here reads how the records were generated.
"""

from __future__ import annotations

import re

__all__ = ["Family", "record_families", "families_used", "predictors"]

PUBLIC, CONTRIB, REPAY = "public_records", "contributions", "repayments"
#: words in a contribution or repayment feature's name that make it a lateness record
_LATE = re.compile(r"late|ontime|arrears|overdue|delinquen")
_TYPE_COUNT = re.compile(r"^pr_(?P<type>[a-z_]+)_count$")
#: sources never used as predictors: public records are the most discretionary records
_NEVER_PREDICT = (PUBLIC,)


class Family:
    """One record family: its name, the column counting it, and its source table."""

    def __init__(self, name: str, count: str, source: str, record_type: str | None = None):
        self.name, self.count, self.source, self.record_type = name, count, source, record_type

    @property
    def plain(self) -> str:
        """Words for sentences: "public records", "tax arrears records"."""
        if self.record_type is not None:
            return self.record_type.replace("_", " ") + " records"
        return {"public_records": "public records", "late_contributions":
                "late social insurance contributions",
                "late_instalments": "loan instalments 30 or more days late"}[self.name]

    def __repr__(self) -> str:
        return f"Family({self.name!r}, count={self.count!r})"


def _source(name: str) -> str | None:
    from ..features import get_feature

    try:
        return get_feature(name).source
    except (KeyError, ValueError):
        pass
    from ..features._entity_defs import ENTITY_FEATURES  # the guide (entities)

    return next((f.source for f in ENTITY_FEATURES if f.name == name), None)


def _record_types() -> list[str]:
    from ..records._catalogue import load_catalogue

    return sorted(load_catalogue().record_types)


def record_families(columns) -> list[Family]:
    """The families whose counting column is in ``columns`` (catalogue order)."""
    cols = set(columns)
    out = []
    if "pr_count" in cols:
        out.append(Family(PUBLIC, "pr_count", PUBLIC))
    for rtype in _record_types():
        name = f"pr_{rtype}_count"
        if name in cols:
            out.append(Family(f"{PUBLIC}:{rtype}", name, PUBLIC, rtype))
    if "si_late_count_36m" in cols:
        out.append(Family("late_contributions", "si_late_count_36m", CONTRIB))
    if "rp_late30_count_24m" in cols:
        out.append(Family("late_instalments", "rp_late30_count_24m", REPAY))
    return out


def families_used(feature_names, families) -> dict[str, bool]:
    """Whether a model with these input features uses each family (None: every family)."""
    if feature_names is None:
        return {fam.name: True for fam in families}
    types = set(_record_types())
    public_types: set[str] = set()
    late = {CONTRIB: False, REPAY: False}
    for name in feature_names:
        source = _source(name)
        if source == PUBLIC:
            m = _TYPE_COUNT.match(name)
            public_types |= {m["type"]} if m and m["type"] in types else types | {"*"}
        elif source in late and _LATE.search(name):
            late[source] = True
    used = {}
    for fam in families:
        if fam.source == PUBLIC:
            used[fam.name] = ("*" in public_types if fam.record_type is None
                              else fam.record_type in public_types)
        else:
            used[fam.name] = late[fam.source]
    return used


def predictors(columns, family: Family) -> list[str]:
    """The behaviour a family is predicted from: catalogue features of the other record
    sources and, for a lateness family, its own source's features that are not lateness
    (how many contributions or instalments were owed: the exposure). Never public records,
    never a label (neither is a catalogue feature of another source)."""
    out = []
    for name in columns:
        source = _source(name)
        if source is None or source in _NEVER_PREDICT:
            continue
        if source != family.source or (family.source != PUBLIC and not _LATE.search(name)):
            out.append(name)
    return out
