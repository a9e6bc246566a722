"""(calibration) A chunk of calibration vectors as one engine call against one call per vector.

The calibration of ``docs/calibration.md`` (the baseline cut at Table 1's date, 2015-01 to
2018-10; the eleven recruitment parameters plus audience_department, nomination_aware and
nomination_adopter drawn from their priors): ``N`` parameter vectors x ``R`` runs each, the way
one task of ``diffusion calibrate`` simulates them. Per vector: one engine call of ``R`` runs
per vector (the path before issue 14 §2); one batch: the ``N`` vectors' values as per-run
parameter arrays, one engine call of ``N x R`` runs. Both on one thread (as on a worker), in
the same child process, interleaved (per vector, then one batch, in each repeat), so the ratio
is measured under the same load; the spread is over the repeats. The statistics are checked
equal. Timings are reported, never asserted.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

from benchmarks._common import Table, child_main, fmt_ratio, fmt_s, run_child

SEED = 2015
#: the fit of docs/calibration.md, with the three parameters added to it since
PRIORS = (
    "model.params.p_leader_nominates=uniform(0.02, 1)",
    "model.params.nomination_leader_effect=loguniform(1, 100)",
    "model.params.nomination_pair=uniform(0, 1)",
    "model.params.nomination_team_leader=loguniform(0.5, 10)",
    "model.params.nomination_word_of_mouth=loguniform(0.1, 30)",
    "model.params.nomination_presentation=loguniform(0.1, 30)",
    "model.params.receptivity_hard=uniform(0.02, 1)",
    "model.params.hard_side_opening_per_year=uniform(0, 2)",
    "model.params.receptivity_policy_officer=uniform(0.02, 1)",
    "model.params.p_leader_backs=uniform(0, 0.6)",
    "model.params.support_unaware=uniform(0, 0.5)",
    "model.params.audience_department=uniform(0.2, 0.8)",
    "model.params.nomination_aware=uniform(1, 4)",
    "model.params.nomination_adopter=uniform(1, 6)",
)


def measure(n_vectors: int, n_runs: int, repeat: int) -> dict[str, Any]:
    """In the child: ``repeat`` times the vectors per vector, then as one batch."""
    import dataclasses

    import numpy as np

    from diffusion.baseline import etten_leur_baseline
    from diffusion.calibration.priors import parse_priors, sample_priors
    from diffusion.calibration.simulator import Simulator
    from diffusion.calibration.summaries import CUTOFF, Layout
    from diffusion.org.etten_leur import facts

    study = etten_leur_baseline(until=CUTOFF)
    priors = parse_priors(PRIORS, study.model.params)
    sim = Simulator(study, Layout.build(study, facts()), tuple(p.path for p in priors), SEED)
    thetas = sample_priors(priors, np.random.default_rng([SEED, 0]), n_vectors)
    per_vector = dataclasses.replace(sim, batch=False)
    sim.chunk(thetas[:1], 1, 0)  # imports and caches warm
    alone, batch, same = [], [], True
    for k in range(repeat):
        first = k * n_vectors  # fresh runs each repeat
        start = time.perf_counter()
        a = per_vector.chunk(thetas, n_runs, first, threads=1)
        alone.append(time.perf_counter() - start)
        start = time.perf_counter()
        b = sim.chunk(thetas, n_runs, first, threads=1)
        batch.append(time.perf_counter() - start)
        same = same and bool(np.array_equal(a, b))
    return {"alone": alone, "batch": batch, "same": same, "n_steps": study.n_steps}


def bench_calibration(quick: bool = False, yardstick_s: float | None = None) -> list[Table]:
    """Table (calibration): seconds for a chunk of vectors, per vector and as one batch."""
    args = (
        {"n_vectors": 8, "n_runs": 2, "repeat": 2}
        if quick
        else {
            "n_vectors": 64,
            "n_runs": 10,
            "repeat": 3,
        }
    )
    r = run_child("benchmarks.bench_calibration", args, timeout_s=3600)
    n, runs = args["n_vectors"], args["n_runs"]
    table = Table(
        f"(calibration) Etten-Leur to Table 1's date ({r['n_steps']} weeks), {n} parameter "
        f"vectors x {runs} runs, {len(PRIORS)} parameters, one thread",
        ["path", "median (s)", "range (s)", "per vector (ms)", "speed-up (median, range)"],
    )
    ratios = [a / b for a, b in zip(r["alone"], r["batch"], strict=True)]
    for label, times, ratio in (
        (f"per vector ({n} engine calls of {runs} runs)", r["alone"], "1x"),
        (
            f"one batch (1 engine call of {n * runs} runs)",
            r["batch"],
            f"{fmt_ratio(statistics.median(ratios))} ({fmt_ratio(min(ratios))}-"
            f"{fmt_ratio(max(ratios))})",
        ),
    ):
        table.add(
            label,
            fmt_s(statistics.median(times)),
            f"{fmt_s(min(times))}-{fmt_s(max(times))}",
            f"{1000 * statistics.median(times) / n:.0f}",
            ratio,
        )
    table.notes += [
        f"{args['repeat']} repeats, each path once per repeat one after the other in one "
        f"process (ratios per repeat, under the same load); vectors drawn from the priors "
        f"with seed {SEED}.",
        f"statistics identical both ways: {'yes' if r['same'] else 'NO'}.",
    ]
    return [table]


if __name__ == "__main__":
    child_main(measure)
