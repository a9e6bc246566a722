"""The report in a real browser: headless Chromium (Debian's ``chromium``) driven by
Playwright with the system browser (no browser download), reading the page from disk.

Skipped, with the reason, only where no Chromium or no Playwright is installed; CI installs
both (.ci/run), so there it runs.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import numpy as np
import pytest

from diffusion.htmlreport import build
from diffusion.htmlreport.pdf import FLAGS, find_browser, print_pdf

BROWSER = find_browser()
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="Playwright is not installed (pip install playwright)"
)
pytestmark = [
    pytest.mark.skipif(
        BROWSER is None, reason="no Chromium on PATH (Debian: apt-get install chromium)"
    ),
    pytest.mark.slow,
]
#: outcomes in the headline per what-if: the headline measures and one probability
OUTCOMES = len(build.HEADLINE) + 1


@pytest.fixture(scope="module")
def page_seen(report_folder, tmp_path_factory):
    """Open report.html from disk; record console messages, page errors and requests."""
    seen: dict[str, list] = {"console": [], "errors": [], "requests": []}
    profile = tmp_path_factory.mktemp("chromium-profile")
    with sync_api.sync_playwright() as pw:
        context = pw.chromium.launch_persistent_context(
            str(profile),
            executable_path=BROWSER,
            headless=True,
            args=list(FLAGS),
            viewport={"width": 1100, "height": 1400},
        )
        try:
            page = context.new_page()
            page.on("console", lambda m: seen["console"].append((m.type, m.text)))
            page.on("pageerror", lambda e: seen["errors"].append(str(e)))
            page.on("request", lambda r: seen["requests"].append(r.url))
            page.goto((report_folder / "report.html").as_uri(), wait_until="load")
            seen["images"] = page.evaluate(
                "Array.from(document.images).map(i => [i.complete, i.naturalWidth,"
                " i.naturalHeight, i.getBoundingClientRect().width])"
            )
            seen["headline_rows"] = page.evaluate(
                "Array.from(document.querySelectorAll('#headline table.headline tbody tr'))"
                ".map(r => Array.from(r.cells).slice(0, 2).map(c => c.innerText))"
            )
            seen["screenshot"] = page.screenshot(full_page=False)
            page.evaluate("document.getElementById('whatif-1-over-time').scrollIntoView()")
            seen["over_time"] = page.screenshot(full_page=False)
        finally:
            context.close()
    keep = os.environ.get("DIFFUSION_SCREENSHOTS")
    if keep:  # to look at them: DIFFUSION_SCREENSHOTS=folder pytest tests/htmlreport
        Path(keep).mkdir(parents=True, exist_ok=True)
        Path(keep, "report-headline.png").write_bytes(seen["screenshot"])
        Path(keep, "report-over-time.png").write_bytes(seen["over_time"])
    return seen


def test_no_console_errors(page_seen):
    assert page_seen["errors"] == []
    assert [m for m in page_seen["console"] if m[0] in ("error", "warning")] == []


def test_every_image_loaded_with_a_size(page_seen):
    images = page_seen["images"]
    assert len(images) >= 2 * 3 + 1  # curves, difference, departments per what-if; baseline
    for complete, width, height, shown in images:
        assert complete and width > 100 and height > 100 and shown > 100


def test_headline_has_one_row_per_what_if_and_outcome(page_seen, context):
    rows = page_seen["headline_rows"]
    whatifs = [s["name"] for s in context["sections"]]
    assert len(rows) == len(whatifs) * OUTCOMES
    for name in whatifs:
        outcomes = [outcome for who, outcome in rows if who == name]
        assert len(outcomes) == len(set(outcomes)) == OUTCOMES


def test_no_external_requests(page_seen):
    # the page itself is the one file: URL request; inline images need no request
    assert page_seen["requests"]
    assert all(url.startswith(("file:", "data:")) for url in page_seen["requests"])
    assert sum(url.startswith("file:") for url in page_seen["requests"]) == 1


@pytest.mark.parametrize("shot", ["screenshot", "over_time"])
def test_screenshot_is_not_blank(page_seen, shot):
    from PIL import Image

    pixels = np.asarray(Image.open(io.BytesIO(page_seen[shot])).convert("L"), dtype=float)
    assert pixels.shape[0] > 500 and pixels.shape[1] > 500
    # a blank or single-colour page has no spread; text and plots give a wide one
    assert pixels.std() > 10
    assert (pixels < 128).mean() > 0.005  # some dark ink: text or lines


def test_print_to_pdf(report_folder, tmp_path):
    pdf = print_pdf(report_folder / "report.html", tmp_path / "report.pdf")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-") and len(data) > 20_000
    assert data.count(b"/Type /Page") - data.count(b"/Type /Pages") >= 2
