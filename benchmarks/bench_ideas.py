"""(c) The ideas model on Etten-Leur: the built-in baseline, 8 years of weekly steps.

Goal (issue 14): 10,000 runs with the default recording in at most 5 s wall and 1 GB peak
RSS on the 2-core machine, measured on the user's path. Each measurement runs in a fresh
process (:func:`benchmarks._common.run_child`) so its peak memory is its own. Rows:

* ``diffusion.run`` of the baseline scenario (8 years), the user's path: the default
  recording (counts every step for the four default groupings) gathered into exact bands
  chunk by chunk (every run's counts are not kept); judged against the goal;
* ``Study.simulate`` of the same baseline, which keeps every run's counts (the engine's
  output as such);
* the same runs recording only the totals every 52 steps, which isolates the model's step
  from the bookkeeping of the counts.

The machine is shared: beside the wall time, the CPU time of the whole process (both
threads) and the time in units of the machine yardstick measured in the same child.
"""

from __future__ import annotations

from typing import Any

from benchmarks._common import (
    Table,
    child_main,
    fmt_rate,
    fmt_ratio,
    fmt_s,
    run_child,
    timed,
)

YEARS = 8
SEED = 2024
TARGET_RUNS, TARGET_S, TARGET_MIB = 10_000, 5.0, 1000.0

#: the rows' recordings: the user's path, the engine's full output, totals only
PATHS = {
    "run": "diffusion.run: every step, 4 groupings (default), bands",
    "study": "Study.simulate: every step, 4 groupings, every run kept",
    "lean": "totals every 52 steps",
}


def measure(n_runs: int, years: float, path: str, repeat: int) -> dict[str, Any]:
    """In the child: build the baseline and time ``n_runs`` runs of it along ``path``."""
    import time

    import diffusion
    from diffusion.baseline import etten_leur_baseline
    from diffusion.engine import simulate

    start = time.perf_counter()
    study = etten_leur_baseline(years=years)
    scenario = diffusion.load_scenario(overrides=[f"calendar.years={float(years)}"])
    build_s = time.perf_counter() - start
    from benchmarks._common import peak_rss_mib, yardstick

    rss_before = peak_rss_mib()
    ys = yardstick()

    def run() -> Any:
        if path == "run":
            return diffusion.run(scenario, runs=n_runs, seed=SEED)
        if path == "study":
            return study.simulate(n_runs, seed=SEED)
        return simulate(
            study.model,
            study.org,
            n_runs=n_runs,
            n_steps=study.n_steps,
            seed=SEED,
            events=study.events,
            groupings=(),
            record_every=52,
        )

    t = timed(run, repeat=repeat)
    adopted = list(study.model.adopted_states)
    if path == "run":
        final = t.value.spread(adopted).mean()[-1]
    else:
        codes = [study.model.code(s) for s in adopted]
        final = t.value.total[:, -1, codes].sum(axis=-1).mean()
    return {
        "best_s": t.best_s,
        "cpu_s": t.cpu_s,
        "yardstick_s": ys,
        "n": t.n,
        "n_steps": study.n_steps,
        "n_nodes": study.org.n_nodes,
        "n_events": len(study.events),
        "build_s": build_s,
        "rss_before_mib": rss_before,
        "mean_adopted_final": float(final),
    }


def bench_ideas(quick: bool = False, yardstick_s: float | None = None) -> list[Table]:
    """Table (c): the ideas model's baseline at 1,000 and 10,000 runs, against the goal."""
    cases = (
        [(200, "run"), (200, "lean")]
        if quick
        else [(1_000, "run"), (TARGET_RUNS, "run"), (TARGET_RUNS, "study"), (TARGET_RUNS, "lean")]
    )
    years = 1 if quick else YEARS
    table = Table(
        f"(c) ideas model, Etten-Leur baseline, {years} years of weekly steps",
        [
            "runs",
            "recording",
            "steps",
            "time (s)",
            "CPU (s)",
            "runs/s",
            "agent-steps/s",
            "time / yardstick",
            "peak RSS (MiB)",
            "goal",
            "timing",
        ],
    )
    from diffusion.processes import MAX_PROCESSES, available_cores

    n_workers = min(available_cores(), MAX_PROCESSES)
    for n_runs, path in cases:
        r = run_child(
            "benchmarks.bench_ideas",
            {"n_runs": n_runs, "years": years, "path": path, "repeat": 1 if quick else 3},
        )
        verdict = ""
        workers = r["workers_peak_rss_mib"]
        # the forked workers' memory counted in full for each of them (pages they share
        # with the parent counted twice): an upper bound of the whole simulation's peak
        peak = r["peak_rss_mib"] + n_workers * workers
        if n_runs == TARGET_RUNS and path == "run":
            fast, small = r["best_s"] <= TARGET_S, peak <= TARGET_MIB
            verdict = (
                f"<= {TARGET_S:.0f} s: {'met' if fast else 'NOT met'}; "
                f"<= {TARGET_MIB:,.0f} MiB: {'met' if small else 'NOT met'}"
            )
        table.add(
            f"{n_runs:,}",
            PATHS[path],
            r["n_steps"],
            fmt_s(r["best_s"]),
            fmt_s(r["cpu_s"]),
            fmt_rate(n_runs / r["best_s"]),
            fmt_rate(n_runs * r["n_steps"] * r["n_nodes"] / r["best_s"]),
            fmt_ratio(r["best_s"] / r["yardstick_s"]),
            f"{r['peak_rss_mib']:,.0f} (before: {r['rss_before_mib']:,.0f})"
            + (f" + {n_workers} x {workers:,.0f} (workers)" if workers else ""),
            verdict,
            f"best of {r['n']}",
        )
    table.notes += [
        f"{r['n_nodes']} nodes, {r['n_events']} events (cohorts and the 2018 changes); "
        f"seed {SEED}; default batching, chunks and threads; mean adopters (trained + "
        f"adopter) at the end: {r['mean_adopted_final']:.1f}.",
        "time / yardstick: the time in units of the machine yardstick (see the header), "
        "measured in the same child process just before the timing; CPU: process CPU time "
        "of the timed run (both threads), less sensitive than wall time to other load; the "
        "goal is judged on wall time (best of the repeats) and the peak of the whole child.",
        "peak RSS: ru_maxrss of a fresh process per row, whole process (imports and the "
        "study included); 'before' is the peak before simulating; where the runs went to "
        "forked worker processes (diffusion.processes: from 1e8 person-steps), also the "
        "largest worker's peak, and the goal is judged on the process's peak plus that of "
        "each worker (their shared pages counted twice); CPU then includes the workers'.",
    ]
    return [table]


if __name__ == "__main__":
    child_main(measure)
