"""Running the points of a sweep: one task is one point with all its runs, or a group.

A group is points simulated as one batch (below).

A :class:`PointTask` carries the point's validated scenario, so a worker needs no scenario
file; it builds the study, simulates the point's runs, reduces them to the point's counts
and writes them into the store itself (:func:`run_point`, :func:`run_group`), returning only
a few numbers. The client tracks progress.

Executors
---------
:func:`run_dask`
    On a ``dask.distributed`` cluster: a :class:`~distributed.LocalCluster` of worker
    processes with one thread each, or an existing cluster by its scheduler's address (the
    client of a :class:`~diffusion.executors.Executor`). Workers must have ``diffusion``
    installed and reach the store (and any organisation files the scenario names) at the same
    paths: on several machines, a shared file system.
:func:`run_local`
    In this process, one point after another (no Dask).

Results do not depend on the executor or the number of workers: point ``p`` simulates runs
``run_offset[p] + 0 .. R-1`` of the sweep's root seed however it is scheduled, and run ``i``
depends only on ``(seed, i)`` (:func:`diffusion.engine.simulate`).

Points as one batch
-------------------
Points that differ only in model parameters the model takes per run
(:attr:`diffusion.models.base.Model.per_run_params`) are simulated together, up to
:data:`GROUP_RUNS` runs, as one engine call with those parameters per run
(:func:`diffusion.models.base.stack_models`) and each point's own run ids: a task is then a
group of points (:func:`point_groups`), and each point's runs are those it gives alone.
"""

from __future__ import annotations

import dataclasses
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from diffusion.calendar import DAYS_PER_STEP
from diffusion.engine import params_dict, simulate
from diffusion.executors import Executor
from diffusion.results import Results
from diffusion.scenario.schema import Scenario
from diffusion.study import Study
from diffusion.sweeps.store import Reduction

Advance = Callable[[int], None]
#: times a point whose task raised is tried again (a point whose worker died is rescheduled
#: by the scheduler itself, up to its ``distributed.scheduler.allowed-failures``)
RETRIES = 2
#: most runs simulated together by points that differ only in per-run parameters
GROUP_RUNS = 1024


@dataclass(frozen=True)
class PointTask:
    """One point of a sweep, ready to simulate.

    Attributes
    ----------
    index : int
        The point's index in the store.
    scenario : Scenario
        The validated scenario with the point's overrides applied.
    n_runs : int
        Runs of the point.
    seed : int
        The sweep's root seed (the same for every point).
    run_offset : int
        Global index of the point's first run.
    record_every : int
        Weeks between recorded counts.
    reduction : Reduction
        What the worker keeps of the runs (:func:`~diffusion.sweeps.store.reduce_point`).
    store : str
        Path of the store the worker writes into.
    """

    index: int
    scenario: Scenario
    n_runs: int
    seed: int
    run_offset: int
    record_every: int
    reduction: Reduction
    store: str


def simulate_point(task: PointTask, n_runs: int | None = None) -> Results:
    """Simulate a point's runs (or its first ``n_runs``) through its :class:`Study`."""
    from diffusion.scenario.build import build_study

    study = build_study(task.scenario, groupings=task.reduction.simulated_groupings)
    return study.simulate(
        task.n_runs if n_runs is None else n_runs,
        task.seed,
        run_offset=task.run_offset,
        record_every=task.record_every,
        threads=1,  # a sweep's parallelism is across points: one core per worker
    )


