import re

import numpy as np
import pandas as pd
import pytest

from creditscore._errors import InputError
from creditscore.explain import ReasonCoder, reason_codes, reason_sentence
from creditscore.features._definitions import FeatureDef

from .explain_helpers import DEFS, NAMES, make_frame, make_labels, train_booster

REASON_COLS = ["reason_1", "reason_2", "reason_3", "reason_4"]


@pytest.fixture(scope="module")
def coder(booster):
    return ReasonCoder(DEFS).fit(booster)


@pytest.fixture(scope="module")
def explained(coder, frame):
    return coder.explain(frame)


def test_reasons_frame_has_four_columns_with_none_where_fewer_apply(coder, frame):
    out = coder.reasons(frame)
    assert list(out.columns) == REASON_COLS
    assert out.index.equals(frame.index)
    counts = out.notna().sum(axis=1)
    assert counts.max() <= 4
    assert (counts < 4).any()
    for row in out.itertuples(index=False):  # no gaps: None only after the last reason
        n = sum(r is not None for r in row)
        assert all(r is not None for r in row[:n]) and all(r is None for r in row[n:])


def test_reasons_are_deterministic_across_calls_coders_and_batch_sizes(
    coder, booster, frame, monkeypatch
):
    import creditscore.explain._reasons as reasons_module

    first = coder.reasons(frame)
    again = coder.reasons(frame)
    small = ReasonCoder(DEFS, batch_size=97).fit(booster).reasons(frame)
    monkeypatch.setattr(reasons_module, "CHUNK_ROWS", 1000)
    chunked = coder.reasons(frame)
    for other in (again, small, chunked):
        pd.testing.assert_frame_equal(first, other)


def test_an_array_in_model_column_order_gives_the_same_reasons(coder, frame):
    from_array = coder.explain(frame.to_numpy())
    assert (from_array.sentences == coder.explain(frame).sentences).all()
    with pytest.raises(InputError, match="expected 10 feature columns"):
        coder.explain(frame.to_numpy()[:, :3])


def test_an_unfitted_coder_says_so(frame):
    with pytest.raises(ValueError, match="not fitted yet"):
        ReasonCoder(DEFS).reasons(frame)


def test_reasons_are_positive_and_ordered_by_contribution(explained):
    c = explained.contributions
    has = explained.features != None  # noqa: E711 - elementwise
    assert (c[has] > 0).all()
    assert (np.diff(np.where(has, c, -1e9), axis=1) <= 1e-12).all()


def test_reason_contributions_are_the_exact_group_attributions(coder, booster, frame):
    phi = booster.predict(frame.to_numpy(float), pred_contrib=True)[:, :-1]
    res = coder.explain(frame.iloc[:500])
    fam = dict(zip(NAMES, coder.family_codes_, strict=True))
    for i in range(500):
        for f, v in zip(res.features[i], res.contributions[i], strict=True):
            if f is None:
                continue
            members = [j for j, n in enumerate(NAMES) if fam[n] == fam[f]]
            assert v == pytest.approx(phi[i, members].sum(), abs=1e-9)


def test_sentences_use_the_subjects_own_value(explained, frame):
    X = frame.to_numpy(float)
    for i in range(0, len(frame), 37):
        for f, s in zip(explained.features[i], explained.sentences[i], strict=True):
            if f is None:
                continue
            j = NAMES.index(f)
            assert s == reason_sentence(DEFS[j], X[i, j])


def test_sentences_never_contain_a_column_name_or_snake_case(explained):
    sentences = [s for s in explained.sentences.ravel() if s is not None]
    assert sentences
    for s in sentences:
        assert not any(name in s for name in NAMES)
        assert not re.search(r"\w_\w", s), s
        assert "nan" not in s.lower().split()


def test_a_large_late_payment_count_is_the_first_reason(coder, frame):
    subject = frame.iloc[[0]].copy()
    subject[["si_late30_count_12m", "si_late30_count_36m"]] = [6.0, 6.0]
    subject[["si_arrears_count", "si_arrears_amount", "pr_unresolved_count"]] = 0.0
    subject[["cc_util_last", "rp_ontime_share_12m", "ln_oldest_age_months"]] = [0.2, 0.95, 120]
    out = coder.reasons(subject)
    assert out.loc[subject.index[0], "reason_1"].startswith(
        "6 social insurance contributions paid more than 30 days late"
    )


def test_one_family_gives_one_reason(explained):
    late = {"si_late30_count_12m", "si_late30_count_36m"}
    arrears = {"si_arrears_count", "si_arrears_amount"}
    for row in explained.features:
        assert len(late & set(row)) <= 1 and len(arrears & set(row)) <= 1


def test_a_missing_value_reason_says_what_is_missing(coder, frame):
    X = frame.copy()
    X["rp_ontime_share_12m"] = np.nan  # missing on-time share: assumed risky by the labels
    res = coder.explain(X.iloc[:300])
    texts = [
        s
        for f, s in zip(res.features.ravel(), res.sentences.ravel(), strict=True)
        if f == "rp_ontime_share_12m"
    ]
    assert texts
    assert all(t == "No instalments due in the last 12 months: little recent repayment history "
                    "to go on" for t in texts)


