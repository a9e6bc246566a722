"""A study: a model on an organisation over a calendar, with its events.

It is what one scenario resolves to, and what the engine needs to simulate it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from diffusion.calendar import DAYS_PER_STEP, Calendar
from diffusion.compile import CompiledOrg
from diffusion.engine import ProgressFn, Snapshot, simulate, snapshot
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
    ) -> Results:
        """Simulate ``n_runs`` runs; ``events`` are added to the study's own (and checked).

        ``milestones`` (name -> states) asks for each person's first step in those states, and
        ``threads`` caps the engine's threads (1 inside a worker process that already has its
        own core), as in :func:`diffusion.engine.simulate`. ``start`` (from :meth:`snapshot`
        with the same runs, seed, recording and milestones) goes on from a saved state: the
        results are those of the whole simulation, computed from the snapshot's step on.
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
    ) -> Snapshot:
        """The runs at step ``step`` (before its events), the study's events before it
        applied; :meth:`simulate` with ``start=`` goes on from it (see
        :func:`diffusion.engine.snapshot`)."""
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
        )
