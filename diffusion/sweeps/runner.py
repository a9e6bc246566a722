"""A whole sweep: plan it, create or resume its store, run the missing points, summarise.

:func:`run_sweep` is what ``diffusion sweep`` and ``diffusion sensitivity`` do, as a
function: every point is validated before the store is touched; an existing store is
completed only when asked (``resume``) and only if the same sweep made it, or replaced only
when asked (``overwrite``); the points run where the :class:`~diffusion.executors.Executor`
says; ``summary.csv`` is written into the store at the end, and also when interrupted.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from diffusion.errors import InputError
from diffusion.executors import Executor
from diffusion.sweeps import store as st
from diffusion.sweeps.execute import PointTask, run_tasks
from diffusion.sweeps.plan import SweepPlan, plan_sweep

#: the optional packages a sweep needs, by the extra that installs them
NEEDS: tuple[str, ...] = ("xarray", "zarr", "dask")


@dataclass(frozen=True)
class Sweep:
    """A sweep's store and plan.

    Attributes
    ----------
    store : Path
        The zarr store (with ``summary.csv``).
    plan : SweepPlan
        The design, the points and the store's layout.
    computed : int
        Points computed by this call (the others were in the store already).
    """

    store: Path
    plan: SweepPlan
    computed: int

    def to_xarray(self) -> Any:
        """Return the store as an :class:`xarray.Dataset` (:mod:`diffusion.sweeps.store`).

        ``mean`` and ``band`` have dims ``(point, measure, date, group[, quantile])``, the
        per-run key outcomes ``(point, run, outcome)`` and, with ``keep_runs``, ``counts``
        ``(point, run, date, group, state)``, as :meth:`Results.to_xarray
        <diffusion.results.Results.to_xarray>` with ``point`` in front; the swept parameters
        are coordinates on ``point``.
        """
        return st.open_store(self.store)

    def to_pandas(self) -> Any:
        """Return the key outcomes as a tidy :class:`pandas.DataFrame`.

        One row per finished point and outcome: ``point``, each swept parameter by its
        path, ``outcome``, ``mean`` and the band over the point's runs (``q05``, ``q95``);
        ``summary.csv`` holds the same with a point's outcomes side by side.
        """
        import pandas as pd

        return pd.DataFrame(st.outcome_rows(st.open_store(self.store)))


def require(*modules: str, extra: str) -> None:
    """Raise InputError naming the extra to install when a module is missing."""
    import importlib.util

    missing = [m for m in modules if importlib.util.find_spec(m) is None]
    if missing:
        raise InputError(
            "", "", f"this needs {', '.join(missing)}: pip install 'diffusion[{extra}]'"
        )


@dataclass(frozen=True)
class SweepJob:
    """A planned sweep whose store is ready: what :func:`execute_sweep` computes.

    Attributes
    ----------
    store : Path
    plan : SweepPlan
    todo : tuple of PointTask
        The points not in the store yet.
    executor : Executor
    """

    store: Path
    plan: SweepPlan
    todo: tuple[PointTask, ...]
    executor: Executor

    def describe(self) -> str:
        """Say what will be computed where, in one line."""
        n_points, where = len(self.plan.tasks), self.executor.describe()
        where = where if where == "in this process" else f"on {where}"
        return (
            f"sweep: {n_points} points x {self.plan.layout.n_runs} runs "
            f"({self.plan.design.kind}); {len(self.todo)} to compute {where}, "
            f"{n_points - len(self.todo)} already done"
        )


def prepare_sweep(
    scenario: str | os.PathLike[str],
    params: Sequence[str],
    sets: Sequence[str] = (),
    *,
    store: str | os.PathLike[str],
    design: str = "grid",
    points: int | None = None,
    runs: int = 100,
    seed: int | None = None,
    executor: Executor | None = None,
    resume: bool = False,
    overwrite: bool = False,
    record_every: int | None = None,
    groupings: Sequence[str] = ("department",),
    keep_runs: bool = False,
    check: Callable[[SweepPlan], None] | None = None,
    command: str = "",
) -> SweepJob:
    """Plan a sweep and create (or check, to resume) its store; nothing is simulated.

    The parameters are those of :func:`run_sweep`.
    """
    if resume and overwrite:
        raise InputError("", "", "give --resume or --overwrite, not both")
    executor = executor or Executor()
    require(*NEEDS, *(() if executor.in_process else ("distributed",)), extra="dask,sweep")
    path = Path(store)
    plan = plan_sweep(
        scenario,
        params,
        sets=sets,
        design=design,
        points=points,
        runs=runs,
        seed=seed,
        record_every=record_every,
        groupings=groupings,
        keep_runs=keep_runs,
        store=str(path.resolve()),  # workers elsewhere may start in another folder
        command=command,
    )
    if check is not None:
        check(plan)
    if executor.scheduler is not None:
        # reach the scheduler before the store is made: an address that answers nothing
        # leaves nothing behind (InputError "cannot reach ...")
        with executor.client():
            pass
    todo = _prepare(plan, path, resume=resume, overwrite=overwrite)
    return SweepJob(path, plan, tuple(todo), executor)


def execute_sweep(job: SweepJob, progress: Callable[[int], None] | None = None) -> Sweep:
    """Compute the job's missing points and write ``summary.csv`` (also when interrupted)."""
    try:
        if job.todo:
            run_tasks(job.todo, job.executor, progress)
    finally:
        write_summary(job.store)
    return Sweep(job.store, job.plan, len(job.todo))


