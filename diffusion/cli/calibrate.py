"""``diffusion calibrate``: fit a scenario's model parameters to Table 1 by ABC."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from diffusion.cli.common import (
    NumberRange,
    check_out,
    dask_options,
    fail,
    memory_option,
    output_folder,
    overwrite_option,
    progress,
)
from diffusion.cli.run import load, scenario_errors, set_option, write_manifest

if TYPE_CHECKING:
    from diffusion.calibrate.posterior import Posterior
    from diffusion.calibrate.priors import Prior

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
    """Fit the --params of SCENARIO (default: the built-in Etten-Leur baseline) to Table 1:
    participants per team and department by autumn 2018, their concentration, the team
    leaders among them and the known order of the cohorts.

    Writes posterior.csv (samples and weights), posterior_summary.csv (mean and 90% interval
    per parameter), predictive_check.csv and .png (observed against simulated per team, with
    90% bands), statistics.csv (observed values, scales and weights of the distance) and
    manifest.json into --out.
    """
    if scheduler is not None and workers is not None:
        fail("give --scheduler or --workers, not both")
    check_out(out_dir, overwrite)
    if method == "abc-smc":
        if runs_per_simulation not in (None, 1):
            fail(
                "--runs-per-simulation: abc-smc accepts a particle on one simulated data set; "
                "give 1, or use --method rejection"
            )
        if importlib_missing("pyabc"):
            fail("--method abc-smc needs pyabc: pip install 'diffusion[calibrate]'")
    n_workers = 2 if workers is None else workers
    if (scheduler is not None or n_workers > 0) and importlib_missing("distributed"):
        fail("Dask workers need dask[distributed]: pip install 'diffusion[dask]', or --workers 0")
    runs = runs_per_simulation or (10 if method == "rejection" else 1)
    with scenario_errors():
        _calibrate(
            scenario,
            priors,
            overrides,
            method,
            simulations,
            runs,
            accept,
            population,
            check_draws,
            seed,
            out_dir,
            scheduler,
            n_workers,
            overwrite,
        )


def importlib_missing(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is None


@contextlib.contextmanager
def _client(scheduler: str | None, workers: int) -> Iterator[Any]:
    from diffusion.executors import Executor

    with Executor(0 if scheduler else workers, scheduler).client() as client:
        yield client


def _calibrate(
    scenario: Path | None,
    prior_texts: Sequence[str],
    overrides: Sequence[str],
    method: str,
    simulations: int,
    runs: int,
    accept: float,
    population: int,
    check_draws: int,
    seed: int | None,
    out_dir: Path,
    scheduler: str | None,
    workers: int,
    overwrite: bool = False,
) -> None:
    from diffusion.calibrate.observed import observed_from_facts
    from diffusion.calibrate.posterior import (
        plot_predictive_check,
        posterior_table,
        predictive_check,
        teams_inside,
    )
    from diffusion.calibrate.priors import parse_priors
    from diffusion.calibrate.simulator import Simulator
    from diffusion.calibrate.summaries import CUTOFF, Layout
    from diffusion.org.etten_leur import facts
    from diffusion.report import write_csv
    from diffusion.scenario.build import build_study

    loaded = load(scenario, [f"calendar.end={CUTOFF.isoformat()}", *overrides])
    study = build_study(loaded.scenario)
    priors = parse_priors(prior_texts, study.model.params)
    seed = loaded.scenario.seed if seed is None else seed
    the_facts = facts()
    layout = Layout.build(study, the_facts)
    observed = observed_from_facts(the_facts)
    sim = Simulator(study, layout, tuple(p.path for p in priors), seed)
    where = (
        "in this process"
        if workers == 0 and scheduler is None
        else (scheduler or f"{workers} local workers")
    )
    click.echo(
        f"calibrate: {method}, {simulations} simulations x {runs} runs of {study.name} "
        f"({study.calendar.start} to {study.calendar.end}) on {where}, seed {seed}",
        err=True,
    )
    with _client(scheduler, workers) as client:
        if method == "rejection":
            from diffusion.calibrate.rejection import rejection_abc

            with progress(simulations, f"simulating {simulations} parameter vectors") as advance:
                post, distance = rejection_abc(
                    sim,
                    priors,
                    observed,
                    n_simulations=simulations,
                    runs_per_simulation=runs,
                    seed=seed,
                    accept=accept,
                    client=client,
                    advance=advance,
                )
            first_check = simulations
        else:
            from diffusion.calibrate.abc_smc import abc_smc

            out_dir.parent.mkdir(parents=True, exist_ok=True)
            db = out_dir.parent / f".{out_dir.name}.abc.db"
            post, distance = abc_smc(
                sim,
                priors,
                observed,
                population=population,
                max_simulations=simulations,
                db=db,
                seed=seed,
                pilot=min(200, max(population, simulations // 5)),
                client=client,
            )
            first_check = 1 << 30  # past the pilot's vectors; pyabc's use hashed offsets
        rows, _ = predictive_check(
            sim,
            post,
            observed,
            draws=check_draws,
            runs=10,
            first_index=first_check,
            seed=seed,
            client=client,
        )
    table = posterior_table(post, priors)
    inside = teams_inside(rows)
    _print(table, rows, post, inside)

    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    with output_folder(out_dir, overwrite) as tmp:
        write_csv(post.rows(), tmp / "posterior.csv")
        write_csv(table, tmp / "posterior_summary.csv")
        write_csv(rows, tmp / "predictive_check.csv")
        write_csv(distance.rows(), tmp / "statistics.csv")
        fig, ax = plt.subplots(figsize=(9, 4))
        plot_predictive_check(rows, ax=ax)
        fig.tight_layout()
        fig.savefig(tmp / "predictive_check.png", dpi=110)
        plt.close(fig)
        if method == "abc-smc":
            Path(post.info["database"]).rename(tmp / "abc.db")
            post.info["database"] = str(out_dir / "abc.db")
        write_manifest(
            tmp,
            {study.name: loaded},
            runs,
            seed,
            method=method,
            priors={p.path: str(p) for p in priors},
            calibration=post.info,
            constant_statistics=list(distance.constant),
            teams_inside_band=inside,
            start=study.calendar.start.isoformat(),
            end=study.calendar.end.isoformat(),
        )
    click.echo(
        f"wrote {out_dir}/: posterior.csv posterior_summary.csv predictive_check.csv "
        "predictive_check.png statistics.csv manifest.json"
        + (" abc.db" if method == "abc-smc" else "")
    )


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
