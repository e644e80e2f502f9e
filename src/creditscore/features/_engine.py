"""Compile the feature definitions and labels to one Ibis expression, and to SQL.

:func:`feature_expression` is engine-neutral: Ibis tables in, one Ibis table
out (inequality joins to the observation dates, group-by aggregates, two
small windows, left joins onto the subject x date grid). :func:`compile_sql`
turns it into SQL text over named tables (``cs_<table>``, ``cs_as_of``);
:func:`compile_staged` splits it in two stages: the shared record-level
intermediates (:func:`._visibility.prepare_tables`, read by several features
and labels) as one query each, and the rest over them (``cs_prep_<table>``),
so that an engine computes each shared intermediate once (Spark caches them).
Running the SQL is the back-ends' part (:mod:`._backend`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ._definitions import FeatureDef
from ._labels import label_columns, label_parts
from ._relations import visible_relations
from ._visibility import DATES_SCHEMA, prepare_tables

if TYPE_CHECKING:  # pragma: no cover
    import ibis.expr.types as ir

    from ..records._catalogue import Catalogue

__all__ = [
    "FeatureResult",
    "StagedSQL",
    "feature_expression",
    "compile_sql",
    "compile_staged",
    "KEYS",
    "DATES_TABLE",
    "PREPARED",
]

KEYS = ["subject_id", "as_of"]
DATES_TABLE = "cs_as_of"
#: the shared intermediates of :func:`compile_staged`, in the order they are computed
PREPARED = ("loans", "contributions", "repayments", "public_records")


@dataclass(frozen=True)
class FeatureResult:
    """What ``build_features`` wrote.

    Attributes
    ----------
    n_rows : int
        Rows written: one per subject and observation date.
    n_features : int
        Feature columns (labels and keys not counted).
    path : pathlib.Path or str
        The output (a URI string for a remote Spark output).
    seconds : float
        Wall time of the build.
    """

    n_rows: int
    n_features: int
    path: Path | str
    seconds: float


@dataclass(frozen=True)
class StagedSQL:
    """The feature query in two stages (see :func:`compile_staged`).

    Attributes
    ----------
    prepared : dict of str to str
        ``cs_prep_<table>`` name -> the query computing it (over ``cs_<table>``
        and earlier prepared tables), in dependency order.
    final : str
        The feature and label query over the prepared tables, ``cs_subjects``
        and ``cs_as_of``.
    """

    prepared: dict[str, str]
    final: str


def default_features() -> tuple[FeatureDef, ...]:
    """Every feature of the package, in output order."""
    from ._all import FEATURES

    return FEATURES


def _source_parts(v: ir.Table, features: Sequence[FeatureDef]) -> list[ir.Table]:
    """One aggregate over the visible rows, plus one table per shared table-builder."""
    parts = []
    aggregates = {f.name: f.build(v) for f in features if f.kind == "aggregate"}
    if aggregates:
        parts.append(v.group_by(KEYS).aggregate(**aggregates))
    builders: dict = {}
    for f in features:
        if f.kind == "table":
            builders.setdefault(f.build, []).append(f.name)
    for build, names in builders.items():
        parts.append(build(v).select(*KEYS, *names))
    return parts


def feature_expression(
    tables: dict[str, ir.Table],
    dates: ir.Table,
    catalogue: Catalogue,
    features: Sequence[FeatureDef] | None = None,
    *,
    prepared: dict[str, ir.Table] | None = None,
) -> ir.Table:
    """The feature and label table as one engine-neutral Ibis expression.

    Parameters
    ----------
    tables : dict of str to ibis Table
        The model tables of the contract (``subjects``, ``contributions``,
        ``loans``, ``repayments``, ``public_records``) with contract types.
    dates : ibis Table
        The observation dates, as made by :func:`._visibility.dates_frame`.
    catalogue : Catalogue
    features : sequence of FeatureDef, optional
        Default: every feature in ``FEATURES``.
    prepared : dict of str to ibis Table, optional
        The shared intermediates (:func:`._visibility.prepare_tables`), when
        already computed from ``tables``.
    """
    features = tuple(default_features() if features is None else features)
    if prepared is None:
        tables = {**tables, "contributions": needed_contributions(tables["contributions"], dates)}
    relations, prepared = visible_relations(tables, dates, catalogue, prepared)
    parts = []
    for name, v in relations.items():
        parts += _source_parts(v, [f for f in features if f.reads == name])
    parts += label_parts(
        prepared["contributions"], prepared["repayments"], prepared["loans"],
        prepared["public_records"], dates,
    )

    subjects = tables["subjects"].select("subject_id").distinct()
    w = subjects.cross_join(dates.select("as_of", "label_known"))
    for part in parts:
        w = w.left_join(part, KEYS).drop("subject_id_right", "as_of_right")
    w = w.mutate(**{f.name: _filled(w[f.name], f) for f in features if f.kind != "derived"})
    w = w.mutate(**{f.name: f.build(w) for f in features if f.kind == "derived"})
    out = {
        "subject_id": w.subject_id,
        "as_of": w.as_of,
        **{f.name: w[f.name].cast(f.dtype) for f in features},
        **label_columns(w),
    }
    return w.select(**out).order_by(["as_of", "subject_id"])


def needed_contributions(c: ir.Table, dates: ir.Table) -> ir.Table:
    """The contributions any feature or label can read: a pruning, not a rule.

    Every relation of :func:`._relations.visible_relations` joins a group only
    at a t with ``due_on <= t``; the labels read only self-owed groups not
    deferred and not paid within ``LATE_DAYS`` of their due date, due by
    ``t_plus_band``. The test is on columns of the payment-group key
    (:data:`._visibility.CONTRIBUTION_GROUP`), so it keeps or drops whole
    groups and commutes with their sums: the same features from fewer rows
    (about a sixth fewer contributions grouped in the benchmark: those due
    after the last t and not overdue in a way a label reads).
    """
    from ._dates import LATE_DAYS

    label = (
        c.employer_id.isnull()
        & ~c.force_majeure
        & (c.paid_on.isnull() | (c.paid_on.delta(c.due_on, unit="day") > LATE_DAYS))
        & (c.due_on <= dates.t_plus_band.max())
    )
    return c.filter((c.due_on <= dates.as_of.max()) | label)


def _filled(col: ir.Value, f: FeatureDef) -> ir.Value:
    return col if f.fill is None else col.fill_null(f.fill)


# ------------------------------------------------------------------ compiling
_SQL_CACHE: dict = {}


def _cached(catalogue: Catalogue, features: Sequence[FeatureDef], kind: str, compile_):
    """Compile once per process; for the package's own features, also keep it on disk."""
    from ._sqlcache import cached_sql

    key = (json.dumps(catalogue.to_dict(), sort_keys=True), tuple(features),
           tuple(id(f.build) for f in features), kind)
    if key not in _SQL_CACHE:
        own = tuple(features) == tuple(default_features())
        _SQL_CACHE[key] = cached_sql(key[0], kind, compile_, enabled=own)
    return _SQL_CACHE[key]


