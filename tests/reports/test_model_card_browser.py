"""The model card renders in a real browser (headless Chromium) and is not blank."""

import numpy as np
from browser import run

from creditscore.reports import ModelCard


def test_model_card_screenshot_is_not_blank(model_dir, audit_dir, tmp_path):
    html = ModelCard.from_model_dir(model_dir, audit_dir=audit_dir).write(tmp_path)["html"]
    shot = tmp_path / "card.png"
    run(html, tmp_path / "profile", f"--screenshot={shot}", window=(1200, 2000))
    from matplotlib.image import imread

    pixels = imread(shot)[..., :3].reshape(-1, 3)
    assert pixels.shape[0] >= 1000 * 1000, "the screenshot is smaller than the window"
    colours, counts = np.unique((pixels * 255).round().astype(np.uint8), axis=0, return_counts=True)
    background_share = counts.max() / counts.sum()
    assert len(colours) > 50, "the page shows almost no distinct colours"
    assert background_share < 0.97, f"{background_share:.1%} of the page is one colour"
