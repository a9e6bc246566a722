"""The files of a comparison: what ``diffusion compare`` writes into its folder.

:func:`write_comparison` writes ``comparison.csv`` (tidy), ``robustness.csv`` (with
parameter draws), optionally the client's ``report.html`` of the same runs, the two figures
(:mod:`diffusion.comparison_plots`) and, last, ``manifest.json``;
:func:`diffusion.compare` with ``out=`` calls it.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from diffusion.comparison import Comparison
    from diffusion.scenario.load import LoadedScenario


def file_names(comparison: Comparison, *, report: bool = False) -> list[str]:
    """Return the names of the files :func:`write_comparison` writes, the manifest last."""
    robust = ["robustness.csv"] if comparison.robustness else []
    page = ["report.html"] if report else []
    figures = ["comparison.png", "difference-over-time.png"]
    return ["comparison.csv", *robust, *page, *figures, "manifest.json"]


def write_comparison(
    folder: Path,
    comparison: Comparison,
    scenarios: Mapping[str, LoadedScenario],
    *,
    report: bool = False,
    command: str | None = None,
) -> list[str]:
    """Write a comparison's files into ``folder`` (a fresh, temporary folder).

    Parameters
    ----------
    folder : Path
        The folder (:func:`diffusion.outputs.output_folder` swaps it in).
    comparison : Comparison
        The outcomes, every scenario's results and, with draws, the robustness.
    scenarios : mapping of str to LoadedScenario
        The scenarios by the names of the comparison, the base first.
    report : bool
        Also write the client report of these runs (``report.html``,
        :mod:`diffusion.htmlreport`).
    command : str, optional
        The command line, for the manifest and the report.

    Returns
    -------
    list of str
        The names of the files written (:func:`file_names`).
    """
    from diffusion.comparison_plots import plot_comparison, plot_comparison_over_time
    from diffusion.io import atomic_write, save_figure
    from diffusion.outputs import write_manifest
    from diffusion.tables import write_csv

    settings = comparison.settings
    write_csv([row.tidy() for row in comparison.outcomes], folder / "comparison.csv")
    if comparison.robustness:
        write_csv([r.row() for r in comparison.robustness], folder / "robustness.csv")
    if report:
        with atomic_write(folder / "report.html", "w", encoding="utf-8") as fh:
            fh.write(report_page(comparison, scenarios, command or ""))
    save_figure(plot_comparison(comparison), folder / "comparison.png")
    save_figure(plot_comparison_over_time(comparison), folder / "difference-over-time.png")
    draws = comparison.draws
    recorded = (
        {} if draws is None else {"draws": draws.n_draws, "drawn_parameters": dict(draws.origin)}
    )
    write_manifest(
        folder,
        dict(scenarios),
        comparison.n_runs,
        next(iter(comparison.results.values())).seed,
        command=command,
        base=comparison.base,
        what_ifs=list(comparison.what_ifs),
        dates=[d.isoformat() for d in settings.dates],
        pass_share=settings.pass_share,
        reach_shares=list(settings.reach_shares),
        level=settings.level,
        **recorded,
    )
    return file_names(comparison, report=report)


def report_page(
    comparison: Comparison, scenarios: Mapping[str, LoadedScenario], command: str = ""
) -> str:
    """Return the client report (:mod:`diffusion.htmlreport`) of a comparison's runs."""
    from diffusion.comparison import GROUPINGS
    from diffusion.htmlreport import build
    from diffusion.scenario.build import build_study

    sims = [
        build.Simulated(
            name,
            scenarios[name],
            build_study(scenarios[name].scenario, groupings=GROUPINGS),
            comparison.results[name],
            comparison.values[name],
        )
        for name in comparison.results
    ]
    judged = {(r.what_if, r.measure, r.group, r.date): r for r in comparison.robustness}
    context = build.build_context(
        sims,
        dates=comparison.settings.dates,
        level=comparison.settings.level,
        command=command,
        judged=judged or None,
        n_draws=comparison.draws.n_draws if comparison.draws is not None else 0,
    )
    return build.render(context)
