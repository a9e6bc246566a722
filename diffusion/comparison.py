"""What-if comparisons: paired differences of outcomes between a base and what-if results.

Both results must come from the same seed and run indices (common random numbers,
:func:`~diffusion.results.check_paired`), so run ``i`` of the what-if differs from run ``i``
of the base by the what-if's mechanism, not by noise. Each outcome is a value per run; the
difference is the mean of the per-run differences with a t interval
(:func:`~diffusion.results.paired_difference`).

Outcomes
--------
``<measure> <group> <date>``
    People in a measure's states (``trained``, ``adopters`` and ``working``, trained +
    adopters, for the ideas model) in each department and in all staff, at each date.
``share working all <date>``
    The share of the staff working from the intent (the model's adopted states), 0-1.
``P(<department> >= <share> working from the intent) <date>``
    The probability that a department's share of people working from the intent (the
    model's adopted states: trained or adopter) is at least ``pass_share``: a 0/1 value
    per run, so the difference is a difference of probabilities.
``years to <share> of staff working from the intent``
    Time from the calendar's start until that share of all staff works from the intent.
    A run that never gets there within the calendar counts as getting there at the end
    (censored): the value is then a lower bound, and so is a difference in which the
    what-if reaches the share earlier. The outcome ``P(reach <share> of staff) <end>``
    reports how often the share is reached at all, ``P(reach <share> of staff) <date>`` how
    often by each date.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from diffusion.calendar import DAYS_PER_STEP, Calendar
from diffusion.results import (
    Results,
    check_paired,
    paired_difference,
    record_of_step,
    time_to_reach,
)

#: measures of the ideas model: name -> states counted
IDEAS_MEASURES: dict[str, tuple[str, ...]] = {
    "trained": ("trained",),
    "adopters": ("adopter",),
    "working": ("trained", "adopter"),  # working from the intent, the measure reports lead with
}
#: the group name of all staff in outcomes
ALL_STAFF = "all staff"
#: groupings a comparison needs recorded
GROUPINGS: tuple[str, ...] = ("department", "kind")


def measures_for(
    state_names: Sequence[str], adopted_states: Sequence[str]
) -> dict[str, tuple[str, ...]]:
    """Return the measures to report for a model.

    Trained and adopters for the ideas model, else one measure per adopted state.
    """
    if all(s in state_names for m in IDEAS_MEASURES.values() for s in m):
        return dict(IDEAS_MEASURES)
    return {state: (state,) for state in adopted_states}


@dataclass(frozen=True)
class Settings:
    """What a comparison reports.

    Attributes
    ----------
    measures : mapping of str to tuple of str
        Measure name -> states counted (people per department and date).
    adopted : tuple of str
        States that count as working from the intent (shares, time to reach).
    dates : tuple of date
        Dates of the people counts and the pass probabilities.
    pass_share : float
        Share of a department whose passing is asked the probability of.
    reach_shares : tuple of float
        Shares of all staff whose time to reach is reported.
    level : float
        Confidence level of the intervals (0.9: 90%).
    """

    measures: Mapping[str, tuple[str, ...]]
    adopted: tuple[str, ...]
    dates: tuple[dt.date, ...]
    pass_share: float = 0.25
    reach_shares: tuple[float, ...] = (0.1, 0.25, 0.5)
    level: float = 0.9


@dataclass(frozen=True)
class Outcome:
    """One row of a comparison: an outcome's base mean, what-if mean and their difference."""

    what_if: str
    outcome: str
    base: float
    what_if_value: float
    difference: float
    low: float
    high: float
    family: str = ""
    n_runs: int = 0
    measure: str = ""
    group: str = ""
    date: str = ""

    def row(self) -> dict[str, object]:
        """Return the outcome's row.

        what_if, outcome, base, what_if_value, difference, low, high.
        """
        out = asdict(self)
        for key in ("family", "n_runs", "measure", "group", "date"):
            del out[key]
        return out

    def tidy(self) -> dict[str, object]:
        """Return the row of ``comparison.csv`` (:data:`TIDY_COLUMNS`), one value per cell.

        whatif, measure, group, date ("" for an outcome of no date), base, whatif_value, difference,
        low, high.
        """
        return {
            "whatif": self.what_if,
            "measure": self.measure,
            "group": self.group,
            "date": self.date,
            "base": self.base,
            "whatif_value": self.what_if_value,
            "difference": self.difference,
            "low": self.low,
            "high": self.high,
        }


@dataclass(frozen=True)
class OutcomeValues:
    """One outcome's value in every run, with what it measures of whom and when."""

    family: str
    values: np.ndarray
    measure: str
    group: str
    date: str


