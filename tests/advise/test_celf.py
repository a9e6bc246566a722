"""CELF against the plain greedy and exhaustive search on set functions with known answers."""

from __future__ import annotations

import itertools

import numpy as np

from diffusion.advisor.celf import greedy
from diffusion.advisor.constraints import Constraints
from diffusion.advisor.exhaustive import exhaustive
from diffusion.graphs import complete

ORG = complete(12)


class Counting:
    """Wraps a set function and counts the sets it is asked for."""

    def __init__(self, f):
        self.f, self.calls = f, 0

    def __call__(self, sets):
        self.calls += len(sets)
        return [float(self.f(frozenset(s))) for s in sets]


def coverage(seed: int):
    """A weighted coverage function (submodular): person i covers a random set of items."""
    rng = np.random.default_rng(seed)
    covers = rng.random((ORG.n_nodes, 30)) < 0.15
    weight = rng.random(30)
    return lambda s: weight[covers[list(s)].any(axis=0)].sum() if s else 0.0


def test_on_a_submodular_function_celf_is_the_greedy_with_fewer_evaluations():
    for seed in range(5):
        lazy, plain = Counting(coverage(seed)), Counting(coverage(seed))
        con = Constraints.build(ORG, 4)
        a = greedy(lazy, range(ORG.n_nodes), con, lazy=True, batch=1)
        b = greedy(plain, range(ORG.n_nodes), con, lazy=False)
        assert a.chosen == b.chosen and a.value == b.value
        assert lazy.calls < plain.calls
        # gains of a submodular function never grow from one pick to the next
        gains = [s.gain for s in a.steps]
        assert all(x >= y - 1e-12 for x, y in itertools.pairwise(gains))


def test_the_greedy_has_no_guarantee_on_complementary_people():
    """Two people worth little alone and much together (reinforcement, as in complex
    contagion): the greedy takes the best single people and misses the pair."""
    pair = frozenset({3, 4})

    def f(s):
        return len(s & {0, 1}) * 1.0 + len(s & pair) * 0.5 + (4.0 if pair <= s else 0.0)

    con = Constraints.build(ORG, 2)
    value = Counting(f)
    result = greedy(value, range(6), con)
    best = exhaustive(value, range(6), con)
    assert result.chosen == (0, 1) and result.value == 2.0
    assert best.best == (3, 4) and best.best_value == 5.0
    report = best.compare(result)
    assert report["rank"] == 2 and not report["optimal"] and report["gap"] == 3.0


def test_required_people_are_kept_and_not_picked():
    value = Counting(coverage(1))
    con = Constraints.build(ORG, 3, required=[ORG.node_ids[5]])
    result = greedy(value, range(ORG.n_nodes), con)
    assert 5 in result.chosen and len(result.steps) == 2
    assert 5 not in [s.person for s in result.steps]
    assert result.start_value == value.f(frozenset({5}))