def test_protected_attribute_in_the_model_is_refused(frame):
    X = frame.assign(sex=np.random.default_rng(0).integers(0, 2, len(frame)).astype(float))
    model = train_booster(X, make_labels(frame), rounds=5)
    sex = FeatureDef("sex", "Sex", "protected", 0, "{value}")
    with pytest.raises(InputError, match="protected attributes never enter a model"):
        ReasonCoder(DEFS + (sex,)).fit(model)


def test_protected_source_in_a_definition_is_refused(frame):
    X = frame.rename(columns={"ln_card_limit": "group_code"})
    model = train_booster(X, make_labels(frame), rounds=5)
    defs = [d for d in DEFS if d.name != "ln_card_limit"]
    defs.append(FeatureDef("group_code", "A group", "protected", 0, "{value}"))
    with pytest.raises(InputError, match="group_code: protected attributes"):
        ReasonCoder(defs).fit(model)


def test_a_model_column_without_a_definition_is_refused(booster):
    with pytest.raises(InputError, match="cc_util_last have no feature definition"):
        ReasonCoder([d for d in DEFS if d.name != "cc_util_last"]).fit(booster)


def test_reference_population_sets_the_baseline(booster, frame):
    coder = ReasonCoder(DEFS).fit(booster, frame)
    raw = booster.predict(frame.to_numpy(float), raw_score=True)
    assert coder.baseline_ == pytest.approx(raw.mean())
    assert coder.expected_value_ == pytest.approx(
        booster.predict(frame.iloc[:1].to_numpy(float), pred_contrib=True)[0, -1]
    )


def test_raw_score_equals_the_models_log_odds(explained, booster, frame):
    raw = booster.predict(frame.to_numpy(float), raw_score=True)
    np.testing.assert_allclose(explained.raw_score, raw, rtol=0, atol=1e-12)


def test_reason_codes_accepts_a_wrapped_estimator(booster, frame):
    class Wrapped:  # like LoadedModel: the estimator holds booster_
        def __init__(self, est):
            self.estimator = est

    class Est:
        booster_ = booster
        best_iteration_ = None

    direct = reason_codes(booster, frame.iloc[:50], features=DEFS)
    wrapped = reason_codes(Wrapped(Est()), frame.iloc[:50], features=DEFS)
    pd.testing.assert_frame_equal(direct, wrapped)


def test_best_iteration_limits_the_trees_explained(frame):
    model = train_booster(frame, make_labels(frame), rounds=30)

    class Est:
        booster_ = model
        best_iteration_ = 10

    res = ReasonCoder(DEFS).fit(Est()).explain(frame.iloc[:200])
    np.testing.assert_allclose(
        res.raw_score,
        model.predict(frame.iloc[:200].to_numpy(float), raw_score=True, num_iteration=10),
        atol=1e-12,
    )


# ------------------------------------------------------------------ scorecards
@pytest.fixture(scope="module")
def points():
    return pd.DataFrame(
        {
            "feature": ["si_late30_count_12m"] * 4 + ["cc_util_last"] * 4,
            "bin": [
                "(-inf, 1)",
                "[1, 3)",
                "[3, inf)",
                "Missing",
                "(-inf, 0.3)",
                "[0.3, 0.8)",
                "[0.8, inf)",
                "Missing",
            ],
            "count": [100, 50, 20, 0, 60, 60, 30, 20],
            "points": [60.0, 40.0, 25.0, 45.0, 50.0, 42.0, 30.0, 38.0],
        }
    )


def _card_defs():
    return [d for d in DEFS if d.name in ("si_late30_count_12m", "cc_util_last")]


def test_scorecard_reasons_are_points_below_the_best_bin(points):
    X = pd.DataFrame(
        {"si_late30_count_12m": [4.0, 0.0, 1.0, 0.0], "cc_util_last": [0.5, 0.1, 0.9, np.nan]}
    )
    res = ReasonCoder(_card_defs()).fit(points).explain(X)
    assert res.features[0].tolist() == ["si_late30_count_12m", "cc_util_last", None, None]
    np.testing.assert_allclose(res.contributions[0, :2], [35.0, 8.0])
    assert res.features[1].tolist() == [None] * 4  # best bins: nothing lost
    assert res.features[2].tolist()[:2] == ["si_late30_count_12m", "cc_util_last"]
    np.testing.assert_allclose(res.contributions[2, :2], [20.0, 20.0])  # tie: column order
    assert res.sentences[0, 0] == (
        "4 social insurance contributions paid more than 30 days late in the last 12 months: "
        "late contributions are a sign of payment trouble"
    )
    assert res.sentences[3, 0] == (  # Missing bin: 12 lost
        "No credit card statement on record: no card history to go on")


