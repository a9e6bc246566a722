"""From the command's inputs to the validated points of a sweep, before any work starts.

:func:`plan_sweep` parses the ``--param`` specs, loads the scenario with its ``--set``
overrides, builds the design, and loads and validates every point as if its values had been
written in the file. All problems are raised together, one line each, so a sweep never
starts with a point that would fail.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from os import PathLike
from typing import Any

from diffusion.scenario.load import LoadedScenario, load_scenario
from diffusion.scenario.overrides import SET_FILE
from diffusion.scenario.problems import Problem, ScenarioError
from diffusion.sweeps.design import Design, design_size, make_design
from diffusion.sweeps.execute import PointTask, run_offsets
from diffusion.sweeps.spec import PARAM_FILE, parse_params, toml_value, typed_like
from diffusion.sweeps.store import (
    WORKING,
    Layout,
    Reduction,
    count_dtype,
    group_names,
    outcome_names,
    simulated_groupings,
)

#: scenario keys a sweep sets itself for every point
NOT_SWEPT = {"seed": "--seed", "runs": "--runs"}
#: memory a planned point holds until the sweep ends (its validated scenario and task):
#: measured at about 25 KB a point (tracemalloc, 200 points of the baseline), doubled
PLAN_BYTES_PER_POINT = 64 << 10
#: problems listed before the rest are summed up in one line
MAX_PROBLEMS = 30


@dataclass(frozen=True)
class SweepPlan:
    """A validated sweep: its design, its points as tasks, its store's layout and provenance.

    Attributes
    ----------
    base : LoadedScenario
        The scenario with the ``--set`` overrides, without the swept values.
    design : Design
    tasks : tuple of PointTask
        One per point, in point order.
    overrides : tuple of str
        Each point's swept values as ``--set`` text (``"a.b=0.1 c.d=2"``).
    layout : Layout
        The shape of every point's arrays, and what the workers keep of the runs.
    attrs : dict
        The store's provenance attributes.
    """

    base: LoadedScenario
    design: Design
    tasks: tuple[PointTask, ...]
    overrides: tuple[str, ...]
    layout: Layout
    attrs: dict[str, Any]

    @property
    def params(self) -> dict[str, list[Any]]:
        """Each swept path's values over the points."""
        return {path: self.design.column(i) for i, path in enumerate(self.design.paths)}


def _check_size(n_points: int, runs: int, design: str) -> None:
    """Refuse, before any point is made, a sweep whose plan would not fit in memory.

    Every point is loaded and validated up front and held until the sweep ends; a range
    with a million values would otherwise take hours of planning before anything is said.
    """
    from diffusion.budget import check

    option = "--param" if design == "grid" else "--points"
    check(
        n_points * PLAN_BYTES_PER_POINT,
        f"a sweep of {n_points} points x {runs} runs",
        [f"fewer points (fewer values in each {option})", "or split it into several sweeps"],
        place=option,
    )


