"""Plots of results for slides.

Every function takes ``ax=`` and returns the Axes (or a Figure for several panels); none calls
``show`` or ``matplotlib.use`` and none writes a file: :func:`diffusion.io.save_figure` does,
atomically, to the path it is given.

matplotlib is imported inside the functions, so importing this module is cheap.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from diffusion.results import Results

if TYPE_CHECKING:
    import networkx as nx
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from diffusion.calendar import Calendar
    from diffusion.compile import CompiledOrg

#: measures in words for labels: the states counted -> what the people counted do
STATE_WORDS: dict[tuple[str, ...], str] = {
    ("adopter", "trained"): "working from the intent",
    ("trained",): "trained",
    ("adopter",): "adopting without the course",
}
#: one strong colour per group, in the order of the grouping's labels (colour-blind safe
#: Okabe-Ito palette, then matplotlib's tab10 for more groups)
PALETTE: tuple[str, ...] = (
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#E69F00",
    "#56B4E9",
    "#000000",
    "#F0E442",
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#d62728",
    "#9467bd",
    "#8c564b",
)
#: opacity of the quantile bands: light, so overlapping bands keep their lines readable
BAND_ALPHA = 0.13

#: an event marker: when (a date with a calendar, else a step) and what happened
Marker = tuple[dt.date | int, str]


def _axes(ax: Axes | None) -> Axes:
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    return plt.figure(figsize=(8, 4.5)).add_subplot()


def new_figure(width: float = 8.0, height: float = 4.5) -> Figure:
    """Make a matplotlib Figure not managed by pyplot (no backend, no window), for files."""
    from matplotlib.figure import Figure

    return Figure(figsize=(width, height))


def state_words(states: str | Sequence[str]) -> str:
    """Return the states counted, in words.

    ``("trained", "adopter")`` -> "working from the intent".
    """
    names = (states,) if isinstance(states, str) else tuple(states)
    return STATE_WORDS.get(tuple(sorted(names)), " + ".join(names))


def group_names(org: CompiledOrg, grouping: str = "department") -> dict[str, str]:
    """Legend names of a grouping's labels, with each group's side from the organisation.

    ``{"S": "S (soft)", "O": "O (hard)"}``; a group whose people are on both sides is "mixed", and a
    label stays as it is where the organisation records no sides.
    """
    codes = org.codes(grouping)
    labels = org.group_labels[grouping]
    if "side" not in org.groups or grouping == "side":
        return {g: g for g in labels if g}
    sides, side_labels = org.codes("side"), org.group_labels["side"]
    out = {}
    for code, label in enumerate(labels):
        if not label:
            continue
        present = {side_labels[s] for s in np.unique(sides[codes == code]) if side_labels[s]}
        side = present.pop() if len(present) == 1 else ("mixed" if present else "")
        out[label] = f"{label} ({side})" if side else label
    return out


def group_colours(labels: Sequence[str]) -> dict[str, str]:
    """Give one colour per label, fixed by the label's place in ``labels``.

    So every plot of the same grouping gives a department the same colour.
    """
    return {g: PALETTE[i % len(PALETTE)] for i, g in enumerate(labels)}


def smooth_quantiles(values: np.ndarray, quantiles: Sequence[float]) -> np.ndarray:
    """Harrell-Davis quantiles over runs (axis 0) of ``values`` ``(runs, ...)``.

    Each quantile is a Beta-weighted mean of all the order statistics instead of one or two
    of them, so bands of small integer counts change smoothly over time instead of jumping
    between integers (Harrell & Davis 1982, Biometrika 69:635). Returns
    ``(len(quantiles), ...)``. (:func:`diffusion.tally.smooth_quantiles`; a tally's
    :meth:`~diffusion.tally.Spread.smooth_quantiles` gives the same from histograms.)
    """
    from diffusion.tally import smooth_quantiles as from_values

    return from_values(values, quantiles)


def mark_events(ax: Axes, markers: Sequence[Marker], *, calendar: Calendar | None = None) -> None:
    """Dotted vertical lines at the events, each labelled near the top of the Axes.

    Events on one date share a line and a label. Labels of events closer together than a
    label is wide are moved apart (in their order, each as near its line as the others
    allow) and joined to their line by a thin leader, so that none hides another.
    """
    from matplotlib.dates import date2num
    from matplotlib.font_manager import FontProperties

    merged: dict[dt.date | int, list[str]] = {}
    for when, text in markers:  # events on one date share a line and a label
        if isinstance(when, dt.date) and calendar is None:
            continue
        merged.setdefault(when, []).append(text)
    if not merged:
        return
    whens = sorted(merged, key=lambda w: float(date2num(w)) if isinstance(w, dt.date) else w)
    xs = [np.datetime64(w, "D") if isinstance(w, dt.date) else w for w in whens]
    for x in xs:
        ax.axvline(x, color="0.35", linestyle=":", linewidth=1.1, zorder=1)
    low, high = ax.get_xlim()
    at = np.array([float(date2num(w)) if isinstance(w, dt.date) else float(w) for w in whens])
    fraction = (at - low) / ((high - low) or 1.0)  # of the Axes' width
    # a label's width (the rotated text's line height), as a share of the Axes' width
    size = FontProperties(size="x-small").get_size_in_points()
    axes_inches = ax.figure.get_figwidth() * ax.get_position().width
    width = 1.3 * size / 72 / max(axes_inches, 1e-9)
    slots = label_slots(fraction, width)
    for f, slot, when in zip(fraction, slots, whens, strict=True):
        # the leader: from the top of the line to the top of its label (just left of slot)
        ax.plot(
            [f, slot - width / 2],
            [1.0, 0.93],
            transform=ax.transAxes,
            color="0.35",
            linewidth=0.6,
            clip_on=False,
            zorder=1,
        )
        ax.text(
            slot,
            0.925,
            ", ".join(dict.fromkeys(merged[when])),
            transform=ax.transAxes,
            rotation=90,
            va="top",
            ha="right",
            fontsize="x-small",
            color="0.25",
            # over the other events' lines, which may pass behind a moved label
            bbox={"facecolor": "white", "edgecolor": "none", "alpha": 0.85, "pad": 0.4},
            zorder=2,
        )


def label_slots(at: np.ndarray, width: float) -> np.ndarray:
    """Return places for labels of ``width`` at the sorted places ``at``, none overlapping.

    Each label is as near its place as the others allow, in the same order: labels that
    would overlap are packed side by side around the mean of their places (the placement
    with the least squared shift for such a group), and groups that then overlap are
    packed together, until none does.

    Examples
    --------
    >>> label_slots(np.array([0.1, 0.5, 0.52]), 0.04).round(3).tolist()
    [0.1, 0.49, 0.53]
    """
    groups: list[tuple[float, int, float]] = []  # (first slot, labels, sum of their places)
    for x in np.asarray(at, dtype=float):
        groups.append((x, 1, x))
        while len(groups) > 1 and groups[-2][0] + groups[-2][1] * width > groups[-1][0]:
            (_, n1, s1), (_, n2, s2) = groups[-2], groups[-1]
            n, total = n1 + n2, s1 + s2
            groups[-2:] = [(total / n - (n - 1) * width / 2, n, total)]
    return np.concatenate([first + width * np.arange(n) for first, n, _ in groups])


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
    names: Mapping[str, str] | None = None,
    scenario: str | None = None,
    markers: Sequence[Marker] = (),
    color: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Spread curves.

    The mean over runs (a strong line) with a light quantile band, one curve per group, each group
    in its own colour.

    Parameters
    ----------
    results : Results
    states : str or sequence of str
        States counted together (e.g. ``("trained", "adopter")``: people working from the
        intent).
    grouping, groups : str, sequence of str, optional
        One curve per group of ``grouping`` (all groups unless ``groups`` names some);
        without ``grouping`` one curve for everyone.
    calendar : Calendar, optional
        Puts dates on the x axis instead of steps.
    quantiles : (low, high)
        The band's quantiles over runs (default: a 90% band), estimated smoothly
        (:func:`smooth_quantiles`).
    share : bool
        Plot the share of the group (0-1) instead of the number of people.
    label : str, optional
        Legend label of the curve when there is one (no ``grouping``); default "all". Use it
        to overlay several results on one Axes.
    names : mapping of str to str, optional
        Legend names of the groups, e.g. from :func:`group_names` ("S (soft)").
    scenario : str, optional
        The scenario's name, for the title.
    markers : sequence of (date or step, text)
        Events to mark with a dotted line (dates need ``calendar``).
    color : str, optional
        One colour for every curve (default: one per group, :func:`group_colours`).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
    """
    from matplotlib.colors import to_rgba

    ax = _axes(ax)
    x = calendar.dates_of(results.steps) if calendar is not None else results.steps
    if grouping is None:
        curves = {label or "all": results.spread(states)}
        sizes = {label or "all": results.n_people}
        colours = {label or "all": color}
    else:
        all_labels = list(results.group_labels[grouping])
        chosen = list(groups) if groups is not None else [g for g in all_labels if g]
        all_sizes = results.group_sizes(grouping)
        curves = {g: results.spread(states, grouping, g) for g in chosen}
        sizes = {g: all_sizes[all_labels.index(g)] for g in chosen}
        colours = group_colours([g for g in all_labels if g])
        if color is not None:
            colours = dict.fromkeys(chosen, color)
    names = names or {}
    for name, spread in curves.items():
        scale = 1 / max(int(sizes[name]), 1) if share else 1
        low, high = spread.smooth_quantiles(quantiles) * scale
        (line,) = ax.plot(
            x,
            spread.mean() * scale,
            label=names.get(name, name or "(none)"),
            color=colours.get(name),
            linewidth=2.2,
            zorder=3,
        )
        ax.fill_between(
            x,
            low,
            high,
            facecolor=to_rgba(line.get_color(), BAND_ALPHA),
            edgecolor=to_rgba(line.get_color(), 0.55),  # thin edges keep overlaps apart
            linewidth=0.6,
        )
    words = state_words(states)
    ax.set_ylabel(f"share of people {words}" if share else f"people {words}")
    ax.set_xlabel("date" if calendar is not None else "week")
    level = round(100 * (quantiles[1] - quantiles[0]))
    head = f"{scenario}: " if scenario else ""
    ax.set_title(f"{head}people {words}\nmean and {level}% band over {results.n_runs} runs")
    if markers:
        mark_events(ax, markers, calendar=calendar)
    ax.set_ylim(bottom=0)
    if len(curves) > 1 or label is not None:
        # outside the Axes, so it hides no curve and no event label
        ax.legend(title=grouping, fontsize="small", loc="upper left", bbox_to_anchor=(1.01, 1))
    ax.grid(alpha=0.25)
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
    names: Mapping[str, str] | None = None,
    scenario: str | None = None,
    markers: Sequence[Marker] = (),
    fig: Figure | None = None,
) -> Figure:
    """Draw one :func:`plot_spread` panel per entry of ``panels`` (name -> states).

    Side by side, each titled with its states in words ("people working from the intent").

    ``groups`` limits the curves to those groups (default: every group with a label, so
    nodes outside the departments, such as the board, are left out); ``share`` plots shares;
    ``names``, ``scenario`` and ``markers`` as in :func:`plot_spread`. Draws on ``fig``
    (default: a new pyplot figure) and returns it.
    """
    if grouping is not None and groups is None:
        sizes = results.group_sizes(grouping)
        labels = results.group_labels[grouping]
        groups = [g for g, n in zip(labels, sizes, strict=True) if g and n > 0]
    if fig is None:
        import matplotlib.pyplot as plt

        fig = plt.figure()
    fig.set_size_inches(6.5 * len(panels), 4.8)
    axes = fig.subplots(1, len(panels), squeeze=False)
    for ax, states in zip(axes[0], panels.values(), strict=True):
        plot_spread(
            results,
            states,
            grouping,
            groups,
            calendar=calendar,
            quantiles=quantiles,
            share=share,
            names=names,
            markers=markers,
            ax=ax,
        )
        ax.set_title(f"people {state_words(states)}")
    level = round(100 * (quantiles[1] - quantiles[0]))
    head = f"{scenario}: " if scenario else ""
    fig.suptitle(f"{head}mean and {level}% band over {results.n_runs} runs")
    fig.autofmt_xdate()
    fig.tight_layout()
    return fig


