"""Shared pieces of the commands: clean errors, progress, and atomic output folders."""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import os
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

#: seconds between heartbeat lines when the output is not a terminal
HEARTBEAT_SECONDS = 30.0


def dask_options(default_workers: int) -> Callable[[F], F]:
    """Add the ``--scheduler ADDRESS`` and ``--workers N`` options to a Dask command.

    Both default to None; the command resolves ``--workers`` to ``default_workers``
    (0: in this process, without Dask), and refuses the two together.
    """

    def decorate(command: F) -> F:
        command = click.option(
            "--workers",
            type=click.IntRange(min=0),
            default=None,
            callback=_cap_workers,
            help=f"Local Dask worker processes, at most the cores [default: {default_workers}]; "
            "0: in this process, without Dask.",
        )(command)
        return click.option(
            "--scheduler",
            default=None,
            metavar="ADDRESS",
            callback=check_scheduler,
            help="A running Dask scheduler, tcp://host:port, instead of local workers.",
        )(command)

    return decorate


class NumberRange(click.FloatRange):
    """click's ``FloatRange`` that also refuses nan (which no bound can: it compares false)."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        """Convert as ``FloatRange`` does, refusing nan."""
        number = super().convert(value, param, ctx)
        if math.isnan(number):
            self.fail(f"{value!r} is not a number", param, ctx)
        return number


def check_scheduler(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """Return a click callback.

    A ``--scheduler`` address as Dask writes them, or a usage error, before anything is created (see
    :func:`diffusion.executors.scheduler_address`).
    """
    if value is None:
        return None
    from diffusion.errors import InputError
    from diffusion.executors import scheduler_address

    try:
        return scheduler_address(value)
    except InputError as exc:
        raise click.BadParameter(exc.message) from None


def memory_option(command: F) -> F:
    """Return the ``--max-memory SIZE`` option.

    Refuse work whose memory estimate exceeds SIZE (:mod:`diffusion.budget`), for this command (and
    the local workers it starts).
    """
    return click.option(
        "--max-memory",
        metavar="SIZE",
        default=None,
        expose_value=False,
        is_eager=True,
        callback=_max_memory,
        help="Refuse work whose memory estimate exceeds SIZE, e.g. 4G "
        "[default: 80% of the memory available].",
    )(command)


def _max_memory(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value is None:
        return
    from diffusion.budget import ENV, parse_size

    try:
        size = parse_size(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    before = os.environ.get(ENV)
    os.environ[ENV] = str(size)

    def restore() -> None:
        if before is None:
            os.environ.pop(ENV, None)
        else:
            os.environ[ENV] = before

    ctx.call_on_close(restore)


def _cap_workers(ctx: click.Context, param: click.Parameter, value: int | None) -> int | None:
    if value is None:
        return None
    from diffusion.budget import cap_workers

    workers, note = cap_workers(value)
    if note is not None:
        click.echo(f"note: {note}", err=True)
    return workers


def date_option(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    """Return a click callback.

    A YYYY-MM-DD option as a date (None stays None), or a usage error.
    """
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date; write it as YYYY-MM-DD") from None


def dates_option(
    ctx: click.Context, param: click.Parameter, value: tuple[str, ...]
) -> list[dt.date]:
    """Return a click callback.

    A repeatable YYYY-MM-DD option as a list of dates (:func:`date_option` for each).
    """
    return [d for v in value if (d := date_option(ctx, param, v)) is not None]


def fail(message: str) -> None:
    """Print one line ``error: message`` on stderr and exit with status 2."""
    click.echo(f"error: {message}", err=True)
    sys.exit(2)


@contextlib.contextmanager
def clean_errors() -> Iterator[None]:
    """Turn the project's input errors into one line and exit status 2 (no traceback)."""
    from diffusion.errors import InputError

    try:
        yield
    except InputError as exc:
        for line in exc.lines:
            click.echo(f"error: {line}", err=True)
        sys.exit(2)
    except (FileNotFoundError, IsADirectoryError, PermissionError) as exc:
        from diffusion.errors import one_line

        fail(one_line(str(exc.filename or ""), exc.strerror or str(exc)))


@contextlib.contextmanager
def progress(total: int, label: str) -> Iterator[Callable[[int], None]]:
    """Yield a thread-safe ``advance(n)``: a rich bar on a terminal, else a heartbeat line.

    The heartbeat prints ``label: N% (elapsed)`` to stderr at most every
    :data:`HEARTBEAT_SECONDS`, so CI logs show life without animation spam. The count never
    passes ``total`` (a retried piece of work is not counted twice into a share above
    100%), and a last line says how far it got: ``label: done, 100% (elapsed)`` or
    ``label: ended at N% (elapsed)``.
    """
    lock = threading.Lock()
    done = 0
    start = last = time.monotonic()

    def counted(n: int) -> int:
        """Add ``n`` to the count, capped at ``total``; return what was added."""
        nonlocal done
        step = max(0, min(n, total - done))
        done += step
        return step

    if sys.stderr.isatty():
        from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

        bar = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn("{task.percentage:>3.0f}%"),
            TimeRemainingColumn(),
            transient=True,
        )
        with bar:
            task = bar.add_task(label, total=total)

            def advance(n: int) -> None:
                with lock:
                    bar.advance(task, counted(n))

            yield advance
    else:

        def beat(n: int) -> None:
            nonlocal last
            with lock:
                counted(n)
                now = time.monotonic()
                if now - last >= HEARTBEAT_SECONDS:
                    last = now
                    click.echo(f"{label}: {_percent(done, total)} ({now - start:.0f} s)", err=True)

        yield beat
    elapsed = time.monotonic() - start
    ended = "done, 100%" if done >= total else f"ended at {_percent(done, total)}"
    click.echo(f"{label}: {ended} ({elapsed:.0f} s)", err=True)


def _percent(done: int, total: int) -> str:
    """``done`` of ``total`` as a whole percentage, 100% only when all is done."""
    if total <= 0:
        return "100%"
    pct = 100 * done / total
    return "100%" if done >= total else f"{min(pct, 99.0):.0f}%"


def overwrite_option(command: F) -> F:
    """Return the ``--overwrite`` flag of the commands that write an output folder."""
    return click.option(
        "--overwrite",
        is_flag=True,
        help="Replace --out even if diffusion did not write it (never the current folder "
        "or one above it).",
    )(command)


@contextlib.contextmanager
def output_folder(path: Path, overwrite: bool = False) -> Iterator[Path]:
    """:func:`diffusion.outputs.output_folder` with its refusals as one line and exit 2."""
    from diffusion.outputs import output_folder as library_output_folder

    with clean_errors(), library_output_folder(path, overwrite=overwrite) as tmp:
        yield tmp


def check_out(path: Path, overwrite: bool = False) -> None:
    """Check ``--out`` before any work (:func:`diffusion.outputs.check_output_folder`)."""
    from diffusion.outputs import check_output_folder

    with clean_errors():
        check_output_folder(path, overwrite=overwrite)
