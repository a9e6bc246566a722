"""Summaries of a compiled organisation."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp

from diffusion.compile import compile_graph
from diffusion.org.etten_leur import etten_leur
from diffusion.summary import local_clustering, summarise


@pytest.fixture(scope="module")
def el_graph() -> nx.Graph:
    """The built-in Etten-Leur graph, seed 0 (do not modify it in a test)."""
    return etten_leur(0)


def test_summary_of_etten_leur(el_graph):
    s = summarise(compile_graph(el_graph))
    assert s.name == "Etten-Leur" and s.n_staff == 305 and s.n_people == el_graph.number_of_nodes()
    assert s.departments == ("B", "C", "O", "S")
    assert s.people_by["team"]["T14"] == 28 and s.people_by["role"]["head"] == 4
    assert sum(s.people_by["department"].values()) == s.n_people
    kinds = {k: 0 for k in s.ties_by_kind}
    for *_, d in el_graph.edges(data=True):
        kinds[d["kind"]] += 1
    assert kinds == s.ties_by_kind
    assert s.mean_degree == pytest.approx(2 * el_graph.number_of_edges() / s.n_people)
    assert s.clustering == pytest.approx(nx.average_clustering(el_graph), rel=1e-9)
    assert s.path_lengths.shape == (4, 4)
    # people are closer inside their own department than across
    inside = np.diag(s.path_lengths)
    across = s.path_lengths[~np.eye(4, dtype=bool)]
    assert inside.max() < across.min()


def test_department_distances_exact_on_a_path():
    G = nx.Graph()
    for n, dept in zip("abcd", "XXYY", strict=True):
        G.add_node(n, department=dept)
    nx.add_path(G, "abcd")
    s = summarise(compile_graph(G))
    # X->X: a-b 1; X->Y: a-c 2, a-d 3, b-c 1, b-d 2 -> 2
    np.testing.assert_allclose(s.path_lengths, [[1.0, 2.0], [2.0, 1.0]])
    G.remove_edge("b", "c")
    assert np.isnan(summarise(compile_graph(G)).path_lengths[0, 1])


def test_local_clustering_matches_networkx():
    G = nx.erdos_renyi_graph(60, 0.15, seed=3)
    a = sp.csr_array(nx.to_scipy_sparse_array(G, dtype=float))
    expected = nx.clustering(G)
    np.testing.assert_allclose(local_clustering(a), [expected[n] for n in G])
