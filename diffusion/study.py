"""A study: a model on an organisation over a calendar, with its events.

It is what one scenario resolves to, and what the engine needs to simulate it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from diffusion.calendar import DAYS_PER_STEP, Calendar
from diffusion.compile import CompiledOrg
from diffusion.engine import ProgressFn, Recorder, Snapshot, simulate, snapshot
from diffusion.events import Event
from diffusion.models.base import Model
from diffusion.results import Results


@dataclass(frozen=True)
class Study:
    """Everything a simulation needs besides the number of runs and the seed.

    Building one checks every event against the model and the organisation
    (:meth:`diffusion.events.Event.check`), so a wrong event fails here, not mid-run.
    """

    name: str
    org: CompiledOrg
    model: Model
    calendar: Calendar
    events: tuple[Event, ...] = ()
    groupings: tuple[str, ...] = ("department", "team", "role", "side")
    notes: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for event in self.events:
            event.check(self.model, self.org)

    @property
    def n_steps(self) -> int:
        """Number of weekly steps of the calendar."""
        return self.calendar.n_steps

    def simulate(
        self,
        n_runs: int,
        seed: int,
        *,
        run_offset: int = 0,
        batch_size: int | None = None,
        record_every: int = 1,
        progress: ProgressFn | None = None,
        events: Sequence[Event] = (),
        milestones: Mapping[str, Sequence[str]] | None = None,
        threads: int | None = None,
        start: Snapshot | None = None,
        run_ids: np.ndarray | None = None,
        record_to: Recorder | None = None,
    ) -> Results:
        """Simulate ``n_runs`` runs; ``events`` are added to the study's own (and checked).

        ``milestones`` (name -> states) asks for each person's first step in those states, and
        ``threads`` caps the engine's threads (1 inside a worker process that already has its
        own core), as in :func:`diffusion.engine.simulate`. ``start`` (from :meth:`snapshot`
        with the same runs, seed, recording and milestones) goes on from a saved state: the
        results are those of the whole simulation, computed from the snapshot's step on.
        ``run_ids`` (may repeat) numbers the runs instead of ``run_offset + 0, 1, ...``.
        ``record_to`` takes the counts as they are made instead of the results keeping them.
        """
        for event in events:
            event.check(self.model, self.org)
        results = simulate(
            self.model,
            self.org,
            n_runs=n_runs,
            n_steps=self.n_steps,
            seed=seed,
            events=(*self.events, *events),
            batch_size=batch_size,
            run_offset=run_offset,
            groupings=self.groupings,
            record_every=record_every,
            milestones=milestones,
            threads=threads,
            progress=progress,
            start=start,
            run_ids=run_ids,
            record_to=record_to,
        )
        results.provenance.update(
            study=self.name,
            start_date=self.calendar.start.isoformat(),
            end_date=self.calendar.end.isoformat(),
            days_per_step=DAYS_PER_STEP,
        )
        return results

    def snapshot(
        self,
        n_runs: int,
        seed: int,
        step: int,
        *,
        run_offset: int = 0,
        batch_size: int | None = None,
        record_every: int = 1,
        progress: ProgressFn | None = None,
        milestones: Mapping[str, Sequence[str]] | None = None,
        threads: int | None = None,
        start: Snapshot | None = None,
    ) -> Snapshot:
        """Return the runs at step ``step``, before its events.

        The study's events before it are applied (from the earlier snapshot ``start`` if
        given); :meth:`simulate` with ``start=`` goes on from it (see
        :func:`diffusion.engine.snapshot`).
        """
        return snapshot(
            self.model,
            self.org,
            n_runs=n_runs,
            step=step,
            seed=seed,
            events=self.events,
            batch_size=batch_size,
            run_offset=run_offset,
            groupings=self.groupings,
            record_every=record_every,
            milestones=milestones,
            threads=threads,
            progress=progress,
            start=start,
        )


def shared_steps(base: Study, other: Study) -> int:
    """How many steps ``other`` shares with ``base`` from step 0.

    The first step at which their events differ (0 when their model, organisation, calendar or
    groupings differ; ``n_steps + 1`` when nothing does). Up to it, their runs with one seed are the
    same.
    """
    same = (
        other.org is base.org
        and other.calendar == base.calendar
        and other.groupings == base.groupings
        and _equal(other.model, base.model)
    )
    if not same:
        return 0
    mine, theirs = _by_step(base.events), _by_step(other.events)
    for step in sorted(set(mine) | set(theirs)):
        if not _equal(mine.get(step), theirs.get(step)):
            return step
    return base.n_steps + 1


def simulate_studies(
    studies: Sequence[Study],
    n_runs: int,
    seed: int,
    *,
    run_offset: int = 0,
    record_every: int = 1,
    progress: ProgressFn | None = None,
    threads: int | None = None,
) -> list[Results]:
    """Simulate several studies with the same runs, their common history once.

    Each later study shares the first one's history up to :func:`shared_steps` (a what-if
    whose first change is in 2019 shares the base's years before): the first study's runs
    are saved there (:meth:`Study.snapshot`, each snapshot going on from the last) and the
    study goes on from that. The results are those of :meth:`Study.simulate` for each study
    alone (``tests/test_snapshot.py``); ``progress`` counts the shared steps of a study as
    done when it starts from them, so the totals are those of simulating each alone.

    Returns
    -------
    list of Results
        In the order of ``studies``.
    """
    base, rest = studies[0], studies[1:]
    limit = base.n_steps
    shared = [min(shared_steps(base, s), limit) for s in rest]
    kwargs: dict[str, Any] = {
        "run_offset": run_offset,
        "record_every": record_every,
        "threads": threads,
    }
    snaps: dict[int, Snapshot] = {}
    last: Snapshot | None = None
    for step in sorted({s for s in shared if s >= 1}):
        last = base.snapshot(n_runs, seed, step, progress=progress, start=last, **kwargs)
        snaps[step] = last
    results = [base.simulate(n_runs, seed, progress=progress, start=last, **kwargs)]
    for study, step in zip(rest, shared, strict=True):
        start = snaps.get(step)
        if start is not None and progress is not None:
            progress(step * n_runs)
        results.append(study.simulate(n_runs, seed, progress=progress, start=start, **kwargs))
    return results


def _by_step(events: Sequence[Event]) -> dict[int, list[Event]]:
    """Events by step, in their order."""
    out: dict[int, list[Event]] = {}
    for event in events:
        out.setdefault(event.step, []).append(event)
    return out


def _equal(a: object, b: object) -> bool:
    """Equal (False where a comparison is not a plain truth value, e.g. of arrays)."""
    try:
        return bool(a == b)
    except (TypeError, ValueError):
        return False
