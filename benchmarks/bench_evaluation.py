"""(advise-evaluation) One advisor evaluation from the shared history against from step 0.

The issue's case (``bench_advise``): the Etten-Leur baseline, 6 seats at 2019-01-15, 1,000
runs per evaluation, objective adopters at 2023-12-31. An evaluation simulates one choice of
people; before issue 14 §3 each simulated the calendar from 2015, now each goes on from one
snapshot at the cohort's step (``Problem.history``, made once per problem). Both are timed in
the same child process, interleaved (from step 0, then from the history, for each choice), so
the ratio is measured under the same load; the spread is over the choices. The values are
checked equal. Timings are reported, never asserted.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

from benchmarks._common import Table, child_main, fmt_ratio, fmt_s, run_child

SEED = 2015


def measure(n_runs: int, seats: int, goal: str, repeat: int) -> dict[str, Any]:
    """In the child: the history once, then ``repeat`` choices both ways."""
    import datetime as dt

    import numpy as np

    from diffusion.advisor.evaluate import make_problem, simulate_choice
    from diffusion.advisor.objectives import parse_objective
    from diffusion.baseline import BASELINE
    from diffusion.scenario.load import load_scenario, packaged

    scenario = load_scenario(packaged(BASELINE)).scenario
    date = dt.date.fromisoformat(goal)
    objective = parse_objective(f"adopters@{goal}", date, 0.25)
    problem = make_problem(scenario, dt.date(2019, 1, 15), seats, objective, n_runs, SEED)
    start = time.perf_counter()
    assert problem.history is not None
    history_s = time.perf_counter() - start
    staff = np.flatnonzero(problem.study.org.is_staff)
    rng = np.random.default_rng(SEED)
    whole, shared, same = [], [], True
    for _ in range(repeat):
        people = tuple(sorted(int(i) for i in rng.choice(staff, seats, replace=False)))
        start = time.perf_counter()
        a = simulate_choice(problem, people, from_history=False)[0]
        whole.append(time.perf_counter() - start)
        start = time.perf_counter()
        b = simulate_choice(problem, people)[0]
        shared.append(time.perf_counter() - start)
        same = same and bool(np.array_equal(a, b))
    return {
        "history_s": history_s,
        "whole": whole,
        "shared": shared,
        "same": same,
        "at_step": problem.at_step,
        "n_steps": problem.study.n_steps,
    }


def bench_evaluation(quick: bool = False, yardstick_s: float | None = None) -> list[Table]:
    """Table (advise-evaluation): seconds per evaluation, whole and from the history."""
    if quick:
        args = {"n_runs": 50, "seats": 2, "goal": "2019-12-31", "repeat": 2}
    else:
        args = {"n_runs": 1000, "seats": 6, "goal": "2023-12-31", "repeat": 5}
    r = run_child("benchmarks.bench_evaluation", args, timeout_s=3600)
    table = Table(
        f"(advise-evaluation) Etten-Leur, {args['seats']} seats at 2019-01-15, "
        f"{args['n_runs']:,} runs per evaluation, adopters at {args['goal']}",
        ["evaluation", "median (s)", "range over choices (s)", "speed-up (median, range)"],
    )
    ratios = [w / s for w, s in zip(r["whole"], r["shared"], strict=True)]
    table.add(
        f"from step 0 (steps 0-{r['n_steps']})",
        fmt_s(statistics.median(r["whole"])),
        f"{fmt_s(min(r['whole']))}-{fmt_s(max(r['whole']))}",
        "1x",
    )
    table.add(
        f"from the history (steps {r['at_step']}-{r['n_steps']})",
        fmt_s(statistics.median(r["shared"])),
        f"{fmt_s(min(r['shared']))}-{fmt_s(max(r['shared']))}",
        f"{fmt_ratio(statistics.median(ratios))} ({fmt_ratio(min(ratios))}-"
        f"{fmt_ratio(max(ratios))})",
    )
    table.notes += [
        f"{args['repeat']} random choices of {args['seats']} staff, each simulated both ways "
        "one after the other in one process (ratios per choice, under the same load); seed "
        f"{SEED}.",
        f"the history (steps 0-{r['at_step'] - 1}, once per problem): {fmt_s(r['history_s'])} s.",
        f"values identical both ways: {'yes' if r['same'] else 'NO'}.",
    ]
    return [table]


if __name__ == "__main__":
    child_main(measure)
