"""What a what-if scenario changes compared with its base, and the question it asks.

Reads the resolved scenarios (after ``extends`` and ``--set``): the events and cohorts the
what-if adds or drops, and the model parameters it changes. The report marks these on its
plots and chooses its dates after the earliest of them.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from diffusion.scenario.schema import Scenario

#: the comment line that starts a scenario file's question
_QUESTION = re.compile(r"^#\s*question\s*:\s*(.*)$", re.IGNORECASE)


@dataclass(frozen=True)
class Change:
    """One difference of a what-if from its base: when and what, in words."""

    date: dt.date
    text: str
    short: str = ""

    @property
    def label(self) -> str:
        """A few words for a plot marker (the short form, else the text)."""
        return self.short or self.text


def question_of(scenario: Scenario, file: str | Path | None = None) -> str:
    """Return the question a scenario asks.

    Its ``question`` field, else the ``# Question:`` comment at the top of its file (up to the next
    line that starts another heading, like ``# Expected:``), else its description; "" when it has
    none.
    """
    own = getattr(scenario, "question", "")
    if own:
        return str(own)
    if file is not None and Path(file).is_file():
        lines = Path(file).read_text(encoding="utf-8-sig").splitlines()
        found: list[str] = []
        for line in lines:
            if not line.startswith("#"):
                break
            match = _QUESTION.match(line)
            if match:
                found = [match.group(1).strip()]
            elif found:
                text = line.lstrip("#").strip()
                if not text or re.match(r"^[A-Z][a-z]+:", text):
                    break
                found.append(text)
        if found:
            return " ".join(found)
    return scenario.description


def changes(base: Scenario, what_if: Scenario, end: dt.date) -> list[Change]:
    """Return the what-if's changes from the base, by date.

    Events and cohorts added or dropped, and model parameters changed (dated at the calendar's
    start).
    """
    out: list[Change] = []
    base_events = [_plain(e) for e in base.events]
    other_events = [_plain(e) for e in what_if.events]
    added = [e for e in what_if.events if _plain(e) not in base_events]
    dropped = [e for e in base.events if _plain(e) not in other_events]
    for event in added:
        twin = next((e for e in dropped if (e.kind, e.date) == (event.kind, event.date)), None)
        if twin is not None:
            dropped.remove(twin)
            out.append(Change(event.date, _changed_words(twin, event), _kind(event)))
        else:
            out.append(Change(event.date, _event_words(event), _kind(event)))
    out += [Change(e.date, f"no {_event_words(e)}", f"no {_kind(e)}") for e in dropped]
    base_cohorts = [_plain(c) for _, c in base.all_cohorts(end)]
    other_cohorts = [_plain(c) for _, c in what_if.all_cohorts(end)]
    gone = [c for _, c in base.all_cohorts(end) if _plain(c) not in other_cohorts]
    for _, cohort in what_if.all_cohorts(end):
        if _plain(cohort) in base_cohorts:
            continue
        twin = next((c for c in gone if (c.name, c.date) == (cohort.name, cohort.date)), None)
        words = _cohort_words(cohort)
        if twin is not None:  # the same cohort with other seats
            gone.remove(twin)
            words += f" instead of {_cohort_words(twin).split(': ', 1)[-1]}"
        out.append(Change(cohort.date, words, f"cohort {cohort.name}"))
    out += [Change(c.date, f"no cohort {c.name}", f"no {c.name}") for c in gone]
    base_params = dict(base.model.params)
    other_params = dict(what_if.model.params)
    changed = sorted(
        k for k in {*base_params, *other_params} if base_params.get(k) != other_params.get(k)
    )
    if changed or base.model.name != what_if.model.name:
        text = ", ".join(f"{k} = {other_params.get(k)}" for k in changed) or what_if.model.name
        out.append(Change(what_if.calendar.start, f"model: {text}", "model changed"))
    return sorted(out, key=lambda c: c.date)


def _kind(event: Any) -> str:
    return str(event.kind).replace("_", " ")


def _plain(item: Any) -> dict[str, Any]:
    return item.model_dump(mode="json")


def _event_words(event: Any) -> str:
    fields = _plain(event)
    kind = str(fields.pop("kind")).replace("_", " ")
    fields.pop("date", None)
    detail = ", ".join(f"{k} {v}" for k, v in fields.items() if v not in (None, "", [], {}))
    return f"{kind} ({detail})" if detail else kind


def _changed_words(old: Any, new: Any) -> str:
    """Return an event of the same kind and date with other fields.

    "new secretary: support 0.9 instead of 0.5".
    """
    before, after = _plain(old), _plain(new)
    kind = str(after["kind"]).replace("_", " ")
    diffs = [
        f"{k} {after.get(k)} instead of {before.get(k)}"
        for k in sorted({*before, *after})
        if before.get(k) != after.get(k)
    ]
    return f"{kind}: {', '.join(diffs)}"


def _cohort_words(cohort: Any) -> str:
    if cohort.quotas:
        ((_grouping, seats),) = cohort.quotas.items()
        who = ", ".join(f"{n} from {g}" for g, n in seats.items())
        return f"cohort {cohort.name}: {who}"
    if cohort.ids:
        return f"cohort {cohort.name}: {', '.join(cohort.ids)}"
    seats = "" if cohort.seats is None else f"{cohort.seats} seats "
    return f"cohort {cohort.name}: {seats}by nomination"


def default_dates(
    candidates: list[dt.date], earliest_change: dt.date | None, end: dt.date, least: int = 3
) -> list[dt.date]:
    """Report dates after the earliest change.

    The base's report dates that fall after it, and always the calendar's end, so no headline
    compares two identical pasts. Where that gives fewer than ``least`` dates, the year ends between
    the change and the end fill in (the last ones, so the dates show how the effect develops).
    """
    if earliest_change is None:
        return sorted({*candidates, end})
    dates = {*(d for d in candidates if earliest_change < d <= end), end}
    year_ends = [
        dt.date(year, 12, 31)
        for year in range(earliest_change.year, end.year)
        if earliest_change < dt.date(year, 12, 31) < end
    ]
    while len(dates) < least and year_ends:
        dates.add(year_ends.pop())
    return sorted(dates)
