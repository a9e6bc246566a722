"""``diffusion calibrate``: fit a scenario's model parameters to Table 1 by ABC."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from diffusion.cli.common import (
    NumberRange,
    check_out,
    clean_errors,
    dask_options,
    memory_option,
    overwrite_option,
    progress,
)
from diffusion.cli.run import load, set_option

if TYPE_CHECKING:
    from diffusion.calibration.posterior import Posterior
    from diffusion.calibration.priors import Prior

EPILOG = """\b
PRIOR is uniform(a, b), loguniform(a, b) (0 < a) or normal(m, s) (truncated to the
parameter's range), e.g. --params model.params.nomination_word_of_mouth=loguniform(0.1, 30).

\b
The calendar ends at 2018-10-01 (Table 1's cut-off) unless --set calendar.end=... is given.
rejection: N parameter vectors from the priors, R runs each, the --accept share of all runs
nearest to the data kept, each vector weighted by its share of kept runs (seeded: the same
--seed gives the same posterior on any number of workers). abc-smc (pip install
'diffusion[calibrate]'): pyabc, one run per particle, --simulations in all.
"""


@click.command("calibrate", epilog=EPILOG)
@memory_option
@click.argument(
    "scenario", required=False, type=click.Path(dir_okay=False, path_type=Path), default=None
)
@click.option(
    "--params",
    "priors",
    multiple=True,
    required=True,
    metavar="PATH=PRIOR",
    help="A calibrated parameter and its prior (repeat for more).",
)
@set_option
@click.option(
    "--method",
    type=click.Choice(["rejection", "abc-smc"]),
    default="rejection",
    show_default=True,
    help="rejection (numpy) or abc-smc (pyabc).",
)
@click.option(
    "--simulations",
    type=click.IntRange(min=2),
    default=2000,
    show_default=True,
    help="Parameter vectors simulated (abc-smc: the budget in all).",
)
@click.option(
    "--runs-per-simulation",
    type=click.IntRange(min=1),
    default=None,
    help="Runs at each vector [default: 10 for rejection; abc-smc takes 1].",
)
@click.option(
    "--accept",
    type=NumberRange(min=0, max=1, min_open=True),
    default=0.02,
    show_default=True,
    help="rejection: share of all simulated runs kept.",
)
@click.option(
    "--population",
    type=click.IntRange(min=2),
    default=200,
    show_default=True,
    help="abc-smc: particles per population.",
)
@click.option(
    "--check-draws",
    type=click.IntRange(min=1),
    default=100,
    show_default=True,
    help="Posterior draws for the predictive check (10 runs each).",
)
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    default=None,
    help="Seed of the draws and the runs [default: the scenario's].",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),  # checked by diffusion.outputs: one line, exit 2
    required=True,
    help="Folder for the posterior, the tables, the plot and manifest.json.",
)
@overwrite_option
@dask_options(default_workers=2)
def calibrate(
    scenario: Path | None,
    priors: tuple[str, ...],
    overrides: tuple[str, ...],
    method: str,
    simulations: int,
    runs_per_simulation: int | None,
    accept: float,
    population: int,
    check_draws: int,
    seed: int | None,
    out_dir: Path,
    scheduler: str | None,
    workers: int | None,
    overwrite: bool,
) -> None:
    """Fit the --params of SCENARIO to Table 1.

    SCENARIO defaults to the built-in Etten-Leur baseline. Table 1: participants per team and
    department by autumn 2018, their concentration, the team leaders among them and the known
    order of the cohorts.

    Writes posterior.csv (samples and weights), posterior_summary.csv (mean and 90% interval
    per parameter), predictive_check.csv and .png (observed against simulated per team, with
    90% bands), statistics.csv (observed values, scales and weights of the distance) and
    manifest.json into --out.
    """
    import diffusion
    from diffusion.executors import Executor

    check_out(out_dir, overwrite)
    with clean_errors():
        executor = Executor.from_options(scheduler, workers, default_workers=2)
        with progress(simulations, f"simulating {simulations} parameter vectors") as advance:
            result = diffusion.calibrate(
                load(scenario, overrides),
                priors,
                method=method,
                simulations=simulations,
                runs=runs_per_simulation,
                accept=accept,
                population=population,
                check_draws=check_draws,
                seed=seed,
                executor=executor,
                progress=advance if method == "rejection" else None,
                notify=lambda line: click.echo(line, err=True),
            )
        _print(result.summary, result.check, result.posterior, result.teams_inside)
        written = result.save(out_dir, overwrite=overwrite)
    click.echo(f"wrote {out_dir}/: {' '.join(p.name for p in written)}")


def _print(
    table: list[dict[str, Any]], rows: list[dict[str, Any]], post: Posterior, inside: int
) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(width=110)
    info = post.info
    t = Table(
        title=f"posterior ({post.method}, {info['simulations']} simulations, "
        f"effective size {post.ess:.0f}): mean [90% interval]"
    )
    for name in ("parameter", "prior", "mean", "90% interval", "width / prior's"):
        t.add_column(name, justify="left" if name in ("parameter", "prior") else "right")
    for r in table:
        t.add_row(
            str(r["parameter"]),
            str(r["prior"]),
            f"{r['mean']:.4g}",
            f"[{r['q05']:.4g}, {r['q95']:.4g}]",
            f"{r['width_vs_prior']:.2f}",
        )
    console.print(t)
    c = Table(title=f"predictive check: {inside} of {len(rows)} teams inside their 90% band")
    for name in ("team", "dept", "observed", "simulated mean", "90% band", "inside"):
        c.add_column(name, justify="left" if name in ("team", "dept") else "right")
    for r in rows:
        c.add_row(
            str(r["team"]),
            str(r["department"]),
            str(r["observed"]),
            f"{r['mean']:.1f}",
            f"[{r['q05']:.0f}, {r['q95']:.0f}]",
            "yes" if r["inside"] else "NO",
        )
    console.print(c)


__all__ = ["Prior", "calibrate"]
