"""A whole sweep: plan it, create or resume its store, run the missing points, summarise.

:func:`prepare_sweep` and :func:`execute_sweep` of a :class:`SweepRequest` are what
:func:`diffusion.sweep`, :func:`diffusion.sensitivity` and their commands do: every point is
validated before the store is touched; an existing store is
completed only when asked (``resume``) and only if the same sweep made it, or replaced only
when asked (``overwrite``); the points run where the :class:`~diffusion.executors.Executor`
says; ``summary.csv`` is written into the store at the end, and also when interrupted.
"""

from __future__ import annotations

import os
from collections.abc import Callable
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
class SweepRequest:
    """What to sweep, into which store, and where: the arguments of :func:`diffusion.sweep`.

    The attributes are its parameters of the same names (``sets`` its ``overrides``), as
    tuples where it takes sequences, and ``command``, the command line for the store's
    provenance.
    """

    scenario: str | os.PathLike[str]
    params: tuple[str, ...]
    store: str | os.PathLike[str]
    sets: tuple[str, ...] = ()
    design: str = "grid"
    points: int | None = None
    runs: int = 100
    seed: int | None = None
    executor: Executor | None = None
    resume: bool = False
    overwrite: bool = False
    record_every: int | None = None
    groupings: tuple[str, ...] = ("department",)
    keep_runs: bool = False
    command: str = ""


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
    request: SweepRequest, check: Callable[[SweepPlan], None] | None = None
) -> SweepJob:
    """Plan a sweep and create (or check, to resume) its store; nothing is simulated.

    Every point is loaded and validated first; ``check`` may refuse the plan (raising)
    before anything is created. :func:`execute_sweep` then computes the missing points.

    Raises
    ------
    ScenarioError
        The problems of the scenario or of any point.
    InputError
        A store that is not a sweep's, made by another sweep, or existing without
        ``resume`` or ``overwrite``; both asked; a missing optional package; a scheduler
        that does not answer.
    """
    r = request
    resume, overwrite = r.resume, r.overwrite
    if resume and overwrite:
        raise InputError("", "", "give --resume or --overwrite, not both")
    executor = r.executor or Executor()
    require(*NEEDS, *(() if executor.in_process else ("distributed",)), extra="dask,sweep")
    path = Path(r.store)
    plan = plan_sweep(
        r.scenario,
        r.params,
        sets=r.sets,
        design=r.design,
        points=r.points,
        runs=r.runs,
        seed=r.seed,
        record_every=r.record_every,
        groupings=r.groupings,
        keep_runs=r.keep_runs,
        store=str(path.resolve()),  # workers elsewhere may start in another folder
        command=r.command,
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


def _prepare(plan: SweepPlan, path: Path, *, resume: bool, overwrite: bool) -> list[Any]:
    """Create the store, or check the one there; the tasks of the points not done.

    An empty folder takes the store, as ``run --out`` writes into one.
    """
    if path.exists() and not st.is_store(path) and not _empty_folder(path):
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


def _empty_folder(path: Path) -> bool:
    return path.is_dir() and not path.is_symlink() and not any(path.iterdir())


def write_summary(path: Path) -> list[dict[str, object]]:
    """Write ``summary.csv`` into the store (finished points only); return its rows."""
    from diffusion.tables import write_csv

    if not st.is_store(path):
        return []
    rows = st.summary_rows(st.open_store(path))
    if rows:
        write_csv(rows, path / "summary.csv")
    return rows
