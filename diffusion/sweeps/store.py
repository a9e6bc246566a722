"""The sweep store: xarray + zarr, one region per point, written by the workers.

A worker reduces a point's runs before it writes anything (:func:`reduce_point`), so the
store holds, by default, what the analyses need and not every run's series.

Layout
------
One zarr group (format 2 on disk, which zarr 2 and zarr 3 both read) holding, per point:

``mean`` ``(point, measure, date, group)`` float32
    Mean over the point's runs of the people in each measure's states (``trained``,
    ``adopters``, and ``working``: the model's adopted states) in each group at each recorded
    step. ``group`` is ``"all"`` (everyone) then ``"GROUPING:LABEL"`` for each group of each
    stored grouping (``"department:O"``); ``date`` the recorded dates (``step`` on it: weeks
    from the start), as in :meth:`diffusion.results.Results.to_xarray`.
``band`` ``(point, measure, date, group, quantile)`` float32
    Quantiles over runs of the same (``quantile``: the scenario's ``outputs.quantiles`` with
    the median between them, e.g. ``0.05, 0.5, 0.95``).
``outcome_counts`` ``(point, run, count_outcome)`` unsigned integers
    Each run's key outcomes in people, as :func:`diffusion.comparison.outcome_values` names them:
    ``"<measure> <department|all> <date>"`` at each report date and the last record (``all``
    is all staff there).
``outcome_values`` ``(point, run, value_outcome)`` float64
    Each run's other key outcomes: ``"years to 10% of staff working from the intent"`` (a run
    that never gets there counts as the end: censored), ``"P(reach 10% of staff) <end>"`` and
    ``"P(<department> >= 25% working from the intent) <date>"`` (0 or 1 per run).
``counts`` ``(point, run, date, group, state)`` unsigned integers, only with ``--keep-runs``
    People in each state in each group at each recorded step, for every run.
``completed`` ``(point,)`` bool
    Set, last, when everything else of the point is written: a point is done exactly when
    this is true, so ``--resume`` redoes any point whose writing was cut short, and readers
    skip points that are not done.
``computed_at``, ``seconds``, ``cpu_seconds`` ``(point,)`` float64
    Unix time at which the point was finished (NaN before); wall and CPU seconds its
    simulation, reduction and writing took on its worker.

Every array has one chunk per point, so workers write their points side by side without
touching each other's, and an interrupted sweep leaves a store whose finished points can be
read (:func:`open_store`, :func:`completed`).

Coordinates on ``point``: each swept parameter under its path (``model.params.x``),
``run_offset`` (point ``p`` holds runs ``run_offset[p] + 0 .. R-1`` of the root seed) and
``overrides`` (the ``--set`` text that reproduces the point). On ``date``: ``step``.

Attributes (provenance): ``scenario`` (the resolved base scenario after ``--set``),
``scenario_file``, ``sets``, ``params``, ``paths``, ``design``, ``points``, ``runs``,
``seed``, ``record_every``, ``groupings``, ``keep_runs``, ``calendar_start``/``calendar_end``,
``quantiles`` (low, high), ``measures`` (name -> states), ``report_dates``, ``version``,
``command``, ``created``, ``seeding``.

Size: the Etten-Leur baseline (835 weekly records, all + 5 departments, 3 measures, 3
quantiles) takes about 0.24 MB a point before compression, whatever the runs; ``--keep-runs``
adds ``runs x records x groups x states`` counts of 2 bytes (7 MB a point for 200 runs).
"""

from __future__ import annotations

import json
import os
import shutil
import time
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from diffusion.calendar import Calendar
from diffusion.comparison import GROUPINGS, Settings, outcome_values
from diffusion.errors import InputError, clean
from diffusion.results import Results, band

#: marker attribute of a sweep store (and the version of its layout)
STORE_MARK = "diffusion_sweep"
STORE_FORMAT = 3
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
    "keep_runs",
)
ALL = "all"
#: the measure of the model's adopted states, stored besides the model's own measures
WORKING = "working"
#: dimensions of the arrays a point writes (without ``point``)
DIMS: dict[str, tuple[str, ...]] = {
    "mean": ("measure", "date", "group"),
    "band": ("measure", "date", "group", "quantile"),
    "outcome_counts": ("run", "count_outcome"),
    "outcome_values": ("run", "value_outcome"),
    "counts": ("run", "date", "group", "state"),
}


