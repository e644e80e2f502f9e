"""The frontier figure: accuracy against discrimination, every candidate, with intervals."""

from __future__ import annotations

import numpy as np

__all__ = ["frontier_figure"]


def frontier_figure(frame, ratio_limit: float = 0.8, fpr_limit: float = 0.05):
    """Two panels: AUC against the worst flag-rate ratio and the worst FPR difference.

    Parameters
    ----------
    frame : DataFrame
        ``MitigationResult.frontier``.
    ratio_limit, fpr_limit : float
        The policy's thresholds, drawn as dashed lines.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 4.2), sharey=True)
    panels = (("worst_flag_rate_ratio", "ratio_low", "ratio_high", ratio_limit,
               "worst flag-rate ratio (higher is fairer)"),
              ("worst_fpr_difference", "fpr_low", "fpr_high", fpr_limit,
               "worst FPR difference (lower is fairer)"))
    for ax, (col, lo, hi, limit, label) in zip(axes, panels, strict=True):
        _panel(ax, frame, col, lo, hi)
        ax.axvline(limit, color="grey", ls="--", lw=1)
        ax.set_xlabel(label)
    axes[0].set_ylabel("AUC on the audit rows (95% interval)")
    handles = [plt.Line2D([], [], marker=m, ls="", color=c, mfc=f, label=t) for m, c, f, t in (
        ("o", "tab:green", "tab:green", "passes the gate"), ("o", "tab:red", "none", "fails"),
        ("*", "black", "gold", "chosen"), ("X", "tab:red", "tab:red", "original"))]
    axes[1].legend(handles=handles, loc="lower right", fontsize=8)
    fig.suptitle("Mitigation frontier: accuracy against discrimination")
    fig.tight_layout()
    return fig


def _panel(ax, frame, col, lo, hi):
    for row in frame.to_dict("records"):
        x = row[col]
        if x is None or not np.isfinite(float(x)):
            continue
        y = row["auc"]
        xerr = _err(x, row[lo], row[hi])
        yerr = _err(y, row["auc_low"], row["auc_high"])
        colour = "tab:green" if row["passed"] else "tab:red"
        marker, face, size = "o", colour if row["passed"] else "none", 7
        if row["candidate"] == "original":
            marker, face, size = "X", colour, 9
        if row["chosen"]:
            marker, face, size, colour = "*", "gold", 15, "black"
        ax.errorbar(x, y, xerr=xerr, yerr=yerr, fmt=marker, color=colour, mfc=face, ms=size,
                    ecolor="0.7", elinewidth=1, capsize=2)
        ax.annotate(row["candidate"], (x, y), textcoords="offset points", xytext=(4, 4),
                    fontsize=7)
    ax.grid(alpha=0.3)


def _err(v, low, high):
    if low is None or high is None or not np.isfinite([float(low), float(high)]).all():
        return None
    return [[max(float(v) - float(low), 0)], [max(float(high) - float(v), 0)]]
