"""The model card renders in a real browser (headless Chromium) and is not blank."""

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from creditscore.reports import ModelCard

CHROMIUM = Path("/usr/bin/chromium")


def _browser() -> str:
    if CHROMIUM.exists():
        return str(CHROMIUM)
    found = shutil.which("chromium") or shutil.which("chromium-browser")
    if found is None:
        pytest.skip(
            "no browser: /usr/bin/chromium is missing (CI installs Debian's chromium; "
            "apt-get install chromium to run this test locally)"
        )
    return found


def test_model_card_screenshot_is_not_blank(model_dir, audit_dir, tmp_path):
    browser = _browser()
    html = ModelCard.from_model_dir(model_dir, audit_dir=audit_dir).write(tmp_path)["html"]
    shot = tmp_path / "card.png"
    subprocess.run(
        [
            browser,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp_path / 'profile'}",
            f"--screenshot={shot}",
            "--window-size=1200,2000",
            html.resolve().as_uri(),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    from matplotlib.image import imread

    pixels = imread(shot)[..., :3].reshape(-1, 3)
    assert pixels.shape[0] >= 1000 * 1000, "the screenshot is smaller than the window"
    colours, counts = np.unique((pixels * 255).round().astype(np.uint8), axis=0, return_counts=True)
    background_share = counts.max() / counts.sum()
    assert len(colours) > 50, "the page shows almost no distinct colours"
    assert background_share < 0.97, f"{background_share:.1%} of the page is one colour"
