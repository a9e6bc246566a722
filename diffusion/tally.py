"""Exact bands and means over runs, gathered chunk by chunk in memory that does not grow with runs.

A measure (people in some states, e.g. "working": trained or adopter) in a group at a record
is an integer from 0 to the group's size. So the runs' values of one (measure, group, record)
are summed up exactly by a histogram of ``size + 1`` bins: the order statistics, hence every
quantile, and the mean are those of the runs themselves, whatever their number. A
:class:`Tally` keeps, per measure and grouping, either those histograms ``(records, bins)``
or, where the runs are fewer than the bins (a large group, few runs), the runs' values
themselves ``(runs, records, groups)``: whichever is smaller, so its memory is at most
``records x min(runs, people + groups)`` numbers per measure and grouping.

Tallies of disjoint runs add up (:meth:`Tally.merge`), so chunks of runs simulated in any
order, here or on other machines, give the same tally. A :class:`TallyRecorder` fills a tally
while the engine simulates, record by record in each batch's own thread, so that no one holds
every run's counts at all.

:class:`Spread` reads one (measure, group) over records from either form: the mean and the
quantiles exactly as ``numpy.mean`` and ``numpy.quantile`` (method "linear", the default) give
them from the runs' values, bit for bit, and the Harrell-Davis quantiles the plots draw.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from diffusion.results import Results

#: the key of everyone, besides the recorded groupings
ALL = ""
#: most int64 temporaries (index or value cells) made at once while a chunk is tallied
_SLICE_CELLS = 1 << 22


def linear_quantiles(order: Any, n: int, quantiles: Sequence[float]) -> np.ndarray:
    """Quantiles by numpy's default method ("linear", Hyndman & Fan's 7th), bit for bit.

    Parameters
    ----------
    order : callable
        ``order(k)`` -> the ``k``-th smallest value (float64 array ``(...)``) for an int
        array ``k``; it is called with one index array per quantile, twice.
    n : int
        Number of values (runs).
    quantiles : sequence of float

    Returns
    -------
    float64 array ``(len(quantiles), ...)``

    Notes
    -----
    As ``numpy.quantile``: the virtual index ``(n - 1) q``, its floor and the next order
    statistic, and the interpolation written as numpy's ``_lerp`` writes it (from the upper
    neighbour where the weight is at least one half), so the floating-point result is the same.
    """
    q = np.asarray(quantiles, dtype=np.float64)
    virtual = (n - 1) * q
    below = np.floor(virtual)
    above = below + 1
    top = virtual >= n - 1
    below[top] = n - 1
    above[top] = n - 1
    gamma = virtual - below
    out = []
    for i in range(q.size):
        a = np.asarray(order(int(below[i])), dtype=np.float64)
        b = np.asarray(order(int(above[i])), dtype=np.float64)
        t = gamma[i]
        diff = b - a
        out.append(b - diff * (1 - t) if t >= 0.5 else a + diff * t)
    return np.asarray(out)


def _harrell_davis_cdf(n: int, q: float, edges: np.ndarray) -> np.ndarray:
    """Return the Harrell-Davis weight function: the Beta((n+1)q, (n+1)(1-q)) cdf at ``edges``."""
    from scipy.special import betainc

    return np.asarray(betainc((n + 1) * q, (n + 1) * (1 - q), edges))


def smooth_quantiles(values: np.ndarray, quantiles: Sequence[float]) -> np.ndarray:
    """Harrell-Davis quantiles over runs (axis 0) of ``values`` ``(runs, ...)``.

    Each quantile is a Beta-weighted mean of all the order statistics instead of one or two
    of them, so bands of small integer counts change smoothly over time instead of jumping
    between integers (Harrell & Davis 1982, Biometrika 69:635). Returns
    ``(len(quantiles), ...)``.
    """
    x = np.sort(np.asarray(values, dtype=np.float64), axis=0)
    n = x.shape[0]
    edges = np.arange(n + 1) / n
    out = [
        np.tensordot(np.diff(_harrell_davis_cdf(n, q, edges)), x, axes=(0, 0)) for q in quantiles
    ]
    return np.asarray(out)


@dataclass(frozen=True)
class Band:
    """Mean, median and quantiles over runs of a series, each ``(records,)`` (or scalars).

    ``median`` is the runs' 0.5 quantile, computed with the others whether or not 0.5 is
    among ``quantiles`` (a median cannot be told from other quantiles).
    """

    mean: np.ndarray
    quantiles: Mapping[float, np.ndarray]
    median: np.ndarray

    @property
    def low(self) -> np.ndarray:
        """The lowest quantile kept (the band's lower edge)."""
        return self.quantiles[min(self.quantiles)]

    @property
    def high(self) -> np.ndarray:
        """The highest quantile kept (the band's upper edge)."""
        return self.quantiles[max(self.quantiles)]


def with_median(quantiles: Sequence[float]) -> tuple[float, ...]:
    """Return ``quantiles`` and 0.5 (last, unless it is among them): what a :class:`Band` needs."""
    return tuple(dict.fromkeys((*quantiles, 0.5)))


class Spread:
    """One measure in one group over records, across runs: from values or a histogram.

    Parameters
    ----------
    values : int array ``(runs, records)``, optional
        The runs' values.
    histogram : int array ``(records, size + 1)``, optional
        Or how many runs had each value 0..size at each record (exactly one of the two).
    """

    def __init__(
        self, values: np.ndarray | None = None, histogram: np.ndarray | None = None
    ) -> None:
        if (values is None) == (histogram is None):
            raise ValueError("give the runs' values or their histogram")
        self._values = None if values is None else np.asarray(values)
        self._hist = None if histogram is None else np.asarray(histogram, dtype=np.int64)
        if self._hist is not None:
            self.n_runs = int(self._hist[0].sum()) if len(self._hist) else 0
            self._cum = np.cumsum(self._hist, axis=1)
        else:
            assert self._values is not None
            self.n_runs = int(self._values.shape[0])

    @property
    def n_records(self) -> int:
        """Records tallied."""
        if self._hist is not None:
            return int(self._hist.shape[0])
        assert self._values is not None
        return int(self._values.shape[1])

    def mean(self) -> np.ndarray:
        """Mean over runs ``(records,)`` float64, as ``numpy.mean`` of the values gives it.

        The values are integers, so numpy's float sum of them is exact (below 2**53) and
        equals the integer sum of the histogram; the one division is the same.
        """
        if self._values is not None:
            return np.asarray(self._values.mean(axis=0, dtype=np.float64))
        assert self._hist is not None
        sums = self._hist @ np.arange(self._hist.shape[1], dtype=np.int64)
        return np.asarray(sums.astype(np.float64) / np.float64(self.n_runs))

    def _order(self, k: int) -> np.ndarray:
        """Return the ``k``-th smallest value of each record ``(records,)``."""
        assert self._hist is not None
        # the first value whose cumulative count exceeds k
        return np.asarray((self._cum <= k).sum(axis=1), dtype=np.float64)

    def quantiles(self, quantiles: Sequence[float]) -> np.ndarray:
        """``(len(quantiles), records)``: exactly ``numpy.quantile(values, quantiles, axis=0)``."""
        if self._values is not None:
            values = np.asarray(self._values, dtype=np.float64)
            return np.asarray(np.quantile(values, quantiles, axis=0))
        return linear_quantiles(self._order, self.n_runs, quantiles)

    def band(self, quantiles: Sequence[float] = (0.05, 0.5, 0.95)) -> Band:
        """Mean and quantiles, as :func:`diffusion.results.band` of the values gives them."""
        asked = with_median(quantiles)
        qs = dict(zip(asked, self.quantiles(asked), strict=True))
        return Band(self.mean(), {q: qs[q] for q in quantiles}, qs[0.5])

    def smooth_quantiles(self, quantiles: Sequence[float]) -> np.ndarray:
        """Harrell-Davis quantiles ``(len(quantiles), records)`` (see :func:`smooth_quantiles`).

        From a histogram: value ``v`` holds the order statistics from the count of smaller
        values to the count of values up to ``v``, so its weight is the difference of the
        weight function at those two points.
        """
        if self._values is not None:
            return smooth_quantiles(self._values, quantiles)
        assert self._hist is not None
        n = self.n_runs
        values = np.arange(self._hist.shape[1], dtype=np.float64)
        upper = self._cum / n
        lower = (self._cum - self._hist) / n
        out = []
        for q in quantiles:
            weights = _harrell_davis_cdf(n, q, upper) - _harrell_davis_cdf(n, q, lower)
            out.append(weights @ values)
        return np.asarray(out)


@dataclass
class _Part:
    """One measure by one grouping.

    Histograms ``(records, bins)`` or values ``(runs, records, groups)``; group ``g``'s bins start
    at ``offsets[g]``.
    """

    sizes: np.ndarray
    offsets: np.ndarray
    hist: np.ndarray | None
    values: np.ndarray | None


def _as_values(n_runs: int, sizes: np.ndarray) -> bool:
    """Return whether a grouping of groups ``sizes`` is kept as the runs' values.

    So it is when the runs' values are fewer numbers than its histograms' bins.
    """
    return n_runs * len(sizes) <= int((np.asarray(sizes) + 1).sum())


def tally_bytes(
    sizes: Mapping[str, np.ndarray], n_records: int, n_runs: int, n_measures: int, n_people: int
) -> int:
    """Bytes of a :class:`Tally` of ``n_runs`` runs (arguments as :class:`Tally` takes them)."""
    total = 0
    for group_sizes in [np.array([n_people]), *sizes.values()]:
        if _as_values(n_runs, group_sizes):
            total += 4 * n_runs * n_records * len(group_sizes)
        else:
            total += 8 * n_records * int((np.asarray(group_sizes) + 1).sum())
    return total * n_measures


class Tally:
    """Exact bands and means over runs of measures per group, gathered chunk by chunk.

    Parameters
    ----------
    measures : mapping of str to sequence of int
        Measure name -> the codes of the states it counts.
    sizes : mapping of str to int array ``(groups,)``
        People per group of each grouping; :data:`ALL` (everyone) is added.
    n_records : int
        Recorded steps.
    n_runs : int
        Runs of the whole simulation (the form of each grouping depends on it).
    first_run, span : int, optional
        The runs this tally gathers: ``first_run`` to ``first_run + span`` (default: all).
    n_people : int
        Everyone's count (the size of :data:`ALL`).

    Notes
    -----
    A grouping is kept as histograms when ``n_runs x groups`` exceeds its bins (``people +
    groups``), else as values; the choice depends only on the whole simulation, so tallies
    of its chunks merge.
    """

    def __init__(
        self,
        measures: Mapping[str, Sequence[int]],
        sizes: Mapping[str, np.ndarray],
        n_records: int,
        n_runs: int,
        n_people: int,
        first_run: int = 0,
        span: int | None = None,
    ) -> None:
        self.measures = {name: tuple(int(c) for c in codes) for name, codes in measures.items()}
        self.n_records, self.n_runs, self.n_people = int(n_records), int(n_runs), int(n_people)
        self.first_run = int(first_run)
        self.span = self.n_runs - self.first_run if span is None else int(span)
        self.gathered = 0  # runs added so far
        all_sizes = {ALL: np.array([n_people], dtype=np.int64)}
        self.sizes = all_sizes | {g: np.asarray(s, dtype=np.int64) for g, s in sizes.items()}
        self.parts: dict[tuple[str, str], _Part] = {}
        for grouping, group_sizes in self.sizes.items():
            bins = group_sizes + 1
            offsets = np.concatenate([[0], np.cumsum(bins)[:-1]]).astype(np.int64)
            as_values = _as_values(self.n_runs, group_sizes)
            for name in self.measures:
                self.parts[(name, grouping)] = _Part(
                    group_sizes,
                    offsets,
                    None if as_values else np.zeros((n_records, int(bins.sum())), np.int64),
                    np.zeros((self.span, n_records, len(group_sizes)), np.int32)
                    if as_values
                    else None,
                )

    @property
    def groupings(self) -> tuple[str, ...]:
        """The tallied groupings (:data:`ALL` first)."""
        return tuple(self.sizes)

    def nbytes(self) -> int:
        """Bytes of the histograms and values held."""
        return sum(
            (p.hist.nbytes if p.hist is not None else 0)
            + (p.values.nbytes if p.values is not None else 0)
            for p in self.parts.values()
        )

    def add(self, results: Results, first_run: int | None = None) -> None:
        """Take in the runs of ``results`` (a chunk; its runs must be this tally's).

        ``first_run``: the global index of its first run (default: ``results.run_ids[0]``).
        """
        start = int(results.run_ids[0]) if first_run is None else int(first_run)
        n = results.n_runs
        row = start - self.first_run
        if row < 0 or row + n > self.span:
            raise ValueError(
                f"runs {start}-{start + n - 1} are outside this tally's "
                f"{self.first_run}-{self.first_run + self.span - 1}"
            )
        if results.total is None:
            raise ValueError("these results kept no per-run counts to tally")
        read = sorted({c for codes in self.measures.values() for c in codes})
        for grouping in self.sizes:
            counts = results.total[:, :, None, :] if grouping == ALL else results.counts[grouping]
            # the engine stores records first: walk them in that order, a block at a time
            by_record = counts.swapaxes(0, 1)  # (records, runs, groups, states)
            per_record = max(1, n * counts.shape[2])
            step = max(1, _SLICE_CELLS // per_record)
            for lo in range(0, self.n_records, step):
                block = by_record[lo : lo + step]
                # each state read once (as bincount's own type: no cast there)
                states = {c: block[..., c].astype(np.intp) for c in read}
                out = np.empty(block.shape[:3], dtype=np.intp)  # (records, runs, groups)
                for name, codes in self.measures.items():
                    part = self.parts[(name, grouping)]
                    self._add(part, [states[c] for c in codes], out, row, lo)
        self.gathered += n

    @staticmethod
    def _add(
        part: _Part, states: Sequence[np.ndarray], out: np.ndarray, row: int, record: int
    ) -> None:
        """Add one measure, the sum of its states' counts, each ``(records, runs, groups)``.

        They start at record ``record`` and run row ``row``; ``out`` (intp, of their shape)
        is overwritten.
        """
        if part.values is not None:
            np.copyto(out, states[0])
            for more in states[1:]:
                out += more
            part.values[row : row + out.shape[1], record : record + len(out)] = out.swapaxes(0, 1)
            return
        assert part.hist is not None
        bins = part.hist.shape[1]
        # each (record, group)'s bins side by side: one count of all the values
        first_bin = np.arange(len(out), dtype=np.intp)[:, None] * bins + part.offsets
        np.add(states[0], first_bin[:, None, :], out=out)
        for more in states[1:]:
            out += more
        found = np.bincount(out.reshape(-1), minlength=len(out) * bins)
        part.hist[record : record + len(out)] += found.reshape(len(out), bins)

    def merge(self, other: Tally) -> None:
        """Add a tally of other runs of the same simulation (same measures and groups)."""
        if other.measures != self.measures or other.n_runs != self.n_runs:
            raise ValueError("tallies of different simulations do not merge")
        row = other.first_run - self.first_run
        if row < 0 or row + other.span > self.span:
            raise ValueError("the other tally's runs are outside this one's")
        for key, part in self.parts.items():
            theirs = other.parts[key]
            if part.hist is not None:
                assert theirs.hist is not None
                part.hist += theirs.hist
            else:
                assert part.values is not None and theirs.values is not None
                part.values[row : row + other.span] = theirs.values
        self.gathered += other.gathered

    def has_measure(self, codes: Sequence[int]) -> bool:
        """Whether a tallied measure counts exactly the states ``codes``."""
        wanted = set(int(c) for c in codes)
        return any(set(mine) == wanted for mine in self.measures.values())

    def measure_of(self, codes: Sequence[int]) -> str:
        """Return the measure counting exactly the states ``codes``.

        Raises
        ------
        ValueError
            When no tallied measure counts those states.
        """
        wanted = sorted(set(int(c) for c in codes))
        for name, mine in self.measures.items():
            if sorted(set(mine)) == wanted:
                return name
        raise ValueError(
            "these results tallied only the measures "
            f"{', '.join(self.measures)}; keep every run's counts (keep_runs=True, "
            "--keep-runs) for others"
        )

    def spread(self, codes: Sequence[int], grouping: str = ALL, group: int = 0) -> Spread:
        """Return the :class:`Spread` of the states ``codes`` in group ``group`` of ``grouping``."""
        if self.gathered != self.span:
            raise ValueError(f"the tally has {self.gathered} of its {self.span} runs")
        part = self.parts[(self.measure_of(codes), grouping)]
        if part.values is not None:
            return Spread(values=part.values[:, :, group])
        assert part.hist is not None
        lo = int(part.offsets[group])
        return Spread(histogram=part.hist[:, lo : lo + int(part.sizes[group]) + 1])

    # ------------------------------------------------------------------ persistence
    def to_arrays(self) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
        """Return its arrays (for ``.npz``) and a JSON-able description.

        :meth:`from_arrays` reads them back.
        """
        arrays: dict[str, np.ndarray] = {}
        for (name, grouping), part in self.parts.items():
            held = part.hist if part.hist is not None else part.values
            assert held is not None
            arrays[f"tally__{name}__{grouping}"] = held
        meta = {
            "measures": {k: list(v) for k, v in self.measures.items()},
            "sizes": {g: s.tolist() for g, s in self.sizes.items() if g != ALL},
            "n_records": self.n_records,
            "n_runs": self.n_runs,
            "n_people": self.n_people,
            "first_run": self.first_run,
            "span": self.span,
        }
        return arrays, meta

    @classmethod
    def from_arrays(cls, arrays: Mapping[str, np.ndarray], meta: Mapping[str, Any]) -> Tally:
        """Return a tally written by :meth:`to_arrays`."""
        tally = cls(
            meta["measures"],
            {g: np.asarray(s) for g, s in meta["sizes"].items()},
            meta["n_records"],
            meta["n_runs"],
            meta["n_people"],
            meta["first_run"],
            meta["span"],
        )
        for (name, grouping), part in tally.parts.items():
            held = np.asarray(arrays[f"tally__{name}__{grouping}"])
            if part.hist is not None:
                part.hist[...] = held
            else:
                assert part.values is not None
                part.values[...] = held
        tally.gathered = tally.span
        return tally


@dataclass(frozen=True)
class _Layout:
    """Where a simulation's running counts go in a tally (:meth:`TallyRecorder.start`).

    Attributes
    ----------
    n_states : int
        States of the running counts.
    read : int64 array ``(states read,)``
        The states any measure counts.
    sums : list of list of int
        Per measure, the rows of ``read`` it adds up.
    n_columns : int
        Columns of a run's running counts (the last one: everyone).
    bin_of : int64 array ``(columns,)``
        First bin of each column kept as histograms in a measure's row of deltas (its
        ``size + 1`` bins follow); -1 for the columns kept as values.
    n_bins : int
        Bins of one measure (0: nothing kept as histograms).
    values : list of (measure, values, columns)
        The parts kept as the runs' values ``(runs, records, groups)`` and their columns.
    hist : list of (measure, histograms, first bin, last bin)
        The parts kept as histograms and their bins in a measure's row of deltas.
    """

    n_states: int
    read: np.ndarray
    sums: list[list[int]]
    n_columns: int
    bin_of: np.ndarray
    n_bins: int
    values: list[tuple[int, np.ndarray, slice]]
    hist: list[tuple[int, np.ndarray, int, int]]


class TallyRecorder:
    """Fills a :class:`Tally` record by record while the engine simulates.

    Given to :func:`diffusion.engine.simulate` as ``record_to``, it takes each batch's
    running counts at every record, in the thread that simulates the batch, instead of the
    engine keeping every run's counts for :meth:`Tally.add`.

    A run's value of a measure in a group changes at few records, so the histograms are
    gathered as their changes: at a record, every changed value moves its run from the old
    value's bin to the new one's (-1 and +1 in that record's row of the deltas), and a
    histogram is the running sum over records of its changes (:meth:`fold`). Only the cells
    the engine marks as changed since the batch's last record are looked at. The groupings
    the tally keeps as the runs' values are written record by record.

    Parameters
    ----------
    tally : Tally
        Where the counts go.
    first_run : int, optional
        Global index of the simulation's first run (default: the tally's first run).

    Notes
    -----
    Call :meth:`fold` once the simulation has returned: until then the histograms do not
    hold the recorded runs. The batches of several threads share the deltas (under a lock,
    held for two small additions a record); each writes only its own runs' values.
    """

    def __init__(self, tally: Tally, first_run: int | None = None) -> None:
        self.tally = tally
        start = tally.first_run if first_run is None else int(first_run)
        self.row = start - tally.first_run  # the tally's row of the simulation's run 0
        if self.row < 0:
            raise ValueError(f"run {start} is before the tally's first run {tally.first_run}")
        self.layout: _Layout | None = None
        self.deltas: np.ndarray | None = None  # (records, measures x bins) int64
        self._lock = threading.Lock()
        self._done = 0  # runs whose last record was taken

    def start(self, columns: Mapping[str, slice], shape: tuple[int, int], n_records: int) -> None:
        """Learn the layout of the engine's running counts, before any batch starts.

        Parameters
        ----------
        columns : mapping of str to slice
            Grouping -> its groups' columns (a grouping of one group: the last column,
            everyone's).
        shape : (int, int)
            ``(columns, states)`` of a run's running counts; the last column is everyone.
        n_records : int
            Records of the simulation (the tally's).
        """
        tally = self.tally
        n_columns, n_states = shape
        if n_records != tally.n_records:
            raise ValueError(f"{n_records} records, the tally has {tally.n_records}")
        missing = [g for g in tally.sizes if g != ALL and g not in columns]
        if missing:
            raise ValueError(f"grouping {missing[0]!r} is not among the recorded counts")
        where = {ALL: slice(n_columns - 1, n_columns)} | {
            g: columns[g] for g in tally.sizes if g != ALL
        }
        read = sorted({c for codes in tally.measures.values() for c in codes})
        sums = [[read.index(c) for c in codes] for codes in tally.measures.values()]
        # the columns kept as histograms get their size + 1 bins each, side by side
        bins = np.zeros(n_columns, dtype=np.int64)
        for g, cols in where.items():
            if _as_values(tally.n_runs, tally.sizes[g]):
                continue
            bins[cols] = tally.sizes[g] + 1
        bin_of = np.where(bins > 0, np.cumsum(bins) - bins, -1)
        n_bins = int(bins.sum())
        values, hist = [], []
        for m, name in enumerate(tally.measures):
            for g, cols in where.items():
                part = tally.parts[(name, g)]
                if part.values is not None:
                    values.append((m, part.values, cols))
                else:
                    assert part.hist is not None
                    lo = m * n_bins + int(bin_of[cols.start])
                    hist.append((m, part.hist, lo, lo + part.hist.shape[1]))
        self.layout = _Layout(
            n_states, np.array(read, dtype=np.int64), sums, n_columns, bin_of, n_bins, values, hist
        )
        if hist:
            self.deltas = np.zeros((n_records, len(tally.measures) * n_bins), dtype=np.int64)

    def batch(self, first_row: int, n_rows: int) -> _BatchRecorder:
        """Return the recorder of the simulation's runs ``first_row .. first_row + n_rows - 1``."""
        if self.layout is None:
            raise ValueError("start() the recorder before its batches")
        row = self.row + first_row
        if row + n_rows > self.tally.span:
            raise ValueError(f"runs up to row {row + n_rows - 1} are outside the tally")
        return _BatchRecorder(self, row, n_rows)

    def _move(self, record: int, new: np.ndarray, old: np.ndarray | None) -> None:
        """Move runs from bins ``old`` to bins ``new`` (flat in a record's row) at ``record``."""
        assert self.deltas is not None
        row = self.deltas[record]
        one = np.int64(1)  # numpy's fast path of ufunc.at needs the array's own type
        with self._lock:
            np.add.at(row, new, one)
            if old is not None:
                np.subtract.at(row, old, one)

    def _finished(self, n_rows: int) -> None:
        with self._lock:
            self._done += n_rows

    def fold(self) -> None:
        """Add the recorded runs' histograms (the running sums of their changes) to the tally."""
        layout = self.layout
        if layout is None:
            return
        for _, hist, lo, hi in layout.hist:
            assert self.deltas is not None
            hist += np.cumsum(self.deltas[:, lo:hi], axis=0)
        self.tally.gathered += self._done
        self.deltas, self.layout, self._done = None, None, 0


class _BatchRecorder:
    """The recorder of one batch's runs (:meth:`TallyRecorder.batch`), used by one thread.

    It keeps every measure of each (run, column) cell at the batch's last record, ``last``
    ``(measures x rows x columns,)``, and where each one's histogram bins start in a record's
    row of deltas, ``bins`` (same shape; -1 for the columns kept as values). Flat: numpy's
    one-dimensional gathers are the fast ones, and a record takes ~20 numpy calls whatever
    the measures and groupings.
    """

    def __init__(self, owner: TallyRecorder, row: int, n_rows: int) -> None:
        self.owner, self.row, self.n_rows = owner, row, n_rows
        layout = owner.layout
        assert layout is not None
        self.reads = np.zeros(layout.n_states, dtype=bool)  # the states any measure counts
        self.reads[layout.read] = True
        n_cells = n_rows * layout.n_columns
        measures = np.arange(len(layout.sums))
        # (measure, cell) -> its first bin: the column's, in the measure's part of the row
        starts = np.tile(layout.bin_of, n_rows)
        self.bins = np.where(starts >= 0, starts + (measures * layout.n_bins)[:, None], -1)
        self.bins = self.bins.reshape(-1)
        self.all_hist = bool((layout.bin_of >= 0).all())
        self.offsets = (measures * n_cells)[:, None]  # each measure's first (measure, cell)
        self.last: np.ndarray | None = None

    def _measures(self, running: np.ndarray, cells: np.ndarray) -> np.ndarray:
        """Return the measures of ``cells`` ``(k,)``, int32 ``(measures, k)``.

        ``cells`` are flat indices into ``(rows, columns)``.
        """
        layout = self.owner.layout
        assert layout is not None
        counts = running.reshape(-1).take((cells * layout.n_states)[None, :] + layout.read[:, None])
        now = np.empty((len(layout.sums), cells.size), dtype=np.int32)
        for m, rows in enumerate(layout.sums):
            now[m] = counts[rows[0]]
            for r in rows[1:]:
                now[m] += counts[r]
        return now

    def record(self, records: slice, running: np.ndarray, changed: np.ndarray | None) -> None:
        """Take the running counts as records ``records`` (a slice; stop None: to the end).

        Parameters
        ----------
        records : slice
            The records these counts are (several once no run can change any more).
        running : int array ``(rows, columns, states)``
            People per state in each column (group) of each of the batch's runs.
        changed : int array ``(cells,)`` or None
            Flat indices into ``(rows, columns)`` of the cells whose counts may have changed
            since the last call; None: any (at the first call it is read as None).
        """
        owner, layout = self.owner, self.owner.layout
        assert layout is not None
        first = int(records.start)
        stop = owner.tally.n_records if records.stop is None else int(records.stop)
        n_cells = self.n_rows * layout.n_columns
        if owner.deltas is not None:
            if self.last is None:  # the first record: every run enters its bins
                self.last = self._measures(running, np.arange(n_cells)).reshape(-1)
                self._move(first, np.arange(self.last.size), self.last, None)
            elif changed is None or changed.size:
                cells = np.arange(n_cells) if changed is None else changed
                now = self._measures(running, cells).reshape(-1)
                at = (self.offsets + cells).reshape(-1)  # (measure, cell) flat
                before = self.last.take(at)
                moved = np.flatnonzero(now != before)
                if moved.size:
                    where, new = at[moved], now[moved]
                    self._move(first, where, new, before[moved])
                    self.last[where] = new
        if layout.values:
            now_all = self._measures(running, np.arange(n_cells))
            now_all = now_all.reshape(len(layout.sums), self.n_rows, layout.n_columns)
            rows = slice(self.row, self.row + self.n_rows)
            for measure, values, cols in layout.values:
                values[rows, first:stop] = now_all[measure, :, None, cols]
        if stop == owner.tally.n_records:
            owner._finished(self.n_rows)

    def _move(
        self, record: int, where: np.ndarray, new: np.ndarray, old: np.ndarray | None
    ) -> None:
        """Move the runs of (measure, cell)s ``where`` from value ``old`` to ``new``.

        Each from its bin of value ``old`` (None: from none) to that of ``new``, at
        ``record``; the cells of columns kept as values are left out.
        """
        base = self.bins.take(where)
        if not self.all_hist:
            kept = base >= 0
            base, new = base[kept], new[kept]
            old = None if old is None else old[kept]
        self.owner._move(record, base + new, None if old is None else base + old)
