"""Counter-based random numbers: uniformity, independence, and weighted sampling."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from scipy import stats

from diffusion import rng as rng_module
from diffusion.rng import RunRandom, unit_bound, weighted_sample_without_replacement


@pytest.fixture(params=["one block", "many blocks"])
def blocks(request, monkeypatch):
    """Draws hashed in blocks of the default size (here every draw fits one), or of 64 words.

    The draws must not depend on how the words are split into blocks; with the default size
    the equality tests below would never see more than one block.
    """
    if request.param == "many blocks":
        monkeypatch.setattr(rng_module, "_BLOCK_WORDS", 64)


def test_uniform_passes_chi_square_and_ks():
    u = RunRandom(123, np.arange(200)).uniform("test", 0, 1000).ravel()
    assert u.min() >= 0 and u.max() < 1
    counts, _ = np.histogram(u, bins=50, range=(0, 1))
    # a correct generator fails at level 1e-4 once in 10,000 seeds; this seed is fixed
    assert stats.chisquare(counts).pvalue > 1e-4
    assert stats.kstest(u, "uniform").pvalue > 1e-4


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (("x", 0), ("y", 0)),  # two purposes at one step
        (("x", 0), ("x", 1)),  # one purpose at two steps
    ],
)
def test_streams_are_uncorrelated(a, b):
    rr = RunRandom(5, np.arange(100))
    u, v = rr.uniform(*a, 2000).ravel(), rr.uniform(*b, 2000).ravel()
    # the correlation of 200,000 independent pairs has SE 1/sqrt(200000) = 0.0022; 4 SE
    assert abs(np.corrcoef(u, v)[0, 1]) < 4 / np.sqrt(u.size)


def test_neighbouring_runs_and_seeds_are_uncorrelated():
    u = RunRandom(5, np.arange(2000)).uniform("x", 0, 100)
    v = RunRandom(6, np.arange(2000)).uniform("x", 0, 100)
    adjacent = np.corrcoef(u[:-1].ravel(), u[1:].ravel())[0, 1]
    seeds = np.corrcoef(u.ravel(), v.ravel())[0, 1]
    for r in (adjacent, seeds):
        assert abs(r) < 4 / np.sqrt(u.size)


def test_draws_depend_only_on_coordinates(blocks):
    whole = RunRandom(9, np.arange(50)).uniform("p", 7, 31)
    parts = [
        RunRandom(9, np.arange(s, min(s + 13, 50))).uniform("p", 7, 31) for s in (0, 13, 26, 39)
    ]
    np.testing.assert_array_equal(whole, np.vstack(parts))
    np.testing.assert_array_equal(
        RunRandom(9, np.arange(50)).subset([3, 4]).uniform("p", 7, 31), whole[3:5]
    )
    # the first columns do not depend on how many columns are drawn
    np.testing.assert_array_equal(RunRandom(9, np.arange(50)).uniform("p", 7, 10), whole[:, :10])


@pytest.mark.parametrize("n", [1, 2, 7, 300, 301])
@pytest.mark.parametrize("share", [0.0005, 0.05, 0.3, 0.5, 1.0])
def test_draws_at_some_cells_are_those_of_the_whole_step(n, share, blocks):
    # cell by cell (few cells) or from whole rows (many), any order: bit for bit the same
    rr = RunRandom(7, np.arange(5, 405))
    whole = rr.uniform("x", 3, n).reshape(-1)
    k = max(1, int(share * whole.size))
    cells = np.random.default_rng(k).choice(whole.size, k, replace=False)
    v = rr.uniform_at("x", 3, n, cells)
    np.testing.assert_array_equal(v.astype(np.float32) * np.float32(2**-24), whole[cells])
    # and the integer bound decides every comparison as the float draw does, also at the
    # edges: p = 0, p = 1 and p equal to the draw itself
    p = np.random.default_rng(1).random(k).astype(np.float32)
    edges = np.array([0.0, 1.0, whole[cells[-1]]], dtype=np.float32)
    p[-min(k, 3) :] = edges[-min(k, 3) :]
    np.testing.assert_array_equal(v < unit_bound(p), whole[cells] < p)


def test_negative_seed_is_refused():
    with pytest.raises(ValueError, match="non-negative"):
        RunRandom(-1, np.arange(2))


def _inclusion_probabilities(weights: np.ndarray, k: int) -> np.ndarray:
    """Exact P(item chosen) for successive sampling without replacement, by enumeration."""
    n = len(weights)
    p = np.zeros(n)
    for order in itertools.permutations(range(n), k):
        prob, left = 1.0, weights.sum()
        for item in order:
            prob *= weights[item] / left
            left -= weights[item]
        p[list(order)] += prob
    return p


def test_weighted_sampling_matches_exact_inclusion_probabilities():
    weights = np.array([1.0, 2.0, 3.0, 0.5, 0.0, 4.0])
    runs = 20000
    u = RunRandom(1, np.arange(runs)).uniform("cohort", 0, len(weights))
    chosen = weighted_sample_without_replacement(u, weights, 2)
    assert (chosen.sum(axis=1) == 2).all()
    assert not chosen[:, 4].any()  # weight 0 is never chosen
    exact = _inclusion_probabilities(weights, 2)
    # binomial SE of each frequency is sqrt(p (1 - p) / runs) <= 0.0036; allow 4 SE
    se = np.sqrt(exact * (1 - exact) / runs)
    assert np.all(np.abs(chosen.mean(axis=0) - exact) <= 4 * se + 1e-12)


def test_weighted_sampling_per_run_weights_and_seats_match_exact_inclusion():
    # two weight vectors on alternate runs, 3 seats on some runs and 1 on others: each
    # run's inclusion frequencies are those of drawing one at a time among those left
    a = np.array([1.0, 2.0, 3.0, 0.5, 0.0, 4.0, 80.0])
    b = np.array([0.0, 5.0, 0.1, 0.1, 1.0, 0.0, 2.0])
    runs = 40000
    weights = np.where(np.arange(runs)[:, None] % 2 == 0, a, b)
    seats = np.where(np.arange(runs) % 4 < 2, 3, 1)
    u = RunRandom(8, np.arange(runs)).uniform("cohort", 0, len(a))
    chosen = weighted_sample_without_replacement(u, weights, seats)
    np.testing.assert_array_equal(chosen.sum(axis=1), seats)
    assert not (chosen & (weights == 0)).any()
    for w, k, rows in ((a, 3, 0), (b, 3, 1), (a, 1, 2), (b, 1, 3)):
        part = chosen[rows::4]
        exact = _inclusion_probabilities(w, k)
        # binomial SE of each frequency sqrt(p (1 - p) / 10,000) <= 0.005; allow 4 SE
        se = np.sqrt(exact * (1 - exact) / len(part))
        assert np.all(np.abs(part.mean(axis=0) - exact) <= 4 * se + 1e-12), (w, k)
    # each run's choice depends on its own draws and weights only (any batch)
    part = weighted_sample_without_replacement(u[100:137], weights[100:137], seats[100:137])
    np.testing.assert_array_equal(part, chosen[100:137])


def test_weighted_sampling_with_fewer_candidates_than_seats():
    u = RunRandom(1, np.arange(3)).uniform("c", 0, 4)
    chosen = weighted_sample_without_replacement(u, np.array([0.0, 1.0, 0.0, 2.0]), 3)
    np.testing.assert_array_equal(chosen.sum(axis=1), [2, 2, 2])
    per_run = weighted_sample_without_replacement(u, np.ones(4), np.array([0, 1, 4]))
    np.testing.assert_array_equal(per_run.sum(axis=1), [0, 1, 4])


def _one_seat_at_a_time(u: np.ndarray, weights: np.ndarray, seats: np.ndarray) -> np.ndarray:
    """Reference: per run, take the largest key log(u) / w one seat at a time, ties to the
    lower index, never a weight-0 item."""
    chosen = np.zeros(u.shape, dtype=bool)
    with np.errstate(divide="ignore"):
        keys = np.log(np.maximum(u.astype(np.float64), 1e-300)) / weights
    for r in range(u.shape[0]):
        left = [j for j in range(u.shape[1]) if weights[r, j] > 0]
        for _ in range(min(int(seats[r]), len(left))):
            best = max(left, key=lambda j: (keys[r, j], -j))
            chosen[r, best] = True
            left.remove(best)
    return chosen


@pytest.mark.parametrize("n_items, most_seats", [(40, 40), (300, 30), (3000, 25)])
def test_many_seats_are_the_largest_keys_one_seat_at_a_time(n_items, most_seats):
    # more than 16 seats take a candidate bound and a sort instead of an argmax per seat:
    # the same items, with draws on a coarse grid (ties at the boundary), weights of a few
    # values (equal keys across items), weight 0 and runs with fewer candidates than seats
    rng = np.random.default_rng(n_items)
    runs = 12
    u = rng.integers(0, 16, size=(runs, n_items)) / 16
    weights = rng.choice([0.0, 0.5, 1.0, 2.0], size=(runs, n_items))
    weights[0, 5:] = 0.0  # 5 candidates for up to most_seats seats
    seats = rng.integers(17, most_seats + 1, size=runs)
    chosen = weighted_sample_without_replacement(u, weights, seats)
    np.testing.assert_array_equal(chosen, _one_seat_at_a_time(u, weights, seats))


def test_equal_weights_take_the_largest_draws_and_ties_go_to_the_lower_index():
    # draws on a grid of 8 values: many ties at the k-th largest in every run
    rng = np.random.default_rng(4)
    u = (rng.integers(0, 8, size=(500, 30)) / 8).astype(np.float32)
    eligible = np.ones(30, dtype=bool)
    eligible[[3, 17]] = False
    chosen = weighted_sample_without_replacement(u, eligible.astype(float) * 2.5, 6)
    for r in range(len(u)):
        # by draw, largest first, then by index; the ineligible never
        order = [j for j in np.lexsort((np.arange(30), -u[r])) if eligible[j]]
        np.testing.assert_array_equal(np.flatnonzero(chosen[r]), np.sort(order[:6]))
    # a uniform draw of k: each eligible item is in with probability 6 / 28, whatever its
    # index (binomial SE sqrt(p (1 - p) / runs) = 0.0031 at 20,000 runs; 4 SE)
    runs = 20000
    u = RunRandom(2, np.arange(runs)).uniform("seed", 0, 30)
    share = weighted_sample_without_replacement(u, eligible.astype(float), 6).mean(axis=0)
    p = 6 / 28
    assert np.all(np.abs(share[eligible] - p) <= 4 * np.sqrt(p * (1 - p) / runs))
    assert not share[~eligible].any()


@pytest.mark.parametrize("n", [1, 7, 8, 9, 318])
def test_thinned_draws_do_not_depend_on_the_bound_or_the_batch(n, blocks):
    # below(p) returns every cell whose uniform is under p, with the same uniform whatever p
    # (p only decides which cells are looked at) and whatever runs share the batch
    rr = RunRandom(4, np.arange(300))
    every, u_every = rr.below("t", 9, n, 1.0)  # p = 1: all cells
    np.testing.assert_array_equal(every, np.arange(300 * n))
    for p in (0.0001, 0.03, 0.5):
        cells, u = rr.below("t", 9, n, p)
        np.testing.assert_array_equal(u, u_every[cells])
        np.testing.assert_array_equal(cells, every[u_every < np.ceil(256 * p) / 256])
        part, u_part = RunRandom(4, np.arange(100, 140)).below("t", 9, n, p)
        inside = (cells >= 100 * n) & (cells < 140 * n)
        np.testing.assert_array_equal(part + 100 * n, cells[inside])
        np.testing.assert_array_equal(u_part, u[inside])


@pytest.mark.parametrize("n", [7, 318])
def test_bounds_per_category_leave_out_only_cells_at_or_above_their_bound(n):
    # cells of three categories with their own bounds: every cell whose uniform is under
    # its category's bound is returned with its uniform, and none whose coarse byte already
    # puts it at or above (byte >= ceil(256 bound))
    rr = RunRandom(8, np.arange(200))
    every, u_every = rr.below("t", 3, n, 1.0)
    categories = (np.arange(200 * n) % 3).astype(np.int8)
    bounds = np.array([0.03, 0.004, 0.0], dtype=np.float32)
    cells, u = rr.below("t", 3, n, 0.03, categories=categories, bounds=bounds)
    np.testing.assert_array_equal(u, u_every[cells])
    bound = bounds.astype(np.float64)[categories]
    np.testing.assert_array_equal(cells, every[u_every < np.ceil(256 * bound) / 256])
    assert np.all(categories[cells] != 2)  # bound 0: never looked at
    under = every[u_every < bound]
    assert under.size > 0 and np.isin(under, cells).all()


def test_thinned_draws_are_uniform():
    _, u = RunRandom(123, np.arange(200)).below("test", 0, 1000, 1.0)
    assert u.min() >= 0 and u.max() < 1 and u.size == 200_000
    counts, _ = np.histogram(u, bins=256, range=(0, 1))  # one bin per coarse byte
    # a correct generator fails at level 1e-4 once in 10,000 seeds; this seed is fixed
    assert stats.chisquare(counts).pvalue > 1e-4
    assert stats.kstest(u, "uniform").pvalue > 1e-4
    # within the lowest byte the fine part is uniform too (the cells a small p looks at)
    low = u[u < 1 / 256] * 256
    assert stats.kstest(low, "uniform").pvalue > 1e-4
    # and the coarse and the fine streams are uncorrelated: 200,000 pairs, SE 0.0022; 4 SE
    coarse, fine = np.divmod(u * 256, 1)
    assert abs(np.corrcoef(coarse, fine)[0, 1]) < 4 / np.sqrt(u.size)
