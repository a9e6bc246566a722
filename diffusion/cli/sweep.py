"""``diffusion sweep``: a scenario over many parameter values, locally or on a Dask cluster.

Also ``sensitivity`` (Sobol indices of a finished ``sobol`` sweep), for registration as
``diffusion sensitivity STORE``; ``diffusion sweep ... --resume --sensitivity`` does the same
from the sweep's own command.
"""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

import click

from diffusion.cli.common import fail, progress
from diffusion.cli.run import scenario_errors, set_option

DESIGN_HELP = """\b
SPEC is a:b:n (n values from a to b), log:a:b:n (on a log scale) or [x, y, z] (a list).
Designs: grid (every combination), lhs (--points N points of a Latin hypercube in the
ranges a:b), sobol (Saltelli's design from --points N base samples, a power of 2, with a dummy
input: N x (k + 3) points for k parameters; for --sensitivity).

\b
Every point uses the same root seed (--seed): grid and lhs points run the same run indices
(common random numbers); in a sobol design the dummy input picks the block of runs, so that
its indices measure the noise floor. Results do not depend on the number of workers.
"""


def _require(*modules: str, extra: str) -> None:
    import importlib.util

    missing = [m for m in modules if importlib.util.find_spec(m) is None]
    if missing:
        fail(f"this needs {', '.join(missing)}: pip install 'diffusion[{extra}]'")


def _measure(name: str, measures: dict[str, list[str]]) -> list[str]:
    """A measure of the store (``adopters``, ``trained``) or state names, ``a,b``."""
    if name in measures:
        return list(measures[name])
    return [s.strip() for s in name.split(",") if s.strip()]


@click.command("sweep", epilog=DESIGN_HELP)
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--param",
    "params",
    multiple=True,
    required=True,
    metavar="PATH=SPEC",
    help="A swept value, e.g. model.params.leader_effect=0:0.8:5 (repeat for more).",
)
@set_option
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
    "--runs",
    "n_runs",
    type=click.IntRange(min=1),
    default=100,
    show_default=True,
    help="Monte Carlo runs per point.",
)
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    default=None,
    help="Root seed of every point [default: the scenario's seed].",
)
@click.option(
    "--out",
    "store",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="The store (a zarr folder); summary.csv is written into it.",
)
@click.option(
    "--scheduler",
    default=None,
    metavar="ADDRESS",
    help="A running Dask scheduler, tcp://host:port.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=0),
    default=None,
    help="Local worker processes [default: 2]; 0: in this process, without Dask.",
)
@click.option("--resume", is_flag=True, help="Complete the store at --out: skip finished points.")
@click.option("--overwrite", is_flag=True, help="Replace the store at --out.")
@click.option(
    "--record-every",
    type=click.IntRange(min=1, max=52),
    default=None,
    help="Weeks between stored counts [default: the scenario's outputs.record_every].",
)
@click.option(
    "--grouping",
    "groupings",
    multiple=True,
    type=click.Choice(["department", "team", "role", "side", "cluster", "kind"]),
    default=("department",),
    show_default=True,
    help="Groups stored besides everyone (repeat for more).",
)
@click.option("--sensitivity", is_flag=True, help="Sobol indices at the end (--design sobol).")
@click.option(
    "--measure",
    default="adopters",
    show_default=True,
    help="Output of --sensitivity: adopters, trained, or state names (a,b).",
)
@click.option("--at", default="end", show_default=True, help="Date of that output, YYYY-MM-DD.")
def sweep(
    scenario: Path,
    params: tuple[str, ...],
    overrides: tuple[str, ...],
    design: str,
    points: int | None,
    n_runs: int,
    seed: int | None,
    store: Path,
    scheduler: str | None,
    workers: int | None,
    resume: bool,
    overwrite: bool,
    record_every: int | None,
    groupings: tuple[str, ...],
    sensitivity: bool,
    measure: str,
    at: str,
) -> None:
    """Simulate SCENARIO at every point of a design over the --param values.

    Every point is validated before any work starts. One task is one point with all its
    runs; workers write their points' counts (point, run, step, group, state) into the store,
    and a point is marked complete last, so --resume redoes only what is missing.
    """
    if scheduler is not None and workers is not None:
        fail("give --scheduler or --workers, not both")
    if resume and overwrite:
        fail("give --resume or --overwrite, not both")
    if sensitivity and design != "sobol":
        fail("--sensitivity needs --design sobol")
    _require("dask", "distributed", "xarray", "zarr", extra="dask,sweep")
    if sensitivity:
        _require("SALib", extra="sensitivity")
    with scenario_errors():
        _sweep(
            scenario,
            params,
            overrides,
            design,
            points,
            n_runs,
            seed,
            store,
            scheduler,
            2 if workers is None else workers,
            resume,
            overwrite,
            record_every,
            groupings,
        )
        if sensitivity:
            _sensitivity(store, measure, at, "all")


