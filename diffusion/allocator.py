"""The C allocator's settings for simulating: keep freed memory for the next step.

A step of a batch makes and frees dozens of arrays of a few hundred KiB to a few MiB. With
glibc's defaults each array above 128 KiB is its own memory mapping, or freed memory at the
top of the heap is given back at once, so the next step's array of the same size faults its
pages in afresh. Page faults are expensive on virtual machines: a single-thread run of the
Etten-Leur baseline (2,500 runs x 8 years) took 300,000 minor faults and 0.87 s of system
time in 4.4 s; with arrays of up to :data:`MMAP_THRESHOLD` served from the heap and up to
:data:`TRIM_THRESHOLD` of freed memory kept, 22,700 faults, 0.12 s and 3.2 s
(``benchmarks/bench_ideas.py`` measures the whole path).

:func:`keep_freed_memory` sets both once per process, before the first simulation; Dask's
local workers get the same settings through their environment
(:data:`diffusion.executors.WORKER_MALLOC`). It changes nothing where the allocator is not
glibc's, or where the user has set ``MALLOC_MMAP_THRESHOLD_`` or ``MALLOC_TRIM_THRESHOLD_``
(glibc reads those at start: set ``MALLOC_TRIM_THRESHOLD_=131072`` to keep glibc's defaults).
The cost: a process keeps up to :data:`TRIM_THRESHOLD` of freed memory instead of giving it
back to the system.
"""

from __future__ import annotations

import ctypes
import os
import sys
import threading

#: arrays up to this size (bytes) come from the heap, not from a mapping of their own
MMAP_THRESHOLD = 32 << 20
#: freed memory at the top of the heap kept for reuse (bytes)
TRIM_THRESHOLD = 128 << 20
#: the environment variables with which glibc reads the same settings at start
ENVIRONMENT = {
    "MALLOC_TRIM_THRESHOLD_": TRIM_THRESHOLD,
    "MALLOC_MMAP_THRESHOLD_": MMAP_THRESHOLD,
}
# mallopt's parameter numbers (glibc's malloc.h)
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3

_lock = threading.Lock()
_state: dict[str, bool] = {}


def keep_freed_memory() -> bool:
    """Set the allocator to keep freed memory for reuse (once per process; thread-safe).

    Returns
    -------
    bool
        Whether this process runs with the settings (set now or earlier); False where the
        allocator is not glibc's or the user chose their own through the environment.
    """
    with _lock:
        if "applied" not in _state:
            _state["applied"] = _apply()
        return _state["applied"]


def _apply() -> bool:
    """Call glibc's ``mallopt`` for both settings; False where that is not possible."""
    if not sys.platform.startswith("linux") or any(k in os.environ for k in ENVIRONMENT):
        return False
    try:
        libc = ctypes.CDLL(None)
        libc.gnu_get_libc_version  # noqa: B018 - glibc only (musl has a mallopt that does nothing)
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    return bool(
        mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD) and mallopt(_M_TRIM_THRESHOLD, TRIM_THRESHOLD)
    )
