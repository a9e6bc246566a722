"""``diffusion advise``: who to send on a cohort, against nomination and simple strategies."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from diffusion.advisor.write import GUARANTEE, write_advice
from diffusion.cli.common import (
    check_out,
    clean_errors,
    dask_options,
    date_option,
    memory_option,
    output_folder,
    overwrite_option,
    progress,
)
from diffusion.cli.run import load

if TYPE_CHECKING:
    from diffusion.advisor.advice import Advice

#: columns of strategies.csv
COLUMNS = (
    "choice",
    "description",
    "gain",
    "low",
    "high",
    "objective",
    "selection_objective",
    "people",
)


@click.command("advise")
@memory_option
@click.argument("scenario", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--at", "at", required=True, callback=date_option, help="Date of the cohort, YYYY-MM-DD."
)
@click.option("--seats", type=click.IntRange(min=1, max=50), required=True, help="Seats to fill.")
@click.option(
    "--quota",
    "quotas",
    multiple=True,
    metavar="GROUPING[:LABEL](<=|>=)N",
    help="A quota (repeatable): team<=2 (at most 2 from each team), side:hard>=1, "
    "role:policy_officer>=1, department:S<=3.",
)
@click.option(
    "--exclude", "excluded", multiple=True, metavar="ID[,ID...]", help="People not to send."
)
@click.option("--include", "required", multiple=True, metavar="ID[,ID...]", help="People to send.")
@click.option(
    "--objective",
    default="adopters",
    show_default=True,
    help="[WEIGHT*]KIND[@DATE][:SHARE] terms joined by +; KIND: adopters, working (trained + "
    "adopters), departments (passing SHARE, default the scenario's pass_share), isolated "
    "(participants without like-minded colleagues, minimised). DATE defaults to the "
    "calendar's end.",
)
@click.option(
    "--runs",
    "n_runs",
    type=click.IntRange(min=2),
    default=500,
    show_default=True,
    help="Monte Carlo runs per evaluation.",
)
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    default=None,
    help="Seed of the selection runs (default: the scenario's).",
)
@click.option(
    "--candidates",
    "n_candidates",
    type=click.IntRange(min=1),
    default=30,
    show_default=True,
    help="Candidates kept by the cheap scores for the greedy.",
)
@click.option(
    "--method",
    type=click.Choice(["celf", "greedy"]),
    default="celf",
    show_default=True,
    help="Greedy with lazy re-evaluation, or the plain greedy.",
)
@dask_options(default_workers=0)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json"]),
    default="table",
    show_default=True,
    help="How to print the comparison.",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),  # checked by diffusion.outputs: one line, exit 2
    default=Path("out/advise"),
    show_default=True,
    help="Folder for advice.csv, strategies.csv, gains.png, advised.toml, "
    "nominated.toml, trace.csv and manifest.json.",
)
@overwrite_option
def advise(
    scenario: Path,
    at: dt.date,
    seats: int,
    quotas: tuple[str, ...],
    excluded: tuple[str, ...],
    required: tuple[str, ...],
    objective: str,
    n_runs: int,
    seed: int | None,
    n_candidates: int,
    method: str,
    scheduler: str | None,
    workers: int | None,
    fmt: str,
    out_dir: Path,
    overwrite: bool,
) -> None:
    """Recommend SEATS people for the cohort at --at in SCENARIO.

    Each choice is simulated as one more cohort at --at and compared, run by run with the
    same random numbers, with the same seats filled by the scenario's own nomination. The
    recommendation is chosen greedily with lazy re-evaluation (CELF) among the candidates
    best by cheap scores; its gain and the simple strategies' (random, highest degree,
    team leaders first, the largest cluster of trained people, one per department, a buddy
    for each isolated participant) are reported with 90% intervals on fresh runs. Writes
    advised.toml and nominated.toml: run `diffusion compare nominated.toml advised.toml
    --date DATE` to see the gain again.
    """
    import diffusion
    from diffusion.executors import Executor

    check_out(out_dir, overwrite)
    with clean_errors():
        executor = Executor.from_options(scheduler, workers, default_workers=0)
        loaded = load(scenario)
        estimate = n_candidates + 8 + 4 * seats
        with progress(estimate, "advising") as advance:
            advice = diffusion.advise(
                loaded,
                at,
                seats,
                objective=objective,
                runs=n_runs,
                seed=seed,
                quotas=quotas,
                required=required,
                excluded=excluded,
                candidates=n_candidates,
                method=method,
                executor=executor,
                progress=advance,
            )
    _print(advice, fmt)
    with output_folder(out_dir, overwrite) as tmp:
        names = write_advice(advice, loaded, scenario, tmp, out_dir, executor.describe())
    click.echo(f"wrote {out_dir}/: {' '.join(names)}", err=fmt != "table")


def _print(advice: Advice, fmt: str) -> None:
    rows = advice.table()
    if fmt == "json":
        click.echo(json.dumps({"recommended": advice.people(), "comparison": rows}, indent=2))
        return
    if fmt == "csv":
        import csv
        import sys

        writer = csv.DictWriter(sys.stdout, fieldnames=list(COLUMNS), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return
    from rich.console import Console
    from rich.table import Table

    req = advice.request
    console = Console(width=140, highlight=False)
    people = Table(
        title=f"Recommended for the cohort of {req.at} ({req.seats} seats)", title_justify="left"
    )
    for column in ("pick", "id", "team", "department", "role", "side", "P(free)", "marginal gain"):
        people.add_column(column, justify="left" if column in ("id", "role") else "right")
    for p in advice.people():
        people.add_row(
            str(p["pick"] or "required"),
            str(p["id"]),
            str(p["team"]),
            str(p["department"]),
            str(p["role"]),
            str(p["side"]),
            f"{p['p_free']:.2f}",
            f"{p['marginal_gain']:+.2f}",
        )
    console.print(people)
    table = Table(
        title=f"Gain over nomination in {req.objective.name}: mean [90% interval], "
        f"{req.n_runs} paired fresh runs (seed {advice.report_seed})",
        title_justify="left",
    )
    for column in ("choice", "gain", "objective", "people"):
        table.add_column(column, justify="right" if column in ("gain", "objective") else "left")
    for r in rows:
        interval = f" [{r['low']:+.2f}, {r['high']:+.2f}]" if r["low"] != "" else ""
        table.add_row(
            str(r["description"]),
            f"{r['gain']:+.2f}{interval}",
            f"{r['objective']:.2f}",
            str(r["people"]),
        )
    console.print(table)
    console.print(
        f"{advice.greedy.method}: {advice.greedy.evaluations} evaluations among "
        f"{len(advice.pool)} candidates (of {advice.situation.candidates.size}). {GUARANTEE}"
    )
