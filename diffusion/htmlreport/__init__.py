"""One self-contained HTML report of what-if scenarios against a base.

The workflow is :func:`diffusion.report` (``diffusion report`` on the command line)::

    import diffusion
    diffusion.report("base.toml", ["what-if.toml"], runs=200, out="out/report")

It simulates the scenarios with common random numbers (:func:`build.simulate_all`), puts
what the page shows into plain data (:func:`build_context`), renders the package's template
(:func:`render`) and writes ``report.html`` (images and styles inline), the tidy
``comparison.csv`` and ``manifest.json``; :func:`print_pdf` prints the page to PDF with a
headless browser (:func:`find_browser`).
"""

from __future__ import annotations

from diffusion.htmlreport.build import build_context, render
from diffusion.htmlreport.pdf import find_browser, print_pdf

__all__ = ["build_context", "find_browser", "print_pdf", "render"]
