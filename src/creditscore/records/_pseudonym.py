"""Pseudonymise subject ids with a keyed hash (private).

A raw id (a national id number, a customer number) becomes
``prefix-xxxxxxxxxx-xxxxxxxxxx``: 80 bits of HMAC-SHA256 under a secret key,
in two groups of 10 hex digits, so that no output holds the 15 or more digits
in a row that the validator takes for a national id number. The same key
gives the same pseudonym in every run and table; without the key the
pseudonym cannot be traced back or recomputed. The key comes from the
environment (``CREDITSCORE_PSEUDONYM_KEY``), never from code or git.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re

import pyarrow as pa

from .._errors import InputError

__all__ = ["pseudonymise", "pseudonymise_records", "KEY_ENV", "MIN_KEY_BYTES"]

KEY_ENV = "CREDITSCORE_PSEUDONYM_KEY"
MIN_KEY_BYTES = 16
PREFIX = re.compile(r"[A-Za-z][A-Za-z_]{0,15}")
OLD_STYLE_X = re.compile(r"[0-9]{17}x")

MSG_NO_KEY = (
    f"no pseudonymisation key: set the environment variable {KEY_ENV} "
    f"(at least {MIN_KEY_BYTES} bytes, kept out of git) or pass key="
)
MSG_SHORT_KEY = (
    f"the pseudonymisation key is too short (got {{n}} bytes, expected at least {MIN_KEY_BYTES})"
)
MSG_PREFIX = "prefix must be 1 to 16 letters or underscores, starting with a letter (got {got!r})"
MSG_BAD_ID = "id at position {i} cannot be pseudonymised (got a {kind}, expected a str or int)"
MSG_NOT_A_LIST = "ids must be a list or Series of ids, not one {kind}"
MSG_COLLISION = "two different ids share the pseudonym {pseudonym!r}; use another key"


def _key(key: str | bytes | None) -> bytes:
    if key is None:
        key = os.environ.get(KEY_ENV, "")
    if isinstance(key, str):
        key = key.encode("utf-8")
    if not key:
        raise InputError(MSG_NO_KEY)
    if len(key) < MIN_KEY_BYTES:
        raise InputError(MSG_SHORT_KEY.format(n=len(key)))
    return key


def _normal(i: int, raw: object) -> str:
    """The raw id as text, so that one id written two ways gets one pseudonym."""
    if isinstance(raw, bool) or not isinstance(raw, (str, int)):
        raise InputError(MSG_BAD_ID.format(i=i, kind=type(raw).__name__))
    text = str(raw).strip()
    return text.upper() if OLD_STYLE_X.fullmatch(text) else text


def _hash(key: bytes, text: str, prefix: str) -> str:
    digest = hmac.new(key, text.encode("utf-8"), hashlib.sha256).hexdigest()
    return f"{prefix}-{digest[:10]}-{digest[10:20]}"


def pseudonymise(ids, key: str | bytes | None = None, prefix: str = "S"):
    """Replace raw ids by keyed pseudonyms (HMAC-SHA256).

    Parameters
    ----------
    ids : iterable of str or int, or pandas.Series
        Raw ids. Surrounding spaces are ignored and a trailing ``x`` of an
        18-character national id number is read as ``X``.
    key : str or bytes or None, default=None
        The secret key; None reads ``CREDITSCORE_PSEUDONYM_KEY``. At least
        16 bytes.
    prefix : str, default="S"
        Letters put before each pseudonym.

    Returns
    -------
    list of str, or pandas.Series (same index) when ``ids`` is a Series
        ``"S-3fa94c0b1e-77d2a0c9f1"``: deterministic for a key, never holding
        a run of more than 10 digits nor the key.

    Raises
    ------
    InputError
        Without a key, with a key shorter than 16 bytes, a bad prefix or an
        id that is neither text nor an integer (a null, a float).

    Examples
    --------
    >>> pseudonymise(["110101199003071234"], key="a key of 16 bytes or more")
    ['S-61bae62e4f-1569573002']
    """
    secret = _key(key)
    if not isinstance(prefix, str) or not PREFIX.fullmatch(prefix):
        raise InputError(MSG_PREFIX.format(got=prefix))
    if isinstance(ids, (str, bytes, int)):
        raise InputError(MSG_NOT_A_LIST.format(kind=type(ids).__name__))
    values = ids.tolist() if hasattr(ids, "tolist") else list(ids)
    cache: dict[str, str] = {}
    out = []
    for i, raw in enumerate(values):
        text = _normal(i, raw)
        if text not in cache:
            cache[text] = _hash(secret, text, prefix)
        out.append(cache[text])
    if len(set(cache.values())) != len(cache):
        seen = {}
        clash = next(p for t, p in cache.items() if seen.setdefault(p, t) != t)
        raise InputError(MSG_COLLISION.format(pseudonym=clash))
    import pandas as pd

    if isinstance(ids, pd.Series):
        return pd.Series(out, index=ids.index, name=ids.name, dtype=object)
    return out


def _is_null(value) -> bool:
    import pandas as pd

    return value is None or bool(pd.isna(value))


def _replace(table, mapping: dict):
    """``table`` (Arrow or pandas) with its subject_id replaced through ``mapping``."""
    if isinstance(table, pa.Table):
        import pyarrow.compute as pc

        keys = pa.array([str(k) for k in mapping], pa.string())
        codes = pc.index_in(table.column("subject_id").cast(pa.string()), value_set=keys)
        new = pc.take(pa.array(list(mapping.values()), pa.string()), codes)
        i = table.schema.get_field_index("subject_id")
        return table.set_column(i, table.schema.field(i).with_type(pa.string()), new)
    out = table.copy()
    out["subject_id"] = table["subject_id"].map(mapping)
    return out


def _column(table) -> list | None:
    if isinstance(table, pa.Table):
        return (
            table.column("subject_id").to_pylist() if "subject_id" in table.column_names else None
        )
    return table["subject_id"].tolist() if "subject_id" in table.columns else None


def pseudonymise_records(tables: dict, key: str | bytes | None = None, prefix: str = "S") -> dict:
    """Replace ``subject_id`` by its pseudonym, consistently, in every table that has it.

    Parameters
    ----------
    tables : dict of str to pyarrow.Table or pandas.DataFrame
        Record-set tables (e.g. ``RecordSet.tables``); tables without a
        ``subject_id`` column are returned unchanged, nulls stay null.
    key, prefix
        As for :func:`pseudonymise`.

    Returns
    -------
    dict
        The same tables, of the same kinds, with pseudonymous subject ids.
    """
    columns = {n: _column(t) for n, t in tables.items()}
    raw = dict.fromkeys(v for col in columns.values() if col for v in col if not _is_null(v))
    mapping = dict(zip(raw, pseudonymise(list(raw), key, prefix), strict=True))
    return {n: t if columns[n] is None else _replace(t, mapping) for n, t in tables.items()}
