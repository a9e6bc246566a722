"""Scheduled changes applied at the start of a step: the mechanism behind every what-if.

An event is a frozen dataclass with a ``step`` and an ``apply(batch)`` method that changes the
:class:`Batch` in place: the model's parameters, the organisation's ties, the state of chosen
people, or a cohort enrolled. Scenario files (:mod:`diffusion.scenario`) give these user-facing
names such as ``new_secretary`` or ``buddies``.

Events at step ``t`` are applied in the order given, before the state at ``t`` is recorded
and before the model moves from ``t`` to ``t + 1``.

Events validate their own arguments when constructed (tie kinds, state and action names,
node positions), and :meth:`Event.check` validates them against a model and an organisation
(positions in range, the model's states and actions, the labels of a node selection);
:class:`~diffusion.study.Study` calls it when built, so a wrong event fails before the first
step rather than in the middle of a simulation.

Examples
--------
>>> AddTies(3, kind="friendship", sources=(0,), targets=(1,))
Traceback (most recent call last):
...
ValueError: AddTies: unknown tie kind 'friendship'; valid: cluster, team, line_down, ...
>>> ModelAction(150, "top_change", {"secretary_support": 0.3}).describe()["args"]
{'secretary_support': 0.3}
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from diffusion.compile import CompiledOrg
from diffusion.models.base import Model, State
from diffusion.rng import RunRandom, weighted_sample_without_replacement
from diffusion.vocabulary import TIE_KINDS


@dataclass
class Batch:
    """Everything an event may change for one batch of runs (the engine owns it).

    ``prepare(model, org, k)``, when the engine gives it, makes the derived arrays of the
    ``k``-th refresh, shared by the batches of a simulation (they all see the same events).
    """

    model: Model
    org: CompiledOrg
    prep: Any
    state: State
    rand: RunRandom
    t: int = 0
    prepare: Callable[[Model, CompiledOrg, int], Any] | None = None
    refreshes: int = 0

    def refresh(self) -> None:
        """Recompute the model's derived arrays after a change of parameters or ties."""
        if self.prepare is None:
            self.prep = self.model.prepare(self.org)
        else:
            self.prep = self.prepare(self.model, self.org, self.refreshes)
        self.refreshes += 1


@dataclass(frozen=True)
class Event:
    """Base of all events: ``step`` is the week (from the start) at which it applies."""

    step: int

    def __post_init__(self) -> None:
        if isinstance(self.step, bool) or not isinstance(self.step, int | np.integer):
            raise TypeError(f"{type(self).__name__}: step must be an integer, got {self.step!r}")
        if self.step < 0:
            raise ValueError(f"event step must be >= 0, got {self.step}")

    def apply(self, batch: Batch) -> None:
        """Change ``batch`` in place at the event's step."""
        raise NotImplementedError

    def check(self, model: Model, org: CompiledOrg) -> None:
        """Raise ValueError if the event cannot apply to ``model`` on ``org``.

        The base checks nothing; events that name nodes, states or actions check them.
        """

    def describe(self) -> dict[str, Any]:
        """Return a JSON-friendly description for provenance."""
        out: dict[str, Any] = {"event": type(self).__name__}
        for name, value in vars(self).items():
            if isinstance(value, np.ndarray):
                value = value.tolist()
            elif isinstance(value, Mapping):
                value = dict(value)
            elif isinstance(value, tuple):
                value = list(value)
            out[name] = value
        return out


@dataclass(frozen=True)
class SetParams(Event):
    """Change some of the model's parameters from ``step`` on."""

    changes: Mapping[str, Any] = field(default_factory=dict)

    def apply(self, batch: Batch) -> None:
        """Apply the event to ``batch`` at its step."""
        batch.model = batch.model.with_params(**self.changes)
        batch.refresh()


def _positions(nodes: Sequence[int] | np.ndarray) -> np.ndarray:
    return np.asarray(nodes, dtype=np.int64).reshape(-1)


def node_positions(event: str, name: str, nodes: object) -> tuple[int, ...]:
    """``nodes`` as a tuple of non-negative ints, or a ValueError naming ``event.name``."""
    arr = np.asarray(nodes if nodes is not None else ())
    if arr.size == 0:
        return ()
    if arr.dtype == bool or arr.dtype.kind not in "iu":
        raise ValueError(f"{event}: {name} must be node positions (integers), got {nodes!r}")
    if arr.min() < 0:
        raise ValueError(f"{event}: {name} must be >= 0, got {int(arr.min())}")
    return tuple(int(i) for i in arr.reshape(-1))