def _sweep(
    scenario: Path,
    params: tuple[str, ...],
    sets: tuple[str, ...],
    design: str,
    points: int | None,
    n_runs: int,
    seed: int | None,
    store: Path,
    scheduler: str | None,
    workers: int,
    resume: bool,
    overwrite: bool,
    record_every: int | None,
    groupings: tuple[str, ...],
) -> None:
    import numpy as np

    from diffusion.sweep import store as st
    from diffusion.sweep.execute import dask_client, run_dask, run_local
    from diffusion.sweep.plan import plan_sweep

    plan = plan_sweep(
        scenario,
        params,
        sets=sets,
        design=design,
        points=points,
        runs=n_runs,
        seed=seed,
        record_every=record_every,
        groupings=groupings,
        store=str(store.resolve()),  # workers elsewhere may start in another folder
        command=shlex.join(["diffusion", *sys.argv[1:]]),
    )
    n_points = len(plan.tasks)
    if design != "grid" and any(spec.count is not None for spec in plan.design.specs):
        click.echo(
            f"note: the {design} design uses a:b as bounds; --points sets the count", err=True
        )
    if store.exists() and not st.is_store(store):
        fail(f"{store}: exists and is not a sweep store; choose another --out")
    if st.is_store(store) and overwrite:
        st.remove_store(store)
    if st.is_store(store):
        if not resume:
            fail(f"{store}: a sweep store exists; give --resume to complete it or --overwrite")
        differ = st.mismatches(store, plan.attrs)
        if differ:
            fail(
                f"{store}: made by another sweep (differs in {', '.join(differ)}); "
                "use another --out"
            )
        done = st.completed(store)
    else:
        store.parent.mkdir(parents=True, exist_ok=True)
        offsets = np.array([t.run_offset for t in plan.tasks], dtype=np.int64)
        st.create_store(store, plan.layout, plan.params, offsets, plan.overrides, plan.attrs)
        done = np.zeros(n_points, dtype=bool)
    todo = [t for t in plan.tasks if not done[t.index]]
    where = "in this process" if workers == 0 else (scheduler or f"{workers} local workers")
    click.echo(
        f"sweep: {n_points} points x {n_runs} runs ({plan.design.kind}); "
        f"{len(todo)} to compute on {where}, {n_points - len(todo)} already done",
        err=True,
    )
    try:
        with progress(len(todo), f"sweeping {len(todo)} points") as advance:
            if todo and workers == 0:
                run_local(todo, advance)
            elif todo:
                with dask_client(scheduler, workers) as client:
                    run_dask(todo, client, advance)
    except KeyboardInterrupt:
        finished = int(st.completed(store).sum())
        click.echo(
            f"interrupted: {finished} of {n_points} points are in {store}; rerun with --resume",
            err=True,
        )
        sys.exit(130)
    _summarise(store)


def _summarise(store: Path) -> None:
    from diffusion.report import write_csv
    from diffusion.sweep import store as st

    ds = st.open_store(store)
    rows = st.summary_rows(ds, ds.attrs["measures"], tuple(ds.attrs["quantiles"]))
    write_csv(rows, store / "summary.csv")
    _print_summary(rows, ds)
    size = sum(f.stat().st_size for f in store.rglob("*") if f.is_file())
    click.echo(f"wrote {store}/ ({size / 1e6:.1f} MB) with summary.csv")


