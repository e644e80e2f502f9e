"""Headless Chromium for the browser tests (Debian's package; CI installs it)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
#: flags that keep Chromium off the network (connections are refused on closed networks)
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
)


def chromium() -> str:
    """The browser's path, or skip the test saying how to get one."""
    if CHROMIUM.exists():
        return str(CHROMIUM)
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.skip(
            "no browser: /usr/bin/chromium is missing (CI installs Debian's chromium; "
            "apt-get install chromium to run this test locally)"
        )
    return found


def run(page: Path, profile: Path, *args: str, window=(1280, 900)) -> str:
    """Open ``page`` in a fresh profile with ``args``; return what the browser printed."""
    done = subprocess.run(
        [chromium(), *FLAGS, f"--user-data-dir={profile}",
         f"--window-size={window[0]},{window[1]}", *args, page.resolve().as_uri()],
        check=True, capture_output=True, text=True, timeout=180,
    )
    return done.stdout