def plan_sweep(
    scenario: str | PathLike[str],
    params: Sequence[str],
    *,
    sets: Sequence[str] = (),
    design: str = "grid",
    points: int | None = None,
    runs: int = 100,
    seed: int | None = None,
    record_every: int | None = None,
    groupings: Sequence[str] = ("department",),
    keep_runs: bool = False,
    store: str = "",
    command: str = "",
) -> SweepPlan:
    """Parse, build and validate a sweep.

    Parameters
    ----------
    scenario : path
        The scenario file.
    params : sequence of str
        ``PATH=SPEC`` for each swept value (:mod:`diffusion.sweeps.spec`).
    sets : sequence of str
        Fixed ``--set`` overrides applied to every point (before the swept values).
    design : {"grid", "lhs", "sobol"}
    points : int, optional
        ``lhs``: points; ``sobol``: base samples (a power of 2).
    runs : int
        Runs per point.
    seed : int, optional
        Root seed of every point (default: the scenario's ``seed``).
    record_every : int, optional
        Weeks between recorded counts (default: the scenario's ``outputs.record_every``).
    groupings : sequence of str
        Groupings whose groups are stored besides everyone.
    keep_runs : bool
        Store every run's counts too, not only the bands and the per-run key outcomes.
    store, command : str
        Recorded in the provenance.

    Raises
    ------
    ScenarioError
        Every problem with the specs, the scenario and each point, one line each.
    """
    from diffusion import __version__
    from diffusion.comparison import Settings, measures_for
    from diffusion.scenario.build import build_study, calendar_of, report_dates

    problems: list[Problem] = []
    specs = []
    try:
        specs = parse_params(params)
    except ScenarioError as exc:
        problems += exc.problems
    for spec in specs:
        if spec.path in NOT_SWEPT:
            option = NOT_SWEPT[spec.path]
            problems.append(Problem(PARAM_FILE, spec.path, f"the sweep sets this ({option})"))
    try:
        base = load_scenario(scenario, sets)
    except ScenarioError as exc:
        raise ScenarioError([*problems, *exc.problems]) from None
    if problems:
        raise ScenarioError(problems)
    specs = typed_like(specs, base.resolved())
    seed = base.scenario.seed if seed is None else seed
    record_every = base.scenario.outputs.record_every if record_every is None else record_every
    _check_size(design_size(design, specs, points), runs, design)
    the_design = make_design(design, specs, points, seed)

    overrides = [
        [f"{path}={toml_value(v)}" for path, v in zip(the_design.paths, row, strict=True)]
        for row in the_design.values
    ]
    loaded = _load_points(scenario, sets, overrides, the_design.paths)
    calendar = calendar_of(base.scenario.calendar)
    _check_alike(base, loaded, the_design.paths)

    offsets = run_offsets(the_design.run_block, runs)
    groupings = tuple(groupings)
    outputs = base.scenario.outputs
    study = build_study(loaded[0].scenario, groupings=simulated_groupings(groupings))
    model = study.model
    measures = dict(measures_for(model.state_names, model.adopted_states))
    if tuple(model.adopted_states) not in measures.values():
        measures[WORKING] = tuple(model.adopted_states)
    dates = sorted({*report_dates(base.scenario, calendar), calendar.date_of(calendar.n_steps)})
    low, high = outputs.quantiles
    reduction = Reduction(
        groupings=groupings,
        measures=measures,
        quantiles=(low, 0.5, high),
        settings=Settings(
            measures=measures,
            adopted=tuple(model.adopted_states),
            dates=tuple(dates),
            pass_share=outputs.pass_share,
            reach_shares=tuple(outputs.reach_shares),
        ),
        calendar=calendar,
        keep_runs=keep_runs,
        dtype=count_dtype(study.org.n_nodes),
    )
    probe = study.simulate(1, seed, record_every=record_every)
    count_outcomes, value_outcomes = outcome_names(probe, reduction)
    layout = Layout(
        steps=probe.steps,
        dates=calendar.dates_of(probe.steps),
        groups=group_names(probe, groupings),
        states=probe.state_names,
        n_runs=runs,
        count_outcomes=count_outcomes,
        value_outcomes=value_outcomes,
        reduction=reduction,
    )
    tasks = tuple(
        PointTask(p, one.scenario, runs, seed, int(offsets[p]), record_every, reduction, store)
        for p, one in enumerate(loaded)
    )
    attrs = {
        "scenario": base.resolved(),
        "scenario_file": str(scenario),
        "sets": list(sets),
        "params": [s.text for s in specs],
        "paths": list(the_design.paths),
        "design": the_design.kind,
        "points": points,
        "n_base": the_design.n_base,
        "runs": runs,
        "seed": seed,
        "record_every": record_every,
        "groupings": list(groupings),
        "keep_runs": keep_runs,
        "calendar_start": calendar.start.isoformat(),
        "calendar_end": calendar.end.isoformat(),
        "quantiles": [low, high],
        "measures": {k: list(v) for k, v in measures.items()},
        "report_dates": [d.isoformat() for d in dates],
        "seeding": (
            f"every point uses root seed {seed}; point p holds runs run_offset[p] + 0..{runs - 1}"
            " (grid, lhs: run_offset 0 for all, common random numbers; sobol: the dummy input"
            " picks the block of runs)"
        ),
        "version": __version__,
        "command": command,
        "created": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    return SweepPlan(base, the_design, tasks, tuple(" ".join(o) for o in overrides), layout, attrs)


def _load_points(
    scenario: str | PathLike[str],
    sets: Sequence[str],
    overrides: Sequence[Sequence[str]],
    paths: Sequence[str],
) -> list[LoadedScenario]:
    """Load and validate every point; raise all distinct problems at once."""
    loaded: list[LoadedScenario] = []
    problems: dict[str, Problem] = {}
    for point in overrides:
        try:
            loaded.append(load_scenario(scenario, [*sets, *point]))
        except ScenarioError as exc:
            for problem in exc.problems:
                problem = _as_param(problem, paths)
                problems.setdefault(str(problem), problem)
    if problems:
        found = list(problems.values())
        if len(found) > MAX_PROBLEMS:
            more = len(found) - MAX_PROBLEMS
            found = [
                *found[:MAX_PROBLEMS],
                Problem(PARAM_FILE, "", f"... and {more} more", None, False),
            ]
        raise ScenarioError(found)
    return loaded


def _as_param(problem: Problem, paths: Sequence[str]) -> Problem:
    """Return a problem with a swept value is reported against ``--param``, not ``--set``."""
    if problem.file == SET_FILE and any(_related(problem.path, p) for p in paths):
        return Problem(PARAM_FILE, problem.path, problem.message, problem.value, problem.show_value)
    return problem


def _related(a: str, b: str) -> bool:
    """Tell whether ``a`` and ``b`` are the same path, or one lies inside the other."""
    short, long = sorted((a, b), key=len)
    return long == short or long.startswith((f"{short}.", f"{short}["))


def _check_alike(
    base: LoadedScenario, loaded: Sequence[LoadedScenario], paths: Sequence[str]
) -> None:
    """Every point must have the base's calendar length and model (the store's shape)."""
    from diffusion.scenario.build import calendar_of

    n_steps = calendar_of(base.scenario.calendar).n_steps
    problems = []
    steps = {calendar_of(one.scenario.calendar).n_steps for one in loaded}
    if steps != {n_steps}:
        problems.append(
            Problem(
                PARAM_FILE,
                ", ".join(p for p in paths if p.startswith("calendar")) or "calendar",
                f"every point needs the same number of weeks (got {sorted(steps)}); "
                "sweep the calendar with separate sweeps",
                None,
                False,
            )
        )
    models = {one.scenario.model.name for one in loaded}
    if len(models) > 1:
        problems.append(
            Problem(PARAM_FILE, "model.name", "every point needs the same model", sorted(models))
        )
    if problems:
        raise ScenarioError(problems)


__all__ = ["SweepPlan", "plan_sweep"]
