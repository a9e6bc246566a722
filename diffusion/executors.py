"""Where the work of a sweep, a sensitivity analysis, a calibration or an advice runs.

One :class:`Executor` says it for every workflow: in this process (``workers=0``), on ``N``
local Dask worker processes (``workers=N``), or on a running Dask cluster by its scheduler's
address (``scheduler="tcp://host:8786"``). Results never depend on it: run ``i`` depends only
on the root seed and ``i`` (:func:`diffusion.engine.simulate`).

Examples
--------
>>> Executor().describe(), Executor(workers=4).describe()
('in this process', '4 local workers')
>>> Executor.from_options(None, None, default_workers=2)
Executor(workers=2, scheduler=None)
>>> Executor(workers=2, scheduler="tcp://10.0.0.5:8786")
Traceback (most recent call last):
...
diffusion.errors.InputError: --workers: give a scheduler or local workers, not both
"""

from __future__ import annotations

import contextlib
import importlib.util
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from diffusion.allocator import ENVIRONMENT
from diffusion.errors import InputError, excerpt

#: how long to try to reach a scheduler given by its address
CONNECT_TIMEOUT = "10s"
#: glibc's allocator settings of local worker processes (:mod:`diffusion.allocator`). Dask's
#: nanny sets MALLOC_TRIM_THRESHOLD_=65536, which also fixes the threshold above which each
#: array is its own mmap: the engine's per-step arrays of a batch (a few MiB) then cost a
#: mapping, page faults and an unmapping each, so the system time exceeded the simulation's own
#: (measured on a calibration chunk: 2.3x the CPU of the same work in this process).
WORKER_MALLOC = {
    f"distributed.nanny.pre-spawn-environ.{name}": value for name, value in ENVIRONMENT.items()
}


#: address schemes of a Dask scheduler reachable from another process
SCHEDULER_SCHEMES: tuple[str, ...] = ("tcp", "tls", "ws", "wss", "ucx")


def scheduler_address(address: str) -> str:
    """Check a Dask scheduler address, ``[SCHEME://]HOST:PORT``, without connecting.

    Parameters
    ----------
    address : str
        E.g. ``tcp://10.0.0.5:8786``, ``scheduler.local:8786`` (tcp), ``tls://[::1]:8786``.

    Returns
    -------
    str
        The address with its scheme (``tcp://`` when none is given).

    Raises
    ------
    InputError
        For a malformed address: no host, no port, a port outside 1-65535, another scheme.

    Examples
    --------
    >>> scheduler_address("localhost:8786")
    'tcp://localhost:8786'
    """

    def bad(why: str) -> InputError:
        return InputError(
            "",
            "--scheduler",
            f"{excerpt(address)} {why}; write SCHEME://HOST:PORT, e.g. tcp://10.0.0.5:8786",
        )

    scheme, sep, rest = address.strip().partition("://")
    if not sep:
        scheme, rest = "tcp", address.strip()
    if scheme not in SCHEDULER_SCHEMES:
        raise bad(f"has an unknown scheme (use {', '.join(SCHEDULER_SCHEMES)})")
    host, colon, port = rest.rpartition(":")
    if not colon or not port:
        raise bad("has no port")
    if not port.isdigit() or not 1 <= int(port) <= 65535:
        raise bad("has no port from 1 to 65535")
    bare = host[1:-1] if host.startswith("[") and host.endswith("]") else host
    if (
        not bare
        or any(c.isspace() or c in "/[]@?#" for c in bare)
        or (":" in bare) != (bare != host)
    ):
        raise bad("has no valid host (IPv6 hosts go in brackets: [::1])")
    return f"{scheme}://{host}:{int(port)}"


@dataclass(frozen=True)
class Executor:
    """Where work runs: this process, local worker processes, or a Dask scheduler.

    Attributes
    ----------
    workers : int
        Local Dask worker processes (one thread each); 0 with no ``scheduler``: in this
        process, without Dask.
    scheduler : str, optional
        Address of a running Dask scheduler, ``[SCHEME://]HOST:PORT`` (checked by
        :func:`scheduler_address`; its workers must have ``diffusion`` installed and reach
        the same files at the same paths).

    Raises
    ------
    InputError
        For negative workers, or workers together with a scheduler.
    """

    workers: int = 0
    scheduler: str | None = None

    def __post_init__(self) -> None:
        if isinstance(self.workers, bool) or not isinstance(self.workers, int) or self.workers < 0:
            raise InputError("", "--workers", f"give 0 or more workers (got {self.workers!r})")
        if self.scheduler is not None and self.workers:
            raise InputError("", "--workers", "give a scheduler or local workers, not both")
        if self.scheduler is not None:
            object.__setattr__(self, "scheduler", scheduler_address(self.scheduler))

    @classmethod
    def from_options(
        cls, scheduler: str | None, workers: int | None, *, default_workers: int
    ) -> Executor:
        """Return the executor of the ``--scheduler`` and ``--workers`` options (or None)."""
        if scheduler is not None and workers is not None:
            raise InputError("", "--workers", "give --scheduler or --workers, not both")
        if scheduler is not None:
            return cls(0, scheduler)
        return cls(default_workers if workers is None else workers)

    @property
    def in_process(self) -> bool:
        """Whether the work runs in this process, without Dask."""
        return self.scheduler is None and self.workers == 0

    def describe(self) -> str:
        """Where the work runs, in words (for messages and manifests)."""
        if self.scheduler is not None:
            return self.scheduler
        return "in this process" if self.workers == 0 else f"{self.workers} local workers"

    def check_available(self) -> None:
        """Raise InputError when Dask's distributed scheduler is needed and missing."""
        if not self.in_process and importlib.util.find_spec("distributed") is None:
            raise InputError(
                "",
                "--workers",
                "Dask workers need dask[distributed]: pip install "
                "'diffusion[dask]', or run in this process (workers 0)",
            )

    @contextlib.contextmanager
    def client(self, *, processes: bool = True) -> Iterator[Any]:
        """Return a Dask client for this executor; None when the work runs in this process.

        Parameters
        ----------
        processes : bool
            Local workers as processes (``False``: threads of this process, quicker to
            start, for tests).

        Raises
        ------
        InputError
            When the scheduler cannot be reached or Dask is missing.
        """
        if self.in_process:
            yield None
            return
        self.check_available()
        from distributed import Client, LocalCluster

        if self.scheduler is not None:
            try:
                client = Client(self.scheduler, timeout=CONNECT_TIMEOUT)
            except (OSError, TimeoutError) as exc:
                raise InputError(
                    "", "--scheduler", f"cannot reach {self.scheduler}: {exc}"
                ) from None
            with client:
                yield client
            return
        import dask

        with dask.config.set(WORKER_MALLOC):
            cluster = LocalCluster(
                n_workers=self.workers,
                threads_per_worker=1,
                processes=processes,
                dashboard_address=":0",  # a free port: never clash with another cluster
                silence_logs=logging.ERROR,
            )
        with cluster, Client(cluster) as client:
            yield client
