"""Reason families: which features restate one fact (the rule ``_sentences`` and
``_weighing`` both read).

Features that restate one fact over different look-back windows
(``si_late_count_6m``, ``_12m``, ``_36m``) or as a count and an amount
(``si_arrears_count``, ``si_arrears_amount``) share a family: the name without
its window and measure suffixes. Every public-record feature is one family
(``FAMILY_PREFIXES``); ``FAMILY_OVERRIDES`` names the exceptions.
"""

from __future__ import annotations

import re

__all__ = ["family_key", "FAMILY_OVERRIDES", "FAMILY_PREFIXES"]

#: a window suffix: _3m, _12m, _36m, _ever
_WINDOW = re.compile(r"_(\d+[dmy]|ever)$")
#: a measure suffix: a count and an amount of the same items are one fact
_MEASURE = re.compile(r"_(count|amount)$")

#: explicit family of a feature name (overrides the rules below): an entity's current
#: arrears are one fact (guide: entities), however they are counted
FAMILY_OVERRIDES: dict[str, str] = {
    "ent_arrears_employees": "ent_arrears",
    "ent_arrears_months": "ent_arrears",
    "ent_days_overdue_max": "ent_arrears",
}

#: features whose name starts with the prefix restate one fact: every public
#: record feature (counts by type, severity and window, amounts, unresolved,
#: resolved share, months since the last) describes the records on file
FAMILY_PREFIXES: dict[str, str] = {"pr_": "public_records"}


def family_key(name: str) -> str:
    """The family of a feature name: ``FAMILY_OVERRIDES``, ``FAMILY_PREFIXES``, else the
    name without its window suffix and then without a ``_count``/``_amount`` suffix.

    >>> family_key("si_late_count_12m")
    'si_late'
    >>> family_key("si_arrears_amount")
    'si_arrears'
    >>> family_key("pr_unresolved_amount")
    'public_records'
    """
    if name in FAMILY_OVERRIDES:
        return FAMILY_OVERRIDES[name]
    for prefix, key in FAMILY_PREFIXES.items():
        if name.startswith(prefix):
            return key
    return _MEASURE.sub("", _WINDOW.sub("", name))
