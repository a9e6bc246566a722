"""Compiled loops (numba) for the two hot spots that numpy cannot do in one pass.

* :func:`thin`: the thinned draws of :meth:`diffusion.rng.RunRandom.below`. numpy needs
  six passes over a step's words to hash them, one to compare their bytes and one
  (``flatnonzero``) to find the few small ones; this loop hashes a row's words, tests each
  word for a small byte at once (SWAR: a word without one, two in three of them, is
  skipped) and visits only the small bytes. 0.50 ms against 1.26 ms for the numpy passes at
  2,500 runs x 318 people, a fifth of a step of the ideas model.
* :func:`add_rows`: the ideas model's exposure update, ``np.add.at`` of rows of a sparse
  matrix scaled per changed person, without gathering the rows' entries first; also its
  exposure to trained people for cohort seats, the rows of the few trained added up
  instead of a sparse product over everyone.

Each kernel gives the same bits as the numpy code it replaced, in the same order of
floating-point additions; ``tests/test_jit.py`` keeps that code as the reference. The
kernels are compiled for the listed types when this module is imported (from numba's
on-disk cache after the first time: about 0.6 s for numba and the kernels), so import this
module only where it is used: ``import diffusion`` and ``import diffusion.cli`` stay light.
The ideas model names it in its ``step_modules``, which :mod:`diffusion.chunks` imports
before forking worker processes, so that they inherit it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import numba
import numpy as np

# SplitMix64's constants, as in diffusion.rng (which imports this module, so they are not
# imported from it); tests/test_jit.py checks that both give the same draws
_GAMMA = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
_ONES = np.uint64(0x0101010101010101)
_HIGHS = np.uint64(0x8080808080808080)
#: byte ``7 - j`` of this word is ``j``: multiplying ``1 << 8b`` by it puts ``b`` in the top byte
_BYTE_INDEX = np.uint64(0x0001020304050607)
_NONE = np.uint64(0)


_F = TypeVar("_F", bound=Callable[..., Any])


def _compiled(signature: str | list[str]) -> Callable[[_F], _F]:
    """``numba.njit(signature, nogil=True, cache=True)``; without the cache where there is none.

    numba keeps compiled code beside the module, else in the user's cache folder; where it can
    write in neither (a read-only installation and no home folder) it refuses to cache, and
    the loops are compiled afresh in each process (about 1 s) instead of failing the import.
    """

    def decorate(func: _F) -> _F:  # a numba dispatcher, called as the function is
        try:
            return cast(_F, numba.njit(signature, nogil=True, cache=True)(func))
        except RuntimeError as exc:  # numba: "cannot cache function ...: no locator available"
            if "cannot cache" not in str(exc):
                raise
            return cast(_F, numba.njit(signature, nogil=True)(func))

    return decorate


@numba.njit(inline="always")
def _mix(z: np.uint64) -> np.uint64:
    """SplitMix64 output mix of one word (as :func:`diffusion.rng._mix_inplace`)."""
    z ^= z >> np.uint64(30)
    z *= _M1
    z ^= z >> np.uint64(27)
    z *= _M2
    z ^= z >> np.uint64(31)
    return z


@_compiled(
    "int64(uint64[::1], uint64[::1], int64, int64, boolean, int8[::1], uint64[::1],"
    " int64[::1], float64[::1])"
)
def thin(
    coarse_keys: np.ndarray,
    fine_keys: np.ndarray,
    n: int,
    limit: int,
    per_cell: bool,
    categories: np.ndarray,
    limits: np.ndarray,
    cells: np.ndarray,
    u: np.ndarray,
) -> int:
    """Write the cells whose thinned draw is looked at into ``cells`` and ``u``.

    Parameters
    ----------
    coarse_keys, fine_keys : uint64 ``(runs,)``
        Each run's stream keys for the coarse bytes and the fine draws (the step keys of
        ``purpose`` and ``purpose + ":fine"``).
    n : int
        Columns (people) per run.
    limit : int
        Cells with coarse byte ``< limit`` are looked at, in ``1 .. 256``.
    per_cell : bool
        Whether each cell's own limit also applies: ``limits[categories[cell]]``.
    categories : int8 ``(runs * n,)``, limits : uint64 ``(categories,)``
        Used only with ``per_cell``.
    cells : int64 ``(k,)``, u : float64 ``(k,)``
        Output: the flat cells looked at, ascending, and their uniforms
        ``(byte * 2**24 + fine) * 2**-32``; ``runs * n`` entries always suffice.

    Returns
    -------
    int
        How many entries of ``cells`` and ``u`` were written; -1 if there were more cells
        than entries, -2 if a cell looked at has a category with no limit.
    """
    found = 0
    lim = np.uint64(limit)
    small = _ONES * lim
    words = (n + 7) // 8
    coarse = np.empty(words, dtype=np.uint64)
    flags = np.empty(words, dtype=np.uint64)
    for r in range(coarse_keys.size):
        # hash the row first: this loop has no branch, so it vectorises
        key = coarse_keys[r]
        for w in range(words):
            z = _mix(key + np.uint64(w + 1) * _GAMMA)
            coarse[w] = z
            # the high bit of each byte below lim (and maybe of some above one that is):
            # it misses none while lim <= 127 (a borrow takes a byte below lim to at least
            # -128, which keeps its high bit); for larger lim every byte is looked at
            flags[w] = ((z - small) & ~z & _HIGHS) if limit <= 127 else _HIGHS
        fine_key = fine_keys[r]
        base = r * n
        for w in range(words):
            m = flags[w]
            z = coarse[w]
            while m != _NONE:
                low = m & (~m + np.uint64(1))
                m ^= low
                b = ((low >> np.uint64(7)) * _BYTE_INDEX) >> np.uint64(56)
                byte = (z >> (b << np.uint64(3))) & np.uint64(255)
                col = 8 * w + np.int64(b)
                if byte >= lim or col >= n:
                    continue
                if per_cell:
                    category = categories[base + col]
                    if category < 0 or category >= limits.size:
                        return -2  # no limit for this cell's category: the caller says so
                    if byte >= limits[category]:
                        continue
                if found == cells.size:
                    return -1  # the caller's arrays are full: it calls again with room for all
                # word col // 2 of the fine stream: its low half is column 2j, its high 2j + 1
                zf = _mix(fine_key + np.uint64(col // 2 + 1) * _GAMMA)
                fine = (zf >> np.uint64(8 + 32 * (col & 1))) & np.uint64(0xFFFFFF)
                cells[found] = base + col
                u[found] = np.float64((byte << np.uint64(24)) + fine) * 2.0**-32
                found += 1
    return found


@_compiled(
    [
        f"void(float32[::1], int64[::1], int64[::1], float32[::1], int64, int64, {i}[::1],"
        f" {i}[::1], float32[::1])"
        for i in ("int32", "int64")
    ]
)
def add_rows(
    out: np.ndarray,
    runs: np.ndarray,
    nodes: np.ndarray,
    scale: np.ndarray,
    offset: int,
    stride: int,
    indptr: np.ndarray,
    indices: np.ndarray,
    data: np.ndarray,
) -> None:
    """Add rows of a CSR matrix, each scaled, into blocks of a flat array.

    For each ``j`` in order, row ``nodes[j]`` of the matrix ``(indptr, indices, data)``
    times ``scale[j]`` is added at ``out[runs[j] * stride + offset + column]``, entry by
    entry in the row's order: ``np.add.at`` of the same float32 products, bit for bit.
    """
    for j in range(nodes.size):
        base = runs[j] * stride + offset
        s = scale[j]
        node = nodes[j]
        for e in range(indptr[node], indptr[node + 1]):
            out[base + indices[e]] += data[e] * s
