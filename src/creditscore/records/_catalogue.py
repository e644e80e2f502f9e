"""The credit-information catalogue: lawful record types and display periods.

The catalogue is a versioned YAML policy file. The package ships a default
(``catalogue.yaml`` beside this module); a user may pass their own, which is
schema-checked with errors that name the file, the entry and the field.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .._errors import InputError
from ._contract import SEVERITIES

__all__ = ["Catalogue", "RecordType", "CatalogueError", "load_catalogue", "DEFAULT_CATALOGUE"]

DEFAULT_CATALOGUE = Path(__file__).with_name("catalogue.yaml")

MSG_FIELD = "{file}: {where}.{field}: {what} (got {got!r}, expected {expected})"
MSG_PARSE = "{file}: not a readable YAML catalogue ({error})"
NEGATIVE_ITEMS = ("late_instalment", "unpaid_contribution")


class CatalogueError(InputError):
    """A catalogue file that does not follow the catalogue schema (exit 2)."""


@dataclass(frozen=True)
class RecordType:
    """One public record type of the catalogue."""

    name: str
    description: str
    legal_basis: str
    allowed: bool
    default_severity: str
    breach: bool
    display_period_months: int


@dataclass(frozen=True)
class Catalogue:
    """A loaded, schema-checked catalogue.

    Attributes
    ----------
    version : str
    record_types : dict of str to RecordType
    negative_item_months : dict of str to int
        Display period of late instalments and unpaid contributions.
    source : str
    """

    version: str
    record_types: dict[str, RecordType]
    negative_item_months: dict[str, int] = field(default_factory=dict)
    source: str = str(DEFAULT_CATALOGUE)

    @property
    def allowed_types(self) -> list[str]:
        """The record types the catalogue allows, sorted."""
        return sorted(k for k, v in self.record_types.items() if v.allowed)

    @property
    def breach_types(self) -> list[str]:
        """The allowed record types that count as a breach for ``breach_12m``, sorted."""
        return sorted(k for k, v in self.record_types.items() if v.allowed and v.breach)

    def display_months(self, record_type: str) -> int:
        """How many months a record of ``record_type`` may be shown after it is recorded."""
        return self.record_types[record_type].display_period_months

    def to_dict(self) -> dict:
        """The catalogue as JSON-ready data: version, display periods and record types."""
        return {
            "catalogue_version": self.version,
            "negative_items": {
                k: {"display_period_months": v} for k, v in self.negative_item_months.items()
            },
            "record_types": {
                k: {
                    "description": v.description,
                    "legal_basis": v.legal_basis,
                    "allowed": v.allowed,
                    "default_severity": v.default_severity,
                    "breach": v.breach,
                    "display_period_months": v.display_period_months,
                }
                for k, v in self.record_types.items()
            },
        }


def _check(cond, file, where, fld, what, got, expected):
    if not cond:
        raise CatalogueError(
            MSG_FIELD.format(
                file=file, where=where, field=fld, what=what, got=got, expected=expected
            )
        )


def _months(value, file, where, fld="display_period_months") -> int:
    ok = isinstance(value, int) and not isinstance(value, bool) and 0 < value <= 1200
    _check(ok, file, where, fld, "must be a whole number of months", value, "1..1200")
    return value


def _record_type(name, spec, file) -> RecordType:
    where = f"record_types.{name}"
    _check(isinstance(spec, dict), file, where, "*", "must be a mapping", spec, "a mapping")
    for fld, kind in (("legal_basis", str), ("allowed", bool), ("breach", bool)):
        _check(fld in spec, file, where, fld, "is missing", None, kind.__name__)
        _check(
            isinstance(spec[fld], kind), file, where, fld, "wrong type", spec[fld], kind.__name__
        )
    _check(bool(spec["legal_basis"].strip()), file, where, "legal_basis", "is empty", "", "text")
    sev = spec.get("default_severity")
    _check(sev in SEVERITIES, file, where, "default_severity", "unknown severity", sev, SEVERITIES)
    unknown = set(spec) - {
        "description",
        "legal_basis",
        "allowed",
        "default_severity",
        "breach",
        "display_period_months",
    }
    _check(not unknown, file, where, sorted(unknown), "unknown field", sorted(unknown), "no others")
    return RecordType(
        name=name,
        description=str(spec.get("description", "")),
        legal_basis=spec["legal_basis"].strip(),
        allowed=spec["allowed"],
        default_severity=sev,
        breach=spec["breach"],
        display_period_months=_months(spec.get("display_period_months"), file, where),
    )


def load_catalogue(path: str | Path | None = None) -> Catalogue:
    """Load and schema-check a catalogue (the shipped default when ``path`` is None).

    Raises
    ------
    CatalogueError
        Naming the file, the entry and the field that is wrong.
    """
    path = Path(path) if path is not None else DEFAULT_CATALOGUE
    file = str(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise CatalogueError(MSG_PARSE.format(file=file, error=str(exc).splitlines()[0])) from exc
    _check(isinstance(raw, dict), file, "catalogue", "*", "must be a mapping", raw, "a mapping")
    version = raw.get("catalogue_version")
    _check(
        isinstance(version, str) and version.strip(),
        file,
        "catalogue",
        "catalogue_version",
        "is missing or empty",
        version,
        "a version string",
    )
    types = raw.get("record_types")
    _check(
        isinstance(types, dict) and types,
        file,
        "catalogue",
        "record_types",
        "is missing or empty",
        types,
        "a mapping of record types",
    )
    negatives = raw.get("negative_items") or {}
    _check(
        isinstance(negatives, dict),
        file,
        "catalogue",
        "negative_items",
        "must be a mapping",
        negatives,
        "a mapping",
    )
    months = {}
    for item in NEGATIVE_ITEMS:
        spec = negatives.get(item, {"display_period_months": 60})
        _check(
            isinstance(spec, dict),
            file,
            f"negative_items.{item}",
            "*",
            "must be a mapping",
            spec,
            "a mapping",
        )
        months[item] = _months(spec.get("display_period_months"), file, f"negative_items.{item}")
    return Catalogue(
        version=version.strip(),
        record_types={k: _record_type(k, v, file) for k, v in types.items()},
        negative_item_months=months,
        source=file,
    )
