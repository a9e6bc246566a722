"""(memory) Peak memory against runs: the baseline as ``diffusion run`` simulates it.

``diffusion.api.run`` of the built-in Etten-Leur baseline (2015-2030, 835 weekly records, the
four default groupings) with the default recording, once gathering bands and means as chunks
of runs finish (the default) and once keeping every run's counts (``keep_runs=True``,
``diffusion run --keep-runs``). Each row runs in a fresh process
(:func:`benchmarks._common.run_child`), so its peak resident memory (``ru_maxrss``) is its
own: imports, the organisation and the simulation.

Target (issue 14 §4): ``diffusion run --runs 10000`` under 1 GB peak with the default
recording; the default's peak should not grow with the runs beyond the 2 bytes a person and
run of the first adoption steps.

A second table does the same for ``diffusion.compare`` of the baseline and one what-if
(``scenarios/new-secretary-supportive.toml``): the runs reduced chunk by chunk to the
outcomes' values per run and tallied (the default), against every run's counts of both
scenarios kept (``keep_runs=True``, what compare always did before).
"""

from __future__ import annotations

import time
from typing import Any

from benchmarks._common import ROOT, Table, child_main, fmt_s, peak_rss_mib, run_child

SEED = 2024
TARGET_RUNS, TARGET_MIB = 10_000, 1000 * 1e6 / 2**20  # 1 GB


def measure(n_runs: int, keep_runs: bool) -> dict[str, Any]:
    """One row, in a child process: simulate and return the time, chunks and budget."""
    import diffusion
    from diffusion import chunks
    from diffusion.budget import simulation_bytes
    from diffusion.scenario.build import build_study

    loaded = diffusion.load_scenario()
    study = build_study(loaded.scenario)  # builds (and caches) the organisation first
    before = peak_rss_mib()
    start = time.perf_counter()
    results = diffusion.run(loaded, runs=n_runs, seed=SEED, keep_runs=keep_runs)
    seconds = time.perf_counter() - start
    # the chunks as diffusion.run cut them: counts held only with keep_runs; in forked
    # worker processes (two chunks each) when the work is large (diffusion.processes)
    per_run = chunks.run_bytes(study, len(results.steps), counts=keep_runs)
    workers = 0 if keep_runs else chunks._processes(study, n_runs)
    parts = chunks.CHUNKS_PER_PROCESS * workers or 1
    org = study.org
    tracked = [g for g in study.groupings if len(org.group_labels[g]) > 1]
    kept_estimate = simulation_bytes(
        runs=n_runs,
        records=len(results.steps),
        groups=sum(len(org.group_labels[g]) for g in tracked) + 1,
        states=len(study.model.state_names),
        people=org.n_nodes,
        batch=0,
        largest_group=max(int(results.group_sizes(g).max()) for g in tracked),
        steps=study.n_steps,
    )
    working = results.spread(("trained", "adopter")).mean()[-1]
    return {
        "seconds": seconds,
        "rss_before_mib": before,
        "chunks": len(chunks.chunk_sizes(n_runs, per_run, parts=parts)) if not keep_runs else 1,
        "workers": workers,
        "tally_mib": results.tally.nbytes() / 2**20 if results.tally is not None else 0.0,
        "kept_estimate_mib": kept_estimate / 2**20,
        "n_records": len(results.steps),
        "mean_working_final": float(working),
    }


def measure_compare(n_runs: int, keep_runs: bool) -> dict[str, Any]:
    """One compare row, in a child process: compare and return the time and a check value."""
    import diffusion

    base = diffusion.load_scenario()
    what_if = diffusion.load_scenario(ROOT / "scenarios" / "new-secretary-supportive.toml")
    diffusion.compare(base, [base], runs=2, seed=SEED)  # builds (and caches) the organisation
    before = peak_rss_mib()
    start = time.perf_counter()
    result = diffusion.compare(base, [what_if], runs=n_runs, seed=SEED, keep_runs=keep_runs)
    seconds = time.perf_counter() - start
    last = max(result.settings.dates).isoformat()
    first = next(r for r in result.outcomes if r.measure == "working" and r.date == last)
    return {
        "seconds": seconds,
        "rss_before_mib": before,
        "kept": all(r.kept_runs for r in result.results.values()),
        "headline": f"{first.outcome}: {first.difference:+.4f}",
    }