@dataclass(frozen=True)
class Reduction:
    """What a worker keeps of a point's runs (sent with every task).

    Attributes
    ----------
    groupings : tuple of str
        Groupings whose groups are stored besides everyone.
    measures : mapping of str to tuple of str
        Measure name -> the states it counts.
    quantiles : tuple of float
        Quantiles of the bands, increasing (e.g. ``(0.05, 0.5, 0.95)``).
    settings : diffusion.comparison.Settings
        The per-run key outcomes (dates, pass share, shares to reach).
    calendar : Calendar
        The sweep's calendar (every point has the same length).
    keep_runs : bool
        Store every run's counts too.
    dtype : str
        Integer type of stored people counts.
    """

    groupings: tuple[str, ...]
    measures: Mapping[str, tuple[str, ...]]
    quantiles: tuple[float, ...]
    settings: Settings
    calendar: Calendar
    keep_runs: bool = False
    dtype: str = "uint16"

    @property
    def simulated_groupings(self) -> tuple[str, ...]:
        """The groupings a point is simulated with (:func:`simulated_groupings`)."""
        return simulated_groupings(self.groupings)


def simulated_groupings(groupings: Sequence[str]) -> tuple[str, ...]:
    """Return the stored ``groupings`` and those the key outcomes need, each once."""
    return tuple(dict.fromkeys((*groupings, *GROUPINGS)))


@dataclass(frozen=True)
class Layout:
    """The shape of every point's arrays, known before any point is simulated.

    Attributes
    ----------
    steps : int array ``(records,)``
        Recorded steps (weeks from the start).
    dates : datetime64[D] array ``(records,)``
        Their dates.
    groups : tuple of str
        ``"all"``, then ``"GROUPING:LABEL"`` for every group of every stored grouping.
    states : tuple of str
        The model's state names.
    n_runs : int
        Runs per point.
    count_outcomes, value_outcomes : tuple of str
        Names of the per-run key outcomes in people, and the others.
    reduction : Reduction
    """

    steps: np.ndarray
    dates: np.ndarray
    groups: tuple[str, ...]
    states: tuple[str, ...]
    n_runs: int
    count_outcomes: tuple[str, ...]
    value_outcomes: tuple[str, ...]
    reduction: Reduction

    def shape(self, name: str) -> tuple[int, ...]:
        """Return the shape of one point's array ``name`` (a key of :data:`DIMS`)."""
        sizes = {
            "measure": len(self.reduction.measures),
            "date": len(self.steps),
            "group": len(self.groups),
            "quantile": len(self.reduction.quantiles),
            "run": self.n_runs,
            "state": len(self.states),
            "count_outcome": len(self.count_outcomes),
            "value_outcome": len(self.value_outcomes),
        }
        return tuple(sizes[d] for d in DIMS[name])

    @property
    def arrays(self) -> tuple[str, ...]:
        """The arrays every point writes."""
        names = ("mean", "band", "outcome_counts", "outcome_values")
        return (*names, "counts") if self.reduction.keep_runs else names

    def dtype(self, name: str) -> str:
        """Return the stored type of array ``name``."""
        if name in ("counts", "outcome_counts"):
            return self.reduction.dtype
        return "float64" if name == "outcome_values" else "float32"


def group_names(results: Results, groupings: Sequence[str]) -> tuple[str, ...]:
    """``"all"`` then ``"GROUPING:LABEL"`` for each group of each of ``groupings``."""
    return (ALL, *(f"{g}:{label}" for g in groupings for label in results.group_labels[g]))


def count_dtype(n_nodes: int) -> str:
    """Return the smallest unsigned integer type that holds a count of ``n_nodes`` people."""
    return "uint16" if n_nodes <= np.iinfo(np.uint16).max else "uint32"


def point_counts(results: Results, groupings: Sequence[str], dtype: str) -> np.ndarray:
    """Return a point's counts ``(runs, steps, groups, states)``: everyone, then each grouping."""
    parts = [results.total[:, :, None, :]]
    parts += [results.counts[g] for g in groupings]
    return np.concatenate([np.asarray(p, dtype=dtype) for p in parts], axis=2)


