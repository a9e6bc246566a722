"""What a cohort's choice is judged by: objectives, and probes that read people's states.

An objective is a weighted sum of terms, each a value per run at a date, oriented so that
more is better:

``adopters@DATE``
    People working from the intent without the course (state ``adopter``), all staff.
``working@DATE``
    Trained plus adopters (the model's adopted states), all staff.
``departments@DATE:SHARE``
    Departments in which at least ``SHARE`` of the people work from the intent.
``isolated@DATE``
    Participants with no like-minded colleague nearby (eenlingen,
    :func:`~diffusion.models.ideas.isolated_trained`), *minimised*: the term counts minus
    the number.

Written ``2*adopters@2023-12-31 + 10*departments@2023-12-31:0.25``; a term without a date
takes the default date, ``departments`` without a share the scenario's ``pass_share``.
The values are read from a simulation's :class:`~diffusion.results.Results`; the isolated
count needs people's states, which results do not keep, so it is read during the run by a
:class:`StateProbe`: an event that looks and changes nothing, so the runs are the same
with or without it.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from diffusion.calendar import Calendar
from diffusion.errors import InputError
from diffusion.events import Batch, Event
from diffusion.results import Results

#: term kinds and what they mean (for the output and for --help)
KINDS: dict[str, str] = {
    "adopters": "adopters (working from the intent without the course)",
    "working": "trained plus adopters",
    "departments": "departments where at least {share:.0%} work from the intent",
    "isolated": "isolated participants (minimised)",
}
_TERM = re.compile(
    r"^\s*(?:(?P<w>[0-9]*\.?[0-9]+(?:e-?\d+)?)\s*\*\s*)?(?P<kind>[a-z]+)"
    r"(?:@(?P<date>\d{4}-\d{2}-\d{2}))?(?::(?P<share>[0-9]*\.?[0-9]+))?\s*$"
)


@dataclass(frozen=True)
class Term:
    """One term: ``weight * kind@date[:share]``."""

    kind: str
    date: dt.date
    weight: float = 1.0
    share: float | None = None

    @property
    def name(self) -> str:
        """The term in words, for tables and plots."""
        what = KINDS[self.kind].format(share=self.share or 0.0)
        weight = "" if self.weight == 1 else f"{self.weight:g} x "
        return f"{weight}{what} at {self.date}"

    @property
    def spec(self) -> str:
        """The term as written on the command line (defaults filled in)."""
        weight = "" if self.weight == 1 else f"{self.weight:g}*"
        share = "" if self.share is None else f":{self.share:g}"
        return f"{weight}{self.kind}@{self.date}{share}"


@dataclass(frozen=True)
class Objective:
    """A weighted sum of :class:`Term`, to maximise."""

    terms: tuple[Term, ...]

    @property
    def name(self) -> str:
        """The objective in words, for tables and plots."""
        return " + ".join(t.name for t in self.terms)

    @property
    def spec(self) -> str:
        """The objective as written on the command line (defaults filled in)."""
        return " + ".join(t.spec for t in self.terms)

    @property
    def last_date(self) -> dt.date:
        """The latest date of the terms."""
        return max(t.date for t in self.terms)

    def probe_steps(self, calendar: Calendar) -> tuple[int, ...]:
        """Return the steps at which people's states must be read (isolated terms)."""
        return tuple(sorted({calendar.step_of(t.date) for t in self.terms if t.kind == "isolated"}))

    def values(
        self, results: Results, calendar: Calendar, probes: Sequence[StateProbe] = ()
    ) -> np.ndarray:
        """Return the objective in each run, float64 ``(runs,)``.

        Parameters
        ----------
        results : Results
            Counted by ``kind`` and ``department`` (all staff and per department).
        calendar : Calendar
            The study's calendar (dates to records).
        probes : sequence of StateProbe
            The probes of the run, one at each of :meth:`probe_steps`.
        """
        total = np.zeros(results.n_runs, dtype=np.float64)
        by_step = {p.step: p for p in probes}
        for t in self.terms:
            step = calendar.step_of(t.date)
            record = results.record_of_step(step)
            if t.kind == "adopters":
                value = results.series(("adopter",), "kind", "staff")[:, record]
            elif t.kind == "working":
                value = results.series(("trained", "adopter"), "kind", "staff")[:, record]
            elif t.kind == "departments":
                value = _departments_passing(results, record, float(t.share or 0.0))
            else:
                value = -by_step[step].isolated_per_run(results.n_runs)
            total += t.weight * np.asarray(value, dtype=np.float64)
        return total


def _departments_passing(results: Results, record: int, share: float) -> np.ndarray:
    labels = results.group_labels["department"]
    sizes = results.group_sizes("department")
    working = results.by_group(("trained", "adopter"), "department")[:, record]
    real = np.array([bool(x) and n > 0 for x, n in zip(labels, sizes, strict=True)])
    return (working[:, real] >= share * sizes[real][None, :]).sum(axis=1)


