"""``diffusion advise``: who to send on a cohort, against nomination and simple strategies."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from diffusion.cli.common import (
    check_out,
    clean_errors,
    dask_options,
    date_option,
    fail,
    memory_option,
    output_folder,
    overwrite_option,
    progress,
)
from diffusion.cli.run import load
from diffusion.outputs import write_manifest

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
GUARANTEE = (
    "The ideas model's complex contagion is not submodular: the greedy has no guarantee "
    "of reaching the optimum (tests/advise measures it against exhaustive search)."
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
    if scheduler is not None and workers is not None:
        fail("give --scheduler or --workers, not both")
    check_out(out_dir, overwrite)
    from diffusion.advisor.advice import Request
    from diffusion.advisor.advice import advise as run_advice
    from diffusion.advisor.constraints import parse_quota
    from diffusion.advisor.evaluate import build_study_end
    from diffusion.advisor.objectives import parse_objective

    with clean_errors():
        loaded = load(scenario)
        sc = loaded.scenario
        goal = parse_objective(objective, build_study_end(sc), sc.outputs.pass_share)
        request = Request(
            at=at,
            seats=seats,
            objective=goal,
            n_runs=n_runs,
            seed=sc.seed if seed is None else seed,
            quotas=tuple(parse_quota(q) for q in quotas),
            required=required,
            excluded=excluded,
            n_candidates=n_candidates,
            method=method,
        )
        estimate = n_candidates + 8 + 4 * seats
        with _mapper(scheduler, workers) as mapper, progress(estimate, "advising") as advance:
            advice = run_advice(sc, request, mapper=mapper, progress=advance)
    _print(advice, fmt)
    with output_folder(out_dir, overwrite) as tmp:
        _write(advice, loaded, scenario, tmp, out_dir, scheduler, workers)
    click.echo(
        f"wrote {out_dir}/: advice.csv strategies.csv trace.csv gains.png advised.toml "
        "nominated.toml manifest.json",
        err=fmt != "table",
    )


@contextlib.contextmanager
def _mapper(scheduler: str | None, workers: int | None) -> Iterator[Any]:
    from diffusion.advisor.evaluate import dask_map
    from diffusion.executors import Executor

    with Executor.from_options(scheduler, workers, default_workers=0).client() as client:
        yield None if client is None else dask_map(client)


def _table_rows(advice: Advice) -> list[dict[str, object]]:
    return advice.table()


def _print(advice: Advice, fmt: str) -> None:
    rows = _table_rows(advice)
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


def _write(
    advice: Advice,
    loaded: Any,
    source: Path,
    tmp: Path,
    out_dir: Path,
    scheduler: str | None,
    workers: int | None,
) -> None:
    from diffusion.advisor.plot import plot_gains
    from diffusion.advisor.write import write_scenarios
    from diffusion.tables import write_csv

    req = advice.request
    write_csv(advice.people(), tmp / "advice.csv")
    write_csv(_table_rows(advice), tmp / "strategies.csv")
    ids = advice.problem.study.org.node_ids
    write_csv(
        [
            {
                "pick": k + 1,
                "id": ids[s.person],
                "value": s.value,
                "gain": s.gain,
                "evaluations": s.evaluations,
            }
            for k, s in enumerate(advice.greedy.steps)
        ],
        tmp / "trace.csv",
    )
    plot_gains(advice, tmp / "gains.png")
    header = [
        f"Written by diffusion advise: {req.seats} seats at {req.at}, objective "
        f"{req.objective.spec}.",
        f"diffusion compare nominated.toml advised.toml --date {req.objective.last_date} "
        "reproduces the reported gain.",
    ]
    write_scenarios(
        tmp,
        out_dir,
        source,
        loaded.scenario.name,
        advice.problem.cohort_name,
        req.at,
        advice.ids,
        req.n_runs,
        advice.report_seed,
        header,
    )
    write_manifest(
        tmp,
        {loaded.scenario.name: loaded},
        req.n_runs,
        req.seed,
        advise={
            "at": req.at.isoformat(),
            "seats": req.seats,
            "objective": req.objective.spec,
            "objective_name": req.objective.name,
            "quotas": [str(q) for q in req.quotas],
            "required": list(req.required),
            "excluded": list(req.excluded),
            "method": advice.greedy.method,
            "candidates": len(advice.pool),
            "evaluations": advice.evaluations,
            "selection_seed": req.seed,
            "selection_base_objective": advice.selection_base,
            "report_seed": advice.report_seed,
            "cohort_name": advice.problem.cohort_name,
            "recommended": list(advice.ids),
            "level": 0.9,
            "guarantee": GUARANTEE,
            "executor": scheduler or (f"{workers} local workers" if workers else "in process"),
            "seconds": advice.seconds,
        },
    )
