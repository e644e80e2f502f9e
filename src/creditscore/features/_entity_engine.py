"""Entity features and labels as one Ibis expression, run on DuckDB (guide: entities).

The expression reuses the point-in-time rule of ``_visibility`` unchanged:
the entity's employer-owed contribution rows are the prepared payment groups
with an ``employer_id``, re-keyed by the employer (``subject_id``) with the
employee kept as ``employee``, made the entity's own obligations (``own``)
and given the display period of a late contribution; they then go through
``visible_contributions`` / ``_relations.visible_arrears`` like a person's own rows. The
loans, repayments and public records of an entity are the relations the
person features read, keyed by the entity.

Rows: one per entity subject (``subjects.kind = 'entity'``) and observation
date. A person never gets an entity row, nor an entity a person row.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from .._errors import InputError
from ._definitions import FeatureDef
from ._engine import KEYS, _source_parts
from ._entity_defs import ARREARS, CONTRIB, ENTITY_FEATURES
from ._entity_labels import ENTITY_LABELS, entity_label_columns, entity_label_parts
from ._relations import visible_arrears, visible_relations
from ._visibility import _plus_months, prepare_tables, visible_contributions

if TYPE_CHECKING:  # pragma: no cover
    import ibis.expr.types as ir
    import pyarrow as pa

    from ..records._catalogue import Catalogue

__all__ = ["employer_rows", "entity_expression", "build_entity_table", "build_entity_features",
           "entity_output_schema", "ENTITY_SUBJECTS"]

ENTITY_SUBJECTS = "cs_entity_subjects"
MSG_NO_ENTITIES = ("{dir}: the record set has no entity subjects (subjects.kind = 'entity'; "
                   "the guide (entities))")


def employer_rows(contributions: ir.Table, catalogue: Catalogue) -> ir.Table:
    """Prepared contribution groups owed by an employer, as that employer's own obligations."""
    import ibis

    c = contributions.filter(contributions.employer_id.notnull())
    paid_late = c.paid_on.notnull() & (c.pay_days > 0) & ~c.fm
    months = catalogue.negative_item_months["unpaid_contribution"]
    return c.mutate(
        employee=c.subject_id,
        subject_id=c.employer_id,
        own=ibis.literal(True),
        expires_on=ibis.ifelse(paid_late, _plus_months(c.paid_on, months), None),
    )


def entity_expression(tables: dict[str, ir.Table], dates: ir.Table, catalogue: Catalogue,
                      features: Sequence[FeatureDef] | None = None) -> ir.Table:
    """The entity feature and label table (``tables["subjects"]``: the entity subjects)."""
    features = tuple(ENTITY_FEATURES if features is None else features)
    prepared = prepare_tables(tables, catalogue)
    relations, _ = visible_relations(tables, dates, catalogue, prepared)
    e = employer_rows(prepared["contributions"], catalogue)
    relations = {**relations, CONTRIB: visible_contributions(e, dates, months=36),
                 ARREARS: visible_arrears(e, dates)}
    parts = []
    for name, v in relations.items():
        parts += _source_parts(v, [f for f in features if f.reads == name])
    parts += entity_label_parts(e, prepared, dates)
    w = tables["subjects"].select("subject_id").distinct()
    w = w.cross_join(dates.select("as_of", "label_known"))
    for part in parts:
        w = w.left_join(part, KEYS).drop("subject_id_right", "as_of_right")
    w = w.mutate(**{f.name: w[f.name] if f.fill is None else w[f.name].fill_null(f.fill)
                    for f in features if f.kind != "derived"})
    w = w.mutate(**{f.name: f.build(w) for f in features if f.kind == "derived"})
    out = {"subject_id": w.subject_id, "as_of": w.as_of,
           **{f.name: w[f.name].cast(f.dtype) for f in features},
           **entity_label_columns(w)}
    return w.select(**out).order_by(["as_of", "subject_id"])


def entity_output_schema(features: Sequence[FeatureDef]) -> pa.Schema:
    import pyarrow as pa

    return pa.schema(
        [pa.field("subject_id", pa.string()), pa.field("as_of", pa.date32())]
        + [pa.field(f.name, pa.float64() if f.dtype == "float64" else pa.int64())
           for f in features]
        + [pa.field(name, pa.int64()) for name in ENTITY_LABELS]
    )


