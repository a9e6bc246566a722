"""What a simulated scenario shows: its summary table and the files of ``diffusion run``.

:func:`summary` gives each measure's mean and band by department at the scenario's report
dates (the table ``diffusion run`` prints); :func:`write_run` writes ``series.csv``,
``summary.csv``, ``spread.png``, optionally ``org-DATE.png``, ``results.npz`` and, last,
``manifest.json`` into a folder. :func:`diffusion.run` with ``out=`` calls it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from diffusion.comparison import measures_for
from diffusion.tables import band_table, series_rows, write_csv

if TYPE_CHECKING:
    from diffusion.results import Results
    from diffusion.scenario.load import LoadedScenario
    from diffusion.scenario.schema import Scenario
    from diffusion.study import Study


def measures_of(scenario: Scenario, state_names: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """Return the measures of a scenario's model (:func:`~diffusion.comparison.measures_for`)."""
    from diffusion.scenario.build import model_classes

    adopted = model_classes()[scenario.model.name].adopted_states
    return measures_for(state_names, adopted)


def summary(results: Results, scenario: Scenario) -> list[dict[str, Any]]:
    """Return each measure's mean and band over runs at the scenario's report dates.

    By department and for everyone.

    Parameters
    ----------
    results : Results
        A simulation of ``scenario`` (recording departments).
    scenario : Scenario
        Its report dates (``outputs.dates``) and bands (``outputs.quantiles``).

    Returns
    -------
    list of dict
        One row per (group, date): ``group``, ``date`` (ISO) and per measure
        ``(mean, low, high)`` in people.
    """
    from diffusion.scenario.build import calendar_of, report_dates

    calendar = calendar_of(scenario.calendar)
    return band_table(
        results,
        calendar,
        measures_of(scenario, results.state_names),
        report_dates(scenario, calendar),
        grouping="department",
        quantiles=scenario.outputs.quantiles,
    )


def summary_csv_rows(
    rows: Sequence[Mapping[str, Any]],
    measures: Sequence[str],
    quantiles: tuple[float, float],
) -> list[dict[str, Any]]:
    """Return the :func:`summary` rows flat, as ``summary.csv`` holds them.

    Per measure ``MEASURE_mean``, ``MEASURE_qLL`` and ``MEASURE_qHH``.
    """
    flat = []
    for row in rows:
        out = {"group": row["group"], "date": row["date"]}
        for measure in measures:
            mean, low, high = row[measure]
            out |= {
                f"{measure}_mean": round(mean, 3),
                f"{measure}_{_q(quantiles[0])}": low,
                f"{measure}_{_q(quantiles[1])}": high,
            }
        flat.append(out)
    return flat


def _q(q: float) -> str:
    return f"q{round(100 * q):02d}"


def file_names(org_picture: dt.date | None = None) -> list[str]:
    """Return the names of the files :func:`write_run` writes, in order, the manifest last."""
    picture = [] if org_picture is None else [f"org-{org_picture.isoformat()}.png"]
    return ["series.csv", "summary.csv", "spread.png", *picture, "results.npz", "manifest.json"]


def write_run(
    folder: Path,
    loaded: LoadedScenario,
    study: Study,
    results: Results,
    *,
    org_picture: dt.date | None = None,
    **manifest: Any,
) -> list[str]:
    """Write the files of ``diffusion run`` into ``folder`` (a fresh, temporary folder).

    Parameters
    ----------
    folder : Path
        The folder (:func:`diffusion.outputs.output_folder` swaps it in).
    loaded : LoadedScenario
        The scenario, for the report dates, bands and the manifest.
    study : Study
        Its study, for the organisation's names and the calendar.
    results : Results
        Its simulation.
    org_picture : date, optional
        Also draw the organisation on this date, each person coloured by the share of runs
        in which they work from the intent (``org-DATE.png``).
    **manifest
        More keys for ``manifest.json`` (how the runs were made: ``kept_runs``,
        ``executor``).

    Returns
    -------
    list of str
        The names of the files written, the manifest last.
    """
    from diffusion.outputs import write_manifest

    sc = loaded.scenario
    cal = study.calendar
    measures = measures_of(sc, results.state_names)
    quantiles = sc.outputs.quantiles
    write_csv(
        series_rows(results, cal, measures, quantiles=(quantiles[0], 0.5, quantiles[1])),
        folder / "series.csv",
    )
    write_csv(
        summary_csv_rows(summary(results, sc), list(measures), quantiles), folder / "summary.csv"
    )
    markers = [(e.date, e.kind.replace("_", " ")) for e in sc.events if e.kind != "cohort"]
    spread_figure(results, study, measures, folder / "spread.png", markers)
    if org_picture is not None:
        org_figure(results, study, org_picture, folder)
    results.save(folder / "results.npz")
    write_manifest(
        folder,
        {study.name: loaded},
        results.n_runs,
        results.seed,
        start=cal.start.isoformat(),
        end=cal.end.isoformat(),
        provenance=results.provenance,
        **manifest,
    )
    return file_names(org_picture)


def spread_figure(
    results: Results,
    study: Study,
    measures: Mapping[str, Any],
    path: Path,
    markers: Sequence[tuple[dt.date, str]] = (),
) -> None:
    """Save ``spread.png``.

    Each measure (and the people working from the intent) by department over time, with bands and
    ``markers`` (date, words) marked.
    """
    from diffusion.io import save_figure
    from diffusion.plotting import group_names, new_figure, plot_spread_panels

    panels = dict(measures)
    if all(s in results.state_names for s in ("trained", "adopter")):
        panels["working"] = ("trained", "adopter")  # the measure the report leads with
    fig = plot_spread_panels(
        results,
        panels,
        calendar=study.calendar,
        names=group_names(study.org),
        scenario=study.name,
        markers=markers,
        fig=new_figure(),
    )
    save_figure(fig, path)


def org_figure(results: Results, study: Study, date: dt.date, folder: Path) -> None:
    """Save ``org-DATE.png`` into ``folder``: who works from the intent by ``date``."""
    from diffusion.io import save_figure
    from diffusion.plotting import new_figure, plot_org_state

    fig = new_figure(9, 7)
    plot_org_state(
        study.org,
        results,
        study.calendar.step_of(date),
        calendar=study.calendar,
        ax=fig.add_subplot(),
    )
    save_figure(fig, folder / f"org-{date.isoformat()}.png")
