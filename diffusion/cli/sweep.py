"""``diffusion sweep``: a scenario over many parameter values, locally or on a Dask cluster.

:func:`run_sweep` (prepare and execute a :class:`~diffusion.sweeps.runner.SweepRequest` with
progress and messages) is shared with ``diffusion sensitivity``, which runs its points the
same way.
"""

from __future__ import annotations

import shlex
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from diffusion.cli.common import clean_errors, dask_options, memory_option, progress
from diffusion.cli.run import set_option

if TYPE_CHECKING:
    from diffusion.sweeps.plan import SweepPlan
    from diffusion.sweeps.runner import Sweep, SweepRequest

DESIGN_HELP = """\b
SPEC is a:b:n (n values from a to b), log:a:b:n (on a log scale) or [x, y, z] (a list).
Designs: grid (every combination), lhs (--points N points of a Latin hypercube in the
ranges a:b), sobol (Saltelli's design from --points N base samples, a power of 2, with a dummy
input: N x (k + 3) points for k parameters; see also diffusion sensitivity).

\b
Every point uses the same root seed (--seed): grid and lhs points run the same run indices
(common random numbers); in a sobol design the dummy input picks the block of runs, so that
its indices measure the noise floor. Results do not depend on the number of workers.

\b
The store keeps per point the bands over runs (mean, quantiles) of each measure per group
and step, and each run's key outcomes; --keep-runs adds every run's counts.
"""

GROUPINGS = ["department", "team", "role", "side", "cluster", "kind"]


def require(*modules: str, extra: str) -> None:
    """Exit with one line when an optional dependency is missing."""
    from diffusion.sweeps.runner import require as library_require

    with clean_errors():
        library_require(*modules, extra=extra)


def sweep_options(f: Callable[..., Any]) -> Callable[..., Any]:
    """Return the options ``sweep`` and ``sensitivity`` share: what to sweep and where to run it."""
    options = [
        click.option(
            "--param",
            "params",
            multiple=True,
            required=True,
            metavar="PATH=SPEC",
            help="A swept value, e.g. model.params.leader_effect=0:0.8:5 (repeat for more).",
        ),
        set_option,
        click.option(
            "--runs",
            "n_runs",
            type=click.IntRange(min=1),
            default=100,
            show_default=True,
            help="Monte Carlo runs per point.",
        ),
        click.option(
            "--seed",
            type=click.IntRange(min=0),
            default=None,
            help="Root seed of every point [default: the scenario's seed].",
        ),
        dask_options(default_workers=2),
        click.option("--resume", is_flag=True, help="Complete the store: skip finished points."),
        click.option("--overwrite", is_flag=True, help="Replace the store."),
        click.option(
            "--record-every",
            type=click.IntRange(min=1, max=52),
            default=None,
            help="Weeks between stored records [default: the scenario's outputs.record_every].",
        ),
        click.option(
            "--grouping",
            "groupings",
            multiple=True,
            type=click.Choice(GROUPINGS),
            default=("department",),
            show_default=True,
            help="Groups stored besides everyone (repeat for more).",
        ),
    ]
    for option in reversed(options):
        f = option(f)
    return f


@click.command("sweep", epilog=DESIGN_HELP)
@memory_option
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@sweep_options
@click.option(
    "--design",
    type=click.Choice(["grid", "lhs", "sobol"]),
    default="grid",
    show_default=True,
    help="How the points are chosen.",
)
@click.option(
    "--points",
    type=click.IntRange(min=1),
    default=None,
    help="lhs: points; sobol: base samples (a power of 2).",
)
@click.option(
    "--out",
    "store",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="The store (a zarr folder); summary.csv is written into it.",
)
@click.option("--keep-runs", is_flag=True, help="Also store every run's counts per state.")
def sweep(
    scenario: Path,
    params: tuple[str, ...],
    overrides: tuple[str, ...],
    n_runs: int,
    seed: int | None,
    scheduler: str | None,
    workers: int | None,
    resume: bool,
    overwrite: bool,
    record_every: int | None,
    groupings: tuple[str, ...],
    design: str,
    points: int | None,
    store: Path,
    keep_runs: bool,
) -> None:
    """Simulate SCENARIO at every point of a design over the --param values.

    Every point is validated before any work starts. One task is one point with all its
    runs; workers reduce their points and write them into the store, and a point is marked
    complete last, so --resume redoes only what is missing.
    """
    from diffusion.sweeps.runner import SweepRequest

    request = SweepRequest(
        scenario,
        params,
        store,
        sets=overrides,
        design=design,
        points=points,
        runs=n_runs,
        seed=seed,
        resume=resume,
        overwrite=overwrite,
        record_every=record_every,
        groupings=groupings,
        keep_runs=keep_runs,
    )
    run_sweep(request, scheduler, workers)


