from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import standin

from creditscore._errors import InputError
from creditscore.reports import DataSheet

EDGES = Path(__file__).parents[1] / "data" / "label-edges"


def test_composition_counts_tables_rows_and_subjects():
    frame = DataSheet.from_records(EDGES).to_frame().set_index("table")
    assert frame.loc["subjects", "rows"] == 15
    assert frame.loc["repayments", "rows"] == 7
    assert frame.loc["repayments", "subjects"] == 6  # through their loans
    assert frame.loc["public_records", "columns"] == 12


def test_coverage_counts_records_per_year_per_table():
    coverage = DataSheet.from_records(EDGES).coverage()
    assert coverage.loc[2022, "loans"] == 6
    assert coverage.loc[2023, "contributions"] == 2
    assert coverage["repayments"].sum() == 7


def test_missingness_per_column_against_the_contract():
    miss = DataSheet.from_records(EDGES).missingness().set_index(["table", "column"])
    assert miss.loc[("contributions", "employer_id"), "missing"] == 0.5
    assert miss.loc[("loans", "closed_on"), "missing"] == 1.0
    assert miss.loc[("loans", "closed_on"), "nullable"]
    assert miss.loc[("subjects", "subject_id"), "missing"] == 0.0


def test_report_sections_and_offline_html(tmp_path):
    sheet = DataSheet.from_records(EDGES)
    paths = sheet.write(tmp_path)
    html, md = paths["html"].read_text(), paths["md"].read_text()
    for title in (
        "Motivation",
        "Composition",
        "Coverage by period",
        "Missingness",
        "Label base rates by group",
        "Collection process",
        "Uses",
        "Maintenance",
    ):
        assert f"## {title}" in md
    assert "| **Extracted on** | 2024-12-31 |" in md
    assert "| contributions | employer_id | 50.0% | yes |" in md
    assert "http://" not in html and "https://" not in html


def test_label_base_rates_suppress_groups_under_the_minimum(tmp_path):
    features = standin.feature_frame(n=400, seed=1)
    features.to_parquet(tmp_path / "features.parquet")
    rng = np.random.default_rng(0)
    protected = pd.DataFrame(
        {
            "subject_id": features["subject_id"],
            "sex": rng.choice(["F", "M"], 400),
            "birth_year": rng.integers(1950, 2000, 400),
            "ethnicity": np.where(np.arange(400) < 20, "tiny", "majority"),
            "hukou": "urban",
            "region": "R1",
        }
    )
    protected.to_csv(tmp_path / "protected.csv", index=False)
    sheet = DataSheet.from_records(
        EDGES,
        features_path=tmp_path / "features.parquet",
        protected_path=tmp_path / "protected.csv",
    )
    rates = sheet.label_rates
    assert set(rates["attribute"]) >= {"sex", "ethnicity", "age_band"}
    assert "tiny" not in set(rates["group"])
    assert ("ethnicity", "tiny") in sheet.suppressed
    majority = rates.query("attribute == 'ethnicity' and group == 'majority'").iloc[0]
    assert majority["people"] == 380
    assert majority["ci_low"] <= majority["rate"] <= majority["ci_high"]
    md = sheet.to_markdown()
    assert "- ethnicity \u201ctiny\u201d: suppressed" in md
    assert [line for line in md.splitlines() if "tiny" in line] == [
        "- ethnicity \u201ctiny\u201d: suppressed"
    ]


def test_not_a_record_set_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="no table of the record contract"):
        DataSheet.from_records(tmp_path)
