"""The checks of the record contract, stated as SQL over the opened tables (private).

Every check is a predicate that is true on a row with the problem, over the
DuckDB view of one table (see ``_sources``) or over a relation built from
several (``source``). Column checks follow from the contract in
``_contract``; the rest are stated here one by one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ._catalogue import Catalogue
from ._contract import TABLES, Column
from ._layout import MANIFEST
from ._report import NATIONAL_ID_SQL
from ._sources import CSV_EXPECTED

__all__ = [
    "Check",
    "column_checks",
    "rule_checks",
    "key_checks",
    "EARLIEST",
    "LATEST",
    "MAX_TEXT_CHARS",
    "MAX_AMOUNT",
]

EARLIEST, LATEST = dt.date(1900, 1, 1), dt.date(2200, 12, 31)
#: the longest text cell accepted (ids are short pseudonyms; a megabyte id is an error)
MAX_TEXT_CHARS = 256
#: the largest amount accepted: far above any real one, and its cents still fit in 64 bits
MAX_AMOUNT = 1e15

MSG_NULL = "missing value in a non-nullable column"
MSG_PARSE = {
    "date": "not a date",
    "float": "not a number",
    "int": "not a whole number",
    "bool": "not a boolean",
}
MSG_ALLOWED = "value outside the allowed set"
MSG_NEGATIVE = "negative amount"
MSG_NOT_FINITE = "amount is not a finite number"
MSG_TOO_LARGE = "amount too large"
MSG_DATE_RANGE = "date out of range"
MSG_TOO_LONG = "text too long"
MSG_AFTER_EXTRACTION = "date after extracted_on"
MSG_NATIONAL_ID = (
    "looks like a national id number; pseudonymise it first (creditscore.records.pseudonymise)"
)
MSG_RECORDED_BEFORE = "recorded_on before occurred_on"
MSG_DISPUTE_BEFORE = "dispute_closed_on before dispute_opened_on"
MSG_CLOSED_BEFORE = "closed_on before opened_on"
MSG_UNKNOWN_TYPE = "record_type not in the catalogue"
MSG_DISALLOWED_TYPE = "record_type not allowed by the catalogue"
MSG_DUPLICATE = "duplicate id"
MSG_UNKNOWN_LOAN = "repayment of an unknown loan"
MSG_UNKNOWN_SUBJECT = "row of an unknown subject"

#: unique keys checked for duplicates (the contract's ``key`` of each table)
KEYS = {name: t.key for name, t in TABLES.items() if t.key}
#: (table, column) -> (parent table, parent key)
FOREIGN_KEYS = {
    ("repayments", "loan_id"): ("loans", "loan_id", MSG_UNKNOWN_LOAN),
    **{
        (t, "subject_id"): ("subjects", "subject_id", MSG_UNKNOWN_SUBJECT)
        for t in ("contributions", "loans", "public_records", "protected")
    },
}


@dataclass(frozen=True)
class Check:
    """One check: ``where`` is true on a row of ``table`` with the problem.

    Parameters
    ----------
    table, column : str
        Where a problem is reported.
    where : str
        SQL predicate over ``source``.
    message : str
    expected : str
        Shown as ``expected ...``; a template over the ``extra`` columns.
    got : str, default=""
        The column whose value is shown as ``got ...`` (default ``column``).
    extra : tuple of str, default=()
        More columns of ``source`` that ``expected`` names.
    uses : tuple of (table, column), default=()
        Columns that must be readable to run the check (default
        ``(table, column)`` and those in ``extra`` of the same table).
    source : str or None, default=None
        A SQL relation; None: the table's own view.
    """

    table: str
    column: str
    where: str
    message: str
    expected: str
    got: str = ""
    extra: tuple[str, ...] = ()
    uses: tuple[tuple[str, str], ...] = ()
    source: str | None = None

    @property
    def shown(self) -> str:
        return self.got or self.column

    @property
    def needs(self) -> tuple[tuple[str, str], ...]:
        own = [
            (self.table, c)
            for c in (self.column, *self.extra)
            if c in TABLES[self.table].column_names
        ]
        return tuple(dict.fromkeys((*own, *self.uses)))


def _q(name: str) -> str:
    return f'"{name}"'


def _sql_list(values) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


def _rules(col: Column, csv: bool, extracted_on: dt.date | None) -> list[tuple]:
    """(where, message, expected, shows the raw cell) of each check of one column.

    In ``where``, ``{c}`` stands for the typed column and ``{raw}`` for the cell as stored
    (replaced as text: the SQL may hold other braces).
    """
    date_range = f"DATE '{EARLIEST}' AND DATE '{LATEST}'"
    rules = [
        (not col.nullable, "{raw} IS NULL", MSG_NULL, f"a {col.kind}", True),
        (
            csv and col.kind != "str",
            "{raw} IS NOT NULL AND {c} IS NULL",
            MSG_PARSE.get(col.kind),
            CSV_EXPECTED.get(col.kind),
            True,
        ),
        (
            bool(col.allowed),
            f"{{c}} NOT IN ({_sql_list(col.allowed)})",
            MSG_ALLOWED,
            "one of " + ", ".join(col.allowed),
            False,
        ),
        (
            col.kind == "str",
            f"length({{c}}) > {MAX_TEXT_CHARS}",
            MSG_TOO_LONG,
            f"at most {MAX_TEXT_CHARS} characters",
            False,
        ),
        (col.money, "isfinite({c}) AND {c} < 0", MSG_NEGATIVE, ">= 0", False),
        (col.money, "NOT isfinite({c})", MSG_NOT_FINITE, "a finite number >= 0", False),
        (
            col.money,
            f"isfinite({{c}}) AND {{c}} > {MAX_AMOUNT!r}",
            MSG_TOO_LARGE,
            f"<= {MAX_AMOUNT:,.0f}",
            False,
        ),
        (
            col.kind == "date",
            f"{{c}} NOT BETWEEN {date_range}",
            MSG_DATE_RANGE,
            f"{EARLIEST} .. {LATEST}",
            False,
        ),
        (
            col.kind == "date" and extracted_on is not None,
            f"{{c}} > DATE '{extracted_on}' AND {{c}} <= DATE '{LATEST}'",
            MSG_AFTER_EXTRACTION,
            f"<= {extracted_on} ({MANIFEST})",
            False,
        ),
        (
            col.name == "subject_id",
            f"regexp_matches({{c}}, '{NATIONAL_ID_SQL}')",
            MSG_NATIONAL_ID,
            "a pseudonym",
            False,
        ),
    ]
    return [rule[1:] for rule in rules if rule[0]]


def _one_column(table: str, col: Column, csv: bool, extracted_on: dt.date | None) -> list[Check]:
    c, raw = _q(col.name), _q(col.name + "__raw")
    return [
        Check(
            table,
            col.name,
            where.replace("{c}", c).replace("{raw}", raw),
            message,
            expected,
            got=col.name + "__raw" if shows_raw else "",
        )
        for where, message, expected, shows_raw in _rules(col, csv, extracted_on)
    ]


def column_checks(table: str, csv: bool, extracted_on: dt.date | None) -> list[Check]:
    """The checks that follow from each column's contract (type, nulls, sets, money, dates)."""
    return [
        chk for col in TABLES[table].columns for chk in _one_column(table, col, csv, extracted_on)
    ]


