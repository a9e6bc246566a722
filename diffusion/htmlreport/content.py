"""The numbers of a what-if report.

headline rows, departments, reach probabilities and the paired difference over time, each a mean
over runs of paired differences with a t interval (:func:`diffusion.results.paired_difference`).

Every number compares run ``i`` of a what-if with run ``i`` of the base (same seed, same
run indices), so the interval measures the what-if's effect, not the noise between runs. They
come from each scenario's :class:`~diffusion.comparison.RunValues` (every outcome's value and
the staff working from the intent, per run, gathered chunk by chunk), not from every run's
counts.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from diffusion.calendar import Calendar
from diffusion.comparison import (
    OutcomeValues,
    RunValues,
    Settings,
    compare_values,
    paired_over_time,
    reach_outcomes,
)
from diffusion.results import Results

#: the states of people working from the intent (the ideas model's trained and adopters)
WORKING: tuple[str, ...] = ("trained", "adopter")
#: measures of the report: name -> (states, words)
MEASURES: dict[str, tuple[tuple[str, ...], str]] = {
    "working": (WORKING, "working from the intent"),
    "trained": (("trained",), "trained (took the course)"),
    "adopters": (("adopter",), "adopters without the course"),
}


@dataclass(frozen=True)
class Row:
    """One compared value: a measure of a group at a date in the base and a what-if.

    ``unit`` is "people", "share" (0-1; differences in percentage points) or "probability".
    """

    whatif: str
    measure: str
    group: str
    date: dt.date
    base: float
    whatif_value: float
    difference: float
    low: float
    high: float
    unit: str = "people"
    words: str = ""

    @property
    def clear(self) -> bool:
        """Whether the interval excludes 0 (the what-if's effect is clear at this level)."""
        return bool(self.low > 0 or self.high < 0)

    def tidy(self) -> dict[str, object]:
        """Return the row for a tidy CSV.

        whatif, measure, group, date, base, whatif_value, difference, low, high.
        """
        return {
            "whatif": self.whatif,
            "measure": self.measure,
            "group": self.group,
            "date": self.date.isoformat(),
            "base": self.base,
            "whatif_value": self.whatif_value,
            "difference": self.difference,
            "low": self.low,
            "high": self.high,
        }

    def sentence(self, base_name: str = "the baseline") -> str:
        """Return the difference in plain words.

        For example "+7.5 people [+7.2, +7.8] more than the baseline".
        """
        if self.unit == "people":
            amount = f"{number_text(self.difference, 1, '+')} people"
            interval = f"[{number_text(self.low, 1, '+')}, {number_text(self.high, 1, '+')}]"
        elif self.unit == "share":
            amount = f"{number_text(100 * self.difference, 1, '+')} percentage points"
            interval = (
                f"[{number_text(100 * self.low, 1, '+')}, {number_text(100 * self.high, 1, '+')}]"
            )
        else:
            amount = f"{number_text(self.difference, 2, '+')}"
            interval = f"[{number_text(self.low, 2, '+')}, {number_text(self.high, 2, '+')}]"
        if not np.isfinite(self.difference):
            return "no runs to compare"
        if not self.clear:
            return f"{amount} {interval}: no clear difference from {base_name}"
        more = "more" if self.difference > 0 else "less" if self.unit != "people" else "fewer"
        if self.unit == "probability":
            more = "likelier" if self.difference > 0 else "less likely"
            return f"{amount} {interval}: {more} than in {base_name}"
        return f"{amount} {interval} {more} than {base_name}"

    def value_text(self, which: str) -> str:
        """Return the base's or the what-if's mean (``which``: "base" or "whatif") as text."""
        value = self.base if which == "base" else self.whatif_value
        if self.unit == "share":
            return f"{number_text(100 * value, 1)}%"
        if self.unit == "probability":
            return number_text(value, 2)
        return number_text(value, 1)


def number_text(x: float, digits: int, sign: str = "") -> str:
    """``x`` rounded to ``digits`` decimals (``sign="+"``: always signed); "n/a" if not finite."""
    if not np.isfinite(x):
        return "n/a"
    return f"{round(float(x), digits) + 0.0:{sign}.{digits}f}"  # + 0.0: no "-0.0"


@dataclass(frozen=True)
class OverTime:
    """A paired difference at every record.

    ``x`` dates, the mean difference and its interval, each ``(records,)``.
    """

    x: np.ndarray
    difference: np.ndarray
    low: np.ndarray
    high: np.ndarray


def n_staff(results: Results) -> int:
    """Count the staff (board members and partners outside the organisation excluded)."""
    labels = results.group_labels["kind"]
    return int(results.group_sizes("kind")[labels.index("staff")])


def telling_share(values: RunValues, record: int, staff: int, step: float = 0.05) -> float:
    """Return a share of the staff worth asking the probability of at ``record``.

    The base's mean share working from the intent (``values.staff``, of ``staff`` people)
    rounded up to a multiple of ``step`` (at least ``step``, at most 1), so the base reaches
    it in about half of its runs or fewer rather than in all of them.
    """
    mean = float(values.staff[:, record].mean()) / max(staff, 1)
    return float(min(1.0, max(step, np.ceil(round(mean / step, 9)) * step)))


def outcomes(
    values: RunValues,
    calendar: Calendar,
    settings: Settings,
    staff: int,
) -> dict[str, OutcomeValues]:
    """Every outcome's value per run as :func:`diffusion.comparison.outcomes_of` gives it.

    The outcomes of ``values`` (gathered with ``settings``' measures, dates and pass share)
    with the reach outcomes of ``settings.reach_shares`` made anew from ``values.staff``
    (the shares a report asks may be other than those gathered), of ``staff`` people.

    Raises
    ------
    ValueError
        When ``values`` were not gathered at one of ``settings.dates``.
    """
    gathered = {o.date for o in values.outcomes.values()}
    missing = [d for d in settings.dates if d.isoformat() not in gathered]
    if missing:
        raise ValueError(f"the runs' values were not gathered at {missing[0]}")
    reach = reach_outcomes(values.staff, values.steps, staff, calendar, settings)
    kept = {
        k: o
        for k, o in values.outcomes.items()
        if o.family != "years" and not o.measure.startswith("P(reach ")
    }
    return kept | reach


def compare_rows(
    base: RunValues,
    other: RunValues,
    calendar: Calendar,
    name: str,
    dates: Sequence[dt.date],
    departments: Sequence[str],
    staff: int,
    *,
    reach_shares: Sequence[float] = (0.1, 0.25, 0.5),
    level: float = 0.9,
) -> list[Row]:
    """Return every compared value of one what-if, in words for the page.

    The paired differences (:func:`diffusion.comparison.compare_values`) that the report
    shows: each measure of :data:`MEASURES` for all staff and each of ``departments`` at
    each date (people), the share of the ``staff`` working from the intent, and the
    probability that a share of them has worked from the intent by each date. ``base`` and
    ``other`` hold the same runs (same seed and run indices), gathered at ``dates``.
    """
    settings = Settings(
        measures={measure: states for measure, (states, _) in MEASURES.items()},
        adopted=WORKING,
        dates=tuple(dates),
        reach_shares=tuple(reach_shares),
        level=level,
    )
    asked = {d.isoformat() for d in dates}
    mine, theirs = (outcomes(v, calendar, settings, staff) for v in (base, other))
    rows = []
    for o in compare_values(mine, theirs, level, name):
        if o.measure in MEASURES:
            unit, measure, words = "people", o.measure, MEASURES[o.measure][1]
        elif o.measure == "working share":
            unit, measure, words = "share", o.measure, "share of staff working from the intent"
        elif o.measure.startswith("P(reach ") and o.date in asked:
            pct = o.measure.removeprefix("P(reach ").split(" ")[0]
            unit, measure = "probability", f"P(reach {pct})"
            words = f"probability that {pct} of staff have worked from the intent"
        else:  # department pass probabilities, years to reach: not on the page
            continue
        values = (o.base, o.what_if_value, o.difference, o.low, o.high)
        rows.append(
            Row(name, measure, o.group, dt.date.fromisoformat(o.date), *values, unit, words)
        )
    # the page's order: per measure all staff by date (with the share working), then each
    # department by date; the reach probabilities last
    ranks = {m: k for k, m in enumerate(MEASURES)} | {
        "working share": list(MEASURES).index("working")
    }
    depts = {d: k for k, d in enumerate(departments)}

    def order(row: Row) -> tuple[float, int, dt.date, bool]:
        share = row.measure.removeprefix("P(reach ").rstrip("%)")  # reach rows by share
        rank = ranks.get(row.measure, len(ranks) + float(share) if row.unit == "probability" else 0)
        return (rank, depts.get(row.group, -1), row.date, row.unit != "people")

    return sorted(rows, key=order)


def over_time(
    base: RunValues, other: RunValues, calendar: Calendar, *, level: float = 0.9
) -> OverTime:
    """Return the paired difference ``other - base`` of the staff working, by date.

    :func:`diffusion.comparison.paired_over_time` of their staff series, with the records'
    dates.
    """
    d = paired_over_time(base.steps, base.staff, other.staff, level)
    return OverTime(calendar.dates_of(d.steps), d.difference, d.low, d.high)
