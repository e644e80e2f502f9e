"""The gate policy: a versioned YAML file, shipped as a default, overridable.

A user file replaces the top-level keys it names and keeps the defaults of
the others. Every field is schema-checked; an error names the file and the
field (``PolicyError`` is an ``InputError``: exit code 2).
"""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from .._errors import InputError

__all__ = ["Policy", "CheckSpec", "PolicyError", "load_policy", "DEFAULT_POLICY", "METRICS"]

DEFAULT_POLICY = Path(__file__).with_name("policy.yaml")

MSG_FIELD = "{file}: policy field {field}: {what} (got {got!r}, expected {expected})"
MSG_PARSE = "{file}: not a readable YAML policy ({error})"
MSG_UNKNOWN = "{file}: unknown policy field {field} (expected one of {expected})"

# metric -> direction in which it fails: "below" the threshold, "above" it,
# or "outside" [-threshold, threshold].
METRICS = {
    "flag_rate_ratio": "below",
    "fpr_difference": "above",
    "fnr_difference": "above",
    "fnr_excess_difference": "above",
    "calibration_gap": "outside",
    "auc_difference": "above",
    "record_disparity": "above",
}
_TOP = ("policy_version", "attributes", "missing_attributes", "intersections", "age_bands",
        "min_group_size", "min_cell_size", "decision", "inference", "checks", "proxies")
#: threshold ranges of the ratio metrics (the differences: [0, 0.5])
_RANGES = {"flag_rate_ratio": (0.01, 1.0), "record_disparity": (1.0, 10.0)}
_PROXY_KEYS = {"auc": (0.5, 1.0), "nmi": (0.0, 1.0), "disparity_reduction": (0.0, 1.0),
               "max_rows": (100, 10**9)}


class PolicyError(InputError):
    """A gate policy file that does not follow the policy schema."""


@dataclass(frozen=True)
class CheckSpec:
    """One metric of the gate: its threshold, whether it decides the verdict, and
    the attributes exempted from its gate with a written justification."""

    metric: str
    threshold: float
    gate: bool
    exempt: tuple[tuple[str, str], ...] = ()

    @property
    def direction(self) -> str:
        """Which side of the threshold passes: ``'min'`` (at least) or ``'max'`` (at most)."""
        return METRICS[self.metric]

    def exemption(self, attribute: str) -> str | None:
        """The written justification exempting ``attribute`` (or an intersection
        containing it) from this check's gate, or None."""
        parts = set(attribute.split(" x "))
        found = [why for attr, why in self.exempt if attr in parts]
        return "; ".join(found) if found else None


