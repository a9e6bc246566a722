"""Chunks of a large simulation in forked worker processes of this one (Linux).

The engine's batches run in two threads, but a step of the ideas model is many numpy calls
on a few thousand cells each, and a thread holds the interpreter lock for about two thirds
of its time (py-spy ``--gil`` on the Etten-Leur baseline): two threads gave about 1.4 times
one. Worker processes have a lock each. On Linux the workers are forked from this process,
so they start in milliseconds with the study already in memory (nothing is pickled to them);
each simulates and tallies whole chunks of runs with one thread and sends back what
:mod:`diffusion.chunks` gathers. Run ``i`` depends only on the seed and ``i``, so the
results are those of the threads, bit for bit (``tests/test_processes.py``).

Where fork is not available (macOS and Windows start processes afresh, with every import),
inside a daemonic process (which may not have children), or for small work, the caller
keeps its threads: :func:`local_processes` says how many processes to use.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import warnings
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any, TypeVar

#: below this many person-steps (runs x people x steps) a simulation stays in its threads:
#: forking, and sending the chunks' tallies back, cost more than they save (the Etten-Leur
#: baseline, 318 people x 417 weeks, goes to processes from about 750 runs)
MIN_PERSON_STEPS = 1e8
#: most worker processes: one a core up to this (each holds a batch, its chunk's tally and a
#: copy-on-write view of the study: about 170-300 MiB for the Etten-Leur baseline)
MAX_PROCESSES = 8

S = TypeVar("S")
T = TypeVar("T")
R = TypeVar("R")

_shared: Any = None
_done: Any = None  # a worker's progress counter (multiprocessing.Value), None elsewhere
#: how often the caller of :func:`map_forked` hears of the workers' progress (seconds)
PROGRESS_SECONDS = 0.5


def local_processes(person_steps: float, chunks: int) -> int:
    """Return how many forked processes a simulation of ``person_steps`` should use.

    0 means: stay in this process (its threads). Processes need fork (Linux), a process that
    may have children, at least two cores (:func:`available_cores`; one process a core, at
    most :data:`MAX_PROCESSES`), two chunks or more and :data:`MIN_PERSON_STEPS` of work.
    """
    if (
        not sys.platform.startswith("linux")
        or "fork" not in multiprocessing.get_all_start_methods()
        or multiprocessing.current_process().daemon
        or person_steps < MIN_PERSON_STEPS
    ):
        return 0
    n = min(available_cores(), MAX_PROCESSES, chunks)
    return n if n >= 2 else 0


def available_cores() -> int:
    """Cores this process may run on (its CPU affinity: a container's or ``taskset``'s)."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def map_forked(
    func: Callable[[S, T], R],
    shared: S,
    items: Sequence[T],
    processes: int,
    progress: Callable[[int], None] | None = None,
) -> Iterator[R]:
    """Yield ``func(shared, item)`` for every item, computed in forked worker processes.

    Results come in the order the items finish. ``func`` must be a module-level function
    (it is sent by name); ``shared`` reaches the workers by the fork, not pickled; items and
    results are pickled. The workers ignore SIGINT and die on SIGTERM: an interrupt, an error
    or leaving the loop early ends them, and the exception goes on in this process. A worker
    that dies (killed, or out of memory) fails the whole map with :class:`WorkerDied`
    instead of leaving it waiting.

    Parameters
    ----------
    func : callable
        ``func(shared, item) -> result``.
    shared : object
        What every item needs (e.g. the study), as it is in this process at the call.
    items : sequence
        The pieces of work (small: each is pickled to a worker).
    processes : int
        Worker processes, >= 1.
    progress : callable, optional
        Called in this process, about every :data:`PROGRESS_SECONDS` while the workers run,
        with what they passed to :func:`report` since the last call.

    Raises
    ------
    WorkerDied
        When a worker process ended without its result.
    """
    context = multiprocessing.get_context("fork")
    done = context.Value("q", 0)  # what the workers reported: shared memory, a lock
    pool: ProcessPoolExecutor | None = None
    ended, told = False, 0
    try:  # from the start: an interrupt while the workers start must end them too
        with warnings.catch_warnings():
            # Python >= 3.12 warns when a process with threads (e.g. a progress bar's) forks;
            # the workers only compute: they take no lock another thread may hold
            warnings.filterwarnings("ignore", ".* is multi-threaded", DeprecationWarning)
            pool = ProcessPoolExecutor(
                processes, mp_context=context, initializer=_start_worker, initargs=(shared, done)
            )
            pending = {pool.submit(_call, (func, item)) for item in items}
        while pending:
            finished, pending = wait(pending, PROGRESS_SECONDS, FIRST_COMPLETED)
            # read without the lock (one aligned 8-byte word): a worker killed while holding
            # it must not stop this loop from noticing that the pool broke
            now = done.get_obj().value
            if progress is not None and now > told:
                progress(now - told)
                told = now
            for future in finished:
                yield future.result()
        ended = True
    except BrokenProcessPool as exc:
        raise WorkerDied(
            "a worker process of this simulation ended without its result (killed, or out "
            "of memory): simulate fewer runs, or a smaller organisation"
        ) from exc
    finally:
        if pool is not None:
            if not ended:
                for worker in list((getattr(pool, "_processes", None) or {}).values()):
                    worker.terminate()  # no wait for the chunks under way
            pool.shutdown(wait=True, cancel_futures=True)


class WorkerDied(RuntimeError):
    """A forked worker process ended without sending its result back."""


def report(n: int) -> None:
    """In a worker of :func:`map_forked`: add ``n`` to the progress its caller reports.

    Does nothing outside a worker.
    """
    if _done is not None:
        with _done.get_lock():
            _done.value += n


def _start_worker(shared: Any, done: Any) -> None:
    """In a new worker: keep ``shared`` and the progress counter ``done``.

    Interrupts are left to the parent; SIGTERM ends the worker.
    """
    global _shared, _done
    _shared, _done = shared, done
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _call(task: tuple[Callable[[Any, Any], Any], Any]) -> Any:
    """In a worker: ``func(shared, item)``."""
    func, item = task
    return func(_shared, item)
