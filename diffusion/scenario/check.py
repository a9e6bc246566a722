"""Checks across tables.

dates inside the calendar, the model and its parameters, names of teams, departments and people in
the organisation, events the model can carry out.

Each part (calendar, model, organisation, every cohort and event) is validated on its own
first, so a malformed part does not hide the problems of the others.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from diffusion.calendar import Calendar
from diffusion.compile import CompiledOrg
from diffusion.errors import InputError
from diffusion.scenario import schema as s
from diffusion.scenario.build import calendar_of, load_org, make_params, model_classes, param_fields
from diffusion.scenario.events import REQUIRED_ACTION
from diffusion.scenario.overrides import set_by_override
from diffusion.scenario.problems import Origins, Problem, dotted, file_of, suggest

#: fields of events and cohorts that name something in the organisation -> its grouping
#: (``"id"``: node ids)
NAME_FIELDS: dict[str, str] = {
    "department": "department",
    "team": "team",
    "teams": "team",
    "merge": "team",
    "split": "team",
    "ids": "id",
    "alderman": "id",
    "side": "side",
}

Report = Callable[..., None]


def check_parts(data: dict[str, Any], origins: Origins, file: str) -> list[Problem]:
    """Every cross-table problem of the well-formed parts of ``data``."""
    problems: list[Problem] = []

    def report(parts: tuple[str | int, ...], message: str, value: Any = None, show=True) -> None:
        problems.append(Problem(file_of(parts, origins, file), dotted(parts), message, value, show))

    calendar_part = _valid(s.CalendarSection, data.get("calendar"))
    calendar = None
    if calendar_part is not None:
        calendar = calendar_of(calendar_part)
        last_date = calendar.end
        if _shortened(origins):
            # the end was set on the command line: later events are left out, not refused
            calendar = Calendar(calendar.start, dt.date.max)
    model_cls = _check_model(_valid(s.ModelSection, data.get("model", {})), report)
    org = _check_org(_valid(s.Organisation, data.get("organisation", {})), report)

    names: dict[str, tuple[str | int, ...]] = {}
    for parts, item in _items(data):
        if calendar is not None and item.date is not None:
            _check_date(calendar, parts, item.date, report)
        if org is not None:
            _check_names(org, parts, item, report)
        if model_cls is not None:
            _check_action(model_cls, parts, item, report)
        if isinstance(item, s.Cohort):
            if org is not None and item.n_seats > org.n_nodes:
                message = f"more seats than people in the organisation ({org.n_nodes})"
                report((*parts, "seats"), message, item.n_seats)
            if item.name in names:
                report(
                    (*parts, "name"),
                    f"a second cohort of this name ({dotted(names[item.name])})",
                    item.name,
                )
            names[item.name] = parts
            if model_cls is not None and not model_cls.cohort_state:
                report(parts, f"model {model_cls.name!r} has no cohorts", item.name)

    cadence = _valid(s.Cadence, data.get("cadence"))
    if cadence is not None and org is not None and cadence.seats > org.n_nodes:
        message = f"more seats than people in the organisation ({org.n_nodes})"
        report(("cadence", "seats"), message, cadence.seats)
    if cadence is not None and calendar is not None:
        _check_date(calendar, ("cadence",), cadence.start, report, "start")
        if cadence.end is not None:
            _check_date(calendar, ("cadence",), cadence.end, report, "end")
        # dates past a calendar shortened on the command line are left out, not refused
        planned = set(cadence.all_dates(max([last_date, *cadence.skip])))
        for k, date in enumerate(cadence.skip):
            if date not in planned:
                near = min(planned, key=lambda d: abs((d - date).days), default=None)
                hint = f"; the nearest cadence date is {near}" if near else ""
                report(("cadence", "skip", k), f"no cadence cohort on this date{hint}", date)
    outputs = _valid(s.Outputs, data.get("outputs", {}))
    if outputs is not None and calendar is not None:
        for k, date in enumerate(outputs.dates):
            _check_date(calendar, ("outputs", "dates", k), date, report, None)
    return problems


def _shortened(origins: Origins) -> bool:
    """Whether the calendar's end (or length) was set by ``--set`` (or --until, --years)."""
    return any(set_by_override(origins.get(("calendar", key))) for key in ("end", "years"))


def _valid(model: type[BaseModel], value: Any) -> Any:
    """``value`` validated as ``model``, or None when it is not well formed."""
    try:
        return model.model_validate(value)
    except ValidationError:
        return None


_EVENT = TypeAdapter(s.EventSpec)


def _items(data: dict[str, Any]) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    """Return the cohorts and events, each with its path.

    validated, or for a malformed one the parts that are well formed on their own (its date, the
    names it gives).
    """
    for key, check in (("cohorts", s.Cohort.model_validate), ("events", _EVENT.validate_python)):
        items = data.get(key)
        if not isinstance(items, list):
            continue
        for i, item in enumerate(items):
            try:
                yield (key, i), check(item)
            except ValidationError:
                if isinstance(item, dict):
                    yield (key, i), _Partial(item)


class _Partial:
    """The well-formed date and names of a malformed cohort or event (others are None)."""

    def __init__(self, item: dict[str, Any]) -> None:
        date = item.get("date")
        self.date = (
            date if isinstance(date, dt.date) and not isinstance(date, dt.datetime) else None
        )
        for key in NAME_FIELDS:
            value = item.get(key)
            ok = isinstance(value, str) or (
                isinstance(value, list) and all(isinstance(v, str) for v in value)
            )
            setattr(self, key, (value if isinstance(value, str) else tuple(value)) if ok else None)