def check_in_range(event: str, name: str, nodes: tuple[int, ...], org: CompiledOrg) -> None:
    """Raise ValueError if a position of ``nodes`` is not a node of ``org``."""
    if nodes and max(nodes) >= org.n_nodes:
        raise ValueError(
            f"{event}: {name} has position {max(nodes)}, but the organisation has "
            f"{org.n_nodes} nodes"
        )


def _tie_kind(event: str, kind: str) -> None:
    if kind not in TIE_KINDS:
        raise ValueError(f"{event}: unknown tie kind {kind!r}; valid: {', '.join(TIE_KINDS)}")


@dataclass(frozen=True)
class AddTies(Event):
    """Add ties of ``kind`` from ``sources[i]`` to ``targets[i]`` (node positions).

    With ``symmetric`` each tie also carries influence back. An existing tie of the same kind
    between the pair takes the new weight.
    """

    kind: str = "project"
    sources: tuple[int, ...] = ()
    targets: tuple[int, ...] = ()
    weight: float = 1.0
    symmetric: bool = True

    def __post_init__(self) -> None:
        super().__post_init__()
        _tie_kind("AddTies", self.kind)
        object.__setattr__(self, "sources", node_positions("AddTies", "sources", self.sources))
        object.__setattr__(self, "targets", node_positions("AddTies", "targets", self.targets))
        if len(self.sources) != len(self.targets):
            raise ValueError(
                f"AddTies: sources and targets must have the same length, got "
                f"{len(self.sources)} and {len(self.targets)}"
            )
        if not (math.isfinite(self.weight) and self.weight > 0):
            raise ValueError(f"AddTies: weight must be a positive number, got {self.weight!r}")

    def check(self, model: Model, org: CompiledOrg) -> None:
        """Raise ValueError if a tie's end is not a node of ``org``."""
        check_in_range("AddTies", "sources", self.sources, org)
        check_in_range("AddTies", "targets", self.targets, org)

    def apply(self, batch: Batch) -> None:
        """Apply the event to ``batch`` at its step."""
        src, dst = _positions(self.sources), _positions(self.targets)
        if self.symmetric:
            src, dst = np.concatenate([src, dst]), np.concatenate([dst, src])
        n = batch.org.n_nodes
        # W[i, j] is j's influence on i: the receiver (target) is the row
        added = sp.csr_array(
            (np.full(len(src), self.weight, dtype=np.float32), (dst, src)), shape=(n, n)
        )
        added.sum_duplicates()
        old = batch.org.weight(self.kind)
        keep = old - old.multiply(added.astype(bool))
        weights = dict(batch.org.weights)
        weights[self.kind] = sp.csr_array(keep + added, dtype=np.float32)
        batch.org = batch.org.with_weights(weights)
        batch.refresh()


@dataclass(frozen=True)
class RemoveTies(Event):
    """Remove the ties of ``kind`` that touch any of ``nodes`` (all of that kind if None)."""

    kind: str = "board"
    nodes: tuple[int, ...] | None = None

    def __post_init__(self) -> None:
        super().__post_init__()
        _tie_kind("RemoveTies", self.kind)
        if self.nodes is not None:
            object.__setattr__(self, "nodes", node_positions("RemoveTies", "nodes", self.nodes))

    def check(self, model: Model, org: CompiledOrg) -> None:
        """Raise ValueError if a position of ``nodes`` is not a node of ``org``."""
        check_in_range("RemoveTies", "nodes", self.nodes or (), org)

    def apply(self, batch: Batch) -> None:
        """Apply the event to ``batch`` at its step."""
        weights = dict(batch.org.weights)
        if self.kind not in weights:
            return
        if self.nodes is None:
            del weights[self.kind]
        else:
            keep = np.ones(batch.org.n_nodes, dtype=np.float32)
            keep[_positions(self.nodes)] = 0
            w = weights[self.kind]
            scale = sp.diags_array(keep)
            weights[self.kind] = sp.csr_array(scale @ w @ scale, dtype=np.float32)
        batch.org = batch.org.with_weights(weights)
        batch.refresh()


