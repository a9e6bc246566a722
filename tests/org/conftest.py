"""Fixtures shared by the organisation tests."""

from __future__ import annotations

from collections.abc import Callable

import networkx as nx
import pytest

from diffusion.org.etten_leur import etten_leur
from diffusion.org.spec import OrgSpec, spec_from_dict

SMALL_SPEC = {
    "name": "Small",
    "seed": 3,
    "team_defaults": {"size": [6, 9], "clusters": 2, "policy_officer_share": 0.2},
    "departments": [
        {
            "name": "A",
            "side": "soft",
            "teams": [{"name": "A1"}, {"name": "A2", "leader_is_head": True, "size": 5}],
        },
        {"name": "B", "side": "hard", "teams": [{"name": "B1", "clusters": 3, "size": [7, 8]}]},
    ],
    "people": [{"name": "Kim", "team": "B1", "role": "employee"}],
    "board": {
        "mayor": True,
        "aldermen": 2,
        "ties": [{"alderman": 2, "people": ["Kim"], "sample": 1}],
    },
    "external": {"partners": 2, "ties_each": 1},
}


def canonical(G: nx.Graph) -> tuple[list, list]:
    """Nodes and ties with their attributes, sorted: equal iff the graphs are the same."""
    nodes = sorted((str(n), sorted(d.items())) for n, d in G.nodes(data=True))
    edges = sorted(
        (tuple(sorted((str(u), str(v)))), sorted(d.items())) for u, v, d in G.edges(data=True)
    )
    return nodes, edges


@pytest.fixture
def canon() -> Callable[[nx.Graph], tuple[list, list]]:
    return canonical


@pytest.fixture(scope="session")
def el_graph() -> nx.Graph:
    """The built-in Etten-Leur graph, seed 0 (do not modify it in a test)."""
    return etten_leur(0)


@pytest.fixture
def small_spec() -> OrgSpec:
    return spec_from_dict(SMALL_SPEC)


@pytest.fixture
def small_spec_dict() -> dict:
    import copy

    return copy.deepcopy(SMALL_SPEC)