def _ids(subjects) -> tuple[str, ...]:
    from ..records._ownership import subject_ids

    try:
        return subject_ids(subjects)
    except ValueError as exc:
        raise InputError(str(exc)) from None


def _register_entities(con, record_dir, ids: tuple[str, ...] | None = None) -> None:
    from ..records._ownership import sql_list
    from ._io import _has_column, _run

    if not _has_column(con, "cs_raw_subjects", "kind"):
        raise InputError(MSG_NO_ENTITIES.format(dir=record_dir))
    only = "" if ids is None else f" AND subject_id IN {sql_list(ids)}"
    _run(con, f'CREATE OR REPLACE VIEW "{ENTITY_SUBJECTS}" AS SELECT DISTINCT '
              'CAST(subject_id AS VARCHAR) AS subject_id FROM "cs_raw_subjects" '
              f"WHERE kind = 'entity'{only}")
    if not _run(con, f'SELECT count(*) FROM "{ENTITY_SUBJECTS}"')[0][0]:
        raise InputError(MSG_NO_ENTITIES.format(dir=record_dir))


_SQL: dict = {}


def _entity_sql(cat: Catalogue, features: tuple[FeatureDef, ...]) -> str:
    """The compiled entity query (it depends on the catalogue and features only), cached."""
    import json

    import ibis

    from ._engine import _input_tables

    key = (json.dumps(cat.to_dict(), sort_keys=True), features,
           tuple(id(f.build) for f in features))
    if key not in _SQL:
        tables, dates = _input_tables()
        tables["subjects"] = ibis.table({"subject_id": "string"}, name=ENTITY_SUBJECTS)
        _SQL[key] = str(ibis.to_sql(entity_expression(tables, dates, cat, features),
                                    dialect="duckdb"))
    return _SQL[key]


def build_entity_table(record_dir, as_of, catalogue=None,
                       features: Sequence[FeatureDef] | None = None,
                       memory_limit: str = "2GB", threads: int | None = None,
                       subjects: Sequence[str] | None = None) -> pa.Table:
    """One row per (entity, as_of) with the entity features and labels, in memory (Arrow).

    ``subjects``: only these entities' rows, reading only the records they own (their
    own rows and the contributions they owe as employers,
    :mod:`creditscore.records._ownership`), the filter pushed down into the scan.

    Raises
    ------
    InputError
        A record set without entity subjects, or any problem the person
        feature build refuses (missing table or column, unknown record type,
        bad date), naming it.
    """
    from ._duckdb import local_input
    from ._engine import DATES_TABLE
    from ._io import (
        check_record_types,
        connect,
        parse_catalogue,
        parse_dates,
        read_record_set,
        resolve_extracted_on,
        restrict_to_subjects,
    )
    from ._visibility import dates_frame

    record_dir = local_input(record_dir)
    features = tuple(ENTITY_FEATURES if features is None else features)
    dates, cat = parse_dates(as_of), parse_catalogue(catalogue)
    schema = entity_output_schema(features)
    con = connect(memory_limit, threads)
    try:
        files = read_record_set(con, record_dir)
        extracted_on = resolve_extracted_on(con, record_dir, dates)  # the whole set's, first
        ids = None
        if subjects is not None:
            ids = _ids(subjects)
            restrict_to_subjects(con, record_dir, ids, employer=True, kind="entity")
        check_record_types(con, files["public_records"], cat)
        _register_entities(con, record_dir, ids)
        con.register(DATES_TABLE, dates_frame(dates, extracted_on))
        return con.sql(_entity_sql(cat, features)).to_arrow_table().cast(schema)
    finally:
        con.close()


def build_entity_features(record_dir, as_of, out, catalogue=None,
                          features: Sequence[FeatureDef] | None = None, **options) -> int:
    """Write the entity feature table to the Parquet file ``out`` atomically; the rows.

    ``options``: those of :func:`build_entity_table` (``subjects`` among them).
    """
    import pyarrow.parquet as pq

    from .._atomic import atomic_file
    from ._duckdb import local_input

    table = build_entity_table(record_dir, as_of, catalogue, features, **options)
    with atomic_file(local_input(out)) as tmp:
        pq.write_table(table, tmp)
    return table.num_rows
