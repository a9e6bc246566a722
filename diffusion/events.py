"""Scheduled changes applied at the start of a step: the mechanism behind every what-if.

An event is a frozen dataclass with a ``step`` and an ``apply(batch)`` method that changes the
:class:`Batch` in place: the model's parameters, the organisation's ties, the state of chosen
people, or a cohort enrolled. Scenario files (:mod:`diffusion.scenario`) give these user-facing
names such as ``new_secretary`` or ``buddies``.

Events at step ``t`` are applied in the order given, before the state at ``t`` is recorded
and before the model moves from ``t`` to ``t + 1``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import scipy.sparse as sp

from diffusion.compile import CompiledOrg
from diffusion.models.base import Model, State
from diffusion.rng import RunRandom, weighted_sample_without_replacement


@dataclass
class Batch:
    """Everything an event may change for one batch of runs (the engine owns it)."""

    model: Model
    org: CompiledOrg
    prep: Any
    state: State
    rand: RunRandom
    t: int = 0

    def refresh(self) -> None:
        """Recompute the model's derived arrays after a change of parameters or ties."""
        self.prep = self.model.prepare(self.org)


@dataclass(frozen=True)
class Event:
    """Base of all events: ``step`` is the week (from the start) at which it applies."""

    step: int

    def __post_init__(self) -> None:
        if self.step < 0:
            raise ValueError(f"event step must be >= 0, got {self.step}")

    def apply(self, batch: Batch) -> None:
        raise NotImplementedError

    @property
    def can_revive(self) -> bool:
        """Whether the event may restart a run that has finished (so runs are kept)."""
        return True

    def describe(self) -> dict[str, Any]:
        """A JSON-friendly description for provenance."""
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
        batch.model = batch.model.with_params(**self.changes)
        batch.refresh()


def _positions(nodes: Sequence[int] | np.ndarray) -> np.ndarray:
    return np.asarray(nodes, dtype=np.int64).reshape(-1)


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

    def apply(self, batch: Batch) -> None:
        src, dst = _positions(self.sources), _positions(self.targets)
        if src.shape != dst.shape:
            raise ValueError("AddTies: sources and targets must have the same length")
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

    def apply(self, batch: Batch) -> None:
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

    def apply(self, batch: Batch) -> None:
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

    def choose(self, batch: Batch) -> np.ndarray:
        """The chosen people, bool ``(runs, nodes)``.

        A person in ``include`` who is already in the cohort state in a run (took the
        course earlier there) is not enrolled again in that run; the seat goes to the
        nominations instead.
        """
        code = batch.state.code
        n_runs, n_nodes = code.shape
        included = _positions(self.include)[: self.seats]
        chosen = np.zeros((n_runs, n_nodes), dtype=bool)
        chosen[:, included] = code[:, included] != batch.model.code(batch.model.cohort_state)
        weights = batch.model.nomination_weights(batch.org, batch.prep, batch.state)
        weights = np.array(weights, dtype=np.float64, copy=True)
        if self.candidates is not None:
            weights *= np.asarray(self.candidates, dtype=bool)[None, :]
        weights[:, included] = 0
        left = self.seats - chosen.sum(axis=1)
        if left.max(initial=0) > 0:
            uniform = batch.rand.uniform(f"cohort:{self.name}", batch.t, n_nodes)
            chosen |= weighted_sample_without_replacement(uniform, weights, left)
        return chosen

    def apply(self, batch: Batch) -> None:
        if not batch.model.cohort_state:
            raise ValueError(f"model {batch.model.name!r} has no cohorts")
        chosen = self.choose(batch)
        batch.model.set_state(batch.state, chosen, batch.model.cohort_state, batch.t)


@dataclass(frozen=True)
class ModelAction(Event):
    """A model-specific event, e.g. ``ModelAction(150, "top_change", {"support": 0.3})``."""

    action: str = ""
    args: Mapping[str, Any] = field(default_factory=dict)

    def apply(self, batch: Batch) -> None:
        batch.model.act(
            batch.org, batch.prep, batch.state, batch.t, batch.rand, self.action, **self.args
        )
