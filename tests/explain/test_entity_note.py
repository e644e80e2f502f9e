"""The entity's supervision note (explain/_entity_note.py): HTML in the letter's style,
Markdown and JSON, the same facts in each."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

DATES = [dt.date(y, m, d) for y in (2021, 2022, 2023) for m, d in ((6, 30), (12, 31))]


@pytest.fixture(scope="module")
def note(tmp_path_factory):
    from creditscore.explain._entity_note import write_entity_note
    from creditscore.fairness import directory_hash, record_verdict
    from creditscore.features._entity_defs import ENTITY_MODEL_FEATURES
    from creditscore.features._entity_engine import build_entity_features
    from creditscore.models import train_model
    from creditscore.synth import generate

    root = tmp_path_factory.mktemp("entity-note")
    generate(root / "records", n_subjects=600, seed=5, n_entities=150)
    build_entity_features(root / "records", DATES, root / "features.parquet")
    train_model(root / "features.parquet", "entity_breach_12m", "lgbm", root / "model",
                train_until=dt.date(2022, 6, 30), seed=0, features=ENTITY_MODEL_FEATURES,
                n_boot=0)
    h = directory_hash(root / "model")  # the gate is other tests' subject
    record_verdict(root / "model", json.dumps({
        "passed": True, "model": h, "checks": [], "policy": {"sha256": "0" * 64},
        "created": "2024-01-01T00:00:00+00:00"}).encode(), model_hash=h)
    frame = pd.read_parquet(root / "features.parquet")
    worst = frame.sort_values("ent_arrears_count", ascending=False)["subject_id"].iloc[0]
    return write_entity_note(root / "records", worst, root / "model", "2023-12-31",
                             "supervision planning", root / "notes")


def test_the_note_is_written_as_html_markdown_and_json(note):
    assert note.html.name.endswith("-supervision.html")
    assert note.markdown.name.endswith("-supervision.md")
    assert note.json.name.endswith("-supervision.json")
    data = json.loads(note.json.read_text())
    html, md = note.html.read_text(), note.markdown.read_text()
    assert f"<b>{data['tier']}</b>" in html and f"Tier {data['tier']}" in md
    assert f"{data['pd']:.1%}" in html and f"{data['pd']:.1%}" in md
    for reason in data["reasons"]:
        assert reason in md
        assert reason.replace("&", "&amp;").replace("'", "&#39;") in html


def test_the_html_note_says_what_the_tier_may_not_be_used_for_and_loads_nothing(note):
    from creditscore.models._entity_tiers import ENTITY_TIER_MAY_NOT
    from creditscore.reports import check_offline

    html = note.html.read_text()
    assert "What it may not be used for" in html and "never a sanction" in html
    assert all(t.replace("'", "&#39;") in html for t in ENTITY_TIER_MAY_NOT)
    check_offline(html, "supervision note")


def test_explain_kind_entity_pdf_writes_the_note_as_pdf_too(note, tmp_path):
    import os
    import subprocess
    import sys

    root = note.html.parents[1]
    env = {**os.environ, "CREDITSCORE_AUDIT_LOG": str(tmp_path / "audit.jsonl")}
    r = subprocess.run([sys.executable, "-m", "creditscore", "explain", str(root / "records"),
                        note.subject_id, "--model", str(root / "model"), "--as-of",
                        "2023-12-31", "--kind", "entity", "--purpose", "supervision planning",
                        "--out", str(tmp_path / "notes"), "--pdf"],
                       capture_output=True, text=True, env=env, timeout=300)
    assert r.returncode == 0, r.stderr
    pdf = tmp_path / "notes" / note.html.with_suffix(".pdf").name
    assert pdf.read_bytes()[:5] == b"%PDF-"
    assert (tmp_path / "notes" / note.html.name).is_file()
    assert len((tmp_path / "audit.jsonl").read_text().splitlines()) == 1
