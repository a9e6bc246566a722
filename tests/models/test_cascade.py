"""Independent cascade against exact activation probabilities on small graphs.

Each node's activation is a Bernoulli trial per run, so over ``R`` runs the observed share
has standard error ``sqrt(P (1 - P) / R)``; we allow 4 SE per node.
"""

from __future__ import annotations

import numpy as np
import pytest

from diffusion import graphs
from diffusion.engine import simulate
from diffusion.models.cascade import IndependentCascade, IndependentCascadeParams

N_RUNS = 20_000
N_SIGMA = 4.0


def _reached(model: IndependentCascade, org, n_steps: int, seed: int) -> np.ndarray:
    res = simulate(model, org, n_runs=N_RUNS, n_steps=n_steps, seed=seed, groupings=())
    return (res.adopted_step >= 0).mean(axis=0)


def _assert_binomial(observed: np.ndarray, expected: np.ndarray) -> None:
    se = np.sqrt(expected * (1 - expected) / N_RUNS)
    np.testing.assert_array_less(np.abs(observed - expected), N_SIGMA * se + 1e-12)


def test_diamond_with_tie_weights_as_probabilities():
    # Diamond 0-1, 0-2, 1-3, 2-3 seeded at 0, each directed tie live with p = 0.5 (KKT's
    # live-edge view). Node 3 is reached through 0-1-3 or 0-2-3 (disjoint): 1 - (1 - p^2)^2.
    # Node 1 directly (p) or, failing that, around 0-2-3-1 (p^3): p + (1 - p) p^3.
    p = 0.5
    org = graphs.from_edges(4, [0, 0, 1, 2], [1, 2, 3, 3], weight=p)
    model = IndependentCascade(IndependentCascadeParams(initial_active=0, seed_nodes=(0,)))
    side = p + (1 - p) * p**3
    expected = np.array([1.0, side, side, 1 - (1 - p * p) ** 2])
    _assert_binomial(_reached(model, org, n_steps=5, seed=1), expected)


def test_path_with_global_p_is_a_product():
    # On a path every node has one way in: P(reach node k) = p^k.
    p, n = 0.6, 6
    org = graphs.from_edges(n, np.arange(n - 1), np.arange(1, n), weight=3.0)  # weight ignored
    model = IndependentCascade(IndependentCascadeParams(p=p, initial_active=0, seed_nodes=(0,)))
    _assert_binomial(_reached(model, org, n_steps=n, seed=2), p ** np.arange(n))


def test_each_node_tries_once_then_is_spent():
    org = graphs.from_edges(3, [0, 1], [1, 2])
    model = IndependentCascade(IndependentCascadeParams(p=1.0, initial_active=0, seed_nodes=(0,)))
    res = simulate(model, org, n_runs=2, n_steps=4, seed=0, groupings=())
    spent = IndependentCascade.code("spent")
    active = IndependentCascade.code("active")
    np.testing.assert_array_equal(res.total[0, :, active], [1, 1, 1, 0, 0])
    np.testing.assert_array_equal(res.total[0, :, spent], [0, 1, 2, 3, 3])
    np.testing.assert_array_equal(res.adopted_step[0], [0, 1, 2])


def test_weights_above_one_need_p():
    org = graphs.from_edges(2, [0], [1], weight=2.0)
    model = IndependentCascade(IndependentCascadeParams(seed_nodes=(0,)))
    with pytest.raises(ValueError, match="largest weight is 2 > 1"):
        model.prepare(org)
    with pytest.raises(ValueError, match=r"p must be a probability"):
        IndependentCascadeParams(p=2.0)
