"""Counter-based random numbers: every draw is a pure function of its coordinates.

A uniform draw is ``f(root seed, purpose, run, step, column)``, computed by a vectorised
SplitMix64 hash (Steele, Lea and Flood 2014, "Fast splittable pseudorandom number
generators"; the output mix is Stafford's "Mix13"). Hence:

* run ``i`` depends only on ``(root seed, i)``: batches of any size, in any order, on any
  worker give identical runs;
* each purpose (``"adopt"``, ``"lapse"``, ``"cohort:LC3"``, ...) has its own stream, so adding
  a mechanism does not reshuffle the draws of another, and a what-if run with the same seed as
  its baseline sees the same numbers wherever their states agree (common random numbers);
* there is no per-run generator object: a step draws for all runs of a batch with a handful
  of whole-array integer operations.

Each stream ``(root, purpose, run, step)`` starts at a 64-bit key from hashing its
coordinates and walks a SplitMix64 sequence along the columns; streams are a few thousand
draws long, so the chance that two of them overlap is of order ``draws**2 / 2**64``.

Why not numpy's own generators: a ``numpy.random.Generator`` per run costs 3-5x per draw at
300 nodes because of the per-call overhead (measured in ``benchmarks/``); a single generator
for the batch would tie run ``i`` to the batch layout.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from functools import lru_cache

import numpy as np

_GAMMA = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_S30, _S27, _S31 = np.uint64(30), np.uint64(27), np.uint64(31)
_TO_UNIT = np.float32(2.0**-24)
_GAMMA_INT = 0x9E3779B97F4A7C15
_MASK64 = (1 << 64) - 1
#: words hashed per block: keeps the working set of one block in cache
_BLOCK_WORDS = 1 << 16
#: a 24-bit draw ``v`` is the uniform ``v * 2**-24``
_UNIT_BITS = 24
_LOW24 = np.uint64((1 << _UNIT_BITS) - 1)
#: below this share of a step's cells, :meth:`RunRandom.uniform_at` hashes cell by cell;
#: above it, it hashes whole rows (a cell costs about two and a half words of whole rows)
_SPARSE_SHARE = 0.35


def _mix_inplace(z: np.ndarray) -> np.ndarray:
    """SplitMix64 output mix of a uint64 array, in place; returns ``z``."""
    z ^= z >> _S30
    z *= _M1
    z ^= z >> _S27
    z *= _M2
    z ^= z >> _S31
    return z


def mix64(values: np.ndarray | int) -> np.ndarray:
    """Hash uint64 values (a copy); the building block of keys."""
    return _mix_inplace(np.array(values, dtype=np.uint64, copy=True))


@lru_cache(maxsize=4096)
def purpose_key(purpose: str) -> int:
    """Return a stable 64-bit key for a purpose name (the same on every machine and Python)."""
    return int.from_bytes(hashlib.blake2b(purpose.encode(), digest_size=8).digest(), "little")


def root_key(seed: int) -> int:
    """Return a 64-bit key for a root seed (any non-negative int; larger ones are hashed down)."""
    if seed < 0:
        raise ValueError(f"seed must be non-negative, got {seed}")
    digest = hashlib.blake2b(str(int(seed)).encode(), digest_size=8, person=b"diffusion").digest()
    return int.from_bytes(digest, "little")


class RunRandom:
    """Random numbers for a batch of runs.

    Parameters
    ----------
    seed : int
        Root seed of the whole simulation.
    run_ids : int array ``(runs,)``
        Global indices of the runs in this batch (run ``i`` of the simulation is ``i`` here
        whatever the batch).
    rows : int array ``(runs,)``, optional
        Positions of the batch's runs among the runs of the simulation (default: 0, 1, ...):
        where a per-run parameter array (:func:`diffusion.models.base.per_run`) holds their
        values. Kept through :meth:`subset`.

    Examples
    --------
    >>> rr = RunRandom(7, np.arange(3))
    >>> u = rr.uniform("adopt", step=0, n=5)
    >>> u.shape, u.dtype
    ((3, 5), dtype('float32'))
    >>> bool(np.all(RunRandom(7, np.array([2])).uniform("adopt", 0, 5)[0] == u[2]))
    True
    """

    def __init__(self, seed: int, run_ids: np.ndarray, rows: np.ndarray | None = None) -> None:
        self.seed = int(seed)
        self.run_ids = np.asarray(run_ids, dtype=np.int64)
        self.rows = np.arange(len(self.run_ids)) if rows is None else np.asarray(rows, np.int64)
        if self.rows.shape != self.run_ids.shape:
            raise ValueError("rows must have one position per run id")
        self._run_keys = mix64(np.uint64(root_key(self.seed)) ^ mix64(self.run_ids))

    @property
    def n_runs(self) -> int:
        """Number of runs in the batch."""
        return len(self.run_ids)

    @property
    def keys(self) -> np.ndarray:
        """The runs' stream keys, uint64 ``(runs,)`` (a function of the seed and run id)."""
        return self._run_keys

    @classmethod
    def of_keys(cls, keys: np.ndarray) -> RunRandom:
        """Return the streams of runs with these :attr:`keys` (run ids and seed unknown: -1).

        A model that keeps its runs' keys in its state (subset with it) can draw where no
        :class:`RunRandom` is at hand, the same numbers bit for bit.

        Examples
        --------
        >>> rr = RunRandom(7, np.arange(3))
        >>> again = RunRandom.of_keys(rr.keys[1:])
        >>> bool(np.all(again.uniform("a", 4, 5) == rr.uniform("a", 4, 5)[1:]))
        True
        """
        out = cls.__new__(cls)
        out.seed = -1
        out._run_keys = np.asarray(keys, dtype=np.uint64)
        out.run_ids = np.full(out._run_keys.shape, -1, dtype=np.int64)
        out.rows = np.arange(out._run_keys.size)
        return out

    def subset(self, rows: np.ndarray) -> RunRandom:
        """Return the same streams for a subset of this batch's runs (``rows`` index the batch)."""
        out = RunRandom.__new__(RunRandom)
        out.seed = self.seed
        out.run_ids = self.run_ids[rows]
        out.rows = self.rows[rows]
        out._run_keys = self._run_keys[rows]
        return out

    def _step_keys(self, purpose: str, step: int) -> np.ndarray:
        """Key of each run's stream for ``(purpose, step)``, ``(runs,)`` uint64."""
        offset = np.uint64((int(step) * _GAMMA_INT) & _MASK64)
        keys = self._run_keys ^ np.uint64(purpose_key(purpose))
        keys += offset
        return _mix_inplace(keys)

    def raw64(self, purpose: str, step: int, n: int) -> np.ndarray:
        """Raw 64-bit words, ``(runs, n)`` uint64, for ``purpose`` at ``step``."""
        blocks = self._blocks(purpose, step, n)
        if 0 < self.n_runs * max(n, 1) <= _BLOCK_WORDS:  # one block: it is the answer
            return next(blocks)[1]
        out = np.empty((self.n_runs, n), dtype=np.uint64)
        for rows, block in blocks:
            out[rows] = block
        return out

    def uniform(self, purpose: str, step: int, n: int) -> np.ndarray:
        """Uniform draws in [0, 1) with 24-bit resolution, ``(runs, n)`` float32.

        Columns are usually nodes; draw ``[r, j]`` is the same for run ``run_ids[r]`` whatever
        the batch, and changes with ``purpose`` and ``step``.
        """
        n_words = (n + 1) // 2
        out = np.empty((self.n_runs, 2 * n_words), dtype=np.float32)
        for rows, block in self._blocks(purpose, step, n_words):
            # the top 24 bits of each 32-bit half fit an int32, whose float conversion is fast
            ints = (block.view(np.uint32) >> np.uint32(8)).view(np.int32)
            np.multiply(ints, _TO_UNIT, out=out[rows], dtype=np.float32)
        return out[:, :n] if n % 2 else out

    def uniform_at(self, purpose: str, step: int, n: int, cells: np.ndarray) -> np.ndarray:
        """Return the draws of :meth:`uniform` at some cells only, as 24-bit integers.

        Draw ``uniform(purpose, step, n).reshape(-1)[cells]`` equals the value returned here
        times ``2**-24``, bit for bit, whatever cells are asked for; only those are hashed
        (when they are few). Compare with :func:`unit_bound`: ``u < p`` is
        ``v < unit_bound(p)``.

        Parameters
        ----------
        purpose, step : str, int
            The stream, as for :meth:`uniform`.
        n : int
            Columns of the full draw (usually nodes).
        cells : int array ``(k,)``
            Flat indices into ``(runs, n)``, any order.

        Returns
        -------
        int64 array ``(k,)``
            Integers in ``[0, 2**24)``.
        """
        cells = np.asarray(cells, dtype=np.int64)
        if cells.size > _SPARSE_SHARE * self.n_runs * n:
            words = self.raw64(purpose, step, (n + 1) // 2)
            halves = words.view(np.uint32)[:, :n].reshape(-1)[cells]
            top: np.ndarray = (halves >> np.uint32(32 - _UNIT_BITS)).astype(np.int64)
            return top
        keys = self._step_keys(purpose, step)
        row, col = split_cells(cells, n)
        # word (col // 2) of the row's stream; its low half is column 2j, its high half 2j + 1
        key = keys[row]
        # 8 for the low half (even column), 40 for the high half (odd column)
        shift = np.bitwise_and(col, 1, out=row).view(np.uint64)
        z = np.right_shift(col, 1, out=col).view(np.uint64)
        z += np.uint64(1)
        z *= _GAMMA
        z += key
        _mix_inplace(z)
        shift <<= np.uint64(5)
        shift += np.uint64(32 - _UNIT_BITS)
        z >>= shift
        z &= _LOW24
        drawn: np.ndarray = z.view(np.int64)
        return drawn

    def below(
        self,
        purpose: str,
        step: int,
        n: int,
        p: float,
        *,
        categories: np.ndarray | None = None,
        bounds: np.ndarray | None = None,
    ) -> tuple[np.ndarray, np.ndarray]:
        """Return the cells whose uniform draw is below ``p`` (at least), with their draws.

        Thinning without a draw per cell: cell ``j`` of run ``r`` has the uniform
        ``u = (c + f 2**-24) / 256``, with ``c`` a byte of the stream ``(purpose, step)``
        (eight cells a 64-bit word) and ``f`` a 24-bit draw of the stream
        ``(purpose + ":fine", step)`` that is made only for the cells with
        ``c < ceil(256 p)``. So ``u`` is uniform on [0, 1) with 32-bit resolution and a
        pure function of ``(seed, purpose, run, step, column)``, whatever ``p``: ``p`` only
        decides which cells are looked at. Every cell with ``u < p`` is returned (and some
        with ``p <= u < ceil(256 p) / 256``); a caller compares ``u`` with its exact
        probabilities, which must not exceed ``p``. The draws are made in one compiled loop
        (:func:`diffusion.jit.thin`).

        Parameters
        ----------
        purpose, step : str, int
            The stream.
        n : int
            Columns (usually nodes).
        p : float
            The largest probability the caller will compare with.
        categories, bounds : int array ``(runs * n,)`` and float array ``(categories,)``
            Optional: each cell's category (e.g. a model's state codes, flat) and each
            category's largest probability (at most ``p``). Then a cell whose coarse byte
            already puts its draw at or above its category's bound is left out before its
            fine draw is made: every cell with ``u < bounds[categories[cell]]`` is still
            returned, with the same ``u``.

        Returns
        -------
        cells : int64 array ``(k,)``
            Flat indices into ``(runs, n)``, ascending.
        u : float64 array ``(k,)``
            Their uniforms, exact (a 32-bit integer times ``2**-32``).

        Examples
        --------
        >>> rr = RunRandom(7, np.arange(4))
        >>> cells, u = rr.below("x", 0, 50, 0.1)
        >>> bool(np.all(u < 26 / 256)), bool(np.all(np.diff(cells) > 0))  # ceil(25.6) = 26
        (True, True)
        >>> c2, u2 = RunRandom(7, np.array([3])).below("x", 0, 50, 0.1)
        >>> bool(np.array_equal(c2 + 3 * 50, cells[cells >= 150]))
        True
        """
        limit = int(min(np.ceil(np.float64(p) * 256.0), 256.0))
        if limit <= 0 or n == 0 or self.n_runs == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float64)
        from diffusion import jit  # numba: imported where draws are made, not with the package

        per_cell = categories is not None and bounds is not None
        if per_cell:
            # u >= byte / 256: at or above the category's bound when byte >= ceil(256 bound)
            limits = np.ceil(np.clip(np.asarray(bounds, dtype=np.float64), 0.0, 1.0) * 256.0)
            cats = np.ascontiguousarray(categories, dtype=np.int8)
            if cats.shape != (self.n_runs * n,) or len(limits) > 127:
                raise ValueError("categories must be (runs * n,), of at most 127 categories")
        else:
            limits, cats = np.zeros(1), np.zeros(1, dtype=np.int8)
        keys = (self._step_keys(purpose, step), self._step_keys(purpose + ":fine", step))
        size = self.n_runs * n
        # room for twice the expected cells and 1,024 more: more would be at least 64 standard
        # deviations above the mean (the fewest at 1,024 expected); then it runs again with
        # room for every cell
        room = min(size, 2 * (size * limit // 256) + 1024)
        while True:
            cells, u = np.empty(room, dtype=np.int64), np.empty(room, dtype=np.float64)
            found = jit.thin(*keys, n, limit, per_cell, cats, limits.astype(np.uint64), cells, u)
            if found >= 0:
                return cells[:found].copy(), u[:found].copy()  # a copy frees the rest
            if found == -2:
                raise ValueError(f"categories must lie in 0 .. {len(limits) - 1} (one per bound)")
            room = size

    def _blocks(self, purpose: str, step: int, n_words: int) -> Iterator[tuple[slice, np.ndarray]]:
        """Yield ``(row slice, uint64 block)`` pairs covering ``(runs, n_words)`` words."""
        keys = self._step_keys(purpose, step)
        counters = np.arange(1, n_words + 1, dtype=np.uint64) * _GAMMA
        n_rows = max(1, _BLOCK_WORDS // max(n_words, 1))
        buffer = np.empty((min(n_rows, self.n_runs), n_words), dtype=np.uint64)
        for start in range(0, self.n_runs, n_rows):
            rows = slice(start, min(start + n_rows, self.n_runs))
            block = buffer[: rows.stop - rows.start]
            np.add(keys[rows, None], counters[None, :], out=block)
            yield rows, _mix_inplace(block)


def split_cells(cells: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Return the rows and columns of flat indices ``cells`` into a ``(rows, n)`` array.

    ``np.divmod(cells, n)``, about twice as fast: numpy's floor division by one number
    multiplies instead of dividing, its ``divmod`` does not.

    Examples
    --------
    >>> split_cells(np.array([0, 5, 7]), 3)
    (array([0, 1, 2]), array([0, 2, 1]))
    """
    rows = cells // n
    return rows, cells - rows * n


def unit_bound(p: np.ndarray | float) -> np.ndarray:
    """Integer bounds for 24-bit draws: ``v < unit_bound(p)`` exactly when ``v * 2**-24 < p``.

    ``p`` is taken as float32 (as the models compare float32 uniforms with float32
    probabilities); the result is int64, ``ceil(p * 2**24)``, which is exact because the
    scaling by a power of two is.
    """
    scaled = np.asarray(p, dtype=np.float32).astype(np.float64) * float(1 << _UNIT_BITS)
    return np.ceil(scaled).astype(np.int64)


_LOG_TINY = np.log(np.float64(1e-300))
"""The key's numerator for a draw of 0 (log is increasing: ``max(log u, this)`` is
``log(max(u, 1e-300))``, without a pass to clip the draws first)."""


def weighted_sample_without_replacement(
    uniform: np.ndarray, weights: np.ndarray, k: int | np.ndarray
) -> np.ndarray:
    """Choose ``k`` items per run by weighted sampling without replacement.

    Uses the exponential-keys method of Efraimidis and Spirakis (2006): item ``j`` gets the
    key ``log(u_j) / w_j`` and the ``k`` largest keys win, which has the same law as drawing
    items one at a time with probability proportional to weight among those left. An item's
    key depends on its own draw and weight only, so a what-if that changes some weights
    (common random numbers) changes the choice only where those keys cross.

    Parameters
    ----------
    uniform : float array ``(runs, items)``
        Uniform draws in [0, 1), one per item and run.
    weights : float array ``(runs, items)`` or ``(items,)``
        Non-negative weights; items of weight 0 are never chosen.
    k : int or int array ``(runs,)``
        Seats per run; fewer are filled where fewer items have positive weight.

    Returns
    -------
    bool array ``(runs, items)``
        True for the chosen items.

    Notes
    -----
    With equal weights and one ``k`` for every run (a uniform draw of ``k`` items, as when
    seeding) the ``k`` largest draws win, and of equal draws the one with the lower index:
    the keys' order is that of the draws, and ties are broken the same way on any machine
    and numpy version. Otherwise the largest keys are taken one seat at a time (an
    ``argmax`` per seat: a few seats among many items cost a few passes, no sort).
    """
    given = np.asarray(weights, dtype=np.float64)
    if np.ndim(k) == 0 and not np.any((given > 0) & (given != given.max(initial=0.0))):
        chosen = _largest_draws(np.asarray(uniform), given > 0, int(k))  # equal weights
        if chosen is not None:
            return chosen
    n_runs, n_items = np.shape(uniform)
    seats = np.broadcast_to(np.asarray(k, dtype=np.int64), (n_runs,))
    chosen = np.zeros((n_runs, n_items), dtype=bool)
    k_max = int(min(seats.max(initial=0), n_items))
    if k_max == 0:
        return chosen
    if given.min(initial=0.0) < 0:
        given = np.maximum(given, 0.0)
    with np.errstate(divide="ignore"):
        keys = np.log(uniform, dtype=np.float64)  # < 0; a draw of 0 gives -inf, raised next
        np.maximum(keys, _LOG_TINY, out=keys)  # log(max(u, 1e-300)): finite, < 0
        keys /= given  # weight 0: -inf, never chosen
    if k_max <= _ARGMAX_SEATS:
        rows = np.arange(n_runs)
        for j in range(k_max):
            at = np.argmax(keys, axis=1)
            take = (seats > j) & (keys[rows, at] > -np.inf)
            chosen[rows[take], at[take]] = True
            keys[rows[take], at[take]] = -np.inf
        return chosen
    return _largest_keys(keys, seats, k_max, chosen)


_ARGMAX_SEATS = 16
"""Up to this many seats a run, :func:`weighted_sample_without_replacement` takes one
``argmax`` per seat; above it, one partition per run (the same choice: many seats among many
items cost one pass instead of one per seat)."""


def _largest_keys(keys: np.ndarray, seats: np.ndarray, k_max: int, out: np.ndarray) -> np.ndarray:
    """Mark in ``out`` the ``seats[r]`` largest finite keys of each run ``r``.

    Ties go to the lower index: the items one ``argmax`` per seat would take, without a pass
    per seat.

    ``keys`` float64 ``(runs, items)`` (-inf: never chosen), ``seats`` int ``(runs,)``,
    ``k_max`` (``<= items``) at least ``seats.max()``; ``out`` bool ``(runs, items)``, all
    False, is filled and returned.

    Every item at least as large as a bound ``low[r]`` is a candidate; a run's seats go to
    its candidates in the order (key descending, index ascending), which is exact whenever a
    run has at least its seats among the candidates. The bound comes from every
    ``stride``-th item (a little below where the ``k_max``-th largest should fall in that
    sample, so that it almost always leaves enough); a run with too few candidates gets
    every finite key instead. Many items and few seats so cost two passes and a sort of a
    little more than the seats (a partition of every item is slower, and its speed depends
    on the keys).
    """
    n_runs, n_items = keys.shape
    stride = n_items // (4 * k_max)
    if stride >= 2:
        sample = keys[:, ::stride]
        expect = k_max / stride
        above = min(sample.shape[1], int(expect + 4.0 * np.sqrt(expect)) + 1)
        low = np.partition(sample, sample.shape[1] - above, axis=1)[:, -above]
        candidate = keys >= low[:, None]
        short = np.flatnonzero(candidate.sum(axis=1) < seats)
        candidate[short] = True  # the finite keys of these runs, below
    else:
        candidate = np.ones(keys.shape, dtype=bool)
    candidate &= keys > -np.inf
    rows, cols = np.nonzero(candidate)
    order = np.lexsort((cols, -keys[rows, cols], rows))
    rows, cols = rows[order], cols[order]
    starts = np.searchsorted(rows, np.arange(n_runs))
    rank = np.arange(rows.size) - starts[rows]
    take = rank < seats[rows]
    out[rows[take], cols[take]] = True
    return out


def _largest_draws(uniform: np.ndarray, eligible: np.ndarray, k: int) -> np.ndarray | None:
    """Return the ``k`` largest draws of the eligible items per run, ties to the lower index.

    ``uniform`` ``(runs, items)``, ``eligible`` bool ``(items,)`` or ``(runs, items)``.
    None when a run has fewer than ``k`` eligible items (the general path fills what it can).
    """
    n_items = uniform.shape[1]
    counts = np.broadcast_to(eligible, uniform.shape).sum(axis=-1)
    if k <= 0 or int(counts.min(initial=n_items)) < k:
        return None if k > 0 else np.zeros(uniform.shape, dtype=bool)
    # draws are in [0, 1): -1 puts the ineligible below every draw
    keys = np.where(eligible, uniform, uniform.dtype.type(-1))
    kth = np.partition(keys, n_items - k, axis=1)[:, n_items - k, None]  # k-th largest
    chosen = keys > kth
    ties = keys == kth
    need = k - chosen.sum(axis=1)  # >= 1: the k-th itself is among the ties
    extra = np.flatnonzero(ties.sum(axis=1) > need)
    chosen |= ties
    for r in extra:  # rare: more equal draws than seats left; the lower indices win
        tied = np.flatnonzero(ties[r])
        chosen[r, tied[need[r] :]] = False
    return chosen
