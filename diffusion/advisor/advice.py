"""Advise a cohort: who to send, what it gains over nomination, and how simple rules fare.

The steps of :func:`advise`:

1. simulate the base (the advised cohort's seats filled by the scenario's nomination)
   and look at the runs at the cohort's date (:class:`~diffusion.advisor.strategies.Situation`);
2. let each simple strategy choose (:data:`~diffusion.advisor.strategies.STRATEGIES`);
3. prune the candidates by :func:`~diffusion.advisor.strategies.cheap_scores` to the best
   ``n_candidates``, plus the strategies' choices, the required people and enough members of
   every group a minimum quota names;
4. choose greedily with lazy re-evaluation (:mod:`~diffusion.advisor.celf`) on the selection
   runs (seed ``seed``);
5. report every choice's gain over nomination on *fresh* runs (seed
   :func:`~diffusion.advisor.evaluate.fresh_seed`), paired run by run: a choice found as the
   best of many on some runs looks better on those runs than it is (the winner's curse), so
   its gain is measured on others. The written scenario files carry the fresh seed.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from diffusion.advisor.celf import GreedyResult, greedy
from diffusion.advisor.constraints import Constraints, Quota
from diffusion.advisor.evaluate import (
    Evaluator,
    Mapper,
    People,
    Problem,
    evaluate,
    fresh_seed,
    make_problem,
    simulate_choice,
)
from diffusion.advisor.objectives import Objective
from diffusion.advisor.strategies import STRATEGIES, Situation, cheap_scores
from diffusion.results import PairedDifference, paired_difference

if TYPE_CHECKING:
    from diffusion.scenario.schema import Scenario

#: confidence level of the reported intervals
LEVEL = 0.9


@dataclass(frozen=True)
class Request:
    """What to advise on.

    Attributes
    ----------
    at : date
        Date of the advised cohort.
    seats : int
        Its seats.
    objective : Objective
    n_runs : int
        Runs per evaluation.
    seed : int
        Seed of the selection runs (the reporting runs' seed is derived from it).
    quotas : tuple of Quota
    required, excluded : tuple of str
        Node ids.
    n_candidates : int
        Candidates kept by the cheap scores for the greedy.
    method : {"celf", "greedy"}
        Lazy or plain greedy.
    batch : int
        CELF: stale candidates re-evaluated together.
    """

    at: dt.date
    seats: int
    objective: Objective
    n_runs: int
    seed: int
    quotas: tuple[Quota, ...] = ()
    required: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()
    n_candidates: int = 30
    method: str = "celf"
    batch: int = 4


@dataclass(frozen=True, eq=False)
class Row:
    """One choice in the comparison: its gain over nomination on the reporting runs.

    Attributes
    ----------
    key, label : str
        ``"advice"``, ``"nominated"`` or a strategy's name, and its description.
    people : tuple of int
        Positions chosen (empty for nomination).
    gain : PairedDifference
        Objective of the choice minus nomination's, mean over runs with a 90% interval.
    differences : float ``(runs,)``
        The paired differences run by run (for the plot).
    selection_value : float
        Mean objective on the selection runs (NaN for nomination).
    """

    key: str
    label: str
    people: People
    gain: PairedDifference
    differences: np.ndarray
    selection_value: float = float("nan")


@dataclass(frozen=True, eq=False)
class Advice:
    """The advice and how it was found."""

    request: Request
    problem: Problem
    report_seed: int
    situation: Situation
    constraints: Constraints
    pool: People
    scores: np.ndarray
    greedy: GreedyResult
    rows: tuple[Row, ...]
    selection_base: float
    evaluations: int
    seconds: dict[str, float] = field(default_factory=dict)

    @property
    def chosen(self) -> People:
        """The recommended people, as node indices."""
        return self.greedy.chosen

    @property
    def ids(self) -> tuple[str, ...]:
        """The recommended people, as ids."""
        return tuple(self.problem.study.org.node_ids[i] for i in self.chosen)

    def row(self, key: str) -> Row:
        """Return the row of the strategy ``key`` (``"recommendation"`` or a strategy)."""
        return next(r for r in self.rows if r.key == key)

    def table(self) -> list[dict[str, object]]:
        """Return the recommendation and every strategy: gain on fresh runs with its interval."""
        ids = self.problem.study.org.node_ids
        return [
            {
                "choice": r.key,
                "description": r.label,
                "gain": round(r.gain.mean, 4),
                "low": round(r.gain.low, 4) if math.isfinite(r.gain.low) else "",
                "high": round(r.gain.high, 4) if math.isfinite(r.gain.high) else "",
                "objective": round(r.gain.other_mean, 4),
                "selection_objective": round(r.selection_value, 4)
                if math.isfinite(r.selection_value)
                else "",
                "people": " ".join(ids[i] for i in r.people),
            }
            for r in self.rows
        ]

    def to_pandas(self) -> Any:
        """:meth:`table` as a :class:`pandas.DataFrame`, one row per choice."""
        import pandas as pd

        return pd.DataFrame(self.table())

    def people(self) -> list[dict[str, object]]:
        """Return the recommended people.

        id, team, department, role, side, the share of base runs in which each could still be sent,
        the pick order and marginal gain (selection runs; required people have no pick).
        """
        sit = self.situation
        picks = {s.person: (k + 1, s.gain) for k, s in enumerate(self.greedy.steps)}
        out = []
        for i in self.chosen:
            order, gain = picks.get(i, (0, float("nan")))
            out.append(
                {
                    "id": sit.org.node_ids[i],
                    "team": str(sit.label("team")[i]),
                    "department": str(sit.label("department")[i]),
                    "role": str(sit.label("role")[i]),
                    "side": str(sit.label("side")[i]),
                    "p_free": round(float(sit.free()[i]), 4),
                    "pick": order,
                    "marginal_gain": round(float(gain), 4),
                }
            )
        return sorted(out, key=lambda r: (r["pick"] == 0, r["pick"]))


def candidate_pool(
    sit: Situation,
    scores: np.ndarray,
    constraints: Constraints,
    n: int,
    extra: Sequence[int] = (),
) -> People:
    """Return the candidates the greedy considers.

    The ``n`` best by ``scores``, the people in ``extra`` (the strategies' choices), the required
    people, and for every minimum quota the best ``minimum + 2`` of its members (so pruning cannot
    make it unmeetable).
    """
    c = sit.candidates
    ranked = c[np.lexsort((c, -scores[c]))]
    pool = set(ranked[:n].tolist()) | {int(i) for i in extra} | set(constraints.required)
    for members, low in zip(constraints.members, constraints.low, strict=True):
        if low > 0:
            pool |= set(ranked[members[ranked]][: int(low) + 2].tolist())
    return tuple(sorted(pool))


def advise(
    scenario: Scenario,
    request: Request,
    *,
    mapper: Mapper | None = None,
    progress: Callable[[int], None] | None = None,
) -> Advice:
    """Advise who to send to a cohort of ``request.seats`` at ``request.at``.

    Parameters
    ----------
    scenario : diffusion.scenario.schema.Scenario
        The validated scenario.
    request : Request
    mapper : callable, optional
        Evaluates sets in parallel (``evaluate.dask_map(client)``); default: in this process.
    progress : callable, optional
        Called with 1 after each simulation.

    Raises
    ------
    InputError
        Dates, ids or quotas that do not fit the scenario; constraints nobody meets.
    """
    seconds: dict[str, float] = {}
    clock = time.perf_counter()
    problem = make_problem(
        scenario, request.at, request.seats, request.objective, request.n_runs, request.seed
    )
    org = problem.study.org
    constraints = Constraints.build(
        org, request.seats, request.quotas, request.required, request.excluded
    )
    base_values, probe = simulate_choice(problem, None, look_at_cohort=True)
    if progress is not None:
        progress(1)
    assert probe is not None
    sit = Situation.from_probe(probe, problem.study.model.params, constraints.excluded)
    scores = cheap_scores(sit)
    everyone = tuple(sorted({*sit.candidates.tolist(), *constraints.required}))
    picks = {
        name: constraints.select_in_order(
            [*constraints.required, *fn(sit, request.seed).tolist()], everyone
        )
        for name, (_, fn) in STRATEGIES.items()
    }
    pool = candidate_pool(
        sit, scores, constraints, request.n_candidates, [i for s in picks.values() for i in s]
    )
    seconds["base and situation"] = time.perf_counter() - clock

    clock = time.perf_counter()
    evaluator = Evaluator(problem, mapper, progress)
    result = greedy(
        evaluator.means,
        pool,
        constraints,
        lazy=request.method == "celf",
        batch=request.batch,
    )
    seconds["greedy"] = time.perf_counter() - clock

    clock = time.perf_counter()
    selection = dict(zip(picks, evaluator.means(list(picks.values())), strict=True))
    report = problem.with_seed(fresh_seed(request.seed))
    fresh = Evaluator(report, mapper, progress)
    sets = [result.chosen, *picks.values()]
    values = fresh.values(sets)
    base = evaluate(report, None)
    if progress is not None:
        progress(1)
    labels = {name: label for name, (label, _) in STRATEGIES.items()}
    rows = [
        _row("advice", f"advice ({result.method})", result.chosen, base, values[0], result.value)
    ]
    rows += [
        _row(name, labels[name], s, base, v, selection[name])
        for (name, s), v in zip(picks.items(), values[1:], strict=True)
    ]
    rows.append(_row("nominated", "nomination (the base)", (), base, base))
    seconds["report runs"] = time.perf_counter() - clock
    return Advice(
        request=request,
        problem=problem,
        report_seed=report.seed,
        situation=sit,
        constraints=constraints,
        pool=pool,
        scores=scores,
        greedy=result,
        rows=tuple(rows),
        selection_base=float(base_values.mean()),
        evaluations=evaluator.n_evaluations + fresh.n_evaluations + 2,
        seconds=seconds,
    )


def _row(
    key: str,
    label: str,
    people: People,
    base: np.ndarray,
    values: np.ndarray,
    selection_value: float = float("nan"),
) -> Row:
    return Row(
        key=key,
        label=label,
        people=tuple(people),
        gain=paired_difference(base, values, LEVEL),
        differences=np.asarray(values, dtype=np.float64) - base,
        selection_value=selection_value,
    )
