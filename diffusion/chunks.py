"""Simulate a study's runs in chunks, here or on Dask workers, and gather them exactly.

Run ``i`` depends only on the root seed and ``i`` (:mod:`diffusion.rng`), so the runs can be
simulated in chunks of whole runs (``run_offset``), in any order and anywhere, and gathered:
each chunk's counts go into a :class:`~diffusion.tally.Tally` (exact bands and means, in
memory that does not grow with runs) record by record as the engine makes them
(:class:`~diffusion.tally.TallyRecorder`), unless every run's counts are asked for
(``keep_runs``): no chunk holds its runs' counts. Each person's first step in a milestone
(``first_step``, 2 bytes a person and run) is always kept: the organisation pictures and the
fit use it run by run.

The result is the same whatever the chunks and the executor: the tally's histograms add up
exactly, and the kept arrays are placed by run index.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from diffusion import engine
from diffusion.comparison import RunValues, Settings, run_values
from diffusion.executors import Executor
from diffusion.processes import local_processes, map_forked, report
from diffusion.results import Results
from diffusion.study import Study, simulate_studies
from diffusion.tally import Tally, TallyRecorder, tally_bytes

#: bytes a chunk's runs may hold (:func:`run_bytes`): every run's counts where they are kept
#: (the baseline, 835 records of 31 groups and 7 states, 1 byte a count: about 650 runs a
#: chunk), else their first steps (the counts are tallied as they are made)
CHUNK_BYTES = 128 << 20
#: fewest runs in a chunk (below it a chunk's fixed costs, events and set-up, dominate)
MIN_CHUNK_RUNS = 32
#: chunks a forked worker process takes (:mod:`diffusion.processes`): two, so that one
#: slowed by other work on the machine leaves the other's second chunk to the faster one
CHUNKS_PER_PROCESS = 2


def run_bytes(study: Study, n_records: int, milestones: int = 1, *, counts: bool = True) -> int:
    """Bytes one run's recorded counts, totals and first steps take in a chunk.

    Without ``counts`` only the first steps: a chunk tallied record by record as the engine
    makes them (:class:`~diffusion.tally.TallyRecorder`) holds no counts.
    """
    org = study.org
    first = 2 if study.n_steps < 2**15 - 1 else 4
    if not counts:
        return milestones * org.n_nodes * first
    tracked = [g for g in study.groupings if len(org.group_labels[g]) > 1]
    groups = sum(len(org.group_labels[g]) for g in tracked)
    largest = max(
        (int(np.bincount(np.asarray(org.groups[g])).max(initial=0)) for g in tracked), default=0
    )
    per_count = 1 if largest < 2**8 else 2 if largest < 2**16 else 4
    n_states = len(study.model.state_names)
    return n_records * n_states * (groups * per_count + 4) + milestones * org.n_nodes * first


def chunk_sizes(
    n_runs: int, per_run: int, *, batch_size: int | None = None, parts: int = 1
) -> list[int]:
    """Return the runs of each chunk: equal shares for ``parts`` workers.

    Each chunk holds at most :data:`CHUNK_BYTES` of counts (at least :data:`MIN_CHUNK_RUNS`
    runs) and whole batches of ``batch_size``; the number of chunks is a multiple of
    ``parts`` (one per worker, or two, ...) where the runs allow, and the chunks differ by at
    most one run (one batch), so every worker gets the same share of the runs. Which runs
    go in which chunk does not change any run (run ``i`` depends only on the seed and ``i``).

    Examples
    --------
    >>> chunk_sizes(1000, 1 << 20)
    [125, 125, 125, 125, 125, 125, 125, 125]
    >>> chunk_sizes(100, 1000, parts=2)
    [50, 50]
    >>> chunk_sizes(100, 4 << 20, parts=2)  # at most 32 runs a chunk: 4 chunks of 25
    [25, 25, 25, 25]
    >>> chunk_sizes(100, 4 << 20, parts=16)
    [7, 7, 7, 7, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6, 6]
    >>> chunk_sizes(100, 1000, batch_size=30, parts=2)
    [30, 30, 30, 10]
    """
    parts = max(parts, 1)
    unit = max(1, min(batch_size or 1, n_runs))  # a chunk holds whole units (batches)
    units = -(-n_runs // unit)
    most = max(MIN_CHUNK_RUNS, CHUNK_BYTES // max(per_run, 1))
    per_chunk = max(1, min(most, -(-n_runs // parts)) // unit)  # units a chunk at most
    n_chunks = -(-units // per_chunk)
    n_chunks = min(units, -(-n_chunks // parts) * parts)  # a multiple of the workers
    share, extra = divmod(units, n_chunks)
    sizes = [(share + (k < extra)) * unit for k in range(n_chunks)]
    sizes[-1] -= sum(sizes) - n_runs  # the last batch may be short
    return sizes


@dataclass(frozen=True)
class _Job:
    """What every chunk of one simulation shares (sent to a worker once)."""

    study: Study
    seed: int
    n_runs: int
    measures: dict[str, tuple[int, ...]]
    sizes: dict[str, np.ndarray]
    n_records: int
    keep_runs: bool
    batch_size: int | None
    record_every: int
    milestones: Mapping[str, Sequence[str]] | None


@dataclass(frozen=True)
class _Chunk:
    """A chunk's gathered runs: its tally, first steps and (with ``keep_runs``) counts."""

    first_run: int
    tally: Tally
    first_step: dict[str, np.ndarray]
    counts: dict[str, np.ndarray]
    total: np.ndarray | None
    results: Results  # the chunk's results without their arrays (labels, provenance)


