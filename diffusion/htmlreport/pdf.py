"""Print a report page to PDF with a headless Chromium or Chrome, when one is installed."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

#: browser programs tried, in order
BROWSERS: tuple[str, ...] = ("chromium", "chromium-browser", "google-chrome", "chrome")
#: flags for a quiet, offline, throw-away headless browser
FLAGS: tuple[str, ...] = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
#: seconds a browser may take to print one page
TIMEOUT = 120


def find_browser() -> str | None:
    """Return the path of the first headless-capable browser on PATH, or None."""
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    return None


def print_pdf(html: str | Path, pdf: str | Path, *, browser: str | None = None) -> Path:
    """Print the page ``html`` (a file) to ``pdf`` and return its path.

    Raises
    ------
    RuntimeError
        When no browser is found, or it fails or writes nothing.
    """
    browser = browser or find_browser()
    if browser is None:
        raise RuntimeError("printing to PDF needs Chromium or Chrome (apt-get install chromium)")
    html, pdf = Path(html).resolve(), Path(pdf).resolve()
    partial = pdf.with_name(f".{pdf.name}.partial")
    with tempfile.TemporaryDirectory(prefix="diffusion-browser-") as profile:
        done = subprocess.run(
            [
                browser,
                *FLAGS,
                f"--user-data-dir={profile}",
                "--no-pdf-header-footer",
                f"--print-to-pdf={partial}",
                html.as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
        )
    if done.returncode != 0 or not partial.is_file() or partial.stat().st_size == 0:
        partial.unlink(missing_ok=True)
        tail = (done.stderr or "").strip().splitlines()[-1:] or [f"exit {done.returncode}"]
        raise RuntimeError(f"{browser} could not print {html.name} to PDF: {tail[0]}")
    partial.replace(pdf)
    return pdf
