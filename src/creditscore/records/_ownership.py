"""Which rows of a record set belong to given subjects: the one rule of per-subject reads.

A subject's answer (its letter, its rescore after a dispute) must cost one subject, not
the population, so ``explain`` and ``features --subjects`` read only the rows this rule
names, as a filter pushed down into the Parquet scan (row groups whose ``subject_id`` or
``loan_id`` range cannot hold the subject are skipped; see :func:`layout_records`):

- every table keyed by ``subject_id`` (``subjects``, ``contributions``, ``loans``,
  ``public_records``, ``protected``, ``entities``): the rows of those subjects;
- ``repayments``: the instalments of those subjects' loans (by ``loan_id``);
- for entity subjects (``employer=True``): also the ``contributions`` they owe as
  employers (``employer_id``), which their features read, and the ``subjects`` rows of
  the employees those contributions name (so the rows read are a valid record set).

A subject's features and labels depend on these rows only (the feature engine computes
by ranges of subjects on the same premise), so a per-subject read gives exactly the
subject's rows of a whole-population build.
"""

from __future__ import annotations

from collections.abc import Iterable

from ._sources import _lit

__all__ = ["subject_ids", "ownership_filter", "loan_filter", "sql_list", "read_subject_list"]

MSG_NO_IDS = "{what}: no subject id given"
MSG_BAD_ID = "{what}: subject id {got!r} is not a non-empty line of text"
MSG_LIST_COLUMN = (
    "{file}: no subject_id column (columns: {columns}); a table of subjects has a "
    "subject_id column or a single column"
)
MSG_LIST_READ = "{file}: cannot be read as a list of subjects ({error})"


def sql_list(values: Iterable[str]) -> str:
    """A SQL ``IN`` list of text literals; ``(NULL)`` (matching nothing) when empty."""
    items = [_lit(str(v)) for v in values]
    return "(" + ", ".join(items) + ")" if items else "(NULL)"


def subject_ids(ids, what: str = "subjects") -> tuple[str, ...]:
    """The distinct subject ids asked for, in first-seen order.

    Raises
    ------
    ValueError
        No id, or an id that is not a non-empty string (the message names ``what``).
    """
    if isinstance(ids, str):
        ids = [ids]
    out: dict[str, None] = {}
    for value in ids:
        if not isinstance(value, str) or not value.strip():
            raise ValueError(MSG_BAD_ID.format(what=what, got=value))
        out[value.strip()] = None
    if not out:
        raise ValueError(MSG_NO_IDS.format(what=what))
    return tuple(out)


def ownership_filter(table: str, ids: Iterable[str], loan_ids: Iterable[str] | None = None,
                     *, employer: bool = False, employees: Iterable[str] = ()) -> str:
    """The SQL condition (on the stored columns) selecting the rows ``ids`` own in ``table``.

    ``loan_ids``: the loans of ``ids`` (needed for ``repayments`` only); ``employees``:
    the persons named by an employer's owed contributions (their ``subjects`` rows).
    """
    if table == "repayments":
        if loan_ids is None:
            raise ValueError("repayments are selected through the subjects' loan ids")
        return f'"loan_id" IN {sql_list(loan_ids)}'
    own = f'"subject_id" IN {sql_list(ids)}'
    if employer and table == "contributions":
        return f'({own} OR "employer_id" IN {sql_list(ids)})'
    employees = list(employees)
    if employer and table == "subjects" and employees:
        return f'({own} OR "subject_id" IN {sql_list(employees)})'
    return own


def loan_filter(ids: Iterable[str]) -> str:
    """The condition on ``loans`` whose ``loan_id`` values feed :func:`ownership_filter`."""
    return ownership_filter("loans", ids)


def read_subject_list(path) -> tuple[str, ...]:
    """The subject ids listed in a file: text (one per line), or a CSV/Parquet column.

    Text: one id per line; blank lines and lines starting with ``#`` are skipped. CSV
    (with a header) or Parquet: the ``subject_id`` column, else the only column.

    Raises
    ------
    RecordError
        An unreadable file, a table without such a column, or no id at all, naming it.
    """
    from pathlib import Path

    from ._report import RecordError

    file = Path(path)
    suffix = file.suffix.lower()
    try:
        if suffix in (".parquet", ".csv"):
            import pyarrow.csv as pcsv
            import pyarrow.parquet as pq

            table = (pq.read_table(file) if suffix == ".parquet" else pcsv.read_csv(
                file, convert_options=pcsv.ConvertOptions(strings_can_be_null=True,
                                                          auto_dict_encode=False)))
            names = table.column_names
            column = "subject_id" if "subject_id" in names else (names[0] if len(names) == 1
                                                                 else None)
            if column is None:
                raise RecordError(MSG_LIST_COLUMN.format(file=file, columns=", ".join(names)))
            values = [str(v) for v in table.column(column).to_pylist() if v is not None]
        else:
            lines = file.read_text(encoding="utf-8").splitlines()
            values = [ln.strip() for ln in lines if ln.strip() and not ln.startswith("#")]
    except RecordError:
        raise
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise RecordError(MSG_LIST_READ.format(file=file, error=str(exc).splitlines()[0])) from exc
    try:
        return subject_ids(values, what=str(file))
    except ValueError as exc:
        raise RecordError(str(exc)) from None
