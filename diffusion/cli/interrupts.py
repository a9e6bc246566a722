"""Stopping cleanly: SIGTERM is handled like SIGINT (Ctrl-C).

Both raise an exception in the main thread, so every ``finally`` and ``except
BaseException`` on the way out runs: an output folder being written is removed
(:func:`diffusion.outputs.output_folder`), a half-written file too
(:func:`diffusion.io.atomic_write`), and a local Dask cluster is closed. The command then
prints one line and exits with the shell's status for the signal: 130 for SIGINT, 143 for
SIGTERM.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType

#: exit status after SIGINT and after SIGTERM (128 + the signal's number, as shells report)
EXIT_INTERRUPTED = 128 + signal.SIGINT
EXIT_TERMINATED = 128 + signal.SIGTERM


class Terminated(KeyboardInterrupt):
    """Raised in the main thread when the process receives SIGTERM.

    A :class:`KeyboardInterrupt`, so code that cleans up after Ctrl-C cleans up after
    SIGTERM too.
    """


def _raise_terminated(signum: int, frame: FrameType | None) -> None:
    raise Terminated()


@contextlib.contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Make SIGTERM raise :class:`Terminated` in the main thread while inside.

    Elsewhere, and outside, the handler in place before is kept.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def stop_message(exc: BaseException) -> tuple[str, int]:
    """Return the line to print and the exit status after an interrupt.

    ``exc`` is a KeyboardInterrupt, or click's Abort raised from one.
    """
    cause = exc if isinstance(exc, KeyboardInterrupt) else exc.__context__
    if isinstance(cause, Terminated):
        return "stopped by SIGTERM; outputs being written were removed", EXIT_TERMINATED
    return "interrupted; outputs being written were removed", EXIT_INTERRUPTED
