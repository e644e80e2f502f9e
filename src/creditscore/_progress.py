"""Progress on the terminal for the long commands, and the rule for when to show it.

``creditscore`` commands show progress on stderr (stdout may be piped into a
file), by default only when stderr is a terminal; ``--progress`` /
``--no-progress`` decide explicitly (see :func:`wanted`). :func:`steps` is
a small bar for work made of named steps (reading, computing, writing), on
rich, which the CLI already uses.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator

__all__ = ["wanted", "steps", "spinner", "Steps"]


def wanted(flag: bool | None) -> bool:
    """``--progress``/``--no-progress`` if given, else whether stderr is a terminal."""
    if flag is not None:
        return flag
    isatty = getattr(sys.stderr, "isatty", None)
    return bool(isatty and isatty())


class Steps:
    """Advance a bar of ``total`` named steps (a no-op when disabled)."""

    def __init__(self, bar, task):
        self._bar, self._task = bar, task

    def __call__(self, description: str, advance: int = 1) -> None:
        """Mark the previous step done and name the one now running."""
        if self._bar is not None:
            self._bar.update(self._task, advance=advance, description=description)


@contextlib.contextmanager
def steps(label: str, total: int, enabled: bool) -> Iterator[Steps]:
    """A transient bar on stderr; yields a :class:`Steps` to advance it."""
    if not enabled:
        yield Steps(None, None)
        return
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    bar = Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                   console=Console(stderr=True), transient=True)
    with bar:
        task = bar.add_task(label, total=total)
        yield Steps(bar, task)
        bar.update(task, completed=total)


@contextlib.contextmanager
def spinner(label: str, enabled: bool) -> Iterator[None]:
    """A transient spinner with the elapsed time on stderr while a long step runs."""
    if not enabled:
        yield
        return
    from rich.console import Console
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    bar = Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(),
                   console=Console(stderr=True), transient=True)
    with bar:
        bar.add_task(label, total=None)
        yield
