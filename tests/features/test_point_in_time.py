"""Point-in-time correctness: dropping everything dated after t leaves the features as of t.

Each example builds one record set holding the random records and, under
renamed ids, their truncation as known on each of three random days; one
feature build at those days then compares every feature of every subject.
"""

from __future__ import annotations

import datetime as dt
import math
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from creditscore.features import build_feature_table, feature_names

from .conftest import write_records
from .strategies import EXTRACTED, as_known_on, day, record_sets, with_suffix


def _merge(parts: list[dict]) -> dict:
    return {k: [row for p in parts for row in p[k]] for k in parts[0]}


def _same(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return a == b or (isinstance(a, float) and math.isclose(a, b, rel_tol=0, abs_tol=0))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(records=record_sets(), days=st.lists(day(dt.date(2017, 6, 1), EXTRACTED),
                                            min_size=3, max_size=3, unique=True))
def test_features_as_of_t_ignore_everything_dated_after_t(records, days):
    parts = [records] + [with_suffix(as_known_on(records, t), f"@{i}") for i, t in enumerate(days)]
    merged = _merge(parts)
    with tempfile.TemporaryDirectory() as tmp:
        path = write_records(Path(tmp), extracted_on=EXTRACTED, subjects=(),
                             **{k: v for k, v in merged.items() if k != "subjects"})
        _write_subjects(path, merged["subjects"])
        rows = build_feature_table(path, days, output="arrow").to_pylist()
    got = {(r["subject_id"], r["as_of"]): r for r in rows}
    names = feature_names()
    for i, t in enumerate(days):
        for s in records["subjects"]:
            full, known = got[(s["subject_id"], t)], got[(f"{s['subject_id']}@{i}", t)]
            diff = [n for n in names if not _same(full[n], known[n])]
            assert not diff, f"as of {t}, {s['subject_id']}: " + ", ".join(
                f"{n}={full[n]!r} but {known[n]!r} without what came after" for n in diff)


def _write_subjects(path: Path, subjects: list[dict]) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from creditscore.records._contract import arrow_schema

    pq.write_table(pa.Table.from_pylist(subjects, schema=arrow_schema("subjects")),
                   path / "subjects.parquet")
