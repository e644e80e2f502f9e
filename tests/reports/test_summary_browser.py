"""The first page of a failing and of a passing fairness report, in a real browser at
1280x900: the verdict, every failing check and the next step are within the first
900 pixels, so they are visible without scrolling.

The page is opened in headless Chromium with a measuring script added to a copy
of it (the reports themselves hold no script); the script writes the layout into
the DOM, which ``--dump-dom`` prints. A screenshot of the same first screen is
kept beside the copy for a person to look at.
"""

import json
import re

import decision_audits as da
import pytest
from browser import run

from creditscore.reports import FairnessReport

WIDTH, HEIGHT = 1280, 900
MEASURE = """<script>
(function () {
  const lead = document.querySelector('.lead');
  const box = (el) => el ? el.getBoundingClientRect() : null;
  const rows = [...lead.querySelectorAll('tbody tr')];
  const failed = rows.filter((r) => r.lastElementChild.textContent.startsWith('FAILED'));
  const out = {
    width: window.innerWidth, height: window.innerHeight,
    verdict: box(lead.querySelector('.callout')).bottom,
    failed: failed.map((r) => [r.textContent.trim().slice(0, 60), box(r).bottom]),
    next: box([...lead.querySelectorAll('.callout')].pop()).bottom,
    policy: box(document.getElementById('policy')).top,
  };
  const pre = document.createElement('pre');
  pre.id = 'layout';
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
})();
</script>"""


def _measure(html_path, tmp_path) -> dict:
    probe = tmp_path / "probe.html"
    probe.write_text(html_path.read_text().replace("</body>", MEASURE + "</body>"))
    dom = run(probe, tmp_path / "profile-dom", "--dump-dom", window=(WIDTH, HEIGHT))
    found = re.search(r'<pre id="layout">(.*?)</pre>', dom, re.S)
    assert found, "the measuring script did not run"
    run(html_path, tmp_path / "profile-shot", f"--screenshot={tmp_path / 'first-screen.png'}",
        window=(WIDTH, HEIGHT))
    return json.loads(found.group(1).replace("&quot;", '"'))


def _many_failures():
    """A demanding audit: eight failed checks over five attributes, and uneven records."""
    extra = [
        da._check("sex x hukou", "flag_rate_ratio", f"female & rural {i}", "male & urban",
                  0.5 + 0.02 * i, [0.4 + 0.02 * i, 0.6 + 0.02 * i], "fail")
        for i in range(5)
    ]
    return da.FAILING_CHECKS + extra


@pytest.mark.parametrize("case", ["failing", "passing"])
def test_verdict_and_every_failing_check_fit_the_first_screen(case, tmp_path):
    if case == "failing":
        audit = da.write_audit(tmp_path / "audit", _many_failures(), da.FAILING_GROUPS, False)
    else:
        audit = da.passing(tmp_path / "audit")
    report = FairnessReport.from_audit_dir(audit)
    layout = _measure(report.write(tmp_path / "out")["html"], tmp_path)
    # positions are measured from the top of the page at the width of the screen (the
    # height of the window headless Chromium reports may differ from 900 by its frame)
    assert layout["width"] == WIDTH
    n_failed = sum(c["status"] == "fail" for c in report.to_dict()["checks"])
    assert len(layout["failed"]) == n_failed == (9 if case == "failing" else 0)
    assert 0 < layout["verdict"] <= HEIGHT, layout
    for text, bottom in layout["failed"]:
        assert bottom <= HEIGHT, f"{text!r} ends at {bottom:.0f}px, below the first screen"
    assert layout["next"] <= HEIGHT, "the next step is below the first screen"
    # the measurement sees the page: the policy, far down the report, is off screen
    assert layout["policy"] > 2 * HEIGHT
    shot = (tmp_path / "first-screen.png").read_bytes()
    assert shot[:8] == b"\x89PNG\r\n\x1a\n"
    assert (int.from_bytes(shot[16:20], "big"), int.from_bytes(shot[20:24], "big")) == (
        WIDTH, HEIGHT)
