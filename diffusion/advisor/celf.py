"""Greedy choice of a cohort with lazy re-evaluation (CELF, Leskovec et al. 2007).

The greedy adds, ``k`` times, the candidate whose addition raises the estimated objective
most. CELF keeps every candidate's last marginal gain in a priority queue and re-evaluates
only the top of the queue: a candidate whose gain, evaluated against the current choice,
still tops every other candidate's last gain is taken without evaluating the others. For a
submodular objective (gains only shrink as the choice grows) this is the plain greedy at a
fraction of the cost, and the greedy is within ``1 - 1/e`` of the optimum (Nemhauser,
Wolsey and Fisher 1978).

**Neither guarantee holds here.** The ideas model is a complex contagion: adoption needs
reinforcement from several contacts (a Hill function of exposure with steepness above 1),
so two participants side by side can be worth more than the sum of each alone; gains can
grow as the choice grows, a stale gain is not an upper bound, and CELF can differ from the
plain greedy, which itself can miss the optimum. :mod:`diffusion.advisor.exhaustive`
measures both against the optimum on small cases (see ``tests/advise``).

The objective is a Monte Carlo estimate with common random numbers: every set is
simulated with the same seed and runs, so the estimate is a deterministic function of the
set and the search is reproducible. Candidates whose top entries are stale are
re-evaluated ``batch`` at a time (in parallel when the evaluator is): a fixed number, so
the choice does not depend on the number of workers.
"""

from __future__ import annotations

import heapq
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from diffusion.advisor.constraints import Constraints

#: ``value(sets) -> mean objective per set``
ValueFn = Callable[[Sequence[Sequence[int]]], list[float]]


@dataclass(frozen=True)
class Step:
    """One pick of the greedy.

    The person, the value of the choice after it, the marginal gain, and the evaluations made so far
    (all of the search).
    """

    person: int
    value: float
    gain: float
    evaluations: int


@dataclass(frozen=True)
class GreedyResult:
    """What the greedy chose and how.

    Attributes
    ----------
    chosen : tuple of int
        The choice, sorted (required people included).
    steps : tuple of Step
        The picks in order (required people are not picks).
    start_value : float
        Value of the required people alone (of nobody when none are required).
    value : float
        Value of the choice.
    evaluations : int
        Sets evaluated by this search (the start set included).
    method : str
        ``"celf"`` or ``"greedy"``.
    """

    chosen: tuple[int, ...]
    steps: tuple[Step, ...]
    start_value: float
    value: float
    evaluations: int
    method: str


def greedy(
    value: ValueFn,
    pool: Sequence[int],
    constraints: Constraints,
    *,
    lazy: bool = True,
    batch: int = 4,
) -> GreedyResult:
    """Choose ``constraints.k`` people from ``pool`` greedily.

    Parameters
    ----------
    value : callable
        ``value(sets) -> [mean objective]``, one float per set (a list of position lists).
    pool : sequence of int
        Candidate positions (required people are added to it).
    constraints : Constraints
        Seats, quotas, required and excluded people; every pick keeps them satisfiable.
    lazy : bool
        CELF (True) or the plain greedy, which evaluates every feasible candidate at each
        pick (False).
    batch : int
        CELF: stale candidates re-evaluated together.

    Returns
    -------
    GreedyResult

    Raises
    ------
    InfeasibleError
        When no choice from the pool meets the constraints.
    """
    pool = list(dict.fromkeys([*constraints.required, *(int(p) for p in pool)]))
    chosen = list(constraints.required)
    if not constraints.feasible(chosen, pool):
        raise constraints.infeasible(len(pool))
    counter = [0]

    def values(sets: list[list[int]]) -> list[float]:
        counter[0] += len(sets)
        return value(sets)

    current = values([chosen])[0]
    start = current
    steps: list[Step] = []
    others = [p for p in pool if p not in chosen]
    # queue entries: (-gain, position in pool, person, pick at which the gain was computed)
    queue: list[tuple[float, int, int, int]] = []
    rank = {p: i for i, p in enumerate(pool)}
    feasible = [p for p in others if constraints.can_add(chosen, p, pool)]
    if len(chosen) < constraints.k:
        gains = values([[*chosen, p] for p in feasible])
        queue = [(-(g - current), rank[p], p, 0) for p, g in zip(feasible, gains, strict=True)]
        heapq.heapify(queue)
    pick = 0
    while len(chosen) < constraints.k:
        if not lazy and pick > 0:
            feasible = [p for _, _, p, _ in queue if constraints.can_add(chosen, p, pool)]
            gains = values([[*chosen, p] for p in feasible])
            queue = [
                (-(g - current), rank[p], p, pick) for p, g in zip(feasible, gains, strict=True)
            ]
            heapq.heapify(queue)
        person = _lazy_pick(queue, chosen, current, pick, constraints, pool, values, batch)
        entry = heapq.heappop(queue)
        assert entry[2] == person
        gain = -entry[0]
        chosen.append(person)
        current = current + gain
        pick += 1
        steps.append(Step(person, current, gain, counter[0]))
    return GreedyResult(
        chosen=tuple(sorted(chosen)),
        steps=tuple(steps),
        start_value=start,
        value=current,
        evaluations=counter[0],
        method="celf" if lazy else "greedy",
    )


def _lazy_pick(
    queue: list[tuple[float, int, int, int]],
    chosen: list[int],
    current: float,
    pick: int,
    constraints: Constraints,
    pool: list[int],
    values: Callable[[list[list[int]]], list[float]],
    batch: int,
) -> int:
    """Bring the queue's top up to date with ``chosen`` and return its person (left on top).

    Infeasible candidates are dropped for good (a choice that cannot be completed with a
    person cannot be once it grows either).
    """
    while True:
        while queue and not constraints.can_add(chosen, queue[0][2], pool):
            heapq.heappop(queue)
        if not queue:
            raise constraints.infeasible(len(pool))
        if queue[0][3] == pick:
            return queue[0][2]
        stale: list[tuple[float, int, int, int]] = []
        while queue and len(stale) < batch:
            entry = heapq.heappop(queue)
            if entry[3] == pick:
                heapq.heappush(queue, entry)
                break
            if constraints.can_add(chosen, entry[2], pool):
                stale.append(entry)
        if stale:
            gains = values([[*chosen, e[2]] for e in stale])
            for e, g in zip(stale, gains, strict=True):
                heapq.heappush(queue, (-(g - current), e[1], e[2], pick))
