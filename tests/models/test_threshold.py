"""Threshold models: deterministic cascades on hand-made graphs and exact LT probabilities."""

from __future__ import annotations

import numpy as np
import pytest

from diffusion import graphs
from diffusion.engine import simulate
from diffusion.models.threshold import (
    FractionalThreshold,
    FractionalThresholdParams,
    LinearThreshold,
    LinearThresholdParams,
)
from diffusion.rng import RunRandom

N_SIGMA = 4.0


def _run(model, org, n_steps, n_runs=3, seed=0):
    return simulate(model, org, n_runs=n_runs, n_steps=n_steps, seed=seed, groupings=())


def test_ring_lattice_half_threshold_spreads_from_two_adjacent_seeds():
    # Ring, k = 4: a node next to the active block {a, a+1} has 2 of 4 ties active, so with
    # threshold 1/2 the block grows by one node on each side per step: after t steps it
    # holds 2 + 2t nodes, and node i activates at its distance from the seeds.
    n = 20
    model = FractionalThreshold(
        FractionalThresholdParams(threshold=0.5, initial_active=0, seed_nodes=(0, 1))
    )
    res = _run(model, graphs.ring_lattice(n, 4), n_steps=12)
    active = res.total[0, :, FractionalThreshold.code("active")]
    np.testing.assert_array_equal(active, np.minimum(2 + 2 * np.arange(13), n))
    node = np.arange(n)
    distance = np.minimum(np.maximum(node - 1, 0), n - node)
    np.testing.assert_array_equal(res.adopted_step[0], distance)


def test_ring_lattice_threshold_above_half_stops_at_the_seeds():
    model = FractionalThreshold(
        FractionalThresholdParams(threshold=0.6, initial_active=0, seed_nodes=(0, 1))
    )
    res = _run(model, graphs.ring_lattice(20, 4), n_steps=5)
    assert np.all(res.total[:, -1, FractionalThreshold.code("active")] == 2)


def test_per_person_thresholds_block_then_give_way():
    # Cycle of 10 seeded at 0, threshold 1/2 except node 3 (threshold 1: needs both ties).
    # The wave reaches 2 at step 2 and, the long way round, 4 at step 6; so 3 goes at 7.
    theta = [0.5] * 10
    theta[3] = 1.0
    model = FractionalThreshold(
        FractionalThresholdParams(threshold=tuple(theta), initial_active=0, seed_nodes=(0,))
    )
    res = _run(model, graphs.ring_lattice(10, 2), n_steps=10)
    np.testing.assert_array_equal(res.adopted_step[0], [0, 1, 2, 7, 6, 5, 4, 3, 2, 1])


def test_weighted_fraction():
    # Node 2 has a tie of weight 0.9 to the seed 0 and 0.1 to node 1: 0.9 >= 0.6 activates it;
    # node 1 has only its tie to 2 and follows one step later.
    org = graphs.from_edges(3, [0, 1], [2, 2], weight=np.array([0.9, 0.1]))
    model = FractionalThreshold(
        FractionalThresholdParams(threshold=0.6, initial_active=0, seed_nodes=(0,))
    )
    np.testing.assert_array_equal(_run(model, org, n_steps=3).adopted_step[0], [0, 2, 1])
    org_weak = graphs.from_edges(3, [0, 1], [2, 2], weight=np.array([0.1, 0.9]))
    assert np.all(_run(model, org_weak, n_steps=3).adopted_step[0] == [0, -1, -1])


def test_drawn_thresholds_have_the_asked_mean_and_sd():
    # Normal(0.5, 0.1) clipped to [0, 1] (clipping is a 5-sigma event): the mean of N draws
    # has SE 0.1 / sqrt(N); the sample sd has SE about 0.1 / sqrt(2 N).
    org = graphs.ring_lattice(1000, 4)
    model = FractionalThreshold(FractionalThresholdParams(threshold=0.5, threshold_sd=0.1))
    rand = RunRandom(3, np.arange(50))
    theta = model.init(org, model.prepare(org), rand).extra["theta"]
    n_draws = theta.size
    assert abs(theta.mean() - 0.5) < N_SIGMA * 0.1 / np.sqrt(n_draws)
    assert abs(theta.std() - 0.1) < N_SIGMA * 0.1 / np.sqrt(2 * n_draws)
    again = model.init(org, model.prepare(org), RunRandom(3, np.arange(50))).extra["theta"]
    np.testing.assert_array_equal(theta, again)


def test_linear_threshold_on_a_path_is_the_product_of_weights():
    # Path 0-1-2-3, weights normalised per person: b_10 = 1/2, b_21 = 1/2, b_32 = 1.
    # In KKT's live-edge view each node picks one in-tie with probability b, so
    # P(reach k) = prod of b along the path: 1, 1/2, 1/4, 1/4. Binomial SE over R runs.
    n_runs = 20_000
    org = graphs.from_edges(4, [0, 1, 2], [1, 2, 3])
    model = LinearThreshold(LinearThresholdParams(initial_active=0, seed_nodes=(0,)))
    res = simulate(model, org, n_runs=n_runs, n_steps=4, seed=5, groupings=())
    observed = (res.adopted_step >= 0).mean(axis=0)
    expected = np.array([1.0, 0.5, 0.25, 0.25])
    se = np.sqrt(expected * (1 - expected) / n_runs)
    np.testing.assert_array_less(np.abs(observed - expected), N_SIGMA * se + 1e-12)


def test_linear_threshold_unnormalised_weights_must_sum_to_at_most_one():
    org = graphs.from_edges(3, [0, 1], [2, 2], weight=0.7)
    model = LinearThreshold(LinearThresholdParams(normalise=False, seed_nodes=(0,)))
    with pytest.raises(ValueError, match="summing to <= 1"):
        model.prepare(org)


def test_threshold_params_validated():
    with pytest.raises(ValueError, match=r"threshold must be a fraction in \[0, 1\]"):
        FractionalThresholdParams(threshold=1.2)
    with pytest.raises(ValueError, match="threshold_sd"):
        FractionalThresholdParams(threshold_sd=-1.0)
    with pytest.raises(ValueError, match="threshold has 3 values for 20 nodes"):
        model = FractionalThreshold(FractionalThresholdParams(threshold=(0.1, 0.2, 0.3)))
        org = graphs.ring_lattice(20, 2)
        model.init(org, model.prepare(org), RunRandom(0, np.arange(2)))
