"""Market entities as subjects: the contract extension of the guide (entities) (private).

``subjects.kind`` (optional: ``person`` or ``entity``; no column, every
subject is a person) and the audit-only ``entities`` table (region,
ownership, headcount, size band) are stated here, with the checks the
validator adds for them. They run as DuckDB SQL over the files of a record
set, beside the contract's own checks (``_validate``), and only when the
record set has a ``kind`` column or an ``entities`` file: a person-only
record set is checked exactly as before.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ._report import Finding, Problem, show

__all__ = [
    "KINDS",
    "OWNERSHIP",
    "SIZE_BANDS",
    "ENTITY_TABLE",
    "ENTITY_COLUMNS",
    "ENTITY_PRODUCTS",
    "PERSON_ONLY_RECORD_TYPES",
    "size_band",
    "size_band_sql",
    "entity_findings",
]

KINDS = ("person", "entity")
OWNERSHIP = ("private", "state", "collective", "foreign")
#: size band -> smallest headcount in it (the band runs to the next one's minimum - 1)
SIZE_BANDS = {"micro": 0, "small": 10, "medium": 100, "large": 300}
ENTITY_TABLE = "entities"
#: column -> (SQL type, allowed values)
ENTITY_COLUMNS = {
    "subject_id": ("VARCHAR", ()),
    "region": ("VARCHAR", ()),
    "ownership": ("VARCHAR", OWNERSHIP),
    "headcount": ("BIGINT", ()),
    "size_band": ("VARCHAR", tuple(SIZE_BANDS)),
}
ENTITY_PRODUCTS = ("business",)
PERSON_ONLY_RECORD_TYPES = ("benefit_fraud",)
EXAMPLES = 5

MSG_KIND = "value outside the allowed set"
MSG_MISSING_TABLE = "missing file entities.{fmt}: the record set has entity subjects"
MSG_MISSING_COLUMN = "missing column in entities.{fmt}"
MSG_NOT_ENTITY = "row of a subject that is not an entity"
MSG_NO_ATTRIBUTES = "entity without a row in entities"
MSG_DUPLICATE = "duplicate id"
MSG_HEADCOUNT = "headcount is not a whole number >= 0"
MSG_BAND = "size_band does not match headcount"
MSG_CONTRIBUTION_OF_ENTITY = (
    "contribution of an entity (an entity is the employer_id, never the subject_id)"
)
MSG_EMPLOYER_PERSON = "employer_id is a person's subject_id"
MSG_ENTITY_PRODUCT = "loan of an entity with a product other than business"
MSG_ENTITY_RECORD = "record type only a person can have, on an entity"
MSG_PROTECTED_ENTITY = "protected row of an entity (an entity's attributes go in entities)"


def size_band(headcount: int) -> str:
    """The size band of a headcount (guide: entities)."""
    return [band for band, least in SIZE_BANDS.items() if headcount >= least][-1]


def size_band_sql(col: str) -> str:
    """SQL for the size band of the integer column ``col``."""
    cases = " ".join(
        f"WHEN {col} >= {least} THEN '{band}'" for band, least in reversed(SIZE_BANDS.items())
    )
    return f"CASE {cases} END"


def _lit(text) -> str:
    return "'" + str(text).replace("'", "''") + "'"


def _sql_list(values) -> str:
    return ", ".join(_lit(v) for v in values)


@dataclass(frozen=True)
class _Check:
    table: str
    column: str
    message: str
    expected: str
    sql: str  # SELECT _row, got ... (the rows with the problem)


def _source(path: Path, fmt: str) -> str:
    if fmt == "csv":
        return (f"(SELECT row_number() OVER () AS _row, * FROM "
                f"read_csv({_lit(path)}, header = true, all_varchar = true))")
    return (f"(SELECT file_row_number + 1 AS _row, * FROM "
            f"read_parquet({_lit(path)}, file_row_number = true))")


def _columns(con, source: str) -> list[str]:
    return [r[0] for r in con.execute(f"DESCRIBE SELECT * FROM {source}").fetchall()]


def _open(con, record_dir: Path, fmt: str, files: dict) -> tuple[bool, bool]:
    """Views ``ent_kind`` (every subject, its kind) and ``ent_attr``; (has kind, has entities)."""
    subjects = _source(files["subjects"], fmt)
    has_kind = "kind" in _columns(con, subjects)
    kind = "CAST(kind AS VARCHAR)" if has_kind else "'person'"
    con.execute(f"CREATE OR REPLACE TEMP VIEW ent_kind AS SELECT _row, "
                f"CAST(subject_id AS VARCHAR) AS subject_id, {kind} AS kind FROM {subjects}")
    path = record_dir / f"{ENTITY_TABLE}.{fmt}"
    return has_kind, path.is_file()


def _entity_table_checks(con, record_dir: Path, fmt: str) -> tuple[list[_Check], list[Problem]]:
    source = _source(record_dir / f"{ENTITY_TABLE}.{fmt}", fmt)
    present = _columns(con, source)
    missing = [c for c in ENTITY_COLUMNS if c not in present]
    problems = [Problem(ENTITY_TABLE, c, None, MSG_MISSING_COLUMN.format(fmt=fmt),
                        expected=f"a {ENTITY_COLUMNS[c][0].lower()} column") for c in missing]
    if missing:
        return [], problems
    cols = ", ".join(f"TRY_CAST(trim(CAST({c} AS VARCHAR)) AS {t}) AS {c}, "
                     f"CAST({c} AS VARCHAR) AS {c}__raw" for c, (t, _) in ENTITY_COLUMNS.items())
    con.execute(f"CREATE OR REPLACE TEMP VIEW ent_attr AS SELECT _row, {cols} FROM {source}")
    t = ENTITY_TABLE
    checks = [
        _Check(t, c, "missing value in a non-nullable column", f"a {typ.lower()}",
               f"SELECT _row, {c}__raw FROM ent_attr WHERE {c}__raw IS NULL")
        for c, (typ, _) in ENTITY_COLUMNS.items()
    ]
    checks += [
        _Check(t, c, MSG_KIND, "one of " + ", ".join(allowed),
               f"SELECT _row, {c}__raw FROM ent_attr WHERE {c} NOT IN ({_sql_list(allowed)})")
        for c, (_, allowed) in ENTITY_COLUMNS.items() if allowed
    ]
    checks += [
        _Check(t, "headcount", MSG_HEADCOUNT, "a whole number >= 0",
               "SELECT _row, headcount__raw FROM ent_attr WHERE headcount__raw IS NOT NULL "
               "AND (headcount IS NULL OR headcount < 0)"),
        _Check(t, "size_band", MSG_BAND, "the band of the headcount (guide: entities)",
               f"SELECT _row, size_band__raw FROM ent_attr WHERE headcount >= 0 AND "
               f"size_band IS NOT NULL AND size_band <> {size_band_sql('headcount')}"),
        _Check(t, "subject_id", MSG_DUPLICATE, "a unique id",
               "SELECT _row, subject_id FROM (SELECT _row, subject_id, row_number() OVER "
               "(PARTITION BY subject_id ORDER BY _row) AS k FROM ent_attr "
               "WHERE subject_id IS NOT NULL) WHERE k > 1"),
        _Check(t, "subject_id", MSG_NOT_ENTITY, "a subject_id of subjects with kind entity",
               "SELECT _row, subject_id FROM ent_attr a WHERE subject_id IS NOT NULL AND NOT "
               "EXISTS (SELECT 1 FROM ent_kind k WHERE k.subject_id = a.subject_id "
               "AND k.kind = 'entity')"),
        _Check("subjects", "subject_id", MSG_NO_ATTRIBUTES, "a row in entities",
               "SELECT _row, subject_id FROM ent_kind k WHERE kind = 'entity' AND NOT EXISTS "
               "(SELECT 1 FROM ent_attr a WHERE a.subject_id = k.subject_id)"),
    ]
    return checks, problems


def _cross_checks(files: dict, fmt: str) -> list[_Check]:
    """Checks of the contract tables against the kinds of their subjects."""
    ent = "(SELECT subject_id FROM ent_kind WHERE kind = 'entity')"
    per = "(SELECT subject_id FROM ent_kind WHERE kind = 'person')"
    out = [_Check("subjects", "kind", MSG_KIND, "one of person, entity",
                  f"SELECT _row, kind FROM ent_kind WHERE kind IS NULL OR kind NOT IN "
                  f"({_sql_list(KINDS)})")]
    src = {t: _source(files[t], fmt) for t in ("contributions", "loans", "public_records",
                                                "protected") if t in files}
    if "contributions" in src:
        out += [
            _Check("contributions", "subject_id", MSG_CONTRIBUTION_OF_ENTITY, "a person",
                   f"SELECT _row, subject_id FROM {src['contributions']} "
                   f"WHERE CAST(subject_id AS VARCHAR) IN {ent}"),
            _Check("contributions", "employer_id", MSG_EMPLOYER_PERSON,
                   "an entity's subject_id or an employer outside the record set",
                   f"SELECT _row, employer_id FROM {src['contributions']} "
                   f"WHERE CAST(employer_id AS VARCHAR) IN {per}"),
        ]
    if "loans" in src:
        out.append(_Check("loans", "product", MSG_ENTITY_PRODUCT, "business",
                          f"SELECT _row, product FROM {src['loans']} WHERE CAST(subject_id AS "
                          f"VARCHAR) IN {ent} AND product NOT IN ({_sql_list(ENTITY_PRODUCTS)})"))
    if "public_records" in src:
        out.append(_Check(
            "public_records", "record_type", MSG_ENTITY_RECORD,
            "a record type an entity can have (guide: entities)",
            f"SELECT _row, record_type FROM {src['public_records']} WHERE CAST(subject_id AS "
            f"VARCHAR) IN {ent} AND record_type IN ({_sql_list(PERSON_ONLY_RECORD_TYPES)})"))
    if "protected" in src:
        out.append(_Check("protected", "subject_id", MSG_PROTECTED_ENTITY, "a person",
                          f"SELECT _row, subject_id FROM {src['protected']} "
                          f"WHERE CAST(subject_id AS VARCHAR) IN {ent}"))
    return out


def _run(con, check: _Check) -> Finding | None:
    total = con.execute(f"SELECT count(*) FROM ({check.sql})").fetchall()[0][0]
    if not total:
        return None
    rows = con.execute(f"SELECT * FROM ({check.sql}) ORDER BY 1 LIMIT {EXAMPLES}").fetchall()
    return Finding(tuple(Problem(check.table, check.column, int(r[0]), check.message,
                                 got=show(r[1]), expected=check.expected) for r in rows), total)


def entity_findings(con, records) -> list[Finding]:
    """The problems of the entity extension in a record-set directory (none for a RecordSet).

    Nothing is checked (and nothing read) unless the subjects file has a
    ``kind`` column or the directory an ``entities`` file.
    """
    from ._layout import locate

    if not isinstance(records, (str, Path)):
        return []
    record_dir = Path(records)
    fmt, files, _ = locate(record_dir)
    if "subjects" not in files:
        return []
    try:
        has_kind, has_table = _open(con, record_dir, fmt, files)
    except Exception:  # an unreadable subjects file is the contract checks' problem
        return []
    if not has_kind and not has_table:
        return []
    checks, findings = _cross_checks(files, fmt), []
    n_entities = con.execute("SELECT count(*) FROM ent_kind WHERE kind = 'entity'").fetchall()[0][0]
    if has_table:
        more, problems = _entity_table_checks(con, record_dir, fmt)
        checks += more
        findings += [Finding((p,), 1) for p in problems]
    elif n_entities:
        findings.append(Finding((Problem(ENTITY_TABLE, None, None,
                                         MSG_MISSING_TABLE.format(fmt=fmt)),), 1))
    for check in checks:
        try:
            found = _run(con, check)
        except Exception:  # a mistyped or unreadable column: the contract checks report it
            continue
        if found is not None:
            findings.append(found)
    return findings
