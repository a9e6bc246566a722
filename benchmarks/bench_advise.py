"""(advise) Time to advise a cohort on the Etten-Leur baseline, in process and on 2 workers.

The issue's case: 6 seats at 2019-01-15 among the ~300 staff (pruned by the cheap scores
to 30, plus the simple strategies' choices), 1,000 runs per evaluation, objective adopters
at 2023-12-31; once in this process and once on a local Dask cluster of 2 worker processes
(``diffusion advise --workers 2``). Each row runs in a fresh process. The advice must be
the same on any number of workers (the re-evaluation batch is fixed, not the worker count);
the table says whether it is. Timings are reported, never asserted.
"""

from __future__ import annotations

from typing import Any

from benchmarks._common import Table, child_main, fmt_s, run_child, timed

SEED = 2015


def measure(n_runs: int, seats: int, n_candidates: int, workers: int, goal: str) -> dict[str, Any]:
    """In the child: advise once; return the time, the evaluations and the advice."""
    import datetime as dt

    from diffusion.advisor.advice import Request, advise
    from diffusion.advisor.evaluate import dask_map
    from diffusion.advisor.objectives import parse_objective
    from diffusion.baseline import BASELINE
    from diffusion.executors import Executor
    from diffusion.scenario.load import load_scenario, packaged

    scenario = load_scenario(packaged(BASELINE)).scenario
    date = dt.date.fromisoformat(goal)
    request = Request(
        at=dt.date(2019, 1, 15),
        seats=seats,
        objective=parse_objective(f"adopters@{goal}", date, 0.25),
        n_runs=n_runs,
        seed=SEED,
        n_candidates=n_candidates,
    )
    if workers == 1:
        t = timed(lambda: advise(scenario, request), repeat=1)
    else:
        with Executor(workers).client() as client:
            mapper = dask_map(client)
            t = timed(lambda: advise(scenario, request, mapper=mapper), repeat=1)
    advice = t.value
    return {
        "best_s": t.best_s,
        "cpu_s": t.cpu_s,
        "evaluations": advice.evaluations,
        "pool": len(advice.pool),
        "candidates": int(advice.situation.candidates.size),
        "ids": list(advice.ids),
        "gain": advice.row("advice").gain.mean,
        "seconds": advice.seconds,
    }


def bench_advise(quick: bool = False, yardstick_s: float | None = None) -> list[Table]:
    """Table (advise): seconds to advise on 1 (in process) and 2 Dask workers."""
    if quick:
        args = {"n_runs": 50, "seats": 2, "n_candidates": 6, "goal": "2019-12-31"}
    else:
        args = {"n_runs": 1000, "seats": 6, "n_candidates": 30, "goal": "2023-12-31"}
    table = Table(
        f"(advise) Etten-Leur, {args['seats']} seats at 2019-01-15, {args['n_runs']:,} runs "
        f"per evaluation, adopters at {args['goal']}",
        [
            "workers",
            "time (s)",
            "CPU of the client (s)",
            "evaluations",
            "s / evaluation",
            "phases (s)",
            "advice",
        ],
    )
    advice = {}
    for workers in (1, 2):
        r = run_child("benchmarks.bench_advise", {**args, "workers": workers}, timeout_s=3600)
        advice[workers] = r["ids"]
        phases = ", ".join(f"{k} {v:.0f}" for k, v in r["seconds"].items())
        table.add(
            "1 (in process)" if workers == 1 else f"{workers} (local Dask processes)",
            fmt_s(r["best_s"]),
            fmt_s(r["cpu_s"]),
            r["evaluations"],
            fmt_s(r["best_s"] / r["evaluations"]),
            phases,
            f"{' '.join(r['ids'])} (gain {r['gain']:+.2f})",
        )
    same = advice[1] == advice[2]
    table.notes += [
        f"{r['candidates']} candidates, {r['pool']} kept for the greedy (the cheap scores' "
        f"best {args['n_candidates']} and the simple strategies' choices); seed {SEED}; "
        "one timing per row (an advice takes minutes).",
        f"the same advice on 1 and 2 workers: {'yes' if same else 'NO'}.",
        "evaluations: simulations of the selection runs and of the reporting (fresh) runs, "
        "the base included; each simulates the calendar up to the objective's date.",
    ]
    return [table]


if __name__ == "__main__":
    child_main(measure)
