"""(c) The ideas model on Etten-Leur: the built-in baseline study, 8 years of weekly steps.

Target: 10,000 runs in at most 10 s on the 2-core machine. Each measurement runs in a fresh
process (:func:`benchmarks._common.run_child`) so its peak memory is its own. Rows:

* the study as a user runs it (``Study.simulate``: counts every step for the four default
  groupings);
* the same runs recording only the totals every 52 steps, which isolates the model's step
  from the bookkeeping of the counts.
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
TARGET_RUNS, TARGET_S = 10_000, 10.0


def measure(n_runs: int, years: float, lean: bool, repeat: int) -> dict[str, Any]:
    """In the child: build the baseline study and time ``n_runs`` runs of it."""
    import time

    from diffusion.baseline import etten_leur_baseline
    from diffusion.engine import simulate

    start = time.perf_counter()
    study = etten_leur_baseline(years=years)
    build_s = time.perf_counter() - start
    from benchmarks._common import peak_rss_mib, yardstick

    rss_before = peak_rss_mib()
    ys = yardstick()

    def run() -> Any:
        if not lean:
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
    adopted = [study.model.code(s) for s in study.model.adopted_states]
    final = t.value.total[:, -1, adopted].sum(axis=-1).mean()
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
    """Table (c): the ideas model's baseline study at 1,000 and 10,000 runs."""
    cases = (
        [(200, False), (200, True)]
        if quick
        else [(1_000, False), (TARGET_RUNS, False), (TARGET_RUNS, True)]
    )
    years = 1 if quick else YEARS
    table = Table(
        f"(c) ideas model, Etten-Leur baseline study, {years} years of weekly steps",
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
            "target",
            "timing",
        ],
    )
    for n_runs, lean in cases:
        r = run_child(
            "benchmarks.bench_ideas",
            {"n_runs": n_runs, "years": years, "lean": lean, "repeat": 1 if quick else 3},
        )
        verdict = ""
        if n_runs == TARGET_RUNS and not lean:
            met = r["best_s"] <= TARGET_S
            verdict = f"<= {TARGET_S:.0f} s: {'met' if met else 'NOT met'}"
        table.add(
            f"{n_runs:,}",
            "totals every 52 steps" if lean else "every step, 4 groupings (default)",
            r["n_steps"],
            fmt_s(r["best_s"]),
            fmt_s(r["cpu_s"]),
            fmt_rate(n_runs / r["best_s"]),
            fmt_rate(n_runs * r["n_steps"] * r["n_nodes"] / r["best_s"]),
            fmt_ratio(r["best_s"] / r["yardstick_s"]),
            f"{r['peak_rss_mib']:,.0f} (before: {r['rss_before_mib']:,.0f})",
            verdict,
            f"best of {r['n']}",
        )
    table.notes += [
        f"{r['n_nodes']} nodes, {r['n_events']} events (cohorts and the 2018 changes); "
        f"seed {SEED}; default batching and threads; mean adopters (trained + adopter) at "
        f"the end: {r['mean_adopted_final']:.1f}.",
        "time / yardstick: the time in units of the machine yardstick (see the header), "
        "measured in the same child process just before the timing; CPU: process CPU time "
        "of the timed run (both threads), less sensitive than wall time to other load.",
        "peak RSS: ru_maxrss of a fresh process per row, whole process (imports and the "
        "study included); 'before' is the peak before simulating.",
    ]
    return [table]


if __name__ == "__main__":
    child_main(measure)
