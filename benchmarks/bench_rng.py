"""(e) The RNG design: draws per second of the counter-based ``RunRandom.uniform`` against
one numpy Generator for the whole batch and one numpy Generator per run (the rejected design).

Each measurement draws one step's uniforms for a ``(runs, nodes)`` batch, float32, for
``STEPS`` consecutive steps. The per-run design keeps a Generator per run (made once, outside
the timing) and calls ``.random(nodes, dtype=float32)`` on each, as reproducible per-run
streams with numpy's generators would need.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from benchmarks._common import Table, fmt_rate, fmt_ratio, fmt_s, timed
from diffusion.rng import RunRandom

STEPS = 20


def _cases(quick: bool) -> list[tuple[int, int]]:
    """``(nodes, runs)`` pairs."""
    if quick:
        return [(300, 200), (10_000, 20)]
    return [(300, 1_000), (10_000, 100)]


def _designs(n_nodes: int, n_runs: int, steps: int) -> list[tuple[str, Callable[[], None]]]:
    """The three designs as callables drawing ``steps`` steps of ``(runs, nodes)`` uniforms."""
    rand = RunRandom(7, np.arange(n_runs))
    single = np.random.default_rng(7)
    per_run = [np.random.default_rng(s) for s in np.random.SeedSequence(7).spawn(n_runs)]

    def counter() -> None:
        for t in range(steps):
            rand.uniform("transition", t, n_nodes)

    def one_generator() -> None:
        for _ in range(steps):
            single.random((n_runs, n_nodes), dtype=np.float32)

    def generator_per_run() -> None:
        out = np.empty((n_runs, n_nodes), dtype=np.float32)
        for _ in range(steps):
            for r, gen in enumerate(per_run):
                gen.random(n_nodes, dtype=np.float32, out=out[r])

    return [
        ("one numpy Generator (batch)", one_generator),
        ("RunRandom.uniform (counter-based)", counter),
        ("one numpy Generator per run", generator_per_run),
    ]


def bench_rng(quick: bool = False, yardstick_s: float | None = None) -> list[Table]:
    """Table (e): draws/s of the three designs, as a ratio to the single Generator."""
    table = Table(
        "(e) random numbers: counter-based RunRandom vs numpy Generators",
        ["nodes x runs", "design", "time/step (ms)", "draws/s", "vs single Generator", "timing"],
    )
    steps = 5 if quick else STEPS
    for n_nodes, n_runs in _cases(quick):
        draws = n_nodes * n_runs * steps
        designs = _designs(n_nodes, n_runs, steps)
        base = None
        for name, fn in designs:
            t = timed(fn, repeat=5)
            rate = draws / t.best_s
            base = base or rate
            table.add(
                f"{n_nodes:,} x {n_runs:,}",
                name,
                fmt_s(1000 * t.best_s / steps),
                fmt_rate(rate),
                fmt_ratio(rate / base),
                t.label,
            )
    table.notes.append(
        f"{steps} steps of one float32 uniform per person and run; ratio > 1 is faster than one "
        "Generator for the whole batch (which cannot give per-run reproducibility)."
    )
    return [table]
