"""The sweep store: xarray + zarr, one region per point, written by the workers.

Layout
------
One zarr group (format 2 on disk, which zarr 2 and zarr 3 both read) holding:

``counts`` ``(point, run, step, group, state)``, unsigned integers
    People in each state in each group at each recorded step, for every run of every point.
    ``step`` is the recorded step (weeks from the calendar's start; every ``record_every``
    weeks and the last); ``group`` is ``"all"`` then ``"GROUPING:LABEL"`` for each group of
    each recorded grouping (``"department:O"``); ``state`` the model's state names. One chunk
    per point, so workers write their points side by side without touching each other's.
``completed`` ``(point,)`` bool
    Set, last, when a point's counts are written: a point is done exactly when this is
    true, so ``--resume`` redoes any point whose writing was cut short.
``computed_at`` ``(point,)`` float64
    Unix time at which the point was finished (NaN before), and ``seconds`` ``(point,)``
    float64, the time its simulation and writing took on its worker.

Coordinates on ``point``: each swept parameter under its path (``model.params.x``),
``run_offset`` (point ``p`` holds runs ``run_offset[p] + 0 .. R-1`` of the root seed) and
``overrides`` (the ``--set`` text that reproduces the point). On ``step``: ``date``.

Attributes (provenance): ``scenario`` (the resolved base scenario as JSON, after ``--set``),
``scenario_file``, ``sets``, ``params``, ``design``, ``points``, ``runs``, ``seed``,
``record_every``, ``groupings``, ``calendar_start``/``calendar_end``, ``quantiles``,
``measures`` (name -> states), ``report_dates``, ``version``, ``command``, ``created``, ``seeding``.

Size: ``points x runs x steps x groups x states`` counts of 2 bytes (4 past 65,535 people);
the Etten-Leur baseline (835 weekly records, department + all = 6 groups, 7 states) takes
about 7 MB a point for 200 runs before compression, about 0.5 MB after.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from diffusion.errors import InputError
from diffusion.results import Results

#: marker attribute of a sweep store (and the version of its layout)
STORE_MARK = "diffusion_sweep"
STORE_FORMAT = 1
#: attributes that must match for ``--resume`` to continue a store
FINGERPRINT = (
    "scenario",
    "params",
    "design",
    "points",
    "runs",
    "seed",
    "record_every",
    "groupings",
)
ALL = "all"


@dataclass(frozen=True)
class Layout:
    """The shape of every point's counts, known before any point is simulated.

    Attributes
    ----------
    steps : int array ``(records,)``
        Recorded steps (weeks from the start).
    dates : datetime64[D] array ``(records,)``
        Their dates.
    groups : tuple of str
        ``"all"``, then ``"GROUPING:LABEL"`` for every group of every recorded grouping.
    states : tuple of str
        The model's state names.
    n_runs : int
        Runs per point.
    dtype : str
        Integer type of the counts.
    """

    steps: np.ndarray
    dates: np.ndarray
    groups: tuple[str, ...]
    states: tuple[str, ...]
    n_runs: int
    dtype: str

    @property
    def point_shape(self) -> tuple[int, int, int, int]:
        """``(runs, steps, groups, states)``."""
        return (self.n_runs, len(self.steps), len(self.groups), len(self.states))


def group_names(results: Results, groupings: Sequence[str]) -> tuple[str, ...]:
    """``"all"`` then ``"GROUPING:LABEL"`` for each group of each of ``groupings``."""
    return (ALL, *(f"{g}:{label}" for g in groupings for label in results.group_labels[g]))


def count_dtype(n_nodes: int) -> str:
    """The smallest unsigned integer type that holds a count of ``n_nodes`` people."""
    return "uint16" if n_nodes <= np.iinfo(np.uint16).max else "uint32"


def point_counts(results: Results, groupings: Sequence[str], dtype: str) -> np.ndarray:
    """A point's counts ``(runs, steps, groups, states)``: everyone, then each grouping."""
    parts = [results.total[:, :, None, :]]
    parts += [results.counts[g] for g in groupings]
    return np.concatenate([np.asarray(p, dtype=dtype) for p in parts], axis=2)


def _zarr_kwargs() -> dict[str, Any]:
    import zarr

    # format 2 on disk: readable by zarr 2 and 3, and no "unstable spec" warnings for strings
    return {"zarr_format": 2} if int(zarr.__version__.split(".")[0]) >= 3 else {}


def _coord(values: Sequence[Any]) -> np.ndarray:
    """A parameter's values as a coordinate: numbers as numbers, anything else as text."""
    if all(isinstance(v, int | np.integer) and not isinstance(v, bool) for v in values):
        return np.asarray(values, dtype=np.int64)
    if all(isinstance(v, int | float | np.number) and not isinstance(v, bool) for v in values):
        return np.asarray(values, dtype=np.float64)
    return np.asarray([v if isinstance(v, str) else json.dumps(v, default=str) for v in values])


