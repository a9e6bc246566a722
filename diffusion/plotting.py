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
    from diffusion.compile import CompiledOrg


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
    label: str | None = None,
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
    label : str, optional
        Legend label of the curve when there is one (no ``grouping``); default "all". Use it
        to overlay several results on one Axes.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
    """
    ax = _axes(ax)
    x = calendar.dates_of(results.steps) if calendar is not None else results.steps
    if grouping is None:
        curves = {label or "all": results.series(states)}
        sizes = {label or "all": results.total[0, 0].sum()}
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
    if len(curves) > 1 or label is not None:
        ax.legend(title=grouping, fontsize="small")
    return ax


def plot_spread_panels(
    results: Results,
    panels: dict[str, str | Sequence[str]],
    grouping: str | None = "department",
    *,
    groups: Sequence[str] | None = None,
    calendar: Calendar | None = None,
    quantiles: tuple[float, float] = (0.05, 0.95),
    share: bool = False,
):
    """One :func:`plot_spread` panel per entry of ``panels`` (title -> states), side by side.

    ``groups`` limits the curves to those groups (default: every group with a label, so
    nodes outside the departments, such as the board, are left out); ``share`` plots shares.
    Returns the matplotlib Figure.
    """
    if grouping is not None and groups is None:
        sizes = results.group_sizes(grouping)
        labels = results.group_labels[grouping]
        groups = [g for g, n in zip(labels, sizes, strict=True) if g and n > 0]
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(panels), figsize=(6 * len(panels), 4.5), squeeze=False)
    for ax, (title, states) in zip(axes[0], panels.items(), strict=True):
        plot_spread(
            results,
            states,
            grouping,
            groups,
            calendar=calendar,
            quantiles=quantiles,
            share=share,
            ax=ax,
        )
        ax.set_title(title)
    fig.autofmt_xdate()
    fig.tight_layout()
    return fig


__all__ = ["plot_spread", "plot_spread_panels"]


def plot_differences(
    rows: Sequence[object],
    *,
    labels: Sequence[str] | None = None,
    ax: Axes | None = None,
) -> Axes:
    """What-if differences with their intervals: one row per outcome, one colour per what-if.

    Parameters
    ----------
    rows : sequence of objects with ``what_if``, ``outcome``, ``difference``, ``low``, ``high``
        E.g. :class:`diffusion.compare.Outcome` rows (one family of outcomes, so the x axis
        has one unit).
    labels : sequence of str, optional
        Display names for the outcomes, in order of first appearance (default: the names).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
    """
    import numpy as np

    ax = _axes(ax)
    outcomes = list(dict.fromkeys(r.outcome for r in rows))  # type: ignore[attr-defined]
    what_ifs = list(dict.fromkeys(r.what_if for r in rows))  # type: ignore[attr-defined]
    for k, what_if in enumerate(what_ifs):
        mine = {r.outcome: r for r in rows if r.what_if == what_if}  # type: ignore[attr-defined]
        y = np.arange(len(outcomes)) + 0.8 * (k - (len(what_ifs) - 1) / 2) / len(what_ifs)
        mean, low, high = (
            np.array([getattr(mine[o], key) if o in mine else np.nan for o in outcomes])
            for key in ("difference", "low", "high")
        )
        err = np.nan_to_num(np.vstack([mean - low, high - mean]))
        ax.errorbar(mean, y, xerr=err, fmt="o", capsize=3, label=what_if)
    ax.axvline(0, color="grey", linewidth=0.8)
    ax.set_yticks(np.arange(len(outcomes)), list(labels) if labels is not None else outcomes)
    ax.tick_params(axis="y", labelsize="small")
    ax.invert_yaxis()
    ax.set_xlabel("difference from the base")
    if len(what_ifs) > 1:
        ax.legend(fontsize="small")
    return ax


def plot_response(
    x: Sequence[float],
    mean: Sequence[float],
    low: Sequence[float] | None = None,
    high: Sequence[float] | None = None,
    *,
    xlabel: str = "",
    ylabel: str = "",
    log_x: bool = False,
    ax: Axes | None = None,
) -> Axes:
    """A sweep's response curve: the outcome's mean at each point with its band.

    Parameters
    ----------
    x : ``(points,)``
        The swept parameter's values.
    mean, low, high : ``(points,)``
        The outcome's mean and band limits at each point (``low``/``high`` optional).
    log_x : bool
        A logarithmic x axis (for ``log:a:b:n`` sweeps).
    """
    import numpy as np

    ax = _axes(ax)
    order = np.argsort(np.asarray(x, dtype=float))
    xs = np.asarray(x, dtype=float)[order]
    (line,) = ax.plot(xs, np.asarray(mean, dtype=float)[order], marker="o")
    if low is not None and high is not None:
        ax.fill_between(
            xs,
            np.asarray(low, dtype=float)[order],
            np.asarray(high, dtype=float)[order],
            color=line.get_color(),
            alpha=0.2,
            linewidth=0,
        )
    if log_x:
        ax.set_xscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return ax


def plot_heatmap(
    x: Sequence[float],
    y: Sequence[float],
    values: Sequence[Sequence[float]],
    *,
    xlabel: str = "",
    ylabel: str = "",
    label: str = "",
    ax: Axes | None = None,
) -> Axes:
    """A 2-D sweep's outcome as a heatmap; ``values`` is ``(len(y), len(x))``."""
    import numpy as np

    ax = _axes(ax)
    grid = np.asarray(values, dtype=float)
    mesh = ax.pcolormesh(_edges(x), _edges(y), grid, shading="flat")
    ax.figure.colorbar(mesh, ax=ax, label=label)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    return ax


