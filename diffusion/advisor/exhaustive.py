"""Exhaustive search over every feasible cohort: the optimum the greedy is measured against.

With ``n`` candidates and ``k`` seats there are ``C(n, k)`` choices: 120 for 3 of 10, 3,003
for 5 of 15; each is one simulation, so this is for small cases (tests, and checking the
greedy on a small organisation), refused above :data:`MAX_SETS`.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

from diffusion.advisor.celf import GreedyResult, ValueFn
from diffusion.advisor.constraints import Constraints

#: most sets an exhaustive search evaluates
MAX_SETS = 5000


@dataclass(frozen=True)
class ExhaustiveResult:
    """Every feasible choice with its value.

    Attributes
    ----------
    best : tuple of int
        The best choice (sorted positions; the first in enumeration order among equals).
    best_value : float
    values : dict of tuple to float
        Value of every feasible choice.
    """

    best: tuple[int, ...]
    best_value: float
    values: dict[tuple[int, ...], float]

    def rank_of(self, chosen: Sequence[int]) -> int:
        """1 for the best choice; ``r`` when ``r - 1`` choices are strictly better."""
        v = self.values[tuple(sorted(chosen))]
        return 1 + sum(1 for x in self.values.values() if x > v)

    def compare(self, result: GreedyResult) -> dict[str, float | int | bool]:
        """How a greedy result fares.

        Its rank, its value, the gap to the optimum and the share of the range (worst to best
        feasible choice) it reaches.
        """
        worst = min(self.values.values())
        span = self.best_value - worst
        return {
            "rank": self.rank_of(result.chosen),
            "of": len(self.values),
            "optimal": result.chosen == self.best or self.values[result.chosen] >= self.best_value,
            "value": result.value,
            "optimum": self.best_value,
            "gap": self.best_value - result.value,
            "share_of_range": 1.0 if span == 0 else (result.value - worst) / span,
            "evaluations": result.evaluations,
        }


def exhaustive(
    value: ValueFn, pool: Sequence[int], constraints: Constraints, *, chunk: int = 64
) -> ExhaustiveResult:
    """Evaluate every choice of ``constraints.k`` people from ``pool`` meeting the constraints.

    Parameters
    ----------
    value : callable
        ``value(sets) -> [mean objective]``.
    pool : sequence of int
        Candidate positions (required people are added).
    constraints : Constraints
    chunk : int
        Sets handed to ``value`` at a time (parallel evaluators use them at once).

    Raises
    ------
    ValueError
        When there are more than :data:`MAX_SETS` choices.
    InfeasibleError
        When none meets the constraints.
    """
    required = list(constraints.required)
    others = sorted({int(p) for p in pool} - set(required))
    free = constraints.k - len(required)
    n_sets = math.comb(len(others), free)
    if n_sets > MAX_SETS:
        raise ValueError(
            f"exhaustive search over {n_sets} choices ({free} of {len(others)}); at most {MAX_SETS}"
        )
    sets = [
        tuple(sorted([*required, *extra]))
        for extra in itertools.combinations(others, free)
        if constraints.satisfied([*required, *extra])
    ]
    if not sets:
        raise constraints.infeasible(len(others) + len(required))
    values: dict[tuple[int, ...], float] = {}
    for start in range(0, len(sets), chunk):
        part = sets[start : start + chunk]
        values.update(zip(part, value([list(s) for s in part]), strict=True))
    best = max(sets, key=lambda s: values[s])  # first maximum in enumeration order
    return ExhaustiveResult(best=best, best_value=values[best], values=values)
