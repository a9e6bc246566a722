"""(f) The engine against the yardstick: a plain hand-written numpy step on two threads.

The yardstick is what a careful user would write by hand for one model on one graph, and
the practical limit of numpy on this machine: the state of all runs as one ``(runs, nodes)``
int8 array, one sparse product per step for the neighbour counts (int8 pattern on
unweighted ties, float32 sums of ``log(1 - p_ij)`` on weighted ones), 32-bit float draws for
every cell from a numpy Generator, the runs split in two halves stepped on two threads, each
half stopping when nothing can change any more. It records nothing but the final state (no
curves, no groups, no first steps), has no events, and no per-run reproducibility: the
engine does all of that on top, so a ratio of 1.0x means its generality costs nothing.

Models and parameters are those of :mod:`benchmarks.bench_standard` (SIR beta 0.05, gamma
0.2, 1% seeded; fractional threshold 0.25, 5% seeded; at most 100 steps).

Every measurement runs in a fresh process that times the yardstick and the engine
alternately (``repeat`` pairs); the ratio of a pair is ``yardstick time / engine time``
(above 1: the engine is faster), and the table gives the median ratio and its range over
the pairs. With the environment variable ``BENCH_BEFORE`` set to the root of another
checkout (e.g. a ``git worktree`` of an older commit), each case is also measured with
that checkout's engine, in a process started right before the current one's, so "before"
and "after" are measured in the same run under the same load.
"""

from __future__ import annotations

import itertools
import os
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np

from benchmarks._common import Table, child_main, fmt_ratio, fmt_s, run_child

#: (graph, model, runs) measured; the goal is >= 1.0x on each
CASES = [
    ("Etten-Leur", "sir", 2_000),
    ("Etten-Leur", "threshold", 2_000),
    ("ER 10k", "sir", 1_000),
    ("ER 10k", "threshold", 1_000),
    ("ER 100k", "sir", 100),
    ("ER 100k", "threshold", 100),
]
QUICK_CASES = [("Etten-Leur", "sir", 500), ("Etten-Leur", "threshold", 500)]
THREADS = 2


def _org(graph: str):
    from benchmarks.bench_standard import er_org, etten_leur_org

    if graph == "Etten-Leur":
        return etten_leur_org()
    return er_org({"ER 10k": 10_000, "ER 100k": 100_000}[graph])


def _seeds(rng: np.random.Generator, n_runs: int, staff: np.ndarray, k: int) -> np.ndarray:
    """``k`` distinct staff members per run, as a bool ``(runs, nodes)`` mask."""
    pool = np.flatnonzero(staff)
    keys = rng.random((n_runs, pool.size), dtype=np.float32)
    pick = pool[np.argpartition(keys, k - 1, axis=1)[:, :k]]
    mask = np.zeros((n_runs, staff.size), dtype=bool)
    np.put_along_axis(mask, pick, True, axis=1)
    return mask


