"""ABC-SMC with pyabc (the optional extra ``calibrate``), imported only when used.

The distance's scales are fitted on a seeded pilot from the prior (``pilot`` vectors, one
run each), then kept fixed. pyabc proposes particles from the last population, each particle
is one simulated run (standard ABC: a particle is accepted on one pseudo-data set), and the
tolerance falls to the median distance of each population. pyabc keeps its history in an
SQLite database (``db``, a file path; ``sqlite:///...`` is made of it).

Parallel: with a Dask ``client`` (made as the sweep makes it,
:meth:`diffusion.executors.Executor.client`), pyabc's ``DaskDistributedSampler`` runs the
particles on that cluster; without one, pyabc's single-core sampler runs in this process.

Reproducibility: each simulation's runs are a pure function of its parameter vector and the
root seed (:meth:`~diffusion.calibration.simulator.Simulator.hashed_offset`), and pyabc's numpy
global generator is seeded, so a single-core run repeats exactly. On a Dask cluster the
workers draw the proposals with their own generators, so the particles differ from run to
run (the posterior does not, within its Monte Carlo error); use ``--method rejection`` where
bit-for-bit repetition matters.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from diffusion.calibration.distance import Distance
from diffusion.calibration.observed import Observed
from diffusion.calibration.posterior import Posterior
from diffusion.calibration.priors import Prior, sample_priors
from diffusion.calibration.simulator import Simulator, simulate_many

#: the pyabc key of the statistics vector
KEY = "s"


def available() -> bool:
    """Whether pyabc is installed."""
    return importlib.util.find_spec("pyabc") is not None


class _Model:
    """pyabc's model: a parameter dict -> ``{"s": statistics of one run}`` (picklable)."""

    def __init__(self, sim: Simulator) -> None:
        self.sim = sim

    def __call__(self, par: Any) -> dict[str, np.ndarray]:
        theta = [float(par[name]) for name in self.sim.names]
        return {KEY: self.sim.statistics(theta, 1, self.sim.hashed_offset(theta, 1))[0]}


class _Distance:
    """pyabc's distance: our :class:`Distance` of the simulated statistics (picklable)."""

    def __init__(self, distance: Distance) -> None:
        self.distance = distance

    def __call__(self, x: dict[str, np.ndarray], x0: dict[str, np.ndarray]) -> float:
        return float(self.distance(x[KEY]))


def abc_smc(
    sim: Simulator,
    priors: Sequence[Prior],
    observed: Observed,
    *,
    population: int,
    max_simulations: int,
    db: str | Path,
    seed: int = 0,
    pilot: int = 200,
    max_populations: int = 20,
    client: Any = None,
) -> tuple[Posterior, Distance]:
    """ABC-SMC.

    Parameters
    ----------
    sim : Simulator
    priors : sequence of Prior
    observed : Observed
    population : int
        Particles per population.
    max_simulations : int
        Stop after this many simulations in all (the pilot not counted).
    db : path
        The SQLite file of pyabc's history (replaced if it exists).
    seed : int
        Seeds the pilot's draws and pyabc's global numpy generator.
    pilot : int
        Prior draws (one run each) to fit the distance's scales.
    max_populations : int
    client : distributed.Client, optional

    Returns
    -------
    (Posterior, Distance)
        The last population, weighted.
    """
    import pyabc

    thetas = sample_priors(priors, np.random.default_rng([seed, 0]), pilot)
    stats = simulate_many(sim, thetas, 1, client=client)
    distance = Distance.fit(observed.names, observed.values, stats)
    prior = pyabc.Distribution(**{p.name: p.pyabc_rv() for p in priors})
    if client is not None:
        from pyabc.sampler import DaskDistributedSampler

        sampler = DaskDistributedSampler(dask_client=client, batch_size=8)
    else:
        sampler = pyabc.sampler.SingleCoreSampler()
    np.random.seed(seed)  # noqa: NPY002 (pyabc draws from numpy's global generator)
    abc = pyabc.ABCSMC(
        _Model(sim),
        prior,
        _Distance(distance),
        population_size=population,
        sampler=sampler,
        eps=pyabc.MedianEpsilon(),
    )
    path = Path(db).resolve()
    path.unlink(missing_ok=True)
    abc.new(f"sqlite:///{path}", {KEY: observed.values})
    history = abc.run(
        minimum_epsilon=0.0,
        max_nr_populations=max_populations,
        max_total_nr_simulations=max_simulations,
    )
    frame, weights = history.get_distribution()
    samples = frame[list(sim.names)].to_numpy(dtype=np.float64)
    weights = np.asarray(weights, dtype=np.float64)
    pops = history.get_all_populations()
    post = Posterior(
        paths=sim.paths,
        samples=samples,
        weights=weights / weights.sum(),
        method="abc-smc",
        info={
            "simulations": int(history.total_nr_simulations),
            "pilot": int(pilot),
            "runs_per_simulation": 1,
            "populations": int(history.max_t + 1),
            "population_size": int(population),
            "epsilon": float(pops["epsilon"].iloc[-1]),
            "database": str(path),
        },
    )
    post.info["ess"] = post.ess
    return post, distance