@dataclass(frozen=True)
class RunValues:
    """What a comparison needs of one scenario's runs, in memory that is small per run.

    Attributes
    ----------
    outcomes : dict of str to OutcomeValues
        Every outcome's value per run (:func:`outcomes_of`).
    staff : int32 array ``(runs, records)``
        The staff in the adopted states at every record (the difference over time).
    steps : int array ``(records,)``
        The recorded steps.
    """

    outcomes: dict[str, OutcomeValues]
    staff: np.ndarray
    steps: np.ndarray

    @classmethod
    def of(cls, results: Results, calendar: Calendar, settings: Settings) -> RunValues:
        """Return the values of ``results`` (which hold every run's counts)."""
        staff = results.series(settings.adopted, "kind", "staff").astype(np.int32)
        return cls(outcomes_of(results, calendar, settings), staff, np.asarray(results.steps))

    @classmethod
    def join(cls, parts: Sequence[RunValues]) -> RunValues:
        """Return the values of consecutive runs' parts, in their order."""
        first = parts[0]
        outcomes = {
            name: dataclasses.replace(
                o, values=np.concatenate([p.outcomes[name].values for p in parts])
            )
            for name, o in first.outcomes.items()
        }
        return cls(outcomes, np.concatenate([p.staff for p in parts]), first.steps)


def run_values(
    results: Sequence[Results], calendar: Calendar, settings: Settings
) -> list[RunValues]:
    """Return :meth:`RunValues.of` of each of ``results`` (a chunk's reduction)."""
    return [RunValues.of(r, calendar, settings) for r in results]


def outcome_values(
    results: Results, calendar: Calendar, settings: Settings
) -> dict[str, tuple[str, np.ndarray]]:
    """Every outcome's value per run.

    ``name -> (family, values (runs,))``, in report order (:func:`outcomes_of` with the measure,
    group and date of each).
    """
    return {
        name: (o.family, o.values) for name, o in outcomes_of(results, calendar, settings).items()
    }


def outcomes_of(
    results: Results, calendar: Calendar, settings: Settings
) -> dict[str, OutcomeValues]:
    """Every outcome's value per run with its measure, group and date, in report order.

    Only the records at the report dates are summed over states, so the cost does not grow
    with the length of the calendar (a sweep reduces every point with this).
    """
    out: dict[str, OutcomeValues] = {}
    depts = departments(results)
    dept_col = [results.group_labels["department"].index(d) for d in depts]
    staff_col = results.group_labels["kind"].index("staff")
    records = [results.record_of_step(calendar.step_of(date)) for date in settings.dates]
    n_staff = int(results.group_sizes("kind")[staff_col])

    def at_dates(states: Sequence[str] | str, grouping: str) -> np.ndarray:
        """People in ``states`` per group at the report dates, ``(runs, dates, groups)``."""
        picked = results.counts[grouping][:, records][..., results.state_index(states)]
        return np.asarray(picked.sum(axis=-1, dtype=np.int64))

    for measure, states in settings.measures.items():
        by_dept, by_kind = at_dates(states, "department"), at_dates(states, "kind")
        for d, date in enumerate(settings.dates):
            day = date.isoformat()
            for dept, col in zip(depts, dept_col, strict=True):
                out[f"{measure} {dept} {date}"] = OutcomeValues(
                    measure, by_dept[:, d, col], measure, dept, day
                )
            out[f"{measure} all {date}"] = OutcomeValues(
                measure, by_kind[:, d, staff_col], measure, ALL_STAFF, day
            )
    sizes = results.group_sizes("department")
    share = f"{round(100 * settings.pass_share)}%"
    working = at_dates(settings.adopted, "department")
    staff_working = at_dates(settings.adopted, "kind")[:, :, staff_col]
    for d, date in enumerate(settings.dates):
        day = date.isoformat()
        out[f"share working all {date}"] = OutcomeValues(
            "share", staff_working[:, d] / max(n_staff, 1), "working share", ALL_STAFF, day
        )
        for dept, col in zip(depts, dept_col, strict=True):
            passed = (working[:, d, col] >= settings.pass_share * sizes[col]).astype(np.float64)
            out[f"P({dept} >= {share} working from the intent) {date}"] = OutcomeValues(
                "probability", passed, f"P(>= {share} working)", dept, day
            )
    staff = results.series(settings.adopted, "kind", "staff")
    reach = reach_outcomes(staff, results.steps, n_staff, calendar, settings)
    return out | reach


