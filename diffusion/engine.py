"""Run a model over many Monte Carlo runs at once.

One step
--------
For a batch of runs, step ``t`` (a week for the ideas model) goes:

1. apply the events scheduled at ``t``, in the order given (they may change parameters,
   ties, people's states, or enrol a cohort);
2. note the first step at which people entered a milestone's states (by default "adopted":
   the model's adopted states);
3. record the counts of people per state per group at ``t`` (every ``record_every`` steps
   and always at the last step);
4. unless ``t`` is the last step, the model moves every run from ``t`` to ``t + 1``
   synchronously (all transitions computed from the state at ``t``, then applied).

Runs the model reports as finished (nothing can change any more) and that no later event can
revive are dropped from the loop as soon as they are an eighth of the batch, or every few
steps; their last counts go on being recorded with the others' (a record is one copy of
the batch's counts), and once none is left the later records are filled at once.

Cost per step
-------------
Besides the model's step, the engine's work is in proportion to the people who changed state:
the model reports them (``Model.reports_moves``; the standard models do) or the engine finds
them by comparing the state with a copy. The model's derived arrays (``prepare``) are made
once per simulation and shared by its batches (and once per event that changes parameters or
ties). Batches run on up to two threads as soon as each has ``MIN_BATCH_RUNS`` runs or
``MIN_SPLIT_CELLS`` person-cells.

Reproducibility
---------------
Random numbers are a pure function of ``(seed, purpose, run, step, node)``
(:mod:`diffusion.rng`), so run ``i`` is the same whether it is simulated alone, in a batch of
10,000, in uneven chunks, or on another machine with ``run_offset``.

Memory
------
A batch holds its state, ``(runs, nodes)``, and its recorded counts,
``(runs, records, groups, states)``; the full history ``(runs, steps, nodes)`` is never kept.
"""

from __future__ import annotations

import bisect
import dataclasses
import os
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, is_dataclass
from typing import Any, Protocol

import numpy as np

from diffusion import __version__
from diffusion.allocator import keep_freed_memory
from diffusion.compile import CompiledOrg
from diffusion.events import Batch, Event
from diffusion.models.base import Model, Moves, State, check_per_run, varying_params
from diffusion.results import Results
from diffusion.rng import RunRandom

#: person-cells (runs x nodes) per batch: large enough to amortise Python overhead, small
#: enough to keep a step's working set near the cache
DEFAULT_BATCH_CELLS = 1 << 19
#: fewest runs per batch by default: below it, a step's fixed costs (reading the sparse ties,
#: Python overhead) are paid for too few runs
MIN_BATCH_RUNS = 32
#: fewest person-cells per batch when a simulation is split to keep every thread busy
MIN_SPLIT_CELLS = 1 << 16
#: finished runs are dropped from the loop at least this often (in steps), and as soon as
#: they are an eighth of the batch
COMPACT_EVERY = 8

ProgressFn = Callable[[int], None]


@dataclass(frozen=True)
class _Groups:
    """Return the recorded groups: those of groupings of several groups, then "all".

    The groups of the groupings with more than one group lie side by side on one axis, then
    one group of everyone ("all").

    ``member[n]`` ``(nodes, columns)`` lists node ``n``'s place on that axis in each tracked
    grouping and, last, in "all" (``by_column``: the same ``(columns, nodes)``, whose
    gathers of nodes are the fast ones); ``offset[g]`` is where tracked grouping ``g`` starts. A
    grouping with a single group (e.g. ``department`` of a plain graph) is not tracked: its
    counts are those of "all".
    """

    member: np.ndarray
    offset: dict[str, int]
    n_groups: dict[str, int]
    largest: int
    by_column: np.ndarray

    @classmethod
    def build(cls, org: CompiledOrg, groupings: Sequence[str]) -> _Groups:
        offset, n_groups, columns, start, largest = {}, {}, [], 0, 0
        for g in groupings:
            n_groups[g] = len(org.group_labels[g])
            if n_groups[g] < 2:
                continue
            codes = np.asarray(org.groups[g], dtype=np.int64)
            largest = max(largest, int(np.bincount(codes).max(initial=0)))
            offset[g] = start
            columns.append(codes + start)
            start += n_groups[g]
        columns.append(np.full(org.n_nodes, start, dtype=np.int64))
        member = np.stack(columns, axis=1)
        return cls(member, offset, n_groups, largest, np.ascontiguousarray(member.T))

    @property
    def size(self) -> int:
        """Length of the group axis, "all" included."""
        return int(self.member[0, -1]) + 1 if len(self.member) else 1

    @property
    def sizes(self) -> np.ndarray:
        """People in each group of the axis, int64 ``(size,)``."""
        return np.bincount(self.member.reshape(-1), minlength=self.size)

    def count_dtype(self) -> type:
        """Return the smallest integer type that holds any tracked group's count."""
        return _smallest_count(self.largest)

    def columns(self, groupings: Sequence[str]) -> dict[str, slice]:
        """Return grouping -> its groups' columns on the axis (one group: everyone's, last)."""
        everyone = slice(self.size - 1, self.size)
        return {
            g: slice(self.offset[g], self.offset[g] + self.n_groups[g])
            if g in self.offset
            else everyone
            for g in groupings
        }


