"""Shared pieces of the commands: clean errors, progress, and atomic output folders."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import sys
import tempfile
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
    """The ``--scheduler ADDRESS`` and ``--workers N`` options of the commands that can run on
    Dask. Both default to None; the command resolves ``--workers`` to ``default_workers``
    (0: in this process, without Dask), and refuses the two together.
    """

    def decorate(command: F) -> F:
        command = click.option(
            "--workers",
            type=click.IntRange(min=0),
            default=None,
            help=f"Local Dask worker processes [default: {default_workers}]; "
            "0: in this process, without Dask.",
        )(command)
        return click.option(
            "--scheduler",
            default=None,
            metavar="ADDRESS",
            help="A running Dask scheduler, tcp://host:port, instead of local workers.",
        )(command)

    return decorate


def date_option(ctx: click.Context, param: click.Parameter, value: str | None) -> dt.date | None:
    """A click callback: a YYYY-MM-DD option as a date (None stays None), or a usage error."""
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date; write it as YYYY-MM-DD") from None


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
        fail(str(exc))
    except (FileNotFoundError, IsADirectoryError, PermissionError) as exc:
        fail(f"{exc.filename}: {exc.strerror}")


@contextlib.contextmanager
def progress(total: int, label: str) -> Iterator[Callable[[int], None]]:
    """Yield a thread-safe ``advance(n)``: a rich bar on a terminal, else a heartbeat line.

    The heartbeat prints ``label: N% (elapsed)`` to stderr at most every
    :data:`HEARTBEAT_SECONDS`, so CI logs show life without animation spam.
    """
    lock = threading.Lock()
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
                    bar.advance(task, n)

            yield advance
        return

    done = 0
    start = last = time.monotonic()

    def beat(n: int) -> None:
        nonlocal done, last
        with lock:
            done += n
            now = time.monotonic()
            if now - last >= HEARTBEAT_SECONDS:
                last = now
                pct = 100 * done / max(total, 1)
                click.echo(f"{label}: {pct:.0f}% ({now - start:.0f} s)", err=True)

    yield beat


@contextlib.contextmanager
def output_folder(path: Path) -> Iterator[Path]:
    """Yield a temporary folder beside ``path``; on success it replaces ``path`` at once.

    If anything fails, ``path`` is left as it was and the temporary folder is removed, so a
    reader never sees half an output folder.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{path.name}.", dir=path.parent))
    umask = os.umask(0)
    os.umask(umask)
    tmp.chmod(0o777 & ~umask)  # mkdtemp makes it private; give it a new folder's usual mode
    try:
        yield tmp
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if path.exists():
        old = path.with_name(f".{path.name}.old-{time.time_ns()}")
        path.rename(old)
        tmp.rename(path)
        shutil.rmtree(old, ignore_errors=True)
    else:
        tmp.rename(path)