def reach_outcomes(
    staff: np.ndarray,
    steps: np.ndarray,
    n_staff: int,
    calendar: Calendar,
    settings: Settings,
) -> dict[str, OutcomeValues]:
    """Return the outcomes of reaching shares of the staff per run (the last of outcomes_of).

    For each of ``settings.reach_shares``, the years until that share of the ``n_staff``
    staff worked from the intent (censored at the calendar's end) and whether it had by each
    of ``settings.dates`` and by the end, from the staff in the adopted states ``staff``
    ``(runs, records)`` at the recorded ``steps``.
    """
    out: dict[str, OutcomeValues] = {}
    records = [record_of_step(steps, calendar.step_of(date)) for date in settings.dates]
    for target in settings.reach_shares:
        pct = f"{round(100 * target)}%"
        first = time_to_reach(staff, target * n_staff, steps)
        reached = ~np.isnan(first)
        censored = np.where(reached, first, float(steps[-1]))
        out[f"years to {pct} of staff working from the intent"] = OutcomeValues(
            "years", censored * DAYS_PER_STEP / 365.25, f"years to {pct} working", ALL_STAFF, ""
        )
        for date, record in [*zip(settings.dates, records, strict=True), (calendar.end, -1)]:
            by = reached & (censored <= steps[record])
            out[f"P(reach {pct} of staff) {date}"] = OutcomeValues(
                "probability",
                by.astype(np.float64),
                f"P(reach {pct} working)",
                ALL_STAFF,
                date.isoformat(),
            )
    return out


def departments(results: Results) -> list[str]:
    """Return the departments with people, in the organisation's order."""
    sizes = results.group_sizes("department")
    return [d for d, n in zip(results.group_labels["department"], sizes, strict=True) if d and n]


def compare_results(
    base: Results, other: Results, calendar: Calendar, settings: Settings, name: str
) -> list[Outcome]:
    """Paired differences ``other - base`` of every outcome (see the module docstring).

    Raises
    ------
    ValueError
        When the results were not made with the same seed and runs.
    """
    check_paired(base, other)
    mine = outcomes_of(base, calendar, settings)
    return compare_values(mine, outcomes_of(other, calendar, settings), settings.level, name)


def compare_values(
    base: Mapping[str, OutcomeValues],
    other: Mapping[str, OutcomeValues],
    level: float,
    name: str,
) -> list[Outcome]:
    """Paired differences ``other - base`` of every outcome of both, run by run.

    ``base`` and ``other`` (:func:`outcomes_of`) must be of the same runs (seed and run
    indices), in the same order.
    """
    rows = []
    for outcome, mine in base.items():
        if outcome not in other:
            continue
        d = paired_difference(mine.values, other[outcome].values, level)
        rows.append(
            Outcome(
                what_if=name,
                outcome=outcome,
                base=d.base_mean,
                what_if_value=d.other_mean,
                difference=d.mean,
                low=d.low,
                high=d.high,
                family=mine.family,
                n_runs=d.n_runs,
                measure=mine.measure,
                group=mine.group,
                date=mine.date,
            )
        )
    return rows


@dataclass(frozen=True)
class OverTime:
    """A paired difference at every record.

    ``steps``, the mean difference and its interval, each ``(records,)``.
    """

    steps: np.ndarray
    difference: np.ndarray
    low: np.ndarray
    high: np.ndarray


def difference_over_time(
    base: Results, other: Results, states: Sequence[str], *, level: float = 0.9
) -> OverTime:
    """Return the paired difference ``other - base`` of the staff in ``states`` over time.

    At every record, with its t interval (:func:`~diffusion.results.paired_difference` at
    each record).

    Raises
    ------
    ValueError
        When the results were not made with the same seed and runs.
    """
    check_paired(base, other)
    b = base.series(states, "kind", "staff")
    o = other.series(states, "kind", "staff")
    return paired_over_time(np.asarray(base.steps), b, o, level)


def paired_over_time(
    steps: np.ndarray, base: np.ndarray, other: np.ndarray, level: float = 0.9
) -> OverTime:
    """Return the paired difference ``other - base`` of ``(runs, records)`` values per record."""
    b, o = np.asarray(base, dtype=np.int64), np.asarray(other, dtype=np.int64)
    diffs = [paired_difference(b[:, r], o[:, r], level) for r in range(b.shape[1])]
    return OverTime(
        steps=np.asarray(steps),
        difference=np.array([d.mean for d in diffs]),
        low=np.array([d.low for d in diffs]),
        high=np.array([d.high for d in diffs]),
    )


#: columns of :meth:`Comparison.to_pandas` (and of ``comparison.csv``, without the last two)
COLUMNS: tuple[str, ...] = (
    "what_if",
    "outcome",
    "base",
    "what_if_value",
    "difference",
    "low",
    "high",
    "family",
    "n_runs",
    "measure",
    "group",
    "date",
)
#: columns of ``comparison.csv``: one value per cell (:meth:`Outcome.tidy`)
TIDY_COLUMNS: tuple[str, ...] = (
    "whatif",
    "measure",
    "group",
    "date",
    "base",
    "whatif_value",
    "difference",
    "low",
    "high",
)


