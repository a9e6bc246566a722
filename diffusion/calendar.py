"""Dates and steps: one step is one week from the calendar's start date."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np

DAYS_PER_STEP = 7


@dataclass(frozen=True)
class Calendar:
    """A weekly calendar from ``start`` to ``end`` (both dates, ``end`` included as a step).

    Examples
    --------
    >>> cal = Calendar(dt.date(2015, 1, 5), dt.date(2016, 1, 4))
    >>> cal.n_steps, cal.step_of(dt.date(2015, 3, 1)), cal.date_of(52)
    (52, 7, datetime.date(2016, 1, 4))
    """

    start: dt.date
    end: dt.date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"calendar ends ({self.end}) before it starts ({self.start})")

    @property
    def n_steps(self) -> int:
        """Number of weekly steps from start to end."""
        return (self.end - self.start).days // DAYS_PER_STEP

    def step_of(self, date: dt.date) -> int:
        """Return the step in which ``date`` falls (the week that contains it)."""
        if not self.start <= date <= self.end:
            raise ValueError(f"date {date} is outside the calendar {self.start} to {self.end}")
        return (date - self.start).days // DAYS_PER_STEP

    def date_of(self, step: int) -> dt.date:
        """Return the first day of week ``step``."""
        return self.start + dt.timedelta(days=DAYS_PER_STEP * int(step))

    def dates_of(self, steps: np.ndarray) -> np.ndarray:
        """Dates of many steps, as ``datetime64[D]`` ``(len(steps),)``."""
        start = np.datetime64(self.start, "D")
        return start + np.asarray(steps, dtype=np.int64) * np.timedelta64(DAYS_PER_STEP, "D")

    @classmethod
    def years(cls, start: dt.date, years: float) -> Calendar:
        """Return a calendar of ``years`` years (of 365.25 days) from ``start``."""
        return cls(start, start + dt.timedelta(days=round(365.25 * years)))