def _smallest_count(largest: int) -> type:
    """uint8, uint16 or int32: the smallest that holds counts up to ``largest``."""
    for dtype in (np.uint8, np.uint16):
        if largest <= np.iinfo(dtype).max:
            return dtype
    return np.int32


class BatchRecorder(Protocol):
    """Takes one batch's counts record by record (:meth:`Recorder.batch`), in its thread.

    ``reads``: bool ``(states,)``, the states whose counts it reads; a cell whose people
    moved only between other states is not marked changed.
    """

    reads: np.ndarray

    def record(self, records: slice, running: np.ndarray, changed: np.ndarray | None) -> None:
        """Take the running counts as records ``records`` (a slice; stop None: to the end).

        ``running`` ``(rows, columns, states)``: people per state in each column (the
        groups of the tracked groupings side by side, then everyone) of each of the batch's
        runs, valid only during the call; ``changed``: flat indices into ``(rows, columns)``
        of the cells whose counts may have changed since the last call (all at the first).
        """


class Recorder(Protocol):
    """Takes the counts of a simulation as they are made, instead of the engine keeping them.

    :func:`simulate` with ``record_to`` calls :meth:`start` once, then :meth:`batch` for each
    batch of runs, whose recorder each record is handed to in the batch's thread (two
    batches may record at once). E.g. :class:`diffusion.tally.TallyRecorder`.
    """

    def start(self, columns: Mapping[str, slice], shape: tuple[int, int], n_records: int) -> None:
        """Learn the layout: grouping -> columns, ``(columns, states)`` of a run, records."""

    def batch(self, first_row: int, n_rows: int) -> BatchRecorder:
        """Return the recorder of the runs ``first_row ..`` (rows of the simulation)."""
        ...


@dataclass(frozen=True)
class _Outputs:
    """Where a batch's records go: its slices of the simulation's outputs, or a recorder.

    ``counts`` ``(runs, records, groups, states)`` and ``total`` ``(runs, records,
    states)`` are None when ``recorder`` takes the records; ``first`` ``(milestones, runs,
    nodes)`` always holds the first steps.
    """

    counts: np.ndarray | None
    total: np.ndarray | None
    first: np.ndarray
    recorder: BatchRecorder | None = None


