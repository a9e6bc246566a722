"""(sweep) A sweep of the Etten-Leur model on 1 and 2 local Dask workers: speed-up and the
overhead a task adds to its point's simulation.

A 10 x 10 grid (``p_adopt_per_week`` x ``leader_effect``) of the shipped baseline, each point
64 runs of the whole calendar (2015-2030, 835 weeks), so a task is about half a second of
simulation. The sweep runs on a :class:`~distributed.LocalCluster` of 1, then 2 worker
processes (one thread each), writing a fresh store each time; the cluster's start (and the
workers' first imports) is timed apart. Then a sample of the points is simulated in this
process alone (:func:`~diffusion.sweeps.execute.simulate_point`: no reduction, no writing,
no Dask) to compare with the same points' task times as the workers measured them.

Targets (issue 5): speed-up >= 1.7x on 2 cores; per-task overhead < 5% of the task time.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from benchmarks._common import ROOT, Table, fmt_ratio, fmt_s

BASELINE = ROOT / "scenarios" / "etten-leur-baseline.toml"
PARAMS = ("model.params.p_adopt_per_week=0.005:0.05:{n}", "model.params.leader_effect=0:0.9:{m}")
#: points simulated alone in this process for the overhead
SAMPLE = 10


def _sizes(quick: bool) -> tuple[int, int, int, tuple[str, ...]]:
    """``(n, m, runs, sets)``: an n x m grid of points of ``runs`` runs."""
    if quick:
        return 5, 4, 32, ("calendar.end=2020-01-06",)
    return 10, 10, 64, ()


def _warm() -> None:
    """Import on a worker what every task needs (a one-off cost, not a per-task one)."""
    import zarr  # noqa: F401

    import diffusion.scenario.build
    import diffusion.sweeps.execute  # noqa: F401


def _sweep(plan, store: Path, workers: int) -> dict[str, float]:
    """Run every point of ``plan`` into a fresh store on ``workers`` local worker processes."""
    from diffusion.executors import Executor
    from diffusion.sweeps import store as st
    from diffusion.sweeps.execute import run_dask

    offsets = np.array([t.run_offset for t in plan.tasks])
    st.create_store(store, plan.layout, plan.params, offsets, plan.overrides, plan.attrs)
    tasks = [t.__class__(**{**t.__dict__, "store": str(store)}) for t in plan.tasks]
    start = time.perf_counter()
    with Executor(workers).client() as client:
        client.wait_for_workers(workers)
        client.run(_warm)
        ready = time.perf_counter()
        run_dask(tasks, client)
        wall = time.perf_counter() - ready
    ds = st.open_store(store)
    assert ds["completed"].values.all()
    return {
        "start": ready - start,
        "wall": wall,
        "task_s": float(np.sum(ds["seconds"].values)),
        "cpu_s": float(np.sum(ds["cpu_seconds"].values)),
        "seconds": ds["seconds"].values,
    }


def bench_sweep(quick: bool = False, yardstick_s: float | None = None) -> list[Table]:
    """Wall time, speed-up, CPU time and per-task overhead of a sweep on 1 and 2 workers."""
    from diffusion.sweeps.execute import simulate_point
    from diffusion.sweeps.plan import plan_sweep

    n, m, runs, sets = _sizes(quick)
    params = [PARAMS[0].format(n=n), PARAMS[1].format(m=m)]
    plan = plan_sweep(BASELINE, params, sets=sets, runs=runs, seed=1, store="")
    n_points = len(plan.tasks)
    table = Table(
        f"(sweep) {n_points}-point sweep of the Etten-Leur model, {runs} runs a point, on "
        "local Dask workers",
        [
            "workers",
            "wall (s)",
            "speed-up",
            "sum of task times (s)",
            "sum of task CPU (s)",
            "mean task (s)",
            "cluster start (s)",
            "scheduling overhead / task",
        ],
    )
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        for workers in (1, 2):
            r = _sweep(plan, Path(tmp) / f"w{workers}.zarr", workers)
            results[workers] = r
            # what the cluster adds besides the tasks themselves: idle worker time per task
            idle = (r["wall"] * workers - r["task_s"]) / n_points
            table.add(
                workers,
                fmt_s(r["wall"]),
                fmt_ratio(results[1]["wall"] / r["wall"]),
                fmt_s(r["task_s"]),
                fmt_s(r["cpu_s"]),
                fmt_s(r["task_s"] / n_points),
                fmt_s(r["start"]),
                f"{1000 * idle:.0f} ms ({100 * idle / (r['task_s'] / n_points):.1f}%)",
            )
    sample = plan.tasks[:: max(1, n_points // SAMPLE)][:SAMPLE]
    pure = []
    for task in sample:
        start = time.perf_counter()
        simulate_point(task)
        pure.append(time.perf_counter() - start)
    in_task = [float(results[1]["seconds"][t.index]) for t in sample]
    overhead = statistics.fmean(in_task) / statistics.fmean(pure) - 1
    table.notes += [
        f"per-task overhead: the {len(sample)} sampled points took {fmt_s(statistics.fmean(pure))}"
        f" s each simulated alone in this process and {fmt_s(statistics.fmean(in_task))} s as "
        f"tasks on 1 worker (simulate + reduce + write, as the worker timed them): "
        f"{100 * overhead:+.1f}% (target < 5%)",
        f"speed-up on 2 workers: {results[1]['wall'] / results[2]['wall']:.2f}x (target >= "
        "1.7x on 2 cores); wall time excludes the cluster's start",
        "scheduling overhead: (wall x workers - sum of task times) / points, the time a worker "
        "was not running a task",
        "the machine is shared: compare the CPU column with the task times; CPU well below "
        "wall means the workers waited for a core",
    ]
    return [table]