def run_sweep(
    scenario: str | os.PathLike[str],
    params: Sequence[str],
    sets: Sequence[str] = (),
    *,
    store: str | os.PathLike[str],
    design: str = "grid",
    points: int | None = None,
    runs: int = 100,
    seed: int | None = None,
    executor: Executor | None = None,
    resume: bool = False,
    overwrite: bool = False,
    record_every: int | None = None,
    groupings: Sequence[str] = ("department",),
    keep_runs: bool = False,
    check: Callable[[SweepPlan], None] | None = None,
    command: str = "",
    progress: Callable[[int], None] | None = None,
) -> Sweep:
    """Plan a sweep, create (or resume) its store, run the missing points, write the summary.

    Parameters
    ----------
    scenario : path
        The scenario file.
    params, sets : sequence of str
        ``PATH=SPEC`` swept values and fixed ``PATH=VALUE`` overrides
        (:func:`~diffusion.sweeps.plan.plan_sweep`).
    store : path
        The zarr store (a folder).
    design, points, runs, seed, record_every, groupings, keep_runs
        As :func:`~diffusion.sweeps.plan.plan_sweep`.
    executor : Executor, optional
        Where the points run (default: in this process).
    resume : bool
        Complete an existing store of the same sweep.
    overwrite : bool
        Replace an existing store.
    check : callable, optional
        Called with the plan before the store is touched (a caller's own checks).
    command : str
        The command line, recorded in the store.
    progress : callable, optional
        Called with 1 for every point done.

    Returns
    -------
    Sweep

    Raises
    ------
    ScenarioError
        The problems of the scenario or of any point, before any work.
    InputError
        A store that is not a sweep's, made by another sweep, or existing without
        ``resume`` or ``overwrite``; both asked; a missing optional package.
    KeyboardInterrupt
        Re-raised after writing the summary of the points done (``resume`` completes them).
    """
    job = prepare_sweep(
        scenario,
        params,
        sets,
        store=store,
        design=design,
        points=points,
        runs=runs,
        seed=seed,
        executor=executor,
        resume=resume,
        overwrite=overwrite,
        record_every=record_every,
        groupings=groupings,
        keep_runs=keep_runs,
        check=check,
        command=command,
    )
    return execute_sweep(job, progress)


def _prepare(plan: SweepPlan, path: Path, *, resume: bool, overwrite: bool) -> list[Any]:
    """Create the store, or check the one there; the tasks of the points not done."""
    if path.exists() and not st.is_store(path):
        raise InputError(path, "", "exists and is not a sweep store; choose another --out")
    if st.is_store(path) and overwrite:
        st.remove_store(path)
    if st.is_store(path):
        if not resume:
            raise InputError(
                path, "", "a sweep store exists; give --resume to complete it or --overwrite"
            )
        differ = st.mismatches(path, plan.attrs)
        if differ:
            raise InputError(
                path,
                "",
                f"made by another sweep (differs in {', '.join(differ)}); use another --out",
            )
        done = st.completed(path)
    else:
        path.parent.mkdir(parents=True, exist_ok=True)
        offsets = np.array([t.run_offset for t in plan.tasks], dtype=np.int64)
        st.create_store(path, plan.layout, plan.params, offsets, plan.overrides, plan.attrs)
        done = np.zeros(len(plan.tasks), dtype=bool)
    return [t for t in plan.tasks if not done[t.index]]


def write_summary(path: Path) -> list[dict[str, object]]:
    """Write ``summary.csv`` into the store (finished points only); return its rows."""
    from diffusion.tables import write_csv

    if not st.is_store(path):
        return []
    rows = st.summary_rows(st.open_store(path))
    if rows:
        write_csv(rows, path / "summary.csv")
    return rows
