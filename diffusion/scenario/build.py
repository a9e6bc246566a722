"""Turn a validated scenario into a study.

A :class:`~diffusion.scenario.schema.Scenario` becomes a :class:`~diffusion.study.Study`:
organisation, model, calendar and engine events.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import os
from collections.abc import Mapping, Sequence
from typing import Any

import networkx as nx

from diffusion.calendar import Calendar
from diffusion.compile import CompiledOrg, compile_graph
from diffusion.models.base import Model
from diffusion.models.ideas import IdeasModel
from diffusion.models.registry import MODELS, default_params
from diffusion.org.etten_leur import etten_leur
from diffusion.org.generate import generate
from diffusion.org.graphio import read_graph
from diffusion.org.roster import read_roster
from diffusion.org.spec import load_spec
from diffusion.scenario.events import engine_events
from diffusion.scenario.schema import (
    DEFAULT_MODEL,
    CalendarSection,
    ModelSection,
    Organisation,
    Scenario,
)
from diffusion.study import Study

__all__ = [
    "DEFAULT_MODEL",
    "build_study",
    "calendar_of",
    "load_org",
    "make_model",
    "make_params",
    "model_classes",
    "param_fields",
    "report_dates",
]


# ------------------------------------------------------------------------------ organisation
def load_org(section: Organisation) -> CompiledOrg:
    """Return the compiled organisation of a scenario, cached per process.

    Scenarios share their organisation; a file is read again when it changes, or when a
    relative path names another file after a change of the current folder.

    Raises
    ------
    InputError
        From the spec, roster or graph reader, naming the file at fault.
    ValueError
        When the graph cannot be compiled.
    """
    return _load_org(section, _files_stamp(section))


def _files_stamp(section: Organisation) -> tuple[tuple[str, int, int], ...]:
    """``(absolute path, modification time, size)`` of each file the section names."""
    stamp = []
    for key in ("spec", "roster", "ties", "graph"):
        path = getattr(section, key)
        if path is not None:
            try:
                info = os.stat(path)
            except OSError:
                stamp.append((os.path.abspath(path), -1, -1))
            else:
                stamp.append((os.path.abspath(path), info.st_mtime_ns, info.st_size))
    return tuple(stamp)


@functools.lru_cache(maxsize=8)
def _load_org(section: Organisation, stamp: tuple[tuple[str, int, int], ...]) -> CompiledOrg:
    graph: nx.Graph
    if section.spec is not None:
        graph = generate(load_spec(section.spec), seed=section.seed)
    elif section.roster is not None:
        graph = read_roster(section.roster, section.ties)
    elif section.graph is not None:
        graph = read_graph(section.graph)
    else:
        graph = etten_leur(seed=section.seed)
    return compile_graph(graph)


# ------------------------------------------------------------------------------ model
def model_classes() -> dict[str, type[Model]]:
    """Models a scenario may name: the ideas model and the standard ones."""
    return {IdeasModel.name: IdeasModel, **MODELS}


def param_fields(cls: type[Model]) -> dict[str, dataclasses.Field]:
    """Return the fields of a model class's parameter dataclass, by name."""
    return {f.name: f for f in dataclasses.fields(default_params(cls))}


def make_params(cls: type[Model], params: Mapping[str, Any]) -> Any:
    """Return the model's parameter dataclass with ``params`` replacing defaults (arrays as tuples).

    Raises
    ------
    ValueError, TypeError
        From the dataclass, for a value it refuses.
    """
    return dataclasses.replace(default_params(cls), **{k: _frozen(v) for k, v in params.items()})


def _frozen(value: Any) -> Any:
    if isinstance(value, list | tuple):
        return tuple(_frozen(v) for v in value)
    return value


def make_model(section: ModelSection) -> Model:
    """Return the model a scenario names, with its parameters."""
    cls = model_classes()[section.name]
    return cls(params=make_params(cls, section.params))


# ------------------------------------------------------------------------------ calendar
def calendar_of(section: CalendarSection) -> Calendar:
    """Return the weekly calendar of a scenario."""
    if section.end is not None:
        return Calendar(section.start, section.end)
    assert section.years is not None  # the schema guarantees one of them
    return Calendar.years(section.start, section.years)


def report_dates(scenario: Scenario, calendar: Calendar) -> list[dt.date]:
    """Return the scenario's ``outputs.dates`` inside the calendar.

    By default a quarter, half and three quarters of the way, and the end.
    """
    dates = [d for d in scenario.outputs.dates if calendar.start <= d <= calendar.end]
    if dates:
        return sorted(dates)
    steps = [calendar.n_steps // 4, calendar.n_steps // 2, (3 * calendar.n_steps) // 4]
    return sorted({*(calendar.date_of(s) for s in steps), calendar.date_of(calendar.n_steps)})


# ------------------------------------------------------------------------------ study
def build_study(scenario: Scenario, *, groupings: Sequence[str] | None = None) -> Study:
    """Return the study a validated scenario describes.

    Parameters
    ----------
    scenario : Scenario
        Validated, with the cross-table checks passed (:func:`~diffusion.scenario.load_scenario`).
    groupings : sequence of str, optional
        Groupings to count people by; default: the scenario's ``outputs.groupings``.
    """
    org = load_org(scenario.organisation)
    calendar = calendar_of(scenario.calendar)
    return Study(
        name=scenario.name,
        org=org,
        model=make_model(scenario.model),
        calendar=calendar,
        events=tuple(engine_events(scenario, org, calendar)),
        groupings=tuple(groupings if groupings is not None else scenario.outputs.groupings),
        notes={"description": scenario.description} if scenario.description else {},
    )