def test_scorecard_missing_bin_without_rows_does_not_set_the_best(points):
    res = ReasonCoder(_card_defs()).fit(points)
    np.testing.assert_allclose(res.points_.best, [60.0, 50.0])


def test_scorecard_with_numeric_bounds(points):
    table = pd.DataFrame(
        {
            "feature": ["cc_util_last"] * 3,
            "lower": [-np.inf, 0.5, np.nan],
            "upper": [0.5, np.inf, np.nan],
            "points": [50.0, 20.0, 35.0],
        }
    )
    X = pd.DataFrame({"cc_util_last": [0.5, 0.49, np.nan]})
    res = ReasonCoder(_card_defs()).fit(table).explain(X)
    np.testing.assert_allclose(res.contributions[:, 0], [30.0, 0.0, 15.0])


def test_scorecard_reads_a_fitted_scorecards_exact_splits():
    class Card:
        bins_ = {"cc_util_last": {"splits": [0.123456789], "labels": ["a", "b", "Missing"]}}
        points_table_ = pd.DataFrame(
            {
                "feature": ["cc_util_last"] * 3,
                "bin": ["(-inf, 0.123457)", "[0.123457, inf)", "Missing"],
                "count": [5, 5, 0],
                "points": [50.0, 20.0, 0.0],
            }
        )

    X = pd.DataFrame({"cc_util_last": [0.1234568, 0.12345678]})
    res = ReasonCoder(_card_defs()).fit(Card()).explain(X)
    np.testing.assert_allclose(res.contributions[:, 0], [30.0, 0.0])


def test_bad_points_table_names_the_problem():
    with pytest.raises(InputError, match="not an interval"):
        ReasonCoder(_card_defs()).fit(
            pd.DataFrame({"feature": ["cc_util_last"], "bin": ["low"], "points": [1.0]})
        )


def test_make_frame_is_reproducible():
    pd.testing.assert_frame_equal(make_frame(50, seed=3), make_frame(50, seed=3))


# --------------------------------------------------------- families and details
def test_family_key_strips_the_window_and_groups_public_records():
    from creditscore.explain import family_key

    assert family_key("si_late_count_36m") == family_key("si_late_count_6m") == "si_late"
    assert family_key("si_arrears_count") == family_key("si_arrears_amount") == "si_arrears"
    assert family_key("rp_days_late_max_ever") == "rp_days_late_max"
    assert family_key("pr_unresolved_amount") == family_key("pr_count_12m") == "public_records"


def test_a_public_record_reason_names_the_kinds_on_file():
    defs = [
        FeatureDef(
            "pr_unresolved_amount",
            "Money at stake in unresolved public records",
            "public_records",
            1,
            "{value:,.0f} is owed on unresolved public records",
        ),
        FeatureDef(
            "pr_enforcement_default_count",
            "Visible enforcement default records",
            "public_records",
            1,
            "{value:.0f} enforcement default record{s} on file",
        ),
        FeatureDef(
            "pr_tax_arrears_count",
            "Visible tax arrears records",
            "public_records",
            1,
            "{value:.0f} tax arrears record{s} on file",
        ),
    ]
    table = pd.DataFrame(
        {
            "feature": ["pr_unresolved_amount"] * 3
            + ["pr_enforcement_default_count"] * 3
            + ["pr_tax_arrears_count"] * 3,
            "bin": ["(-inf, 1)", "[1, inf)", "Missing"] * 3,
            "points": [50.0, 10.0, 50.0, 30.0, 25.0, 30.0, 20.0, 15.0, 20.0],
        }
    )
    X = pd.DataFrame(
        {
            "pr_unresolved_amount": [48075.0, 0.0, 0.0],
            "pr_enforcement_default_count": [1.0, 2.0, 0.0],
            "pr_tax_arrears_count": [1.0, 0.0, 1.0],
        }
    )
    res = ReasonCoder(defs).fit(table).explain(X)
    assert res.sentences[0].tolist() == [
        "48,075 is owed on unresolved public records (on file: enforcement default, tax arrears)"
        ": public records of unpaid obligations weigh towards a higher risk",
        None,
        None,
        None,
    ]  # one family: one reason, its loss the sum of all three
    assert res.contributions[0, 0] == pytest.approx(40 + 5 + 5)
    weighs = ": public records of unpaid obligations weigh towards a higher risk"
    assert res.sentences[1, 0] == "2 enforcement default records on file" + weighs  # no repeat
    assert res.sentences[2, 0] == "1 tax arrears record on file" + weighs


def test_min_contribution_drops_small_reasons(booster, frame):
    all_ = ReasonCoder(DEFS).fit(booster).explain(frame)
    big = ReasonCoder(DEFS, min_contribution=0.3).fit(booster).explain(frame)
    kept = big.features != None  # noqa: E711
    assert (big.contributions[kept] > 0.3).all()
    assert kept.sum() < (all_.features != None).sum()  # noqa: E711
    assert (big.features[kept] == all_.features[kept]).all()  # same order, a prefix of it
