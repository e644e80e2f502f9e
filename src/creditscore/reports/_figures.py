"""Charts for the reports, drawn with matplotlib's object API (no pyplot state).

Each function returns a PNG data URI ready for a :class:`Figure` block.
"""

from __future__ import annotations

from ._render import figure_data_uri

__all__ = ["group_bars", "paired_group_bars", "frontier_chart", "index_bars", "flag_rate_band"]

BAR = "#3b6ea8"
BAR2 = "#d08c2e"
FAIL = "#a3211c"
BAND = "#1e7a3c"


def _figure(height: float, width: float = 8.0):
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height), layout="constrained")


def _errors(frame, column):
    """Asymmetric error bar lengths from ``<column>_ci_low`` / ``_ci_high`` (or None)."""
    low, high = f"{column}_ci_low", f"{column}_ci_high"
    if low not in frame.columns or high not in frame.columns:
        return None
    values = frame[column].astype(float)
    lo = (values - frame[low].astype(float)).clip(lower=0).fillna(0)
    hi = (frame[high].astype(float) - values).clip(lower=0).fillna(0)
    return [lo.to_numpy(), hi.to_numpy()]


def _percent_axis(ax) -> None:
    from matplotlib.ticker import PercentFormatter

    ax.xaxis.set_major_formatter(PercentFormatter(1.0))


def group_bars(frame, column: str, xlabel: str, title: str) -> str:
    """Horizontal bars of ``column`` per group, one panel per attribute, with intervals."""
    attributes = list(dict.fromkeys(frame["attribute"]))
    heights = [max(1.0, 0.35 * (frame["attribute"] == a).sum() + 0.6) for a in attributes]
    fig = _figure(sum(heights) + 0.6)
    axes = fig.subplots(
        len(attributes), 1, sharex=True, squeeze=False, gridspec_kw={"height_ratios": heights}
    )[:, 0]
    for ax, attribute in zip(axes, attributes, strict=True):
        part = frame[frame["attribute"] == attribute]
        ax.barh(
            part["group"].astype(str),
            part[column].astype(float),
            color=BAR,
            xerr=_errors(part, column),
            capsize=3,
            ecolor="#333333",
        )
        ax.set_title(attribute, loc="left", fontsize=10)
        ax.invert_yaxis()
        ax.grid(axis="x", alpha=0.3)
    axes[-1].set_xlabel(xlabel)
    _percent_axis(axes[-1])
    fig.suptitle(title, fontsize=11)
    return figure_data_uri(fig)


def paired_group_bars(frame, first: str, second: str, labels: tuple[str, str], title: str) -> str:
    """Two bars per group (e.g. mean predicted PD against the observed rate)."""
    import numpy as np

    names = [f"{a}: {g}" for a, g in zip(frame["attribute"], frame["group"], strict=True)]
    y = np.arange(len(names))
    fig = _figure(0.4 * len(names) + 1.2)
    ax = fig.subplots()
    ax.barh(
        y - 0.2,
        frame[first].astype(float),
        height=0.4,
        color=BAR,
        label=labels[0],
        xerr=_errors(frame, first),
        capsize=2,
    )
    ax.barh(
        y + 0.2,
        frame[second].astype(float),
        height=0.4,
        color=BAR2,
        label=labels[1],
        xerr=_errors(frame, second),
        capsize=2,
    )
    ax.set_yticks(y, names)
    ax.invert_yaxis()
    ax.grid(axis="x", alpha=0.3)
    ax.legend(loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=2, frameon=False)
    _percent_axis(ax)
    ax.set_title(title, fontsize=11)
    return figure_data_uri(fig)


def frontier_chart(frame, x: str, y: str, title: str, label: str | None = None) -> str:
    """A scatter of candidate models: accuracy (``y``) against disparity (``x``)."""
    fig = _figure(4.2, 6.5)
    ax = fig.subplots()
    ax.scatter(frame[x].astype(float), frame[y].astype(float), color=BAR, zorder=3)
    if label and label in frame.columns:
        for _, row in frame.dropna(subset=[x, y]).iterrows():
            ax.annotate(
                str(row[label]),
                (float(row[x]), float(row[y])),
                fontsize=8,
                xytext=(4, 4),
                textcoords="offset points",
            )
    ax.set_xlabel(x.replace("_", " "))
    ax.set_ylabel(y.replace("_", " "))
    ax.grid(alpha=0.3)
    ax.set_title(title, fontsize=11)
    return figure_data_uri(fig)


def index_bars(names, values, limits: tuple[float, float], title: str, xlabel: str) -> str:
    """Bars of an index (PSI, CSI) with the two warning limits drawn as lines."""
    values = [float(v) for v in values]
    fig = _figure(0.3 * len(values) + 1.4)
    ax = fig.subplots()
    colors = [FAIL if v > limits[1] else BAR2 if v > limits[0] else BAR for v in values]
    ax.barh(list(names), values, color=colors)
    for limit in limits:
        ax.axvline(limit, color="#555555", linestyle="--", linewidth=1)
    ax.invert_yaxis()
    ax.set_xlabel(xlabel)
    ax.set_title(title, fontsize=11)
    ax.grid(axis="x", alpha=0.3)
    return figure_data_uri(fig)


def flag_rate_band(part, column: str, attribute: str, threshold: float = 0.8) -> str:
    """Flag rate per group of one attribute, with intervals, against the four-fifths band.

    The band runs from the lowest flag rate (the most favoured group, the audit's
    reference) to that rate divided by ``threshold`` (1.25 times it at 0.8): a
    group whose bar ends beyond the band is flagged more often than the screen
    allows.
    """
    from matplotlib.patches import Patch

    rates = part[column].astype(float)
    low = float(rates.min())
    high = low / threshold if threshold > 0 else low
    beyond = rates > high + 1e-12
    fig = _figure(0.32 * len(part) + 1.3, 7.5)
    ax = fig.subplots()
    ax.axvspan(low, high, color=BAND, alpha=0.15, zorder=0)
    ax.barh(
        part["group"].astype(str),
        rates,
        color=[BAR2 if b else BAR for b in beyond],
        xerr=_errors(part, column),
        capsize=3,
        ecolor="#333333",
        zorder=2,
    )
    ax.invert_yaxis()
    ax.grid(axis="x", alpha=0.3)
    _percent_axis(ax)
    ax.set_xlabel("share flagged for review, with 95% interval")
    ax.legend(
        handles=[
            Patch(color=BAND, alpha=0.3, label=f"within {1 / threshold:.3g}x the lowest rate"),
            Patch(color=BAR2, label="beyond the four-fifths band"),
        ],
        loc="lower right",
        fontsize=8,
        frameon=False,
    )
    ax.set_title(f"Flag rate by {attribute}", loc="left", fontsize=10)
    return figure_data_uri(fig)
