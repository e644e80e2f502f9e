"""Evaluation plots: ROC, calibration (reliability) and score distribution.

matplotlib is imported here only, through its object-oriented ``Figure`` (no
pyplot, no global backend switch), so a notebook's backend is left alone.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from .._atomic import atomic_file

__all__ = ["write_plots", "render_plots"]


def render_plots(y, pd, score=None, train_score=None, n_bins=10) -> dict[str, bytes]:
    """The evaluation plots as PNG bytes by file name (nothing is written)."""
    figures = {"roc.png": _roc(y, pd), "calibration.png": _calibration(y, pd, n_bins)}
    if score is not None:
        figures["score_distribution.png"] = _scores(score, y, train_score)
    return {name: _png(fig) for name, fig in figures.items()}


def write_plots(out_dir, y, pd, score=None, train_score=None, n_bins=10) -> list[Path]:
    """Write the evaluation plots as PNG files into ``out_dir``; return their paths."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, data in render_plots(y, pd, score, train_score, n_bins).items():
        with atomic_file(out / name) as tmp:
            tmp.write_bytes(data)
        paths.append(out / name)
    return paths


def _figure(title: str):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(5, 4), dpi=100)
    ax = fig.add_subplot()
    ax.set_title(title)
    return fig, ax


def _png(fig) -> bytes:
    import io

    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def _roc(y, pd):
    from sklearn.metrics import roc_auc_score, roc_curve

    fpr, tpr, _ = roc_curve(y, pd)
    fig, ax = _figure("ROC")
    ax.plot(fpr, tpr, label=f"AUC {roc_auc_score(y, pd):.3f}")
    ax.plot([0, 1], [0, 1], linestyle=":", color="grey")
    ax.set_xlabel("false positive rate")
    ax.set_ylabel("true positive rate")
    ax.legend(loc="lower right")
    return fig


def _calibration(y, pd, n_bins):
    edges = np.unique(np.quantile(pd, np.linspace(0, 1, n_bins + 1)[1:-1]))
    bins = np.searchsorted(edges, pd, side="right")
    counts = np.bincount(bins)
    keep = counts > 0
    mean_pd = np.bincount(bins, weights=pd)[keep] / counts[keep]
    rate = np.bincount(bins, weights=y)[keep] / counts[keep]
    fig, ax = _figure("Calibration")
    top = max(mean_pd.max(), rate.max()) * 1.05
    ax.plot([0, top], [0, top], linestyle=":", color="grey")
    ax.plot(mean_pd, rate, marker="o")
    ax.set_xlabel("mean PD (bin)")
    ax.set_ylabel("observed rate (bin)")
    return fig


def _scores(score, y, train_score):
    fig, ax = _figure("Score distribution")
    bins = np.histogram_bin_edges(np.r_[score, [] if train_score is None else train_score], 30)
    for values, label in (
        (score[y == 0], "evaluation, no event"),
        (score[y == 1], "evaluation, event"),
        (train_score, "training"),
    ):
        if values is not None and len(values):
            ax.hist(values, bins=bins, density=True, histtype="step", label=label)
    ax.set_xlabel("score")
    ax.legend(loc="upper right", fontsize="small")
    return fig
