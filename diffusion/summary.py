"""Figures that describe a compiled organisation.

head counts, ties, degree, clustering, and distances between departments.

It works on a :class:`~diffusion.compile.CompiledOrg`, so it sits above the compile step and
:mod:`diffusion.org` does not import upward.

Examples
--------
>>> import networkx as nx
>>> from diffusion.compile import compile_graph
>>> G = nx.path_graph(["a", "b", "c"])
>>> nx.set_node_attributes(G, "X", "department")
>>> s = summarise(compile_graph(G))
>>> s.n_people, s.mean_degree, s.path_lengths.tolist()
(3, 1.3333333333333333, [[1.3333333333333333]])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.csgraph import shortest_path

from diffusion.compile import CompiledOrg


@dataclass(frozen=True)
class OrgSummary:
    """Summary of an organisation.

    Attributes
    ----------
    name : str
        Name of the organisation.
    n_people, n_staff : int
        Nodes, and nodes that are staff.
    people_by : dict of str to dict of str to int
        Head counts per ``"department"``, ``"team"``, ``"role"`` label (``""``: none).
    ties_by_kind : dict of str to int
        Ties per graph tie kind (a line tie counts once).
    mean_degree : float
        Mean number of distinct people a person is tied to.
    clustering : float
        Mean local clustering coefficient (nodes with fewer than two ties count as 0, as in
        :func:`networkx.average_clustering`), ties of every kind, unweighted.
    departments : tuple of str
        Departments, in the order of ``path_lengths``.
    path_lengths : float array ``(departments, departments)``
        Mean shortest-path length in ties (hops, unweighted) from a person of the row's
        department to a person of the column's (other than themselves); NaN where no pair is
        connected. Computed from at most ``max_sources`` sampled people per department.
    """

    name: str
    n_people: int
    n_staff: int
    people_by: dict[str, dict[str, int]]
    ties_by_kind: dict[str, int]
    mean_degree: float
    clustering: float
    departments: tuple[str, ...]
    path_lengths: np.ndarray


def summarise(org: CompiledOrg, *, max_sources: int = 200, seed: int = 0) -> OrgSummary:
    """Summarise a compiled organisation (see :class:`OrgSummary`).

    Parameters
    ----------
    org : CompiledOrg
        The organisation (:func:`diffusion.compile.compile_graph` of a graph).
    max_sources : int
        At most this many people per department are the sources of the path lengths.
    seed : int
        Seed of the draw of those sources (recorded in nothing else: the same seed gives
        the same summary).
    """
    adjacency = _adjacency(org)
    people_by = {}
    for grouping in ("department", "team", "role"):
        counts = np.bincount(org.groups[grouping], minlength=len(org.group_labels[grouping]))
        people_by[grouping] = dict(zip(org.group_labels[grouping], counts.tolist(), strict=True))
    ties = {k: org.weights[k].nnz // 2 for k in org.weights if not k.startswith("line_")}
    if "line_down" in org.weights:
        ties = {"line": org.weights["line_down"].nnz} | ties
    departments = tuple(d for d in org.group_labels["department"] if d)
    return OrgSummary(
        name=org.name,
        n_people=org.n_nodes,
        n_staff=int(org.is_staff.sum()),
        people_by=people_by,
        ties_by_kind=ties,
        mean_degree=adjacency.nnz / org.n_nodes if org.n_nodes else 0.0,
        clustering=float(local_clustering(adjacency).mean()) if org.n_nodes else 0.0,
        departments=departments,
        path_lengths=_department_distances(org, adjacency, departments, max_sources, seed),
    )


def _adjacency(org: CompiledOrg) -> sp.csr_array:
    """Unweighted symmetric 0/1 adjacency of all tie kinds, ``(nodes, nodes)`` float64."""
    a = org.combined + org.combined.T
    a = sp.csr_array((np.ones(a.nnz), a.indices, a.indptr), shape=a.shape)
    a.setdiag(0)
    a.eliminate_zeros()
    return a


def local_clustering(adjacency: sp.csr_array) -> np.ndarray:
    """Local clustering coefficient per node of a 0/1 symmetric adjacency, ``(nodes,)``."""
    degree = np.asarray(adjacency.sum(axis=1)).ravel()
    triangles = np.asarray((adjacency @ adjacency).multiply(adjacency).sum(axis=1)).ravel() / 2
    pairs = degree * (degree - 1) / 2
    return np.asarray(np.divide(triangles, pairs, out=np.zeros_like(pairs), where=pairs > 0))


def _department_distances(
    org: CompiledOrg,
    adjacency: sp.csr_array,
    departments: tuple[str, ...],
    max_sources: int,
    seed: int,
) -> np.ndarray:
    rng = np.random.default_rng(seed)
    members = [np.flatnonzero(org.mask("department", d)) for d in departments]
    out = np.full((len(departments), len(departments)), np.nan)
    for a, sources in enumerate(members):
        if sources.size > max_sources:
            sources = np.sort(rng.choice(sources, size=max_sources, replace=False))
        if sources.size == 0:
            continue
        dist = shortest_path(adjacency, unweighted=True, directed=False, indices=sources)
        dist[np.arange(sources.size), sources] = np.nan  # not to oneself
        for b, targets in enumerate(members):
            block = dist[:, targets]
            finite = block[np.isfinite(block)]
            if finite.size:
                out[a, b] = finite.mean()
    return out