@dataclass(frozen=True)
class Policy:
    """A loaded, schema-checked gate policy (see ``policy.yaml`` for every field)."""

    version: str
    attributes: tuple[str, ...]
    missing_attributes: str
    intersections: tuple[tuple[str, ...], ...]
    age_bands: tuple[int, ...]
    min_group_size: int
    min_cell_size: int
    flag_tiers: tuple[str, ...] | None
    pd_cutoff: float | None
    ci_level: float
    adjust: str
    n_boot: int
    checks: tuple[CheckSpec, ...]
    proxies: dict
    source: str
    raw: dict

    def check(self, metric: str) -> CheckSpec | None:
        """The policy's specification of ``metric`` (a :class:`CheckSpec`), or None if it has none.
        """
        return next((c for c in self.checks if c.metric == metric), None)

    @property
    def sha256(self) -> str:
        """Digest of the effective policy (what the verdict was reached under)."""
        text = json.dumps(self.raw, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()

    def to_dict(self) -> dict:
        """The policy as loaded, with its source path and the sha256 of its text."""
        return {**copy.deepcopy(self.raw), "source": self.source, "sha256": self.sha256}


def load_policy(policy: Policy | str | Path | dict | None = None) -> Policy:
    """Load the shipped policy, overridden by a user file or mapping.

    Parameters
    ----------
    policy : Policy, path, dict or None, default=None
        None: the shipped default. A path: a YAML file whose top-level keys
        replace the default's. A dict: the same, already parsed.

    Raises
    ------
    PolicyError
        Naming the file and the field that is wrong.
    """
    if isinstance(policy, Policy):
        return policy
    raw = _read(DEFAULT_POLICY)
    file = str(DEFAULT_POLICY)
    if policy is not None:
        user, file = (policy, "<policy dict>") if isinstance(policy, dict) else (
            _read(Path(policy)), str(policy))
        _need(isinstance(user, dict), file, "*", "must be a mapping", user, "a mapping")
        unknown = sorted(set(user) - set(_TOP))
        if unknown:
            raise PolicyError(MSG_UNKNOWN.format(file=file, field=unknown[0],
                                                 expected=", ".join(_TOP)))
        raw.update(copy.deepcopy(user))
    return _parse(raw, file)


def _read(path: Path) -> Any:
    try:
        return yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise PolicyError(MSG_PARSE.format(file=path, error=str(exc).splitlines()[0])) from exc


def _need(cond, file, field, what, got, expected) -> None:
    if not cond:
        raise PolicyError(MSG_FIELD.format(file=file, field=field, what=what, got=got,
                                           expected=expected))


def _number(value, file, field, lo, hi, integer=False):
    kind = int if integer else (int, float)
    ok = isinstance(value, kind) and not isinstance(value, bool) and lo <= value <= hi
    _need(ok, file, field, "out of range or wrong type", value,
          f"{'a whole number' if integer else 'a number'} in [{lo}, {hi}]")
    return value


def _names(value, file, field, allow_empty=False):
    ok = isinstance(value, list) and (allow_empty or value) and all(
        isinstance(v, str) and v.strip() for v in value)
    _need(ok, file, field, "must be a list of names", value, "a list of strings")
    _need(len(set(value)) == len(value), file, field, "has duplicates", value, "unique names")
    return tuple(value)


def _parse(raw: dict, file: str) -> Policy:
    version = raw.get("policy_version")
    _need(isinstance(version, str) and version.strip(), file, "policy_version",
          "is missing or empty", version, "a version string")
    attributes = _names(raw.get("attributes"), file, "attributes")
    missing = raw.get("missing_attributes")
    _need(missing in ("error", "skip"), file, "missing_attributes", "unknown value", missing,
          "error or skip")
    inter = raw.get("intersections") or []
    _need(isinstance(inter, list), file, "intersections", "must be a list", inter, "a list")
    intersections = []
    for i, combo in enumerate(inter):
        names = _names(combo, file, f"intersections[{i}]")
        _need(len(names) >= 2 and set(names) <= set(attributes), file, f"intersections[{i}]",
              "must name two or more of the attributes", combo, list(attributes))
        intersections.append(names)
    bands = raw.get("age_bands")
    _need(isinstance(bands, list) and bands == sorted(set(bands)) and all(
        isinstance(b, int) and not isinstance(b, bool) and 0 < b < 130 for b in bands),
        file, "age_bands", "must be increasing whole ages", bands, "e.g. [30, 45, 60]")
    tiers, cutoff = _decision(raw.get("decision"), file)
    return Policy(
        version=version.strip(), attributes=attributes, missing_attributes=missing,
        intersections=tuple(intersections), age_bands=tuple(bands),
        min_group_size=_number(raw.get("min_group_size"), file, "min_group_size", 1, 10**7, True),
        min_cell_size=_number(raw.get("min_cell_size"), file, "min_cell_size", 1, 10**7, True),
        flag_tiers=tiers, pd_cutoff=cutoff, **_inference(raw.get("inference"), file),
        checks=_checks(raw.get("checks"), file, attributes),
        proxies=_proxies(raw.get("proxies"), file),
        source=file, raw=raw,
    )


def _decision(spec, file):
    _need(isinstance(spec, dict) and len(spec) == 1 and set(spec) <= {"flag_tiers", "pd_cutoff"},
          file, "decision", "must hold exactly one of flag_tiers, pd_cutoff", spec,
          "{flag_tiers: [C, D]} or {pd_cutoff: 0.1}")
    if "flag_tiers" in spec:
        return _names(spec["flag_tiers"], file, "decision.flag_tiers"), None
    return None, float(_number(spec["pd_cutoff"], file, "decision.pd_cutoff", 1e-9, 1.0))


def _inference(spec, file) -> dict:
    _need(isinstance(spec, dict), file, "inference", "must be a mapping", spec, "a mapping")
    unknown = sorted(set(spec) - {"ci_level", "adjust", "n_boot"})
    _need(not unknown, file, f"inference.{unknown[0] if unknown else ''}", "unknown field",
          unknown, "ci_level, adjust, n_boot")
    level = _number(spec.get("ci_level"), file, "inference.ci_level", 0.5, 0.9999)
    adjust = spec.get("adjust")
    _need(adjust in ("bonferroni", "none"), file, "inference.adjust", "unknown value", adjust,
          "bonferroni or none")
    n_boot = _number(spec.get("n_boot"), file, "inference.n_boot", 50, 100_000, True)
    return {"ci_level": float(level), "adjust": adjust, "n_boot": n_boot}


def _checks(spec, file, attributes) -> tuple[CheckSpec, ...]:
    _need(isinstance(spec, dict) and spec, file, "checks", "must be a non-empty mapping", spec,
          f"metrics among {list(METRICS)}")
    out = []
    for metric, body in spec.items():
        where = f"checks.{metric}"
        _need(metric in METRICS, file, where, "unknown metric", metric, list(METRICS))
        _need(isinstance(body, dict) and {"threshold", "gate"} <= set(body) <= {
            "threshold", "gate", "exempt"}, file, where, "must hold threshold and gate", body,
            "{threshold: NUMBER, gate: true|false, exempt: {ATTRIBUTE: JUSTIFICATION}}")
        lo, hi = _RANGES.get(metric, (0.0, 0.5))
        threshold = _number(body["threshold"], file, f"{where}.threshold", lo, hi)
        _need(isinstance(body["gate"], bool), file, f"{where}.gate", "must be true or false",
              body["gate"], "a boolean")
        exempt = body.get("exempt") or {}
        _need(isinstance(exempt, dict), file, f"{where}.exempt", "must be a mapping", exempt,
              "{ATTRIBUTE: JUSTIFICATION}")
        for attr, why in exempt.items():
            _need(attr in attributes, file, f"{where}.exempt.{attr}", "not an audited attribute",
                  attr, list(attributes))
            _need(isinstance(why, str) and len(why.strip()) >= 20, file, f"{where}.exempt.{attr}",
                  "needs a written justification", why, "a sentence (20+ characters)")
        out.append(CheckSpec(metric, float(threshold), body["gate"],
                             tuple(sorted((a, w.strip()) for a, w in exempt.items()))))
    return tuple(out)


def _proxies(spec, file) -> dict:
    _need(isinstance(spec, dict), file, "proxies", "must be a mapping", spec, "a mapping")
    unknown = sorted(set(spec) - set(_PROXY_KEYS))
    _need(not unknown, file, f"proxies.{unknown[0] if unknown else ''}", "unknown field",
          unknown, ", ".join(_PROXY_KEYS))
    out = {}
    for key, (lo, hi) in _PROXY_KEYS.items():
        out[key] = _number(spec.get(key), file, f"proxies.{key}", lo, hi, key == "max_rows")
    return out
