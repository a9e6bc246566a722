"""(advise-evaluation) One advisor evaluation from the shared history against from step 0.

The issue's case (``bench_advise``): the Etten-Leur baseline, 6 seats at 2019-01-15, 1,000
runs per evaluation, objective adopters at 2023-12-31. An evaluation simulates one choice of
people; before issue 14 §3 each simulated the calendar from 2015, now each goes on from one
snapshot at the cohort's step (``Problem.history``, made once per problem). Both are timed in
the same child process, interleaved (from step 0, then from the history, for each choice), so
the ratio is measured under the same load; the spread is over the choices. The values are
checked equal. Timings are reported, never asserted.

Then the advisor's way since issue 14 §2: the same choices (and more) evaluated together,
several choices a simulation (``evaluate_many``: a :class:`~diffusion.events.PerRun` cohort,
every choice on the same runs from the one history), against each alone from the history,
interleaved pass by pass in the same process; the values are checked equal.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

from benchmarks._common import Table, child_main, fmt_ratio, fmt_s, run_child

SEED = 2015


def measure(
    n_runs: int,
    seats: int,
    goal: str,
    repeat: int,
    together: int,
    passes: int,
    together_runs: tuple[int, ...] = (),
) -> dict[str, Any]:
    """Time the history once, ``repeat`` choices both ways, ``together`` choices in passes."""
    import datetime as dt

    import numpy as np

    from diffusion.advisor.evaluate import (
        choices_per_simulation,
        evaluate_many,
        make_problem,
        simulate_choice,
    )
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
    sets = [
        tuple(sorted(int(i) for i in rng.choice(staff, seats, replace=False)))
        for _ in range(together)
    ]
    groups = []
    for runs in (n_runs, *together_runs):
        if runs != n_runs:
            problem = make_problem(scenario, dt.date(2019, 1, 15), seats, objective, runs, SEED)
        alone_s, together_s = [], []
        for _ in range(passes):
            start = time.perf_counter()
            each = [simulate_choice(problem, people)[0] for people in sets]
            alone_s.append(time.perf_counter() - start)
            start = time.perf_counter()
            joint = evaluate_many(problem, sets)
            together_s.append(time.perf_counter() - start)
            same = same and all(np.array_equal(a, b) for a, b in zip(each, joint, strict=True))
        groups.append(
            {
                "runs": runs,
                "alone": alone_s,
                "together": together_s,
                "per_simulation": choices_per_simulation(problem),
            }
        )
    return {
        "groups": groups,
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
        args |= {"together": 4, "passes": 1, "together_runs": [20]}
    else:
        args = {"n_runs": 1000, "seats": 6, "goal": "2023-12-31", "repeat": 5}
        args |= {"together": 16, "passes": 3, "together_runs": [100]}
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
    k = args["together"]
    for g in r["groups"]:
        per_pass = [a / t for a, t in zip(g["alone"], g["together"], strict=True)]
        table.add(
            f"{k} choices from the history, {g['per_simulation']} a simulation, "
            f"{g['runs']:,} runs each (s per choice)",
            fmt_s(statistics.median(g["together"]) / k),
            f"{fmt_s(min(g['together']) / k)}-{fmt_s(max(g['together']) / k)} (passes)",
            f"{fmt_ratio(statistics.median(per_pass))} ({fmt_ratio(min(per_pass))}-"
            f"{fmt_ratio(max(per_pass))}) over each alone from the history: "
            f"{fmt_s(statistics.median(g['alone']) / k)} s per choice",
        )
    table.notes += [
        f"{args['repeat']} random choices of {args['seats']} staff, each simulated both ways "
        "one after the other in one process (ratios per choice, under the same load); seed "
        f"{SEED}.",
        f"the history (steps 0-{r['at_step'] - 1}, once per problem): {fmt_s(r['history_s'])} s.",
        f"{k} other random choices, each alone from the history, then together "
        f"(diffusion.advisor.evaluate.evaluate_many), {args['passes']} passes interleaved "
        "(ratio per pass); with fewer runs an evaluation's fixed costs weigh more, and "
        "more choices fit in a simulation (at most 16, 256 MiB of counts).",
        f"values identical every way: {'yes' if r['same'] else 'NO'}.",
    ]
    return [table]


if __name__ == "__main__":
    child_main(measure)
