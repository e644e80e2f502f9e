"""Charts for the reports, drawn with matplotlib's object API (no pyplot state).

Each function returns a PNG data URI ready for a :class:`Figure` block.
"""

from __future__ import annotations

from ._render import figure_data_uri

__all__ = ["group_bars", "paired_group_bars", "frontier_chart", "index_bars"]

BAR = "#3b6ea8"
BAR2 = "#d08c2e"
FAIL = "#a3211c"


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
