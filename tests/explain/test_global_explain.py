"""Global explanations for the model card: SHAP plots (PNG) and the points table."""

import pandas as pd
import pytest

from creditscore.explain import points_table, shap_importance, shap_plots

from .explain_helpers import DEFS

PNG = b"\x89PNG\r\n\x1a\n"


def test_shap_plots_write_png_files(booster, frame, tmp_path):
    paths = shap_plots(
        booster, frame, tmp_path / "figures", features=DEFS, sample=300, dependence=2
    )
    names = [p.name for p in paths]
    assert names[:2] == ["shap_summary.png", "shap_importance.png"]
    assert len(names) == 4 and all(n.startswith("shap_dependence_") for n in names[2:])
    for p in paths:
        assert p.read_bytes().startswith(PNG)
    assert not list((tmp_path / "figures").glob(".*"))  # no temporary files left


def test_shap_importance_ranks_features_with_plain_descriptions(booster, frame):
    imp = shap_importance(booster, frame, features=DEFS, sample=500)
    assert list(imp.columns) == ["feature", "description", "mean_abs_shap"]
    assert imp["mean_abs_shap"].is_monotonic_decreasing
    assert imp.iloc[0]["feature"] in {
        "pr_unresolved_count",
        "si_late30_count_12m",
        "si_arrears_count",
        "rp_ontime_share_12m",
        "cc_util_last",
    }


def test_points_table_shows_points_below_the_best_bin():
    table = pd.DataFrame(
        {
            "feature": ["cc_util_last"] * 3,
            "bin": ["(-inf, 0.3)", "[0.3, inf)", "Missing"],
            "count": [10, 10, 0],
            "points": [50.0, 30.0, 60.0],
        }
    )
    out = points_table(table, features=DEFS)
    assert list(out.columns[:6]) == [
        "feature",
        "description",
        "bin",
        "points",
        "best",
        "below_best",
    ]
    assert out["below_best"].tolist() == [0.0, 20.0, -10.0]  # the empty Missing bin is no best
    assert out["description"].iloc[0].startswith("Last statement balance of open cards")


def test_points_table_refuses_a_boosted_model(booster):
    with pytest.raises(ValueError, match="points tables are for scorecards"):
        points_table(booster)