def compare_table(runs: tuple[int, ...]) -> Table:
    """Peak RSS of compare (baseline and one what-if) against runs, both ways."""
    table = Table(
        "(memory) diffusion.compare of the baseline and new-secretary-supportive: peak memory "
        "against runs",
        [
            "runs",
            "every run's counts",
            "time (s)",
            "peak RSS (MiB)",
            "first 'working' outcome at the last date: difference",
        ],
    )
    from diffusion.processes import MAX_PROCESSES, available_cores

    n_workers = min(available_cores(), MAX_PROCESSES)
    for n_runs in runs:
        for keep in (False, True):
            r = run_child(
                "benchmarks.bench_memory",
                {"n_runs": n_runs, "keep_runs": keep, "command": "compare"},
            )
            # forked workers (diffusion.processes) ran where a worker's peak was recorded
            workers = n_workers if r["workers_peak_rss_mib"] > 0 else 0
            table.add(
                f"{n_runs:,}",
                "kept (as before)" if r["kept"] else "no (values per run, bands gathered)",
                fmt_s(r["seconds"]),
                f"{r['peak_rss_mib']:,.0f} (before: {r['rss_before_mib']:,.0f})"
                + (f" + {workers} x {r['workers_peak_rss_mib']:,.0f} (workers)" if workers else ""),
                r["headline"],
            )
    table.notes += [
        "Both scenarios with the same seed and runs, the what-if going on from the base's "
        f"history (2015-2030, weekly records of departments and kinds); seed {SEED}.",
        "peak RSS: ru_maxrss of a fresh process per row (and of its largest forked worker, "
        "where the runs went to workers); 'before': after a 2-run compare "
        "that builds the organisation, before the measured one.",
        "first 'working' outcome at the last date: the same difference both ways (the "
        "outcomes do not depend on keeping the runs; tests/test_compare_memory.py checks "
        "every outcome).",
    ]
    return table


def bench_memory(quick: bool = False, yardstick_s: float | None = None) -> list[Table]:
    """Peak RSS of the baseline's run against the number of runs, both recordings."""
    runs = (200, 1_000) if quick else (1_000, 3_000, TARGET_RUNS)
    table = Table(
        "(memory) diffusion run of the Etten-Leur baseline: peak memory against runs",
        [
            "runs",
            "every run's counts",
            "chunks",
            "time (s)",
            "peak RSS (MiB)",
            "tally (MiB)",
            "counts if kept, estimated (MiB)",
            "target",
        ],
    )
    last: dict[str, Any] = {}
    for n_runs in runs:
        for keep in (False, True):
            r = run_child("benchmarks.bench_memory", {"n_runs": n_runs, "keep_runs": keep})
            verdict = ""
            # the workers counted in full each (their pages shared with this one twice)
            peak = r["peak_rss_mib"] + r["workers"] * r["workers_peak_rss_mib"]
            if n_runs == TARGET_RUNS and not keep:
                verdict = f"< 1 GB: {'met' if peak < TARGET_MIB else 'NOT met'}"
            table.add(
                f"{n_runs:,}",
                "kept" if keep else "no (bands gathered)",
                r["chunks"],
                fmt_s(r["seconds"]),
                f"{r['peak_rss_mib']:,.0f} (before: {r['rss_before_mib']:,.0f})"
                + (
                    f" + {r['workers']} x {r['workers_peak_rss_mib']:,.0f} (workers)"
                    if r["workers"]
                    else ""
                ),
                f"{r['tally_mib']:.1f}",
                f"{r['kept_estimate_mib']:,.0f}",
                verdict,
            )
            last = r
    table.notes += [
        f"Baseline: 318 people, {last['n_records']} weekly records (2015-2030), the four "
        f"default groupings, seed {SEED}; mean working from the intent at the end "
        f"{last['mean_working_final']:.1f} (the same in both recordings).",
        "peak RSS: ru_maxrss of a fresh process per row (imports, the organisation and the "
        "simulation); 'before': after building the organisation, before simulating; where "
        "the runs went to forked worker processes (diffusion.processes), also the largest "
        "worker's peak, and the target is judged on the sum (a worker's pages shared with "
        "the caller counted twice).",
        "counts if kept, estimated: diffusion.budget.simulation_bytes of every run's counts "
        "(uint8 counts, int32 totals, int16 first steps), what --keep-runs holds.",
    ]
    return [table, compare_table((200, 1_000) if quick else (1_000, TARGET_RUNS))]


def _measure(command: str = "run", **args: Any) -> dict[str, Any]:
    """The child's entry: one row of the run table or of the compare table."""
    return measure_compare(**args) if command == "compare" else measure(**args)


if __name__ == "__main__":
    child_main(_measure)
