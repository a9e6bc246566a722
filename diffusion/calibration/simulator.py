"""From parameter vectors to summary statistics: the simulations of a calibration.

One parameter vector is one engine call of ``R`` runs (the engine runs one parameter set per
call). A call costs ~0.2 s of fixed work for the 2015-2018 calendar (the weekly loop, the
ties re-prepared at the 2018 events) plus ~4 ms a run, so ``R`` runs per vector cost little
more than one. Work is grouped into chunks of vectors, each chunk one task: in this process,
or on a Dask cluster (the sweep's :meth:`diffusion.executors.Executor.client`).

Reproducibility: vector ``i`` of a call with ``first_index = f`` simulates the runs
``(f + i) * R .. (f + i + 1) * R - 1`` of the root seed, so its statistics depend only on
``(seed, f + i, R, vector)``, never on the chunking or the number of workers.
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

#: parameter vectors per task (~3 s of work at R = 10: well above Dask's ~3 ms per task)
CHUNK = 16
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
    """

    study: Study
    layout: Layout
    paths: tuple[str, ...]
    seed: int

    @property
    def names(self) -> tuple[str, ...]:
        """Parameter names without the ``model.params.`` prefix."""
        return tuple(p.removeprefix(PARAMS_PREFIX) for p in self.paths)

    def study_at(self, theta: Sequence[float]) -> Study:
        """Return the study with the model's parameters set to ``theta``."""
        changes = {n: float(v) for n, v in zip(self.names, theta, strict=True)}
        return dataclasses.replace(self.study, model=self.study.model.with_params(**changes))

    def statistics(self, theta: Sequence[float], n_runs: int, run_offset: int) -> np.ndarray:
        """Statistics ``(n_runs, statistics)`` of runs ``run_offset ..`` at ``theta``."""
        study = self.study_at(theta)
        results = simulate(
            study.model,
            study.org,
            n_runs=n_runs,
            n_steps=study.n_steps,
            seed=self.seed,
            events=study.events,
            run_offset=run_offset,
            groupings=(),
            record_every=max(study.n_steps, 1),
            threads=1,
            milestones={MILESTONE: TOOK_COURSE},
        )
        return self.layout.statistics(results.first_step[MILESTONE])

    def chunk(self, thetas: np.ndarray, n_runs: int, first_index: int) -> np.ndarray:
        """Statistics ``(vectors, n_runs, statistics)`` of vectors ``first_index ..``."""
        return np.stack(
            [
                self.statistics(theta, n_runs, (first_index + i) * n_runs)
                for i, theta in enumerate(np.asarray(thetas, dtype=np.float64))
            ]
        )

    def hashed_offset(self, theta: Sequence[float], n_runs: int) -> int:
        """Return a run offset that is a pure function of ``theta`` (for index-free samplers).

        Offsets start at 2**40 runs, above any index of :meth:`chunk` in practice.
        """
        digest = hashlib.blake2b(np.asarray(theta, np.float64).tobytes(), digest_size=5).digest()
        return (1 << 40) + int.from_bytes(digest, "big") * n_runs


def _chunk_task(sim: Simulator, thetas: np.ndarray, n_runs: int, first_index: int) -> np.ndarray:
    return sim.chunk(thetas, n_runs, first_index)


def simulate_many(
    sim: Simulator,
    thetas: np.ndarray,
    n_runs: int,
    *,
    first_index: int = 0,
    client: Any = None,
    advance: Advance | None = None,
    chunk: int = CHUNK,
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
    chunk : int
        Vectors per task.
    """
    thetas = np.asarray(thetas, dtype=np.float64)
    starts = list(range(0, len(thetas), chunk))
    parts: dict[int, np.ndarray] = {}
    if client is None:
        for s in starts:
            parts[s] = sim.chunk(thetas[s : s + chunk], n_runs, first_index + s)
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
