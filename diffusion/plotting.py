"""Plots of results. Every function takes ``ax=`` and returns the Axes; none calls ``show``.

matplotlib is imported inside the functions, so importing this module is cheap.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from diffusion.results import Results, band

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from diffusion.calendar import Calendar


def _axes(ax: Axes | None) -> Axes:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    return plt.figure(figsize=(8, 4.5)).add_subplot()


def plot_spread(
    results: Results,
    states: str | Sequence[str],
    grouping: str | None = None,
    groups: Sequence[str] | None = None,
    *,
    calendar: Calendar | None = None,
    quantiles: tuple[float, float] = (0.05, 0.95),
    share: bool = False,
    ax: Axes | None = None,
) -> Axes:
    """Spread curves: the mean over runs with a quantile band, one curve per group.

    Parameters
    ----------
    results : Results
    states : str or sequence of str
        States counted together (e.g. ``("trained", "adopter")``).
    grouping, groups : str, sequence of str, optional
        One curve per group of ``grouping`` (all groups unless ``groups`` names some);
        without ``grouping`` one curve for everyone.
    calendar : Calendar, optional
        Puts dates on the x axis instead of steps.
    quantiles : (low, high)
        The band's quantiles over runs (default: a 90% band).
    share : bool
        Plot the share of the group (0-1) instead of the number of people.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
    """
    ax = _axes(ax)
    x = calendar.dates_of(results.steps) if calendar is not None else results.steps
    if grouping is None:
        curves = {"all": results.series(states)}
        sizes = {"all": results.total[0, 0].sum()}
    else:
        names = list(groups) if groups is not None else list(results.group_labels[grouping])
        all_sizes = results.group_sizes(grouping)
        labels = results.group_labels[grouping]
        curves = {g: results.series(states, grouping, g) for g in names}
        sizes = {g: all_sizes[labels.index(g)] for g in names}
    for name, series in curves.items():
        values = series / max(int(sizes[name]), 1) if share else series
        b = band(values, (quantiles[0], 0.5, quantiles[1]))
        (line,) = ax.plot(x, b.mean, label=name or "(none)")
        ax.fill_between(x, b.low, b.high, color=line.get_color(), alpha=0.2, linewidth=0)
    state_text = states if isinstance(states, str) else " + ".join(states)
    ax.set_ylabel(f"share {state_text}" if share else f"people {state_text}")
    ax.set_xlabel("date" if calendar is not None else "step")
    level = round(100 * (quantiles[1] - quantiles[0]))
    ax.set_title(f"{state_text}: mean and {level}% band over {results.n_runs} runs")
    if len(curves) > 1:
        ax.legend(title=grouping, fontsize="small")
    return ax


def plot_spread_panels(
    results: Results,
    panels: dict[str, str | Sequence[str]],
    grouping: str | None = "department",
    *,
    calendar: Calendar | None = None,
    quantiles: tuple[float, float] = (0.05, 0.95),
):
    """One :func:`plot_spread` panel per entry of ``panels`` (title -> states), side by side.

    Returns the matplotlib Figure.
    """
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(panels), figsize=(6 * len(panels), 4.5), squeeze=False)
    for ax, (title, states) in zip(axes[0], panels.items(), strict=True):
        plot_spread(results, states, grouping, calendar=calendar, quantiles=quantiles, ax=ax)
        ax.set_title(title)
    fig.autofmt_xdate()
    fig.tight_layout()
    return fig


__all__ = ["plot_spread", "plot_spread_panels"]