class _Tracker:
    """Follows the runs of a batch: counts per (run, group, state) and first steps.

    Both are updated from the people who changed state: the moves a model reports
    (:attr:`~diffusion.models.base.Model.reports_moves`), else those found by comparing the
    codes with a copy made at the last look; so the cost per step is in proportion to the
    changes, not a recount. Records are written into ``counts`` ``(runs, records, groups,
    states)`` and ``total`` ``(runs, records, states)``, or handed to a recorder with the
    (run, group) cells changed since the last record, first steps into ``first``
    ``(milestones, runs, nodes)``: the batch's slices of the simulation's output. The
    running counts cover every run of the batch, also those taken out of the loop (whose
    counts no longer change), so a record is one contiguous copy; moves and changes come
    with the rows of the runs still in the loop (:attr:`rows` maps them to the batch's).
    """

    def __init__(
        self,
        code: np.ndarray,
        groups: _Groups,
        n_states: int,
        milestone_codes: np.ndarray,
        out: _Outputs,
        keep_copy: bool,
        fresh: bool = True,
    ) -> None:
        n_runs, n_nodes = code.shape
        self.groups, self.n_states, self.milestone_codes = groups, n_states, milestone_codes
        self.n_nodes, self.n_batch = n_nodes, n_runs
        self.rows = np.arange(n_runs)  # batch rows still in the loop
        self.whole = True  # no run taken out yet: loop rows are batch rows
        self.prev = code.copy() if keep_copy else None
        self.pending: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
        # counts in the smallest integer type that holds the whole population, so that a
        # record is a plain copy (or a narrowing one for the groups)
        dtype = _smallest_count(n_nodes)
        # the people not in state 0 (usually few at the start) counted one by one; state 0
        # holds the rest of each group
        cells = np.flatnonzero(code.reshape(-1))
        run, node = np.divmod(cells, n_nodes)
        state = code.reshape(-1)[cells].astype(np.int64)
        at = (run[:, None] * groups.size + groups.member[node]) * n_states + state[:, None]
        running = np.bincount(at.ravel(), minlength=n_runs * groups.size * n_states)
        running = running.reshape(n_runs, groups.size, n_states)
        running[:, :, 0] = groups.sizes - running[:, :, 1:].sum(axis=2)
        self.running: np.ndarray = running.astype(dtype)
        self.counts, self.total, self.first = out.counts, out.total, out.first
        self.recorder = out.recorder
        # with a recorder: the (run, group) cells whose counts changed since the last record
        recording = self.recorder is not None
        self.changed = np.zeros(n_runs * groups.size, dtype=bool) if recording else None
        self.reads = self.recorder.reads if self.recorder is not None else None
        assert all(f.flags.c_contiguous for f in self.first), "first steps are set through views"
        for m, codes in enumerate(milestone_codes):
            if fresh:  # else ``first`` holds the first steps so far
                self.first[m][codes[code]] = 0

    def _groups_of(self, run: np.ndarray, node: np.ndarray) -> np.ndarray:
        """Flat index ``(k * columns,)`` of (run, each group of node) in ``(rows, groups)``."""
        member = self.groups.member
        if member.shape[1] == 1:  # "all" only
            return run
        flat: np.ndarray = (run[:, None] * self.groups.size + member[node]).ravel()
        return flat

    def _add(self, where: np.ndarray, code: int, sign: int) -> None:
        """Add ``sign`` to running counts at (run, group) ``where`` and state ``code``."""
        ufunc = np.add if sign > 0 else np.subtract
        size = self.running.shape[0] * self.groups.size
        if 4 * where.size < size:  # few changes: add them one by one
            # a one of the counts' own type: numpy's fast path (a Python 1 is ~100x slower)
            one = self.running.dtype.type(1)
            ufunc.at(self.running.reshape(-1), where * self.n_states + code, one)
            return
        # count per (run, group), then one slice of the running counts
        add = np.bincount(where, minlength=size).reshape(self.running.shape[:2])
        column = self.running[:, :, code]
        ufunc(column, add, out=column, casting="unsafe")

    def _shift(self, run: np.ndarray, node: np.ndarray, old: np.ndarray, new: np.ndarray) -> None:
        """Move person ``node`` of loop row ``run`` from state ``old`` to ``new``, each ``(k,)``.

        In the running counts of each of the person's groups (and "all"): the cells
        ``(columns, k)`` are marked changed for the recorder and their counts moved, one by
        one where they are few.
        """
        where = self.groups.by_column.take(node, axis=1) + self._in_batch(run) * self.groups.size
        if self.reads is not None:
            assert self.changed is not None
            matters = self.reads[old] | self.reads[new]
            self.changed[where if matters.all() else where[:, matters]] = True
        base = where * self.n_states
        running = self.running.reshape(-1)
        for ufunc, code in ((np.subtract, old), (np.add, new)):
            flat = (base + code).reshape(-1)
            if 4 * flat.size < running.size:
                # a one of the counts' own type: numpy's fast path (a Python 1 is ~100x slower)
                ufunc.at(running, flat, running.dtype.type(1))
            else:
                add = np.bincount(flat, minlength=running.size).reshape(self.running.shape)
                ufunc(self.running, add, out=self.running, casting="unsafe")

    def _in_batch(self, run: np.ndarray) -> np.ndarray:
        """Return the batch rows of loop rows ``run``."""
        return run if self.whole else self.rows[run]

    def _split(self, cells: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Return the loop rows, nodes and flat batch cells of flat loop cells ``cells``."""
        run = cells // self.n_nodes  # divmod is twice as slow
        node = cells - run * self.n_nodes
        return run, node, cells if self.whole else self.rows[run] * self.n_nodes + node

    def _first(self, cells: np.ndarray, enters: Sequence[Any], t: int) -> None:
        """Set first steps to ``t`` where ``enters[m]`` and none is set yet.

        ``enters[m]`` is True, False or a bool mask of the people; ``cells``: theirs, flat in
        the batch's ``(runs, nodes)``.
        """
        for m, hit in enumerate(enters):
            if hit is False or not np.any(hit):
                continue
            at = cells if hit is True else cells[hit]
            first = self.first[m].reshape(-1)  # a view: the batch's runs are contiguous
            at = at[first[at] < 0]
            first[at] = t

    def moves(self, moves: list[Moves], t: int, events_next: bool) -> None:
        """Take in the moves of the step that led to step ``t``.

        With ``events_next`` (events at ``t`` may still change those people before ``t`` is
        observed), the first steps wait for :meth:`settle`.
        """
        for move in moves:
            if move.cells.size == 0:
                continue
            run, node, cells = self._split(move.cells)
            if isinstance(move.old, np.ndarray) or isinstance(move.new, np.ndarray):
                # a code per cell, as compare()
                old, new = (_per_cell(c, run.shape) for c in (move.old, move.new))
                self._shift(run, node, old, new)
            else:
                where = self._groups_of(self._in_batch(run), node)
                if self.reads is not None and (self.reads[move.old] or self.reads[move.new]):
                    assert self.changed is not None
                    self.changed[where] = True
                self._add(where, int(move.old), -1)
                self._add(where, int(move.new), 1)
            enters = self.milestone_codes[:, move.new] & ~self.milestone_codes[:, move.old]
            if not enters.any():
                continue
            if events_next:
                self.pending.append((run, node, cells))
            elif enters.ndim == 1:
                self._first(cells, [bool(e) for e in enters], t)
            else:
                self._first(cells, list(enters), t)

    def settle(self, code: np.ndarray, t: int) -> None:
        """Set first steps at ``t`` of the people a step moved into a milestone.

        Only those still in it after the events at ``t`` count.
        """
        for run, node, cells in self.pending:
            self._first(cells, list(self.milestone_codes[:, code[run, node]]), t)
        self.pending = []

    def compare(self, before: np.ndarray, code: np.ndarray, t: int) -> None:
        """Take in the changes from codes ``before`` to ``code`` ``(rows, nodes)`` at ``t``."""
        changed = np.flatnonzero(code.reshape(-1) != before.reshape(-1))
        if changed.size == 0:
            return
        run, node, cells = self._split(changed)
        old, new = before.reshape(-1)[changed], code.reshape(-1)[changed]
        self._shift(run, node, old, new)
        self._first(cells, list(self.milestone_codes[:, new]), t)
        if self.prev is not None:
            self.prev.reshape(-1)[changed] = new

    def observe(self, code: np.ndarray, t: int) -> None:
        """Take in the codes ``(rows, nodes)`` at ``t`` by comparing them with the copy."""
        assert self.prev is not None, "the tracker keeps no copy (the model reports moves)"
        self.compare(self.prev, code, t)

    def _hand(self, records: slice) -> None:
        """Hand the running counts to the recorder as records ``records``."""
        assert self.recorder is not None and self.changed is not None
        changed = np.flatnonzero(self.changed)
        self.changed[changed] = False
        self.recorder.record(records, self.running, changed)

    def record(self, record: int) -> None:
        """Store the running counts of every run as record ``record``.

        The batch's runs are side by side in a record: one contiguous copy.
        """
        if self.recorder is not None:
            self._hand(slice(record, record + 1))
            return
        assert self.counts is not None and self.total is not None
        self.counts[:, record] = self.running[:, :-1]
        self.total[:, record] = self.running[:, -1]

    def finish(self, record: int) -> None:
        """Store the running counts as every record from ``record`` on.

        No run is left in the loop: none will change.
        """
        if self.recorder is not None:
            self._hand(slice(record, None))
            return
        assert self.counts is not None and self.total is not None
        self.counts[:, record:] = self.running[:, None, :-1]
        self.total[:, record:] = self.running[:, None, -1]

    def drop(self, finished: np.ndarray) -> None:
        """Take the runs flagged in ``finished`` ``(rows,)`` out of the loop.

        Their counts are final and go on being recorded.
        """
        keep = ~finished
        self.rows = self.rows[keep]
        self.whole = False
        if self.prev is not None:
            self.prev = self.prev[keep]


def _per_cell(code: int | np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Return ``code`` (one, or one per cell) as an array of ``shape``, a view."""
    if isinstance(code, np.ndarray) and code.shape == shape:
        return code  # the usual case, without broadcast_to's cost per call
    return np.broadcast_to(code, shape)


def _record_steps(n_steps: int, record_every: int) -> np.ndarray:
    steps = np.arange(0, n_steps + 1, record_every)
    if steps[-1] != n_steps:
        steps = np.append(steps, n_steps)
    return steps


@dataclass(frozen=True, eq=False)
class Snapshot:
    """Every run of a simulation at the start of step ``step``, before that step's events.

    Made by :func:`snapshot`; :func:`simulate` with ``start=`` goes on from it, giving the
    results the whole simulation would have given (the random numbers need no saving: they
    are a function of seed, run and step). What-ifs that share their history up to a date
    simulate it once.

    Attributes
    ----------
    step : int
        The step the runs are at (>= 1).
    seed, run_offset, n_runs : int
        As given to :func:`snapshot`.
    model, org, prep : Model, CompiledOrg, object
        The model and organisation as the events before ``step`` left them, and the model's
        derived arrays for them (``refreshes``: how many events had remade them).
    state : State
        All runs' state ``(runs, ...)``.
    observed : int8 array ``(runs, nodes)``
        The codes at the last look (step ``step - 1``, after its events), from which the
        counts and first steps go on.
    counts, total, first : arrays
        The records before ``step`` (record-major ``(records, runs, groups, states)`` and
        ``(records, runs, states)``) and the first steps so far ``(milestones, runs, nodes)``.
    record_every : int
    groupings : tuple of str
    milestones : dict of str to tuple of str
    """

    step: int
    seed: int
    run_offset: int
    n_runs: int
    model: Model
    org: CompiledOrg
    prep: Any
    refreshes: int
    state: State
    observed: np.ndarray
    counts: np.ndarray
    total: np.ndarray
    first: np.ndarray
    record_every: int
    groupings: tuple[str, ...]
    milestones: dict[str, tuple[str, ...]]
    run_ids: np.ndarray | None = None
    rows: np.ndarray | None = None

    @property
    def ids(self) -> np.ndarray:
        """Global index of each run, int64 ``(n_runs,)``."""
        if self.run_ids is not None:
            return self.run_ids
        return np.arange(self.n_runs, dtype=np.int64) + self.run_offset

    def held(self, rows: np.ndarray) -> np.ndarray:
        """Return where runs ``rows`` (positions) lie in the held arrays (``state`` ...)."""
        return rows if self.rows is None else self.rows[rows]

    def select(self, rows: np.ndarray) -> Snapshot:
        """Return the snapshot of runs ``rows`` (positions; they may repeat), in that order.

        Several choices that share this history go on from it as one simulation: each
        choice's runs are the same rows (``numpy.tile(numpy.arange(n_runs), choices)``), so
        run ``i`` of each is the run it would be alone (same run id, same state), and
        :class:`~diffusion.events.PerRun` gives each its own events. Nothing is copied: the
        selection is read when the simulation starts.
        """
        rows = np.asarray(rows, dtype=np.int64)
        if varying_params(self.model):
            raise ValueError("a snapshot with parameters per run cannot be re-indexed")
        return dataclasses.replace(
            self, n_runs=len(rows), run_ids=self.ids[rows], rows=self.held(rows)
        )


def _simulate_batch(
    model: Model,
    org: CompiledOrg,
    preps: _Preps,
    run_ids: np.ndarray,
    n_steps: int,
    seed: int,
    events_at: dict[int, list[Event]],
    record_at: dict[int, int],
    groups: _Groups,
    milestone_codes: np.ndarray,
    out: _Outputs,
    progress: ProgressFn | None,
    start: Snapshot | None = None,
    rows: np.ndarray | None = None,
    stop: int | None = None,
) -> tuple[Batch, np.ndarray] | None:
    """Simulate the runs ``run_ids``, recording into ``out`` (slices of outputs or a recorder).

    ``rows`` are the runs' positions in the simulation (where per-run parameters and the
    snapshot hold them). From the snapshot ``start`` if given; up to the state at step
    ``stop`` (before its events) if given, then return the batch and the codes at the last
    look, for a snapshot.
    """
    if rows is None:
        rows = np.arange(len(run_ids))
    rand = RunRandom(seed, run_ids, rows)
    by_moves = model.reports_moves
    n_states = len(model.state_names)
    if start is None:
        t0, observed = 0, None
        prep = preps.first
        state = model.init(org, prep, rand)
        batch = Batch(model=model, org=org, prep=prep, state=state, rand=rand, prepare=preps)
        tracker = _Tracker(state.code, groups, n_states, milestone_codes, out, not by_moves)
    else:
        held = start.held(rows)
        t0, observed = start.step, start.observed[held]
        batch = Batch(
            model=start.model,
            org=start.org,
            prep=start.prep,
            state=start.state.take(held),
            rand=rand,
            prepare=preps,
            refreshes=start.refreshes,
        )
        # counts and first steps go on from the last look; the first look compares with it
        tracker = _Tracker(
            observed, groups, n_states, milestone_codes, out, not by_moves, fresh=False
        )
    last_event = max(events_at, default=-1)
    if stop is not None:  # a snapshot keeps every run in the loop
        last_event = max(last_event, stop)
    record_steps = sorted(record_at)
    reported = t0

    for t in range(t0, n_steps + 1):
        if t == stop:
            if progress is not None:
                progress((stop - reported) * len(run_ids))
            assert observed is not None  # kept at the step before, or the snapshot's
            return batch, observed
        batch.t = t
        events = events_at.get(t)
        if events or (t == t0 and observed is not None and by_moves):
            before = batch.state.code.copy() if by_moves else None
            for event in events or ():
                event.apply(batch)
            if t == t0 and observed is not None:
                before = observed
            if by_moves:
                assert before is not None
                tracker.compare(before, batch.state.code, t)
                tracker.settle(batch.state.code, t)
        if not by_moves:
            tracker.observe(batch.state.code, t)
        if t in record_at:
            tracker.record(record_at[t])
        if t == n_steps:
            break
        if stop is not None and t == stop - 1:
            observed = batch.state.code.copy()
        moves = batch.model.step(batch.org, batch.prep, batch.state, t, batch.rand)
        if by_moves:
            assert moves is not None, f"model {model.name!r} reports moves, its step gave none"
            # before a snapshot, first steps at ``stop`` wait for its events (made later)
            tracker.moves(moves, t + 1, t + 1 in events_at or t + 1 == stop)
        if t >= last_event and (t + 1) % batch.model.finished_check_every == 0:
            finished = batch.model.is_finished(batch.state)
            n_finished = 0 if finished is None else int(np.count_nonzero(finished))
            # drop them when they are many (a copy of the state) or every few steps
            if (
                finished is not None
                and n_finished
                and (n_finished * 8 >= finished.size or (t + 1) % COMPACT_EVERY == 0)
            ):
                # their state at t + 1 is final: count it, then let it carry forward
                if not by_moves:
                    tracker.observe(batch.state.code, t + 1)
                tracker.drop(finished)
                keep = np.flatnonzero(~finished)
                batch.state = batch.state.take(keep)
                batch.rand = batch.rand.subset(keep)
                if tracker.rows.size == 0:
                    nxt = bisect.bisect_right(record_steps, t)  # the first record after t
                    if nxt < len(record_steps):
                        tracker.finish(nxt)
                    break
        if progress is not None and (t + 1) % 16 == 0:
            progress((t + 1 - reported) * len(run_ids))
            reported = t + 1
    if progress is not None:
        progress(((n_steps if stop is None else stop) - reported) * len(run_ids))
    if stop is not None:
        assert observed is not None
        return batch, observed
    return None


class _Preps:
    """The model's derived arrays, made once per simulation and shared by its batches.

    ``first`` is ``model.prepare(org)``; calling the object with a batch's (model, org) after
    an event is its next refresh. The ``k``-th refresh of every batch is made for the same
    model and organisation (events change parameters and ties alike in every batch), so it
    is computed by the first batch that needs it and reused by the others.
    """

    def __init__(self, model: Model, org: CompiledOrg, first: Any = None) -> None:
        self.first = model.prepare(org) if first is None else first
        self._made: dict[int, Any] = {}
        self._lock = threading.Lock()

    def __call__(self, model: Model, org: CompiledOrg, k: int) -> Any:
        """Return the derived arrays of the ``k``-th refresh (from 0) of a batch."""
        with self._lock:
            if k not in self._made:
                self._made[k] = model.prepare(org)
            return self._made[k]


def simulate(
    model: Model,
    org: CompiledOrg,
    *,
    n_runs: int,
    n_steps: int,
    seed: int,
    events: Sequence[Event] = (),
    batch_size: int | None = None,
    run_offset: int = 0,
    groupings: Sequence[str] = ("department", "team", "role", "side"),
    record_every: int = 1,
    threads: int | None = None,
    milestones: Mapping[str, Sequence[str]] | None = None,
    progress: ProgressFn | None = None,
    start: Snapshot | None = None,
    run_ids: np.ndarray | None = None,
    record_to: Recorder | None = None,
) -> Results:
    """Simulate ``n_runs`` runs of ``model`` on ``org`` for ``n_steps`` steps.

    Parameters
    ----------
    model : Model
        The model with its parameters; those in ``model.per_run_params`` may be arrays
        ``(n_runs,)``, one value per run (:func:`diffusion.models.base.stack_models`).
    org : CompiledOrg
        The population and its ties.
    n_runs, n_steps : int
        Number of Monte Carlo runs and of steps (weeks for the ideas model).
    seed : int
        Root seed; run ``i`` depends only on ``(seed, run_offset + i)``.
    events : sequence of Event
        Scheduled changes; steps beyond ``n_steps`` are ignored.
    batch_size : int, optional
        Runs simulated together (default: about 500,000 person-cells per batch, in a
        multiple of ``threads`` batches of equal size).
    run_offset : int
        Global index of the first run (to split one simulation over machines).
    groupings : sequence of str
        Groupings of ``org.groups`` to count states by.
    record_every : int
        Record the counts every this many steps (and at the last step).
    threads : int, optional
        Batches simulated at once in threads (default: up to 2; numpy and scipy release the
        GIL in the heavy loops).
    milestones : mapping of str to sequence of str, optional
        Name -> states: the step at which each person first entered any of those states is
        recorded as ``results.first_step[name]`` ``(runs, nodes)``. Default
        ``{"adopted": model.adopted_states}``; "adopted" is always recorded.
    progress : callable, optional
        Called with the number of run-steps just completed.
    start : Snapshot, optional
        Go on from this :func:`snapshot` (made with the same runs, seed, run offset,
        recording, groupings and milestones) instead of from step 0: only the events at and
        after its step are applied (those before are in it). The results are those of the
        whole simulation with the snapshot's events before its step and ``events`` after.
    run_ids : int array ``(n_runs,)``, optional
        The global index of each run instead of ``run_offset + 0 .. n_runs - 1``; ids may
        repeat (several parameter sets on the same runs: common random numbers).
    record_to : Recorder, optional
        Hand every record of the counts to it as the batches make them (in their threads)
        instead of keeping them: the results then hold no counts (``counts`` empty,
        ``total`` None). Not with ``start``.

    Returns
    -------
    Results
    """
    results: Results = _simulate(
        model,
        org,
        n_runs,
        n_steps,
        seed,
        events,
        batch_size,
        run_offset,
        groupings,
        record_every,
        threads,
        milestones,
        progress,
        start,
        None,
        run_ids,
        record_to,
    )
    return results


def snapshot(
    model: Model,
    org: CompiledOrg,
    *,
    n_runs: int,
    step: int,
    seed: int,
    events: Sequence[Event] = (),
    batch_size: int | None = None,
    run_offset: int = 0,
    groupings: Sequence[str] = ("department", "team", "role", "side"),
    record_every: int = 1,
    threads: int | None = None,
    milestones: Mapping[str, Sequence[str]] | None = None,
    progress: ProgressFn | None = None,
    start: Snapshot | None = None,
) -> Snapshot:
    """Simulate up to step ``step`` (before its events) and keep every run's state there.

    The arguments are those of :func:`simulate` (only the events before ``step`` are
    applied; from an earlier snapshot ``start``, those from its step); ``simulate(...,
    start=snapshot(...))`` goes on from it.
    """
    if not 1 <= step:
        raise ValueError(f"a snapshot is taken at step >= 1, got {step}")
    taken: Snapshot = _simulate(
        model,
        org,
        n_runs,
        step,
        seed,
        events,
        batch_size,
        run_offset,
        groupings,
        record_every,
        threads,
        milestones,
        progress,
        start,
        step,
    )
    return taken


def default_threads() -> int:
    """Threads the engine uses when not told: one a core, at most two."""
    return min(2, os.cpu_count() or 1)


def batch_size_for(
    n_runs: int, n_nodes: int, threads: int, cells: int = DEFAULT_BATCH_CELLS
) -> int:
    """Return the runs of a batch when not told: about ``cells`` person-cells.

    In a number of batches that keeps every one of ``threads`` threads busy; at least
    :data:`MIN_BATCH_RUNS` runs (fewer only when there are fewer runs).

    Examples
    --------
    >>> batch_size_for(10_000, 318, 2), batch_size_for(10_000, 318, 1)  # 8 or 7 batches
    (1250, 1429)
    >>> batch_size_for(100, 1_000_000, 1), batch_size_for(10, 318, 2)
    (25, 10)
    """
    target = max(MIN_BATCH_RUNS, cells // max(n_nodes, 1))
    n_batches = -(-n_runs // target)
    big = n_runs >= threads and n_runs * n_nodes >= threads * MIN_SPLIT_CELLS
    if threads > 1 and (n_runs >= threads * MIN_BATCH_RUNS or big):
        n_batches = -(-n_batches // threads) * threads
    return min(-(-n_runs // n_batches), n_runs)


def _simulate(
    model: Model,
    org: CompiledOrg,
    n_runs: int,
    n_steps: int,
    seed: int,
    events: Sequence[Event],
    batch_size: int | None,
    run_offset: int,
    groupings: Sequence[str],
    record_every: int,
    threads: int | None,
    milestones: Mapping[str, Sequence[str]] | None,
    progress: ProgressFn | None,
    start: Snapshot | None,
    stop: int | None,
    run_ids: np.ndarray | None = None,
    record_to: Recorder | None = None,
) -> Any:
    """:func:`simulate` (``stop`` None) or :func:`snapshot` (at step ``stop``)."""
    if n_runs < 1 or n_steps < 0 or record_every < 1:
        raise ValueError("n_runs must be >= 1, n_steps >= 0 and record_every >= 1")
    if record_to is not None and (start is not None or stop is not None):
        raise ValueError("a recorder takes a whole simulation's records: no snapshot")
    check_per_run(model, n_runs)
    if run_ids is None:
        ids = np.arange(n_runs, dtype=np.int64) + run_offset
    else:
        ids = np.asarray(run_ids, dtype=np.int64)
        if ids.shape != (n_runs,) or (ids.size and int(ids.min()) < 0):
            raise ValueError(f"run_ids must be {n_runs} non-negative run indices")
        if start is not None:
            raise ValueError("a snapshot's runs are its own (Snapshot.select): no run_ids")
    if start is not None and start.run_ids is not None:
        ids = start.run_ids
    unknown = [g for g in groupings if g not in org.groups]
    if unknown:
        raise ValueError(f"unknown grouping {unknown[0]!r}; known: {', '.join(org.groups)}")
    milestones = {"adopted": tuple(model.adopted_states)} | {
        name: tuple(states) for name, states in (milestones or {}).items()
    }
    if start is not None:
        _check_start(start, n_runs, n_steps, seed, run_offset, record_every, groupings, milestones)
    keep_freed_memory()  # the per-step arrays reuse freed memory: no page faults each step
    if threads is None:
        threads = default_threads()
    if batch_size is None:
        cells = model.batch_cells or DEFAULT_BATCH_CELLS
        batch_size = batch_size_for(n_runs, org.n_nodes, threads, cells)
    batch_size = min(batch_size, n_runs)
    first_step = 0 if start is None else start.step
    events_at: dict[int, list[Event]] = {}
    for event in events:
        if first_step <= event.step <= n_steps:
            events_at.setdefault(event.step, []).append(event)
    steps = _record_steps(n_steps, record_every)
    record_at = {int(s): i for i, s in enumerate(steps)}
    groups = _Groups.build(org, tuple(groupings))
    milestone_codes = np.zeros((len(milestones), max(len(model.state_names), 1)), dtype=bool)
    for m, states in enumerate(milestones.values()):
        for name in states:
            milestone_codes[m, model.code(name)] = True
    n_states = len(model.state_names)
    from diffusion.budget import check_simulation

    kept = len(steps) if record_to is None else 0  # records of counts held here
    check_simulation(
        runs=n_runs,
        records=kept,
        groups=groups.size,
        states=n_states,
        people=org.n_nodes,
        batch=batch_size,
        milestones=len(milestones),
        largest_group=groups.largest,
        steps=n_steps,
    )
    # the outputs, allocated once; every batch writes its own slice of runs
    # stored record-major, so that recording a step writes one contiguous block; the arrays
    # are handed out as (runs, records, ...) views
    counts_out: np.ndarray = np.zeros(
        (kept, n_runs, groups.size - 1, n_states), dtype=groups.count_dtype()
    ).swapaxes(0, 1)
    total = np.zeros((kept, n_runs, n_states), dtype=np.int32).swapaxes(0, 1)
    if record_to is not None:
        record_to.start(groups.columns(groupings), (groups.size, n_states), len(steps))
    first_dtype = np.int16 if n_steps < np.iinfo(np.int16).max else np.int32
    first = np.full((len(milestones), n_runs, org.n_nodes), -1, dtype=first_dtype)
    if start is None:
        preps = _Preps(model, org)
    else:  # the records and first steps before the snapshot are its own
        before = start.counts.shape[0]
        if start.rows is None:
            counts_out.swapaxes(0, 1)[:before] = start.counts
            total.swapaxes(0, 1)[:before] = start.total
            first[...] = start.first
        else:  # the selected runs, gathered straight into place (record-major: contiguous)
            np.take(start.counts, start.rows, axis=1, out=counts_out.swapaxes(0, 1)[:before])
            np.take(start.total, start.rows, axis=1, out=total.swapaxes(0, 1)[:before])
            np.take(start.first, start.rows, axis=1, out=first)
        preps = _Preps(start.model, start.org, start.prep)

    def one(first_row: int) -> tuple[Batch, np.ndarray] | None:
        rows = np.arange(first_row, min(first_row + batch_size, n_runs))
        part = slice(rows[0], rows[-1] + 1)
        if record_to is None:
            out = _Outputs(counts_out[part], total[part], first[:, part])
        else:
            out = _Outputs(None, None, first[:, part], record_to.batch(first_row, len(rows)))
        return _simulate_batch(
            model,
            org,
            preps,
            ids[rows],
            n_steps,
            seed,
            events_at,
            record_at,
            groups,
            milestone_codes,
            out,
            progress,
            start,
            rows,
            stop,
        )

    starts = range(0, n_runs, batch_size)
    if threads > 1 and len(starts) > 1:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            ends = list(pool.map(one, starts))
    else:
        ends = [one(first_row) for first_row in starts]

    if stop is not None:
        batches = [end[0] for end in ends if end is not None]
        kept = int(np.searchsorted(steps, stop))  # the records before the snapshot
        return Snapshot(
            step=stop,
            seed=int(seed),
            run_offset=int(run_offset),
            n_runs=int(n_runs),
            model=batches[0].model,
            org=batches[0].org,
            prep=batches[0].prep,
            refreshes=batches[0].refreshes,
            state=State(
                np.concatenate([b.state.code for b in batches]),
                {
                    k: np.concatenate([b.state.extra[k] for b in batches])
                    for k in batches[0].state.extra
                },
            ),
            observed=np.concatenate([end[1] for end in ends if end is not None]),
            counts=counts_out.swapaxes(0, 1)[:kept].copy(),
            total=total.swapaxes(0, 1)[:kept].copy(),
            first=first,
            record_every=record_every,
            groupings=tuple(groupings),
            milestones=milestones,
            run_ids=None if start is None else start.run_ids,
        )

    counts = {}
    for g in () if record_to is not None else groupings:
        if g in groups.offset:
            counts[g] = counts_out[:, :, groups.offset[g] : groups.offset[g] + groups.n_groups[g]]
        else:  # a single group: everyone
            counts[g] = total[:, :, None, :]
    return Results(
        state_names=tuple(model.state_names),
        steps=steps,
        counts=counts,
        total=None if record_to is not None else total,
        first_step=dict(zip(milestones, first, strict=True)),
        run_ids=ids,
        node_ids=org.node_ids,
        group_labels={g: tuple(org.group_labels[g]) for g in groupings},
        provenance={
            "model": model.name,
            "params": params_dict(model.params),
            "seed": int(seed),
            "n_runs": int(n_runs),
            "n_steps": int(n_steps),
            "run_offset": int(run_offset),
            "organisation": org.name,
            "n_nodes": org.n_nodes,
            "events": [e.describe() for e in events],
            "version": __version__,
        },
    )


def _check_start(
    start: Snapshot,
    n_runs: int,
    n_steps: int,
    seed: int,
    run_offset: int,
    record_every: int,
    groupings: Sequence[str],
    milestones: Mapping[str, tuple[str, ...]],
) -> None:
    """Raise ValueError unless ``simulate`` can go on from ``start`` with these arguments."""
    given = {
        "n_runs": n_runs,
        "seed": seed,
        "run_offset": run_offset,
        "record_every": record_every,
        "groupings": tuple(groupings),
        "milestones": dict(milestones),
    }
    for name, value in given.items():
        if getattr(start, name) != value:
            raise ValueError(
                f"the snapshot was made with {name}={getattr(start, name)!r}, not {value!r}"
            )
    if n_steps < start.step:
        raise ValueError(f"the snapshot is at step {start.step}, after n_steps={n_steps}")


def params_dict(params: object) -> dict[str, Any]:
    """Return a model's parameters as a JSON-friendly dict (arrays as lists), for provenance."""
    if params is None:
        return {}
    if is_dataclass(params) and not isinstance(params, type):
        return {
            k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in asdict(params).items()
        }
    return dict(vars(params))
