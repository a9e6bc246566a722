"""Running the points of a sweep: one task is one point with all its runs.

A task (:class:`PointTask`) carries the point's validated scenario, so a worker needs no
scenario file; it builds the study, simulates the point's runs, reduces them to the point's
counts and writes them into the store itself (:func:`run_point`), returning only a few
numbers. The client tracks progress.

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
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from diffusion.executors import Executor
from diffusion.results import Results
from diffusion.scenario.schema import Scenario
from diffusion.sweeps.store import Reduction

Advance = Callable[[int], None]
#: times a point whose task raised is tried again (a point whose worker died is rescheduled
#: by the scheduler itself, up to its ``distributed.scheduler.allowed-failures``)
RETRIES = 2


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
    """Run the tasks in this process, one after another."""
    for task in tasks:
        run_point(task)
        if advance is not None:
            advance(1)


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
    keys = [f"sweep-point-{t.index}-{token}" for t in tasks]
    futures = client.map(run_point, list(tasks), key=keys, retries=RETRIES)
    try:
        for future in as_completed(futures):
            future.result()
            if advance is not None:
                advance(1)
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
