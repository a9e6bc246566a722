"""Evaluating a choice of people for the advised cohort by simulation.

The advised cohort is one more cohort in the scenario, at the cohort date, placed where a
scenario file's ``[[cohorts_add]]`` table puts it (after the scenario's own ``cohorts``
entries, before its cadence), so that the scenario file :mod:`~diffusion.advisor.write`
writes simulates exactly what was evaluated. A choice ``S`` fills it with ``include = S``
(``seats = len(S)``); the *base* fills the same number of seats by the scenario's own
nomination mechanism (the model's weighted draw, purpose ``"cohort:<name>"``). Every
evaluation uses the same seed and runs, so the random numbers are shared wherever the runs
agree (common random numbers) and differences between choices are paired.

The calendar is cut at the objective's last date: draws depend only on (seed, purpose,
run, step, node), so the runs up to that date are those of the whole calendar. The history
before the cohort's step is the same for every choice: it is simulated once per problem
(:attr:`Problem.history`, an engine snapshot) and every evaluation goes on from it, with the
results of the whole simulation (:func:`diffusion.engine.snapshot`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from diffusion.advisor.objectives import Objective, StateProbe
from diffusion.engine import Snapshot
from diffusion.errors import InputError
from diffusion.events import Cohort, PerRun
from diffusion.study import Study

if TYPE_CHECKING:
    from diffusion.scenario.schema import Scenario

#: groupings the objectives read (staff counts, departments)
GROUPINGS: tuple[str, ...] = ("department", "kind")
#: most choices simulated together (:func:`evaluate_many`)
MAX_CHOICES = 16
#: recorded counts of one simulation of several choices at most (bytes)
SIMULATION_BYTES = 256 << 20
#: runs of one simulation of several choices at most (choices x runs)
SIMULATION_RUNS = 2048
#: a set of people as sorted node positions
People = tuple[int, ...]
#: evaluate many sets (maybe in parallel): ``mapper(problem, sets) -> values (runs,) per set``
Mapper = Callable[["Problem", Sequence[People]], list[np.ndarray]]


def fresh_seed(seed: int) -> int:
    """Return the seed of the runs that report the gains, derived from the selection's seed.

    Derived with :class:`numpy.random.SeedSequence` (``spawn_key=(1,)``): fresh runs, so the
    reported gain of the chosen set is not inflated by having been chosen on the same runs.
    """
    return int(np.random.SeedSequence(seed, spawn_key=(1,)).generate_state(1)[0])


@dataclass(frozen=True)
class Problem:
    """Everything an evaluation needs; picklable, so Dask workers get it once.

    Attributes
    ----------
    study : Study
        The scenario with the advised cohort (by nomination) among its events, the calendar
        cut at the objective's last date.
    slot : int
        Index of the advised cohort in ``study.events``.
    at_step : int
        The cohort's step.
    seats : int
        Seats of the advised cohort.
    objective : Objective
    n_runs, seed : int
        Runs per evaluation and their root seed.
    cohort_name : str
        Name of the advised cohort (its random purpose when seats are nominated).
    """

    study: Study
    slot: int
    at_step: int
    seats: int
    objective: Objective
    n_runs: int
    seed: int
    cohort_name: str

    @functools.cached_property
    def history(self) -> Snapshot | None:
        """Every run at the start of the cohort's step, before its events.

        The history all choices share, simulated on first use (None when the cohort is at step 0).
        Sent to Dask workers with the problem once made.
        """
        if self.at_step < 1:
            return None
        return self.study.snapshot(self.n_runs, self.seed, self.at_step)

    def with_seed(self, seed: int) -> Problem:
        """Return the same problem on the runs of ``seed``."""
        return dataclasses.replace(self, seed=int(seed))

    def cohort(self, people: People | None) -> Cohort:
        """Return the advised cohort for ``people`` (None: nominated seats)."""
        base = self.study.events[self.slot]
        assert isinstance(base, Cohort)
        if people is None:
            return base
        return dataclasses.replace(base, seats=len(people), include=tuple(people))


def cohort_name(taken: Sequence[str]) -> str:
    """``"advice"``, or ``"advice-2"``...

    when a cohort of that name exists (names key the nomination's random numbers).
    """
    name, k = "advice", 2
    while name in taken:
        name, k = f"advice-{k}", k + 1
    return name


def make_problem(
    scenario: Scenario,
    at: dt.date,
    seats: int,
    objective: Objective,
    n_runs: int,
    seed: int,
) -> Problem:
    """Return the evaluation problem of a validated scenario.

    Parameters
    ----------
    scenario : diffusion.scenario.schema.Scenario
        Validated (with the cross-table checks).
    at : date
        Date of the advised cohort.
    seats : int
        Its seats.
    objective : Objective
    n_runs, seed : int

    Raises
    ------
    InputError
        A date outside the calendar, an objective date before the cohort, a model without
        the ideas model's states.
    """
    from diffusion.scenario.build import build_study
    from diffusion.scenario.schema import CalendarSection
    from diffusion.scenario.schema import Cohort as CohortSpec

    start = scenario.calendar.start
    end = build_study_end(scenario)
    if not start <= at <= end:
        raise InputError("", "--at", f"{at} is outside the calendar ({start} to {end})")
    last = objective.last_date
    if not at < last <= end:
        raise InputError(
            "", "--objective", f"its date {last} must be after --at ({at}) and by {end}"
        )
    if scenario.model.name != "ideas":
        raise InputError("", "model", "advise needs the ideas model (its states and cohorts)")
    taken = [c.name for _, c in scenario.all_cohorts(end)]
    name = cohort_name(taken)
    cohort = CohortSpec(name=name, date=at, seats=seats)
    cut = scenario.model_copy(
        update={
            "cohorts": (*scenario.cohorts, cohort),
            "calendar": CalendarSection(start=start, end=last),
        }
    )
    study = build_study(cut, groupings=GROUPINGS)
    slot = next(i for i, e in enumerate(study.events) if isinstance(e, Cohort) and e.name == name)
    return Problem(
        study=study,
        slot=slot,
        at_step=study.calendar.step_of(at),
        seats=seats,
        objective=objective,
        n_runs=n_runs,
        seed=seed,
        cohort_name=name,
    )


def build_study_end(scenario: Scenario) -> dt.date:
    """Return the last date of a scenario's calendar."""
    from diffusion.scenario.build import calendar_of

    return calendar_of(scenario.calendar).end


def simulate_choice(
    problem: Problem,
    people: People | None,
    *,
    look_at_cohort: bool = False,
    from_history: bool = True,
) -> tuple[np.ndarray, StateProbe | None]:
    """Simulate ``problem`` with ``people`` in the advised cohort (None: nominated).

    From the shared :attr:`Problem.history` unless ``from_history`` is False (then from
    step 0: the same values, at the cost of the history; ``benchmarks/`` compares the two).

    Returns
    -------
    values : float64 ``(runs,)``
        The objective in each run.
    probe : StateProbe or None
        With ``look_at_cohort``: what the runs looked like at the start of the cohort's
        step, before its events (people's states, isolated participants, ties).
    """
    values, probe = simulate_choices(
        problem, [people], look_at_cohort=look_at_cohort, from_history=from_history
    )
    return values[0], probe


def simulate_choices(
    problem: Problem,
    choices: Sequence[People | None],
    *,
    look_at_cohort: bool = False,
    from_history: bool = True,
) -> tuple[list[np.ndarray], StateProbe | None]:
    """Simulate several choices for the advised cohort as one simulation.

    Choice ``k``'s runs are the problem's runs (the same run ids, from the same history),
    its cohort given to them alone (:class:`~diffusion.events.PerRun`): the values are
    those of :func:`simulate_choice` for each choice alone (``tests/advise/test_batch.py``),
    at the cost of one simulation of ``len(choices) x n_runs`` runs.

    Returns
    -------
    values : list of float64 ``(runs,)``
        The objective in each run, per choice.
    probe : StateProbe or None
        With ``look_at_cohort``: the runs at the start of the cohort's step, over every
        choice's runs (the same history for each).
    """
    study, n, runs = problem.study, len(choices), problem.n_runs
    events = list(study.events)
    cohorts = tuple(problem.cohort(people) for people in choices)
    if n == 1:
        events[problem.slot] = cohorts[0]
    else:
        which = np.repeat(np.arange(n, dtype=np.int64), runs)
        events[problem.slot] = PerRun(problem.at_step, events=cohorts, which=which)
    before = StateProbe(problem.at_step) if look_at_cohort else None
    after = [StateProbe(s) for s in problem.objective.probe_steps(study.calendar)]
    events = ([before] if before else []) + events + after
    ids = np.tile(np.arange(runs, dtype=np.int64), n)
    history = problem.history if from_history else None
    results = dataclasses.replace(study, events=tuple(events)).simulate(
        n * runs,
        problem.seed,
        start=None if history is None else history.select(ids) if n > 1 else history,
        run_ids=None if history is not None or n == 1 else ids,
    )
    values = problem.objective.values(results, study.calendar, after)
    return [values[k * runs : (k + 1) * runs] for k in range(n)], before


def evaluate(problem: Problem, people: People | None) -> np.ndarray:
    """Return the objective in each run for ``people`` (None.

    Nominated), float64 ``(runs,)``; a module-level function, so Dask can send it to workers.
    """
    return simulate_choice(problem, people)[0]


def evaluate_many(problem: Problem, sets: Sequence[People | None]) -> list[np.ndarray]:
    """Return the objective in each run for each of ``sets``, as few simulations.

    The sets go in groups of :func:`choices_per_simulation`, each group one simulation
    (:func:`simulate_choices`); a module-level function, so Dask can send it to workers.
    """
    size = choices_per_simulation(problem)
    out: list[np.ndarray] = []
    for first in range(0, len(sets), size):
        out += simulate_choices(problem, sets[first : first + size])[0]
    return out


def choices_per_simulation(problem: Problem) -> int:
    """Return how many choices go into one simulation.

    As many as keep the simulation's recorded counts (every run's, every record) within
    :data:`SIMULATION_BYTES` and its runs within :data:`SIMULATION_RUNS`, at most
    :data:`MAX_CHOICES`: together, choices save an evaluation's fixed costs, which weigh
    where the runs are few (``benchmarks/bench_evaluation.py``, 16 choices against each alone
    from the history: 6.9x at 100 runs, 16 a simulation; 1.26x at 1,000 runs, two a
    simulation within :data:`SIMULATION_RUNS`).
    """
    history = problem.history
    records = len(range(0, problem.study.n_steps + 1))
    if history is not None and history.counts.shape[1]:
        per_run = history.counts[:, 0].nbytes + history.total[:, 0].nbytes
        per_run = per_run * records // max(history.counts.shape[0], 1)
    else:
        per_run = records * 64
    per_run += problem.study.org.n_nodes * 16  # state, first steps, snapshot copies
    fits = SIMULATION_BYTES // max(per_run * problem.n_runs, 1)
    return int(max(1, min(MAX_CHOICES, fits, SIMULATION_RUNS // problem.n_runs)))


class Evaluator:
    """Evaluates sets of people on one problem, each set once (a cache by set).

    Parameters
    ----------
    problem : Problem
    mapper : callable, optional
        ``mapper(problem, sets) -> [values (runs,)]``; default: one after another here.
    progress : callable, optional
        Called with 1 after each evaluation.
    """

    def __init__(
        self,
        problem: Problem,
        mapper: Callable[[Problem, Sequence[People]], list[np.ndarray]] | None = None,
        progress: Callable[[int], None] | None = None,
    ) -> None:
        self.problem = problem
        self._mapper = mapper or local_map
        self._progress = progress
        self.cache: dict[People, np.ndarray] = {}

    @property
    def n_evaluations(self) -> int:
        """Sets evaluated so far (each once, cached)."""
        return len(self.cache)

    def values(self, sets: Sequence[Sequence[int]]) -> list[np.ndarray]:
        """Return the objective per run for each set, ``(runs,)`` each (new sets simulated)."""
        keys = [tuple(sorted(int(i) for i in s)) for s in sets]
        new = list(dict.fromkeys(k for k in keys if k not in self.cache))
        if new:
            for key, values in zip(new, self._mapper(self.problem, new), strict=True):
                self.cache[key] = values
                if self._progress is not None:
                    self._progress(1)
        return [self.cache[k] for k in keys]

    def means(self, sets: Sequence[Sequence[int]]) -> list[float]:
        """Mean objective over runs for each set."""
        return [float(v.mean()) for v in self.values(sets)]


def local_map(problem: Problem, sets: Sequence[People]) -> list[np.ndarray]:
    """Evaluate the sets in this process, in groups of choices per simulation."""
    return evaluate_many(problem, sets)


def dask_map(client: Any) -> Callable[[Problem, Sequence[People]], list[np.ndarray]]:
    """Return a mapper that evaluates sets on the Dask cluster of ``client``.

    ``client`` comes from :meth:`diffusion.executors.Executor.client`; the problem is sent to
    each worker once.
    """
    sent: dict[int, tuple[Problem, Any]] = {}

    def run(problem: Problem, sets: Sequence[People]) -> list[np.ndarray]:
        key = id(problem)
        if key not in sent:
            sent.clear()
            sent[key] = (problem, client.scatter(problem, broadcast=True))
        future = sent[key][1]
        # one simulation of several choices a task, every worker busy
        workers = max(1, len(client.scheduler_info().get("workers", {})))
        size = min(choices_per_simulation(problem), -(-len(sets) // workers))
        groups = [list(sets[i : i + size]) for i in range(0, len(sets), size)]
        futures = client.map(evaluate_many, [future] * len(groups), groups, pure=False)
        return [values for group in client.gather(futures) for values in group]

    return run
