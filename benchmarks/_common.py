"""Shared pieces of the benchmarks: timing, tables, the machine yardstick, machine facts.

Timing policy (the machines are shared and noisy): every timing is the best of
``REPEAT`` runs (fewer when a single run takes longer than ``SINGLE_LIMIT_S``; the table says
how many), after a garbage collection, and every figure is also given as a ratio against a
baseline measured in the same process run.
"""

from __future__ import annotations

import gc
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

import numpy as np

T = TypeVar("T")

#: timings per measurement (best of)
REPEAT = 3
#: a measurement whose single run takes longer than this is not repeated
SINGLE_LIMIT_S = 15.0
#: combinations predicted to take longer than this (one run) are skipped
SKIP_ABOVE_S = 60.0
#: address-space cap of a measuring child process (MiB)
CHILD_LIMIT_MIB = 6 * 1024.0

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Timing(Generic[T]):
    """Best wall time of ``n`` runs of a callable, the CPU time of that run (all threads of
    the process and of the worker processes it waited for, e.g. :mod:`diffusion.processes`;
    less sensitive to other load on the machine than wall time), and the value of the last
    run."""

    best_s: float
    n: int
    value: T
    cpu_s: float = float("nan")

    @property
    def label(self) -> str:
        """``"best of n"`` for the tables."""
        return f"best of {self.n}"


def timed(
    fn: Callable[[], T], repeat: int = REPEAT, single_limit_s: float = SINGLE_LIMIT_S
) -> Timing[T]:
    """Time ``fn()`` ``repeat`` times (stopping early after a slow run); keep the best."""
    times: list[tuple[float, float]] = []
    value: Any = None
    for _ in range(max(1, repeat)):
        gc.collect()
        start, cpu = time.perf_counter(), _cpu_s()
        value = fn()
        times.append((time.perf_counter() - start, _cpu_s() - cpu))
        if times[-1][0] > single_limit_s:
            break
    best, cpu = min(times)
    return Timing(best, len(times), value, cpu)


