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
revive are dropped from the loop every few steps; their last counts carry forward.

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

import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, is_dataclass

import numpy as np

from diffusion import __version__
from diffusion.compile import CompiledOrg
from diffusion.events import Batch, Event
from diffusion.models.base import Model
from diffusion.results import Results
from diffusion.rng import RunRandom

#: person-cells (runs x nodes) per batch: large enough to amortise Python overhead, small
#: enough to keep a step's working set near the cache
DEFAULT_BATCH_CELLS = 1 << 19
#: fewest runs per batch by default: below it, a step's fixed costs (reading the sparse ties,
#: Python overhead) are paid for too few runs
MIN_BATCH_RUNS = 32
#: how often (in steps) finished runs are looked for
COMPACT_EVERY = 8

ProgressFn = Callable[[int], None]


@dataclass(frozen=True)
class _Groups:
    """The recorded groups of the groupings with more than one group, side by side on one
    axis, then one group of everyone ("all").

    ``member[n]`` ``(nodes, columns)`` lists node ``n``'s place on that axis in each tracked
    grouping and, last, in "all"; ``offset[g]`` is where tracked grouping ``g`` starts. A
    grouping with a single group (e.g. ``department`` of a plain graph) is not tracked: its
    counts are those of "all".
    """

    member: np.ndarray
    offset: dict[str, int]
    n_groups: dict[str, int]
    largest: int

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
        return cls(np.stack(columns, axis=1), offset, n_groups, largest)

    @property
    def size(self) -> int:
        """Length of the group axis, "all" included."""
        return int(self.member[0, -1]) + 1 if len(self.member) else 1

    def count_dtype(self) -> type:
        """The smallest integer type that holds any tracked group's count."""
        return np.uint16 if self.largest < np.iinfo(np.uint16).max else np.int32


class _Tracker:
    """Follows the runs of a batch: counts per (run, group, state) and first steps.

    Both are updated from the people whose state changed since the last look, found by one
    comparison with the previous codes, so the cost per step is a pass over ``(runs, nodes)``
    int8 plus work in proportion to the changes, not a recount. Records are written into
    ``counts`` ``(runs, records, groups, states)``, ``total`` ``(runs, records, states)`` and
    ``first`` ``(milestones, runs, nodes)``: the batch's slices of the simulation's output.
    """

    def __init__(
        self,
        code: np.ndarray,
        groups: _Groups,
        n_states: int,
        milestone_codes: np.ndarray,
        counts: np.ndarray,
        total: np.ndarray,
        first: np.ndarray,
    ) -> None:
        n_runs, n_nodes = code.shape
        self.groups, self.n_states, self.milestone_codes = groups, n_states, milestone_codes
        self.n_nodes = n_nodes
        self.rows = np.arange(n_runs)  # batch rows still in the loop
        self.prev = code.copy()
        flat = (
            np.arange(n_runs, dtype=np.int64)[:, None, None] * groups.size
            + groups.member[None, :, :]
        ) * n_states + code[:, :, None]
        self.running = np.bincount(flat.ravel(), minlength=n_runs * groups.size * n_states).reshape(
            n_runs, groups.size, n_states
        )
        self.counts, self.total, self.first = counts, total, first
        self.first_live = np.where(milestone_codes[:, code], 0, -1).astype(first.dtype)
        self.last = np.full(n_runs, -1, dtype=np.int64)

    def _count(self, run: np.ndarray, node: np.ndarray, code: np.ndarray, sign: int) -> None:
        """Add ``sign`` to the running counts of (run, every group of node, code)."""
        flat = (run[:, None] * self.groups.size + self.groups.member[node]) * self.n_states
        flat += code[:, None]
        ufunc = np.add if sign > 0 else np.subtract
        ufunc.at(self.running.reshape(-1), flat.ravel(), 1)

    def observe(self, code: np.ndarray, t: int) -> None:
        """Take in the codes ``(rows, nodes)`` at step ``t``."""
        changed = np.flatnonzero(code.reshape(-1) != self.prev.reshape(-1))
        if changed.size == 0:
            return
        r, n = np.divmod(changed, self.n_nodes)
        old, new = self.prev.reshape(-1)[changed], code.reshape(-1)[changed]
        self._count(r, n, old, -1)
        self._count(r, n, new, 1)
        for m, codes in enumerate(self.milestone_codes):
            hit = codes[new] & (self.first_live[m, r, n] < 0)
            self.first_live[m, r[hit], n[hit]] = t
        self.prev.reshape(-1)[changed] = new

    def record(self, record: int, rows: np.ndarray | None = None) -> None:
        """Store the running counts of the batch rows ``rows`` (default: all in the loop)."""
        if rows is None and len(self.rows) == len(self.last):
            where: slice | np.ndarray = slice(None)  # every run is still in: no scatter
            live: slice | np.ndarray = slice(None)
        else:
            live = slice(None) if rows is None else rows
            where = self.rows if rows is None else self.rows[rows]
        self.counts[where, record] = self.running[live, :-1]
        self.total[where, record] = self.running[live, -1]
        self.last[where] = record

    def drop(self, finished: np.ndarray) -> None:
        """Take the runs flagged in ``finished`` ``(rows,)`` out of the loop."""
        self.first[:, self.rows[finished]] = self.first_live[:, finished]
        keep = ~finished
        self.rows = self.rows[keep]
        self.prev = self.prev[keep]
        self.running = self.running[keep]
        self.first_live = self.first_live[:, keep]

    def finish(self) -> None:
        """Store the first steps of the runs left and carry finished runs' counts forward."""
        self.first[:, self.rows] = self.first_live
        for record in range(1, self.counts.shape[1]):
            behind = np.flatnonzero(self.last < record)
            if behind.size:
                self.counts[behind, record] = self.counts[behind, record - 1]
                self.total[behind, record] = self.total[behind, record - 1]