def is_store(path: str | Path) -> bool:
    """Whether ``path`` is a sweep store (a zarr group marked by this package)."""
    attrs = Path(path) / ".zattrs"
    if not attrs.is_file():
        return False
    try:
        return STORE_MARK in json.loads(attrs.read_text())
    except (OSError, ValueError):
        return False


def create_store(
    path: str | Path,
    layout: Layout,
    params: Mapping[str, Sequence[Any]],
    run_offset: np.ndarray,
    overrides: Sequence[str],
    attrs: Mapping[str, Any],
) -> None:
    """Write an empty store: coordinates, attributes, and the metadata of every array.

    Parameters
    ----------
    path : str or path
        The store (a folder); it must not exist.
    layout : Layout
    params : mapping of path to sequence
        Each swept parameter's value at each point, ``(points,)``.
    run_offset : int array ``(points,)``
        First global run index of each point.
    overrides : sequence of str
        Each point's ``--set`` text.
    attrs : mapping
        Provenance (JSON-ready); the fingerprint keys among them guard ``--resume``.
    """
    import dask.array as da
    import xarray as xr

    n_points = len(run_offset)
    shape = (n_points, *layout.point_shape)
    data = {
        "counts": (
            ("point", "run", "step", "group", "state"),
            da.zeros(shape, dtype=layout.dtype, chunks=(1, *layout.point_shape)),
        ),
        "completed": (("point",), da.zeros(n_points, dtype=bool, chunks=1)),
        "computed_at": (("point",), da.full(n_points, np.nan, chunks=1)),
        "seconds": (("point",), da.full(n_points, np.nan, chunks=1)),
    }
    coords: dict[str, Any] = {
        "point": np.arange(n_points),
        "run": np.arange(layout.n_runs),
        "step": np.asarray(layout.steps, dtype=np.int64),
        "date": ("step", np.asarray(layout.dates, dtype="datetime64[ns]")),
        "group": list(layout.groups),
        "state": list(layout.states),
        "run_offset": ("point", np.asarray(run_offset, dtype=np.int64)),
        "overrides": ("point", np.asarray(list(overrides), dtype=str)),
    }
    for name, values in params.items():
        coords[name] = ("point", _coord(values))
    ds = xr.Dataset(data, coords=coords, attrs={STORE_MARK: STORE_FORMAT, **attrs})
    ds.counts.attrs["description"] = "people per state per group per recorded step per run"
    ds.to_zarr(str(path), mode="w-", compute=False, **_zarr_kwargs())


def remove_store(path: str | Path) -> None:
    """Delete a sweep store; refuse anything else (a folder that is not a store)."""
    if not is_store(path):
        raise InputError(str(path), "", "not a sweep store; refusing to delete it")
    shutil.rmtree(path)


def write_point(path: str | Path, point: int, counts: np.ndarray, seconds: float) -> None:
    """Write point ``point``'s counts ``(runs, steps, groups, states)``, then mark it done.

    Safe to call from many processes at once for different points (one chunk per point),
    and to repeat (a recomputed point writes the same values).
    """
    import xarray as xr

    region = {"point": slice(point, point + 1)}
    dims = ("point", "run", "step", "group", "state")
    xr.Dataset({"counts": (dims, counts[None])}).to_zarr(str(path), region=region)
    done = xr.Dataset(
        {
            "completed": (("point",), np.array([True])),
            "computed_at": (("point",), np.array([time.time()])),
            "seconds": (("point",), np.array([float(seconds)])),
        }
    )
    done.to_zarr(str(path), region=region)


def open_store(path: str | Path) -> Any:
    """Open a sweep store lazily as an :class:`xarray.Dataset`.

    Raises
    ------
    InputError
        If ``path`` is not a sweep store.
    """
    import xarray as xr

    if not is_store(path):
        raise InputError(str(path), "", "not a sweep store (no sweep made it)")
    return xr.open_zarr(str(path))


def completed(path: str | Path) -> np.ndarray:
    """Bool ``(points,)``: which points of the store are done."""
    return np.asarray(open_store(path)["completed"].values, dtype=bool)


def mismatches(path: str | Path, attrs: Mapping[str, Any]) -> list[str]:
    """The fingerprint attributes in which the store at ``path`` differs from ``attrs``."""
    stored = open_store(path).attrs
    return [k for k in FINGERPRINT if _canon(stored.get(k)) != _canon(attrs.get(k))]