def _simulate_chunk(
    job: _Job,
    first_run: int,
    n: int,
    threads: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> _Chunk:
    """Simulate runs ``first_run .. first_run + n - 1`` of ``job`` and gather them.

    Without ``keep_runs`` their counts are tallied record by record as they are made.
    """
    recorder = None if job.keep_runs else TallyRecorder(_tally(job, first_run, n))
    results = job.study.simulate(
        n,
        job.seed,
        run_offset=first_run,
        batch_size=job.batch_size,
        record_every=job.record_every,
        milestones=job.milestones,
        threads=threads,
        progress=progress,
        record_to=recorder,
    )
    if recorder is None:
        return _chunk_of(job, results, first_run)
    recorder.fold()
    return _chunk_of(job, results, first_run, recorder.tally)


def _tally(job: _Job, first_run: int, n: int) -> Tally:
    """Return an empty tally of ``job``'s runs ``first_run .. first_run + n - 1``."""
    return Tally(
        job.measures,
        job.sizes,
        job.n_records,
        job.n_runs,
        job.study.org.n_nodes,
        first_run=first_run,
        span=n,
    )


def _chunk_of(job: _Job, results: Results, first_run: int, tally: Tally | None = None) -> _Chunk:
    """Return a chunk's results gathered, and their arrays kept as ``job`` asks.

    They are tallied here unless ``tally`` holds them already.
    """
    if tally is None:
        tally = _tally(job, first_run, results.n_runs)
        tally.add(results)
    bare = Results(
        results.state_names,
        results.steps,
        {},
        None,
        {},
        results.run_ids[:0],
        results.node_ids,
        results.group_labels,
        results.provenance,
    )
    return _Chunk(
        first_run,
        tally,
        dict(results.first_step),
        dict(results.counts) if job.keep_runs else {},
        results.total if job.keep_runs else None,
        bare,
    )


def _sizes(study: Study) -> dict[str, np.ndarray]:
    """People per group of each of the study's groupings."""
    org = study.org
    return {
        g: np.bincount(np.asarray(org.groups[g]), minlength=len(org.group_labels[g]))
        for g in study.groupings
    }


def _n_records(study: Study, record_every: int) -> int:
    """Return the records of a simulation of ``study``: every ``record_every`` steps, the last."""
    steps = np.arange(0, study.n_steps + 1, record_every)
    return int(len(steps) + (steps[-1] != study.n_steps))


def _worker_chunk(job: _Job, first_run: int, n: int) -> _Chunk:
    """:func:`_simulate_chunk` on a Dask worker (one thread: the worker has its core)."""
    return _simulate_chunk(job, first_run, n, threads=1)


def _process_chunk(job: _Job, item: tuple[int, int]) -> _Chunk:
    """:func:`_simulate_chunk` in a forked worker process (:mod:`diffusion.processes`)."""
    first_run, n = item
    return _simulate_chunk(job, first_run, n, threads=1, progress=report)


def _processes(study: Study, n_runs: int) -> int:
    """Forked processes for an in-process simulation of ``n_runs`` (0: this process's threads).

    Each gets :data:`CHUNKS_PER_PROCESS` chunks of at least :data:`MIN_CHUNK_RUNS` runs.
    """
    person_steps = float(n_runs) * study.org.n_nodes * study.n_steps
    return local_processes(person_steps, n_runs // (MIN_CHUNK_RUNS * CHUNKS_PER_PROCESS))


def where(study: Study, n_runs: int, executor: Executor, *, keep_runs: bool = False) -> str:
    """Where :func:`simulate` runs ``n_runs`` runs of ``study``, in words (for manifests).

    Large work in this process goes to forked worker processes of it
    (:mod:`diffusion.processes`); otherwise :meth:`Executor.describe`.
    """
    if executor.in_process and not keep_runs:
        processes = _processes(study, n_runs)
        if processes:
            return f"{processes} forked processes of this one"
    return executor.describe()


def simulate(
    study: Study,
    n_runs: int,
    seed: int,
    *,
    measures: Mapping[str, Sequence[str]],
    keep_runs: bool = False,
    executor: Executor | None = None,
    batch_size: int | None = None,
    record_every: int = 1,
    milestones: Mapping[str, Sequence[str]] | None = None,
    progress: Callable[[int], None] | None = None,
    client: Any = None,
) -> Results:
    """Simulate ``n_runs`` runs of ``study`` in chunks and gather them.

    Parameters
    ----------
    study : Study
    n_runs, seed : int
        Runs and root seed; run ``i`` depends only on ``(seed, i)``.
    measures : mapping of str to sequence of str
        Measure name -> states: their exact bands and means per group are tallied
        (``results.spread(states, grouping, group)``).
    keep_runs : bool
        Keep every run's counts instead (``results.counts``, ``results.total``: runs x
        records x groups x states; ``spread`` computes from them, no tally); without it they
        are dropped chunk by chunk.
    executor : Executor, optional
        Where the chunks run (default: in this process).
    batch_size, record_every, milestones
        As :meth:`diffusion.study.Study.simulate`; chunks are whole batches.
    progress : callable, optional
        Called with run-steps done (per batch here; per chunk on workers).
    client : distributed.Client, optional
        A client of ``executor``'s cluster already open (from
        :meth:`~diffusion.executors.Executor.client`), so that several simulations share
        one cluster; default: one is opened for this simulation.

    Returns
    -------
    Results
        With ``tally``, or ``counts`` and ``total`` with ``keep_runs``; provenance as of one
        simulation of ``n_runs`` runs.
    """
    executor = executor or Executor()
    job = _Job(
        study=study,
        seed=seed,
        n_runs=n_runs,
        # every run's counts kept: the bands come from them, no tally is needed
        measures={}
        if keep_runs
        else {
            name: tuple(study.model.code(s) for s in states) for name, states in measures.items()
        },
        sizes=_sizes(study),
        n_records=_n_records(study, record_every),
        keep_runs=keep_runs,
        batch_size=batch_size,
        record_every=record_every,
        milestones=milestones,
    )
    # without keep_runs a chunk is tallied as it is simulated: only its first steps are held
    per_run = run_bytes(study, job.n_records, 1 + len(milestones or {}), counts=keep_runs)
    here = executor.in_process and client is None
    processes = 0
    if keep_runs and here:
        sizes = [n_runs]  # every run's counts are held anyway: one simulation
    else:
        sizes = chunk_sizes(n_runs, per_run, batch_size=batch_size)
        if here:
            processes = _processes(study, n_runs)
            parts = CHUNKS_PER_PROCESS * processes or 1
            sizes = chunk_sizes(n_runs, per_run, batch_size=batch_size, parts=parts)
    _check_memory(
        job, max(sizes), max(processes, 1), counts=keep_runs, threads=_threads(here, processes)
    )
    gather = _Gather(job)
    if processes:
        _load_step_modules([job])
        items = list(zip(_starts(sizes), sizes, strict=True))
        for chunk in map_forked(_process_chunk, job, items, processes, progress):
            gather.add(chunk)
    elif here:
        for start, n in zip(_starts(sizes), sizes, strict=True):
            gather.add(_simulate_chunk(job, start, n, progress=progress))
    else:
        with contextlib.nullcontext(client) if client is not None else executor.client() as c:
            # at least a chunk per worker
            workers = max(len(c.nthreads()), 1)
            sizes = chunk_sizes(n_runs, per_run, batch_size=batch_size, parts=workers)
            _on_workers(c, job, sizes, gather, progress)
    return gather.results()


@dataclass(frozen=True)
class Together:
    """Several studies simulated with the same runs, gathered (:func:`simulate_together`).

    Attributes
    ----------
    results : list of Results
        Per study: its tally (exact bands of the measures) and first steps, and with
        ``keep_runs`` every run's counts.
    reduced : list
        What ``reduce`` made of each chunk (a list with an item per study), in run order:
        chunk ``k`` holds the runs after those of chunks ``0 .. k - 1``. Empty without
        ``reduce``.
    """

    results: list[Results]
    reduced: list[Any]


def simulate_together(
    studies: Sequence[Study],
    n_runs: int,
    seed: int,
    *,
    executor: Executor | None = None,
    progress: Callable[[int], None] | None = None,
    keep_runs: bool = True,
    measures: Mapping[str, Sequence[str]] | None = None,
    reduce: Callable[[list[Results]], Any] | None = None,
) -> Together:
    """Simulate several studies with the same runs and seed (common random numbers).

    The runs go in chunks of whole runs (on the executor's workers if it has any, in equal
    shares), each chunk of every study simulated together, their common history once
    (:func:`diffusion.study.simulate_studies`). Each chunk is tallied (``measures``: name ->
    states, exact bands), reduced (``reduce(results of each study) -> anything``, e.g. the
    per-run values a comparison needs) and dropped, unless ``keep_runs``: then every run's
    counts are kept, and in this process the runs are one simulation. The results are put
    together by run index and are those of one process.
    """
    executor = executor or Executor()
    executor.check_available()
    # with every run's counts kept, no tally: the bands come from the counts
    codes = {
        name: tuple(studies[0].model.code(s) for s in states)
        for name, states in ({} if keep_runs else measures or {}).items()
    }
    jobs = [
        _Job(s, seed, n_runs, codes, _sizes(s), _n_records(s, 1), keep_runs, None, 1, None)
        for s in studies
    ]
    per_run = sum(run_bytes(s, job.n_records) for s, job in zip(studies, jobs, strict=True))
    here = executor.in_process
    processes = 0
    if keep_runs and here:
        sizes = [n_runs]
    else:
        sizes = chunk_sizes(n_runs, per_run)
        if here:
            processes = _processes(studies[0], n_runs * len(studies))
            sizes = chunk_sizes(n_runs, per_run, parts=CHUNKS_PER_PROCESS * processes or 1)
    for job in jobs:
        # a chunk's counts are held until they are reduced and tallied
        _check_memory(
            job, max(sizes), max(processes, 1), counts=True, threads=_threads(here, processes)
        )
    gathers = [_Gather(job) for job in jobs]
    reduced: list[tuple[int, Any]] = []

    def take(start: int, chunks: list[_Chunk], made: Any) -> None:
        for gather, chunk in zip(gathers, chunks, strict=True):
            gather.add(chunk)
        if reduce is not None:
            reduced.append((start, made))

    if processes:
        _load_step_modules(jobs)
        items = list(zip(_starts(sizes), sizes, strict=True))
        for done in map_forked(_process_together, (jobs, reduce), items, processes, progress):
            take(*done)
    elif here:
        for start, n in zip(_starts(sizes), sizes, strict=True):
            take(*_together_chunk(jobs, start, n, reduce, progress=progress))
    else:
        with executor.client() as client:
            sizes = chunk_sizes(n_runs, per_run, parts=max(len(client.nthreads()), 1))
            shared = client.scatter(jobs, broadcast=True)
            futures = [
                client.submit(_together_chunk, shared, start, n, reduce, 1, pure=False)
                for start, n in zip(_starts(sizes), sizes, strict=True)
            ]
            from distributed import as_completed

            for future in as_completed(futures):  # type: ignore[no-untyped-call]
                start, chunks, made = future.result()
                take(start, chunks, made)
                future.release()
                if progress is not None:
                    progress(chunks[0].tally.span * sum(s.n_steps for s in studies))
    return Together([gather.results() for gather in gathers], [made for _, made in sorted(reduced)])


def simulate_values(
    studies: Sequence[Study],
    n_runs: int,
    seed: int,
    settings: Settings,
    *,
    keep_runs: bool = False,
    executor: Executor | None = None,
    progress: Callable[[int], None] | None = None,
) -> tuple[list[Results], list[RunValues]]:
    """Simulate ``studies`` with the same runs and seed, each chunk reduced as it is made.

    The runs go in chunks (:func:`simulate_together`: the what-ifs go on from the base's
    history, on ``executor``'s workers if it has any); each chunk is reduced to
    :class:`~diffusion.comparison.RunValues` of ``settings`` and tallied for
    ``settings.measures`` (exact bands), and its counts are dropped unless ``keep_runs``.

    Returns
    -------
    results, values : lists, one per study
        The results (tally, or every run's counts with ``keep_runs``) and the values of
        every run.
    """
    together = simulate_together(
        studies,
        n_runs,
        seed,
        executor=executor,
        progress=progress,
        keep_runs=keep_runs,
        measures=settings.measures,
        reduce=functools.partial(run_values, calendar=studies[0].calendar, settings=settings),
    )
    values = [RunValues.join([chunk[k] for chunk in together.reduced]) for k in range(len(studies))]
    return together.results, values


def _together_chunk(
    jobs: Sequence[_Job],
    first_run: int,
    n: int,
    reduce: Callable[[list[Results]], Any] | None,
    threads: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> tuple[int, list[_Chunk], Any]:
    """Simulate runs ``first_run ..`` of every job's study (common history once), gathered."""
    studies = [job.study for job in jobs]
    parts = simulate_studies(
        studies, n, jobs[0].seed, run_offset=first_run, threads=threads, progress=progress
    )
    made = None if reduce is None else reduce(parts)
    chunks = [_chunk_of(job, part, first_run) for job, part in zip(jobs, parts, strict=True)]
    return first_run, chunks, made


def _process_together(
    shared: tuple[Sequence[_Job], Callable[[list[Results]], Any] | None], item: tuple[int, int]
) -> tuple[int, list[_Chunk], Any]:
    """:func:`_together_chunk` in a forked worker process (:mod:`diffusion.processes`)."""
    jobs, reduce = shared
    first_run, n = item
    return _together_chunk(jobs, first_run, n, reduce, 1, progress=report)


def _starts(sizes: Sequence[int]) -> list[int]:
    """Return the first run of each chunk."""
    return [int(x) for x in np.concatenate([[0], np.cumsum(sizes)[:-1]])]


def _on_workers(
    client: Any,
    job: _Job,
    sizes: Sequence[int],
    gather: _Gather,
    progress: Callable[[int], None] | None,
) -> None:
    """Simulate the chunks on the Dask workers of ``client``, gathering each as it ends."""
    from distributed import as_completed

    shared = client.scatter(job, broadcast=True)
    futures = [
        client.submit(_worker_chunk, shared, start, n, pure=False)
        for start, n in zip(_starts(sizes), sizes, strict=True)
    ]
    for future in as_completed(futures):  # type: ignore[no-untyped-call]
        chunk = future.result()
        gather.add(chunk)
        future.release()
        if progress is not None:
            progress(chunk.tally.span * job.study.n_steps)


def _check_memory(
    job: _Job, chunk: int, workers: int = 1, *, counts: bool = True, threads: int = 1
) -> None:
    """Refuse a simulation whose gathered results would not fit in this machine's memory.

    The gathered results and ``workers`` chunks of ``chunk`` runs in flight (with their
    counts where ``counts``: held until tallied) are counted, and the batches being
    simulated: each worker's ``threads`` batches of the size the engine will choose (not the
    whole chunk: a chunk of a large organisation is simulated a few runs at a time).
    Refused with :class:`~diffusion.budget.BudgetError`.
    """
    from diffusion.budget import check_simulation

    study, org = job.study, job.study.org
    tracked = [g for g in study.groupings if len(org.group_labels[g]) > 1]
    milestones = 1 + len(job.milestones or {})
    steps = study.n_steps
    first = milestones * org.n_nodes * (2 if steps < 2**15 - 1 else 4)
    n_records, n_runs = job.n_records, job.n_runs
    gathered = tally_bytes(job.sizes, n_records, n_runs, len(job.measures), org.n_nodes)
    in_flight = min(chunk * workers, n_runs) if not job.keep_runs else n_runs
    check_simulation(
        runs=in_flight,
        records=n_records if counts or job.keep_runs else 0,
        groups=sum(len(org.group_labels[g]) for g in tracked) + 1,
        states=len(study.model.state_names),
        people=org.n_nodes,
        batch=min(in_flight, workers * threads * _batch_runs(job, chunk, threads)),
        milestones=milestones,
        largest_group=max(
            (int(s.max(initial=0)) for g, s in job.sizes.items() if g in tracked), default=0
        ),
        steps=steps,
        # the first steps of the other runs; the gathered tally, and each chunk in flight's
        # tally and its record-by-record deltas
        extra=(n_runs - in_flight) * first + (1 + 2 * workers) * gathered,
        what=f"{n_runs} runs of {org.n_nodes} people, {n_records} records of "
        f"{sum(len(org.group_labels[g]) for g in tracked) + 1} groups",
    )


def _threads(here: bool, processes: int) -> int:
    """Engine threads of each simulation: this process's in it, one in a worker."""
    return engine.default_threads() if here and not processes else 1


def _load_step_modules(jobs: Sequence[_Job]) -> None:
    """Import the models' :attr:`~diffusion.models.base.Model.step_modules` in this process.

    Before forking workers: they inherit the modules (numba's loops load in 0.6 s and take
    about 160 MiB) instead of each loading them; models that need none load nothing.
    """
    for job in jobs:
        for name in job.study.model.step_modules:
            importlib.import_module(name)


def _batch_runs(job: _Job, chunk: int, threads: int) -> int:
    """Return the runs of each batch of a chunk of ``chunk`` runs on ``threads`` threads."""
    if job.batch_size:
        return min(job.batch_size, chunk)
    cells = job.study.model.batch_cells or engine.DEFAULT_BATCH_CELLS
    return engine.batch_size_for(chunk, job.study.org.n_nodes, threads, cells)


class _Gather:
    """The chunks of one simulation put together, by run index."""

    def __init__(self, job: _Job) -> None:
        self.job = job
        self.tally = Tally(
            job.measures, job.sizes, job.n_records, job.n_runs, job.study.org.n_nodes
        )
        self.first_step: dict[str, np.ndarray] = {}
        self.counts: dict[str, np.ndarray] = {}
        self.total: np.ndarray | None = None
        self.bare: Results | None = None

    def _place(self, held: dict[str, np.ndarray], name: str, part: np.ndarray, at: int) -> None:
        if name not in held:
            held[name] = np.empty((self.job.n_runs, *part.shape[1:]), dtype=part.dtype)
        held[name][at : at + len(part)] = part

    def add(self, chunk: _Chunk) -> None:
        n = chunk.tally.span
        if n == self.job.n_runs and chunk.first_run == 0:
            # the whole simulation in one chunk: its arrays and tally as they are
            self.first_step, self.counts = chunk.first_step, chunk.counts
            self.total, self.tally, self.bare = chunk.total, chunk.tally, chunk.results
            return
        for name, part in chunk.first_step.items():
            self._place(self.first_step, name, part, chunk.first_run)
        for name, part in chunk.counts.items():
            self._place(self.counts, name, part, chunk.first_run)
        if chunk.total is not None:
            holder: dict[str, np.ndarray] = {} if self.total is None else {"t": self.total}
            self._place(holder, "t", chunk.total, chunk.first_run)
            self.total = holder["t"]
        self.tally.merge(chunk.tally)
        if self.bare is None or chunk.first_run == 0:
            self.bare = chunk.results

    def results(self) -> Results:
        bare = self.bare
        assert bare is not None
        provenance = dict(bare.provenance) | {"n_runs": self.job.n_runs, "run_offset": 0}
        return Results(
            state_names=bare.state_names,
            steps=bare.steps,
            counts=self.counts,
            total=self.total,
            first_step=self.first_step,
            run_ids=np.arange(self.job.n_runs, dtype=np.int64),
            node_ids=bare.node_ids,
            group_labels=bare.group_labels,
            provenance=provenance,
            tally=None if self.job.keep_runs else self.tally,
        )


__all__ = [
    "Together",
    "chunk_sizes",
    "run_bytes",
    "simulate",
    "simulate_together",
    "simulate_values",
]
