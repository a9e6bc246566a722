"""Plain per-node networkx loops: the SIR and fractional-threshold code a user would write.

These are the yardsticks of the vectorised engine: one run at a time, Python loops over
nodes and their neighbours, one ``numpy.random.Generator`` for the draws. They use the same
model definitions as :mod:`diffusion.models.epidemic` and :mod:`diffusion.models.threshold`
(synchronous steps; a tie of weight ``w`` transmits with ``1 - (1 - beta) ** w``; a person
activates when the weighted share of active in-ties reaches the threshold), so their outcomes
agree in distribution with the engine's, and the benchmark checks the mean final sizes.

The graph is a :class:`networkx.DiGraph` with an edge ``j -> i`` of weight ``w`` wherever
``j`` influences ``i`` (:func:`to_networkx` builds it from a compiled organisation, so both
sides see exactly the same ties).
"""

from __future__ import annotations

import networkx as nx
import numpy as np

from diffusion.compile import CompiledOrg

SUSCEPTIBLE, INFECTED, RECOVERED = 0, 1, 2


def to_networkx(org: CompiledOrg) -> nx.DiGraph:
    """The influence ties of ``org`` as a DiGraph: edge ``j -> i`` with ``weight`` ``W[i, j]``."""
    return nx.from_scipy_sparse_array(org.combined.T.tocsr(), create_using=nx.DiGraph)


def sir_loop(
    G: nx.DiGraph,
    beta: float,
    gamma: float,
    n_initial: int,
    n_steps: int,
    rng: np.random.Generator,
    eligible: list | None = None,
) -> np.ndarray:
    """One discrete-time SIR run; counts ``(steps run + 1, 3)`` of S, I, R per step.

    Stops early when nobody is infected. ``n_initial`` people drawn uniformly from
    ``eligible`` (default: all nodes) are infected at step 0.
    """
    nodes = list(G)
    pool = nodes if eligible is None else eligible
    state = dict.fromkeys(nodes, SUSCEPTIBLE)
    seeds = [pool[k] for k in rng.choice(len(pool), size=n_initial, replace=False)]
    for node in seeds:
        state[node] = INFECTED
    infected = set(seeds)
    counts = [(len(nodes) - len(infected), len(infected), 0)]
    n_recovered = 0
    for _ in range(n_steps):
        if not infected:
            break
        newly_infected = set()
        recovering = []
        for node in infected:
            for neighbour, data in G.adj[node].items():
                if state[neighbour] != SUSCEPTIBLE or neighbour in newly_infected:
                    continue
                if rng.random() < 1.0 - (1.0 - beta) ** data["weight"]:
                    newly_infected.add(neighbour)
            if rng.random() < gamma:
                recovering.append(node)
        for node in recovering:
            state[node] = RECOVERED
        for node in newly_infected:
            state[node] = INFECTED
        infected.difference_update(recovering)
        infected |= newly_infected
        n_recovered += len(recovering)
        counts.append((len(nodes) - len(infected) - n_recovered, len(infected), n_recovered))
    return np.array(counts)


def threshold_loop(
    G: nx.DiGraph,
    threshold: float,
    n_initial: int,
    n_steps: int,
    rng: np.random.Generator,
    eligible: list | None = None,
) -> np.ndarray:
    """One fractional-threshold run; counts ``(steps run + 1, 2)`` of inactive, active.

    Every step, every inactive person whose active in-ties weigh at least ``threshold`` of
    all their in-ties becomes active (synchronously). Stops early when nobody changed.
    """
    nodes = list(G)
    pool = nodes if eligible is None else eligible
    total_weight = {node: sum(w for _, _, w in G.in_edges(node, data="weight")) for node in nodes}
    active = dict.fromkeys(nodes, False)
    for k in rng.choice(len(pool), size=n_initial, replace=False):
        active[pool[k]] = True
    n_active = sum(active.values())
    counts = [(len(nodes) - n_active, n_active)]
    for _ in range(n_steps):
        newly_active = []
        for node in nodes:
            if active[node] or total_weight[node] <= 0:
                continue
            pressure = 0.0
            for neighbour, data in G.pred[node].items():
                if active[neighbour]:
                    pressure += data["weight"]
            if pressure >= threshold * total_weight[node] * (1 - 1e-6):
                newly_active.append(node)
        if not newly_active:
            break
        for node in newly_active:
            active[node] = True
        n_active += len(newly_active)
        counts.append((len(nodes) - n_active, n_active))
    return np.array(counts)
