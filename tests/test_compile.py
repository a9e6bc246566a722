"""The compile step: graph to arrays."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
import scipy.sparse as sp

from diffusion.compile import DEFAULT_WORKLOAD, GROUPINGS, compile_graph
from diffusion.org.etten_leur import etten_leur
from diffusion.org.graph import managers
from diffusion.vocabulary import COMPILED_TIE_KINDS, DEFAULT_TIE_WEIGHTS, ROLES


@pytest.fixture(scope="module")
def graph() -> nx.Graph:
    return etten_leur(0)


@pytest.fixture(scope="module")
def org(graph):
    return compile_graph(graph)


def test_shapes_and_dtypes(org, graph):
    n = graph.number_of_nodes()
    assert org.n_nodes == n and org.name == "Etten-Leur"
    assert set(org.weights) == set(COMPILED_TIE_KINDS) - {"project"}
    for w in org.weights.values():
        assert isinstance(w, sp.csr_array) and w.shape == (n, n) and w.dtype == np.float32
    assert set(org.groups) == set(GROUPINGS) == set(org.group_labels)
    for g in GROUPINGS:
        assert org.groups[g].shape == (n,) and org.groups[g].dtype == np.int16
        assert org.groups[g].max() < len(org.group_labels[g])
    assert org.workload.dtype == np.float32 and org.manager.dtype == np.int32
    assert org.is_staff.dtype == bool and org.is_staff.sum() == 305


def test_undirected_kinds_are_symmetric_with_their_weight(org, graph):
    for kind, w in org.weights.items():
        if kind.startswith("line_"):
            continue
        assert (w != w.T).nnz == 0, kind
        assert np.all(w.data == np.float32(DEFAULT_TIE_WEIGHTS[kind]))
        n_ties = sum(d["kind"] == kind for *_, d in graph.edges(data=True))
        assert w.nnz == 2 * n_ties


def test_line_directions_and_manager(org, graph):
    down, up = org.weights["line_down"], org.weights["line_up"]
    assert ((down.T > 0) != (up > 0)).nnz == 0  # same pairs, opposite direction
    i = org.index
    for report, boss in managers(graph).items():
        r, m = i[report], i[boss]
        assert down[r, m] == np.float32(0.8) and up[m, r] == np.float32(0.4)
        assert down[m, r] == 0 and up[r, m] == 0
        assert org.manager[r] == m
    assert org.manager[i["secretary"]] == -1 and org.manager[i["mayor"]] == -1
    assert (org.manager >= 0).sum() == 304


def test_node_order_and_group_codes(org, graph):
    assert org.node_ids[0] == "secretary"  # staff, department "", role secretary
    assert org.group_labels["kind"] == ("staff", "board", "external")
    assert org.group_labels["team"][:4] == ("", "T1", "T2", "T3")  # natural order
    assert org.group_labels["role"] == ROLES  # every role present, in ROLES order
    assert "T14/c7" in org.group_labels["cluster"]
    order = ("kind", "department", "team", "role", "cluster")
    keys = np.stack([org.groups[g] for g in order])
    flat = np.ravel_multi_index(keys, [len(org.group_labels[g]) for g in order])
    assert np.all(np.diff(flat) >= 0)  # sorted by the group codes, in this order
    for pos, node in enumerate(org.node_ids):
        d = graph.nodes[node]
        for g in ("department", "team", "role", "side", "kind"):
            assert org.group_labels[g][org.groups[g][pos]] == d[g]
        assert org.workload[pos] == np.float32(d["workload"])
    # every (team, role) cell of a team is one contiguous slice
    cells = list(zip(org.groups["team"], org.groups["role"], strict=True))
    runs = [c for k, c in enumerate(cells) if c[0] and (k == 0 or c != cells[k - 1])]
    assert len(runs) == len(set(runs)) == 14 * 3  # employee, policy officer, leader
    t14 = org.mask("cluster", "T14/c3")
    assert t14.sum() == sum(
        d["team"] == "T14" and d["cluster"] == "c3" for _, d in graph.nodes(data=True)
    )


def test_compile_is_deterministic_and_independent_of_insertion_order(graph, org):
    shuffled = nx.Graph()
    rng = np.random.default_rng(1)
    nodes = list(graph.nodes(data=True))
    for k in rng.permutation(len(nodes)):
        shuffled.add_node(nodes[k][0], **nodes[k][1])
    edges = list(graph.edges(data=True))
    for k in rng.permutation(len(edges)):
        shuffled.add_edge(*edges[k][:2], **edges[k][2])
    other = compile_graph(shuffled)
    assert other.node_ids == org.node_ids
    for kind, w in org.weights.items():
        assert (other.weights[kind] != w).nnz == 0


def test_plain_graph():
    G = nx.fast_gnp_random_graph(10_000, 0.001, seed=2)
    org = compile_graph(G)
    assert org.node_ids[:3] == ("0", "1", "2") and org.node_ids[-1] == "9999"
    assert list(org.weights) == ["team"]
    w = org.weights["team"]
    assert w.nnz == 2 * G.number_of_edges() and np.all(w.data == 1.0)
    assert (w != w.T).nnz == 0
    assert org.is_staff.all() and np.all(org.manager == -1)
    assert np.all(org.workload == np.float32(DEFAULT_WORKLOAD))
    assert org.group_labels["department"] == ("",) and org.group_labels["kind"] == ("staff",)
    assert np.all(org.groups["team"] == 0)


def test_plain_graph_with_some_attributes():
    G = nx.MultiGraph()
    G.add_edge(1, 2, kind="cluster")
    G.add_edge(1, 2, kind="cluster", weight=0.5)  # parallel ties of a kind add up
    G.add_edge(2, 3, weight=2.0)
    G.add_edge(3, 3)  # self-loops are dropped
    org = compile_graph(G, name="toy")
    assert org.name == "toy"
    assert org.weights["cluster"][0, 1] == np.float32(1.5)
    assert org.weights["team"][1, 2] == np.float32(2.0)
    assert org.weights["team"].nnz == 2


def test_errors():
    G = nx.Graph()
    G.add_edge("a", "b", kind="friend")
    with pytest.raises(ValueError, match="unknown tie kind 'friend'"):
        compile_graph(G)
    G = nx.Graph([(1, "1")])
    with pytest.raises(ValueError, match="same id"):
        compile_graph(G)
    G = nx.Graph()
    G.add_edge("a", "b", kind="line", manager="c")
    with pytest.raises(ValueError, match="manager"):
        compile_graph(G)
    G = nx.Graph()
    G.add_node("a", kind="alien")
    with pytest.raises(ValueError, match="unknown node kind"):
        compile_graph(G)


@pytest.mark.slow
def test_large_plain_graph_compiles_every_tie():
    # speed is measured in benchmarks/, not asserted here
    G = nx.gnm_random_graph(100_000, 500_000, seed=1)
    org = compile_graph(G)
    assert org.n_nodes == 100_000
    assert org.weights["team"].nnz == 1_000_000