def reduce_point(results: Results, reduction: Reduction) -> dict[str, np.ndarray]:
    """Reduce a point's runs to what the store keeps, shaped as :data:`DIMS` says.

    Bands are :func:`diffusion.results.band` over runs; the per-run key outcomes are
    :func:`diffusion.comparison.outcome_values`, split into people counts (integers) and the
    others (years, 0/1 probabilities).
    """
    means, bands = [], []
    for states in reduction.measures.values():
        per_group = [results.series(states)[:, :, None]]
        per_group += [results.by_group(states, g) for g in reduction.groupings]
        b = band(np.concatenate(per_group, axis=2), reduction.quantiles)  # (records, groups)
        means.append(b.mean)
        bands.append(np.stack([b.quantiles[q] for q in reduction.quantiles], axis=-1))
    outcomes = outcome_values(results, reduction.calendar, reduction.settings)
    people = [v for family, v in outcomes.values() if family in reduction.measures]
    others = [v for family, v in outcomes.values() if family not in reduction.measures]
    out = {
        "mean": np.asarray(means, dtype=np.float32),
        "band": np.asarray(bands, dtype=np.float32),
        "outcome_counts": np.asarray(people, dtype=reduction.dtype).T.reshape(results.n_runs, -1),
        "outcome_values": np.asarray(others, dtype=np.float64).T.reshape(results.n_runs, -1),
    }
    if reduction.keep_runs:
        out["counts"] = point_counts(results, reduction.groupings, reduction.dtype)
    return out


def outcome_names(
    results: Results, reduction: Reduction
) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Return the names of the per-run key outcomes in people, and of the others."""
    outcomes = outcome_values(results, reduction.calendar, reduction.settings)
    people = tuple(k for k, (f, _) in outcomes.items() if f in reduction.measures)
    return people, tuple(k for k in outcomes if k not in people)


def _zarr_kwargs() -> dict[str, Any]:
    import zarr

    # format 2 on disk: readable by zarr 2 and 3, and no "unstable spec" warnings for strings
    return {"zarr_format": 2} if int(zarr.__version__.split(".")[0]) >= 3 else {}


def _coord(values: Sequence[Any]) -> np.ndarray:
    """Return a parameter's values as a coordinate: numbers as numbers, anything else as text."""
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
        The store (a folder); it must not exist, or be an empty folder. It appears whole:
        made beside, then moved.
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
    data: dict[str, Any] = {}
    for name in layout.arrays:
        shape = layout.shape(name)
        dtype = layout.dtype(name)
        fill = 0 if np.dtype(dtype).kind == "u" else np.nan
        lazy = da.full((n_points, *shape), fill, dtype=dtype, chunks=(1, *shape))
        data[name] = (("point", *DIMS[name]), lazy)
    data["completed"] = (("point",), da.zeros(n_points, dtype=bool, chunks=1))
    for name in ("computed_at", "seconds", "cpu_seconds"):
        data[name] = (("point",), da.full(n_points, np.nan, chunks=1))
    reduction = layout.reduction
    coords: dict[str, Any] = {
        "point": np.arange(n_points),
        "run": np.arange(layout.n_runs),
        "date": np.asarray(layout.dates, dtype="datetime64[ns]"),
        "step": ("date", np.asarray(layout.steps, dtype=np.int64)),
        "group": list(layout.groups),
        "state": list(layout.states),
        "measure": list(reduction.measures),
        "quantile": np.asarray(reduction.quantiles, dtype=np.float64),
        "count_outcome": list(layout.count_outcomes),
        "value_outcome": list(layout.value_outcomes),
        "run_offset": ("point", np.asarray(run_offset, dtype=np.int64)),
        "overrides": ("point", np.asarray(list(overrides), dtype=str)),
    }
    for name, values in params.items():
        coords[name] = ("point", _coord(values))
    ds = xr.Dataset(data, coords=coords, attrs={STORE_MARK: STORE_FORMAT, **attrs})
    ds["mean"].attrs["description"] = "mean over runs of people in a measure's states"
    ds["band"].attrs["description"] = "quantiles over runs of people in a measure's states"
    if "counts" in ds:
        ds["counts"].attrs["description"] = "people per state per group per step per run"
    # made beside and moved into place: a reader never sees half a store's metadata
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}-{time.time_ns()}")
    try:
        ds.to_zarr(str(tmp), mode="w-", compute=False, **_zarr_kwargs())
        if path.is_dir() and not path.is_symlink() and not any(path.iterdir()):
            path.rmdir()  # the empty folder the store goes in (rename replaces none on Windows)
        tmp.rename(path)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def remove_store(path: str | Path) -> None:
    """Delete a sweep store; refuse anything else (a folder that is not a store)."""
    if not is_store(path):
        raise InputError(str(path), "", "not a sweep store; refusing to delete it")
    shutil.rmtree(path)


