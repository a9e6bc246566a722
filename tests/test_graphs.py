"""Standard populations: sizes, symmetry, degrees within sampling error, determinism."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import binom, chisquare

from diffusion import graphs


def _check_simple_symmetric(org) -> None:
    w = org.combined
    assert (w != w.T).nnz == 0
    assert np.all(w.diagonal() == 0)
    assert w.has_canonical_format


def test_erdos_renyi_mean_degree_within_sampling_error():
    # The edge count M ~ Bin(n(n-1)/2, p), so the mean degree 2M/n has
    # sd = 2 sqrt(N_pairs p (1 - p)) / n; allow 4 sd.
    n, mean_degree = 5000, 8.0
    org = graphs.erdos_renyi(n, mean_degree, seed=11)
    _check_simple_symmetric(org)
    n_pairs, p = n * (n - 1) / 2, mean_degree / (n - 1)
    sd = 2 * np.sqrt(n_pairs * p * (1 - p)) / n
    assert abs(org.combined.nnz / n - mean_degree) < 4 * sd
    # degree distribution is Binomial(n - 1, p): chi-square over bins with expected >= 5
    degree = np.diff(org.combined.indptr)
    k = np.arange(3, 15)
    observed = [np.sum(degree <= 2), *[np.sum(degree == v) for v in k], np.sum(degree >= 15)]
    cdf = binom.cdf
    expected = n * np.array([cdf(2, n - 1, p), *binom.pmf(k, n - 1, p), 1 - cdf(14, n - 1, p)])
    assert chisquare(observed, expected * sum(observed) / expected.sum()).pvalue > 1e-4


def test_erdos_renyi_determinism_and_dense_case():
    a = graphs.erdos_renyi(500, 5.0, seed=3)
    b = graphs.erdos_renyi(500, 5.0, seed=3)
    c = graphs.erdos_renyi(500, 5.0, seed=4)
    assert (a.combined != b.combined).nnz == 0
    assert (a.combined != c.combined).nnz > 0
    dense = graphs.erdos_renyi(50, 40.0, seed=1)
    _check_simple_symmetric(dense)
    assert abs(dense.combined.nnz / 50 - 40.0) < 4 * 2 * np.sqrt(1225 * 40 / 49 * 9 / 49) / 50


def test_ring_lattice_and_complete():
    org = graphs.ring_lattice(10, 4)
    _check_simple_symmetric(org)
    assert np.all(np.diff(org.combined.indptr) == 4)
    assert set(org.combined[[0]].indices) == {1, 2, 8, 9}
    full = graphs.complete(7)
    assert full.combined.nnz == 42
    with pytest.raises(ValueError, match="even"):
        graphs.ring_lattice(10, 3)


def test_watts_strogatz_keeps_ties_and_rewires_about_p():
    n, k, p = 2000, 6, 0.2
    org = graphs.watts_strogatz(n, k, p, seed=5)
    _check_simple_symmetric(org)
    assert org.combined.nnz == n * k  # n k / 2 ties, both directions
    lattice = graphs.ring_lattice(n, k).combined
    # each of the n k / 2 ties is rewired with probability p (a rewired tie lands back on
    # a lattice place with probability < k / n, ignored): 4 binomial sd
    moved = (org.combined - lattice).count_nonzero() / 4  # a moved tie changes 4 entries
    n_ties = n * k / 2
    assert abs(moved - p * n_ties) < 4 * np.sqrt(n_ties * p * (1 - p)) + n_ties * k / n
    same = graphs.watts_strogatz(n, k, 0.0, seed=1)
    assert (same.combined != lattice).nnz == 0
    again = graphs.watts_strogatz(n, k, p, seed=5)
    assert (again.combined != org.combined).nnz == 0


def test_from_edges_merges_duplicates_drops_loops_and_labels():
    org = graphs.from_edges(4, [0, 1, 2, 3], [1, 0, 2, 0], weight=np.array([0.5, 0.7, 1, 2]))
    w = org.combined.toarray()
    expected = np.zeros((4, 4), np.float32)
    expected[0, 1] = expected[1, 0] = 0.5
    expected[0, 3] = expected[3, 0] = 2.0
    np.testing.assert_array_equal(w, expected)
    assert list(org.weights) == ["team"]
    assert org.is_staff.all() and org.group_labels["department"] == ("",)
    assert org.node_ids[3] == "3"
    with pytest.raises(ValueError, match="lie in"):
        graphs.from_edges(3, [0], [3])


def test_from_edges_at_100k_nodes_keeps_every_distinct_tie():
    # speed is measured in benchmarks/, not asserted here
    rng = np.random.default_rng(0)
    src, dst = rng.integers(0, 100_000, (2, 500_000))
    org = graphs.from_edges(100_000, src, dst)
    keep = src != dst
    pairs = np.unique(np.sort(np.stack([src[keep], dst[keep]]), axis=0), axis=1)
    assert org.n_nodes == 100_000 and org.combined.nnz == 2 * pairs.shape[1]