def _edges(centres: Sequence[float]):
    """Cell edges around sorted centres (midpoints; the ends mirror the nearest gap)."""
    import numpy as np

    c = np.asarray(centres, dtype=float)
    if c.size == 1:
        return np.array([c[0] - 0.5, c[0] + 0.5])
    mid = (c[1:] + c[:-1]) / 2
    return np.concatenate([[c[0] - (mid[0] - c[0])], mid, [c[-1] + (c[-1] - mid[-1])]])


def plot_org_state(
    org: CompiledOrg,
    results: Results,
    step: int,
    *,
    milestone: str = "adopted",
    layout_seed: int = 0,
    calendar: Calendar | None = None,
    ax: Axes | None = None,
) -> Axes:
    """The organisation graph, each person coloured by the share of runs in which they had
    reached ``milestone`` (default: adopted) by ``step``; staff only, ties drawn faintly.

    Parameters
    ----------
    org : CompiledOrg
        The organisation the results were simulated on (same node order).
    results : Results
    step : int
        The step (week) at which to read the states.
    milestone : str
        A key of ``results.first_step``.
    layout_seed : int
        Seed of the spring layout, so the same organisation is drawn the same way.
    calendar : Calendar, optional
        Labels the figure with the step's date instead of its number.
    """
    import networkx as nx
    import numpy as np

    ax = _axes(ax)
    first = results.first_step[milestone]
    share = ((first >= 0) & (first <= step)).mean(axis=0)
    staff = np.flatnonzero(org.is_staff)
    graph = nx.from_scipy_sparse_array(org.combined[staff][:, staff])
    pos = nx.spring_layout(graph, seed=layout_seed, k=1.5 / np.sqrt(max(len(staff), 1)))
    xy = np.array([pos[i] for i in range(len(staff))])
    rows, cols = org.combined[staff][:, staff].nonzero()
    upper = rows < cols
    from matplotlib.collections import LineCollection

    segments = np.stack([xy[rows[upper]], xy[cols[upper]]], axis=1)
    ax.add_collection(LineCollection(segments, colors="0.8", linewidths=0.3, zorder=1))
    points = ax.scatter(
        xy[:, 0], xy[:, 1], c=share[staff], cmap="viridis", vmin=0, vmax=1, s=14, zorder=2
    )
    when = f"step {step}" if calendar is None else calendar.date_of(step).isoformat()
    ax.figure.colorbar(points, ax=ax, label=f"share of runs {milestone} by {when}")
    ax.set_axis_off()
    ax.set_title(f"{org.name or 'organisation'}: {milestone} by {when}")
    return ax


__all__ += ["plot_differences", "plot_heatmap", "plot_org_state", "plot_response"]