def write_point(
    path: str | Path,
    point: int,
    data: Mapping[str, np.ndarray],
    seconds: float,
    cpu_seconds: float = float("nan"),
) -> None:
    """Write point ``point``'s arrays (:func:`reduce_point`), then mark it done.

    Safe to call from many processes at once for different points (one chunk per point),
    and to repeat: a point computed again (a retried task, a worker that died after writing)
    writes the same values, and ``completed`` is written last, so a reader never takes a
    half-written point for a finished one.
    """
    import zarr

    group = zarr.open_group(str(path), mode="r+", **_zarr_kwargs())
    for name, array in data.items():
        group[name][point] = np.asarray(array)
    group["computed_at"][point] = time.time()
    group["seconds"][point] = float(seconds)
    group["cpu_seconds"][point] = float(cpu_seconds)
    group["completed"][point] = True


def open_store(path: str | Path) -> Any:
    """Open a sweep store lazily as an :class:`xarray.Dataset`.

    The arrays are read when indexed, without dask: in a process that holds a Dask client,
    dask-backed arrays would be read by the cluster's (busy) workers.

    Raises
    ------
    InputError
        If ``path`` is not a sweep store, or one of an older layout.
    """
    import xarray as xr

    if not is_store(path):
        raise InputError(str(path), "", "not a sweep store (no sweep made it)")
    try:
        with warnings.catch_warnings():  # a store not made here lacks consolidated metadata
            warnings.simplefilter("ignore", RuntimeWarning)
            ds = xr.open_zarr(str(path), chunks=None)
    except Exception as exc:  # zarr and xarray raise many kinds on a folder they cannot read
        raise InputError(
            str(path), "", f"not a sweep store: cannot read it ({clean(str(exc), 80)})"
        ) from None
    if ds.attrs.get(STORE_MARK) != STORE_FORMAT:
        raise InputError(str(path), "", "a sweep store of an older layout; run the sweep again")
    missing = [name for name in ("completed", "run_offset") if name not in ds.variables]
    if missing:
        raise InputError(str(path), "", f"not a sweep store: it has no {', '.join(missing)} array")
    return ds


def completed(path: str | Path) -> np.ndarray:
    """Bool ``(points,)``: which points of the store are done."""
    return np.asarray(open_store(path)["completed"].values, dtype=bool)


def mismatches(path: str | Path, attrs: Mapping[str, Any]) -> list[str]:
    """Return the fingerprint attributes in which the store at ``path`` differs from ``attrs``."""
    stored = open_store(path).attrs
    return [k for k in FINGERPRINT if _canon(stored.get(k)) != _canon(attrs.get(k))]


def _canon(value: Any) -> str:
    return json.dumps(value, sort_keys=True, default=str)


# ------------------------------------------------------------------------------ reading back
def param_paths(ds: Any) -> list[str]:
    """Return the swept parameters' paths, in ``--param`` order."""
    return list(ds.attrs.get("paths", []))


def run_outcomes(ds: Any, name: str) -> np.ndarray:
    """Each run's value of the key outcome ``name``, float ``(points, runs)``.

    Raises
    ------
    InputError
        For an outcome the store does not hold.
    """
    for var, dim in (("outcome_counts", "count_outcome"), ("outcome_values", "value_outcome")):
        names = [str(n) for n in ds[dim].values]
        if name in names:
            return np.asarray(ds[var].isel({dim: names.index(name)}).values, dtype=np.float64)
    raise InputError("", "--measure", f"no outcome {name!r} in the store; see summary.csv")


def outcome_list(ds: Any) -> list[str]:
    """Every key outcome's name: people counts first, then the others."""
    return [str(n) for n in (*ds["count_outcome"].values, *ds["value_outcome"].values)]


