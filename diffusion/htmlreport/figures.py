"""The report's pictures as inline images: PNG bytes, base64-encoded for ``<img src=...>``.

Each figure is a matplotlib Figure outside pyplot (:func:`diffusion.plotting.new_figure`),
so making a report never opens a window nor picks a backend.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

from diffusion.htmlreport.content import WORKING, OverTime
from diffusion.plotting import (
    Marker,
    new_figure,
    plot_curves_vs,
    plot_difference_over_time,
    plot_spread,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from diffusion.calendar import Calendar
    from diffusion.results import Results

#: resolution of the inline PNGs (dots per inch)
DPI = 100


def data_uri(fig: Figure) -> str:
    """Return the figure as a ``data:image/png;base64,...`` URI."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI, bbox_inches="tight")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def curves_figure(
    base: Results,
    other: Results,
    calendar: Calendar,
    names: tuple[str, str],
    markers: Sequence[Marker],
) -> str:
    """Draw base and what-if: people working from the intent over time, with bands."""
    fig = new_figure(9, 4.2)
    ax = fig.add_subplot()
    plot_curves_vs(base, other, WORKING, names=names, calendar=calendar, markers=markers, ax=ax)
    return data_uri(fig)


def difference_figure(
    diff: OverTime,
    calendar: Calendar,
    name: str,
    base_name: str,
    markers: Sequence[Marker],
    level: float,
    n_runs: int,
) -> str:
    """Return the paired difference over time with its interval and the what-if's events."""
    fig = new_figure(9, 3.8)
    ax = fig.add_subplot()
    plot_difference_over_time(
        diff.x,
        diff.difference,
        diff.low,
        diff.high,
        ylabel="difference in people working\nfrom the intent",
        markers=markers,
        calendar=calendar,
        color="#D55E00",
        ax=ax,
    )
    ax.set_title(
        f"{name} minus {base_name}: mean paired difference and {round(100 * level)}% "
        f"interval, {n_runs} runs"
    )
    return data_uri(fig)


def departments_figure(
    results: Results,
    calendar: Calendar,
    name: str,
    names: Mapping[str, str],
    markers: Sequence[Marker],
) -> str:
    """Return a scenario's people working from the intent per department (names and sides)."""
    fig = new_figure(9, 4.2)
    ax = fig.add_subplot()
    plot_spread(
        results,
        WORKING,
        "department",
        [g for g in names if g in results.group_labels["department"]],
        calendar=calendar,
        names=names,
        scenario=name,
        markers=markers,
        ax=ax,
    )
    return data_uri(fig)
