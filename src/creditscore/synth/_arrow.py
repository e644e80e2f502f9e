"""Numpy columns to Arrow: string ids, nullable dates, contract tables.

An id is a letter prefix and a zero-padded number (``S00000001``). The digits
are written straight into the byte buffer of an Arrow string array: about
five times faster than formatting numpy strings, and the ids are never
digit-only, so they can never be mistaken for national id numbers.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa

from ..records._contract import arrow_schema

__all__ = ["FixedIds", "fixed_ids", "date_array", "contract_table", "schema_table", "NULL_DAY"]

#: stand-in for a null date while building columns
NULL_DAY = np.iinfo(np.int64).min


class FixedIds:
    """Fixed-width string ids ``prefix`` + zero-padded number, held as bytes.

    Parameters
    ----------
    prefix : str
        ASCII letters put before the digits.
    numbers : ndarray of int
        Non-negative numbers below ``10 ** width``.
    width : int

    Examples
    --------
    >>> FixedIds("S", np.array([1, 42]), 8).array().to_pylist()
    ['S00000001', 'S00000042']
    """

    def __init__(self, prefix: str, numbers: np.ndarray, width: int):
        head = np.frombuffer(prefix.encode("ascii"), dtype=np.uint8)
        size = len(head) + width
        chars = np.empty((len(numbers), size), dtype=np.uint8)
        chars[:, : len(head)] = head
        rest = np.asarray(numbers, dtype=np.int64).copy()
        for col in range(size - 1, len(head) - 1, -1):
            chars[:, col] = 48 + rest % 10
            rest //= 10
        self.chars = chars

    def array(self, null: np.ndarray | None = None) -> pa.StringArray:
        """All ids as an Arrow string array, null where ``null`` is true."""
        return _strings(self.chars, null)

    def take(self, index: np.ndarray, null: np.ndarray | None = None) -> pa.StringArray:
        """The ids at ``index`` (much faster than Arrow's ``take`` for short ids)."""
        return _strings(self.chars[index], null)


def fixed_ids(prefix: str, numbers: np.ndarray, width: int, null=None) -> pa.StringArray:
    """Arrow strings ``prefix`` + ``numbers`` zero-padded to ``width`` digits."""
    return FixedIds(prefix, numbers, width).array(null)


def _strings(chars: np.ndarray, null) -> pa.StringArray:
    n, size = chars.shape
    offsets = np.arange(0, (n + 1) * size, size, dtype=np.int32)
    valid = None if null is None else pa.py_buffer(np.packbits(~null, bitorder="little"))
    return pa.Array.from_buffers(
        pa.string(), n, [valid, pa.py_buffer(offsets), pa.py_buffer(np.ascontiguousarray(chars))]
    )


def date_array(days: np.ndarray) -> pa.Array:
    """Arrow ``date32`` from days since 1970-01-01; ``NULL_DAY`` becomes null."""
    null = days == NULL_DAY
    return pa.array(
        np.where(null, 0, days).astype(np.int32), pa.date32(), mask=null if null.any() else None
    )


def contract_table(name: str, columns: dict) -> pa.Table:
    """A table with exactly the contract schema of ``name`` (see :func:`schema_table`)."""
    return schema_table(arrow_schema(name), columns)


def schema_table(schema: pa.Schema, columns: dict) -> pa.Table:
    """A table of ``schema`` from Arrow or numpy columns.

    ``columns`` maps every column name to an Arrow array or a numpy array;
    int64 day numbers must already be Arrow dates.
    """
    arrays = [
        pa.array(columns[f.name], f.type)
        if isinstance(columns[f.name], np.ndarray)
        else columns[f.name]
        for f in schema
    ]
    return pa.Table.from_arrays(arrays, schema=schema)
