"""Memory estimates made before allocating, and the refusal of work that cannot fit.

A simulation keeps, for every run, the counts of people per state per group at every
recorded step, the total per state, and each person's first step in the adopted states;
while a batch of runs is simulated it also holds the model's state of every person in
every run of the batch. An organisation is held as a graph (networkx) and compiled into
sparse matrices. :func:`simulation_bytes` and :func:`organisation_bytes` estimate these
before anything is allocated; :func:`check` compares an estimate with what this process
may use (:func:`limit`: the machine's available memory, its cgroup limit, or the user's
``--max-memory``) and raises :class:`BudgetError`, naming the levers that make the work
smaller.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path

from diffusion.errors import InputError

#: environment variable with the user's limit in bytes (set by ``--max-memory``; a Dask
#: worker started by this process inherits it)
ENV = "DIFFUSION_MAX_MEMORY"
#: share of the available memory a piece of work may take (the rest: Python, numpy, numba
#: and its compiled loops (about 160 MiB), the operating system, and the estimates' error)
USABLE_SHARE = 0.8
#: bytes per person and per tie of an organisation graph, compiling included: measured with
#: tracemalloc on a generated 4,011-person, 91,541-tie organisation (graph 24 MB, compiling
#: peaks 13 MB above it), rounded up
BYTES_PER_PERSON = 2_000
BYTES_PER_TIE = 400
#: bytes per person per run of a batch while it is simulated (the model's state and its
#: temporaries): measured at 200 with tracemalloc on the baseline (318 people, batches of 50
#: and 200 runs), rounded up
BYTES_PER_PERSON_RUN = 256

_UNITS = {"": 1, "K": 2**10, "M": 2**20, "G": 2**30, "T": 2**40}


class BudgetError(InputError):
    """A piece of work would need more memory than this process may use."""


def parse_size(text: str) -> int:
    """``"4G"``, ``"512M"``, ``"2.5GB"``, ``"1000000"`` -> bytes (units of 1024).

    Raises
    ------
    ValueError
        For anything else.

    Examples
    --------
    >>> parse_size("1.5G"), parse_size("512m"), parse_size("100")
    (1610612736, 536870912, 100)
    """
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmgtKMGT]?)(?:[iI]?[bB])?\s*", text)
    if match is None:
        raise ValueError(f"{text!r} is not a size; write e.g. 4G, 512M or 2.5GB")
    size = float(match.group(1)) * _UNITS[match.group(2).upper()]
    if not 1 <= size < 2**63:
        raise ValueError(f"{text!r} is not a size from 1 byte to 8 EB")
    return int(size)


def human(n_bytes: float) -> str:
    """Bytes in words: ``human(3.2e9)`` -> ``'3.0 GiB'``."""
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(n_bytes) < 1024 or unit == "TiB":
            return f"{n_bytes:.0f} {unit}" if unit == "B" else f"{n_bytes:.1f} {unit}"
        n_bytes /= 1024
    raise AssertionError("unreachable")


def available() -> int:
    """Bytes this process can still allocate.

    The least of the machine's available memory (``MemAvailable``) and what its cgroup allows
    (Linux); elsewhere psutil's estimate, or the physical memory.
    """
    found: list[int] = []
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                found.append(int(line.split()[1]) * 1024)
    except (OSError, ValueError, IndexError):
        pass
    for limit_file, usage_file in (
        ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory.current"),
        (
            "/sys/fs/cgroup/memory/memory.limit_in_bytes",
            "/sys/fs/cgroup/memory/memory.usage_in_bytes",
        ),
    ):
        try:
            cap = Path(limit_file).read_text().strip()
            used = int(Path(usage_file).read_text().strip())
        except (OSError, ValueError):
            continue
        if cap.isdigit() and int(cap) < 2**60:
            found.append(max(int(cap) - used, 0))
    if not found:
        try:
            import psutil

            found.append(int(psutil.virtual_memory().available))
        except ImportError:
            try:
                found.append(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
            except (OSError, ValueError):
                return 2**62  # nothing to go by: do not refuse
    return min(found)


def limit() -> tuple[int, str]:
    """``(bytes, where from)``.

    The user's ``--max-memory`` if set, else a share of what is available (:data:`USABLE_SHARE`).
    """
    given = os.environ.get(ENV)
    if given:
        try:
            return parse_size(given), "--max-memory"
        except ValueError:
            pass
    return int(USABLE_SHARE * available()), "the memory available on this machine"


def check(estimate: float, what: str, levers: Sequence[str], *, place: str = "") -> None:
    """Refuse ``what`` (e.g.

    ``"200000 runs of 318 people"``) if ``estimate`` bytes exceed :func:`limit`.

    Raises
    ------
    BudgetError
        ``what needs about X, more than Y (where from); levers``.
    """
    cap, source = limit()
    if estimate > cap:
        raise BudgetError(
            "",
            place,
            f"{what} would need about {human(estimate)} of memory, more than the {human(cap)} "
            f"of {source}; {'; '.join(levers)}",
        )


# ------------------------------------------------------------------------------ estimates
def count_bytes(largest: int) -> int:
    """Bytes of one recorded count when no group has more than ``largest`` people.

    The engine stores counts in the smallest unsigned type that holds them (uint8, uint16, else
    int32).
    """
    return 1 if largest < 2**8 else 2 if largest < 2**16 else 4


def simulation_bytes(
    *,
    runs: int,
    records: int,
    groups: int,
    states: int,
    people: int,
    batch: int,
    milestones: int = 1,
    largest_group: int | None = None,
    steps: int | None = None,
) -> int:
    """Bytes of a simulation's outputs and of one batch's working state.

    Parameters
    ----------
    runs, records, groups, states, people, batch, milestones : int
        Monte Carlo runs; recorded steps; groups counted (every label of every grouping,
        and everyone); model states; people; runs simulated together; milestones whose
        first step is kept per person (the adopted states, and any asked for).
    largest_group : int, optional
        People in the largest group counted (not everyone): the counts' type is the
        smallest that holds it (:func:`count_bytes`); default: ``people``.
    steps : int, optional
        Steps simulated: first steps take 2 bytes below 32,767 steps, else 4 (default: 4).

    Examples
    --------
    >>> simulation_bytes(runs=1000, records=53, groups=20, states=6, people=318, batch=100)
    22768800
    >>> simulation_bytes(
    ...     runs=1000, records=53, groups=20, states=6, people=318, batch=100,
    ...     largest_group=120, steps=52,
    ... )
    16090800
    """
    per_count = count_bytes(people if largest_group is None else largest_group)
    counts = runs * records * (groups - 1) * states * per_count
    totals = runs * records * states * 4
    first = milestones * runs * people * (2 if steps is not None and steps < 2**15 - 1 else 4)
    working = min(batch, runs) * people * BYTES_PER_PERSON_RUN
    return counts + totals + first + working


def organisation_bytes(people: int, ties: float) -> int:
    """Bytes of an organisation of ``people`` and (expected) ``ties``, built and compiled."""
    return int(people * BYTES_PER_PERSON + ties * BYTES_PER_TIE)


def check_simulation(
    *,
    runs: int,
    records: int,
    groups: int,
    states: int,
    people: int,
    batch: int,
    milestones: int = 1,
    largest_group: int | None = None,
    steps: int | None = None,
    extra: int = 0,
    what: str | None = None,
) -> None:
    """Check a simulation before its outputs are allocated (:func:`check`).

    The size is :func:`simulation_bytes`; ``extra`` bytes are added (e.g. what a chunked run
    gathers),
    ``what`` replaces the description.
    """
    estimate = extra + simulation_bytes(
        runs=runs,
        records=records,
        groups=groups,
        states=states,
        people=people,
        batch=batch,
        milestones=milestones,
        largest_group=largest_group,
        steps=steps,
    )
    check(
        estimate,
        what or f"{runs} runs of {people} people, {records} records of {groups} groups",
        [
            "record less often (--record-every, outputs.record_every)",
            "count fewer groupings (outputs.groupings)",
            "simulate fewer runs (--runs)",
            "or spread the work over a cluster (--scheduler)",
        ],
    )


def check_organisation(people: int, ties: float, source: str = "") -> None:
    """:func:`check` an organisation before it is built (see :func:`organisation_bytes`)."""
    check(
        organisation_bytes(people, ties),
        f"an organisation of {people} people and about {ties:.3g} ties",
        ["make it smaller (fewer or smaller teams: a team of n people has n(n-1)/2 team ties)"],
        place=source,
    )


def cap_workers(requested: int) -> tuple[int, str | None]:
    """Local worker processes: ``requested``, at most the cores of this machine.

    Returns the number and, when it was capped, a note saying so.

    Examples
    --------
    >>> cap_workers(1)
    (1, None)
    """
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    cores = max(cores or 1, 1)
    if requested <= cores:
        return requested, None
    return cores, f"--workers {requested} capped at {cores}, the cores of this machine"
