"""(dask) A generated 1,000,000-person organisation, 100 runs x 10 years, on 2 local workers.

The organisation is :func:`benchmarks.bench_org100k.org_spec` with 1,000 departments of 50
teams of 20 (1,001,001 staff, ~16.6 million directed ties), generated and compiled once in a
child process and cached under ``benchmarks/.cache/``. The ideas model with its default
parameters, a cohort of 1% of staff every 13 weeks, 520 weekly steps, lean recording (counts by
department, role and side every 4 steps), simulated by :func:`diffusion.chunks.simulate` on a
local Dask cluster of 2 worker processes (one thread each): the runs go out in chunks of whole
runs, each worker tallies its chunk and sends back its histograms and first steps, which are
merged by run index.

Measured: wall time of the simulation (the study sent to the workers included), the peak
resident memory of each worker process (``ru_maxrss``, read on the workers when the runs are
done) against its Dask memory limit, and the client's peak. Too heavy for the suite and for
``--quick`` (which runs 10,000 people instead); run it alone::

    .venv/bin/python -m benchmarks --only dask
"""

from __future__ import annotations

import hashlib
import os
import pickle
import time
from pathlib import Path
from typing import Any

from benchmarks._common import ROOT, Table, child_main, fmt_s, peak_rss_mib, run_child
from benchmarks.bench_org100k import CACHE, ORG_SEED, cohorts, org_spec, source_files

SEED = 2024
WORKERS = 2
GROUPINGS = ("department", "role", "side")
RECORD_EVERY = 4


def cache_path(departments: int) -> Path:
    """Where the compiled organisation is cached: keyed on its spec, seed and the code that
    makes it (:func:`benchmarks.bench_org100k.source_files`: every package file its builders
    import)."""
    h = hashlib.sha256(repr((org_spec(departments), ORG_SEED)).encode())
    for source in source_files():
        h.update(source.relative_to(ROOT).as_posix().encode())
        h.update(source.read_bytes())
    return CACHE / f"org-{departments}-{h.hexdigest()[:16]}.pickle"


def _worker_usage() -> tuple[float, float]:
    """On a worker: its peak resident memory so far (MiB) and its CPU time (s)."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_maxrss / 1024, usage.ru_utime + usage.ru_stime


def measure(path: str, n_runs: int, n_steps: int) -> dict[str, Any]:
    """In a child: load the organisation, simulate on a local cluster, measure."""
    import datetime as dt

    from diffusion import chunks
    from diffusion.calendar import Calendar
    from diffusion.comparison import measures_for
    from diffusion.executors import Executor
    from diffusion.models.ideas import IdeasModel
    from diffusion.study import Study

    org = pickle.loads(Path(path).read_bytes())
    model = IdeasModel()
    start_date = dt.date(2020, 1, 6)
    calendar = Calendar(start_date, start_date + dt.timedelta(weeks=n_steps))
    study = Study(
        org.name,
        org,
        model,
        calendar,
        tuple(cohorts(int(org.is_staff.sum()), n_steps)),
        groupings=GROUPINGS,
    )
    rss_before = peak_rss_mib()
    with Executor(workers=WORKERS).client() as client:
        limits = [w["memory_limit"] for w in client.scheduler_info()["workers"].values()]
        start = time.perf_counter()
        results = chunks.simulate(
            study,
            n_runs,
            SEED,
            measures=measures_for(model.state_names, model.adopted_states),
            record_every=RECORD_EVERY,
            client=client,
        )
        seconds = time.perf_counter() - start
        usage = sorted(client.run(_worker_usage).values())
    load = os.getloadavg()[0]
    per_run = chunks.run_bytes(study, len(results.steps))
    working = results.spread(("trained", "adopter")).mean()[-1]
    return {
        "seconds": seconds,
        "worker_peaks_mib": [peak for peak, _ in usage],
        "worker_cpu_s": [cpu for _, cpu in usage],
        "load_average": load,
        "worker_limit_mib": [limit / 2**20 for limit in limits],
        "rss_before_mib": rss_before,
        "n_nodes": org.n_nodes,
        "n_ties": int(org.combined.nnz),
        "n_records": len(results.steps),
        "chunks": chunks.chunk_sizes(n_runs, per_run, parts=WORKERS),
        "tally_mib": results.tally.nbytes() / 2**20 if results.tally is not None else 0.0,
        "study_mib": len(pickle.dumps(study, protocol=pickle.HIGHEST_PROTOCOL)) / 2**20,
        "mean_working_final": float(working),
    }


def bench_dask(quick: bool = False, yardstick_s: float | None = None) -> list[Table]:
    """The generated organisation on a local 2-worker cluster: time and peak per worker."""
    departments, n_runs, n_steps = (10, 20, 104) if quick else (1000, 100, 520)
    path = cache_path(departments)
    built = f"cached in {path.name}"
    if not path.exists():
        b = run_child(
            "benchmarks.bench_org100k",
            {"task": "build", "departments": departments, "path": str(path)},
            timeout_s=7200,
            limit_mib=20 * 1024,
        )
        built = (
            f"generated in {fmt_s(b['generate_s'])} s and compiled in {fmt_s(b['compile_s'])} s "
            f"(peak RSS {b['peak_rss_mib']:,.0f} MiB), once"
        )
    r = run_child(
        "benchmarks.bench_dask",
        {"path": str(path), "n_runs": n_runs, "n_steps": n_steps},
        timeout_s=7200,
        limit_mib=20 * 1024,
    )
    table = Table(
        f"(dask) generated organisation ({departments} departments x 50 teams x 20), "
        f"{n_runs} runs x {n_steps} weekly steps, {WORKERS} local Dask workers",
        [
            "people",
            "time (s)",
            "CPU per worker (s)",
            "chunks (runs)",
            "peak RSS per worker (MiB)",
            "worker memory limit (MiB)",
            "client peak RSS (MiB)",
        ],
    )
    table.add(
        f"{r['n_nodes']:,}",
        fmt_s(r["seconds"]),
        ", ".join(fmt_s(c) for c in r["worker_cpu_s"]),
        " + ".join(str(c) for c in r["chunks"]),
        ", ".join(f"{p:,.0f}" for p in r["worker_peaks_mib"]),
        ", ".join(f"{m:,.0f}" for m in r["worker_limit_mib"]),
        f"{r['peak_rss_mib']:,.0f} (before: {r['rss_before_mib']:,.0f})",
    )
    table.notes += [
        f"Organisation: {r['n_nodes']:,} people, {r['n_ties']:,} directed ties; {built}; the "
        f"study sent to each worker pickles to {r['study_mib']:,.0f} MiB.",
        f"Ideas model, default parameters, cohorts of 1% of staff every 13 weeks; recording: "
        f"{', '.join(GROUPINGS)} every {RECORD_EVERY} steps ({r['n_records']} records); the "
        f"gathered tally takes {r['tally_mib']:,.1f} MiB; mean working from the intent at the "
        f"end {r['mean_working_final']:,.0f}.",
        "time: wall time of diffusion.chunks.simulate on the running cluster (sending the "
        "study included, starting the cluster not). Peak per worker: ru_maxrss of each "
        "worker process when the runs are done; CPU per worker: its user + system time "
        f"(unpickling the study included). Load average at the end: {r['load_average']:.1f} "
        "(on 2 cores: the machine was shared).",
    ]
    return [table]


if __name__ == "__main__":
    child_main(measure)
