"""``diffusion run``.

simulate a scenario (default: the Etten-Leur baseline) and report trained and adopters.

Also home to what the scenario commands share: :func:`set_option` (``--set``) and
:func:`load`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from diffusion.cli.common import (
    NumberRange,
    check_out,
    clean_errors,
    dask_options,
    date_option,
    fail,
    memory_option,
    overwrite_option,
    progress,
)

if TYPE_CHECKING:
    from diffusion.scenario.load import LoadedScenario


# ------------------------------------------------------------------------------ shared
def set_option(command: Callable[..., Any]) -> Callable[..., Any]:
    """Return the ``--set path=value`` option (repeatable)."""
    return click.option(
        "--set",
        "overrides",
        multiple=True,
        metavar="PATH=VALUE",
        help="Override a scenario value, e.g. --set model.params.p_adopt_per_week=0.02 or "
        "--set events[1].support=0.8 (VALUE is TOML; checked like the file).",
    )(command)


def load(path: Path | None, overrides: Sequence[str] = ()) -> LoadedScenario:
    """Load a scenario file (the packaged baseline when ``path`` is None)."""
    from diffusion.baseline import BASELINE
    from diffusion.scenario.load import load_scenario, packaged

    return load_scenario(packaged(BASELINE) if path is None else path, overrides)


def calendar_overrides(years: float | None, until: dt.date | None) -> list[str]:
    """``--years`` and ``--until`` as ``--set`` overrides of the calendar."""
    if years is not None and until is not None:
        fail("give --years or --until, not both")
    from diffusion.scenario.overrides import Override

    if years is not None:
        return [Override(f"calendar.years={years}", "--years")]
    if until is not None:
        return [Override(f"calendar.end={until.isoformat()}", "--until")]
    return []


# ------------------------------------------------------------------------------ command
@click.command("run")
@memory_option
@click.argument(
    "scenario", required=False, type=click.Path(dir_okay=False, path_type=Path), default=None
)
@click.option(
    "--runs",
    "n_runs",
    type=click.IntRange(min=1),
    default=None,
    help="Monte Carlo runs (default: the scenario's runs, 1000 for the baseline).",
)
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    default=None,
    help="Root seed; run i depends only on (seed, i) (default: the scenario's, 2015).",
)
@click.option(
    "--years",
    type=NumberRange(min=0.02, max=50),
    default=None,
    help="Years to simulate from the start (default: the scenario's calendar).",
)
@click.option(
    "--until", callback=date_option, default=None, help="Last date to simulate, YYYY-MM-DD."
)
@set_option
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),  # checked by diffusion.outputs: one line, exit 2
    default=None,
    help="Folder for the CSVs, the plot, the results and manifest.json "
    "(default: out/baseline, or out/<scenario name>).",
)
@click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    default=None,
    help="Runs simulated together (default: chosen from the organisation's size).",
)
@click.option(
    "--org-picture",
    "org_picture",
    callback=date_option,
    default=None,
    metavar="DATE",
    help="Also draw the organisation on DATE (YYYY-MM-DD), each person coloured by the "
    "share of runs in which they work from the intent, departments named: org-DATE.png.",
)
@click.option(
    "--keep-runs",
    is_flag=True,
    help="Keep every run's counts in results.npz (runs x weeks x groups x states); without "
    "it the bands and means are gathered exactly as the runs finish, in memory that does "
    "not grow with --runs.",
)
@dask_options(default_workers=0)
@overwrite_option
def run(
    scenario: Path | None,
    n_runs: int | None,
    seed: int | None,
    years: float | None,
    until: dt.date | None,
    overrides: tuple[str, ...],
    out_dir: Path | None,
    batch_size: int | None,
    org_picture: dt.date | None,
    keep_runs: bool,
    scheduler: str | None,
    workers: int | None,
    overwrite: bool,
) -> None:
    """Simulate SCENARIO, a scenario file (default: the built-in Etten-Leur baseline).

    The baseline: the observed cohorts of 2015-2018, the changes at the top in 2018, then a
    regular cohort cadence.

    Prints trained and adopters by department at the scenario's report dates with 90% bands
    over runs and writes series.csv (per-group series with bands), summary.csv, spread.png,
    results.npz and manifest.json into --out. With --workers or --scheduler the runs are
    simulated in chunks on Dask workers; the outputs are the same.
    """
    import diffusion
    from diffusion.executors import Executor
    from diffusion.runfiles import file_names, measures_of, summary
    from diffusion.scenario.build import calendar_of

    extra = calendar_overrides(years, until)
    with clean_errors():
        executor = Executor.from_options(scheduler, workers, default_workers=0)
        executor.check_available()
        loaded = load(scenario, [*extra, *overrides])
        sc = loaded.scenario
        if out_dir is None:
            out_dir = Path("out") / ("baseline" if scenario is None else sc.name)
        check_out(out_dir, overwrite)
        n_runs = sc.runs if n_runs is None else n_runs
        with progress(
            n_runs * calendar_of(sc.calendar).n_steps, f"simulating {n_runs} runs"
        ) as advance:
            results = diffusion.run(
                loaded,
                runs=n_runs,
                seed=seed,
                batch_size=batch_size,
                keep_runs=keep_runs,
                executor=executor,
                progress=advance,
                out=out_dir,
                overwrite=overwrite,
                org_picture=org_picture,
            )
    measures = measures_of(sc, results.state_names)
    _print_table(summary(results, sc), measures, results.n_runs, sc.name, sc.outputs.quantiles)
    click.echo(f"wrote {out_dir}/: {' '.join(file_names(org_picture))}")


def _print_table(
    rows: list[dict],
    measures: Mapping[str, Any],
    n_runs: int,
    name: str,
    quantiles: tuple[float, float],
) -> None:
    from rich.console import Console
    from rich.table import Table

    level = round(100 * (quantiles[1] - quantiles[0]))
    table = Table(title=f"{name}: mean [{level}% band] over {n_runs} runs")
    table.add_column("department")
    table.add_column("date")
    for measure in measures:
        table.add_column(measure, justify="right")
    last_group = None
    for row in rows:
        group = row["group"] if row["group"] != last_group else ""
        last_group = row["group"]
        cells = [f"{m:.1f} [{lo:.0f}, {hi:.0f}]" for m, lo, hi in (row[k] for k in measures)]
        table.add_row(group, row["date"], *cells)
    Console(width=100).print(table)
