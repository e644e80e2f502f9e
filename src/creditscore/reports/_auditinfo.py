"""What a fairness audit directory holds, read once for the reports.

``creditscore audit`` writes ``audit.json`` (``passed``, ``model``, ``checks``,
``suppressed``, ``proxies``, ``policy``) and per-group metrics into its output
directory. Per-group metrics are looked for inside ``audit.json`` (``groups``,
``group_metrics``, ``per_group``) and then as a file beside it
(``group_metrics``/``groups``/``per_group``/``metrics_by_group``, as .csv,
.parquet or .json). Suppressed groups are dropped from the per-group data
here, whatever the file holds, so no report can show their numbers.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .._errors import InputError
from ._flagged import DEFAULT_MIN_FLAGGED, apply_flag_rule
from ._sources import find, read_json, read_table

__all__ = ["AuditInfo"]

MSG_NO_AUDIT = "{path}: no audit.json (expected the output directory of creditscore audit)"
GROUP_KEYS = ("groups", "group_metrics", "per_group", "by_group", "metrics_by_group")
GROUP_FILES = (
    "audit_groups",
    "group_metrics",
    "groups",
    "per_group",
    "metrics_by_group",
    "by_group",
)
CI_SUFFIXES = (("_ci_low", "_ci_high"), ("_lo", "_hi"), ("_low", "_high"), ("_lower", "_upper"))


@dataclass(frozen=True)
class AuditInfo:
    """An audit's verdict, checks, per-group metrics, suppressed groups and proxies.

    Attributes
    ----------
    checks : pandas.DataFrame
        One row per check: attribute, metric, group, value, threshold, ci_low,
        ci_high, n, passed (and any other fields the audit wrote).
    groups : pandas.DataFrame or None
        One row per reportable (attribute, group) with its metrics; ``<m>_ci_low``
        and ``<m>_ci_high`` hold intervals.
    suppressed : list of (attribute, group)
        Groups the audit suppressed (too few people) and intersections the
        reports suppress (too few flagged, see :mod:`._flagged`).
    proxies : pandas.DataFrame or None
    reasons : dict
        (attribute, group) -> why it is suppressed.
    """

    path: Path
    raw: dict
    checks: Any
    groups: Any
    suppressed: list[tuple[str, str]]
    proxies: Any
    policy: dict
    reasons: dict = field(default_factory=dict)

    @classmethod
    def from_dir(cls, audit_dir: str | os.PathLike) -> AuditInfo:
        path = Path(audit_dir)
        file = path / "audit.json"
        if not file.is_file():
            raise InputError(MSG_NO_AUDIT.format(path=path))
        raw = read_json(file)
        suppressed = _suppressed(raw.get("suppressed"))
        reasons = _reasons(raw.get("suppressed"))
        groups = _groups(path, raw)
        if groups is not None and suppressed:
            keep = [
                (str(a), str(g)) not in set(suppressed)
                for a, g in zip(groups["attribute"], groups["group"], strict=True)
            ]
            groups = groups[keep].reset_index(drop=True)
        policy = dict(raw.get("policy") or {})
        min_flagged = find(policy, "min_cell_size", "min_flagged") or DEFAULT_MIN_FLAGGED
        checks, groups, extra = apply_flag_rule(
            _checks(raw.get("checks") or []), groups, suppressed, int(min_flagged)
        )
        for attribute, group, reason in extra:
            suppressed.append((attribute, group))
            reasons[(attribute, group)] = reason
        return cls(
            path, raw, checks, groups, suppressed, _proxies(raw.get("proxies")), policy, reasons
        )

    @property
    def passed(self) -> bool:
        return self.raw.get("passed") is True

    @property
    def model_hash(self) -> str | None:
        found = find(self.raw, "model_hash", "model")
        return found if isinstance(found, str) else None

    @property
    def min_group_size(self):
        return find(self.policy, "min_group_size", "minimum_group_size", "min_n")


def _split_ci(frame):
    """Turn list-valued ``*_ci`` / ``ci`` columns into ``*_ci_low`` / ``*_ci_high``."""
    for col in [c for c in frame.columns if c == "ci" or str(c).endswith("_ci")]:
        pairs = frame[col].map(lambda v: tuple(v) if isinstance(v, list | tuple) else (None, None))
        frame[f"{col}_low"] = pairs.map(lambda p: p[0] if len(p) == 2 else None)
        frame[f"{col}_high"] = pairs.map(lambda p: p[1] if len(p) == 2 else None)
        frame = frame.drop(columns=col)
    for low, high in CI_SUFFIXES[1:]:
        for col in [c for c in frame.columns if str(c).endswith(low)]:
            base = str(col)[: -len(low)]
            if f"{base}{high}" in frame.columns and base in frame.columns:
                frame = frame.rename(
                    columns={col: f"{base}_ci_low", f"{base}{high}": f"{base}_ci_high"}
                )
    return frame


def _checks(records: list):
    import pandas as pd

    frame = pd.DataFrame.from_records(records)
    for col in ("attribute", "metric", "group", "reference", "value", "threshold", "n", "passed",
                "status"):
        if col not in frame.columns:
            frame[col] = None
    return _split_ci(frame)


def _group_records(raw: dict):
    for key in GROUP_KEYS:
        data = raw.get(key)
        if isinstance(data, list):
            return data
        if isinstance(data, dict):  # {attribute: {group: {metric: value}}}
            return [
                {"attribute": a, "group": g, **m}
                for a, groups in data.items()
                if isinstance(groups, dict)
                for g, m in groups.items()
                if isinstance(m, dict)
            ]
    return None


def _groups(path: Path, raw: dict):
    import pandas as pd

    records = _group_records(raw)
    if records is not None:
        frame = pd.DataFrame.from_records(records)
    else:
        files = [
            path / f"{stem}{ext}" for stem in GROUP_FILES for ext in (".parquet", ".csv", ".json")
        ]
        file = next((f for f in files if f.is_file()), None)
        if file is None:
            return None
        frame = read_table(file)
    if frame.empty or not {"attribute", "group"} <= set(frame.columns):
        return None
    frame["attribute"] = frame["attribute"].astype(str)
    frame["group"] = frame["group"].astype(str)
    return _split_ci(frame)


def _suppressed(data) -> list[tuple[str, str]]:
    if not data:
        return []
    if isinstance(data, dict):  # {attribute: [group, ...]}
        return [(str(a), str(g)) for a, gs in data.items() for g in (gs or [])]
    out = []
    for item in data:
        if isinstance(item, dict):
            out.append((str(item.get("attribute", "")), str(item.get("group", ""))))
        elif isinstance(item, list | tuple) and len(item) >= 2:
            out.append((str(item[0]), str(item[1])))
        else:
            attribute, _, group = str(item).partition("=")
            out.append((attribute.strip(), group.strip()) if group else ("", attribute.strip()))
    return out


def _reasons(data) -> dict:
    if not isinstance(data, list):
        return {}
    return {
        (str(d.get("attribute", "")), str(d.get("group", ""))): str(d["reason"])
        for d in data
        if isinstance(d, dict) and d.get("reason")
    }


def _proxies(data):
    import pandas as pd

    if not data:
        return None
    if isinstance(data, dict):
        data = [
            {"feature": k, **(v if isinstance(v, dict) else {"score": v})} for k, v in data.items()
        ]
    data = [{"feature": d} if isinstance(d, str) else d for d in data]
    frame = pd.DataFrame.from_records(data)
    return None if frame.empty else frame
