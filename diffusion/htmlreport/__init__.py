"""One self-contained HTML report of what-if scenarios against a base.

Use it as::

    from diffusion.htmlreport import report
    report("base.toml", ["what-if.toml"], runs=200, out="out/report")

:func:`report` simulates the scenarios with common random numbers and writes
``report.html`` (images and styles inline), the tidy ``comparison.csv`` and
``manifest.json``; :func:`print_pdf` prints the page to PDF with a headless browser.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Sequence
from pathlib import Path

from diffusion.htmlreport.build import (
    LEVEL,
    build_context,
    load_all,
    render,
    simulate_all,
    write_files,
)
from diffusion.htmlreport.pdf import find_browser, print_pdf

__all__ = ["build_context", "find_browser", "print_pdf", "render", "report"]


def report(
    base: str | os.PathLike[str],
    what_ifs: Sequence[str | os.PathLike[str]],
    *,
    out: str | os.PathLike[str],
    runs: int | None = None,
    seed: int | None = None,
    dates: Sequence[dt.date] = (),
    overrides: Sequence[str] = (),
    level: float = LEVEL,
    pdf: bool = False,
    overwrite: bool = False,
    command: str = "",
    progress: Callable[[int], None] | None = None,
) -> list[Path]:
    """Simulate ``base`` and each of ``what_ifs`` and write the report into the folder
    ``out`` (created; files of the same names in it are replaced).

    Parameters
    ----------
    base, what_ifs : path
        Scenario files; every what-if needs the base's calendar.
    out : path
        Folder for report.html, comparison.csv, manifest.json (and report.pdf); replaced
        at once when done, and only if diffusion wrote it or ``overwrite``
        (:func:`diffusion.outputs.output_folder`).
    runs, seed : int, optional
        Monte Carlo runs of every scenario and their root seed (default: the base's).
    dates : sequence of date
        Report dates (default: the base's report dates after the earliest what-if change,
        and the calendar's end); the headline is at the last.
    overrides : sequence of str
        ``path=value`` overrides applied to every scenario (as ``--set``).
    level : float
        Confidence level of the intervals (0.9: 90%).
    pdf : bool
        Also print report.pdf with a headless browser (:func:`find_browser`).
    overwrite : bool
        Replace ``out`` even if diffusion did not write it.
    command : str
        The command line, for the manifest.
    progress : callable, optional
        Called with the number of steps simulated since its last call; the total is
        ``runs * calendar steps * scenarios``.

    Returns
    -------
    list of Path
        The files written.

    Raises
    ------
    diffusion.scenario.problems.ScenarioError
        When a scenario file has problems (all of them, from every file).
    ValueError
        When a date is outside the calendar or a calendar differs from the base's.
    diffusion.outputs.OutputError
        When ``out`` may not be replaced (checked before simulating).
    RuntimeError
        With ``pdf=True`` when no headless browser is installed (checked before simulating).
    """
    from diffusion.outputs import check_output_folder, output_folder

    if pdf and find_browser() is None:
        raise RuntimeError(
            "--pdf needs Chromium or Chrome installed (e.g. apt-get install chromium)"
        )
    check_output_folder(out, overwrite=overwrite)
    loaded = load_all([base, *what_ifs], overrides)
    first = loaded[0].scenario
    sims = simulate_all(
        loaded,
        first.runs if runs is None else runs,
        first.seed if seed is None else seed,
        progress=progress,
    )
    context = build_context(sims, dates=dates, level=level, command=command)
    with output_folder(out, overwrite=overwrite) as tmp:
        names = [p.name for p in write_files(context, tmp, sims, pdf=pdf)]
    return [Path(out) / name for name in names]
