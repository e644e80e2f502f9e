"""Global explanations for the model card.

Boosted models: a SHAP summary (beeswarm) plot, a bar chart of mean absolute SHAP value,
and dependence plots of the most important features, computed by
``shap.TreeExplainer`` on a sample of rows and written as PNG files
(matplotlib's Agg backend, no display). Scorecards: the points table, with
each characteristic's plain description and the points a bin loses against
its best.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from ._resolve import default_features, resolve_model

__all__ = ["shap_plots", "shap_importance", "points_table"]


def _sample(X: pd.DataFrame, n: int, random_state) -> pd.DataFrame:
    if len(X) <= n:
        return X
    rng = np.random.default_rng(random_state)
    return X.iloc[np.sort(rng.choice(len(X), size=n, replace=False))]


def _labels(names, features) -> dict[str, str]:
    by_name = {f.name: f for f in features or ()}
    return {n: (by_name[n].description if n in by_name else n) for n in names}


def _shap(model, X: pd.DataFrame, sample: int, random_state):
    import shap

    kind, booster, num_iteration = resolve_model(model)
    if kind != "tree":
        raise ValueError("SHAP plots are for boosted models; use points_table for scorecards")
    names = list(booster.feature_name())
    Xs = _sample(X[names], sample, random_state)
    if num_iteration is not None:
        import lightgbm as lgb

        booster = lgb.Booster(model_str=booster.model_to_string(num_iteration=num_iteration))
    with warnings.catch_warnings():  # shap's notice on its LightGBM output format
        warnings.filterwarnings("ignore", message="LightGBM binary classifier")
        values = shap.TreeExplainer(booster).shap_values(Xs)
    if isinstance(values, list):  # older shap: one array per class
        values = values[-1]
    return names, Xs, np.asarray(values)


def shap_importance(
    model, X: pd.DataFrame, *, features=None, sample: int = 2000, random_state=0
) -> pd.DataFrame:
    """Mean absolute SHAP value (log-odds) per feature on a sample, most important first."""
    names, _, values = _shap(model, X, sample, random_state)
    labels = _labels(names, features if features is not None else default_features(model))
    frame = pd.DataFrame(
        {
            "feature": names,
            "description": [labels[n] for n in names],
            "mean_abs_shap": np.abs(values).mean(axis=0),
        }
    )
    return frame.sort_values(
        ["mean_abs_shap", "feature"], ascending=[False, True], ignore_index=True
    )


def shap_plots(
    model,
    X: pd.DataFrame,
    out_dir,
    *,
    features=None,
    sample: int = 2000,
    dependence: int = 4,
    max_display: int = 20,
    random_state=0,
) -> list[Path]:
    """Write SHAP summary, importance and dependence plots (PNG) into ``out_dir``.

    Parameters
    ----------
    model : Booster, MonotoneLGBM or LoadedModel (boosted)
    X : DataFrame
        Rows to explain (a sample of ``sample`` rows is drawn).
    dependence : int, default=4
        Dependence plots for this many of the most important features.

    Returns
    -------
    list of Path
        ``shap_summary.png``, ``shap_importance.png``, ``shap_dependence_<feature>.png``.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import shap

    names, Xs, values = _shap(model, X, sample, random_state)
    labels = _labels(names, features if features is not None else default_features(model))
    short = {n: _short(labels[n]) for n in names}
    counts = pd.Series(list(short.values())).value_counts()
    shown = Xs.rename(columns=lambda n: short[n] if counts[short[n]] == 1 else n)
    height = 1.5 + 0.45 * min(max_display, len(names))
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, plot_type in (("shap_summary.png", "dot"), ("shap_importance.png", "bar")):
        shap.summary_plot(
            values,
            shown,
            plot_type=plot_type,
            max_display=max_display,
            plot_size=(13, height),
            show=False,
        )
        paths.append(_save(plt, out / name))
    order = np.argsort(-np.abs(values).mean(axis=0), kind="stable")[:dependence]
    for j in order:
        shap.dependence_plot(int(j), values, shown, interaction_index=None, show=False)
        paths.append(_save(plt, out / f"shap_dependence_{names[j]}.png"))
    return paths


def _short(text: str, width: int = 80) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def _save(plt, path: Path) -> Path:
    from .._atomic import atomic_file

    fig = plt.gcf()
    fig.tight_layout()
    with atomic_file(path) as tmp:
        fig.savefig(tmp, format="png", dpi=110)
    plt.close(fig)
    return path


def points_table(model, *, features=None) -> pd.DataFrame:
    """The scorecard's points per characteristic and bin, in plain words.

    Columns: ``feature``, ``description``, ``bin``, ``points``, ``best``
    (the characteristic's most points) and ``below_best`` (what a subject in
    this bin loses: the quantity reason codes rank).
    """
    kind, obj, _ = resolve_model(model)
    if kind != "points":
        raise ValueError("points tables are for scorecards; use shap_plots for boosted models")
    table = getattr(obj, "points_table_", obj).copy()
    labels = _labels(
        table["feature"].unique(), features if features is not None else default_features(model)
    )
    populated = table["count"] > 0 if "count" in table else pd.Series(True, index=table.index)
    best = table["points"].where(populated).groupby(table["feature"]).transform("max")
    table.insert(1, "description", table["feature"].map(labels))
    table["best"] = best
    table["below_best"] = best - table["points"]
    cols = ["feature", "description", "bin", "points", "best", "below_best"]
    return table[[c for c in cols if c in table] + [c for c in table if c not in cols]]