@dataclass
class Table:
    """One section of the report: a markdown table with notes under it."""

    title: str
    columns: list[str]
    rows: list[list[str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, *cells: object) -> None:
        """Append a row (cells are formatted with ``str``)."""
        self.rows.append([str(c) for c in cells])

    def markdown(self) -> str:
        """The section as markdown: a heading, the table, then the notes as a list."""
        lines = [f"### {self.title}", ""]
        lines.append("| " + " | ".join(self.columns) + " |")
        lines.append("|" + "|".join("---" for _ in self.columns) + "|")
        lines += ["| " + " | ".join(row) + " |" for row in self.rows]
        if self.notes:
            lines.append("")
            lines += [f"- {note}" for note in self.notes]
        return "\n".join(lines) + "\n"


def fmt_s(seconds: float) -> str:
    """A duration in seconds with 3 significant digits."""
    if seconds >= 100:
        return f"{seconds:.0f}"
    return f"{seconds:.3g}"


def fmt_rate(rate: float) -> str:
    """A rate (per second) in engineering notation, e.g. ``3.2e+08`` or ``1,250``."""
    if rate >= 1e6:
        return f"{rate:.2e}"
    if rate >= 100:
        return f"{rate:,.0f}"
    return f"{rate:.3g}"


def fmt_ratio(ratio: float) -> str:
    """A ratio such as ``42x`` or ``0.61x``."""
    if ratio >= 100:
        return f"{ratio:,.0f}x"
    return f"{ratio:.3g}x"


def yardstick() -> float:
    """Seconds for a fixed numpy/scipy workload: a machine-speed probe that never changes.

    A hand-written discrete SIR (beta 0.05, gamma 0.2) on a fixed random 300-node graph of
    mean degree 12 (int8 CSR), 1,000 runs as one ``(nodes, runs)`` array, 40 steps, float32
    draws from one numpy Generator. Best of 5. Figures divided by it stay comparable when the
    machine is busy or differs; it does not depend on the package's code.
    """
    import scipy.sparse as sp

    rng = np.random.default_rng(12345)
    n, runs, steps = 300, 1000, 40
    upper = np.triu(rng.random((n, n)) < 12 / (n - 1), 1)
    adj = sp.csr_array((upper | upper.T).astype(np.int8))
    table = (1 - 0.95 ** np.arange(n + 1)).astype(np.float32)

    def run() -> int:
        draws = np.random.default_rng(1)
        state = np.zeros((n, runs), dtype=np.int8)
        state[0] = 1
        for _ in range(steps):
            infected = (state == 1).view(np.int8)
            k = adj @ infected
            u = draws.random((n, runs), dtype=np.float32)
            new = (state == 0) & (u < table[k])
            rec = (state == 1) & (u < 0.2)
            state += new.view(np.int8) + rec.view(np.int8)
        return int(state.sum())

    return timed(run, repeat=5).best_s


def machine_info() -> dict[str, str]:
    """Facts about the machine and the libraries, for the report's header."""
    import networkx
    import scipy

    info = {
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
        "cpu": _cpu_model(),
        "nproc": str(os.cpu_count()),
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "networkx": networkx.__version__,
    }
    try:
        from threadpoolctl import threadpool_info
    except ImportError:
        info["blas"] = "threadpoolctl not installed"
    else:
        pools = threadpool_info()
        info["blas"] = "; ".join(
            f"{p.get('internal_api')} {p.get('version')} ({p.get('num_threads')} threads)"
            for p in pools
        )
    return info


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


class ChildError(RuntimeError):
    """A measuring child process failed; ``reason`` is its last error line."""

    def __init__(self, module: str, returncode: int, stderr: str) -> None:
        lines = [line for line in stderr.strip().splitlines() if line.strip()]
        self.reason = lines[-1] if lines else f"exit status {returncode}"
        super().__init__(f"{module} failed ({returncode}): {self.reason}")


def run_child(
    module: str,
    args: dict[str, Any],
    timeout_s: float = 900.0,
    limit_mib: float = CHILD_LIMIT_MIB,
) -> dict[str, Any]:
    """Run ``python -m <module> <json args>`` in a fresh process; return its JSON answer.

    The child prints one JSON object as its last line of output. A fresh process per
    measurement keeps peak memory (``ru_maxrss``) from mixing between measurements. Its
    address space is capped at ``limit_mib`` so that a runaway allocation ends in a
    ``MemoryError`` (raised here as :class:`ChildError`) rather than in the kernel's OOM
    killer on a shared machine.
    """

    def cap() -> None:
        import resource

        limit = int(limit_mib * 2**20)
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    proc = subprocess.run(
        [sys.executable, "-m", module, json.dumps(args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
        preexec_fn=cap if sys.platform.startswith("linux") else None,
    )
    if proc.returncode != 0:
        raise ChildError(module, proc.returncode, proc.stderr)
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _cpu_s() -> float:
    """CPU seconds of this process and of its children that ended (user + system)."""
    import resource

    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def workers_peak_rss_mib() -> float:
    """Peak resident memory of the largest child process that ended, in MiB (0: none)."""
    import resource

    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def peak_rss_mib() -> float:
    """Peak resident memory of this process so far, in MiB (Linux ``ru_maxrss`` is KiB)."""
    import resource

    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def child_main(measure: Callable[..., dict[str, Any]]) -> None:
    """Entry point of a measuring child process (see :func:`run_child`).

    Calls ``measure(**json.loads(sys.argv[1]))``, adds ``peak_rss_mib`` (the peak resident
    memory of the whole child) and ``workers_peak_rss_mib`` (that of its largest worker
    process, 0 without one) and prints the answer as one JSON line.
    """
    answer = measure(**json.loads(sys.argv[1]))
    answer["peak_rss_mib"] = peak_rss_mib()
    answer["workers_peak_rss_mib"] = workers_peak_rss_mib()
    print(json.dumps(answer))
