"""Problems found in a record set and the report that lists them (private).

A :class:`Problem` is one thing wrong at one place (table, column, row). A
check that fails on many rows keeps only its first few rows as problems and
counts the rest; the :class:`ValidationReport` lists them with count lines,
capped at ``max_messages`` lines.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass

from .._errors import InputError

__all__ = ["Problem", "Finding", "ValidationReport", "RecordError", "show", "mask_national_id"]

#: a national id number anywhere in a value: 15+ digits, or 17 digits and an X
NATIONAL_ID = re.compile(r"[0-9]{15,}|[0-9]{17}[Xx]")
#: the same pattern in DuckDB's regular expression syntax
NATIONAL_ID_SQL = "[0-9]{15,}|[0-9]{17}[Xx]"
MAX_SHOWN_CHARS = 40

MSG_SUMMARY = "{n} {problems} in {k} {tables}"
MSG_NO_PROBLEMS = "0 problems"
MSG_MORE_ROWS = "... and {n:,} more {rows} of {where}: {message}"
MSG_MORE_PROBLEMS = "... and {n:,} more {problems} not listed (max_messages={cap})"
MSG_SET_SUMMARY = "{n_tables} tables, {n_rows:,} rows, extracted_on {extracted_on}"


class RecordError(InputError):
    """A record set that cannot be read or does not follow the contract (exit 2)."""


def _plural(n: int, word: str) -> str:
    return word if n == 1 else f"{word}s"


def mask_national_id(value: str) -> str:
    """``value`` with its first 3 characters kept if it holds a national id number."""
    return f"{value[:3]}***" if NATIONAL_ID.search(value) else value


def show(value: object) -> str:
    """A value as shown in a message: strings quoted and masked, dates ISO, null."""
    if value is None:
        return "null"
    if isinstance(value, str):
        value = mask_national_id(value)
        if len(value) > MAX_SHOWN_CHARS:
            value = value[:MAX_SHOWN_CHARS] + "..."
        return repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return repr(value)


@dataclass(frozen=True)
class Problem:
    """One problem at one place of a record set.

    Parameters
    ----------
    table : str
        The table (or ``"manifest"``) the problem is in.
    column : str or None
        The column, None for a problem of the whole table or file.
    row : int or None
        The 1-based data row in the table's file, None when not about a row.
    message : str
        What is wrong, e.g. ``"negative amount"``.
    got : str or None, default=None
        The offending value as shown (see :func:`show`): never a full
        national id number.
    expected : str or None, default=None
        What the contract expects instead.
    """

    table: str
    column: str | None
    row: int | None
    message: str
    got: str | None = None
    expected: str | None = None

    @property
    def where(self) -> str:
        """``table.column`` (or ``table``)."""
        return f"{self.table}.{self.column}" if self.column else self.table

    def __str__(self) -> str:
        place = self.where if self.row is None else f"{self.where} row {self.row}"
        detail = [f"got {self.got}"] if self.got is not None else []
        detail += [f"expected {self.expected}"] if self.expected is not None else []
        return f"{place}: {self.message}" + (f" ({', '.join(detail)})" if detail else "")


@dataclass(frozen=True)
class Finding:
    """The first problems of one failed check and how many rows failed it."""

    problems: tuple[Problem, ...]
    total: int

    def lines(self) -> list[tuple[str, int]]:
        """Message lines, each with the number of problems it stands for."""
        out = [(str(p), 1) for p in self.problems]
        more = self.total - len(self.problems)
        if more > 0:
            first = self.problems[0]
            text = MSG_MORE_ROWS.format(
                n=more, rows=_plural(more, "row"), where=first.where, message=first.message
            )
            out.append((text, more))
        return out


class ValidationReport:
    """Every problem found in a record set, built once by ``validate_records``.

    Parameters
    ----------
    findings : sequence of Finding
    n_rows : dict of str to int
        Rows of each table that could be opened.
    extracted_on : datetime.date or None
    max_messages : int, default=50
        Most problem lines :meth:`messages` lists before a final count line.
    """

    def __init__(
        self,
        findings: Sequence[Finding],
        n_rows: dict[str, int],
        extracted_on: dt.date | None,
        max_messages: int = 50,
    ):
        self._findings = tuple(f for f in findings if f.total > 0)
        self._n_rows = dict(n_rows)
        self._extracted_on = extracted_on
        self._max_messages = max_messages

    @property
    def ok(self) -> bool:
        """True when no problem was found."""
        return not self._findings

    @property
    def problems(self) -> tuple[Problem, ...]:
        """The problems listed: up to a few rows per failed check (see ``n_problems``)."""
        return tuple(p for f in self._findings for p in f.problems)

    @property
    def n_problems(self) -> int:
        """Every problem found, listed or counted."""
        return sum(f.total for f in self._findings)

    @property
    def n_rows(self) -> dict[str, int]:
        """Rows of each table that could be read."""
        return dict(self._n_rows)

    @property
    def extracted_on(self) -> dt.date | None:
        """The day the records were drawn (manifest, else the latest date found)."""
        return self._extracted_on

    def headline(self) -> str:
        """One line: how many problems in how many tables."""
        if self.ok:
            return MSG_NO_PROBLEMS
        n, k = self.n_problems, len({p.table for p in self.problems})
        return MSG_SUMMARY.format(
            n=f"{n:,}", problems=_plural(n, "problem"), k=k, tables=_plural(k, "table")
        )

    def messages(self, max_messages: int | None = None) -> list[str]:
        """The headline, then at most ``max_messages`` problem lines and a final count."""
        cap = self._max_messages if max_messages is None else max_messages
        lines = [line for f in self._findings for line in f.lines()]
        out = [self.headline()] + [text for text, _ in lines[:cap]]
        rest = sum(n for _, n in lines[cap:])
        if rest:
            out.append(MSG_MORE_PROBLEMS.format(n=rest, problems=_plural(rest, "problem"), cap=cap))
        return out

    def summary(self) -> str:
        """What was read, e.g. ``"6 tables, 123,456 rows, extracted_on 2024-12-31"``."""
        when = self._extracted_on.isoformat() if self._extracted_on else "unknown"
        return MSG_SET_SUMMARY.format(
            n_tables=len(self._n_rows), n_rows=sum(self._n_rows.values()), extracted_on=when
        )

    def raise_if_invalid(self) -> ValidationReport:
        """Raise :class:`RecordError` (headline and first problem) unless ``ok``.

        Returns
        -------
        self
        """
        if not self.ok:
            raise RecordError(f"{self.headline()}; {self.problems[0]}")
        return self

    def to_frame(self):
        """The listed problems as a pandas DataFrame, one row each."""
        import pandas as pd

        cols = ["table", "column", "row", "message", "got", "expected"]
        return pd.DataFrame([[getattr(p, c) for c in cols] for p in self.problems], columns=cols)

    def __repr__(self) -> str:
        return f"<ValidationReport: {self.headline()}; {self.summary()}>"
