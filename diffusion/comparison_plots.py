"""Figures of a comparison: the what-ifs' differences from the base, with their intervals.

Two figures, made from a :class:`diffusion.comparison.Comparison` and returned unsaved (the
caller saves them, e.g. with :func:`diffusion.io.save_figure`):

- :func:`plot_comparison`: one panel per family of outcomes (people at the last date, the
  share working from the intent, probabilities, years), each outcome a row, each what-if a
  point with its interval;
- :func:`plot_comparison_over_time`: the paired difference in people working from the intent
  over time, one line and interval band per what-if.

Each what-if keeps one style in both figures (:func:`diffusion.plotting.what_if_styles`): a
colour of the colour-blind-safe palette and, past its eighth colour, a marker and line style
of its own, so that no two what-ifs look alike however many are compared. The legend sits
outside the panels, so it never covers a point.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from diffusion.plotting import (
    new_figure,
    plot_difference_over_time,
    plot_differences,
    state_words,
    style_handles,
    what_if_styles,
)

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from diffusion.comparison import Comparison, Outcome

#: inches of panel height per plotted point (an outcome of a what-if), and the least height
_INCH_PER_POINT = 0.11
_MIN_PANEL = 1.4


def _short_label(outcome: str, last: str) -> str:
    """Return an outcome's name shortened for a plot's axis (``last``: a date the title names)."""
    for long, short in (
        (f" {last}" if last else "", ""),
        (" working from the intent", ""),
        ("years to ", "to "),
        (" of staff", ""),
    ):
        outcome = outcome.replace(long, short) if long else outcome
    return outcome


def _panels(rows: Sequence[Outcome]) -> tuple[str, dict[str, list[Outcome]]]:
    """Return the last date's outcomes, probabilities and years, by family; the last date.

    An outcome equal in every run of every scenario (a difference and interval of exactly 0
    for each what-if, e.g. a share every run reaches) says nothing and is left out.
    """
    last = max((r.outcome.rsplit(" ", 1)[-1] for r in rows if r.family != "years"), default="")
    flat = {
        o
        for o in {r.outcome for r in rows}
        if all(r.low == r.high == r.difference == 0 for r in rows if r.outcome == o)
    }
    panels: dict[str, list[Outcome]] = {}
    for row in rows:
        wanted = row.family in ("probability", "years") or row.outcome.endswith(last)
        if wanted and row.outcome not in flat:
            panels.setdefault(row.family, []).append(row)
    return last, panels


def plot_comparison(comparison: Comparison) -> Figure:
    """Plot the differences of every what-if from the base: one panel per family of outcomes.

    Panels are laid out two per row, each as tall as its outcomes x what-ifs need; one
    legend above them names the what-ifs.

    Parameters
    ----------
    comparison : Comparison
        From :func:`diffusion.compare`.

    Returns
    -------
    matplotlib Figure
        Unsaved; pass it to :func:`diffusion.io.save_figure`.
    """
    rows = list(comparison.outcomes)
    styles = what_if_styles(list(comparison.what_ifs))
    last, panels = _panels(rows)
    items = list(panels.items()) or [("", [])]
    n_cols = min(2, len(items))
    grid_rows = [items[i : i + n_cols] for i in range(0, len(items), n_cols)]
    heights = [
        max(
            _MIN_PANEL,
            max(
                len({r.outcome for r in group}) * len({r.what_if for r in group})
                for _, group in line
            )
            * _INCH_PER_POINT
            + 0.4,
        )
        for line in grid_rows
    ]
    legend_rows = -(-len(styles) // 3)
    top = 0.55 + 0.22 * legend_rows  # inches for the title and the legend
    fig = new_figure(7.0 * n_cols, sum(heights) + 0.9 * len(heights) + top)
    grid = fig.add_gridspec(len(grid_rows), n_cols, height_ratios=heights)
    for i, line in enumerate(grid_rows):
        for j, (family, group) in enumerate(line):
            ax = fig.add_subplot(grid[i, j])
            if not group:  # every outcome equal in every run: nothing to plot
                ax.text(0.5, 0.5, "no outcome differs in any run", ha="center", va="center")
                ax.set_axis_off()
                continue
            outcomes = list(dict.fromkeys(r.outcome for r in group))
            # a panel of several dates keeps every label's date; else its title names it
            dated = family != "years" and all(o.endswith(last) for o in outcomes)
            plot_differences(
                group,
                labels=[_short_label(o, last if dated else "") for o in outcomes],
                styles=styles,
                legend=False,
                ax=ax,
            )
            ax.set_title(
                {
                    "probability": f"probabilities at {last}" if dated else "probabilities",
                    "years": "years until a share of the staff works from the intent",
                }.get(family, f"{family} at {last}")
            )
    level = round(100 * comparison.settings.level)
    height = fig.get_figheight()
    fig.suptitle(
        f"What-ifs minus {comparison.base}: mean and {level}% interval, {comparison.n_runs} runs",
        y=1 - 0.12 / height,
        va="top",
    )
    fig.legend(
        handles=style_handles(styles, curve=False),
        loc="upper center",
        bbox_to_anchor=(0.5, 1 - 0.45 / height),
        ncol=min(3, len(styles)),
        fontsize="small",
        frameon=False,
    )
    fig.tight_layout(rect=(0, 0, 1, 1 - top / height))
    return fig


def plot_comparison_over_time(comparison: Comparison) -> Figure:
    """Plot the paired difference in people working from the intent over time, per what-if.

    Each what-if is a line (its mean paired difference) with a light band (its interval), in
    the same style as in :func:`plot_comparison`; the legend sits to the right of the axes.

    Parameters
    ----------
    comparison : Comparison
        From :func:`diffusion.compare`.

    Returns
    -------
    matplotlib Figure
        Unsaved; pass it to :func:`diffusion.io.save_figure`.
    """
    states = comparison.settings.adopted
    styles = what_if_styles(list(comparison.what_ifs))
    fig = new_figure(10, 4.6)
    ax = fig.add_subplot()
    band = 0.2 if len(styles) <= 3 else 0.1  # many overlapping bands: lighter, lines stay read
    for name, style in styles.items():
        diff = comparison.over_time(name)
        plot_difference_over_time(
            comparison.calendar.dates_of(diff.steps),
            diff.difference,
            diff.low,
            diff.high,
            label=name,
            ylabel=f"difference in people {state_words(states)}",
            calendar=comparison.calendar,
            color=style.colour,
            linestyle=style.line,
            band_alpha=band,
            ax=ax,
        )
    ax.legend(
        handles=style_handles(styles, curve=True),
        fontsize="small",
        loc="upper left",
        bbox_to_anchor=(1.01, 1),
        frameon=False,
    )
    level = round(100 * comparison.settings.level)
    ax.set_title(
        f"What-ifs minus {comparison.base}: mean paired difference and {level}% interval, "
        f"{comparison.n_runs} runs"
    )
    fig.tight_layout()
    return fig


__all__ = ["plot_comparison", "plot_comparison_over_time"]