def _canon(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


# ------------------------------------------------------------------------------ reading back
def point_results(ds: Any, point: int) -> Results:
    """Point ``point`` of an open store as :class:`~diffusion.results.Results`.

    Counts per grouping and over everyone are as the simulation recorded them; first steps
    per person are not stored, so ``first_step["adopted"]`` is empty ``(runs, 0)``.
    """
    counts = np.asarray(ds["counts"].isel(point=point).values)
    names = [str(g) for g in ds["group"].values]
    by_grouping: dict[str, list[int]] = {}
    labels: dict[str, list[str]] = {}
    for i, name in enumerate(names):
        if name == ALL:
            continue
        grouping, _, label = name.partition(":")
        by_grouping.setdefault(grouping, []).append(i)
        labels.setdefault(grouping, []).append(label)
    n_runs = counts.shape[0]
    offset = int(ds["run_offset"].values[point])
    attrs = ds.attrs
    return Results(
        state_names=tuple(str(s) for s in ds["state"].values),
        steps=np.asarray(ds["step"].values, dtype=np.int64),
        counts={g: counts[:, :, idx] for g, idx in by_grouping.items()},
        total=counts[:, :, names.index(ALL)],
        first_step={"adopted": np.zeros((n_runs, 0), dtype=np.int32)},
        run_ids=np.arange(n_runs, dtype=np.int64) + offset,
        node_ids=(),
        group_labels={g: tuple(v) for g, v in labels.items()},
        provenance={
            "seed": int(attrs.get("seed", -1)),
            "n_runs": n_runs,
            "run_offset": offset,
            "overrides": str(ds["overrides"].values[point]),
            "version": attrs.get("version"),
        },
    )


def param_paths(ds: Any) -> list[str]:
    """The swept parameters' paths, in ``--param`` order."""
    return list(ds.attrs.get("paths", []))


def summary_rows(
    ds: Any, measures: Mapping[str, str | Sequence[str]], quantiles: tuple[float, float]
) -> list[dict[str, object]]:
    """One row per point: the parameters, then each measure's mean and band at each date.

    The dates are the store's ``report_dates`` and the end (``end``: the last recorded
    step); bands are over runs, with the ``quantiles`` given (e.g. ``(0.05, 0.95)``: 90%).
    """
    import datetime as dt

    from diffusion.calendar import Calendar
    from diffusion.report import band_table

    attrs = ds.attrs
    cal = Calendar(
        dt.date.fromisoformat(attrs["calendar_start"]), dt.date.fromisoformat(attrs["calendar_end"])
    )
    last = cal.date_of(int(ds["step"].values[-1]))
    dates = [d for d in map(dt.date.fromisoformat, attrs.get("report_dates", [])) if d < last]
    labels = [*(d.isoformat() for d in dates), "end"]
    q = [f"q{round(100 * x):02d}" for x in quantiles]
    paths = param_paths(ds)
    rows = []
    for p in range(ds.sizes["point"]):
        results = point_results(ds, p)
        row: dict[str, object] = {"point": p}
        row |= {path: ds[path].values[p].item() for path in paths}
        table = band_table(
            results, cal, measures, [*dates, last], grouping=None, quantiles=quantiles
        )
        for label, entry in zip(labels, table, strict=True):
            for measure in measures:
                mean, low, high = entry[measure]  # type: ignore[misc]
                row[f"{measure}_{label}_mean"] = round(float(mean), 3)
                row[f"{measure}_{label}_{q[0]}"] = float(low)
                row[f"{measure}_{label}_{q[1]}"] = float(high)
        rows.append(row)
    return rows


def output_values(
    ds: Any, states: str | Sequence[str], date: str = "end", group: str = ALL
) -> np.ndarray:
    """Mean over runs of the people in ``states`` in ``group`` at ``date``, ``(points,)``.

    ``date`` is ``"end"`` (the last record) or ``YYYY-MM-DD`` (the last record at or before
    it); ``group`` is ``"all"`` or ``"GROUPING:LABEL"``.

    Raises
    ------
    InputError
        For an unknown state, group or date.
    """
    import datetime as dt

    state_names = [str(s) for s in ds["state"].values]
    wanted = [states] if isinstance(states, str) else list(states)
    unknown = [s for s in wanted if s not in state_names]
    if unknown:
        raise InputError("", "--measure", f"unknown state {unknown[0]!r}; states: {state_names}")
    groups = [str(g) for g in ds["group"].values]
    if group not in groups:
        raise InputError("", "--group", f"no group {group!r} in the store; groups: {groups}")
    record = -1
    if date != "end":
        try:
            day = np.datetime64(dt.date.fromisoformat(date), "ns")
        except ValueError:
            raise InputError("", "--at", f"{date!r} is not a date; write YYYY-MM-DD") from None
        dates = ds["date"].values
        record = int(np.searchsorted(dates, day, side="right")) - 1
        if record < 0:
            raise InputError("", "--at", f"{date} is before the first record ({dates[0]})")
    sel = ds["counts"].isel(step=record).sel(group=group, state=wanted)
    per_run = np.asarray(sel.values, dtype=np.int64).sum(axis=-1)  # (point, run)
    return per_run.mean(axis=1)