def parse_objective(text: str, default_date: dt.date, default_share: float) -> Objective:
    """Read an objective written as terms joined by ``+`` (see the module docstring).

    Raises
    ------
    InputError
        ``--objective: ...`` naming the term that cannot be read.

    Examples
    --------
    >>> o = parse_objective("adopters", dt.date(2023, 12, 31), 0.25)
    >>> o.spec, o.name
    ('adopters@2023-12-31', 'adopters (working from the intent without the course) at 2023-12-31')
    """
    terms = []
    for part in text.split("+"):
        m = _TERM.match(part)
        if m is None or m["kind"] not in KINDS:
            raise InputError(
                "",
                "--objective",
                f"cannot read {part.strip()!r}; write [WEIGHT*]KIND[@YYYY-MM-DD][:SHARE] "
                f"with KIND one of {', '.join(KINDS)}, terms joined by +",
            )
        try:
            date = dt.date.fromisoformat(m["date"]) if m["date"] else default_date
        except ValueError as exc:
            raise InputError("", "--objective", f"{part.strip()!r}: {exc}") from None
        share = None
        if m["kind"] == "departments":
            share = float(m["share"]) if m["share"] else default_share
            if not 0 < share <= 1:
                raise InputError("", "--objective", f"{part.strip()!r}: share must be in (0, 1]")
        elif m["share"]:
            raise InputError("", "--objective", f"{part.strip()!r}: only departments take a share")
        weight = float(m["w"]) if m["w"] else 1.0
        if not 0 < weight < float("inf"):
            raise InputError(
                "",
                "--objective",
                f"{part.strip()!r}: a term's weight must be a number > 0 (a term of weight 0 "
                "counts for nothing: leave it out)",
            )
        terms.append(Term(m["kind"], date, weight, share))
    return Objective(tuple(terms))


# ------------------------------------------------------------------------------ probes
@dataclass
class ProbeSink:
    """What a :class:`StateProbe` saw, summed over the runs of every batch.

    Attributes
    ----------
    state_counts : int64 ``(nodes, states)``
        Runs in which each person was in each state.
    isolated_counts : int64 ``(nodes,)``
        Runs in which each person was an isolated participant.
    isolated_by_run : dict of int to int
        Isolated participants in each run (by its position in the simulation).
    n_runs : int
        Runs seen.
    org, prep : CompiledOrg, model prep
        The organisation (ties as events left them) and the model's derived arrays at the
        probe's step (the same in every batch).
    """

    state_counts: np.ndarray | None = None
    isolated_counts: np.ndarray | None = None
    isolated_by_run: dict[int, int] = field(default_factory=dict)
    n_runs: int = 0
    org: Any = None
    prep: Any = None
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)


@dataclass(frozen=True)
class StateProbe(Event):
    """An event that reads people's states at ``step`` and changes nothing.

    Put it first among the events of its step to see the state before them, last to see
    the state that step's counts record. Batches may run in threads: the sink is locked.
    """

    sink: ProbeSink = field(default_factory=ProbeSink, compare=False)

    def apply(self, batch: Batch) -> None:
        """Count, per run of the batch, the trained people without a trained contact."""
        from diffusion.models.ideas import isolated_trained

        code = batch.state.code
        n_states = len(batch.model.state_names)
        counts = np.stack([(code == s).sum(axis=0) for s in range(n_states)], axis=1)
        isolated = isolated_trained(batch.org, batch.state)
        with self.sink.lock:
            s = self.sink
            s.state_counts = counts if s.state_counts is None else s.state_counts + counts
            iso = isolated.sum(axis=0)
            s.isolated_counts = iso if s.isolated_counts is None else s.isolated_counts + iso
            for row, n in zip(batch.rand.rows, isolated.sum(axis=1), strict=True):
                s.isolated_by_run[int(row)] = int(n)
            s.n_runs += code.shape[0]
            s.org, s.prep = batch.org, batch.prep

    def isolated_per_run(self, n_runs: int) -> np.ndarray:
        """Isolated participants in each run of the simulation (by position), int64 ``(runs,)``.

        By position, not run id: several choices simulated together repeat the run ids.
        """
        return np.array([self.sink.isolated_by_run[r] for r in range(n_runs)], dtype=np.int64)

    def shares(self) -> np.ndarray:
        """Share of runs in which each person was in each state, ``(nodes, states)``."""
        assert self.sink.state_counts is not None, "the probe has not run"
        return self.sink.state_counts / max(self.sink.n_runs, 1)

    def isolated_share(self) -> np.ndarray:
        """Share of runs in which each person was an isolated participant, ``(nodes,)``."""
        assert self.sink.isolated_counts is not None, "the probe has not run"
        return self.sink.isolated_counts / max(self.sink.n_runs, 1)

    def describe(self) -> dict[str, Any]:
        """Return the probe for the provenance."""
        return {"event": "StateProbe", "step": self.step}
