"""From parameter vectors to summary statistics: the simulations of a calibration.

An engine call costs ~0.2 s of fixed work for the 2015-2018 calendar (the weekly loop, the
27 cohorts, the ties re-prepared at the 2018 events) plus a few ms a run. So the vectors of a
chunk run as ONE engine call: their values become per-run parameter arrays (each vector's
``R`` runs carry its values; :attr:`diffusion.models.base.Model.per_run_params`), and a chunk
holds about :data:`TASK_RUNS` runs. Where a calibrated parameter cannot vary by run, each
vector is its own call of ``R`` runs, as before. Each chunk is one task: in this process, or
on a Dask cluster (the sweep's :meth:`diffusion.executors.Executor.client`).

Reproducibility: vector ``i`` of a call with ``first_index = f`` simulates the runs
``(f + i) * R .. (f + i + 1) * R - 1`` of the root seed, so its statistics depend only on
``(seed, f + i, R, vector)``, never on the chunking, the batching or the number of workers
(a run depends only on the seed, its index and its parameters).
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from diffusion.calibration.summaries import MILESTONE, TOOK_COURSE, Layout
from diffusion.engine import simulate
from diffusion.study import Study

#: parameter vectors per task where each vector is its own engine call (~3 s at R = 10)
CHUNK = 16
#: runs per task where a chunk of vectors is one engine call (a few seconds of work, a few
#: MiB of state: well above Dask's ~3 ms per task)
TASK_RUNS = 1024
#: tasks per worker at least, so that the workers finish together
TASKS_PER_WORKER = 4
#: the prefix of a calibrated path: only model parameters can be calibrated
PARAMS_PREFIX = "model.params."

Advance = Callable[[int], None]


@dataclass(frozen=True, eq=False)
class Simulator:
    """Simulates the statistics of a study at given parameter values.

    Attributes
    ----------
    study : Study
        The study (calendar to autumn 2018 for speed).
    layout : Layout
        Where Table 1's teams and cohorts are in it.
    paths : tuple of str
        The calibrated parameters, ``model.params.<name>``, in the order of a vector.
    seed : int
        Root seed of every simulation.
    batch : bool
        Run a chunk of vectors as one engine call where the parameters allow it
        (:attr:`batched`); False: one call per vector (the same statistics, slower; for
        measuring the difference).
    """

    study: Study
    layout: Layout
    paths: tuple[str, ...]
    seed: int
    batch: bool = True

    @property
    def names(self) -> tuple[str, ...]:
        """Parameter names without the ``model.params.`` prefix."""
        return tuple(p.removeprefix(PARAMS_PREFIX) for p in self.paths)

    @property
    def batched(self) -> bool:
        """Whether a chunk is one engine call (:attr:`batch`, every parameter varies by run)."""
        return self.batch and all(n in self.study.model.per_run_params for n in self.names)

    def study_at(self, theta: Sequence[float]) -> Study:
        """Return the study with the model's parameters set to ``theta``."""
        changes = {n: float(v) for n, v in zip(self.names, theta, strict=True)}
        return dataclasses.replace(self.study, model=self.study.model.with_params(**changes))

    def statistics(self, theta: Sequence[float], n_runs: int, run_offset: int) -> np.ndarray:
        """Statistics ``(n_runs, statistics)`` of runs ``run_offset ..`` at ``theta``."""
        return self._simulate(self.study_at(theta).model, n_runs, run_offset, threads=1)

    def chunk(
        self,
        thetas: np.ndarray,
        n_runs: int,
        first_index: int,
        *,
        threads: int | None = 1,
    ) -> np.ndarray:
        """Statistics ``(vectors, n_runs, statistics)`` of vectors ``first_index ..``.

        One engine call for all the vectors where :attr:`batched`, else one call per vector:
        the statistics are the same. ``threads``: the engine's threads (1 on a worker; the
        workers share the machine).
        """
        thetas = np.asarray(thetas, dtype=np.float64).reshape(-1, len(self.names))
        if not len(thetas):
            return np.zeros((0, n_runs, len(self.layout.names)))
        if not self.batched:
            return np.stack(
                [
                    self.statistics(theta, n_runs, (first_index + i) * n_runs)
                    for i, theta in enumerate(thetas)
                ]
            )
        # vector i's runs carry its values: a per-run array of each parameter
        per_run = {n: np.repeat(thetas[:, j], n_runs) for j, n in enumerate(self.names)}
        model = self.study.model.with_params(**per_run) if per_run else self.study.model
        stats = self._simulate(model, len(thetas) * n_runs, first_index * n_runs, threads)
        return stats.reshape(len(thetas), n_runs, -1)

    def _simulate(self, model: Any, n_runs: int, run_offset: int, threads: int | None) -> Any:
        """Statistics ``(n_runs, statistics)`` of runs ``run_offset ..`` of ``model``."""
        study = self.study
        results = simulate(
            model,
            study.org,
            n_runs=n_runs,
            n_steps=study.n_steps,
            seed=self.seed,
            events=study.events,
            run_offset=run_offset,
            groupings=(),
            record_every=max(study.n_steps, 1),
            threads=threads,
            milestones={MILESTONE: TOOK_COURSE},
        )
        return self.layout.statistics(results.first_step[MILESTONE])

    def vectors_per_task(self, n_vectors: int, n_runs: int, workers: int = 1) -> int:
        """Return the vectors of a task: about :data:`TASK_RUNS` runs, or :data:`CHUNK` vectors.

        With ``workers`` > 1, small enough for :data:`TASKS_PER_WORKER` tasks a worker.
        """
        size = max(1, TASK_RUNS // max(n_runs, 1)) if self.batched else CHUNK
        if workers > 1:
            size = min(size, max(1, -(-n_vectors // (TASKS_PER_WORKER * workers))))
        return size

    def hashed_offset(self, theta: Sequence[float], n_runs: int) -> int:
        """Return a run offset that is a pure function of ``theta`` (for index-free samplers).

        Offsets start at 2**40 runs, above any index of :meth:`chunk` in practice.
        """
        digest = hashlib.blake2b(np.asarray(theta, np.float64).tobytes(), digest_size=5).digest()
        return (1 << 40) + int.from_bytes(digest, "big") * n_runs


def _chunk_task(sim: Simulator, thetas: np.ndarray, n_runs: int, first_index: int) -> np.ndarray:
    return sim.chunk(thetas, n_runs, first_index, threads=1)


def simulate_many(
    sim: Simulator,
    thetas: np.ndarray,
    n_runs: int,
    *,
    first_index: int = 0,
    client: Any = None,
    advance: Advance | None = None,
    chunk: int | None = None,
) -> np.ndarray:
    """Statistics of many parameter vectors, ``(vectors, n_runs, statistics)`` float64.

    Parameters
    ----------
    sim : Simulator
    thetas : float array ``(vectors, parameters)``
    n_runs : int
        Runs per vector (``R``).
    first_index : int
        Global index of the first vector (sets its runs; see the module docstring).
    client : distributed.Client, optional
        Run the chunks on its cluster; default: in this process.
    advance : callable, optional
        Called with the number of vectors just finished.
    chunk : int, optional
        Vectors per task (default :meth:`Simulator.vectors_per_task`).
    """
    thetas = np.asarray(thetas, dtype=np.float64)
    if chunk is None:
        workers = 1 if client is None else len(client.scheduler_info()["workers"])
        chunk = sim.vectors_per_task(len(thetas), n_runs, workers)
    starts = list(range(0, len(thetas), chunk))
    parts: dict[int, np.ndarray] = {}
    if client is None:
        for s in starts:
            # in this process the engine's threads share out the batch
            parts[s] = sim.chunk(thetas[s : s + chunk], n_runs, first_index + s, threads=None)
            if advance is not None:
                advance(len(parts[s]))
    else:
        from distributed import as_completed

        remote = client.scatter(sim, broadcast=True)
        futures = {
            client.submit(
                _chunk_task, remote, thetas[s : s + chunk], n_runs, first_index + s, pure=False
            ): s
            for s in starts
        }
        try:
            for future in as_completed(futures):
                parts[futures[future]] = future.result()
                if advance is not None:
                    advance(len(parts[futures[future]]))
        except BaseException:
            client.cancel(list(futures))
            raise
    if not starts:
        return np.zeros((0, n_runs, len(sim.layout.names)))
    return np.concatenate([parts[s] for s in starts])
