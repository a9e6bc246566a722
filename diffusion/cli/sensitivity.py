"""``diffusion sensitivity``.

Sobol or Morris indices of a scenario's parameters, with a dummy input as the noise floor, run
through the sweep machinery.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from diffusion.cli.common import clean_errors, fail, memory_option
from diffusion.cli.sweep import require, run_sweep, sweep_options

if TYPE_CHECKING:
    from diffusion.sweeps.runner import Sweep
    from diffusion.sweeps.sensitivity import Indices

METHOD_HELP = """\b
sobol: first-order (S1) and total (ST) Sobol indices from Saltelli's design of --points N
base samples (a power of 2): N x (k + 3) points for k parameters.
morris: elementary effects from --points r trajectories: r x (k + 2) points; mu* is the
mean absolute change of the output per whole range of a parameter (a screening).

\b
A dummy input that changes nothing but the random numbers (it picks the block of runs) is
always added: its index is the noise floor, below which a parameter's index means nothing.
The points run as a sweep (store DIR/sweep.zarr; --resume, --workers, --scheduler as for
diffusion sweep), so a finished DIR is analysed again for another --measure with --resume.
"""


@click.command("sensitivity", epilog=METHOD_HELP)
@memory_option
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@sweep_options
@click.option(
    "--method",
    type=click.Choice(["sobol", "morris"]),
    default="sobol",
    show_default=True,
    help="Sobol indices or Morris elementary effects.",
)
@click.option(
    "--points",
    type=click.IntRange(min=1),
    default=None,
    help="sobol: base samples, a power of 2 [64]; morris: trajectories [10].",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="Folder for sweep.zarr, sensitivity.csv and sensitivity.png.",
)
@click.option(
    "--measure",
    default="adopters",
    show_default=True,
    help="Output: a measure (adopters, trained, working) or a key outcome of summary.csv.",
)
@click.option("--at", default="end", show_default=True, help="Date of a measure, YYYY-MM-DD.")
@click.option("--group", default="all", show_default=True, help="all, or GROUPING:LABEL.")
def sensitivity(
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
    method: str,
    points: int | None,
    out: Path,
    measure: str,
    at: str,
    group: str,
) -> None:
    """Sensitivity of an output of SCENARIO to the --param ranges (a:b or log:a:b).

    Prints each parameter's indices with confidence intervals, the dummy's as the noise
    floor, and writes them to OUT/sensitivity.csv with a bar chart OUT/sensitivity.png.
    """
    require("SALib", extra="sensitivity")
    if out.exists() and not out.is_dir():
        fail(f"{out}: exists and is not a folder")

    from diffusion.sweeps.runner import SweepRequest
    from diffusion.sweeps.sensitivity import DEFAULT_POINTS, indices_of, output_check

    with clean_errors():
        out.mkdir(parents=True, exist_ok=True)
        request = SweepRequest(
            scenario,
            params,
            out / "sweep.zarr",
            sets=overrides,
            design=method,
            points=DEFAULT_POINTS[method] if points is None else points,
            runs=n_runs,
            seed=seed,
            resume=resume,
            overwrite=overwrite,
            record_every=record_every,
            groupings=groupings,
        )
        result = run_sweep(request, scheduler, workers, check=output_check(measure, group))
        _report(result, indices_of(result, measure, at, group), out, measure, at, group)


def _report(result: Sweep, indices: Indices, out: Path, measure: str, at: str, group: str) -> None:
    """Print the table, write sensitivity.csv and sensitivity.png."""
    from rich.console import Console
    from rich.table import Table

    from diffusion.io import save_figure
    from diffusion.sweeps.plots import plot_indices
    from diffusion.sweeps.sensitivity import ADVISED_RUNS
    from diffusion.tables import write_csv

    plan = result.plan
    n_runs = plan.layout.n_runs
    if n_runs < ADVISED_RUNS:
        click.echo(
            f"warning: {n_runs} runs per point; >= {ADVISED_RUNS} are advised, or Monte Carlo "
            "noise inflates the indices (compare each with the dummy's)",
            err=True,
        )
    rows = indices.rows()
    write_csv(rows, out / "sensitivity.csv")
    level = round(100 * indices.conf_level)
    what = (
        measure if measure not in plan.layout.reduction.measures else f"{measure} ({group}) at {at}"
    )
    title = (
        f"{plan.design.kind} indices of {what}: {indices.n_base} "
        f"{'base samples' if plan.design.kind == 'sobol' else 'trajectories'}, {n_runs} runs "
        f"a point, [{level}% interval]"
    )
    table = Table(title=title)
    shown = [
        k for k in rows[0] if k not in ("parameter", "above_noise") and not k.endswith("_conf")
    ]
    table.add_column("parameter")
    for key in shown:
        table.add_column(key, justify="right")
    table.add_column("above noise", justify="right")
    for row in rows:
        cells = []
        for key in shown:
            conf = row.get(f"{key}_conf")
            cells.append(f"{row[key]:.3g}" + ("" if conf is None else f" ± {conf:.2g}"))
        noise = {True: "yes", False: "no", "": "(floor)"}[row["above_noise"]]
        table.add_row(str(row["parameter"]), *cells, noise)
    table.caption = f"noise floor ({indices.floor_label}): {indices.noise_floor:.3g}"
    Console(width=120).print(table)
    ax = plot_indices(indices)
    ax.set_title(title, fontsize="small")
    save_figure(ax, out / "sensitivity.png")
    click.echo(f"wrote {out}/sensitivity.csv and {out}/sensitivity.png")
