"""Absolute ("k neighbours") threshold model: closed-form cascades and bootstrap percolation."""

from __future__ import annotations

import dataclasses

import networkx as nx
import numpy as np
import pytest
from scipy.stats import binom

from diffusion import graphs
from diffusion.engine import simulate
from diffusion.models.registry import make_model
from diffusion.models.threshold import AbsoluteThreshold, AbsoluteThresholdParams

N_SIGMA = 4.0
ACTIVE = AbsoluteThreshold.code("active")


def _model(k, seeds=(), initial_active=0):
    return AbsoluteThreshold(
        AbsoluteThresholdParams(neighbours=k, initial_active=initial_active, seed_nodes=seeds)
    )


def _run(model, org, n_steps, n_runs=2, seed=0):
    return simulate(model, org, n_runs=n_runs, n_steps=n_steps, seed=seed, groupings=())


def test_two_adjacent_seeds_on_a_ring_lattice_reach_everyone_one_seed_nobody():
    # Ring where everyone is tied to the 2 nearest on either side, k = 2: the two people next
    # to an active block of >= 2 have 2 active neighbours, so the block grows by one on each
    # side per step (2 + 2t active after t steps); a single seed gives everyone at most 1.
    n = 24
    ring = graphs.ring_lattice(n, 4)
    res = _run(_model(2, (0, 1)), ring, n_steps=12)
    np.testing.assert_array_equal(res.total[0, :, ACTIVE], np.minimum(2 + 2 * np.arange(13), n))
    res = _run(_model(2, (0,)), ring, n_steps=5)
    np.testing.assert_array_equal(res.total[0, :, ACTIVE], np.ones(6))


@pytest.mark.parametrize("gap", range(1, 8))
def test_two_seeds_on_a_ring_lattice_spread_iff_at_most_four_apart(gap):
    # Same ring, seeds 0 and g: someone between them, or right next to them, is tied to both
    # only if g <= 4 (ties reach 2 places); then an active block of 2 or more forms and takes
    # the ring. With g >= 5 nobody has 2 active neighbours.
    n = 30
    res = _run(_model(2, (0, gap)), graphs.ring_lattice(n, 4), n_steps=n)
    assert res.total[0, -1, ACTIVE] == (n if gap <= 4 else 2)


def test_complete_graph_all_or_nothing():
    # On K_n everyone sees every seed: m >= k seeds activate everyone at step 1, m < k nobody.
    complete = graphs.complete(12)
    for k, m, final in ((3, 3, 12), (3, 2, 2), (11, 11, 12), (12, 11, 11)):
        res = _run(_model(k, tuple(range(m))), complete, n_steps=3)
        assert res.total[0, -1, ACTIVE] == final, (k, m)
    assert _run(_model(12, tuple(range(11))), complete, n_steps=3).adopted_step[0, 11] == -1


def test_granovetters_riot_on_a_complete_graph():
    # Granovetter (1978, p. 1424): on K_n person i joins once i others have; seeded with
    # person 0, person i joins at step i. Raising person 3's threshold to 4 stops it at 3.
    n = 10
    k = tuple(range(n))
    res = _run(_model(k, (0,)), graphs.complete(n), n_steps=n)
    np.testing.assert_array_equal(res.adopted_step[0], np.arange(n))
    blocked = (0, 1, 2, 4, 4, 5, 6, 7, 8, 9)
    res = _run(_model(blocked, (0,)), graphs.complete(n), n_steps=n)
    np.testing.assert_array_equal(res.adopted_step[0], [0, 1, 2] + [-1] * (n - 3))


def test_weights_and_tie_kinds_do_not_change_who_counts():
    # Node 2 is tied to 0 (weight 0.9) and 1 (weight 0.1); k = 2 needs both whatever the
    # weights, and k = 1 either. A second tie kind doubling the 0-2 tie is still one person.
    org = graphs.from_edges(3, [0, 1], [2, 2], weight=np.array([0.9, 0.1]))
    assert _run(_model(2, (0,)), org, n_steps=3).adopted_step[0, 2] == -1
    assert _run(_model(2, (0, 1)), org, n_steps=3).adopted_step[0, 2] == 1
    assert _run(_model(1, (1,)), org, n_steps=3).adopted_step[0, 2] == 1
    team = org.weights["team"]
    extra = graphs.from_edges(3, [0], [2], weight=0.5).weights["team"]
    two_kinds = dataclasses.replace(org, weights={"team": team, "peer": extra})
    assert _run(_model(2, (0,)), two_kinds, n_steps=3).adopted_step[0, 2] == -1