@dataclass(frozen=True)
class SetState(Event):
    """Put the people at ``nodes`` (positions) into ``state`` in every run."""

    nodes: tuple[int, ...] = ()
    state: str = ""

    def __post_init__(self) -> None:
        super().__post_init__()
        object.__setattr__(self, "nodes", node_positions("SetState", "nodes", self.nodes))
        if not self.state:
            raise ValueError("SetState: give the state to put the people in")

    def check(self, model: Model, org: CompiledOrg) -> None:
        """Raise ValueError for a state the model lacks or a position outside ``org``."""
        model.code(self.state)
        check_in_range("SetState", "nodes", self.nodes, org)

    def apply(self, batch: Batch) -> None:
        """Apply the event to ``batch`` at its step."""
        mask = np.zeros(batch.state.code.shape, dtype=bool)
        mask[:, _positions(self.nodes)] = True
        batch.model.set_state(batch.state, mask, self.state, batch.t)


@dataclass(frozen=True)
class Cohort(Event):
    """Enrol a cohort: fill ``seats`` by weighted sampling without replacement.

    People in ``include`` (positions) take seats first; the rest are drawn per run among the
    ``candidates`` (bool ``(nodes,)``; None: everyone) with the weights the model gives
    (:meth:`~diffusion.models.base.Model.nomination_weights`), using the random purpose
    ``"cohort:<name>"``. The chosen enter the model's ``cohort_state``.
    """

    name: str = "cohort"
    seats: int = 0
    candidates: np.ndarray | None = None
    include: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        super().__post_init__()
        if self.seats < 0:
            raise ValueError(f"cohort {self.name!r}: seats must be >= 0, got {self.seats}")
        where = f"cohort {self.name!r}"
        object.__setattr__(self, "include", node_positions(where, "include", self.include))
        if self.candidates is not None:
            mask = np.asarray(self.candidates)
            if mask.dtype != bool or mask.ndim != 1:
                raise ValueError(f"{where}: candidates must be a bool (nodes,) mask")

    def check(self, model: Model, org: CompiledOrg) -> None:
        """Raise ValueError if the model has no cohorts or a node is not of ``org``."""
        if not model.cohort_state:
            raise ValueError(f"model {model.name!r} has no cohorts (cohort {self.name!r})")
        check_in_range(f"cohort {self.name!r}", "include", self.include, org)
        if self.candidates is not None and len(self.candidates) != org.n_nodes:
            raise ValueError(
                f"cohort {self.name!r}: candidates has {len(self.candidates)} entries, but the "
                f"organisation has {org.n_nodes} nodes"
            )

    def choose(self, batch: Batch) -> np.ndarray:
        """Return the chosen people, bool ``(runs, nodes)``.

        A person in ``include`` who is already in the cohort state in a run (took the
        course earlier there) is not enrolled again in that run; the seat goes to the
        nominations instead.
        """
        code = batch.state.code
        n_runs, n_nodes = code.shape
        included = _positions(self.include)[: self.seats]
        chosen = np.zeros((n_runs, n_nodes), dtype=bool)
        enrolled = code[:, included] != batch.model.code(batch.model.cohort_state)
        chosen[:, included] = enrolled
        weights = batch.model.nomination_weights(batch.org, batch.prep, batch.state)
        if self.candidates is not None or included.size:
            weights = np.array(weights, dtype=np.float64, copy=True)  # the model's stays
            if self.candidates is not None:
                weights *= np.asarray(self.candidates, dtype=bool)[None, :]
            weights[:, included] = 0
        left = self.seats - enrolled.sum(axis=1)
        if left.max(initial=0) > 0:
            uniform = batch.rand.uniform(f"cohort:{self.name}", batch.t, n_nodes)
            chosen |= weighted_sample_without_replacement(uniform, weights, left)
        return chosen

    def apply(self, batch: Batch) -> None:
        """Apply the event to ``batch`` at its step."""
        if not batch.model.cohort_state:
            raise ValueError(f"model {batch.model.name!r} has no cohorts")
        chosen = self.choose(batch)
        batch.model.set_state(batch.state, chosen, batch.model.cohort_state, batch.t)