def run_sweep(
    request: SweepRequest,
    scheduler: str | None,
    workers: int | None,
    check: Callable[[SweepPlan], None] | None = None,
) -> Sweep:
    """Prepare and execute a sweep on the executor of the options, with progress.

    Messages and exits: one line (status 2) on any problem before the work starts, status
    130 when interrupted (after the summary of the points done is written).
    """
    from diffusion.executors import Executor
    from diffusion.sweeps import runner
    from diffusion.sweeps import store as st

    with clean_errors():
        executor = Executor.from_options(scheduler, workers, default_workers=2)
        command = shlex.join(["diffusion", *sys.argv[1:]])
        job = runner.prepare_sweep(replace(request, executor=executor, command=command), check)
    design, specs, store = request.design, job.plan.design.specs, job.store
    if design in ("lhs", "sobol", "morris") and any(s.count is not None for s in specs):
        click.echo(
            f"note: the {design} design uses a:b as bounds; --points sets the count", err=True
        )
    click.echo(job.describe(), err=True)
    try:
        with progress(len(job.todo), f"sweeping {len(job.todo)} points") as advance:
            result = runner.execute_sweep(job, advance)
    except KeyboardInterrupt as exc:
        from diffusion.cli.interrupts import stop_message

        finished = int(st.completed(store).sum())
        click.echo(
            f"interrupted: {finished} of {len(job.plan.tasks)} points are in {store} (and its "
            "summary.csv); rerun with --resume",
            err=True,
        )
        sys.exit(stop_message(exc)[1])
    _summarise(store)
    return result


def _summarise(store: Path) -> None:
    """Print the summary the library wrote into the store."""
    from diffusion.sweeps import store as st

    ds = st.open_store(store)
    _print_summary(st.summary_rows(ds), ds)
    size = sum(f.stat().st_size for f in store.rglob("*") if f.is_file())
    click.echo(f"wrote {store}/ ({size / 1e6:.1f} MB) with summary.csv")


def _print_summary(rows: list[dict[str, Any]], ds: Any) -> None:
    """Return the measures over all staff at the end: mean [band] per point (first 20 points)."""
    from rich.console import Console
    from rich.table import Table

    from diffusion.sweeps.store import param_paths

    paths = param_paths(ds)
    low, high = (f"q{round(100 * x):02d}" for x in ds.attrs["quantiles"])
    end = ds.attrs["report_dates"][-1]
    band = round(100 * (ds.attrs["quantiles"][1] - ds.attrs["quantiles"][0]))
    table = Table(title=f"all staff on {end}: mean [{band}% band] over {ds.sizes['run']} runs")
    table.add_column("point", justify="right")
    for path in paths:
        table.add_column(path.rsplit(".", 1)[-1], justify="right")
    measures = list(ds.attrs["measures"])
    for m in measures:
        table.add_column(m, justify="right")
    shown = rows[:20]
    for row in shown:
        cells = [f"{row[p]:.4g}" if isinstance(row[p], float) else str(row[p]) for p in paths]
        bands = []
        for m in measures:
            key = f"{m} all {end}"
            bands.append(
                f"{row[f'{key} mean']:.1f} [{row[f'{key} {low}']:.0f}, {row[f'{key} {high}']:.0f}]"
            )
        table.add_row(str(row["point"]), *cells, *bands)
    if len(rows) > len(shown):
        table.caption = f"first 20 of {len(rows)} points; all in summary.csv"
    Console(width=120).print(table)