@dataclass(frozen=True, eq=False)
class Comparison:
    """What-ifs compared with a base, every scenario run with the same seed and runs.

    Attributes
    ----------
    base : str
        Name of the base scenario.
    outcomes : tuple of Outcome
        One row per what-if and outcome: base mean, what-if mean, the mean paired
        difference and its interval (see the module docstring).
    settings : Settings
        What was reported (measures, dates, shares, confidence level).
    calendar : Calendar
        The calendar every scenario shares.
    results : dict of str to Results
        The simulated runs of every scenario, by name, the base first.
    robustness : tuple of Robustness
        With parameter draws (``compare(..., draws=K)``): per outcome, the spread of the
        difference over the draws, the share in which its sign holds and the verdict
        (:mod:`diffusion.robustness`); empty without draws.
    draws : Draws or None
        The parameter sets the robustness rests on.
    values : dict of str to RunValues
        Per scenario, every outcome's value per run and the staff working from the intent
        per run and record: what the differences need. With them, ``results`` need not
        hold every run's counts (``compare(..., keep_runs=False)``, the default: bands
        from their tallies).
    """

    base: str
    outcomes: tuple[Outcome, ...]
    settings: Settings
    calendar: Calendar
    results: Mapping[str, Results]
    robustness: tuple[Any, ...] = ()
    draws: Any = None
    values: Mapping[str, RunValues] = field(default_factory=dict)

    @property
    def what_ifs(self) -> tuple[str, ...]:
        """Names of the what-ifs, in the order given."""
        return tuple(name for name in self.results if name != self.base)

    @property
    def n_runs(self) -> int:
        """Paired runs of every scenario."""
        return self.results[self.base].n_runs

    def over_time(self, what_if: str) -> OverTime:
        """Return the paired difference of ``what_if`` and the base in staff working, over time."""
        level = self.settings.level
        if self.values:
            base, other = self.values[self.base], self.values[what_if]
            return paired_over_time(base.steps, base.staff, other.staff, level)
        base_results, other_results = self.results[self.base], self.results[what_if]
        return difference_over_time(base_results, other_results, self.settings.adopted, level=level)

    def headline(self) -> list[Outcome]:
        """Return the outcomes a table shows first.

        Every measure and the share working, for all staff and by department, at the last
        date.
        """
        last = max(self.settings.dates).isoformat()
        wanted = {*self.settings.measures, "working share"}
        return [r for r in self.outcomes if r.date == last and r.measure in wanted]

    def outcome(self, what_if: str, outcome: str) -> Outcome:
        """Return the row of one what-if and outcome (as named in :attr:`outcomes`).

        Raises
        ------
        KeyError
            Naming the outcomes there are when there is no such row.
        """
        for row in self.outcomes:
            if row.what_if == what_if and row.outcome == outcome:
                return row
        known = sorted({r.outcome for r in self.outcomes if r.what_if == what_if})
        some = ", ".join(known[:4]) + (f" ... ({len(known)} in all)" if len(known) > 4 else "")
        raise KeyError(f"no outcome {outcome!r} of what-if {what_if!r}; outcomes: {some}")

    def to_pandas(self) -> Any:
        """Return the outcomes as a tidy :class:`pandas.DataFrame`, one row per what-if and outcome.

        Columns (:data:`COLUMNS`): ``what_if``, ``outcome``, ``base``, ``what_if_value``,
        ``difference``, ``low``, ``high`` (the interval of the difference at
        ``settings.level``), ``family`` (a measure's name, ``"probability"`` or
        ``"years"``) and ``n_runs``.
        """
        import pandas as pd

        return pd.DataFrame([asdict(row) for row in self.outcomes], columns=list(COLUMNS))

    def to_xarray(self, grouping: str = "department") -> Any:
        """People per state of every scenario, an :class:`xarray.DataArray`.

        Dims ``(scenario, run, date, group, state)``: :meth:`Results.to_xarray
        <diffusion.results.Results.to_xarray>` of each scenario stacked along ``scenario``
        (the base first); run ``i`` of every scenario used the same random numbers.
        """
        import xarray as xr

        arrays = [r.to_xarray(grouping) for r in self.results.values()]
        return xr.concat(arrays, dim="scenario").assign_coords(scenario=list(self.results))


def unique_names(names: Sequence[str]) -> list[str]:
    """Names made unique by a suffix (comparing a scenario with itself)."""
    out: list[str] = []
    for name in names:
        candidate, k = name, 2
        while candidate in out:
            candidate, k = f"{name}#{k}", k + 1
        out.append(candidate)
    return out