def test_people_with_fewer_ties_than_k_never_join_and_k_zero_joins_at_once():
    # Path 0 - 1 - 2: the ends have one tie, so with k = 2 they never join; 1 joins when both
    # ends are seeds. k = 0 needs nobody: everyone not seeded joins at step 1.
    path = graphs.from_edges(3, [0, 1], [1, 2])
    assert _run(_model(2, (0, 2)), path, n_steps=3).adopted_step[0].tolist() == [0, 1, 0]
    assert _run(_model(2, (1,)), path, n_steps=3).adopted_step[0].tolist() == [-1, 0, -1]
    isolated = graphs.from_edges(3, [0], [1])
    assert _run(_model(0), isolated, n_steps=2).adopted_step[0].tolist() == [1, 1, 1]


def _bootstrap_share(p: float, d: int, k: int) -> float:
    """Final active share of bootstrap percolation on a large random d-regular graph.

    Each node is a seed with probability p. On the locally tree-like graph, the probability
    Z that a node becomes active without help from a given neighbour is the smallest
    solution >= p of Z = p + (1 - p) P(Bin(d - 1, Z) >= k), reached by iterating from p; the
    final share is p + (1 - p) P(Bin(d, Z) >= k) (Balogh and Pittel 2007, Random Struct.
    Algorithms 30:257; Baxter et al. 2010, Phys. Rev. E 82:011103, eqs. 1-2).
    """
    z, previous = p, -1.0
    while abs(z - previous) > 1e-15:  # increasing and bounded by 1, so it converges
        z, previous = p + (1 - p) * binom.sf(k - 1, d - 1, z), z
    return p + (1 - p) * binom.sf(k - 1, d, z)


def test_bootstrap_fixed_point_has_the_closed_form_of_k_2_on_3_regular_graphs():
    # d = 3, k = 2: Z = p + (1 - p) Z^2 has the roots p / (1 - p) and 1, so below p = 1/2
    # the share is p + (1 - p) (3 Z^2 (1 - Z) + Z^3); at p = 0.2, Z = 1/4 and the share is
    # 0.2 + 0.8 * 10 / 64 = 0.325. Above p = 1/2 everyone ends active.
    assert _bootstrap_share(0.2, 3, 2) == pytest.approx(0.325, abs=1e-12)
    for p in (0.05, 0.3, 0.45):
        z = p / (1 - p)
        closed = p + (1 - p) * (3 * z**2 * (1 - z) + z**3)
        assert _bootstrap_share(p, 3, 2) == pytest.approx(closed, abs=1e-9)
    assert _bootstrap_share(0.55, 3, 2) == pytest.approx(1.0, abs=1e-9)


@pytest.mark.parametrize(("d", "k", "p"), [(3, 2, 0.2), (3, 2, 0.4), (5, 3, 0.2)])
def test_bootstrap_percolation_on_a_random_regular_graph(d, k, p):
    # Simulated mean final share over R runs (each its own seed set, one graph of n = 20,000)
    # against the tree formula. They may differ by sampling error (N_SIGMA standard errors
    # over runs) and by the graph's few short cycles, which change O(1) people each: an
    # O(1/n) bias, covered by 2 / n. The p are away from the jumps (p = 1/2 for d = 3,
    # k = 2; p near 0.275 for d = 5, k = 3), where finite graphs blur the transition.
    n, n_runs = 20_000, 40
    expected = _bootstrap_share(p, d, k)
    g = nx.random_regular_graph(d, n, seed=7)
    edges = np.array(g.edges())
    org = graphs.from_edges(n, edges[:, 0], edges[:, 1])
    res = _run(_model(k, initial_active=p), org, n_steps=500, n_runs=n_runs, seed=1)
    active = res.total[:, :, ACTIVE]
    np.testing.assert_array_equal(active[:, -1], active[:, -2])  # every cascade is over
    share = active[:, -1] / n
    se = share.std(ddof=1) / np.sqrt(n_runs)
    assert abs(share.mean() - expected) < N_SIGMA * se + 2 / n


def test_made_by_name_and_validated():
    model = make_model("absolute_threshold", neighbours=3, initial_active=0.1)
    assert isinstance(model, AbsoluteThreshold)
    assert model.params.neighbours == 3
    assert make_model("absolute_threshold", neighbours=[1, 2]).params.neighbours == (1, 2)
    for bad in (-1, 1.5, True, (1, -2)):
        with pytest.raises(ValueError, match="neighbours must be"):
            AbsoluteThresholdParams(neighbours=bad)
    with pytest.raises(ValueError, match="neighbours has 2 values for 3 nodes"):
        _model((1, 2)).prepare(graphs.complete(3))
