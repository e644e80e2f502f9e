"""Reading what other stages wrote: JSON files, small tables and metric trees.

The model directory and the audit directory are written by ``models`` and
``fairness``; reports read them tolerantly (a missing optional file is a
section saying so, not a crash) but a file that exists and cannot be read is
an error naming the file.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .._errors import InputError

__all__ = ["read_json", "find", "read_table", "MetricRow", "flatten_metrics", "is_number"]

MSG_BAD_JSON = "{path}: not readable JSON ({error})"
MSG_BAD_TABLE = "{path}: not a readable table ({error})"
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}")
VALUE_KEYS = ("value", "estimate", "point", "mean")
CI_PAIR_KEYS = ("ci", "ci95", "interval", "conf_int")
CI_LOW_KEYS = ("ci_low", "ci_lower", "lower", "low", "lo")
CI_HIGH_KEYS = ("ci_high", "ci_upper", "upper", "high", "hi")
ID_KEYS = ("as_of", "date", "period", "scope", "group", "name", "metric")
#: path parts that only organise a metrics tree, and keys that describe it
SCOPE_NOISE = ("metrics", "overall", "all")
META_KEYS = ("level", "n_boot", "format", "version", "seed")


def read_json(path: Path) -> Any:
    """The parsed JSON of ``path``; a broken file raises InputError naming it."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(MSG_BAD_JSON.format(path=path, error=exc)) from exc


def read_table(path: Path):
    """A pandas DataFrame from a .csv, .parquet or .json (list of records) file."""
    import pandas as pd

    path = Path(path)
    try:
        if path.suffix == ".parquet":
            return pd.read_parquet(path)
        if path.suffix == ".csv":
            return pd.read_csv(path)
        data = read_json(path)
        if isinstance(data, dict):
            data = next((v for v in data.values() if isinstance(v, list)), [data])
        return pd.DataFrame.from_records(data)
    except (OSError, ValueError) as exc:
        if isinstance(exc, InputError):
            raise
        raise InputError(MSG_BAD_TABLE.format(path=path, error=exc)) from exc


def is_number(x: Any) -> bool:
    """True for a finite real number (bools excluded)."""
    if isinstance(x, bool) or not isinstance(x, int | float):
        try:
            import numpy as np

            if not isinstance(x, np.integer | np.floating):
                return False
        except ImportError:  # pragma: no cover - numpy is a dependency
            return False
    return math.isfinite(float(x))


def find(data: Any, *paths: str | tuple[str, ...], default: Any = None) -> Any:
    """The first value found at one of ``paths`` (a key searched at any depth, or
    a tuple of keys followed from the top)."""
    for path in paths:
        if isinstance(path, tuple):
            node = data
            for key in path:
                node = node.get(key) if isinstance(node, dict) else None
            if node is not None:
                return node
            continue
        found = _search(data, path)
        if found is not None:
            return found
    return default


def _search(data: Any, key: str) -> Any:
    queue = [data]
    while queue:  # breadth first: the shallowest match wins
        node = queue.pop(0)
        if isinstance(node, dict):
            if node.get(key) is not None:
                return node[key]
            queue.extend(v for v in node.values() if isinstance(v, dict))
    return None


@dataclass(frozen=True)
class MetricRow:
    """One metric: where it applies (``scope``), its name, value and interval."""

    scope: str
    metric: str
    value: float
    ci_low: float | None = None
    ci_high: float | None = None

    @property
    def as_of(self) -> str | None:
        """The observation date this metric is for, if its scope names one."""
        for part in self.scope.split("/"):
            if DATE_RE.match(part):
                return part[:10]
        return None


def flatten_metrics(tree: Any) -> list[MetricRow]:
    """Every number in a metrics tree as a :class:`MetricRow`.

    Understands ``{"auc": 0.8}``, ``{"auc": {"value": 0.8, "ci": [0.78, 0.82]}}``,
    sibling intervals (``auc_ci``, ``auc_ci_low`` / ``auc_ci_high``) and lists of
    records keyed by ``as_of`` / ``group`` / ``name``. Scopes are paths such as
    ``overall`` or ``per_as_of/2023-06-30``.
    """
    rows: list[MetricRow] = []
    _walk(tree, (), rows)
    return rows


def _emit(rows, path, value, ci=(None, None)):
    if not path:
        return
    scope = "/".join(str(p) for p in path[:-1] if str(p) not in SCOPE_NOISE) or "overall"
    low, high = (float(c) if is_number(c) else None for c in ci)
    rows.append(MetricRow(scope, str(path[-1]), float(value), low, high))


def _ci_of(node: dict, prefix: str = "") -> tuple[Any, Any]:
    for key in CI_PAIR_KEYS:
        pair = node.get(prefix + key)
        if isinstance(pair, list | tuple) and len(pair) == 2:
            return pair[0], pair[1]
    low = next((node[prefix + k] for k in CI_LOW_KEYS if prefix + k in node), None)
    high = next((node[prefix + k] for k in CI_HIGH_KEYS if prefix + k in node), None)
    return low, high


def _is_ci_key(key: str, node: dict) -> bool:
    for suffix in CI_PAIR_KEYS + CI_LOW_KEYS + CI_HIGH_KEYS:
        if key.endswith("_" + suffix) and key[: -len(suffix) - 1] in node:
            return True
    return False


def _walk(node: Any, path: tuple, rows: list[MetricRow]) -> None:
    if is_number(node):
        _emit(rows, path, node)
    elif isinstance(node, dict):
        value_key = next((k for k in VALUE_KEYS if is_number(node.get(k))), None)
        if value_key is not None:
            _emit(rows, path, node[value_key], _ci_of(node))
            return
        for key, child in node.items():
            if key in CI_PAIR_KEYS + CI_LOW_KEYS + CI_HIGH_KEYS or _is_ci_key(key, node):
                continue
            if not path and key in META_KEYS:
                continue
            if is_number(child):
                _emit(rows, (*path, key), child, _ci_of(node, f"{key}_"))
            else:
                _walk(child, (*path, key), rows)
    elif isinstance(node, list) and node and all(isinstance(x, dict) for x in node):
        for item in node:
            idents = [k for k in ID_KEYS if isinstance(item.get(k), str)]
            if not idents:
                continue
            rest = {k: v for k, v in item.items() if k not in idents}
            sub = tuple(str(item[k]) for k in idents if k != "metric")
            if "metric" in idents:
                sub += (item["metric"],)
            _walk(rest, (*path, *sub), rows)


def first_existing(folder: Path, names: Iterable[str]) -> Path | None:
    """The first ``folder/name`` that exists."""
    for name in names:
        candidate = folder / name
        if candidate.is_file():
            return candidate
    return None