def _record_steps(n_steps: int, record_every: int) -> np.ndarray:
    steps = np.arange(0, n_steps + 1, record_every)
    if steps[-1] != n_steps:
        steps = np.append(steps, n_steps)
    return steps


def _simulate_batch(
    model: Model,
    org: CompiledOrg,
    run_ids: np.ndarray,
    n_steps: int,
    seed: int,
    events_at: dict[int, list[Event]],
    record_at: dict[int, int],
    groups: _Groups,
    milestone_codes: np.ndarray,
    out: tuple[np.ndarray, np.ndarray, np.ndarray],
    progress: ProgressFn | None,
) -> None:
    """Simulate the runs ``run_ids``, writing into ``out`` = (counts, total, first) slices."""
    rand = RunRandom(seed, run_ids)
    prep = model.prepare(org)
    state = model.init(org, prep, rand)
    batch = Batch(model=model, org=org, prep=prep, state=state, rand=rand)
    tracker = _Tracker(state.code, groups, len(model.state_names), milestone_codes, *out)
    last_event = max(events_at, default=-1)
    reported = 0

    for t in range(n_steps + 1):
        batch.t = t
        for event in events_at.get(t, ()):
            event.apply(batch)
        tracker.observe(batch.state.code, t)
        if t in record_at:
            tracker.record(record_at[t])
        if t == n_steps:
            break
        batch.model.step(batch.org, batch.prep, batch.state, t, batch.rand)
        if t % COMPACT_EVERY == COMPACT_EVERY - 1 and t >= last_event:
            finished = batch.model.is_finished(batch.state)
            if finished is not None and finished.any():
                # their state at t + 1 is final: count it, then let it carry forward
                tracker.observe(batch.state.code, t + 1)
                nxt = min((r for s, r in record_at.items() if s > t), default=None)
                if nxt is not None:
                    tracker.record(nxt, np.flatnonzero(finished))
                tracker.drop(finished)
                keep = np.flatnonzero(~finished)
                batch.state = batch.state.take(keep)
                batch.rand = batch.rand.subset(keep)
                if tracker.rows.size == 0:
                    break
        if progress is not None and (t + 1) % 16 == 0:
            progress(16 * len(run_ids))
            reported += 16
    if progress is not None:
        progress((n_steps - reported) * len(run_ids))
    tracker.finish()


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
) -> Results:
    """Simulate ``n_runs`` runs of ``model`` on ``org`` for ``n_steps`` steps.

    Parameters
    ----------
    model : Model
        The model with its parameters.
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

    Returns
    -------
    Results
    """
    if n_runs < 1 or n_steps < 0 or record_every < 1:
        raise ValueError("n_runs must be >= 1, n_steps >= 0 and record_every >= 1")
    unknown = [g for g in groupings if g not in org.groups]
    if unknown:
        raise ValueError(f"unknown grouping {unknown[0]!r}; known: {', '.join(org.groups)}")
    if threads is None:
        threads = min(2, os.cpu_count() or 1)
    if batch_size is None:
        # about DEFAULT_BATCH_CELLS a batch, in a number of batches that keeps every thread busy
        target = max(MIN_BATCH_RUNS, DEFAULT_BATCH_CELLS // max(org.n_nodes, 1))
        n_batches = -(-n_runs // target)
        if threads > 1 and n_runs >= threads * MIN_BATCH_RUNS:
            n_batches = -(-n_batches // threads) * threads
        batch_size = -(-n_runs // n_batches)
    batch_size = min(batch_size, n_runs)
    events_at: dict[int, list[Event]] = {}
    for event in events:
        if event.step <= n_steps:
            events_at.setdefault(event.step, []).append(event)
    steps = _record_steps(n_steps, record_every)
    record_at = {int(s): i for i, s in enumerate(steps)}
    groups = _Groups.build(org, tuple(groupings))
    milestones = {"adopted": tuple(model.adopted_states)} | {
        name: tuple(states) for name, states in (milestones or {}).items()
    }
    milestone_codes = np.zeros((len(milestones), max(len(model.state_names), 1)), dtype=bool)
    for m, states in enumerate(milestones.values()):
        for name in states:
            milestone_codes[m, model.code(name)] = True
    n_states = len(model.state_names)
    from diffusion.budget import check_simulation

    check_simulation(
        runs=n_runs,
        records=len(steps),
        groups=groups.size,
        states=n_states,
        people=org.n_nodes,
        batch=batch_size,
        milestones=len(milestones),
    )
    # the outputs, allocated once; every batch writes its own slice of runs
    # stored record-major, so that recording a step writes one contiguous block; the arrays
    # are handed out as (runs, records, ...) views
    counts_out = np.zeros(
        (len(steps), n_runs, groups.size - 1, n_states), dtype=groups.count_dtype()
    ).swapaxes(0, 1)
    total = np.zeros((len(steps), n_runs, n_states), dtype=np.int32).swapaxes(0, 1)
    first_dtype = np.int16 if n_steps < np.iinfo(np.int16).max else np.int32
    first = np.full((len(milestones), n_runs, org.n_nodes), -1, dtype=first_dtype)

    def one(start: int) -> None:
        rows = slice(start, min(start + batch_size, n_runs))
        run_ids = np.arange(rows.start, rows.stop, dtype=np.int64) + run_offset
        out = (counts_out[rows], total[rows], first[:, rows])
        _simulate_batch(
            model,
            org,
            run_ids,
            n_steps,
            seed,
            events_at,
            record_at,
            groups,
            milestone_codes,
            out,
            progress,
        )

    starts = range(0, n_runs, batch_size)
    if threads > 1 and len(starts) > 1:
        with ThreadPoolExecutor(max_workers=threads) as pool:
            list(pool.map(one, starts))
    else:
        for start in starts:
            one(start)

    counts = {}
    for g in groupings:
        if g in groups.offset:
            counts[g] = counts_out[:, :, groups.offset[g] : groups.offset[g] + groups.n_groups[g]]
        else:  # a single group: everyone
            counts[g] = total[:, :, None, :]
    return Results(
        state_names=tuple(model.state_names),
        steps=steps,
        counts=counts,
        total=total,
        first_step=dict(zip(milestones, first, strict=True)),
        run_ids=np.arange(n_runs, dtype=np.int64) + run_offset,
        node_ids=org.node_ids,
        group_labels={g: tuple(org.group_labels[g]) for g in groupings},
        provenance={
            "model": model.name,
            "params": _params_dict(model.params),
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


def _params_dict(params: object) -> dict:
    if params is None:
        return {}
    if is_dataclass(params) and not isinstance(params, type):
        return {
            k: (v.tolist() if isinstance(v, np.ndarray) else v) for k, v in asdict(params).items()
        }
    return dict(vars(params))