def yardstick(model: str, org, n_runs: int, n_steps: int, seed: int) -> np.ndarray:
    """Hand-written SIR or fractional threshold; the final state ``(runs, nodes)`` int8."""
    import scipy.sparse as sp

    from benchmarks.bench_standard import (
        BETA,
        GAMMA,
        SIR_INITIAL,
        THRESHOLD,
        THRESHOLD_INITIAL,
        n_initial,
    )

    w = sp.csr_array(org.combined, dtype=np.float64)
    w.eliminate_zeros()
    unweighted = w.nnz == 0 or bool(np.all(w.data == w.data[0]))
    pattern = sp.csr_array((np.ones(w.nnz, np.int8), w.indices, w.indptr), shape=w.shape)
    degree = np.diff(w.indptr)
    staff = np.asarray(org.is_staff, dtype=bool)
    share = SIR_INITIAL if model == "sir" else THRESHOLD_INITIAL
    state0 = _seeds(np.random.default_rng(seed), n_runs, staff, n_initial(org, share))
    state0 = state0.astype(np.int8)

    if model == "sir":
        if unweighted:
            table = (1 - (1 - BETA) ** (w.data[0] * np.arange(degree.max() + 1))).astype(np.float32)
        else:
            log_survive = w.copy()
            log_survive.data = (w.data * np.log1p(-BETA)).astype(np.float32)
            log_survive = sp.csr_array(log_survive, dtype=np.float32)

        def part(rows: slice, part_seed: int) -> None:
            rng = np.random.default_rng(part_seed)
            s = state0[rows]
            for _ in range(n_steps):
                infected = s == 1
                if not infected.any():
                    break
                if unweighted:
                    k = np.ascontiguousarray((pattern @ infected.view(np.int8).T).T)
                    p = table[k]
                else:
                    p = np.ascontiguousarray((log_survive @ infected.T.astype(np.float32)).T)
                    np.expm1(p, out=p)
                    np.negative(p, out=p)
                u = rng.random(s.shape, dtype=np.float32)
                new = (s == 0) & (u < p)
                recover = infected & (u < np.float32(GAMMA))
                s += new.view(np.int8)
                s += recover.view(np.int8)

    else:
        in_weight = np.asarray(w.sum(axis=1)).reshape(-1)
        if unweighted:
            need = np.ceil(THRESHOLD * degree - 1e-9).astype(np.int8)
            need[degree == 0] = 127
        else:
            floats = sp.csr_array(w, dtype=np.float32)
            need = (THRESHOLD * in_weight * (1 - 1e-6)).astype(np.float32)
            need[in_weight <= 0] = np.inf

        def part(rows: slice, part_seed: int) -> None:
            s = state0[rows]
            for _ in range(n_steps):
                if unweighted:
                    k = np.ascontiguousarray((pattern @ s.T).T)
                else:
                    k = np.ascontiguousarray((floats @ s.T.astype(np.float32)).T)
                new = k >= need
                new &= s == 0
                if not new.any():
                    break
                s |= new.view(np.int8)

    bounds = np.linspace(0, n_runs, THREADS + 1).astype(int)
    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(part, [slice(a, b) for a, b in itertools.pairwise(bounds)], range(THREADS)))
    return state0


def measure(
    graph: str, model: str, n_runs: int, repeat: int, engine_root: str | None
) -> dict[str, Any]:
    """In the child: alternate yardstick and engine timings; return times and final sizes."""
    import gc

    if engine_root:
        sys.path.insert(0, engine_root)
    import diffusion
    from benchmarks.bench_standard import N_STEPS, SEED, make_model
    from diffusion.engine import simulate

    org = _org(graph)
    m = make_model(model, org)
    yard, engine, yard_cpu, engine_cpu = [], [], [], []
    final_y = final_e = 0.0
    # a first engine simulation, untimed: its one-time costs (imports on first use, numpy's
    # and scipy's first calls) are not the engine's per-simulation cost
    simulate(m, org, n_runs=min(n_runs, 64), n_steps=N_STEPS, seed=SEED)
    for _ in range(repeat):
        for which in ("yardstick", "engine"):
            gc.collect()
            start, cpu = time.perf_counter(), time.process_time()
            if which == "yardstick":
                s = yardstick(model, org, n_runs, N_STEPS, SEED)
                yard.append(time.perf_counter() - start)
                yard_cpu.append(time.process_time() - cpu)
                final_y = float((s > 0).sum(axis=1).mean())
            else:
                r = simulate(m, org, n_runs=n_runs, n_steps=N_STEPS, seed=SEED)
                engine.append(time.perf_counter() - start)
                engine_cpu.append(time.process_time() - cpu)
                final_e = float(r.total[:, -1, 1:].sum(axis=-1).mean())
    return {
        "yardstick_s": yard,
        "engine_s": engine,
        "yardstick_cpu_s": yard_cpu,
        "engine_cpu_s": engine_cpu,
        "final_yardstick": final_y,
        "final_engine": final_e,
        "engine_file": diffusion.__file__,
    }


