"""The inspection plan (``PLAN.yaml``): sampling by tier, inspectors, seed, purpose.

A plan states either a sampling ratio per tier (``ratios``) or a total ``capacity``
split by relative sampling ``weights`` per tier; optional ``inspectors`` (an id, a
capacity each, and what each must not inspect); the ``seed``; the ``purpose`` written to
the audit log; optionally the ``records`` whose ``entities`` table gives ownership and
size band, and the ``disparity`` screen's settings. Every problem is one line naming the
plan file and the key (exit 2).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

from .._errors import InputError

__all__ = ["TIERS", "InspectionPlan", "Inspector", "read_plan", "parse_plan",
           "DEFAULT_ATTRIBUTES", "DEFAULT_THRESHOLD"]

TIERS = ("A", "B", "C", "D")
DEFAULT_ATTRIBUTES = ("ownership", "size_band")
DEFAULT_THRESHOLD = 0.8
_TOP = ("purpose", "seed", "records", "ratios", "capacity", "weights", "inspectors",
        "disparity")
_INSPECTOR = ("id", "capacity", "avoid")
_DISPARITY = ("attributes", "threshold", "min_group_size")

MSG_READ = "{file}: not a readable YAML plan ({error})"
MSG_KEY = "{file}: {key}: {what} (got {got!r}; expected {expected})"
MSG_UNKNOWN = "{file}: unknown key {key!r} (expected one of: {expected})"
MSG_SAMPLING = ("{file}: give either ratios (a sampling ratio per tier) or capacity with "
                "weights (a total split by relative weights per tier), not {got}")
MSG_FALLS = ("{file}: {key}.{tier} is {value}, below {key}.{prev} {before}: the sampling "
             "ratio must not fall as the risk class rises")


@dataclass(frozen=True)
class Inspector:
    """One inspector: an id, how many entities they can inspect, what they must avoid.

    ``avoid`` maps ``"entities"`` to entity ids and an ``entities`` column (``region``,
    ``ownership``, ...) to values: an entity matching any of them is not theirs.
    """

    id: str
    capacity: int
    avoid: dict[str, tuple[str, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class InspectionPlan:
    """A parsed plan. Exactly one of ``ratios`` and (``capacity``, ``weights``) is set."""

    source: str
    purpose: str | None
    seed: int | None
    records: Path | None
    ratios: dict[str, float] | None
    capacity: int | None
    weights: dict[str, float] | None
    inspectors: tuple[Inspector, ...]
    attributes: tuple[str, ...] = DEFAULT_ATTRIBUTES
    threshold: float = DEFAULT_THRESHOLD
    min_group_size: int | None = None

    @property
    def mode(self) -> str:
        """``"ratios"`` or ``"capacity"``."""
        return "ratios" if self.ratios is not None else "capacity"

    def public(self) -> dict:
        """What the public summary states of the plan (no conflict names an entity)."""
        return {"mode": self.mode, "ratios": self.ratios, "capacity": self.capacity,
                "weights": self.weights, "inspectors": len(self.inspectors),
                "inspector_capacity": sum(i.capacity for i in self.inspectors) or None,
                "conflicts_declared": sum(len(v) for i in self.inspectors
                                          for v in i.avoid.values())}


def _need(ok: bool, file: str, key: str, what: str, got, expected: str) -> None:
    if not ok:
        raise InputError(MSG_KEY.format(file=file, key=key, what=what, got=got,
                                        expected=expected))


def _known(raw: dict, allowed: tuple[str, ...], file: str, where: str = "") -> None:
    for key in raw:
        if key not in allowed:
            raise InputError(MSG_UNKNOWN.format(file=file, key=f"{where}{key}",
                                                expected=", ".join(allowed)))


def _number(value, file, key, lo, hi, integer=False):
    kind = int if integer else (int, float)
    ok = (isinstance(value, kind) and not isinstance(value, bool) and math.isfinite(value)
          and lo <= value <= hi)
    _need(ok, file, key, "out of range or wrong type", value,
          f"{'a whole number' if integer else 'a number'} in [{lo}, {hi}]")
    return value


def _per_tier(raw, file: str, key: str, hi: float) -> dict[str, float]:
    _need(isinstance(raw, dict) and set(map(str, raw)) == set(TIERS), file, key,
          "must give every tier", raw, "a mapping with A, B, C and D")
    out = {t: float(_number(raw[t], file, f"{key}.{t}", 0, hi)) for t in TIERS}
    for prev, tier in zip(TIERS[:-1], TIERS[1:], strict=True):
        if out[tier] < out[prev]:
            raise InputError(MSG_FALLS.format(file=file, key=key, tier=tier, prev=prev,
                                              value=out[tier], before=out[prev]))
    _need(out["D"] > 0, file, key, "draws nothing", raw, "a positive value for some tier")
    return out


def _avoid(raw, file: str, key: str) -> dict[str, tuple[str, ...]]:
    if raw is None:
        return {}
    _need(isinstance(raw, dict), file, key, "must be a mapping", raw,
          "entities: [ids] and/or an entities column: [values]")
    out = {}
    for name, values in raw.items():
        values = [values] if isinstance(values, str | int) else values
        _need(isinstance(values, list) and all(isinstance(v, str | int) for v in values),
              file, f"{key}.{name}", "must be a list", values, "a list of ids or values")
        out[str(name)] = tuple(str(v) for v in values)
    return out


def _inspectors(raw, file: str) -> tuple[Inspector, ...]:
    if raw is None:
        return ()
    _need(isinstance(raw, list) and raw, file, "inspectors", "must be a non-empty list", raw,
          "a list of {id, capacity, avoid}")
    out, seen = [], set()
    for i, item in enumerate(raw):
        key = f"inspectors[{i}]"
        _need(isinstance(item, dict), file, key, "must be a mapping", item, "{id, capacity}")
        _known(item, _INSPECTOR, file, f"{key}.")
        ident = item.get("id")
        _need(isinstance(ident, str | int) and str(ident).strip() and str(ident) not in seen,
              file, f"{key}.id", "missing or repeated", ident, "a unique id")
        seen.add(str(ident))
        cap = _number(item.get("capacity"), file, f"{key}.capacity", 1, 10**7, integer=True)
        out.append(Inspector(str(ident), cap, _avoid(item.get("avoid"), file, f"{key}.avoid")))
    return tuple(out)


def _disparity(raw, file: str) -> dict:
    if raw is None:
        return {}
    _need(isinstance(raw, dict), file, "disparity", "must be a mapping", raw,
          "attributes, threshold, min_group_size")
    _known(raw, _DISPARITY, file, "disparity.")
    out = {}
    if "attributes" in raw:
        names = raw["attributes"]
        _need(isinstance(names, list) and names and all(isinstance(n, str) for n in names)
              and len(set(names)) == len(names), file, "disparity.attributes",
              "must be a list of entities columns", names, "e.g. [ownership, size_band]")
        out["attributes"] = tuple(names)
    if "threshold" in raw:
        out["threshold"] = float(_number(raw["threshold"], file, "disparity.threshold", 0, 1))
    if "min_group_size" in raw:
        out["min_group_size"] = _number(raw["min_group_size"], file,
                                        "disparity.min_group_size", 1, 10**7, integer=True)
    return out


def _sampling(raw: dict, file: str):
    has_ratios, has_capacity = "ratios" in raw, "capacity" in raw or "weights" in raw
    if has_ratios == has_capacity:
        got = "both" if has_ratios else "neither"
        raise InputError(MSG_SAMPLING.format(file=file, got=got))
    if has_ratios:
        return _per_tier(raw["ratios"], file, "ratios", 1.0), None, None
    capacity = _number(raw.get("capacity"), file, "capacity", 1, 10**9, integer=True)
    return None, capacity, _per_tier(raw.get("weights"), file, "weights", 1e9)


def parse_plan(raw, file: str = "<plan>", base: Path | None = None) -> InspectionPlan:
    """A plan from its parsed YAML; ``base`` resolves a relative ``records`` path."""
    _need(isinstance(raw, dict), file, "*", "must be a mapping", raw, "a YAML mapping")
    _known(raw, _TOP, file)
    ratios, capacity, weights = _sampling(raw, file)
    seed = raw.get("seed")
    if seed is not None:
        seed = _number(seed, file, "seed", 0, 2**63 - 1, integer=True)
    purpose = raw.get("purpose")
    _need(purpose is None or (isinstance(purpose, str) and purpose.strip()), file, "purpose",
          "must be a sentence", purpose, "why these entities are inspected")
    records = raw.get("records")
    _need(records is None or isinstance(records, str), file, "records", "must be a path",
          records, "a record set directory or an entities file")
    if records is not None:
        records = Path(records) if base is None else base / records
    return InspectionPlan(file, purpose, seed, records, ratios, capacity, weights,
                          _inspectors(raw.get("inspectors"), file),
                          **_disparity(raw.get("disparity"), file))


def read_plan(path: str | Path) -> InspectionPlan:
    """Read ``PLAN.yaml``; a relative ``records`` path is taken from the plan's folder."""
    import yaml

    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        error = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(MSG_READ.format(file=path, error=error)) from exc
    return parse_plan(raw, str(path), path.parent)
