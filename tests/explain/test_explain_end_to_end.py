"""End to end on a fresh synthetic world: reasons, letters and disputes (slow: `make test-slow`)."""

import re

import numpy as np
import pandas as pd
import pytest

from creditscore._errors import PolicyRefusal
from creditscore.explain import ReasonCoder, classify_records, write_letter

pytestmark = pytest.mark.slow
T = "2023-12-31"
NAMES_RECORD = re.compile(r"enforcement|court|judgment", re.I)


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    from creditscore.features import build_features
    from creditscore.models import load_model, train_model
    from creditscore.synth import generate

    root = tmp_path_factory.mktemp("world")
    generate(root / "records", n_subjects=4000, seed=4242)
    build_features(
        root / "records",
        ["2021-12-31", "2022-06-30", "2022-12-31", "2023-06-30", T],
        root / "features.parquet",
    )
    train_model(root / "features.parquet", "breach_12m", "lgbm", out=root / "model", n_boot=10)
    frame = pd.read_parquet(root / "features.parquet")
    rows = frame[pd.to_datetime(frame["as_of"]) == pd.Timestamp(T)].reset_index(drop=True)
    return root, load_model(root / "model"), rows


def _holders(records_dir, t):
    """Subjects with a visible, unresolved enforcement_default at t."""
    from creditscore.records import read_records

    rs = read_records(records_dir, validate=False)
    tables = {k: rs.to_pandas(k) for k in rs.tables}
    pr = tables["public_records"]
    out = set()
    for sid in pr.loc[pr["record_type"] == "enforcement_default", "subject_id"].unique():
        recs = classify_records(tables, sid, t, rs.catalogue)
        used = recs[(recs["status"] == "used") & recs["what"].str.startswith("Enforcement")]
        if used["why"].str.startswith("unresolved").any():
            out.add(sid)
    return out, tables, rs.extracted_on


def test_every_subject_above_the_median_pd_has_a_reason(world):
    _, model, rows = world
    pds = model.predict_pd(rows)
    reasons = ReasonCoder().fit(model).reasons(rows)
    above = pds > np.median(pds)
    assert reasons.loc[above, "reason_1"].notna().all()
    texts = reasons.stack().dropna()
    assert not texts.str.contains(r"\w_\w").any()


def test_enforcement_records_are_named_among_the_reasons(world):
    root, model, rows = world
    holders, _, _ = _holders(root / "records", T)
    assert len(holders) >= 10
    mine = rows[rows["subject_id"].isin(holders)]
    reasons = ReasonCoder().fit(model).reasons(mine)
    named = reasons.apply(lambda r: any(bool(NAMES_RECORD.search(s or "")) for s in r), axis=1)
    assert named.mean() >= 0.8


def test_a_letter_needs_a_passed_audit(world, tmp_path):
    root, _, rows = world
    with pytest.raises(PolicyRefusal):
        write_letter(
            root / "records", rows["subject_id"].iloc[0], root / "model", T, "review", tmp_path
        )
    assert not list(tmp_path.iterdir())


def test_write_letter_and_a_dispute_end_to_end(world, tmp_path):
    from creditscore.features import build_feature_table
    from creditscore.records import write_records

    root, model, rows = world
    holders, tables, extracted_on = _holders(root / "records", T)
    sid = sorted(holders)[0]
    result = write_letter(
        root / "records",
        sid,
        root / "model",
        T,
        "review of a credit line",
        tmp_path / "before",
        require_audit=False,
    )
    md = result.markdown.read_text()
    assert result.html.exists() and "enforcement default" in md.lower()
    assert result.to_dict()["n_subjects"] == 1 and result.to_dict()["purpose"]

    # the subject disputes the enforcement record ten days before T
    pr = tables["public_records"].copy()
    mask = (
        (pr["subject_id"] == sid)
        & (pr["record_type"] == "enforcement_default")
        & pr["resolved_on"].isna()
    )
    pr.loc[mask, "dispute_opened_on"] = pd.Timestamp(T) - pd.Timedelta(days=10)
    disputed = write_records({**tables, "public_records": pr}, tmp_path / "disputed", extracted_on)
    before = rows[rows["subject_id"] == sid].iloc[0]
    after = build_feature_table(disputed, [T])
    after = after[after["subject_id"] == sid].iloc[0]
    changed = {
        c
        for c in model.feature_names
        if not (before[c] == after[c] or (pd.isna(before[c]) and pd.isna(after[c])))
    }
    assert changed and all(c.startswith("pr_") for c in changed)
    letter = write_letter(
        disputed,
        sid,
        root / "model",
        T,
        "rescoring after a dispute",
        tmp_path / "after",
        require_audit=False,
    )
    assert "set aside until the dispute is decided" in letter.markdown.read_text()