def outcome_rows(ds: Any) -> list[dict[str, object]]:
    """One row per finished point and key outcome.

    ``point``, the parameters, ``outcome``, its ``mean`` over the point's runs and the band between
    the store's ``quantiles`` (``q05``, ``q95``). Points not finished (an interrupted sweep) have no
    rows.
    """
    quantiles = tuple(float(q) for q in ds.attrs["quantiles"])
    labels = [f"q{round(100 * q):02d}" for q in quantiles]
    names = outcome_list(ds)
    per_run = np.concatenate(
        [
            np.asarray(ds["outcome_counts"].values, dtype=np.float64),
            np.asarray(ds["outcome_values"].values, dtype=np.float64),
        ],
        axis=2,
    )  # (points, runs, outcomes)
    done = np.asarray(ds["completed"].values, dtype=bool)
    paths = param_paths(ds)
    rows = []
    for p in np.flatnonzero(done):
        point: dict[str, object] = {"point": int(p)}
        point |= {path: ds[path].values[p].item() for path in paths}
        b = band(per_run[p], quantiles)
        for j, name in enumerate(names):
            row = point | {"outcome": name, "mean": round(float(b.mean[j]), 4)}
            for label, q in zip(labels, quantiles, strict=True):
                row[label] = round(float(b.quantiles[q][j]), 4)
            rows.append(row)
    return rows


def summary_rows(ds: Any) -> list[dict[str, object]]:
    """One row per finished point (``summary.csv``).

    The parameters, then each key outcome's mean and band side by side (``"<outcome> mean"``,
    ``"<outcome> q05"``...); the :func:`outcome_rows` of a point on one row.
    """
    keys = ["point", *param_paths(ds)]
    rows: dict[object, dict[str, object]] = {}
    for r in outcome_rows(ds):
        row = rows.setdefault(r["point"], {k: r[k] for k in keys})
        row |= {f"{r['outcome']} {k}": v for k, v in r.items() if k not in (*keys, "outcome")}
    return list(rows.values())


def record_at(ds: Any, date: str) -> int:
    """Index of the record at ``date``.

    ``"end"`` (the last) or the last at or before ``YYYY-MM-DD``.

    Raises
    ------
    InputError
        For a date that is not one, or before the first record.
    """
    import datetime as dt

    if date == "end":
        return ds.sizes["date"] - 1
    try:
        day = np.datetime64(dt.date.fromisoformat(date), "ns")
    except ValueError:
        raise InputError("", "--at", f"{date!r} is not a date; write YYYY-MM-DD or end") from None
    dates = ds["date"].values
    record = int(np.searchsorted(dates, day, side="right")) - 1
    if record < 0:
        raise InputError("", "--at", f"{date} is before the first record ({dates[0]})")
    return record


def measure_band(
    ds: Any, measure: str, date: str = "end", group: str = ALL
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the mean and band over runs of a measure in a group at a date.

    The band is the lowest and highest stored quantile; each float ``(points,)``; NaN at
    points not done.

    Raises
    ------
    InputError
        For an unknown measure, group or date.
    """
    measures = [str(m) for m in ds["measure"].values]
    if measure not in measures:
        raise InputError("", "--measure", f"unknown measure {measure!r}; measures: {measures}")
    groups = [str(g) for g in ds["group"].values]
    if group not in groups:
        raise InputError("", "--group", f"no group {group!r} in the store; groups: {groups}")
    where = {"measure": measures.index(measure), "date": record_at(ds, date)}
    where["group"] = groups.index(group)
    done = np.asarray(ds["completed"].values, dtype=bool)
    mean = np.asarray(ds["mean"].isel(where).values, dtype=np.float64)
    qs = np.asarray(ds["band"].isel(where).values, dtype=np.float64)  # (points, quantiles)
    mean[~done] = np.nan
    qs[~done] = np.nan
    return mean, qs[:, 0], qs[:, -1]


def output_values(ds: Any, name: str, date: str = "end", group: str = ALL) -> np.ndarray:
    """Return an output per point ``(points,)``.

    A measure's mean over runs in ``group`` at ``date``, or the mean over runs of the key outcome
    ``name`` (a column of ``summary.csv`` without its `` mean``). NaN at points not done.

    Raises
    ------
    InputError
        For a name that is neither, or an unknown group or date.
    """
    if name in [str(m) for m in ds["measure"].values]:
        return measure_band(ds, name, date, group)[0]
    values = run_outcomes(ds, name).mean(axis=1)
    values[~np.asarray(ds["completed"].values, dtype=bool)] = np.nan
    return values
