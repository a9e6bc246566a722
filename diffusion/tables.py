"""Tables and CSV files from results: bands at dates, and series per group.

Plain Python rows (lists of dicts), so no pandas is needed; the CLI renders them with rich.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path

from diffusion.calendar import Calendar
from diffusion.io import atomic_write
from diffusion.results import Results
from diffusion.tally import Spread

#: measure name -> the states it counts
Measures = Mapping[str, str | Sequence[str]]


def groups_of(results: Results, grouping: str | None) -> list[tuple[str | None, str]]:
    """Return ``(grouping, group)`` pairs: each group of ``grouping`` with people, then all."""
    pairs: list[tuple[str | None, str]] = []
    if grouping is not None:
        sizes = results.group_sizes(grouping)
        labels = results.group_labels[grouping]
        pairs = [(grouping, g) for g, n in zip(labels, sizes, strict=True) if n > 0 and g]
    return [*pairs, (None, "all")]


def _spread(results: Results, states, grouping: str | None, group: str) -> Spread:
    return results.spread(states, grouping, None if grouping is None else group)


def band_table(
    results: Results,
    calendar: Calendar,
    measures: Measures,
    dates: Sequence[dt.date],
    grouping: str | None = "department",
    quantiles: tuple[float, float] = (0.05, 0.95),
) -> list[dict[str, object]]:
    """One row per (group, date): each measure's mean and quantile band over runs."""
    rows = []
    records = [results.record_of_step(calendar.step_of(date)) for date in dates]
    for g_name, group in groups_of(results, grouping):
        bands = {
            measure: _spread(results, states, g_name, group).band((quantiles[0], quantiles[1]))
            for measure, states in measures.items()
        }
        for date, record in zip(dates, records, strict=True):
            row: dict[str, object] = {"group": group, "date": date.isoformat()}
            for measure, b in bands.items():
                row[measure] = (float(b.mean[record]), float(b.low[record]), float(b.high[record]))
            rows.append(row)
    return rows


def series_rows(
    results: Results,
    calendar: Calendar,
    measures: Measures,
    groupings: Sequence[str | None] = ("department", "team", None),
    quantiles: Sequence[float] = (0.05, 0.5, 0.95),
) -> list[dict[str, object]]:
    """Long-format rows: date, step, grouping, group, measure, mean and quantiles."""
    dates = calendar.dates_of(results.steps)
    rows = []
    seen: set[tuple[str | None, str]] = set()
    for grouping in groupings:
        for g_name, group in groups_of(results, grouping):
            if (g_name, group) in seen:
                continue
            seen.add((g_name, group))
            for measure, states in measures.items():
                b = _spread(results, states, g_name, group).band(quantiles)
                for i, step in enumerate(results.steps):
                    row: dict[str, object] = {
                        "date": str(dates[i]),
                        "step": int(step),
                        "grouping": g_name or "all",
                        "group": group,
                        "measure": measure,
                        "mean": round(float(b.mean[i]), 4),
                    }
                    for q, values in b.quantiles.items():
                        row[f"q{round(100 * q):02d}"] = float(values[i])
                    rows.append(row)
    return rows


def write_csv(rows: Sequence[Mapping[str, object]], path: str | Path) -> Path:
    """Write rows with one header (the first row's keys) to ``path`` atomically."""
    path = Path(path)
    with atomic_write(path, "w", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]) if rows else [])
        writer.writeheader()
        writer.writerows(rows)
    return path