def _ratios(r: dict[str, Any], clock: str = "") -> list[float]:
    """Yardstick time / engine time per pair; ``clock="cpu"``: of process CPU time."""
    key = "_cpu_s" if clock == "cpu" else "_s"
    return [y / e for y, e in zip(r[f"yardstick{key}"], r[f"engine{key}"], strict=True)]


def _cell(r: dict[str, Any] | None, clock: str = "") -> str:
    if r is None:
        return ""
    ratios = _ratios(r, clock)
    return (
        f"{fmt_ratio(statistics.median(ratios))} "
        f"({fmt_ratio(min(ratios))}-{fmt_ratio(max(ratios))})"
    )


def _commit_of(root: str) -> str:
    """The short commit of the git checkout at ``root``; ``root`` itself when git cannot say."""
    import subprocess

    try:
        done = subprocess.run(
            ["git", "-C", root, "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        )
    except (OSError, subprocess.CalledProcessError):
        return root
    return done.stdout.strip()


def bench_yardstick(quick: bool = False, yardstick_s: float | None = None) -> list[Table]:
    """Table (f): engine / yardstick speed ratios, before and after when ``BENCH_BEFORE``."""
    before = os.environ.get("BENCH_BEFORE") or None
    cases = QUICK_CASES if quick else CASES
    table = Table(
        "(f) engine / yardstick (hand-written numpy step, 32-bit draws, 2 threads)",
        [
            "graph",
            "model",
            "runs",
            *(["before: engine/yardstick"] if before else []),
            "engine/yardstick",
            "same in CPU time",
            "yardstick (s)",
            "engine (s)",
            "final size yardstick / engine",
            "goal",
        ],
    )
    for graph, model, n_runs in cases:
        repeat = 3 if quick else (5 if graph == "Etten-Leur" else 3)
        args = {"graph": graph, "model": model, "n_runs": n_runs, "repeat": repeat}
        old = None
        if before:
            old = run_child("benchmarks.bench_yardstick", args | {"engine_root": before})
        new = run_child("benchmarks.bench_yardstick", args | {"engine_root": None})
        ratio = statistics.median(_ratios(new))
        table.add(
            graph,
            model,
            f"{n_runs:,}",
            *([_cell(old)] if before else []),
            _cell(new),
            _cell(new, "cpu"),
            fmt_s(statistics.median(new["yardstick_s"])),
            fmt_s(statistics.median(new["engine_s"])),
            f"{new['final_yardstick']:,.0f} / {new['final_engine']:,.0f}",
            f">= 1.0x: {'met' if ratio >= 1.0 else 'NOT met'}",
        )
    table.notes += [
        "ratio = yardstick time / engine time of a pair timed back to back in one process "
        "(above 1: the engine is faster); median over the pairs, range in brackets "
        "(5 pairs on Etten-Leur, 3 on the ER graphs).",
        "same in CPU time: the ratio of the process CPU times (both threads) of the same "
        "pairs: work done, less moved by waiting for a core than wall time on a loaded "
        "machine; a first engine simulation in each process is not timed (one-time costs).",
        f"Load average at the end: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores; on a "
        "shared machine only the ratios mean much (absolute times moved by up to 2x between "
        "passes).",
        "engine: diffusion.engine.simulate with its defaults (counts per state for the four "
        "default groupings every step, first steps, dropping finished runs, 2 threads); "
        "yardstick: see the module docstring (final state only).",
        *(
            [
                f"before: the engine of {_commit_of(before)} (a checkout of it), measured in a "
                "process started just before the one measuring 'after', same cases and "
                "yardstick."
            ]
            if before
            else []
        ),
        "final size: mean people ever infected (SIR) or active (threshold); the two agree "
        "within Monte Carlo noise (same model, different random numbers).",
    ]
    return [table]


if __name__ == "__main__":
    child_main(measure)
