"""Public record features on hand-built records: disputes, voids, expiry, force majeure."""

from __future__ import annotations

import pytest

from creditscore._errors import InputError
from creditscore.features import build_feature_table

from .conftest import features_at, write_records

RECORD = {"record_id": "P1", "subject_id": "S1", "record_type": "tax_arrears",
          "recorded_on": "2022-01-10", "amount": 3000.0}


def _counts(path, *dates, **kw):
    return {d: r["pr_count"] for d, r in features_at(path, *dates, **kw).items()}


def test_a_disputed_record_is_left_out_during_the_dispute_and_back_after_rejection(tmp_path):
    path = write_records(tmp_path, public_records=[{
        **RECORD, "dispute_opened_on": "2022-03-01", "dispute_closed_on": "2022-06-01",
        "dispute_upheld": False}])
    assert _counts(path, "2022-02-28", "2022-03-01", "2022-05-31", "2022-06-01") == {
        "2022-02-28": 1, "2022-03-01": 0, "2022-05-31": 0, "2022-06-01": 1}


def test_an_upheld_dispute_voids_the_record_at_every_date(tmp_path):
    path = write_records(tmp_path, public_records=[{
        **RECORD, "dispute_opened_on": "2022-03-01", "dispute_closed_on": "2022-06-01",
        "dispute_upheld": True}])
    assert set(_counts(path, "2022-02-28", "2022-04-01", "2023-01-01").values()) == {0}


def test_a_resolved_record_expires_60_months_after_resolution(tmp_path):
    path = write_records(tmp_path, public_records=[{**RECORD, "resolved_on": "2018-01-10",
                                                    "recorded_on": "2017-06-01"}])
    rows = features_at(path, "2023-01-09", "2023-01-10")
    assert rows["2023-01-09"]["pr_count"] == 1
    assert rows["2023-01-09"]["pr_resolved_share"] == 1.0
    assert rows["2023-01-10"]["pr_count"] == 0
    assert rows["2023-01-10"]["pr_resolved_share"] is None


def test_an_unresolved_record_never_expires(tmp_path):
    path = write_records(tmp_path, public_records=[{**RECORD, "recorded_on": "2010-01-01"}])
    row = features_at(path, "2024-12-31")["2024-12-31"]
    assert row["pr_unresolved_count"] == 1
    assert row["pr_breach_unresolved_count"] == 1
    assert row["pr_unresolved_amount"] == 3000.0


def test_a_force_majeure_record_never_counts(tmp_path):
    path = write_records(tmp_path, public_records=[{**RECORD, "force_majeure": True}])
    assert _counts(path, "2023-01-01") == {"2023-01-01": 0}


def test_counts_by_type_and_severity(tmp_path):
    path = write_records(tmp_path, public_records=[
        RECORD, {**RECORD, "record_id": "P2", "record_type": "administrative_penalty",
                 "severity": "minor", "resolved_on": "2022-02-01"}])
    row = features_at(path, "2022-12-31")["2022-12-31"]
    assert (row["pr_tax_arrears_count"], row["pr_administrative_penalty_count"]) == (1, 1)
    assert (row["pr_general_count"], row["pr_minor_count"], row["pr_serious_count"]) == (1, 1, 0)
    assert row["pr_breach_unresolved_count"] == 1
    assert row["pr_count_12m"] == 2
    assert row["pr_resolved_share"] == 0.5


def test_a_record_type_the_catalogue_does_not_list_is_refused(tmp_path):
    path = write_records(tmp_path, public_records=[{**RECORD, "record_type": "social_media"}])
    with pytest.raises(InputError, match=r"public_records\.parquet: column record_type holds "
                                         r"'social_media'"):
        build_feature_table(path, ["2023-01-01"], output="arrow")


def test_a_type_the_catalogue_disallows_is_left_out(tmp_path):
    text = (tmp_path.parent / "cat.yaml")
    from creditscore.records import load_catalogue

    base = load_catalogue().to_dict()
    base["record_types"]["tax_arrears"]["allowed"] = False
    import yaml

    text.write_text(yaml.safe_dump(base))
    path = write_records(tmp_path, public_records=[RECORD])
    assert _counts(path, "2023-01-01", catalogue=text) == {"2023-01-01": 0}
