"""Rejection ABC in numpy, seeded: the calibration that needs no optional package.

1. Draw ``N`` parameter vectors from the priors (``numpy.random.default_rng([seed, 0])``).
2. Simulate ``R`` runs at each (:func:`~diffusion.calibration.simulator.simulate_many`; the
   engine does a chunk of vectors, ``R`` runs each, in one call).
3. Fit the distance's scales on all ``N x R`` simulated statistics (the prior predictive).
4. Take the tolerance ``eps`` as the ``accept`` quantile of all ``N x R`` distances.
5. Weight vector ``i`` by the share of its ``R`` runs within ``eps``.

Step 5 is ABC with several pseudo-data sets per parameter vector: the share is an unbiased
estimate of the ABC likelihood ``P(d <= eps | theta)``, so the weighted vectors are a sample
of the same ABC posterior as with one run each, with less noise per vector (Bornn et al.
2017, "One pseudo-sample is enough in approximate Bayesian computation MCMC" show it is valid;
here a run costs a few ms in a batch of many vectors' runs). Averaging the runs'
statistics before the distance would not be: it would fit the model's mean, not one
realisation like the data, and give intervals too narrow.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from diffusion.calibration.distance import Distance
from diffusion.calibration.observed import Observed
from diffusion.calibration.posterior import Posterior
from diffusion.calibration.priors import Prior, sample_priors
from diffusion.calibration.simulator import Advance, Simulator, simulate_many

#: default share of all simulated runs accepted
ACCEPT = 0.02


def reference_table(
    sim: Simulator,
    priors: Sequence[Prior],
    *,
    n_simulations: int,
    runs_per_simulation: int = 10,
    seed: int = 0,
    client: Any = None,
    advance: Advance | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Run steps 1-2: parameter vectors from the priors and their simulated statistics.

    The table does not depend on the observed data, so one table serves many data sets
    (the recovery tests fit several pseudo-observed ones to one table).

    Returns
    -------
    thetas : float array ``(N, parameters)``
    stats : float array ``(N, R, statistics)``
    """
    if tuple(p.path for p in priors) != sim.paths:
        raise ValueError("the simulator's paths must be the priors' paths, in order")
    thetas = sample_priors(priors, np.random.default_rng([seed, 0]), n_simulations)
    stats = simulate_many(sim, thetas, runs_per_simulation, client=client, advance=advance)
    return thetas, stats


def accept_nearest(
    paths: tuple[str, ...],
    thetas: np.ndarray,
    stats: np.ndarray,
    observed: Observed,
    *,
    accept: float = ACCEPT,
    distance: Distance | None = None,
) -> tuple[Posterior, Distance]:
    """Run steps 3-5: the weighted posterior from a reference table.

    Parameters
    ----------
    paths : tuple of str
        Parameter paths of the columns of ``thetas``.
    thetas : float array ``(N, parameters)``
    stats : float array ``(N, R, statistics)``
    observed : Observed
    accept : float
        Share of the ``N x R`` runs within the tolerance, in (0, 1].
    distance : Distance, optional
        Default: scales fitted on ``stats`` (the prior predictive).
    """
    if not 0 < accept <= 1:
        raise ValueError(f"accept must be in (0, 1], got {accept}")
    if distance is None:
        distance = Distance.fit(observed.names, observed.values, stats)
    d = distance(stats)  # (N, R)
    eps = float(np.quantile(d, accept))
    within = d <= eps
    share = within.mean(axis=1)
    keep = share > 0
    post = Posterior(
        paths=paths,
        samples=thetas[keep],
        weights=share[keep] / share[keep].sum(),
        method="rejection",
        info={
            "simulations": len(thetas),
            "runs_per_simulation": int(stats.shape[1]),
            "accept": float(accept),
            "epsilon": eps,
            "vectors_kept": int(keep.sum()),
            "runs_accepted": int(within.sum()),
            "min_distance": float(d.min()),
        },
    )
    post.info["ess"] = post.ess
    return post, distance


def rejection_abc(
    sim: Simulator,
    priors: Sequence[Prior],
    observed: Observed,
    *,
    n_simulations: int,
    runs_per_simulation: int = 10,
    seed: int = 0,
    accept: float = ACCEPT,
    client: Any = None,
    advance: Advance | None = None,
) -> tuple[Posterior, Distance]:
    """Rejection ABC: :func:`reference_table` then :func:`accept_nearest`.

    Parameters
    ----------
    sim : Simulator
        Its ``paths`` must be the priors' paths, in order.
    priors : sequence of Prior
    observed : Observed
    n_simulations : int
        Parameter vectors ``N``.
    runs_per_simulation : int
        Runs ``R`` at each.
    seed : int
        Seeds the prior draws (the runs use ``sim.seed``).
    accept : float
        Share of the ``N x R`` runs within the tolerance, in (0, 1].
    client : distributed.Client, optional
    advance : callable, optional
        Progress, in vectors.

    Returns
    -------
    (Posterior, Distance)
    """
    if not 0 < accept <= 1:
        raise ValueError(f"accept must be in (0, 1], got {accept}")
    thetas, stats = reference_table(
        sim,
        priors,
        n_simulations=n_simulations,
        runs_per_simulation=runs_per_simulation,
        seed=seed,
        client=client,
        advance=advance,
    )
    return accept_nearest(sim.paths, thetas, stats, observed, accept=accept)
