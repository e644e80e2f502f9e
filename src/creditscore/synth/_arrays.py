"""What the synthetic world's tables of parallel arrays share: their number of rows.

``People``, ``Employers``, ``EntityWorld`` and ``Accounts`` are frozen dataclasses of
arrays of one length, one entry per person, employer, entity or account; ``n`` is that
length, read from the first field.
"""

from __future__ import annotations

from dataclasses import fields

__all__ = ["ParallelArrays"]


class ParallelArrays:
    """A dataclass of parallel arrays, one entry a row (its first field sets the length)."""

    @property
    def n(self) -> int:
        """The number of rows."""
        return len(getattr(self, fields(self)[0].name))