@dataclass(frozen=True, eq=False)
class PerRun(Event):
    """Different events for different runs of one simulation: ``events[which[i]]`` in run ``i``.

    ``which`` ``(runs,)`` gives, for each run of the simulation (by position, as
    :func:`diffusion.engine.simulate` numbers them from 0), the index of its event in
    ``events``, or -1 for none. Several choices (e.g. the advisor's candidate cohorts) then
    go through one simulation: with the same run ids for each choice's runs, run ``i`` is
    the run its event alone would have given (the draws depend on seed, run id, step and
    person only; ``tests/test_per_run_events.py``).

    The events must change only people's states (cohorts, :class:`SetState`, the model
    actions that change states); one that changes the model's parameters or the ties
    (:class:`SetParams`, :class:`AddTies`, ...) applies to every run of a batch and is
    refused when applied.
    """

    events: tuple[Event, ...] = ()
    which: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    def __post_init__(self) -> None:
        super().__post_init__()
        which = np.asarray(self.which)
        if which.ndim != 1 or (which.size and which.dtype.kind not in "iu"):
            raise ValueError("PerRun: which must be one event index (or -1) per run")
        which = which.astype(np.int64)
        if which.size and not -1 <= int(which.min()) <= int(which.max()) < len(self.events):
            raise ValueError(f"PerRun: which must lie in -1 .. {len(self.events) - 1}")
        stray = [e for e in self.events if e.step != self.step]
        if stray:
            raise ValueError(
                f"PerRun: its events apply at its step {self.step}, not {stray[0].step}"
            )
        object.__setattr__(self, "events", tuple(self.events))
        object.__setattr__(self, "which", which)

    def check(self, model: Model, org: CompiledOrg) -> None:
        """Check each of the events."""
        for event in self.events:
            event.check(model, org)

    def apply(self, batch: Batch) -> None:
        """Apply each event to the batch's runs that have it, the other runs untouched."""
        rows = batch.rand.rows
        if rows.size and int(rows.max()) >= self.which.size:
            raise ValueError(f"PerRun: which has {self.which.size} runs, the simulation has more")
        which = self.which[rows]
        for k, event in enumerate(self.events):
            sel = np.flatnonzero(which == k)
            if sel.size == 0:
                continue
            part = Batch(
                model=batch.model,
                org=batch.org,
                prep=batch.prep,
                state=batch.state.take(sel),
                rand=batch.rand.subset(sel),
                t=batch.t,
                refreshes=batch.refreshes,
            )
            event.apply(part)
            if part.model is not batch.model or part.org is not batch.org:
                raise ValueError(
                    f"PerRun: {type(event).__name__} changes the model or the ties, which "
                    "every run of a batch shares; give it to every run"
                )
            batch.state.code[sel] = part.state.code
            for name, value in part.state.extra.items():
                batch.state.extra[name][sel] = value

    def describe(self) -> dict[str, Any]:
        """Return the events and, per event, how many runs have it."""
        return {
            "event": "PerRun",
            "step": self.step,
            "events": [e.describe() for e in self.events],
            "runs": np.bincount(self.which[self.which >= 0], minlength=len(self.events)).tolist(),
        }


@dataclass(frozen=True)
class ModelAction(Event):
    """A model-specific event: the model's ``action`` with keyword arguments ``args``.

    The actions of a model and their arguments are listed in its :meth:`~Model.act`
    docstring; :meth:`check` refuses an unknown action, an unknown or missing argument, and a
    node selection (``nodes``, ``department``, ``team``, ``side``, ``role``) the organisation
    does not have.

    Examples
    --------
    >>> from diffusion.models.ideas import IdeasModel
    >>> from diffusion.graphs import complete
    >>> event = ModelAction(150, "top_change", {"secretary_support": 0.3})
    >>> event.check(IdeasModel(), complete(3))
    >>> ModelAction(150, "top_change", {"support": 0.3}).check(IdeasModel(), complete(3))
    Traceback (most recent call last):
    ...
    ValueError: model 'ideas', action 'top_change': unexpected argument 'support'; valid: ...
    """

    action: str = ""
    args: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__post_init__()
        if not isinstance(self.action, str) or not self.action:
            raise ValueError(f"ModelAction: give the action's name, got {self.action!r}")
        if not isinstance(self.args, Mapping) or not all(isinstance(k, str) for k in self.args):
            raise TypeError(f"ModelAction {self.action!r}: args must map names to values")

    def check(self, model: Model, org: CompiledOrg) -> None:
        """Raise ValueError if ``model`` cannot take this action with these arguments."""
        model.check_action(org, self.action, self.args)

    def apply(self, batch: Batch) -> None:
        """Apply the event to ``batch`` at its step."""
        batch.model.act(
            batch.org, batch.prep, batch.state, batch.t, batch.rand, self.action, **self.args
        )
