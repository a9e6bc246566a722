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

import os
import statistics
import sys
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


def measure_alone(
    root: str | None, n_runs: int, seats: int, goal: str, repeat: int
) -> dict[str, Any]:
    """In the child: time ``repeat`` single evaluations with the advisor of checkout ``root``.

    The advisor's own way of evaluating one choice at the time of that checkout (before issue
    14 it was ``diffusion.advise``, each evaluation from step 0); ``root`` None: this one's.
    The first evaluation, which warms the caches, is not timed; the problem's set-up (now:
    its history, made once) is timed apart.
    """
    import datetime as dt
    import importlib
    from pathlib import Path

    import numpy as np

    if root:
        sys.path.insert(0, root)
    # before issue 14's library work the advisor was diffusion.advise (looked up on disk: an
    # editable install's finder would answer for this checkout)
    here = Path(root or Path(__file__).resolve().parents[1])
    package = (
        "diffusion.advisor" if (here / "diffusion" / "advisor").is_dir() else "diffusion.advise"
    )
    evaluate = importlib.import_module(f"{package}.evaluate")
    objectives = importlib.import_module(f"{package}.objectives")
    from diffusion.baseline import BASELINE
    from diffusion.scenario.load import load_scenario, packaged

    scenario = load_scenario(packaged(BASELINE)).scenario
    date = dt.date.fromisoformat(goal)
    objective = objectives.parse_objective(f"adopters@{goal}", date, 0.25)
    start = time.perf_counter()
    problem = evaluate.make_problem(scenario, dt.date(2019, 1, 15), seats, objective, n_runs, SEED)
    getattr(problem, "history", None)  # made once per problem where there is one
    setup_s = time.perf_counter() - start
    staff = np.flatnonzero(problem.study.org.is_staff)
    rng = np.random.default_rng(SEED)
    choices = [
        tuple(sorted(int(i) for i in rng.choice(staff, seats, replace=False)))
        for _ in range(repeat + 1)
    ]
    evaluate.simulate_choice(problem, choices[0])
    times, means, each = [], [], []
    for people in choices[1:]:
        start = time.perf_counter()
        values = evaluate.simulate_choice(problem, people)[0]
        times.append(time.perf_counter() - start)
        means.append(float(np.mean(values)))
        each.append(values)
    answer = {"times": times, "setup_s": setup_s, "mean": float(np.mean(means))}
    if hasattr(evaluate, "evaluate_many"):  # the advisor's way since issue 14 §2
        start = time.perf_counter()
        joint = evaluate.evaluate_many(problem, choices[1:])
        answer["together_s"] = (time.perf_counter() - start) / repeat
        answer["per_simulation"] = evaluate.choices_per_simulation(problem)
        answer["same"] = all(np.array_equal(a, b) for a, b in zip(each, joint, strict=True))
    return answer


def _before_after(args: dict[str, Any], before: str, passes: int) -> Table:
    """Table: one evaluation with ``before``'s advisor and this one's, in alternate children."""
    from benchmarks.bench_yardstick import _commit_of

    one = {k: args[k] for k in ("n_runs", "seats", "goal")} | {"repeat": 4}
    old, new = [], []
    for _ in range(passes):
        old.append(run_child("benchmarks.bench_evaluation", one | {"root": before}))
        new.append(run_child("benchmarks.bench_evaluation", one | {"root": None}))
    ratios = [
        statistics.median(o["times"]) / statistics.median(n["times"])
        for o, n in zip(old, new, strict=True)
    ]
    table = Table(
        f"(advise-evaluation, before and after) one evaluation of {args['n_runs']:,} runs, "
        f"{args['seats']} seats at 2019-01-15, adopters at {args['goal']}",
        ["advisor", "median (s)", "range over passes (s)", "set-up once (s)", "mean adopters"],
    )
    together = [
        statistics.median(o["times"]) / n["together_s"] for o, n in zip(old, new, strict=True)
    ]
    rows = [
        (f"before ({_commit_of(before)}), one at a time", [r["times"] for r in old], old),
        ("now, one at a time", [r["times"] for r in new], new),
        (
            f"now, {new[0]['per_simulation']} a simulation as the advisor evaluates them "
            "(evaluate_many; s per choice)",
            [[r["together_s"]] for r in new],
            new,
        ),
    ]
    for name, times, runs in rows:
        medians = [statistics.median(t) for t in times]
        table.add(
            name,
            fmt_s(statistics.median(medians)),
            f"{fmt_s(min(medians))}-{fmt_s(max(medians))}",
            fmt_s(statistics.median(r["setup_s"] for r in runs)),
            f"{runs[0]['mean']:.1f}",
        )
    same = all(r["same"] for r in new)
    table.notes += [
        f"now / before: {fmt_ratio(statistics.median(ratios))} faster one at a time "
        f"({fmt_ratio(min(ratios))}-{fmt_ratio(max(ratios))} over {passes} passes), "
        f"{fmt_ratio(statistics.median(together))} ({fmt_ratio(min(together))}-"
        f"{fmt_ratio(max(together))}) as the advisor evaluates them; values the same both "
        f"ways now: {'yes' if same else 'NO'}.",
        "each pass times 4 random choices (after one untimed) in a fresh process with the "
        "advisor of the 'before' checkout (BENCH_BEFORE), then in one with this checkout's "
        "(one at a time, then together), so both see the same load.",
        "each advisor evaluates a choice its own way: before, the whole calendar from step 0; "
        "now, from the history at the cohort's step (made once per problem: the set-up). "
        "The model itself changed in between (fitted to the study), hence the different "
        "adopters.",
    ]
    return table


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
    before = os.environ.get("BENCH_BEFORE") or None
    if before:
        return [table, _before_after(args, before, passes=1 if quick else 3)]
    return [table]


def _measure(**args: Any) -> dict[str, Any]:
    """Measure in the child: :func:`measure_alone` with a ``root``, else :func:`measure`."""
    if "root" in args:
        return measure_alone(**args)
    return measure(**args)


if __name__ == "__main__":
    child_main(_measure)
