"""Errors that map to the exit codes of the command line (guide: cli).

``InputError`` (exit 2): bad input or usage; the message names the file, table,
column and row where it can. ``PolicyRefusal`` (exit 3): a fairness gate
failed, or a model without a passed audit was asked to score.
"""

from __future__ import annotations

__all__ = ["CreditscoreError", "InputError", "PolicyRefusal", "did_you_mean"]


class CreditscoreError(Exception):
    """Base class of every error the package raises on purpose."""

    exit_code = 1


class InputError(CreditscoreError, ValueError):
    """Bad input or usage (exit code 2)."""

    exit_code = 2


class PolicyRefusal(CreditscoreError):
    """Refused by policy (exit code 3)."""

    exit_code = 3


def did_you_mean(name, known, n: int = 3) -> str:
    """``"; did you mean 'a' or 'b'?"`` for the known names nearest ``name`` (difflib), else "".

    Case is ignored when matching; the known names are shown as they are spelt.
    """
    import difflib

    known = [str(k) for k in known]
    by_lower: dict[str, str] = {}
    for k in known:
        by_lower.setdefault(k.lower(), k)
    close = difflib.get_close_matches(str(name).lower(), list(by_lower), n=n, cutoff=0.6)
    if not close:
        return ""
    shown = [repr(by_lower[c]) for c in close]
    words = shown[0] if len(shown) == 1 else ", ".join(shown[:-1]) + f" or {shown[-1]}"
    return f"; did you mean {words}?"