def _print_summary(rows: list[dict], ds) -> None:
    from rich.console import Console
    from rich.table import Table

    from diffusion.sweep.store import param_paths

    paths = param_paths(ds)
    q = [f"q{round(100 * x):02d}" for x in ds.attrs["quantiles"]]
    band = round(100 * (ds.attrs["quantiles"][1] - ds.attrs["quantiles"][0]))
    table = Table(title=f"at the end: mean [{band}% band] over {ds.sizes['run']} runs")
    table.add_column("point", justify="right")
    for path in paths:
        table.add_column(path.rsplit(".", 1)[-1], justify="right")
    measures = list(ds.attrs["measures"])
    for m in measures:
        table.add_column(m, justify="right")
    shown = rows if len(rows) <= 20 else rows[:20]
    for row in shown:
        cells = [f"{row[p]:.4g}" if isinstance(row[p], float) else str(row[p]) for p in paths]
        bands = []
        for m in measures:
            low, high = row[f"{m}_end_{q[0]}"], row[f"{m}_end_{q[1]}"]
            bands.append(f"{row[f'{m}_end_mean']:.1f} [{low:.0f}, {high:.0f}]")
        table.add_row(str(row["point"]), *cells, *bands)
    if len(rows) > len(shown):
        table.caption = f"first 20 of {len(rows)} points; all in summary.csv"
    Console(width=120).print(table)


def _sensitivity(store: Path, measure: str, at: str, group: str) -> None:
    import numpy as np
    from rich.console import Console
    from rich.table import Table

    from diffusion.report import write_csv
    from diffusion.sweep import store as st
    from diffusion.sweep.sensitivity import ADVISED_RUNS, analyze_store

    ds = st.open_store(store)
    if not bool(np.all(ds["completed"].values)):
        fail(f"{store}: not every point is done; complete it with --resume first")
    n_runs = ds.sizes["run"]
    if n_runs < ADVISED_RUNS:
        click.echo(
            f"warning: {n_runs} runs per point; >= {ADVISED_RUNS} are advised, or Monte Carlo "
            "noise inflates the indices (compare each with the dummy's)",
            err=True,
        )
    y = st.output_values(ds, _measure(measure, ds.attrs["measures"]), at, group)
    si = analyze_store(ds, y)
    rows = si.rows()
    write_csv(rows, store / "sensitivity.csv")
    level = round(100 * si.conf_level)
    table = Table(
        title=f"Sobol indices of {measure} ({group}) at {at}: N = {si.n_base}, {n_runs} runs "
        f"a point, [{level}% interval]"
    )
    for name in ("parameter", "first order S1", "total ST", "above noise"):
        table.add_column(name, justify="left" if name == "parameter" else "right")
    for row in rows:
        table.add_row(
            str(row["parameter"]),
            f"{row['S1']:.3f} ± {row['S1_conf']:.3f}",
            f"{row['ST']:.3f} ± {row['ST_conf']:.3f}",
            {True: "yes", False: "no", "": "(floor)"}[row["above_noise"]],
        )
    table.caption = f"noise floor (dummy ST + interval): {si.noise_floor:.3f}"
    Console(width=120).print(table)
    click.echo(f"wrote {store}/sensitivity.csv")


@click.command("sensitivity")
@click.argument("store", type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.option(
    "--measure",
    default="adopters",
    show_default=True,
    help="Output: adopters, trained, or state names (a,b).",
)
@click.option("--at", default="end", show_default=True, help="Date of the output, YYYY-MM-DD.")
@click.option(
    "--group", default="all", show_default=True, help="all, or GROUPING:LABEL (department:O)."
)
def sensitivity(store: Path, measure: str, at: str, group: str) -> None:
    """Sobol indices (first order and total) of a finished sobol sweep STORE, with a dummy
    input as the noise floor; writes STORE/sensitivity.csv."""
    _require("xarray", "zarr", extra="sweep")
    _require("SALib", extra="sensitivity")
    with scenario_errors():
        _sensitivity(store, measure, at, group)
