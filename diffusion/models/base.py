"""What the engine expects of a model.

A model is a frozen dataclass holding its parameters (a frozen dataclass too). The engine
calls, for a batch of runs:

1. ``prep = model.prepare(org)`` once, and again after any event that changes the model's
   parameters or the organisation's ties. ``prep`` holds whatever the model derives from
   the pair (normalised weight matrices, per-node rates); the engine never looks inside.
2. ``state = model.init(org, prep, rand)`` for the state at step 0.
3. ``model.step(org, prep, state, t, rand)`` for t = 0, 1, ..., moving the state from step
   ``t`` to ``t + 1`` in place. Updates are synchronous: every transition of a step is
   computed from the state at the start of the step, then all are applied. A model whose
   class sets ``reports_moves = True`` returns the step's changes as a list of
   :class:`Moves`, so that the engine follows the counts from them; otherwise the step
   returns None and the engine compares the state with a copy.

Random numbers come only from ``rand`` (:class:`diffusion.rng.RunRandom`), one named purpose
per kind of decision (``rand.uniform("recover", t, n_nodes)``), so that runs are reproducible
whatever the batching and a what-if shares its draws with the baseline.

State codes are small integers indexing ``model.state_names``; ``state.code`` has shape
``(runs, nodes)`` and dtype int8.
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields, is_dataclass, replace
from typing import Any, ClassVar

import numpy as np

from diffusion.compile import CompiledOrg
from diffusion.rng import RunRandom


@dataclass
class State:
    """The state of a batch of runs.

    Attributes
    ----------
    code : int8 array ``(runs, nodes)``
        Index into the model's ``state_names`` for every person in every run.
    extra : dict of str to array
        Model-specific arrays whose first axis is the run, e.g. ``(runs, nodes)`` thresholds
        or ``(runs,)`` organisation-level support. The engine subsets them together with
        ``code`` when it drops finished runs.
    """

    code: np.ndarray
    extra: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def n_runs(self) -> int:
        """Number of runs of the batch."""
        return int(self.code.shape[0])

    def take(self, rows: np.ndarray) -> State:
        """Return the state of a subset of the runs (``rows`` index the batch)."""
        return State(self.code[rows], {k: v[rows] for k, v in self.extra.items()})


@dataclass(frozen=True)
class Moves:
    """People who moved from one state to another in a step.

    Attributes
    ----------
    cells : int64 array ``(k,)``
        Flat indices into the batch's ``(runs, nodes)`` state, each at most once per step.
    old, new : int, or int array ``(k,)``
        The state code before and after: one for every cell, or each cell's own.
    """

    cells: np.ndarray
    old: int | np.ndarray
    new: int | np.ndarray


@dataclass(frozen=True)
class Model:
    """Base class of every model; subclasses set the class variables and the three methods.

    Class variables
    ---------------
    name : str
        Short name used in provenance and on the command line (``"sir"``).
    state_names : tuple of str
        Names of the state codes, in code order.
    adopted_states : tuple of str
        States that count as having adopted (infected, activated, trained...): the engine
        records the first step at which each person entered one of them.
    cohort_state : str
        State that people enrolled in a cohort enter (empty: the model has no cohorts).
    actions : tuple of str
        The action names :meth:`act` accepts (``ModelAction`` events); empty: none. Scenario
        code checks an event's required action against this list. A subclass implements
        action ``x`` as the method ``_x(org, state, t, rand, **args)``, whose signature
        :meth:`check_action` checks an event's arguments against; a method that takes
        ``**where`` accepts a node selection (:data:`SELECTORS`, :func:`check_selection`).
    reports_moves : bool
        :meth:`step` returns its changes as a list of :class:`Moves` (all of them).
    per_run_params : tuple of str
        The parameters that may vary by run: given as a numpy array ``(runs,)`` (one value
        per run of the simulation), read with :func:`per_run`; many parameter sets then run
        as one batch (:func:`stack_models`).
    finished_check_every : int
        How often (in steps) the engine asks :meth:`is_finished`: 1 where it is cheap.
    batch_cells : int or None
        Person-cells (runs x nodes) of a batch when the caller gives no batch size; None:
        the engine's default (:data:`diffusion.engine.DEFAULT_BATCH_CELLS`). A model whose
        step makes many numpy calls whatever the batch amortises them over larger batches.
    step_modules : tuple of str
        Modules the step imports when it first runs that are slow to load (such as
        :mod:`diffusion.jit`, numba's compiled loops): loaded before worker processes are
        forked, so that they inherit them instead of each loading them.
    """

    name: ClassVar[str] = "model"
    state_names: ClassVar[tuple[str, ...]] = ()
    adopted_states: ClassVar[tuple[str, ...]] = ()
    cohort_state: ClassVar[str] = ""
    actions: ClassVar[tuple[str, ...]] = ()
    reports_moves: ClassVar[bool] = False
    per_run_params: ClassVar[tuple[str, ...]] = ()
    finished_check_every: ClassVar[int] = 8
    batch_cells: ClassVar[int | None] = None
    step_modules: ClassVar[tuple[str, ...]] = ()

    params: Any = None

    def prepare(self, org: CompiledOrg) -> Any:
        """Arrays derived from the organisation and the parameters (default: none)."""
        return None

    def init(self, org: CompiledOrg, prep: Any, rand: RunRandom) -> State:
        """Return the state at step 0 for ``rand.n_runs`` runs."""
        raise NotImplementedError

    def step(
        self, org: CompiledOrg, prep: Any, state: State, t: int, rand: RunRandom
    ) -> list[Moves] | None:
        """Advance ``state`` from step ``t`` to ``t + 1`` in place.

        The moves if :attr:`reports_moves`.
        """
        raise NotImplementedError

    def set_state(self, state: State, mask: np.ndarray, name: str, t: int) -> None:
        """Put the people in ``mask`` ``(runs, nodes)`` into state ``name`` at step ``t``.

        Events use this (seeding, enrolling a cohort). Models whose states carry more than a
        code (a time of training, a counter) override it to keep those arrays consistent.
        """
        state.code[mask] = self.code(name)

    def is_finished(self, state: State) -> np.ndarray | None:
        """Return a bool ``(runs,)`` mask of runs that can no longer change (optional).

        The engine drops finished runs from the step loop and keeps their last state; return
        None (the default) when runs never finish early.
        """
        return None

    def nomination_weights(self, org: CompiledOrg, prep: Any, state: State) -> np.ndarray:
        """Weights ``(runs, nodes)`` for filling cohort seats.

        Default: every staff member not yet in an adopted state, equally.
        """
        adopted = np.isin(state.code, [self.code(s) for s in self.adopted_states])
        return (org.is_staff[None, :] & ~adopted).astype(np.float64)

    def act(
        self,
        org: CompiledOrg,
        prep: Any,
        state: State,
        t: int,
        rand: RunRandom,
        action: str,
        **args: Any,
    ) -> None:
        """Apply a model-specific event (``ModelAction``) to ``state`` at step ``t``.

        A subclass accepts the names in :attr:`actions` (the base accepts none).
        """
        raise ValueError(f"model {self.name!r} has no action {action!r}")

    def check_action(self, org: CompiledOrg, action: str, args: Mapping[str, Any]) -> None:
        """Raise ValueError unless :meth:`act` can take ``action`` with ``args`` on ``org``.

        Checks the name against :attr:`actions`, the arguments against the signature of the
        method ``_<action>`` (unknown or missing ones) and a node selection against ``org``.
        Values inside their range are the action's own business when it applies.
        """
        if action not in self.actions:
            valid = ", ".join(self.actions) or "none"
            raise ValueError(f"model {self.name!r} has no action {action!r}; valid: {valid}")
        handler = getattr(self, f"_{action}", None)
        if handler is None:
            return
        where = f"model {self.name!r}, action {action!r}"
        parameters = list(inspect.signature(handler).parameters.values())[4:]
        named = {p.name for p in parameters if p.kind is not p.VAR_KEYWORD}
        takes_selection = any(p.kind is p.VAR_KEYWORD for p in parameters)
        for p in parameters:
            if p.kind is not p.VAR_KEYWORD and p.default is p.empty and p.name not in args:
                raise ValueError(f"{where}: missing argument {p.name!r}")
        extra = {k: v for k, v in args.items() if k not in named}
        for key in extra:
            if not takes_selection or key not in SELECTORS:
                valid = ", ".join([*sorted(named), *(SELECTORS if takes_selection else ())])
                raise ValueError(f"{where}: unexpected argument {key!r}; valid: {valid}")
        if extra:
            check_selection(org, extra, where)

    @classmethod
    def code(cls, name: str) -> int:
        """Return the integer code of state ``name``."""
        try:
            return cls.state_names.index(name)
        except ValueError:
            raise ValueError(
                f"model {cls.name!r} has no state {name!r}; states: {', '.join(cls.state_names)}"
            ) from None

    def with_params(self, **changes: Any) -> Model:
        """Return a copy with some parameters changed (validated by the parameter dataclass)."""
        return replace(self, params=replace(self.params, **changes))


def per_run(value: Any, rand: RunRandom) -> Any:
    """Return a parameter's value for each run of a batch.

    A scalar as it is; a per-run array ``(simulation runs,)`` at the batch's positions
    ``rand.rows``, ``(runs,)``.
    """
    if isinstance(value, np.ndarray):
        return value[rand.rows]
    return value


def varying_params(model: Model) -> dict[str, np.ndarray]:
    """Return the parameters of ``model`` given per run (numpy arrays), by name."""
    params = model.params
    if params is None or not is_dataclass(params):
        return {}
    values = {f.name: getattr(params, f.name) for f in fields(params)}
    return {k: v for k, v in values.items() if isinstance(v, np.ndarray)}


def check_per_run(model: Model, n_runs: int) -> None:
    """Check that every per-run parameter of ``model`` may vary and has a value per run.

    Raise ValueError unless each is one the model takes per run
    (:attr:`Model.per_run_params`) and has one value per run.
    """
    for name, value in varying_params(model).items():
        if name not in model.per_run_params:
            takes = ", ".join(model.per_run_params) or "none"
            raise ValueError(
                f"model {model.name!r} takes {name!r} as one value, not per run (per run: {takes})"
            )
        if value.shape != (n_runs,):
            raise ValueError(
                f"{name} per run has shape {value.shape}, but the simulation has {n_runs} runs"
            )


def stack_models(models: Sequence[Model], runs: int) -> Model:
    """One model for ``len(models) * runs`` runs.

    Runs ``k * runs .. (k + 1) * runs - 1`` have the parameters of ``models[k]``.

    The parameters that differ become per-run arrays (so they must be among the model's
    :attr:`Model.per_run_params`); the others stay as they are. Simulated with the run ids
    of each parameter set, the runs are those of each model simulated alone.

    Raises
    ------
    ValueError
        Models of different classes, or a differing parameter the model cannot take per run.
    """
    first = models[0]
    if any(type(m) is not type(first) for m in models):
        raise ValueError("the models to stack must be of one class")
    changes: dict[str, np.ndarray] = {}
    for f in fields(first.params):
        values = [getattr(m.params, f.name) for m in models]
        if all(_same(v, values[0]) for v in values[1:]):
            continue
        if f.name not in first.per_run_params:
            raise ValueError(
                f"model {first.name!r} cannot vary {f.name!r} by run; "
                f"per run: {', '.join(first.per_run_params) or 'none'}"
            )
        changes[f.name] = np.repeat(np.asarray(values), runs)
    return first.with_params(**changes) if changes else first


def _same(a: Any, b: Any) -> bool:
    """Equal parameter values (arrays compared element by element)."""
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return bool(np.array_equal(a, b))
    return bool(a == b)


#: the keys of a node selection: positions, ids or a mask, and group labels (all must hold)
SELECTORS: tuple[str, ...] = ("nodes", "department", "team", "side", "role")


def check_selection(org: CompiledOrg, selection: Mapping[str, Any], where: str = "") -> None:
    """Raise ValueError unless ``selection`` names nodes and labels of ``org``.

    Parameters
    ----------
    org : CompiledOrg
    selection : mapping
        ``nodes`` (positions, node ids or a bool ``(nodes,)`` mask) and ``department``,
        ``team``, ``side``, ``role`` (a label or a list of labels).
    where : str
        What the selection belongs to, to start the message with.

    Examples
    --------
    >>> from diffusion.graphs import complete
    >>> check_selection(complete(3), {"nodes": [0, 2]})
    >>> check_selection(complete(3), {"nodes": [3]}, "taster")
    Traceback (most recent call last):
    ...
    ValueError: taster: nodes has position 3, but the organisation has 3 nodes
    """
    prefix = f"{where}: " if where else ""
    for key, value in selection.items():
        if key not in SELECTORS:
            raise ValueError(f"{prefix}unknown selector {key!r}; valid: {', '.join(SELECTORS)}")
        if key == "nodes":
            _check_nodes(org, value, prefix)
            continue
        labels = (value,) if isinstance(value, str) else tuple(value)
        known = org.group_labels.get(key, ())
        bad = [label for label in labels if label not in known]
        if bad:
            raise ValueError(
                f"{prefix}unknown {key} {bad[0]!r}; known: {', '.join(map(str, known))}"
            )


def select_nodes(org: CompiledOrg, selection: Mapping[str, Any], where: str = "") -> np.ndarray:
    """Return the staff matching every selector of ``selection`` (all staff if it is empty).

    Checked first with :func:`check_selection` (same messages).

    Returns
    -------
    bool array ``(nodes,)``

    Examples
    --------
    >>> from diffusion.graphs import complete
    >>> select_nodes(complete(3), {"nodes": [0, 2]}).tolist()
    [True, False, True]
    """
    check_selection(org, selection, where)
    chosen = org.is_staff.astype(bool).copy()
    for key, value in selection.items():
        if key == "nodes":
            arr = np.asarray(value)
            if arr.dtype != bool:
                if arr.dtype.kind in "USO":
                    arr = np.array([org.index[v] for v in arr.reshape(-1)], dtype=np.int64)
                mask = np.zeros(org.n_nodes, dtype=bool)
                mask[arr.astype(np.int64).reshape(-1)] = True
                arr = mask
            chosen &= arr
            continue
        labels = (value,) if isinstance(value, str) else tuple(value)
        known = org.group_labels[key]
        chosen &= np.isin(org.groups[key], [known.index(label) for label in labels])
    return chosen


def _check_nodes(org: CompiledOrg, nodes: Any, prefix: str) -> None:
    arr = np.asarray(nodes)
    if arr.dtype == bool:
        if arr.shape != (org.n_nodes,):
            raise ValueError(
                f"{prefix}a node mask must have shape ({org.n_nodes},), got {arr.shape}"
            )
    elif arr.dtype.kind in "USO":
        missing = [v for v in arr.reshape(-1) if v not in org.index]
        if missing:
            raise ValueError(f"{prefix}unknown node id {str(missing[0])!r}")
    elif arr.dtype.kind in "iu":
        if arr.size and (arr.min() < 0 or arr.max() >= org.n_nodes):
            bad = int(arr.max()) if arr.max() >= org.n_nodes else int(arr.min())
            raise ValueError(
                f"{prefix}nodes has position {bad}, but the organisation has {org.n_nodes} nodes"
            )
    elif arr.size:
        raise ValueError(f"{prefix}nodes must be positions, node ids or a bool mask")
