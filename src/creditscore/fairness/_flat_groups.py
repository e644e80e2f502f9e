"""Protected columns of a flat table as audit attributes: bands, splits, the policy.

A flat table (or a file of scores made elsewhere) carries its protected
columns beside the rest. Each becomes one audited attribute:

- a **text** column is its values, as they are; one that holds several
  attributes in one ("male : single") is split by a declared mapping
  (:func:`read_split`): a YAML file ``COLUMN: {VALUE: {ATTRIBUTE: LABEL}}``,
  or inline ``COLUMN=ATTR1,ATTR2``, which cuts each value at ":" into the
  named parts (``--split personal_status=sex,marital_status``);
- a **numeric** column with at most ``MAX_CODES`` distinct values (e.g. a
  sex coded 1/2) is its values, as categories;
- any other **numeric** column is banded at the cut points the user gives
  (``--bands age_in_years=25,35,50``: <25, 25-34, 35-49, 50+); without
  them, a column whose name contains "age" is banded at the policy's
  ``age_bands`` (default 30, 45, 60: <30, 30-44, 45-59, 60+), any other at
  its quartiles (rounded to 3 significant digits), and the cut points used
  are written into ``audit.json``.

The gate policy of such an audit is the given (or shipped) policy with its
``attributes`` replaced by these, and its intersections kept only where
they name two of them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .._errors import InputError, did_you_mean
from ._policy import load_policy

__all__ = ["parse_bands", "read_split", "attribute_frame", "flat_policy", "MAX_CODES"]

MAX_CODES = 10
MSG_BANDS = ("--bands {value!r}: expected COLUMN=CUT,CUT,... with increasing numbers "
             "(e.g. age_in_years=25,35,50)")
MSG_SPLIT = ("--split {value!r}: expected COLUMN=ATTRIBUTE,ATTRIBUTE (parts separated by ':' "
             "in the values) or a YAML file COLUMN: {{VALUE: {{ATTRIBUTE: LABEL}}}}")
MSG_SPLIT_VALUE = ("{path}: column {col!r} has the value {value!r} on row {row}, which the "
                   "declared split {how} does not cover")
MSG_SPLIT_READ = "{path}: not a readable split mapping ({error})"
MSG_NO_PROTECTED = "{path}: no protected column {col!r} (columns: {cols}){hint}"
MSG_NONE = ("{path}: no protected column to audit; name them with --protected COLUMN "
            "(e.g. --protected age_in_years)")
MSG_BAND_TEXT = "{path}: --bands names column {col!r}, which is not numeric"


def parse_bands(values) -> dict[str, tuple[float, ...]]:
    """``["age=25,35,50"]`` -> ``{"age": (25, 35, 50)}``."""
    out = {}
    for value in values or ():
        col, sep, cuts = str(value).partition("=")
        try:
            edges = tuple(float(c) for c in cuts.split(",") if c.strip())
        except ValueError:
            raise InputError(MSG_BANDS.format(value=value)) from None
        if not sep or not col.strip() or not edges or list(edges) != sorted(set(edges)):
            raise InputError(MSG_BANDS.format(value=value))
        out[col.strip()] = edges
    return out


def read_split(values) -> dict[str, object]:
    """Declared splits: column -> mapping {value: {attribute: label}} or tuple of names."""
    out = {}
    for value in values or ():
        text = str(value)
        path = Path(text)
        if path.suffix.lower() in (".yaml", ".yml") and path.is_file():
            out.update(_split_yaml(path))
            continue
        col, sep, names = text.partition("=")
        parts = tuple(n.strip() for n in names.split(",") if n.strip())
        if not sep or not col.strip() or len(parts) < 2:
            raise InputError(MSG_SPLIT.format(value=value))
        out[col.strip()] = parts
    return out


def _split_yaml(path: Path) -> dict:
    import yaml

    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise InputError(MSG_SPLIT_READ.format(path=path, error=exc)) from exc
    ok = isinstance(raw, dict) and all(
        isinstance(m, dict) and all(isinstance(v, dict) and v for v in m.values())
        for m in raw.values())
    if not ok:
        raise InputError(MSG_SPLIT.format(value=str(path)))
    return {str(c): {str(k): {str(a): str(b) for a, b in v.items()} for k, v in m.items()}
            for c, m in raw.items()}


def _split(col: pd.Series, how, where: str) -> dict[str, pd.Series]:
    text = col.astype(object).map(lambda v: None if pd.isna(v) else str(v).strip())
    if isinstance(how, dict):
        names = list(dict.fromkeys(a for m in how.values() for a in m))
        rows = {str(k).strip(): m for k, m in how.items()}
    else:
        names = list(how)
        rows = {v: dict(zip(names, (p.strip() for p in v.split(":")), strict=False))
                for v in text.dropna().unique() if len(v.split(":")) == len(names)}
    bad = text.notna() & ~text.isin(list(rows))
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise InputError(MSG_SPLIT_VALUE.format(path=where, col=col.name, value=text.iloc[row],
                                                row=row, how=_how(how)))
    return {a: text.map(lambda v, a=a: None if v is None else rows[v].get(a)).astype(object)
            for a in names}


def _how(how) -> str:
    return "mapping" if isinstance(how, dict) else "into " + ", ".join(how)


def _band(values: pd.Series, edges) -> pd.Series:
    x = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    whole = all(float(e).is_integer() for e in edges)
    fmt = (lambda e: f"{int(e)}") if whole else (lambda e: f"{e:g}")
    middle = [f"{fmt(lo)}-{fmt(hi - 1)}" if whole else f"{fmt(lo)} to <{fmt(hi)}"
              for lo, hi in zip(edges[:-1], edges[1:], strict=True)]
    labels = np.array([f"<{fmt(edges[0])}", *middle, f"{fmt(edges[-1])}+"], dtype=object)
    out = labels[np.searchsorted(np.asarray(edges, dtype=float), x, side="right")]
    out[np.isnan(x)] = None
    return pd.Series(out, index=values.index, dtype=object)


def _default_edges(name: str, x: pd.Series, policy) -> tuple[float, ...]:
    if "age" in name.lower():
        return tuple(float(b) for b in policy.age_bands)
    q = np.nanquantile(x.to_numpy(dtype=float), [0.25, 0.5, 0.75])
    return tuple(sorted({float(f"{v:.3g}") for v in q}))


def attribute_frame(frame, columns, *, bands=None, split=None, policy=None,
                    where="table") -> tuple[pd.DataFrame, dict]:
    """One audited attribute per protected column (or per part of a split column).

    Returns the attributes (labels as text, None where missing, positional
    index) and how each was made (``{attribute: description}``, for audit.json).
    """
    policy = load_policy(policy)
    bands, split = dict(bands or {}), dict(split or {})
    cols = list(dict.fromkeys([*columns, *split]))
    if not cols:
        raise InputError(MSG_NONE.format(path=where))
    shown = ", ".join(map(str, list(frame.columns)[:12]))
    out, how = {}, {}
    for col in cols:
        if col not in frame.columns:
            raise InputError(MSG_NO_PROTECTED.format(path=where, col=col, cols=shown,
                                                     hint=did_you_mean(col, frame.columns)))
        s = frame[col].reset_index(drop=True)
        if col in split:
            for name, values in _split(s, split[col], where).items():
                out[name], how[name] = values, f"from {col}, split {_how(split[col])}"
            continue
        numeric = pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s)
        if col in bands and not numeric:
            raise InputError(MSG_BAND_TEXT.format(path=where, col=col))
        if numeric and (col in bands or s.nunique() > MAX_CODES):
            edges = bands.get(col) or _default_edges(col, s, policy)
            given = "given" if col in bands else "default"
            out[col] = _band(s, edges)
            how[col] = f"{col} banded at {', '.join(f'{e:g}' for e in edges)} ({given})"
        else:
            out[col] = s.astype(object).map(lambda v: None if pd.isna(v) else str(v))
            how[col] = f"{col} as it is"
    return pd.DataFrame(out).astype(object), how


def flat_policy(policy, attributes) -> object:
    """The policy with the flat table's attributes (intersections kept where they fit)."""
    base = load_policy(policy)
    raw = dict(base.raw)
    attrs = list(attributes)
    raw["attributes"] = attrs
    raw["intersections"] = [c for c in (raw.get("intersections") or [])
                            if set(c) <= set(attrs) and len(c) >= 2]
    checks = {}
    for metric, body in (raw.get("checks") or {}).items():
        exempt = {a: w for a, w in (body.get("exempt") or {}).items() if a in attrs}
        checks[metric] = {**body, "exempt": exempt} if "exempt" in body else body
    raw["checks"] = checks
    return load_policy(raw)
