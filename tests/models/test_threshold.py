"""Threshold models: deterministic cascades on hand-made graphs and exact LT probabilities."""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.reference import threshold_loop, to_networkx
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


def _stars(degrees: list[int], seeded: list[int], weight: float = 1.0):
    """Disjoint stars: star ``s`` has a centre tied to ``degrees[s]`` leaves, the first
    ``seeded[s]`` of them seeds. Returns the population, the centres and the seeds."""
    src, dst, centres, seeds = [], [], [], []
    start = 0
    for d, m in zip(degrees, seeded, strict=True):
        leaves = range(start + 1, start + 1 + d)
        src += [start] * d
        dst += list(leaves)
        centres.append(start)
        seeds += list(leaves)[:m]
        start += 1 + d
    org = graphs.from_edges(start, src, dst, weight=weight)
    return org, np.array(centres), tuple(seeds)


@pytest.mark.parametrize(
    ("theta", "degree", "on_paper"),
    [(0.2, 5, 1), (0.2, 10, 2), (0.2, 15, 3), (0.2, 20, 4), (1 / 3, 6, 2), (1 / 3, 9, 3)],
)
def test_active_fraction_equal_to_the_threshold_counts_as_reached(theta, degree, on_paper):
    # Two stars of the given degree: one with theta * degree active leaves (the fraction
    # equals the threshold, so its centre joins at step 1), one with a leaf fewer (never:
    # the other leaves have no active tie). 0.2 and 1/3 are the values float32 rounds up,
    # so that 0.2 * 5 came out above 1 and needed 2 of 5.
    org, centres, seeds = _stars([degree, degree], [on_paper, on_paper - 1])
    model = FractionalThreshold(
        FractionalThresholdParams(threshold=theta, initial_active=0, seed_nodes=seeds)
    )
    res = _run(model, org, n_steps=3, n_runs=2)
    np.testing.assert_array_equal(res.adopted_step[:, centres], [[1, -1], [1, -1]])


@pytest.mark.parametrize("weight", [1.0, 0.1, 0.7])
def test_every_fraction_j_over_d_is_reached_by_j_active_ties_and_not_by_fewer(weight):
    # For every degree d up to 40 and every j in 1..d: a star whose centre has the threshold
    # j / d (as Python computes it) and j active leaves, and one with j - 1. Ties of equal
    # weight other than 1 are counted too (0.1 and 0.7 are not exact in binary).
    pairs = [(d, j) for d in range(1, 41) for j in range(1, d + 1)]
    degrees = [d for d, _ in pairs for _ in range(2)]
    seeded = [m for _, j in pairs for m in (j, j - 1)]
    org, centres, seeds = _stars(degrees, seeded, weight=weight)
    theta = np.ones(org.n_nodes)  # leaves: 1, reached only through their centre
    theta[centres] = [j / d for d, j in pairs for _ in range(2)]
    model = FractionalThreshold(
        FractionalThresholdParams(threshold=tuple(theta), initial_active=0, seed_nodes=seeds)
    )
    res = _run(model, org, n_steps=1, n_runs=1)
    expected = np.tile([1, -1], len(pairs))
    np.testing.assert_array_equal(res.adopted_step[0, centres], expected)


def test_weighted_fraction_equal_to_the_threshold_counts_as_reached():
    # Node 4 has ties of weight 0.1, 0.2, 0.3, 0.4 to nodes 0..3; seeds 0 and 1 put 0.3 of
    # its weight on active people. 0.3 is reached; 0.301 is not (the slack is 1e-6).
    org = graphs.from_edges(5, [0, 1, 2, 3], [4] * 4, weight=np.array([0.1, 0.2, 0.3, 0.4]))
    for theta, step in ((0.3, 1), (0.301, -1)):
        model = FractionalThreshold(
            FractionalThresholdParams(threshold=theta, initial_active=0, seed_nodes=(0, 1))
        )
        assert _run(model, org, n_steps=2, n_runs=1).adopted_step[0, 4] == step


@pytest.mark.parametrize("theta", [0.2, 0.25, 1 / 3, 0.5])
def test_cascades_agree_exactly_with_the_per_node_reference_loop(theta):
    # benchmarks/reference.py's plain loop (a person activates when their active ties weigh
    # at least theta of all their ties) from the same seeds: a deterministic cascade, so
    # every step's count must be equal. G(n, p) with mean degree 10 has many people of
    # degree 5, 10 and 15, where 0.2 used to need one tie too many.
    org = graphs.erdos_renyi(600, 10.0, seed=11)
    graph = to_networkx(org)
    rng = np.random.default_rng(3)
    for n_seeds in (10, 30, 60, 120):
        seeds = tuple(int(i) for i in rng.choice(org.n_nodes, n_seeds, replace=False))
        counts = threshold_loop(graph, theta, len(seeds), 100, rng, eligible=list(seeds))
        model = FractionalThreshold(
            FractionalThresholdParams(threshold=theta, initial_active=0, seed_nodes=seeds)
        )
        res = _run(model, org, n_steps=len(counts) - 1, n_runs=1)
        active = res.total[0, :, FractionalThreshold.code("active")]
        np.testing.assert_array_equal(active, counts[:, 1])


def test_fixed_thresholds_keep_no_per_run_arrays():
    # Fixed thresholds: one need per person for all runs (in the prep), so the state holds
    # only the codes and the per-run "changed" flags.
    org = graphs.ring_lattice(50, 4)
    model = FractionalThreshold(FractionalThresholdParams(threshold=0.2))
    prep = model.prepare(org)
    state = model.init(org, prep, RunRandom(0, np.arange(7)))
    assert set(state.extra) == {"changed"}
    np.testing.assert_array_equal(prep.fixed_need, np.ones(50))  # 0.2 of 4 ties: 1 tie