# ------------------------------------------------------------------------------ calendar
def _check_date(
    calendar: Calendar,
    parts: tuple[str | int, ...],
    date: dt.date,
    report: Report,
    key: str | None = "date",
) -> None:
    if not calendar.start <= date <= calendar.end:
        where = (*parts, key) if key else parts
        report(where, f"outside the calendar ({calendar.start} to {calendar.end})", date)


# ------------------------------------------------------------------------------ model
def _check_model(section: s.ModelSection | None, report: Report) -> Any:
    """Check the model name and parameters; returns the model class, or None."""
    if section is None:
        return None
    classes = model_classes()
    cls = classes.get(section.name)
    if cls is None:
        report(
            ("model", "name"),
            "unknown model" + suggest(section.name, sorted(classes)),
            section.name,
        )
        return None
    fields = param_fields(cls)
    good = {}
    for key, value in section.params.items():
        where = ("model", "params", key)
        if key not in fields:
            message = f"model {cls.name!r} has no such parameter" + suggest(key, fields)
            report(where, message, key, False)
        elif not _type_ok(fields[key], value):
            report(where, f"should be {_type_name(fields[key])}", value)
        elif not _finite(value):
            report(where, "must be a finite number (not nan or inf)", value)
        else:
            good[key] = value
    # each value alone first, for one line per bad value; then all together (a dataclass
    # may check some together)
    bad = False
    for key, value in good.items():
        try:
            make_params(cls, {key: value})
        except (TypeError, ValueError) as exc:
            report(("model", "params", key), str(exc), None, False)
            bad = True
    if good and not bad:
        try:
            make_params(cls, good)
        except (TypeError, ValueError) as exc:
            report(("model", "params"), str(exc), None, False)
    return cls


def _finite(value: Any) -> bool:
    """Whether a TOML value holds no nan or inf (in arrays too)."""
    if isinstance(value, float):
        return math.isfinite(value)
    if isinstance(value, list):
        return all(_finite(v) for v in value)
    return True


def _names_in(annotation: Any) -> set[str]:
    return set(re.findall(r"[A-Za-z_]+", str(annotation)))


def _type_ok(field: dataclasses.Field, value: Any) -> bool:
    """Whether a TOML value fits a parameter's annotation (bool, int, float, str, tuple)."""
    names = _names_in(field.type)
    known = {"bool", "int", "float", "str", "tuple", "None", "Sequence"}
    if not names <= known | {"Any", "Optional", "Union"} or "Any" in names:
        return True  # an annotation this check cannot read: the dataclass decides
    if isinstance(value, bool):
        return "bool" in names
    if isinstance(value, int):
        return bool(names & {"int", "float"})
    if isinstance(value, float):
        return "float" in names
    if isinstance(value, str):
        return "str" in names
    if isinstance(value, list):
        return bool(names & {"tuple", "Sequence"})
    return False


def _type_name(field: dataclasses.Field) -> str:
    return str(field.type).replace("tuple[", "an array of ").replace(", ...]", "s")


def _check_action(cls: Any, parts: tuple[str | int, ...], item: Any, report: Report) -> None:
    action = REQUIRED_ACTION.get(getattr(item, "kind", ""))
    if action is not None and action not in cls.actions:
        report(
            (*parts, "kind"),
            f"model {cls.name!r} cannot carry out this event (it has no {action!r} action)",
            item.kind,
        )


# ------------------------------------------------------------------------------ organisation
def _check_org(section: s.Organisation | None, report: Report) -> CompiledOrg | None:
    """Build the organisation; report a missing or broken source; returns it or None."""
    if section is None:
        return None
    source = section.source
    for key in ("spec", "roster", "ties", "graph"):
        path = getattr(section, key)
        if path is not None and not Path(path).is_file():
            report(("organisation", key), "no such file", path)
            return None
    try:
        return load_org(section)
    except InputError as exc:
        for line in exc.lines:
            report(("organisation", source), f"cannot build the organisation: {line}", None, False)
        return None
    except ValueError as exc:
        report(("organisation", source), f"cannot build the organisation: {exc}", None, False)
        return None


def _check_names(org: CompiledOrg, parts: tuple[str | int, ...], item: Any, report: Report) -> None:
    for key, grouping in NAME_FIELDS.items():
        value = getattr(item, key, None)
        if value is None:
            continue
        values = (value,) if isinstance(value, str) else value
        for k, name in enumerate(values):
            where = (*parts, key) if isinstance(value, str) else (*parts, key, k)
            _check_name(org, grouping, name, where, report)
    quotas = getattr(item, "quotas", None)
    if quotas:
        for grouping, seats in quotas.items():
            for label in seats:
                _check_name(org, grouping, label, (*parts, "quotas", grouping, label), report)


def _check_name(
    org: CompiledOrg, grouping: str, name: str, where: tuple[str | int, ...], report: Report
) -> None:
    if grouping == "id":
        if name not in org.index:
            report(
                where, "no person of that id in the organisation" + suggest(name, org.index), name
            )
        return
    labels = [label for label in org.group_labels.get(grouping, ()) if label]
    if name in labels:
        return
    if grouping == "side":
        sides = ", ".join(label for label in labels if label != "none")
        message = (
            f"no one in the organisation is on this side (sides there: {sides}; a roster "
            "without a side column puts all staff on the soft side)"
        )
        report(where, message, name)
        return
    report(where, f"no {grouping} of that name" + suggest(name, labels), name)