def _before(table: str, later: str, earlier: str, message: str) -> Check:
    return Check(
        table,
        later,
        f"{_q(later)} < {_q(earlier)}",
        message,
        f">= {earlier} {{{earlier}}}",
        extra=(earlier,),
    )


def rule_checks(catalogue: Catalogue) -> list[Check]:
    """The checks within one row: date order and the catalogue's record types."""
    known, allowed = sorted(catalogue.record_types), catalogue.allowed_types
    disallowed = sorted(set(known) - set(allowed))
    out = [
        _before("public_records", "recorded_on", "occurred_on", MSG_RECORDED_BEFORE),
        _before("public_records", "dispute_closed_on", "dispute_opened_on", MSG_DISPUTE_BEFORE),
        _before("loans", "closed_on", "opened_on", MSG_CLOSED_BEFORE),
        Check(
            "public_records",
            "record_type",
            f"record_type NOT IN ({_sql_list(known)})",
            MSG_UNKNOWN_TYPE,
            f"one of {', '.join(known)} (catalogue {catalogue.version})",
        ),
    ]
    if disallowed:
        out.append(
            Check(
                "public_records",
                "record_type",
                f"record_type IN ({_sql_list(disallowed)})",
                MSG_DISALLOWED_TYPE,
                f"one of {', '.join(allowed)} (catalogue {catalogue.version})",
            )
        )
    return out


def _duplicates(table: str, key: str) -> Check:
    t, k = _q(table), _q(key)
    source = (
        f"(SELECT t._row, t.{k}, d.first_row FROM {t} t JOIN (SELECT {k}, min(_row) "
        f"AS first_row FROM {t} WHERE {k} IS NOT NULL GROUP BY {k} HAVING count(*) > 1)"
        f" d USING ({k}) WHERE t._row > d.first_row)"
    )
    return Check(
        table,
        key,
        "TRUE",
        MSG_DUPLICATE,
        "a unique id; first at row {first_row}",
        extra=("first_row",),
        source=source,
    )


def _orphans(table: str, column: str) -> Check:
    parent, key, message = FOREIGN_KEYS[(table, column)]
    c = _q(column)
    source = (
        f"(SELECT o._row, o.{c} FROM {_q(table)} o ANTI JOIN {_q(parent)} p "
        f"ON o.{c} = p.{_q(key)} WHERE o.{c} IS NOT NULL)"
    )
    return Check(
        table, column, "TRUE", message, f"a {key} of {parent}", uses=((parent, key),), source=source
    )


def key_checks() -> list[Check]:
    """The checks across rows and tables: duplicate ids, unknown loans and subjects."""
    return [_duplicates(t, k) for t, k in KEYS.items()] + [_orphans(t, c) for t, c in FOREIGN_KEYS]
