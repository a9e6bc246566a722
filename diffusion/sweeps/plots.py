"""Plots of sweeps: response curves and heatmaps of a store, and sensitivity indices.

Every function takes ``ax=`` and returns the Axes; none calls ``show``. The curves and
heatmaps are :func:`diffusion.plotting.plot_response` and :func:`~diffusion.plotting.plot_heatmap`
fed from the store; matplotlib is imported inside the functions.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

from diffusion.errors import InputError
from diffusion.results import band
from diffusion.sweeps.store import ALL, measure_band, param_paths, run_outcomes

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from diffusion.sweeps.sensitivity import Indices


def sweep_output(
    ds: Any, name: str, group: str = ALL, at: str = "end"
) -> tuple[np.ndarray, np.ndarray, np.ndarray, str]:
    """Return an output of every point with its band over runs, for plotting.

    Parameters
    ----------
    ds : xarray.Dataset
        An open sweep store.
    name : str
        A measure (``adopters``, ``trained``, ``working``: people in ``group`` at ``at``) or
        a key outcome (a ``summary.csv`` column without its `` mean``, e.g. ``"years to 25%
        of staff working from the intent"``; ``group`` and ``at`` do not apply).
    group, at : str
        ``all`` or ``GROUPING:LABEL``; ``end`` or ``YYYY-MM-DD``.

    Returns
    -------
    mean, low, high : float arrays ``(points,)``
        Mean over runs and the band between the store's quantiles; NaN at points not done.
    label : str
        What the output is, for an axis.
    """
    if name in [str(m) for m in ds["measure"].values]:
        mean, low, high = measure_band(ds, name, at, group)
        where = "all people" if group == ALL else group
        return mean, low, high, f"{name} ({where}) at {at}"
    per_run = run_outcomes(ds, name)  # (points, runs)
    b = band(per_run.T, tuple(float(q) for q in ds.attrs["quantiles"]))
    done = np.asarray(ds["completed"].values, dtype=bool)
    out = [np.where(done, v, np.nan) for v in (b.mean, b.low, b.high)]
    return out[0], out[1], out[2], name


def _numbers(ds: Any, path: str) -> np.ndarray:
    values = ds[path].values
    if not np.issubdtype(values.dtype, np.number):
        raise InputError("", path, "a plot needs numbers; this parameter takes other values")
    return np.asarray(values, dtype=np.float64)


def _log_scale(ds: Any, i: int) -> bool:
    from diffusion.sweeps.spec import parse_param

    return parse_param(ds.attrs["params"][i]).kind == "log"


def plot_sweep(
    ds: Any, name: str = "adopters", group: str = ALL, at: str = "end", *, ax: Axes | None = None
) -> Axes:
    """Return a sweep's output over its parameters.

    A response curve with its band for one swept parameter, a heatmap of the mean for a grid of two.

    Parameters
    ----------
    ds : xarray.Dataset
        An open sweep store (points not done are left out, or blank cells).
    name, group, at : str
        The output, as for :func:`sweep_output`.
    ax : matplotlib Axes, optional

    Raises
    ------
    InputError
        For no finished point, an unknown output, non-numeric parameters, or a sweep that
        is neither one parameter nor a grid of two.
    """
    from diffusion.plotting import plot_heatmap, plot_response

    paths = param_paths(ds)
    done = np.asarray(ds["completed"].values, dtype=bool)
    if not done.any():
        raise InputError("", "", "no point of the sweep is done yet; nothing to plot")
    mean, low, high, label = sweep_output(ds, name, group, at)
    if len(paths) == 1:
        x = _numbers(ds, paths[0])
        ax = plot_response(
            x[done],
            mean[done],
            low[done],
            high[done],
            xlabel=paths[0],
            ylabel=label,
            log_x=_log_scale(ds, 0),
            ax=ax,
        )
        q = [round(100 * float(v)) for v in ds.attrs["quantiles"]]
        ax.set_title(f"mean and {q[0]}-{q[1]}% band over {ds.sizes['run']} runs", fontsize="small")
        return ax
    if len(paths) == 2 and ds.attrs.get("design") == "grid":
        x, y = _numbers(ds, paths[0]), _numbers(ds, paths[1])
        xs, ys = np.unique(x), np.unique(y)
        grid = np.full((ys.size, xs.size), np.nan)
        grid[np.searchsorted(ys, y), np.searchsorted(xs, x)] = mean
        ax = plot_heatmap(
            xs, ys, grid, xlabel=paths[0], ylabel=paths[1], label=label, runs=ds.sizes["run"], ax=ax
        )
        if _log_scale(ds, 0):
            ax.set_xscale("log")
        if _log_scale(ds, 1):
            ax.set_yscale("log")
        return ax
    raise InputError(
        "",
        "",
        f"sweep-plot draws one swept parameter (a curve) or a grid of two (a heatmap); this "
        f"sweep has {len(paths)} parameters in a {ds.attrs.get('design')} design",
    )


def plot_indices(indices: Indices, *, ax: Axes | None = None) -> Axes:
    """Sensitivity indices as bars with their confidence intervals, and the noise floor.

    Parameters
    ----------
    indices : SobolIndices or MorrisIndices
        One bar group per input (the dummy last), one bar per index (``S1`` and ``ST``, or
        ``mu*``), error bars the confidence half-widths; a dashed line marks the noise
        floor (the dummy's index plus its interval).
    ax : matplotlib Axes, optional
    """
    from diffusion.plotting import _axes

    ax = _axes(ax)
    bars = indices.bars()
    x = np.arange(len(indices.names))
    width = 0.8 / len(bars)
    for j, (label, (values, conf)) in enumerate(bars.items()):
        offset = (j - (len(bars) - 1) / 2) * width
        ax.bar(x + offset, values, width, yerr=conf, capsize=3, label=label)
    ax.axhline(indices.noise_floor, color="0.3", linestyle="--", linewidth=1)
    ax.axhline(0, color="0.5", linewidth=0.5)
    ax.plot([], [], color="0.3", linestyle="--", label=f"noise floor ({indices.floor_label})")
    ax.set_xticks(x, [n.rsplit(".", 1)[-1] for n in indices.names])
    level = round(100 * indices.conf_level)
    ax.set_ylabel(f"index [{level}% interval]")
    ax.legend(fontsize="small")
    return ax
