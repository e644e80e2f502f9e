"""Number formatting shared by the reports: plain, percentages, intervals."""

from __future__ import annotations

from ._sources import is_number

__all__ = ["num", "pct", "interval", "count", "with_ci"]


def num(x, digits: int = 3) -> str:
    """A number with ``digits`` significant digits ("" when missing)."""
    if not is_number(x):
        return ""
    value = float(x)
    return "0" if abs(value) < 5e-5 else f"{value:.{digits}g}"


def pct(x, digits: int = 1) -> str:
    """A proportion as a percentage: 0.0734 -> "7.3%"."""
    return f"{100 * float(x):.{digits}f}%" if is_number(x) else ""


def count(x) -> str:
    """A whole number with thousands separators."""
    return f"{int(x):,}" if is_number(x) else ""


def interval(low, high, fmt=num) -> str:
    """A 95% interval as text: "0.71 to 0.76" ("" when either end is missing)."""
    if not (is_number(low) and is_number(high)):
        return ""
    return f"{fmt(low)} to {fmt(high)}"


def with_ci(value, low, high, fmt=num) -> str:
    """ "0.74 (0.71 to 0.76)", or just the value when there is no interval."""
    text = fmt(value)
    ci = interval(low, high, fmt)
    return f"{text} ({ci})" if text and ci else text
