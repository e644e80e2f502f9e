"""Errors that map to the exit codes of the command line (guide: cli).

``InputError`` (exit 2): bad input or usage; the message names the file, table,
column and row where it can. ``PolicyRefusal`` (exit 3): a fairness gate
failed, or a model without a passed audit was asked to score.
"""

from __future__ import annotations

__all__ = ["CreditscoreError", "InputError", "PolicyRefusal"]


class CreditscoreError(Exception):
    """Base class of every error the package raises on purpose."""

    exit_code = 1


class InputError(CreditscoreError, ValueError):
    """Bad input or usage (exit code 2)."""

    exit_code = 2


class PolicyRefusal(CreditscoreError):
    """Refused by policy (exit code 3)."""

    exit_code = 3
