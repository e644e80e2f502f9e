"""``atomic_dir`` killed at each of its steps (SIGKILL: no cleanup code runs).

A child process writes a three-file directory through ``atomic_dir`` and stops
at one step (``_atomic.STEP_HOOK``); the test kills it there. Before the swap
the destination must be the complete old output (or absent on a first write),
after it the complete new output: never missing, never half of each. The next
write of the destination succeeds and removes the dead run's hidden leftover.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from creditscore._atomic import atomic_dir

CHILD = r"""
import sys, time
from pathlib import Path
from creditscore import _atomic

dest, stop, marker = Path(sys.argv[1]), sys.argv[2], Path(sys.argv[3])

def hold(step):
    if step == stop:
        marker.write_text(step)
        time.sleep(600)

_atomic.STEP_HOOK = hold
with _atomic.atomic_dir(dest) as tmp:
    for name in ("a", "b", "c"):
        (tmp / name).write_text("new " + name)
        hold("half" if name == "a" else "")
"""
STEPS = ("writing", "half", "written", "swapped", "cleaned")
OLD = {"a": "old a", "b": "old b", "stale": "old only"}
NEW = {"a": "new a", "b": "new b", "c": "new c"}


def _content(path: Path) -> dict[str, str] | None:
    if not path.exists():
        return None
    return {p.name: p.read_text() for p in path.iterdir()}


def _kill_at(dest: Path, step: str) -> None:
    marker = dest.parent / f"reached-{step}"
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(dest), step, str(marker)],
                            stderr=subprocess.PIPE)
    deadline = time.monotonic() + 60
    while not marker.exists():
        if proc.poll() is not None:
            pytest.fail(f"the writer ended before {step}: {proc.stderr.read().decode()}")
        assert time.monotonic() < deadline, f"the writer never reached {step}"
        time.sleep(0.01)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    marker.unlink()


@pytest.mark.parametrize("had_output", [True, False], ids=["replacing", "first-write"])
@pytest.mark.parametrize("step", STEPS)
def test_a_kill_leaves_the_old_or_the_new_output_under_its_name(tmp_path, step, had_output):
    dest = tmp_path / "out"
    if had_output:
        dest.mkdir()
        for name, text in OLD.items():
            (dest / name).write_text(text)
    _kill_at(dest, step)
    swapped = STEPS.index(step) >= STEPS.index("swapped")
    expected = NEW if swapped else (OLD if had_output else None)
    assert _content(dest) == expected, f"killed at {step!r}"

    with atomic_dir(dest) as tmp:  # the next run: not disturbed, and it cleans up
        (tmp / "z").write_text("next")
    assert _content(dest) == {"z": "next"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_live_writers_temporary_is_left_alone(tmp_path):
    dest = tmp_path / "out"
    other = tmp_path / f".out.{os.getppid()}-busy.tmp"  # a live process (our parent)
    other.mkdir()
    with atomic_dir(dest) as tmp:
        (tmp / "a").write_text("x")
    assert other.is_dir()


def test_a_file_or_a_symlink_at_the_name_is_replaced_whole(tmp_path):
    target = tmp_path / "elsewhere"
    target.mkdir()
    (target / "keep").write_text("not ours")
    dest = tmp_path / "out"
    dest.symlink_to(target)
    with atomic_dir(dest) as tmp:
        (tmp / "a").write_text("new")
    assert not dest.is_symlink() and _content(dest) == {"a": "new"}
    assert _content(target) == {"keep": "not ours"}  # a link's target is never removed