def compile_sql(catalogue: Catalogue, features: Sequence[FeatureDef], dialect: str = "duckdb"):
    """The feature query as SQL over the registered tables ``cs_<table>`` and ``cs_as_of``.

    The text depends only on the catalogue and the features (not on the data
    or the dates), so it is compiled once per process and reused; for the
    package's own features it is also kept on disk (see :mod:`._sqlcache`).
    """
    return _cached(catalogue, features, dialect,
                   lambda: _compile(catalogue, features, dialect))


def compile_staged(catalogue: Catalogue, features: Sequence[FeatureDef],
                   dialect: str = "pyspark") -> StagedSQL:
    """The feature query in two stages: the shared intermediates, then the rest over them.

    Same result as :func:`compile_sql`; cached the same way.
    """
    text = _cached(catalogue, features, f"{dialect}+staged",
                   lambda: json.dumps(_compile_staged(catalogue, features, dialect)))
    parts = json.loads(text)
    return StagedSQL(prepared=parts["prepared"], final=parts["final"])


def prepared_name(table: str) -> str:
    """The name a shared intermediate is registered under in the staged query."""
    return f"cs_prep_{table}"


def _input_tables():
    import ibis

    from ..records._contract import MODEL_TABLES
    from ._io import contract_schema, table_name

    tables = {t: ibis.table(contract_schema(t), name=table_name(t)) for t in MODEL_TABLES}
    dates = ibis.table(ibis.Schema.from_pyarrow(_dates_arrow_schema()), name=DATES_TABLE)
    return tables, dates


def _compile(catalogue: Catalogue, features: Sequence[FeatureDef], dialect: str) -> str:
    import ibis

    tables, dates = _input_tables()
    expr = feature_expression(tables, dates, catalogue, features)
    return str(ibis.to_sql(expr, dialect=dialect))


def _compile_staged(catalogue: Catalogue, features: Sequence[FeatureDef], dialect: str) -> dict:
    import ibis

    tables, dates = _input_tables()
    exprs = prepare_tables(tables, catalogue)
    named = {t: ibis.table(exprs[t].schema(), name=prepared_name(t)) for t in PREPARED}
    # repayments carry their loan's columns: read them from the prepared loans
    exprs["repayments"] = prepare_tables({**tables, "loans": named["loans"]},
                                         catalogue)["repayments"]
    prepared = {prepared_name(t): str(ibis.to_sql(exprs[t], dialect=dialect)) for t in PREPARED}
    final = feature_expression(tables, dates, catalogue, features, prepared=named)
    return {"prepared": prepared, "final": str(ibis.to_sql(final, dialect=dialect))}


def _dates_arrow_schema():
    import pyarrow as pa

    return pa.schema(list(DATES_SCHEMA.items()))