def point_groups(tasks: Sequence[PointTask], parts: int = 1) -> list[tuple[PointTask, ...]]:
    """Split the tasks into groups, each simulated as one batch (:func:`run_group`).

    Consecutive points join a group while they differ from its first only in model
    parameters the model takes per run and the group holds at most :data:`GROUP_RUNS` runs
    and ``len(tasks) / parts`` points (so ``parts`` workers all get work); any other point
    is a group of its own.
    """
    from diffusion.models.registry import MODELS

    if not tasks:
        return []
    cap = max(1, min(GROUP_RUNS // max(tasks[0].n_runs, 1), -(-len(tasks) // parts)))
    groups: list[list[PointTask]] = []
    for task in tasks:
        last = groups[-1] if groups else None
        if last is not None and len(last) < cap and _alike(last[0], task, MODELS):
            last.append(task)
        else:
            groups.append([task])
    return [tuple(g) for g in groups]


def _alike(first: PointTask, task: PointTask, models: dict[str, Any]) -> bool:
    """Whether ``task`` can be simulated in one batch with ``first``."""
    a, b = first.scenario, task.scenario
    same = (first.n_runs, first.seed, first.record_every, first.reduction, first.store) == (
        task.n_runs,
        task.seed,
        task.record_every,
        task.reduction,
        task.store,
    )
    if not same or a.model.name != b.model.name or a.model_copy(update={"model": b.model}) != b:
        return False
    per_run = models[a.model.name].per_run_params
    names = set(a.model.params) | set(b.model.params)
    return all(
        n in per_run for n in names if a.model.params.get(n, None) != b.model.params.get(n, None)
    )


def simulate_group(tasks: Sequence[PointTask]) -> list[Results]:
    """Simulate a group of points (:func:`point_groups`) as one batch.

    Returns each point's results, identical to :func:`simulate_point` of it alone.
    """
    from diffusion.models.base import stack_models
    from diffusion.scenario.build import build_study

    first = tasks[0]
    if len(tasks) == 1:
        return [simulate_point(first)]
    groupings = first.reduction.simulated_groupings
    studies = [build_study(t.scenario, groupings=groupings) for t in tasks]
    n = first.n_runs
    model = stack_models([s.model for s in studies], n)
    ids = np.concatenate([t.run_offset + np.arange(n, dtype=np.int64) for t in tasks])
    study = dataclasses.replace(studies[0], model=model)
    together = simulate(
        study.model,
        study.org,
        n_runs=n * len(tasks),
        n_steps=study.n_steps,
        seed=first.seed,
        events=study.events,
        groupings=study.groupings,
        record_every=first.record_every,
        threads=1,  # as simulate_point: one core per worker
        run_ids=ids,
    )
    return [
        _runs_of(together, slice(k * n, (k + 1) * n), alone, task)
        for k, (alone, task) in enumerate(zip(studies, tasks, strict=True))
    ]


def _runs_of(results: Results, part: slice, study: Study, task: PointTask) -> Results:
    """Take the runs ``part`` of ``results`` as the results of ``study`` simulated alone."""
    provenance = dict(results.provenance)
    provenance.update(
        params=params_dict(study.model.params),
        n_runs=task.n_runs,
        run_offset=task.run_offset,
        study=study.name,
        start_date=study.calendar.start.isoformat(),
        end_date=study.calendar.end.isoformat(),
        days_per_step=DAYS_PER_STEP,
    )
    return dataclasses.replace(
        results,
        counts={g: c[part] for g, c in results.counts.items()},
        total=results.total[part],
        first_step={m: f[part] for m, f in results.first_step.items()},
        run_ids=results.run_ids[part],
        provenance=provenance,
    )


def run_group(tasks: Sequence[PointTask]) -> list[tuple[int, float]]:
    """Simulate a group of points as one batch, reduce and write each (:func:`run_point`).

    Returns
    -------
    list of (int, float)
        Each point's index and its share of the group's wall seconds.
    """
    from diffusion.sweeps.store import reduce_point, write_point

    start, cpu = time.perf_counter(), time.thread_time()
    results = simulate_group(tasks)
    data = [reduce_point(r, t.reduction) for r, t in zip(results, tasks, strict=True)]
    seconds = (time.perf_counter() - start) / len(tasks)
    cpu_share = (time.thread_time() - cpu) / len(tasks)
    for task, one in zip(tasks, data, strict=True):
        write_point(task.store, task.index, one, seconds, cpu_share)
    return [(t.index, seconds) for t in tasks]


def run_point(task: PointTask) -> tuple[int, float]:
    """Simulate a point, reduce its runs, write them into the store, mark it done.

    A pure function of the task: run again (a retry, a worker lost after writing), it
    writes the same values.

    Returns
    -------
    (int, float)
        The point's index and the wall seconds it took (also stored, with its CPU seconds).
    """
    from diffusion.sweeps.store import reduce_point, write_point

    start, cpu = time.perf_counter(), time.thread_time()
    data = reduce_point(simulate_point(task), task.reduction)
    seconds = time.perf_counter() - start
    write_point(task.store, task.index, data, seconds, time.thread_time() - cpu)
    return task.index, time.perf_counter() - start


def run_local(tasks: Sequence[PointTask], advance: Advance | None = None) -> None:
    """Run the tasks in this process, one group (:func:`point_groups`) after another."""
    for group in point_groups(tasks):
        run_group(group)
        if advance is not None:
            advance(len(group))


def run_dask(tasks: Sequence[PointTask], client: Any, advance: Advance | None = None) -> None:
    """Run the tasks on the Dask cluster of ``client``; return when all are written.

    A point is lost neither when its worker dies (the scheduler gives the task to another
    worker) nor when its task raises once (it is tried :data:`RETRIES` more times); a point
    computed twice writes the same values (:func:`run_point`).

    Raises
    ------
    Exception
        A task's failure after its retries (the other tasks are cancelled; the points
        written so far stay in the store, for ``--resume``).
    """
    from distributed import as_completed

    token = uuid.uuid4().hex[:8]
    workers = max(1, len(client.scheduler_info().get("workers", {})))
    groups = point_groups(tasks, parts=4 * workers)
    keys = [f"sweep-point-{g[0].index}-{token}" for g in groups]
    futures = client.map(run_group, groups, key=keys, retries=RETRIES)
    try:
        for future in as_completed(futures):
            if advance is not None:
                advance(len(future.result()))
    except BaseException:
        client.cancel(futures)
        raise


def run_tasks(
    tasks: Sequence[PointTask], executor: Executor, advance: Advance | None = None
) -> None:
    """Run the tasks where ``executor`` says: here, one after another, or on Dask."""
    if executor.in_process:
        run_local(tasks, advance)
        return
    with executor.client() as client:
        run_dask(tasks, client, advance)


def run_offsets(run_block: np.ndarray, n_runs: int) -> np.ndarray:
    """Global index of each point's first run: its block times the runs per point."""
    return np.asarray(run_block, dtype=np.int64) * int(n_runs)
