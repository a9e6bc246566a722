"""Standard populations as :class:`~diffusion.compile.CompiledOrg`, built from numpy arrays.

For the textbook models and their analytic results: random graphs (Erdos and Renyi 1959,
Gilbert 1959), small worlds (Watts and Strogatz 1998), ring lattices and complete graphs.
Every node is a staff member in one group labelled ``""`` for every grouping (``"staff"`` for
``kind``), and every tie is undirected, of the tie kind ``"team"``.

No networkx: :func:`from_edges` sorts edge keys once and builds the CSR arrays directly, so
100,000 nodes and 500,000 edges take a fraction of a second.

Examples
--------
>>> org = ring_lattice(6, 2)
>>> org.n_nodes, org.combined.nnz
(6, 12)
>>> er = erdos_renyi(1000, 8.0, seed=1)
>>> bool(abs(er.combined.nnz / 1000 - 8.0) < 1.0), er.name
(True, 'erdos_renyi(1000, 8.0, seed=1)')
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from diffusion.compile import GROUPINGS, CompiledOrg

#: the tie kind of every tie in these graphs
TIE_KIND = "team"


def _unique_first(keys: np.ndarray) -> np.ndarray:
    """Return the indices of the first occurrence of each distinct key, in that order.

    Sort-and-mask (a stable argsort, then a neighbour comparison): numpy 2.4's ``np.unique``
    is many times slower on int64 keys.
    """
    order = np.argsort(keys, kind="stable")
    sorted_keys = keys[order]
    first = np.ones(keys.size, dtype=bool)
    first[1:] = sorted_keys[1:] != sorted_keys[:-1]
    return np.sort(order[first])


def from_edges(
    n: int,
    src: np.ndarray,
    dst: np.ndarray,
    weight: float | np.ndarray = 1.0,
    name: str = "graph",
) -> CompiledOrg:
    """Return a population of ``n`` staff members joined by undirected ties.

    Parameters
    ----------
    n : int
        Number of nodes.
    src, dst : int arrays ``(edges,)``
        End points (positions in ``[0, n)``) of each tie. Self-loops are dropped; a pair given
        more than once (in either direction) keeps its first weight.
    weight : float or float array ``(edges,)``
        Influence weight of each tie (dimensionless, > 0), the same in both directions.
    name : str
        Name of the population, for provenance.

    Returns
    -------
    CompiledOrg
        With one tie kind, ``"team"``, as a symmetric float32 ``csr_array``.
    """
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    src = np.asarray(src, dtype=np.int64).reshape(-1)
    dst = np.asarray(dst, dtype=np.int64).reshape(-1)
    if src.shape != dst.shape:
        raise ValueError(f"src and dst differ in length: {src.size} != {dst.size}")
    if src.size and (min(src.min(), dst.min()) < 0 or max(src.max(), dst.max()) >= n):
        raise ValueError(f"edge end points must lie in [0, {n})")
    w = np.broadcast_to(np.asarray(weight, dtype=np.float32), src.shape)
    if w.size and not np.all(w > 0):
        raise ValueError("tie weights must be positive")
    lo, hi = np.minimum(src, dst), np.maximum(src, dst)
    keep = lo != hi
    lo, hi, w = lo[keep], hi[keep], w[keep]
    first = _unique_first(lo * n + hi)
    lo, hi, w = lo[first], hi[first], w[first]
    rows = np.concatenate([lo, hi])
    cols = np.concatenate([hi, lo])
    data = np.concatenate([w, w])
    order = np.argsort(rows * n + cols)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=n), out=indptr[1:])
    index_dtype = np.int32 if rows.size < np.iinfo(np.int32).max else np.int64
    matrix = sp.csr_array(
        (data[order], cols[order].astype(index_dtype), indptr.astype(index_dtype)), shape=(n, n)
    )
    matrix.has_sorted_indices = True
    matrix.has_canonical_format = True
    groups = {g: np.zeros(n, dtype=np.int32) for g in GROUPINGS}
    labels = {g: ("staff",) if g == "kind" else ("",) for g in GROUPINGS}
    return CompiledOrg(
        node_ids=tuple(map(str, range(n))),
        weights={TIE_KIND: matrix},
        groups=groups,
        group_labels=labels,
        workload=np.zeros(n, dtype=np.float32),
        manager=np.full(n, -1, dtype=np.int32),
        is_staff=np.ones(n, dtype=bool),
        name=name,
    )


def erdos_renyi(n: int, mean_degree: float, *, seed: int) -> CompiledOrg:
    """G(n, p) random graph with ``p = mean_degree / (n - 1)``.

    The number of edges is drawn from ``Binomial(n (n - 1) / 2, p)``; then uniform unordered
    pairs are drawn until that many distinct ones are found (the first distinct pairs of an
    i.i.d. sequence are a uniform subset), so the graph has exactly the G(n, p) law.

    Parameters
    ----------
    n : int
        Number of nodes.
    mean_degree : float
        Expected number of ties per node, in ``[0, n - 1]``.
    seed : int
        Seed of ``numpy.random.default_rng``; recorded in the population's name
        (``"erdos_renyi(1000, 8.0, seed=1)"``), so the graph can be drawn again.
    """
    if n < 0 or not 0 <= mean_degree <= max(n - 1, 0):
        raise ValueError(f"need n >= 0 and 0 <= mean_degree <= n - 1, got {n}, {mean_degree}")
    name = f"erdos_renyi({n}, {mean_degree}, seed={seed})"
    rng = np.random.default_rng(seed)
    n_pairs = n * (n - 1) // 2
    p = mean_degree / (n - 1) if n > 1 else 0.0
    n_edges = int(rng.binomial(n_pairs, p)) if n_pairs else 0
    if n_edges > n_pairs // 2:
        # dense: rejection would stall, so take a uniform subset of all pairs
        i, j = np.triu_indices(n, 1)
        pick = rng.permutation(n_pairs)[:n_edges]
        return from_edges(n, i[pick], j[pick], name=name)
    keys = np.empty(0, dtype=np.int64)
    while keys.size < n_edges:
        want = n_edges - keys.size
        draw = int(want * 1.05) + 16
        a = rng.integers(0, n, draw)
        b = rng.integers(0, n, draw)
        ok = a != b
        lo, hi = np.minimum(a[ok], b[ok]), np.maximum(a[ok], b[ok])
        keys = np.concatenate([keys, lo * n + hi])
        keys = keys[_unique_first(keys)]
    keys = keys[:n_edges]
    return from_edges(n, keys // n, keys % n, name=name)


def ring_lattice(n: int, k: int) -> CompiledOrg:
    """Ring of ``n`` nodes, each tied to its ``k / 2`` nearest neighbours on either side.

    Parameters
    ----------
    n : int
        Number of nodes.
    k : int
        Degree of every node; even, ``0 <= k < n``.
    """
    src, dst = _ring_edges(n, k)
    return from_edges(n, src, dst, name=f"ring_lattice({n}, {k})")


def _ring_edges(n: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    if k % 2 or not 0 <= k < max(n, 1):
        raise ValueError(f"k must be even with 0 <= k < n, got k={k}, n={n}")
    node = np.arange(n, dtype=np.int64)
    src = np.tile(node, k // 2)
    dst = (src + np.repeat(np.arange(1, k // 2 + 1), n)) % n
    return src, dst


def watts_strogatz(n: int, k: int, p: float, *, seed: int) -> CompiledOrg:
    """Small-world graph (Watts and Strogatz 1998): a ring lattice with rewired ties.

    Each lattice tie ``(i, i + d)`` keeps ``i`` and, with probability ``p``, moves its far
    end to a uniform node, avoiding self-loops and existing ties (redrawn until valid). The
    number of ties stays ``n k / 2``. All ties are decided at once rather than one after
    another as in networkx, so the law differs slightly from ``nx.watts_strogatz_graph``.

    Parameters
    ----------
    n, k : int
        Number of nodes and lattice degree (even, ``k < n``).
    p : float
        Rewiring probability per tie, in [0, 1].
    seed : int
        Seed of ``numpy.random.default_rng``; recorded in the population's name.

    Examples
    --------
    >>> watts_strogatz(10, 4, 0.1, seed=2).name
    'watts_strogatz(10, 4, 0.1, seed=2)'
    """
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"p must be in [0, 1], got {p}")
    src, dst = _ring_edges(n, k)
    rng = np.random.default_rng(seed)
    rewire = rng.random(src.size) < p
    if k >= n - 1:
        rewire[:] = False  # complete graph: nowhere to move a tie to
    kept = np.sort(np.minimum(src, dst)[~rewire] * n + np.maximum(src, dst)[~rewire])
    moving = np.flatnonzero(rewire)
    new_dst = dst.copy()
    while moving.size:
        cand = rng.integers(0, n, moving.size)
        a = src[moving]
        keys = np.minimum(a, cand) * n + np.maximum(a, cand)
        pos = np.searchsorted(kept, keys)
        taken = (pos < kept.size) & (kept[np.minimum(pos, kept.size - 1)] == keys)
        valid = (cand != a) & ~taken
        first = np.zeros(moving.size, dtype=bool)
        first[_unique_first(keys)] = True
        valid &= first
        new_dst[moving[valid]] = cand[valid]
        kept = np.sort(np.concatenate([kept, keys[valid]]))
        moving = moving[~valid]
    return from_edges(n, src, new_dst, name=f"watts_strogatz({n}, {k}, {p}, seed={seed})")


def complete(n: int) -> CompiledOrg:
    """Complete graph on ``n`` nodes (every pair tied)."""
    i, j = np.triu_indices(n, 1)
    return from_edges(n, i, j, name=f"complete({n})")
