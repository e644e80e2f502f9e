"""audit-scores: the gate for a scores file written by another library."""

import json

import numpy as np
import pandas as pd
import pytest

from creditscore._errors import InputError
from creditscore.fairness import audit_scores
from flat_table import make_flat_table


@pytest.fixture(scope="module")
def scores_file(tmp_path_factory):
    """sklearn LogisticRegression PDs of a flat table, written with pandas to CSV."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    table = make_flat_table(n=1500, seed=3)
    X = table.select_dtypes("number").drop(columns=["age_in_years"]).fillna(0.0)
    y = (table["risk"] == "bad").astype(int)
    lr = make_pipeline(StandardScaler(), LogisticRegression(max_iter=500)).fit(X, y)
    out = pd.DataFrame({"person": table["application_id"], "pd": lr.predict_proba(X)[:, 1],
                        "defaulted": y, "age": table["age_in_years"],
                        "telephone": table["telephone"]})
    out.loc[out.index[::10], "defaulted"] = np.nan  # outcome not yet known
    path = tmp_path_factory.mktemp("scores") / "scores.csv"
    out.to_csv(path, index=False)
    return path


# the group table rounds its rates to 6 decimals, hence abs=5e-7 below
def _hand(frame, share, labels, reported):
    """Flag the riskiest share of every row (ties at the cut flagged); the flag rate of each
    reported group and its ratio: the lowest group's rate over its own."""
    pd_ = frame["pd"].to_numpy()
    cut = np.sort(pd_)[::-1][int(np.ceil(share * len(pd_))) - 1]
    flagged = pd_ >= cut
    rates = {g: flagged[labels == g].mean() for g in reported}
    low = min(rates.values())
    return rates, {g: low / r for g, r in rates.items()}


def test_flag_rates_and_ratios_match_a_hand_computation(scores_file, tmp_path):
    result = audit_scores(scores_file, score="pd", label="defaulted", out_dir=tmp_path / "a",
                          protected=["age", "telephone"], flag_share=0.3, id_column="person")
    frame = pd.read_csv(scores_file)
    age = pd.cut(frame["age"], [-np.inf, 30, 45, 60, np.inf], right=False,
                 labels=["<30", "30-44", "45-59", "60+"]).astype(str).to_numpy()
    groups = result.to_frame().set_index(["attribute", "group"])
    ratios = result.checks.query("metric == 'flag_rate_ratio'").set_index(["attribute", "group"])
    for attr, labels in (("age", age), ("telephone", frame["telephone"].to_numpy())):
        reported = list(groups.loc[attr].index)
        assert len(reported) >= 2
        rates, ratio = _hand(frame, 0.3, labels, reported)
        for g, rate in rates.items():
            assert groups.loc[(attr, g), "flag_rate"] == pytest.approx(rate, abs=5e-7)
            if (attr, g) in ratios.index:
                assert ratios.loc[(attr, g), "value"] == pytest.approx(ratio[g], abs=5e-7)
    assert len(ratios) >= 3


def test_bound_to_the_file_hash_logged_and_proxies_skipped(scores_file, tmp_path,
                                                           _isolated_audit_log):
    import hashlib

    out = tmp_path / "a"
    result = audit_scores(scores_file, score="pd", label="defaulted", out_dir=out,
                          protected=["telephone"], threshold=0.5)
    body = json.loads((out / "audit.json").read_text())
    digest = hashlib.sha256(scores_file.read_bytes()).hexdigest()
    assert body["model"] == body["scores"]["sha256"] == digest == result.model_hash
    assert body["decision"]["threshold"] == 0.5
    assert "holds no model inputs" in body["proxy_screen"]["skipped"]
    assert "Proxy detection was skipped" in (out / "audit.md").read_text()
    entry = json.loads(_isolated_audit_log.read_text().splitlines()[-1])
    assert entry["action"] == "audit-scores" and entry["scores_sha256"] == digest


def test_points_where_lower_is_riskier_drop_the_calibration_check(scores_file, tmp_path):
    frame = pd.read_csv(scores_file)
    frame["points"] = 600 - 100 * np.log(frame["pd"] / (1 - frame["pd"]))
    path = tmp_path / "points.parquet"
    frame.to_parquet(path)
    as_points = audit_scores(path, score="points", label="defaulted", riskier="low",
                             protected=["telephone"], flag_share=0.3)
    as_pd = audit_scores(scores_file, score="pd", label="defaulted", protected=["telephone"],
                         flag_share=0.3)
    assert "calibration_gap" not in set(as_points.checks["metric"])
    assert "calibration_gap" in set(as_pd.checks["metric"])
    a = as_points.to_frame().set_index("group")["flag_rate"]
    b = as_pd.to_frame().set_index("group")["flag_rate"]
    pd.testing.assert_series_equal(a, b)
    aucs = as_points.to_frame()["auc"].to_numpy(), as_pd.to_frame()["auc"].to_numpy()
    np.testing.assert_allclose(*aucs, atol=1e-9)


@pytest.mark.parametrize(("kw", "match"), [
    ({"flag_share": 1.5}, r"--flag-share 1.5: must lie strictly between 0 and 1"),
    ({"flag_share": 0}, r"--flag-share 0: must lie strictly between 0 and 1"),
    ({"score": "telephone"}, r"score column 'telephone' is not numeric \(row 0 holds"),
    ({"score": "nope"}, r"no score column 'nope'"),
    ({"riskier": "up"}, r"--riskier 'up'"),
    ({"id_column": "telephone"}, r"id column 'telephone' has duplicates"),
    ({"protected": ["religion"]}, r"no protected column 'religion'"),
])
def test_bad_input(scores_file, tmp_path, kw, match):
    args = dict(score="pd", label="defaulted", protected=["telephone"], out_dir=tmp_path / "a")
    args.update(kw)
    with pytest.raises(InputError, match=match):
        audit_scores(scores_file, **args)
    assert not (tmp_path / "a").exists()
