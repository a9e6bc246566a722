"""Simulation results and their summaries.

A :class:`Results` holds integer counts per state per group per recorded step per run (or,
when every run's counts are not kept, their exact bands: a :class:`~diffusion.tally.Tally`),
the step at which each person adopted, and the provenance needed to replay any run.
Summaries reduce over runs: means and quantile bands (:meth:`Results.spread`), final sizes,
time to reach a share, and the paired difference of two results made with the same seeds
(common random numbers).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from diffusion.io import atomic_write
from diffusion.tally import Band, Spread, Tally, with_median

States = str | Sequence[str]


@dataclass(frozen=True, eq=False)
class Results:
    """What a simulation recorded.

    Attributes
    ----------
    state_names : tuple of str
        Names of the model's states, in code order.
    steps : int array ``(records,)``
        The steps at which counts were recorded (0 is the initial state).
    counts : mapping of grouping to int array ``(runs, records, groups, states)``
        People per state per group, e.g. ``counts["department"]``; empty when every run's
        counts were not kept (then ``tally`` has their bands).
    total : int array ``(runs, records, states)`` or None
        People per state over all nodes (None when the runs' counts were not kept).
    first_step : mapping of milestone to int32 array ``(runs, nodes)``
        First step at which each person was in the milestone's states; -1 if never.
        ``"adopted"`` (the model's adopted states) is always there.
    run_ids : int array ``(runs,)``
        Global run indices (run ``i`` is replayed by the same seed and index).
    node_ids : tuple of str, length ``nodes``
        Node ids in the compiled order.
    group_labels : mapping of grouping to tuple of str
        Labels of the groups of each grouping.
    provenance : dict
        Model, parameters, seed, runs, steps, organisation, events and package version.
    tally : Tally, optional
        Exact means and quantiles over runs of some measures per group
        (:mod:`diffusion.tally`), kept in memory that does not grow with runs.
    """

    state_names: tuple[str, ...]
    steps: np.ndarray
    counts: Mapping[str, np.ndarray]
    total: np.ndarray | None
    first_step: Mapping[str, np.ndarray]
    run_ids: np.ndarray
    node_ids: tuple[str, ...]
    group_labels: Mapping[str, tuple[str, ...]]
    provenance: dict[str, Any] = field(default_factory=dict)
    tally: Tally | None = None

    @property
    def n_runs(self) -> int:
        """Runs simulated."""
        return len(self.run_ids)

    @property
    def kept_runs(self) -> bool:
        """Whether every run's counts are here (else only the tally's bands)."""
        return self.total is not None

    def _per_run(self) -> np.ndarray:
        """``total``, or a clear error when the runs' counts were not kept."""
        if self.total is None:
            raise ValueError(
                "every run's counts were not kept (only bands and means): simulate with "
                "keep_runs=True (diffusion run --keep-runs)"
            )
        return self.total

    @property
    def adopted_step(self) -> np.ndarray:
        """First step in an adopted state, ``(runs, nodes)`` int32; -1 if never."""
        return self.first_step["adopted"]

    @property
    def seed(self) -> int:
        """Root seed of the runs (-1 when unknown)."""
        return int(self.provenance.get("seed", -1))

    def state_index(self, states: States) -> list[int]:
        """Codes of one or several states, with a clear error for an unknown name."""
        names = [states] if isinstance(states, str) else list(states)
        out = []
        for name in names:
            if name not in self.state_names:
                raise ValueError(f"unknown state {name!r}; states: {', '.join(self.state_names)}")
            out.append(self.state_names.index(name))
        return out

    def series(
        self, states: States, grouping: str | None = None, group: str | None = None
    ) -> np.ndarray:
        """People in ``states`` over time, ``(runs, records)`` int64.

        With ``grouping`` and ``group`` (e.g. ``"department", "S"``) only that group counts;
        otherwise all nodes.
        """
        idx = self.state_index(states)
        total = self._per_run()
        if grouping is None:
            return np.asarray(total[:, :, idx].sum(axis=2, dtype=np.int64))
        if grouping not in self.counts:
            raise ValueError(
                f"grouping {grouping!r} was not recorded; recorded: {', '.join(self.counts)}"
            )
        labels = self.group_labels[grouping]
        if group not in labels:
            raise ValueError(f"no {grouping} {group!r}; {grouping}s: {', '.join(labels)}")
        g = labels.index(group)
        return np.asarray(self.counts[grouping][:, :, g, idx].sum(axis=2, dtype=np.int64))

    def by_group(self, states: States, grouping: str) -> np.ndarray:
        """People in ``states`` per group over time, ``(runs, records, groups)`` int64."""
        idx = self.state_index(states)
        self._per_run()
        return np.asarray(self.counts[grouping][:, :, :, idx].sum(axis=3, dtype=np.int64))

    def group_sizes(self, grouping: str) -> np.ndarray:
        """People per group, ``(groups,)`` (from the first record of the first run)."""
        if self.tally is not None and grouping in self.tally.sizes:
            return self.tally.sizes[grouping].copy()
        self._per_run()
        return np.asarray(self.counts[grouping][0, 0].sum(axis=1, dtype=np.int64))

    @property
    def n_people(self) -> int:
        """Everyone counted (the nodes)."""
        return len(self.node_ids)

    def spread(
        self, states: States, grouping: str | None = None, group: str | None = None
    ) -> Spread:
        """People in ``states`` over records across runs.

        Mean, exact quantiles and smooth quantiles (:class:`~diffusion.tally.Spread`).

        From the tally when it has those states (exact: the same numbers as from every run's
        counts), else from every run's counts; ``grouping`` and ``group`` as in
        :meth:`series`.
        """
        idx = self.state_index(states)
        tally = self.tally
        if (
            tally is not None
            and (grouping is None or grouping in tally.sizes)
            and (not self.kept_runs or tally.has_measure(idx))
        ):
            # without the runs' counts, a measure not tallied is refused there, by name
            if grouping is None:
                return tally.spread(idx)
            labels = self.group_labels[grouping]
            if group not in labels:
                raise ValueError(f"no {grouping} {group!r}; {grouping}s: {', '.join(labels)}")
            return tally.spread(idx, grouping, labels.index(group))
        return Spread(values=self.series(states, grouping, group))

    def final(
        self, states: States, grouping: str | None = None, group: str | None = None
    ) -> np.ndarray:
        """People in ``states`` at the last recorded step, ``(runs,)`` int64."""
        return self.series(states, grouping, group)[:, -1]

    def record_of_step(self, step: int) -> int:
        """Index of the last record at or before ``step``."""
        return record_of_step(self.steps, step)

    # ---------------------------------------------------------------- tables
    def dates(self) -> np.ndarray:
        """Return the date of each record, ``(records,)`` ``datetime64[D]``.

        From the provenance's ``start_date`` (a study's simulation records it) and weeks of
        :data:`~diffusion.calendar.DAYS_PER_STEP` days.

        Raises
        ------
        ValueError
            When the results do not know their start date (made by the engine directly).
        """
        from diffusion.calendar import DAYS_PER_STEP

        start = self.provenance.get("start_date")
        if start is None:
            raise ValueError("these results do not record a start date (simulate a Study)")
        days = np.asarray(self.steps, dtype=np.int64) * DAYS_PER_STEP
        return np.datetime64(str(start), "D") + days.astype("timedelta64[D]")

    def _counts_of(self, grouping: str | None) -> tuple[np.ndarray, tuple[str, ...]]:
        """Return the counts ``(runs, records, groups, states)`` and group labels (``"all"``)."""
        total = self._per_run()
        if grouping is None:
            return total[:, :, None, :], ("all",)
        if grouping not in self.counts:
            raise ValueError(
                f"grouping {grouping!r} was not recorded; recorded: {', '.join(self.counts)}"
            )
        return self.counts[grouping], tuple(self.group_labels[grouping])

    def to_xarray(self, grouping: str | None = None) -> Any:
        """People per state, as an :class:`xarray.DataArray` named ``"people"``.

        Parameters
        ----------
        grouping : str, optional
            A recorded grouping (``"department"``, ``"team"``...); None: everyone as one
            group, ``"all"``.

        Returns
        -------
        xarray.DataArray
            int64, dims ``(run, date, group, state)``; coords ``run`` (global run indices),
            ``date`` (``datetime64``), ``step`` (along ``date``), ``group`` and ``state``;
            attrs: the provenance's seed, model and study.
        """
        import xarray as xr

        counts, labels = self._counts_of(grouping)
        return xr.DataArray(
            np.asarray(counts, dtype=np.int64),
            dims=("run", "date", "group", "state"),
            coords={
                "run": np.asarray(self.run_ids),
                "date": self.dates(),
                "step": ("date", np.asarray(self.steps)),
                "group": list(labels),
                "state": list(self.state_names),
            },
            name="people",
            attrs={
                k: str(self.provenance[k])
                for k in ("seed", "model", "study")
                if k in self.provenance
            }
            | {"grouping": grouping or "all"},
        )

    def to_pandas(self, grouping: str | None = None) -> Any:
        """People per state as a tidy :class:`pandas.DataFrame`, one row per count.

        Columns ``run``, ``date``, ``step``, ``group``, ``state``, ``people`` (int64), in
        that order and sorted by them; ``grouping`` as in :meth:`to_xarray`.
        """
        import pandas as pd

        counts, labels = self._counts_of(grouping)
        n_runs, n_records, n_groups, n_states = counts.shape
        index = np.indices((n_runs, n_records, n_groups, n_states)).reshape(4, -1)
        return pd.DataFrame(
            {
                "run": np.asarray(self.run_ids)[index[0]],
                "date": self.dates()[index[1]],
                "step": np.asarray(self.steps)[index[1]],
                "group": np.asarray(labels, dtype=object)[index[2]],
                "state": np.asarray(self.state_names, dtype=object)[index[3]],
                "people": np.asarray(counts, dtype=np.int64).reshape(-1),
            }
        )

    # ---------------------------------------------------------------- persistence
    def save(self, path: str | Path) -> Path:
        """Write to a ``.npz`` file (atomically); :meth:`load` reads it back.

        Every run's counts if kept, and the tally if there is one.
        """
        path = Path(path)
        arrays = {"steps": self.steps, "run_ids": self.run_ids}
        if self.total is not None:
            arrays["total"] = self.total
        for g, c in self.counts.items():
            arrays[f"counts__{g}"] = c
        for m, f in self.first_step.items():
            arrays[f"first__{m}"] = f
        meta: dict[str, Any] = {
            "state_names": list(self.state_names),
            "node_ids": list(self.node_ids),
            "group_labels": {g: list(v) for g, v in self.group_labels.items()},
            "provenance": self.provenance,
        }
        if self.tally is not None:
            tally_arrays, meta["tally"] = self.tally.to_arrays()
            arrays |= tally_arrays
        arrays["meta"] = np.frombuffer(json.dumps(meta, default=str).encode(), dtype=np.uint8)
        with atomic_write(path, "wb") as fh:
            np.savez_compressed(fh, **arrays)  # type: ignore[arg-type]  # numpy's stub
        return path

    @classmethod
    def load(cls, path: str | Path) -> Results:
        """Read results written by :meth:`save`."""
        with np.load(Path(path)) as data:
            meta = json.loads(bytes(data["meta"]).decode())
            counts = {k.split("__", 1)[1]: data[k] for k in data.files if k.startswith("counts__")}
            tally = None
            if "tally" in meta:
                tally = Tally.from_arrays(
                    {k: data[k] for k in data.files if k.startswith("tally__")}, meta["tally"]
                )
            return cls(
                state_names=tuple(meta["state_names"]),
                steps=data["steps"],
                counts=counts,
                total=data["total"] if "total" in data.files else None,
                first_step={
                    k.split("__", 1)[1]: data[k] for k in data.files if k.startswith("first__")
                },
                run_ids=data["run_ids"],
                node_ids=tuple(meta["node_ids"]),
                group_labels={g: tuple(v) for g, v in meta["group_labels"].items()},
                provenance=meta["provenance"],
                tally=tally,
            )


# -------------------------------------------------------------------- summaries
def band(values: np.ndarray, quantiles: Sequence[float] = (0.05, 0.5, 0.95)) -> Band:
    """Mean and quantile band over runs (axis 0) of ``values`` ``(runs, ...)``."""
    values = np.asarray(values, dtype=np.float64)
    asked = with_median(quantiles)
    qs = dict(zip(asked, np.quantile(values, asked, axis=0), strict=True))
    return Band(values.mean(axis=0), {q: qs[q] for q in quantiles}, qs[0.5])


def record_of_step(steps: np.ndarray, step: int) -> int:
    """Index of the last of the recorded ``steps`` at or before ``step``."""
    i = int(np.searchsorted(steps, step, side="right")) - 1
    if i < 0:
        raise ValueError(f"step {step} is before the first record")
    return i


def time_to_reach(series: np.ndarray, threshold: float, steps: np.ndarray) -> np.ndarray:
    """First recorded step at which ``series`` ``(runs, records)`` reaches ``threshold``.

    Returns float ``(runs,)``, NaN for runs that never reach it.
    """
    reached = np.asarray(series) >= threshold
    first = reached.argmax(axis=1)
    out: np.ndarray = np.asarray(steps, dtype=np.float64)[first]
    out[~reached.any(axis=1)] = np.nan
    return out


@dataclass(frozen=True)
class PairedDifference:
    """Mean of a paired difference over runs with a confidence interval."""

    mean: float
    low: float
    high: float
    std_error: float
    n_runs: int
    level: float
    base_mean: float
    other_mean: float


def paired_difference(base: np.ndarray, other: np.ndarray, level: float = 0.9) -> PairedDifference:
    """``other - base`` run by run, for values ``(runs,)`` made with the same seeds.

    The interval is the t interval of the mean of the paired differences; with common random
    numbers the pairs share their noise, so it is much narrower than for independent runs.
    Runs where either value is NaN (e.g. a share never reached) are left out.
    """
    from scipy import stats

    base = np.asarray(base, dtype=np.float64)
    other = np.asarray(other, dtype=np.float64)
    if base.shape != other.shape:
        raise ValueError(f"paired values must have one shape, got {base.shape} and {other.shape}")
    ok = ~(np.isnan(base) | np.isnan(other))
    diff = other[ok] - base[ok]
    n = int(diff.size)
    if n == 0:
        nan = float("nan")
        return PairedDifference(nan, nan, nan, nan, 0, level, nan, nan)
    mean = float(diff.mean())
    se = float(diff.std(ddof=1) / np.sqrt(n)) if n > 1 else float("nan")
    half = float(stats.t.ppf(0.5 + level / 2, n - 1)) * se if n > 1 else float("nan")
    return PairedDifference(
        mean=mean,
        low=mean - half,
        high=mean + half,
        std_error=se,
        n_runs=n,
        level=level,
        base_mean=float(base[ok].mean()),
        other_mean=float(other[ok].mean()),
    )


def check_paired(base: Results, other: Results) -> None:
    """Raise unless ``base`` and ``other`` were made with the same seed and run indices."""
    if base.seed != other.seed or not np.array_equal(base.run_ids, other.run_ids):
        raise ValueError(
            "paired comparison needs results made with the same seed and runs "
            f"(seeds {base.seed} and {other.seed})"
        )