__all__ = ["plot_spread", "plot_spread_panels"]


@dataclass(frozen=True)
class Style:
    """How one what-if is drawn: colour, marker (points) and line style (curves)."""

    colour: str
    marker: str
    line: str


#: how many colours of :data:`PALETTE` what-ifs take before a colour comes back with
#: another marker and line style (the eight Okabe-Ito colours)
N_STYLE_COLOURS = 8
_MARKERS = ("o", "s", "^", "D")
_LINES = ("-", "--", ":", "-.")


def what_if_styles(names: Sequence[str]) -> dict[str, Style]:
    """One distinct style per what-if, in order: colours first, then markers and line styles.

    Parameters
    ----------
    names : sequence of str
        The what-ifs, in the order of the comparison.

    Returns
    -------
    dict of str to Style

    Examples
    --------
    >>> styles = what_if_styles([f"w{k}" for k in range(10)])
    >>> styles["w0"].colour == styles["w8"].colour, styles["w0"].marker, styles["w8"].marker
    (True, 'o', 's')
    """
    return {
        name: Style(
            PALETTE[k % N_STYLE_COLOURS],
            _MARKERS[(k // N_STYLE_COLOURS) % len(_MARKERS)],
            _LINES[(k // N_STYLE_COLOURS) % len(_LINES)],
        )
        for k, name in enumerate(names)
    }


def style_handles(styles: dict[str, Style], *, curve: bool) -> list:
    """Legend entries for ``styles``: lines (``curve``) or markers alone."""
    from matplotlib.lines import Line2D

    return [
        Line2D(
            [],
            [],
            color=style.colour,
            marker="None" if curve else style.marker,
            linestyle=style.line if curve else "None",
            linewidth=2.2,
            label=name,
        )
        for name, style in styles.items()
    ]


def plot_differences(
    rows: Sequence[object],
    *,
    labels: Sequence[str] | None = None,
    styles: dict[str, Style] | None = None,
    legend: bool = True,
    ax: Axes | None = None,
) -> Axes:
    """What-if differences with their intervals: one row per outcome, one style per what-if.

    Parameters
    ----------
    rows : sequence of objects with ``what_if``, ``outcome``, ``difference``, ``low``, ``high``
        E.g. :class:`diffusion.comparison.Outcome` rows (one family of outcomes, so the x axis
        has one unit).
    labels : sequence of str, optional
        Display names for the outcomes, in order of first appearance (default: the names).
    styles : dict of str to Style, optional
        Each what-if's style (default: :func:`what_if_styles` of the what-ifs in ``rows``);
        also the order of the points within a row.
    legend : bool
        Draw a legend when there is more than one what-if (a figure of several panels draws
        one for all instead).
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
    """
    import numpy as np

    ax = _axes(ax)
    outcomes = list(dict.fromkeys(r.outcome for r in rows))  # type: ignore[attr-defined]
    present = list(dict.fromkeys(r.what_if for r in rows))  # type: ignore[attr-defined]
    styles = what_if_styles(present) if styles is None else styles
    what_ifs = [w for w in styles if w in present]
    index = {(r.what_if, r.outcome): r for r in rows}  # type: ignore[attr-defined]
    for k, what_if in enumerate(what_ifs):
        y = np.arange(len(outcomes)) + 0.8 * (k - (len(what_ifs) - 1) / 2) / len(what_ifs)
        picked = [index.get((what_if, o)) for o in outcomes]
        mean, low, high = (
            np.array([getattr(r, key) if r is not None else np.nan for r in picked])
            for key in ("difference", "low", "high")
        )
        style = styles[what_if]
        ax.errorbar(
            mean,
            y,
            xerr=np.nan_to_num(np.vstack([mean - low, high - mean])),
            fmt=style.marker,
            color=style.colour,
            markersize=5,
            capsize=2.5,
            label=what_if,
        )
    ax.axvline(0, color="0.4", linewidth=0.8)
    ax.set_yticks(np.arange(len(outcomes)), list(labels) if labels is not None else outcomes)
    ax.tick_params(axis="y", labelsize="small")
    for edge in np.arange(len(outcomes) - 1) + 0.5:  # thin rules keep the rows apart
        ax.axhline(edge, color="0.9", linewidth=0.8, zorder=0)
    if outcomes:
        ax.set_ylim(len(outcomes) - 0.5, -0.5)
    ax.set_xlabel("difference from the base")
    ax.grid(axis="x", alpha=0.25)
    if legend and len(what_ifs) > 1:
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
    """Return a sweep's response curve: the outcome's mean at each point with its band.

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
    runs: int | None = None,
    digits: int | None = None,
    ax: Axes | None = None,
) -> Axes:
    """Return a 2-D sweep's outcome as a heatmap; ``values`` is ``(len(y), len(x))``.

    The ticks sit at the cell centres (the swept values), each cell prints its value
    (``digits`` decimals; default: from the values' range), and ``runs`` says in the title
    how many runs each cell's value rests on.
    """
    ax = _axes(ax)
    grid = np.asarray(values, dtype=float)
    xs, ys = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    mesh = ax.pcolormesh(_edges(xs), _edges(ys), grid, shading="flat", cmap="viridis")
    ax.figure.colorbar(mesh, ax=ax, label=label)
    ax.set_xticks(xs, [_tick(v) for v in xs])
    ax.set_yticks(ys, [_tick(v) for v in ys])
    if digits is None:
        span = np.nanmax(np.abs(grid)) if np.isfinite(grid).any() else 1.0
        digits = 0 if span >= 100 else 1 if span >= 1 else 3
    if grid.size <= 400:
        low, high = mesh.get_clim()
        for (i, j), v in np.ndenumerate(grid):
            if not np.isfinite(v):
                continue
            bright = (v - low) / ((high - low) or 1.0) > 0.6
            ax.text(
                xs[j],
                ys[i],
                f"{v:.{digits}f}",
                ha="center",
                va="center",
                fontsize="small" if grid.size <= 64 else "x-small",
                color="black" if bright else "white",
            )
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if runs is not None:
        ax.set_title(f"{label}: mean of {runs} runs per cell" if label else f"{runs} runs per cell")
    return ax


def _tick(v: float) -> str:
    return f"{v:g}"


def _edges(centres: Sequence[float]):
    """Cell edges around sorted centres (midpoints; the ends mirror the nearest gap)."""
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
    grouping: str = "department",
    ax: Axes | None = None,
) -> Axes:
    """Draw the organisation graph, each person coloured by a share of runs.

    The share of runs in which they had reached ``milestone`` (default: adopted, i.e.
    working from the intent) by ``step``; staff only, ties drawn faintly, each department
    named (with its side) at its centre.

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
    grouping : str
        The groups named on the picture (default: departments); "" names none.
    """
    import networkx as nx
    from matplotlib.collections import LineCollection

    ax = _axes(ax)
    first = results.first_step[milestone]
    share = ((first >= 0) & (first <= step)).mean(axis=0)
    staff = np.flatnonzero(org.is_staff)
    ties = org.combined[staff][:, staff]
    graph = nx.from_scipy_sparse_array(ties)
    pos = nx.spring_layout(graph, seed=layout_seed, k=1.5 / np.sqrt(max(len(staff), 1)))
    xy = np.array([pos[i] for i in range(len(staff))])
    rows, cols = ties.nonzero()
    upper = rows < cols
    segments = np.stack([xy[rows[upper]], xy[cols[upper]]], axis=1)
    ax.add_collection(LineCollection(segments, colors="0.85", linewidths=0.3, zorder=1))
    size = 30 if len(staff) <= 100 else 14
    points = ax.scatter(
        xy[:, 0],
        xy[:, 1],
        c=share[staff],
        cmap="viridis",
        vmin=0,
        vmax=1,
        s=size,
        edgecolors="0.3",
        linewidths=0.3,
        zorder=2,
    )
    if grouping and grouping in org.groups:
        codes = org.codes(grouping)[staff]
        for code, name in enumerate(org.group_labels[grouping]):
            mine = codes == code
            if not name or not mine.any():
                continue
            cx, cy = xy[mine].mean(axis=0)
            ax.text(
                cx,
                cy,
                group_names(org, grouping).get(name, name),
                ha="center",
                va="center",
                fontsize="medium",
                fontweight="bold",
                zorder=4,
                bbox={"boxstyle": "round", "facecolor": "white", "alpha": 0.85, "pad": 0.3},
            )
    when = f"week {step}" if calendar is None else f"the week of {calendar.date_of(step)}"
    words = "working from the intent" if milestone == "adopted" else milestone
    ax.figure.colorbar(points, ax=ax, label=f"share of runs in which the person is {words}")
    ax.set_axis_off()
    ax.set_title(
        f"{org.name or 'organisation'}: who works from the intent by {when} ({results.n_runs} runs)"
        if milestone == "adopted"
        else f"{org.name or 'organisation'}: {milestone} by {when} ({results.n_runs} runs)"
    )
    return ax


def plot_org_graph(G: nx.Graph) -> Figure:
    """Draw an organisation's graph: people as points coloured by department, ties as lines.

    Parameters
    ----------
    G : networkx.Graph
        An organisation graph (:mod:`diffusion.org`), nodes with a ``department`` attribute.

    Returns
    -------
    matplotlib Figure
        Unsaved, 10 x 10 inches, laid out by a spring layout with seed 0 (the same picture
        for the same graph).
    """
    import matplotlib
    import networkx as nx

    from diffusion.org.graph import natural_key

    departments = sorted({d.get("department", "") for _, d in G.nodes(data=True)}, key=natural_key)
    cmap = matplotlib.colormaps["tab10"]
    colour = {dept: cmap(i % 10) for i, dept in enumerate(departments)}
    pos = nx.spring_layout(G, seed=0)
    fig = new_figure(10, 10)
    ax = fig.add_subplot()
    nx.draw_networkx_edges(G, pos, ax=ax, alpha=0.15, width=0.5)
    for dept in departments:
        nodes = [n for n, d in G.nodes(data=True) if d.get("department", "") == dept]
        nx.draw_networkx_nodes(
            G,
            pos,
            nodelist=nodes,
            node_color=[colour[dept]],
            node_size=25,
            ax=ax,
            label=dept or "(none)",
        )
    ax.legend(title="department", loc="upper right")
    ax.set_axis_off()
    return fig


def plot_curves_vs(
    base: Results,
    other: Results,
    states: str | Sequence[str],
    *,
    names: tuple[str, str] = ("baseline", "what-if"),
    calendar: Calendar | None = None,
    quantiles: tuple[float, float] = (0.05, 0.95),
    markers: Sequence[Marker] = (),
    ax: Axes | None = None,
) -> Axes:
    """Draw a base's and a what-if's spread curves for all staff on one Axes.

    Strong lines, light bands, with the what-if's events marked.
    """
    ax = _axes(ax)
    for results, name, colour in zip((base, other), names, ("0.35", PALETTE[1]), strict=True):
        plot_spread(
            results,
            states,
            "kind",
            ["staff"],
            calendar=calendar,
            quantiles=quantiles,
            names={"staff": name},
            color=colour,
            ax=ax,
        )
    if markers:
        mark_events(ax, markers, calendar=calendar)
    level = round(100 * (quantiles[1] - quantiles[0]))
    ax.set_title(
        f"people {state_words(states)}: mean and {level}% band over {base.n_runs} runs each"
    )
    # lower right: the curves rise from the lower left, and the event labels hang from the top
    ax.legend(fontsize="small", loc="lower right", framealpha=0.9)
    return ax


def plot_difference_over_time(
    x: Sequence,
    difference: Sequence[float],
    low: Sequence[float],
    high: Sequence[float],
    *,
    label: str = "",
    ylabel: str = "difference in people",
    markers: Sequence[Marker] = (),
    calendar: Calendar | None = None,
    color: str | None = None,
    linestyle: str = "-",
    band_alpha: float = 0.2,
    ax: Axes | None = None,
) -> Axes:
    """Return a paired difference over time.

    The mean difference (a line) and its interval (a light band), a zero line, and the what-if's
    events marked.

    Parameters
    ----------
    x : ``(records,)``
        Dates (datetime64) or steps.
    difference, low, high : ``(records,)``
        Mean paired difference and its interval at each record.
    linestyle : str
        The line's style (``"-"``, ``"--"``, ...).
    band_alpha : float
        Opacity of the interval's band (lighter when many bands overlap).
    """
    ax = _axes(ax)
    (line,) = ax.plot(
        x,
        difference,
        label=label or None,
        color=color,
        linestyle=linestyle,
        linewidth=2.2,
        zorder=3,
    )
    ax.fill_between(x, low, high, color=line.get_color(), alpha=band_alpha, linewidth=0)
    ax.axhline(0, color="0.4", linewidth=0.8)
    if markers:
        mark_events(ax, markers, calendar=calendar)
    ax.set_ylabel(ylabel)
    ax.set_xlabel("date" if calendar is not None else "week")
    ax.grid(alpha=0.25)
    return ax


__all__ += [
    "Style",
    "group_colours",
    "group_names",
    "mark_events",
    "new_figure",
    "plot_curves_vs",
    "plot_difference_over_time",
    "plot_differences",
    "plot_heatmap",
    "plot_org_graph",
    "plot_org_state",
    "plot_response",
    "smooth_quantiles",
    "state_words",
    "style_handles",
    "what_if_styles",
]
